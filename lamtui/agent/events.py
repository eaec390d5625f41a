"""What Agent.run yields. Plain dataclasses: the TUI renders them, `lamtui run --json`
prints them, trajectories record them. Nothing here knows who is watching.

`AgentEvent` is the closed union of every event class: consumers `match` on it and end
with `case _: assert_never(event)`, so a new event kind is a type error until each
consumer handles it."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, TypeAlias

from lamtui.contract.result import ActionResult
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action

Outcome = Literal["finished", "failed", "aborted", "budget", "gave_up", "error"]
DecisionKind = Literal["approve", "edit", "reject"]


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    by: str = "user"  # "user", "policy:<mode>", "rule:<pattern>", "approver:<name>", "gate"
    reason: str = ""  # why it was rejected (sent back to the model)
    edited: Action | None = None  # the action to run instead (kind == "edit")
    always_allow: bool = False  # the user asked to allow this kind of action from now on

    @property
    def approved(self) -> bool:
        return self.kind in ("approve", "edit")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "by": self.by,
            "reason": self.reason,
            "edited": self.edited.model_dump() if self.edited else None,
            "always_allow": self.always_allow,
        }


@dataclass(frozen=True)
class Event:
    task_id: str
    ts: float = field(default_factory=time.time, kw_only=True)

    @property
    def type(self) -> str:
        name = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("task_id", "ts"):
                continue
            out[f.name] = _plain(getattr(self, f.name))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "task_id": self.task_id,
            "ts": self.ts,
            "payload": self.payload(),
        }


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


@dataclass(frozen=True)
class TaskStarted(Event):
    request: str
    workspace: str
    model: str
    environment: dict[str, Any]


@dataclass(frozen=True)
class MemoryUsed(Event):
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class ModelToken(Event):
    """Streamed model output (plan or action JSON as it is produced)."""

    phase: str  # "plan" or "action"
    text: str


@dataclass(frozen=True)
class ModelRetry(Event):
    phase: str
    attempt: int
    error: str


@dataclass(frozen=True)
class TokenStats(Event):
    phase: str
    prompt_tokens: int
    prompt_tokens_evaluated: int
    completion_tokens: int
    prompt_seconds: float
    generation_seconds: float
    tokens_per_second: float


@dataclass(frozen=True)
class PlanUpdated(Event):
    plan: dict[str, Any]
    reason: str  # "initial plan", or why the model revised it


@dataclass(frozen=True)
class ActionProposed(Event):
    step: int  # 1-based action number within the task
    step_title: str
    action: Action
    assessment: Assessment  # the gate's verdict, risk, reasons, segments (to_dict in JSON)
    preview: str = ""  # e.g. a unified diff for file writes


@dataclass(frozen=True)
class ActionEdited(Event):
    """The user edited the proposal at the gate: the edited action, assessed again on its
    own. It is what runs if approved; when the mode would not run it unasked, the gate
    asks about it again."""

    step: int
    action: Action
    assessment: Assessment
    preview: str = ""


@dataclass(frozen=True)
class ActionDecided(Event):
    step: int
    decision: Decision


@dataclass(frozen=True)
class OutputChunk(Event):
    step: int
    text: str


@dataclass(frozen=True)
class ActionFinished(Event):
    step: int
    result: ActionResult


@dataclass(frozen=True)
class AskUser(Event):
    question: str


@dataclass(frozen=True)
class UserAnswered(Event):
    answer: str


@dataclass(frozen=True)
class Notice(Event):
    """Something the user should know that is not an action (a warning, a skipped step)."""

    level: Literal["info", "warning", "error"]
    message: str


@dataclass(frozen=True)
class TaskFinished(Event):
    outcome: Outcome
    summary: str
    steps: int
    duration: float
    trajectory_id: str = ""


AgentEvent: TypeAlias = (
    TaskStarted
    | MemoryUsed
    | ModelToken
    | ModelRetry
    | TokenStats
    | PlanUpdated
    | ActionProposed
    | ActionEdited
    | ActionDecided
    | OutputChunk
    | ActionFinished
    | AskUser
    | UserAnswered
    | Notice
    | TaskFinished
)

__all__ = [
    "ActionDecided",
    "ActionEdited",
    "ActionFinished",
    "ActionProposed",
    "AgentEvent",
    "AskUser",
    "Decision",
    "DecisionKind",
    "Event",
    "MemoryUsed",
    "ModelRetry",
    "ModelToken",
    "Notice",
    "Outcome",
    "OutputChunk",
    "PlanUpdated",
    "TaskFinished",
    "TaskStarted",
    "TokenStats",
    "UserAnswered",
]
