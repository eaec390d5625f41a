"""Risk table: wrappers that run another command (sudo, env, nice, timeout, exec ...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: shell builtins and control flow ------------------------------------------
    ("command -v git", "read_only"),
    ("env", "sensitive_read"),
    ("time ls", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("exec 3> out.txt", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("sudo_like=1 env PATH=/tmp ls", "unknown"),
    ("env -S 'ls $X'", "read_only"),
    # --- outside the workspace ---------------------------------------------------------------
    ("env -C /tmp touch x", "outside_write"),
    # --- privileged --------------------------------------------------------------------------
    ("sudo ls", "privileged"),
    ("sudo -u root ls", "privileged"),
    ("sudo -E rm x", "privileged"),
    ("sudo apt install htop", "privileged"),
    ("sudo -i", "privileged"),
    ("sudo -- sh -c 'ls'", "privileged"),
    ("doas rm x", "privileged"),
    ("pkexec ls", "privileged"),
    # --- evasions the brief names ------------------------------------------------------------
    ("command rm x", "destructive"),
    ("builtin eval rm", "destructive"),
    ("env rm x", "destructive"),
    ("env -i A=1 rm x", "destructive"),
    ("nice -n 10 rm x", "destructive"),
    ("timeout 5 rm x", "destructive"),
    ("timeout -s KILL 5s rm x", "destructive"),
    ("nohup rm x &", "destructive"),
    ("stdbuf -oL rm x", "destructive"),
    ("ionice -c3 rm x", "destructive"),
    ("time rm x", "destructive"),
    ("exec rm x", "destructive"),
    ("sudo -E env PATH=/tmp rm x", "privileged"),
    ("nice sudo rm x", "privileged"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()


def test_wrappers_are_stripped_from_argv(workspace: Path) -> None:
    result = classify_command("FOO=1 env BAR=2 nice -n 5 timeout 3 nohup r''m x", workspace)
    assert result.segments[0].argv == ("rm", "x")
    sudo = classify_command("sudo -E -u root rm x", workspace).segments[0]
    assert sudo.argv == ("rm", "x")
    assert sudo.privileged
    assert sudo.risk == "privileged"
