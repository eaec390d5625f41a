"""Risk table: file operations.

touch, mkdir, tee, cp, mv, ln, rm and friends, chmod/chown, dd, split, mktemp.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- workspace writes --------------------------------------------------------------------
    ("touch notes.txt", "workspace_write"),
    ("touch a b c", "workspace_write"),
    ("touch file{1..3}.txt", "workspace_write"),
    ("mkdir build", "workspace_write"),
    ("mkdir -p src/pkg/sub", "workspace_write"),
    ("cp a b", "workspace_write"),
    ("cp -r src dst", "workspace_write"),
    ("cp notes.txt{,.bak}", "workspace_write"),
    ("cp -t build a b", "workspace_write"),
    ("cp /etc/hosts hosts.copy", "workspace_write"),
    ("mv a b", "workspace_write"),
    ("mv a src/", "workspace_write"),
    ("ln -s notes.txt link", "workspace_write"),
    ("ln -s ../notes.txt src/link", "workspace_write"),
    ("tee out.txt", "workspace_write"),
    ("echo hi | tee -a log.txt", "workspace_write"),
    ("chmod +x script.sh", "workspace_write"),
    ("chmod -x script.sh", "workspace_write"),
    ("chmod 644 notes.txt", "workspace_write"),
    ("chown user notes.txt", "privileged"),  # giving a file away is privileged
    ("mktemp ./tmp.XXXX", "workspace_write"),
    ("split -l 100 big.txt part-", "workspace_write"),
    ("dos2unix notes.txt", "workspace_write"),
    ("install -m 755 tool bin/tool", "workspace_write"),
    # --- outside the workspace ---------------------------------------------------------------
    ("touch ~/x", "outside_write"),
    ("touch $HOME/x", "outside_write"),
    ("touch /tmp/x", "outside_write"),
    ("tee -a ../outside.txt", "outside_write"),
    ("cp x ../../etc", "outside_write"),
    ("mv x /tmp/y", "outside_write"),
    ("mv /tmp/y x", "outside_write"),
    ("ln -s /etc/passwd p", "outside_write"),
    ("ln -s ../../outside link", "outside_write"),
    ("mkdir ../sibling", "outside_write"),
    ('cp x "$DEST"', "outside_write"),
    ("mktemp", "outside_write"),
    ("chmod 644 ../f", "outside_write"),
    # --- destructive -------------------------------------------------------------------------
    ("rm x", "destructive"),
    ("rm -rf build", "destructive"),
    ("rm -rf /", "destructive"),
    ("rm", "destructive"),
    ("rmdir d", "destructive"),
    ("unlink f", "destructive"),
    ("shred -u f", "destructive"),
    ("dd if=/dev/zero of=x", "destructive"),
    ("truncate -s 0 notes.txt", "destructive"),
    ("chmod -R 777 .", "destructive"),
    ("chmod --recursive u+x d", "destructive"),
    ("chown -R user:group .", "privileged"),
    ("chgrp -R staff d", "privileged"),
    ("touch .git/hooks/pre-commit", "destructive"),
    ("cp hook.sh .git/hooks/post-checkout", "destructive"),
    ("mv x src/.git", "destructive"),
    # --- privileged --------------------------------------------------------------------------
    ("touch /etc/x", "privileged"),
    ("cp x /usr/local/bin/", "privileged"),
    ("echo x | tee /etc/hosts", "privileged"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
