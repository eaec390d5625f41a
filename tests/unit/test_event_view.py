"""The app's event view without the app: events in, what each pane was told out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamtui.agent.events import (
    ActionDecided,
    ActionFinished,
    ActionProposed,
    AskUser,
    Decision,
    Event,
    MemoryUsed,
    ModelToken,
    Notice,
    OutputChunk,
    PlanUpdated,
    TaskFinished,
    TaskStarted,
    TokenStats,
)
from lamtui.contract.result import ActionResult
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.ui.event_view import EventView, follow_text

ASSESSMENT = Assessment(verdict="auto", risk="read_only", reasons=("lists .",))


@dataclass
class FakeLog:
    shown: list[Event] = field(default_factory=list)
    outputs: list[tuple[int, str]] = field(default_factory=list)
    resets: list[bool] = field(default_factory=list)  # past?

    def reset(self, past: bool = False) -> None:
        self.resets.append(past)
        self.shown.clear()
        self.outputs.clear()

    def show(self, event: Event) -> None:
        self.shown.append(event)

    def show_output(self, step: int, text: str) -> None:
        self.outputs.append((step, text))


@dataclass
class FakePlan:
    plans: list[tuple[dict[str, Any] | None, str]] = field(default_factory=list)

    def show_plan(self, plan: dict[str, Any] | None, reason: str = "") -> None:
        self.plans.append((plan, reason))


@dataclass
class FakeActivity:
    lines: list[tuple[str, bool]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def set_activity(self, text: str, busy: bool) -> None:
        self.lines.append((text, busy))

    def add_tokens(self, text: str) -> None:
        self.tokens.append(text)


@dataclass
class FakeStatus:
    changes: dict[str, Any] = field(default_factory=dict)

    def set(self, **changes: Any) -> None:
        self.changes.update(changes)


@dataclass
class FakePanes:
    action_log: FakeLog = field(default_factory=FakeLog)
    plan_view: FakePlan = field(default_factory=FakePlan)
    activity: FakeActivity = field(default_factory=FakeActivity)
    status: FakeStatus = field(default_factory=FakeStatus)


def shell(command: str) -> Action:
    args = {"command": command}
    return Action(thought="", tool="shell", args=args, status="continue", plan_update=None)


def task(task_id: str, request: str = "list the files") -> list[Event]:
    plan = {"goal": request, "subtasks": [], "revisions": []}
    ls = shell("ls")
    return [
        TaskStarted(task_id, request=request, workspace="/w", model="m", environment={}),
        MemoryUsed(task_id, items=[{"id": "1", "kind": "task", "text": "ls"}]),
        ModelToken(task_id, phase="plan", text='{"goal"'),
        ModelToken(task_id, phase="plan", text=': "x"}'),
        PlanUpdated(task_id, plan=plan, reason="initial plan"),
        TokenStats(task_id, "action", 100, 100, 20, 0.1, 0.5, 40.0),
        ActionProposed(task_id, step=1, step_title="list", action=ls, assessment=ASSESSMENT),
        ActionDecided(task_id, step=1, decision=Decision("approve", by="policy:ask")),
        OutputChunk(task_id, step=1, text="a\n"),
        OutputChunk(task_id, step=1, text="b\n"),
        ActionFinished(task_id, step=1, result=ActionResult(ok=True, exit_code=0)),
        TaskFinished(task_id, outcome="finished", summary="listed", steps=1, duration=1.0),
    ]


def make_view() -> tuple[EventView, FakePanes]:
    panes = FakePanes()
    return EventView(panes, context_size=lambda: 4096, memory_open=lambda: True), panes


def test_a_task_is_recorded_shown_and_followed() -> None:
    view, panes = make_view()
    view.starting_request = "list the files"
    view.apply(task("t1"))

    record = view.tasks["t1"]
    assert (record.request, record.outcome, record.summary) == (
        "list the files",
        "finished",
        "listed",
    )
    assert view.active == view.viewed == "t1" and view.viewed_record() is record
    assert panes.action_log.resets == [False]  # the new task opened as the running one
    # Tokens are live feedback only: not recorded, not logged; one stream, one call.
    assert not any(isinstance(e, ModelToken) for e in record.events + panes.action_log.shown)
    assert panes.activity.tokens == ['{"goal": "x"}']
    # Consecutive output of one action is written in one go; stats go to the status bar.
    assert panes.action_log.outputs == [(1, "a\nb\n")]
    assert not any(isinstance(e, OutputChunk | TokenStats) for e in panes.action_log.shown)
    assert panes.status.changes == {
        "memory": "1",
        "tokens_per_second": 40.0,
        "context_used": 120,
        "context_size": 4096,
    }
    assert panes.plan_view.plans[-1] == (record.plan, "initial plan")
    assert [text for text, _ in panes.activity.lines] == [
        "planning",
        "choosing the first action",
        "#1 $ ls",
        "running #1",
        "choosing the next action",
        "finished: listed",
    ]
    assert panes.activity.lines[-1] == ("finished: listed", False)


def test_only_the_viewed_task_is_drawn_and_a_past_one_reopens_whole() -> None:
    view, panes = make_view()
    view.apply(task("t1"))
    view.apply(task("t2")[:4])  # t2 starts: it becomes the viewed task
    assert view.viewed == "t2" and panes.action_log.resets == [False, False]

    view.show_task("t1")
    assert view.viewed == "t1" and panes.action_log.resets[-1] is True  # a past task
    assert panes.action_log.shown == [
        e for e in view.tasks["t1"].events if not isinstance(e, OutputChunk)
    ]
    assert panes.action_log.outputs == [(1, "a\nb\n")]
    assert panes.plan_view.plans[-1][0] == view.tasks["t1"].plan

    drawn = len(panes.action_log.shown)
    view.apply(task("t2")[4:])  # the running task's events are kept, not drawn over t1
    assert len(panes.action_log.shown) == drawn
    assert view.tasks["t2"].outcome == "finished"

    view.show_task("nope")  # an unknown task changes nothing
    assert view.viewed == "t1"


def test_what_the_activity_line_says() -> None:
    t, ls = "t", shell("ls")
    assert follow_text(AskUser(t, question="which?")) == (
        "the model asks a question: answer in the box below",
        False,
    )
    rejected = ActionDecided(t, step=2, decision=Decision("reject", reason="no"))
    assert follow_text(rejected) == ("asking the model for another action", True)
    assert follow_text(PlanUpdated(t, plan={}, reason="revised: x")) is None
    assert follow_text(Notice(t, level="info", message="hi")) is None
    proposed = ActionProposed(t, step=3, step_title="s", action=ls, assessment=ASSESSMENT)
    assert follow_text(proposed) == ("#3 $ ls", True)
