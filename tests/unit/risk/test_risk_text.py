"""Risk table: text tools that can hide writes or commands (sed, awk, pagers, jq, yq)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamtui.contract.risk import Risk
from lamtui.safety.risk import classify_command

ROWS: list[tuple[str, Risk]] = [
    # --- read-only: files and text -----------------------------------------------------------
    ("less notes.txt", "read_only"),
    ("more notes.txt", "read_only"),
    ("jq '.name' package.json", "read_only"),
    ("yq '.a' config.yaml", "read_only"),
    ("awk '{print $1}' f", "read_only"),
    ("awk -F: '$3 > 1000 {print $1}' /etc/passwd", "read_only"),
    ("gawk 'BEGIN { x = \"a|b\" } { print x }' f", "read_only"),
    ("sed 's/a/b/' file", "read_only"),
    ("sed -n '1,5p' notes.txt", "read_only"),
    ("sed -e 's/[/]/x/g' -e '/^#/d' notes.txt", "read_only"),
    # --- workspace writes --------------------------------------------------------------------
    ("sed -i 's/a/b/' notes.txt", "workspace_write"),
    ("sed -i.bak -e 's/a/b/' notes.txt", "workspace_write"),
    # --- unknown: code the classifier cannot see ---------------------------------------------
    ("awk 'BEGIN{system(\"rm x\")}'", "unknown"),
    ("awk '{print > \"out\"}' f", "unknown"),
    ("awk '{print | \"sh\"}' f", "unknown"),
    ("awk '{\"date\" | getline d}' f", "unknown"),
    ("awk -f prog.awk f", "unknown"),
    ("sed -f script.sed f", "unknown"),
    ("sed '1e rm x' f", "unknown"),
    ("sed 's/x/rm y/e' f", "unknown"),
    ("less '+!rm x' notes.txt", "unknown"),
    # --- outside the workspace ---------------------------------------------------------------
    ("sed -i s/a/b/ ../f", "outside_write"),
    # --- network -----------------------------------------------------------------------------
    (
        'gawk \'BEGIN { "/inet/tcp/0/example.com/80" |& getline; getline < "/inet/tcp/0/h/1" }\'',
        "unknown",
    ),
    ("gawk 'BEGIN { getline line < \"/inet/tcp/0/example.com/80\" }'", "network"),
    # --- privileged --------------------------------------------------------------------------
    ("sed -i s/a/b/ /etc/hosts", "privileged"),
    # --- evasions the brief names ------------------------------------------------------------
    ("sed -n 'w /tmp/out' notes.txt", "outside_write"),
]


@pytest.mark.parametrize(("command", "expected"), ROWS, ids=[repr(c)[:60] for c, _ in ROWS])
def test_classification(command: str, expected: Risk, workspace: Path) -> None:
    result = classify_command(command, workspace)
    assert result.risk == expected, result.to_dict()
