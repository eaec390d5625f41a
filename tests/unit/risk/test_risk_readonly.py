"""Risk table: commands that only read.

And the options that make one of them write a file or run a program.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: files and text -----------------------------------------------------------
    ("ls", "read_only"),
    ("ls -la", "read_only"),
    ("ls -la /etc", "read_only"),
    ("cat README.md", "read_only"),
    ("cat /etc/passwd", "read_only"),
    ("head -n 5 x | tail -n 1", "read_only"),
    ("tail -f app.log", "read_only"),
    ("wc -l *.py", "read_only"),
    ("du -sh * | sort -h", "read_only"),
    ("df -h", "read_only"),
    ("file notes.txt", "read_only"),
    ("stat notes.txt", "read_only"),
    ("realpath notes.txt", "read_only"),
    ("readlink -f notes.txt", "read_only"),
    ("basename /a/b.txt .txt", "read_only"),
    ("dirname /a/b", "read_only"),
    ("sort notes.txt | uniq -c", "read_only"),
    ("uniq notes.txt", "read_only"),
    ("cut -d: -f1 /etc/passwd", "read_only"),
    ("tr a-z A-Z < notes.txt", "read_only"),
    ("grep -rn TODO .", "read_only"),
    ("egrep 'a|b' notes.txt", "read_only"),
    ("rg -n foo src", "read_only"),
    ("tree -L 2", "read_only"),
    ("diff a.txt b.txt", "read_only"),
    ("cmp a b", "read_only"),
    ("comm -12 a b", "read_only"),
    ("md5sum notes.txt", "read_only"),
    ("sha256sum notes.txt", "read_only"),
    ("cksum notes.txt", "read_only"),
    ("base64 -d blob.txt", "read_only"),
    ("xxd notes.txt", "read_only"),
    ("od -c notes.txt", "read_only"),
    ("hexdump -C notes.txt", "read_only"),
    ("strings /bin/ls", "read_only"),
    ("column -t notes.txt", "read_only"),
    ("nl notes.txt", "read_only"),
    ("fold -w 80 notes.txt", "read_only"),
    ("fmt notes.txt", "read_only"),
    ("paste a b", "read_only"),
    ("join a b", "read_only"),
    ("seq 10", "read_only"),
    ("expr 1 + 2", "read_only"),
    ("echo '1+2' | bc", "read_only"),
    ("locate foo", "read_only"),
    ("zipinfo a.zip", "read_only"),
    ("zcat a.gz", "read_only"),
    ("bzcat a.bz2", "read_only"),
    ("xzcat a.xz", "read_only"),
    # --- read-only: shell builtins and control flow ------------------------------------------
    ("pwd", "read_only"),
    ("echo hi", "read_only"),
    ("printf '%s\\n' a b", "read_only"),
    ("true", "read_only"),
    ("false", "read_only"),
    (":", "read_only"),
    ("type -a python", "read_only"),
    ("which python", "read_only"),
    ("whereis ls", "read_only"),
    ("help cd", "read_only"),
    ("man ls", "read_only"),
    ("sleep 1", "read_only"),
    # --- read-only: system information -------------------------------------------------------
    ("cal", "read_only"),
    ("whoami", "read_only"),
    ("id -u", "read_only"),
    ("uname -a", "read_only"),
    ("uptime", "read_only"),
    ("free -m", "read_only"),
    ("top -b -n1", "read_only"),
    ("pgrep -f python", "read_only"),
    ("lsof -i :8080", "read_only"),
    ("nproc", "read_only"),
    ("lscpu", "read_only"),
    ("lsblk", "read_only"),
    ("getconf PAGE_SIZE", "read_only"),
    ("locale", "read_only"),
    ("tput cols", "read_only"),
    ("ss -tlnp", "read_only"),
    ("netstat -an", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("sort -o sorted.txt notes.txt", "workspace_write"),
    ("uniq notes.txt out.txt", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("sort --compress-program=sh notes.txt", "unknown"),
    ("rg --pre ./filter foo", "unknown"),
    # --- outside the workspace ---------------------------------------------------------------
    ("sort -o /tmp/sorted notes.txt", "outside_write"),
    # --- evasions the brief names ------------------------------------------------------------
    ("ss -K dst 1.2.3.4", "destructive"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
