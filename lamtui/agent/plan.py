"""PlanTree: task -> subtasks -> steps, with statuses and the history of revisions.

The tree is what the UI shows and what trajectories record. The model revises it
through `plan_update` (a new list of remaining steps); revised steps stay in the tree
with status "revised" so the user can see what changed and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from lamtui.contract.schema import Plan

StepStatus = Literal["pending", "running", "done", "failed", "skipped", "revised"]


@dataclass
class Step:
    title: str
    status: StepStatus = "pending"
    action_ids: list[int] = field(default_factory=list)  # indices into the task's actions


@dataclass
class Subtask:
    title: str
    steps: list[Step]

    @property
    def status(self) -> StepStatus:
        statuses = {s.status for s in self.steps}
        if "running" in statuses:
            return "running"
        if statuses <= {"done", "skipped", "revised"} and "done" in statuses:
            return "done"
        if "failed" in statuses and "pending" not in statuses:
            return "failed"
        return "pending"


@dataclass
class Revision:
    number: int
    reason: str
    removed: list[str]
    added: list[str]


@dataclass
class PlanTree:
    goal: str
    subtasks: list[Subtask]
    revisions: list[Revision] = field(default_factory=list)

    @classmethod
    def from_plan(cls, plan: Plan) -> PlanTree:
        return cls(
            goal=plan.goal,
            subtasks=[Subtask(s.title, [Step(t) for t in s.steps]) for s in plan.subtasks],
        )

    def steps(self) -> list[Step]:
        return [step for subtask in self.subtasks for step in subtask.steps]

    def current(self) -> Step | None:
        """The step being worked on: the running one, else the first pending one."""
        for step in self.steps():
            if step.status == "running":
                return step
        for step in self.steps():
            if step.status == "pending":
                return step
        return None

    def position(self, step: Step) -> tuple[int, int]:
        """1-based index of a step among the live (not revised/skipped) steps, and their count."""
        live = [s for s in self.steps() if s.status not in ("revised", "skipped")]
        return (live.index(step) + 1 if step in live else 0, len(live))

    def add_extra_step(self, title: str) -> Step:
        """The model went on after the planned steps: record that as an extra step."""
        step = Step(title)
        if not self.subtasks:
            self.subtasks.append(Subtask("Extra steps", []))
        self.subtasks[-1].steps.append(step)
        return step

    def revise(self, new_steps: list[str], reason: str) -> Revision:
        """Replace the remaining (pending) steps with new ones, after the current step."""
        removed: list[str] = []
        for step in self.steps():
            if step.status == "pending":
                step.status = "revised"
                removed.append(step.title)
        revision = Revision(len(self.revisions) + 1, reason, removed, list(new_steps))
        self.revisions.append(revision)
        self.subtasks.append(
            Subtask(f"Revision {revision.number}", [Step(title) for title in new_steps])
        )
        return revision

    def skip_remaining(self) -> None:
        for step in self.steps():
            if step.status in ("pending", "running"):
                step.status = "skipped"

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "subtasks": [
                {
                    "title": sub.title,
                    "status": sub.status,
                    "steps": [
                        {"title": s.title, "status": s.status, "actions": list(s.action_ids)}
                        for s in sub.steps
                    ],
                }
                for sub in self.subtasks
            ],
            "revisions": [
                {"number": r.number, "reason": r.reason, "removed": r.removed, "added": r.added}
                for r in self.revisions
            ],
        }
