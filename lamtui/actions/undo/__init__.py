"""Undo: the state of files before each action, so a task's changes can be reverted.

| module | job |
|---|---|
| `store.py` | snapshots before an action and the record after it (UndoStore) |
| `targets.py` | where a shell target's globs and braces land, before the snapshot |
| `blobs.py` | previous contents, content-addressed, private |
| `secretscan.py` | keeps a stored secret's value out of the blobs |
| `manifest.py` | a step's record on disk (Manifest, Root) |
| `state.py` | one path at one moment (State), read without following links |
| `restore.py` | undoing one step, path by path |
| `history.py` | which task and steps to undo, and `lamtui undo --list` |
| `reports.py` | what was kept, skipped, restored, in words |

A snapshot that could not keep everything an action may change says so in its
SnapshotReport; the agent then asks before running it (agent/execute.py), so an action
runs unasked only when undo holds what it may overwrite.
"""

from __future__ import annotations

from lamtui.actions.undo.history import list_undoable, undo
from lamtui.actions.undo.reports import RestoreReport, SnapshotReport
from lamtui.actions.undo.secretscan import SecretSource
from lamtui.actions.undo.store import UndoStore
from lamtui.actions.undo.targets import glob_options_may_change

__all__ = [
    "RestoreReport",
    "SecretSource",
    "SnapshotReport",
    "UndoStore",
    "glob_options_may_change",
    "list_undoable",
    "undo",
]
