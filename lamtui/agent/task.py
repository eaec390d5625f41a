"""One task's state while the agent works on it, the agent's options, and the typed record
of each step (written to the trajectory file as a dict, only there)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui.actions.undo import UndoStore
from lamtui.agent.events import Decision
from lamtui.agent.outcome import Ledger
from lamtui.agent.plan import PlanTree
from lamtui.contract.result import ActionResult
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.lam.base import Message
from lamtui.record.audit import AuditLog
from lamtui.record.trajectory import TrajectoryRecorder
from lamtui.safety.policy import Policy


@dataclass
class AgentOptions:
    max_steps: int = 15
    max_failures: int = 3  # consecutive failed or rejected actions before giving up
    max_repeats: int = 3  # re-proposals of a rejected action before giving up
    max_retries: int = 2  # invalid model outputs retried per call
    max_tokens: int = 1024
    shell_timeout: float = 120.0
    head_lines: int = 40
    tail_lines: int = 40
    # Read at every step: the app changes the mode of a running task (its palette).
    policy: Policy = field(default_factory=Policy)
    record: bool = True  # trajectories and the audit log (lamtui.session.default_sinks)
    undo: bool = True  # keep what each change replaced, for `lamtui undo`
    sandbox: str = "auto"  # auto (see execute.Executor.sandbox) | always | never


def new_task_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


class Abort(Exception):
    """Ends the task early with this outcome (the budget, giving up)."""

    def __init__(self, outcome: str, summary: str) -> None:
        super().__init__(summary)
        self.outcome = outcome
        self.summary = summary


@dataclass
class StepRecord:
    """One step as the trajectory keeps it: what the model saw and said, the gate's
    assessment and decision, what ran instead after an edit, and what came of it."""

    n: int
    step_title: str
    prompt_messages: int  # how many messages the model was shown (the training prompt)
    raw_output: str
    attempts: int
    action: Action
    model_seconds: float
    tokens: dict[str, Any]
    assessment: Assessment | None = None
    decision: Decision | None = None
    executed_assessment: Assessment | None = None  # the edit's own, after an edit
    executed_action: Action | None = None
    observation: str | None = None
    skipped: str | None = None  # why an approved action did not run
    result: ActionResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """The trajectory's JSON shape; fields never set are left out."""
        out: dict[str, Any] = {}
        for name, value in vars(self).items():
            if value is None:
                continue
            if isinstance(value, Action):
                value = value.model_dump(mode="json")
            elif isinstance(value, Assessment | Decision | ActionResult):
                value = value.to_dict()
            out[name] = value
        return out


@dataclass
class TaskState:
    id: str
    request: str
    workspace: Path
    messages: list[Message]
    tree: PlanTree | None = None
    actions_taken: int = 0  # proposals counted against the step budget
    failures_in_row: int = 0
    failed_actions: set[str] = field(default_factory=set)
    ledger: Ledger = field(default_factory=Ledger)
    repeats: int = 0  # rejected actions the model proposed again
    started: float = field(default_factory=time.monotonic)
    recorder: TrajectoryRecorder | None = None
    undo: UndoStore | None = None
    audit: AuditLog | None = None

    def log(self, kind: str, **data: Any) -> None:
        """One audit record for this task (none without an audit log)."""
        if self.audit is not None:
            self.audit.write(kind, self.id, **data)

    def record_step(self, step: StepRecord) -> None:
        if self.recorder is not None:
            self.recorder.step(step.to_dict())

    def plan_dict(self) -> dict[str, Any]:
        return self.tree.to_dict() if self.tree is not None else {}
