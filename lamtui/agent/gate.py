"""The gate step: one proposed action is assessed, shown, and decided on (the gate's
verdict, then the approver's), with every edit the user makes assessed again as a new
action, and an "always allow" saved as rules.

An edit is not a way around the gate. The edited action gets its own assessment (risk,
reasons, paths), is shown with it (an ActionEdited event and an audit "proposal" record
marked edited), and runs, is snapshotted and is sandboxed by that assessment. If the
edit is one the mode would not run unasked, the user is asked again about the edited
action: approving an edit is not approval of something riskier.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from lamtui.agent.approval import Approver, Proposal, safe_decide
from lamtui.agent.events import (
    ActionDecided,
    ActionEdited,
    ActionProposed,
    AgentEvent,
    Decision,
    Notice,
)
from lamtui.agent.plan import Step
from lamtui.agent.sinks import RuleSink
from lamtui.agent.task import AgentOptions, StepRecord, TaskState
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.safety.policy import Policy, assess, suggest_rule_drafts

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
            current_assessment,
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
    ctx.audit(
        "proposal",
        step=ctx.step,
        edited=True,
        action=action.model_dump(mode="json"),
        assessment=assessment.to_dict(),
    )
    yield ActionEdited(
        ctx.task_id, step=ctx.step, action=action, assessment=assessment, preview=preview
    )


Notes = list[str] | None  # an undo snapshot's notes; None when none was taken


class SnapshotFirst(Protocol):
    """The undo snapshot taken before the gate decides (lamtui.agent.execute.Executor)."""

    def snapshot_first(
        self, task: TaskState, n: int, action: Action, assessment: Assessment
    ) -> tuple[Assessment, Notes]: ...

    def close_unrun(self, task: TaskState, n: int, early: Notes) -> None: ...


class Gatekeeper:
    """Assesses a proposed action, shows it (ActionProposed), decides on it (ActionDecided)
    and keeps an "always allow" as rules, for this task's agent."""

    def __init__(
        self,
        approver: Approver | None,
        options: AgentOptions,
        workspace: Path,
        preview: Callable[[Action], str],
        undo: SnapshotFirst,
        rules: RuleSink | None,
    ) -> None:
        self.approver = approver
        self.options = options  # the agent's own: the app may change its mode mid-task
        self.workspace = workspace
        self.preview = preview
        self.undo = undo
        self.rules = rules

    def step(
        self, task: TaskState, step: Step, action: Action, record: StepRecord
    ) -> Generator[AgentEvent, None, tuple[Gated, Notes]]:
        """The decision on `action`, and the undo notes of a snapshot taken before it
        (which the caller closes when the action does not run)."""
        n = record.n
        assessment = assess(action, self.options.policy, self.workspace)
        assessment, early = self.undo.snapshot_first(task, n, action, assessment)
        preview = self.preview(action)
        record.assessment = assessment
        task.log(
            "proposal",
            step=n,
            action=action.model_dump(mode="json"),
            assessment=assessment.to_dict(),
        )
        yield ActionProposed(
            task.id,
            step=n,
            step_title=step.title,
            action=action,
            assessment=assessment,
            preview=preview,
        )
        ctx = GateContext(
            task.id,
            n,
            step.title,
            self.approver,
            self.options.policy,
            self.workspace,
            self.preview,
            lambda kind, **data: task.log(kind, **data),
            mode=self.options.policy.mode,
        )
        try:
            gated = yield from decide(ctx, action, assessment, preview)
        except BaseException:
            self.undo.close_unrun(task, n, early)
            raise
        record.decision = gated.decision
        if gated.edited:
            record.executed_assessment = gated.assessment
        task.log("decision", step=n, decision=gated.decision.to_dict())
        yield ActionDecided(task.id, step=n, decision=gated.decision)
        if gated.decision.always_allow and gated.decision.approved:
            yield from self._always_allow(task, gated)
        return gated, early

    def _always_allow(self, task: TaskState, gated: Gated) -> Iterator[AgentEvent]:
        """Rules come from what was approved (the edit, if any), each capped at its class;
        the running task's policy gains them at once."""
        for draft in suggest_rule_drafts(gated.assessment, gated.action):
            if self.rules is None:
                yield Notice(task.id, level="info", message="no rule store: not saved")
                return
            rule = self.rules(draft, f"always allow, task {task.id}")
            policy = self.options.policy
            self.options.policy = replace(policy, rules=(*policy.rules, rule))
            task.log("rule_added", rule=rule.label())
            yield Notice(task.id, level="info", message=f"saved rule {rule.label()}")
