"""Who decides on an action the gate marked ASK, and who answers the model's questions.

The approver is injected into the Agent. No approver, an exception inside it, or an
approver that gives up (the app quitting) all mean *reject*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lamtui.agent.events import Decision
from lamtui.contract.risk import Assessment, Risk
from lamtui.contract.schema import LONG_ARGS, TOOL_SPECS, Action


@dataclass(frozen=True)
class Proposal:
    task_id: str
    step: int
    step_title: str
    action: Action
    assessment: Assessment
    preview: str = ""
    edited: bool = False  # the user's own edit, assessed again and asked about again

    @property
    def risk(self) -> Risk:
        return self.assessment.risk


def editable_args(action: Action) -> list[tuple[str, bool]]:
    """Every argument of the action, in schema order, each with whether it is multi-line
    text (file contents, search and replace texts). An edit may change any of them."""
    names = TOOL_SPECS[action.tool][0] if action.tool in TOOL_SPECS else tuple(action.args)
    return [(name, name in LONG_ARGS) for name in names if name in action.args]


def apply_edit(action: Action, values: dict[str, str]) -> Action:
    """The action with these arguments replaced; raises ValueError when it is not a valid
    action. Commands and paths are trimmed; texts are taken exactly as typed."""
    long = dict(editable_args(action))
    args = dict(action.args)
    for name, value in values.items():
        if name not in long:
            raise ValueError(f"{action.tool} has no argument {name!r}")
        args[name] = value if long[name] else value.strip()
    return Action.model_validate({**action.model_dump(), "args": args})


class PromptCancelled(Exception):
    """Raised into a waiting prompt (by a Ctrl+C handler): the question ends unanswered."""


PROMPT_CANCELLED_REASON = "cancelled at the prompt (Ctrl+C)"


class Approver(Protocol):
    def decide(self, proposal: Proposal) -> Decision: ...

    def answer(self, question: str) -> str | None:
        """The user's answer to a clarifying question; None when there is none."""
        ...


class RejectAll:
    """`--approve never`: a planning dry run."""

    name = "never"

    def decide(self, proposal: Proposal) -> Decision:
        return Decision("reject", by="approver:never", reason="dry run: nothing is executed")

    def answer(self, question: str) -> str | None:
        return None


class ApproveAll:
    """`--approve all`: everything the gate does not deny runs."""

    name = "all"

    def decide(self, proposal: Proposal) -> Decision:
        return Decision("approve", by="approver:all")

    def answer(self, question: str) -> str | None:
        return None


class ApproveReadOnly:
    """`--approve readonly`: approve what the gate classifies as read-only, reject the rest."""

    name = "readonly"

    def decide(self, proposal: Proposal) -> Decision:
        if proposal.risk == "read_only":
            return Decision("approve", by="approver:readonly")
        return Decision(
            "reject",
            by="approver:readonly",
            reason=f"only read-only actions are allowed (this one is {proposal.risk})",
        )

    def answer(self, question: str) -> str | None:
        return None


def safe_decide(approver: Approver | None, proposal: Proposal) -> Decision:
    """Fail closed: any problem in the approver is a rejection, with the reason recorded."""
    if approver is None:
        return Decision("reject", by="gate", reason="no approver is available")
    try:
        decision = approver.decide(proposal)
    except Exception as exc:
        return Decision("reject", by="gate", reason=f"the approver failed: {exc}")
    if not isinstance(decision, Decision):
        return Decision("reject", by="gate", reason="the approver gave no decision")
    return decision


def safe_answer(approver: Approver | None, question: str) -> str | None:
    if approver is None:
        return None
    try:
        return approver.answer(question)
    except Exception:
        return None
