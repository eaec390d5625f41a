"""Risk table: shell builtins (cd, export, unset, read, test, alias, hash, history ...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: shell builtins and control flow ------------------------------------------
    ("test -f x", "read_only"),
    ("[ -d src ] && echo yes", "read_only"),
    ("[[ -n $x && $a > $b ]] || echo no", "read_only"),
    ("cd src", "read_only"),
    ("cd .. && ls", "read_only"),
    ("export FOO=1", "read_only"),
    ("unset FOO", "read_only"),
    ("history", "read_only"),
    ("printenv HOME", "sensitive_read"),
    # --- workspace writes --------------------------------------------------------------------
    ("cd src && touch x", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("alias ll='ls -l'", "unknown"),
    ("alias ls=rm", "unknown"),
    ("export PATH=/x:$PATH", "unknown"),
    ("hash -p /tmp/x ls", "unknown"),
    # --- outside the workspace ---------------------------------------------------------------
    ("cd /tmp && touch x", "outside_write"),
    ("cd $X && touch y", "outside_write"),
    ("cd .. && touch x", "outside_write"),
    ("cd ~ && touch x", "outside_write"),
    ("cd /tmp | touch x", "workspace_write"),
    ("cd /tmp & touch x", "workspace_write"),
    # --- evasions the brief names ------------------------------------------------------------
    ("read n < f; [[ $n -eq 1 ]]", "unknown"),
    ("read n < f; echo ${s:n}", "unknown"),
    ('read "$v"', "unknown"),
    ('read n < f; echo "${n:-default}"', "read_only"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
