"""Where a task's records go, handed to the Agent (built by lamtui.session): the agent
writes through these and opens no file of its own. A sink left out is not kept: no
audit log, no trajectory, no undo, no saved rules (an eval's sandbox, a test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lamtui.actions.undo import UndoStore
from lamtui.record.audit import AuditLog
from lamtui.record.trajectory import TrajectoryLog
from lamtui.safety.policy import RuleDraft
from lamtui.safety.rules import Rule

# The task's undo store: (task id, workspace) -> the store that keeps what it replaces.
UndoSink = Callable[[str, Path], UndoStore]
# "Always allow": keeps one allow rule (the draft, a note saying why) and returns it.
RuleSink = Callable[[RuleDraft, str], Rule]


@dataclass(frozen=True)
class TaskSinks:
    audit: AuditLog | None = None
    trajectories: TrajectoryLog | None = None  # also what memory learns a finished task from
    undo: UndoSink | None = None
    rules: RuleSink | None = None
