"""The family tables together: large, covering every risk, and never auto-approving danger."""

from __future__ import annotations

import importlib
from pathlib import Path

from lamtui.contract.risk import RISK_ORDER, Risk
from lamtui.safety.risk import classify_command

# Risks the gate may auto-approve; everything else must never be classified as one of them.
AUTO: frozenset[Risk] = frozenset({"read_only", "workspace_write"})
# One table per handler family, one for the shell language and one for where writes land.
FAMILIES = ("wrappers", "builtins", "exec", "text", "files", "archives", "git", "network",
            "packages", "system", "readonly", "shell", "targets")  # fmt: skip


def _all_rows() -> list[tuple[str, Risk]]:
    # pytest puts this folder on sys.path, so the tables import as the modules it collects
    modules = [importlib.import_module(f"test_risk_{family}") for family in FAMILIES]
    return [row for module in modules for row in module.ROWS]


def test_every_table_is_counted() -> None:
    tables = {
        path.stem.removeprefix("test_risk_")
        for path in Path(__file__).parent.glob("test_risk_*.py")
        if "\nROWS: " in path.read_text()
    }
    assert tables == set(FAMILIES)


def test_table_is_large_and_covers_every_risk() -> None:
    rows = _all_rows()
    assert len(rows) >= 600
    assert {risk for _, risk in rows} == set(RISK_ORDER)
    commands = [command for command, _ in rows]
    assert len(commands) == len(set(commands)), "duplicate rows"


def test_nothing_dangerous_is_ever_auto_approvable(workspace: Path) -> None:
    """The property the gate relies on, checked over every table at once."""
    leaked = []
    wrong = []
    for command, expected in _all_rows():
        got = classify_command(command, workspace).risk
        if expected not in AUTO and got in AUTO:
            leaked.append((command, expected, got))
        if got != expected:
            wrong.append((command, expected, got))
    assert not leaked
    assert not wrong
