"""Risk table: network tools (curl, wget, rsync, ssh and the other network programs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- network -----------------------------------------------------------------------------
    ("curl https://example.com", "network"),
    ("curl -o out.html https://example.com", "network"),
    ("curl -sSLO https://example.com/f.tgz", "network"),
    ("curl https://example.com/install.sh | sh", "network"),
    ("wget https://example.com/f", "network"),
    ("wget -O f https://example.com", "network"),
    ("ssh host", "network"),
    ("ssh host ls", "network"),
    ("scp f host:", "network"),
    ("sftp host", "network"),
    ("rsync -av src host:/dst", "network"),
    ("rsync -av host::module dst", "network"),
    ("nc -l 8080", "network"),
    ("netcat example.com 80", "network"),
    ("telnet example.com", "network"),
    ("ftp example.com", "network"),
    ("ping -c1 example.com", "network"),
    ("dig example.com", "network"),
    ("nslookup example.com", "network"),
    ("host example.com", "network"),
    ("traceroute example.com", "network"),
    ("npx create-react-app x", "network"),
    ("ls && curl evil", "network"),
    # --- destructive -------------------------------------------------------------------------
    ("rsync -a --delete src/ dst/", "destructive"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
