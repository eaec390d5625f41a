"""The decision on one proposed action: the gate's verdict, then the approver's, with
every edit the user makes assessed again as a new action.

An edit is not a way around the gate. The edited action gets its own assessment (risk,
reasons, paths), is shown with it (an ActionEdited event and an audit "proposal" record
marked edited), and runs, is snapshotted and is sandboxed by that assessment. If the
edit is one the mode would not run unasked, the user is asked again about the edited
action: approving an edit is not approval of something riskier.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lamtui.agent.approval import Approver, Proposal, safe_decide
from lamtui.agent.events import ActionEdited, AgentEvent, Decision
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.safety.policy import Policy, assess

MAX_EDITS = 10  # rounds of edit-and-ask-again before the gate gives up (a stuck approver)


@dataclass(frozen=True)
class Gated:
    """The decision, and the action it applies to with that action's own assessment."""

    decision: Decision
    action: Action  # what runs when approved: the edited action after an edit
    assessment: Assessment
    preview: str

    @property
    def edited(self) -> bool:
        return self.decision.kind == "edit"


@dataclass(frozen=True)
class GateContext:
    task_id: str
    step: int
    step_title: str
    approver: Approver | None
    policy: Policy
    workspace: Path
    preview: Callable[[Action], str]  # the diff shown for a file change
    audit: Callable[..., None]  # audit(kind, **data)
    mode: str = "ask"


def decide(
    ctx: GateContext, action: Action, assessment: Assessment, preview: str
) -> Generator[AgentEvent, None, Gated]:
    """Decide on `action`. Yields an ActionEdited event for each edit the user makes."""
    if assessment.verdict == "deny":
        reason = "; ".join(assessment.reasons)
        return Gated(Decision("reject", by="gate", reason=reason), action, assessment, preview)
    if assessment.verdict == "auto":
        by = assessment.rule or f"policy:{ctx.mode}"
        return Gated(Decision("approve", by=by), action, assessment, preview)
    current, current_assessment, current_preview = action, assessment, preview
    edited = False
    for _ in range(MAX_EDITS + 1):
        proposal = Proposal(
            ctx.task_id,
            ctx.step,
            ctx.step_title,
            current,
            current_assessment.to_dict(),
            current_preview,
            edited=edited,
        )
        decision = safe_decide(ctx.approver, proposal)
        if decision.kind == "edit" and decision.edited == current:
            decision = Decision("approve", by=decision.by, always_allow=decision.always_allow)
        if decision.kind != "edit":
            if decision.kind == "approve" and edited:
                # The user approved the edited action as now shown to them.
                decision = Decision(
                    "edit", by=decision.by, edited=current, always_allow=decision.always_allow
                )
            return Gated(decision, current, current_assessment, current_preview)
        if decision.edited is None or decision.edited.tool in ("finish", "ask_user"):
            why = "the edit was empty" if decision.edited is None else "an edit must stay an action"
            reject = Decision("reject", by="gate", reason=why)
            return Gated(reject, current, current_assessment, current_preview)
        current = decision.edited
        current_assessment = assess(current, ctx.policy, ctx.workspace)
        current_preview = ctx.preview(current)
        edited = True
        yield from _show_edit(ctx, current, current_assessment, current_preview)
        if current_assessment.verdict == "deny":
            reason = "; ".join(current_assessment.reasons)
            reject = Decision("reject", by="gate", reason=f"the edited action: {reason}")
            return Gated(reject, current, current_assessment, current_preview)
        if current_assessment.verdict == "auto":
            # Within what the mode (or a rule) runs unasked: the edit itself is the approval.
            approved = Decision(
                "edit", by=decision.by, edited=current, always_allow=decision.always_allow
            )
            return Gated(approved, current, current_assessment, current_preview)
        # Riskier than the mode allows: loop and ask about the edited action itself.
    reject = Decision("reject", by="gate", reason=f"edited {MAX_EDITS} times without a decision")
    return Gated(reject, current, current_assessment, current_preview)


def _show_edit(
    ctx: GateContext, action: Action, assessment: Assessment, preview: str
) -> Generator[AgentEvent, None, None]:
    data: dict[str, Any] = assessment.to_dict()
    ctx.audit(
        "proposal",
        step=ctx.step,
        edited=True,
        action=action.model_dump(mode="json"),
        assessment=data,
    )
    yield ActionEdited(ctx.task_id, step=ctx.step, action=action, assessment=data, preview=preview)
