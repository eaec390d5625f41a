"""Risk table: where a write lands.

Outside the workspace, system paths, .git, symlinks and patterns that can escape.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- outside the workspace ---------------------------------------------------------------
    ("echo hi > /tmp/out", "outside_write"),
    ("echo > ${OUT}", "outside_write"),
    ('echo hi > "$(date).log"', "outside_write"),
    ("touch .*", "outside_write"),
    ("cp x {a,../b}", "outside_write"),
    ("echo x > out-link/f", "outside_write"),
    # --- destructive -------------------------------------------------------------------------
    ("echo x > .git/config", "destructive"),
    # --- privileged --------------------------------------------------------------------------
    ("echo hi > /etc/passwd", "privileged"),
    ("echo 1 > /proc/sys/net/ipv4/ip_forward", "privileged"),
    ("echo x > etc-link/passwd", "privileged"),
    # --- evasions the brief names ------------------------------------------------------------
    ("echo x > ./.git/../.git/config", "destructive"),
    ("> .GIT/config", "destructive"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()


def test_truncating_redirection_says_so(workspace: Path) -> None:
    result = classify_command("> important.txt", workspace)
    assert result.risk == "workspace_write"
    assert any("truncates" in reason for reason in result.reasons)
    assert result.writes == (str(workspace / "important.txt"),)
    assert result.segments[0].argv == ()


def test_writes_are_absolute_and_normalised(workspace: Path) -> None:
    result = classify_command("touch src/../a ./b && cp x ../c", workspace)
    assert result.writes == (
        str(workspace / "a"),
        str(workspace / "b"),
        str(workspace.parent / "c"),
    )
    assert all(os.path.isabs(path) for path in result.writes)


def test_symlinks_in_write_targets_are_followed(workspace: Path) -> None:
    result = classify_command("echo x > etc-link/passwd", workspace)
    assert result.writes == ("/etc/passwd",)


def test_cwd_resolves_relative_paths(workspace: Path) -> None:
    inside = classify_command("touch x", workspace, cwd=workspace / "src")
    assert inside.risk == "workspace_write"
    assert inside.writes == (str(workspace / "src" / "x"),)
    outside = classify_command("touch x", workspace, cwd=workspace.parent)
    assert outside.risk == "outside_write"


def test_cd_moves_later_relative_writes(workspace: Path) -> None:
    result = classify_command("cd src && touch x; cd .. && touch y", workspace)
    assert result.writes == (str(workspace / "src" / "x"), str(workspace / "y"))
