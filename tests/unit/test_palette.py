"""The command palette talks to a PaletteHost, not to the app: any host will do, and
ui/commands.py does not import ui/app.py (the cycle it once formed)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import lamtui.ui.commands as commands
from lamtui.contract.modes import GUARDED_MODES
from lamtui.ui.commands import PaletteHost, palette_entries
from lamtui.ui.session import TaskRecord


class Host:
    def __init__(self, record: TaskRecord | None = None) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.record = record

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **_: Any) -> None:
            self.calls.append((name, args))

        return call

    def viewed_record(self) -> TaskRecord | None:
        return self.record


def test_any_host_gets_the_entries_and_their_calls() -> None:
    record = TaskRecord("t1", "list")
    record.output_paths = {2: "/data/out/t1/step-2.log"}
    host = Host(record)
    entries = {title: callback for title, _, callback in palette_entries(host)}  # type: ignore[arg-type]

    for mode in GUARDED_MODES:
        entries[f"Policy mode: {mode}"]()
    entries["Undo last task's changes"]()
    entries["Show full output of action #2"]()
    assert host.calls == [
        *(("set_policy_mode", (mode,)) for mode in GUARDED_MODES),
        ("undo_last_task", ()),
        ("open_output", ("/data/out/t1/step-2.log",)),
    ]
    switch = [title for title in entries if title.startswith("Switch model:")]
    assert switch  # catalog models, or the one entry saying why there are none


def test_the_app_is_a_palette_host_and_commands_does_not_import_it() -> None:
    from lamtui.ui.app import LamtuiApp

    members = [name for name in vars(PaletteHost) if not name.startswith("_")]
    assert "switch_model" in members and "open_output" in members
    for name in members:
        assert callable(getattr(LamtuiApp, name)), name
    tree = ast.parse(Path(commands.__file__).read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not any(name.startswith("lamtui.ui.app") for name in imported)
