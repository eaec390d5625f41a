"""The event view: what the app shows of agent events. It keeps every task of this session
(TaskRecord), renders the viewed one into the plan tree and the action log, keeps the
activity line saying what happens now and the status bar's counters current.

A plain class fed events on the UI thread. It reaches its widgets through the small
protocols below (the app satisfies `Panes`), so a test can feed it events without running
the app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, assert_never

from lamtui.ui.session import TaskRecord

if TYPE_CHECKING:  # the agent is imported after the first frame, not before it
    from lamtui.agent.events import AgentEvent, TokenStats


class LogPane(Protocol):
    def reset(self, past: bool = False) -> None: ...
    def show(self, event: AgentEvent) -> None: ...
    def show_output(self, step: int, text: str) -> None: ...


class PlanPane(Protocol):
    def show_plan(self, plan: dict[str, Any] | None, reason: str = "") -> None: ...


class ActivityPane(Protocol):
    def set_activity(self, text: str, busy: bool) -> None: ...
    def add_tokens(self, text: str) -> None: ...


class StatusPane(Protocol):
    def set(self, **changes: Any) -> None: ...


class Panes(Protocol):
    """Where the view draws: the app's widgets, or a test's recorders."""

    @property
    def action_log(self) -> LogPane: ...
    @property
    def plan_view(self) -> PlanPane: ...
    @property
    def activity(self) -> ActivityPane: ...
    @property
    def status(self) -> StatusPane: ...


class EventView:
    def __init__(
        self,
        panes: Panes,
        context_size: Callable[[], int] = lambda: 0,
        memory_open: Callable[[], bool] = lambda: False,
    ) -> None:
        self._panes = panes
        self._context_size = context_size  # the loaded model's, for the status bar
        self._memory_open = memory_open
        self.tasks: dict[str, TaskRecord] = {}
        self.viewed: str | None = None  # the task shown in the plan tree and action log
        self.active: str | None = None  # the running task
        self.starting_request = ""  # the request of the task whose first event comes next

    def apply(self, events: Iterable[AgentEvent]) -> None:
        """Record events and render those of the viewed task, coalescing output chunks
        and the model's token stream."""
        from lamtui.agent import events as ev

        panes = self._panes
        shown: list[AgentEvent] = []
        tokens: list[str] = []
        for event in events:
            record = self._record_for(event)
            record.add(event)
            if isinstance(event, ev.ModelToken):
                tokens.append(event.text)
                continue
            if tokens:  # the stream so far belongs before this event's new activity
                panes.activity.add_tokens("".join(tokens))
                tokens.clear()
            match event:
                case ev.TokenStats():
                    self.show_stats(event)
                    continue  # numbers for the status bar, nothing to log
                case ev.MemoryUsed():
                    panes.status.set(memory=str(len(event.items)))
                case ev.TaskStarted():
                    if self._memory_open():
                        panes.status.set(memory="0")  # until MemoryUsed says otherwise
                case (
                    ev.PlanUpdated()
                    | ev.ActionProposed()
                    | ev.ActionEdited()
                    | ev.ActionDecided()
                    | ev.OutputChunk()
                    | ev.ActionFinished()
                    | ev.AskUser()
                    | ev.UserAnswered()
                    | ev.ModelRetry()
                    | ev.Notice()
                    | ev.TaskFinished()
                ):
                    pass  # for the activity line (follow) and the log (render) alone
                case _:
                    assert_never(event)
            self.follow(event)
            if record.task_id == self.viewed:
                shown.append(event)
        self.render(shown)
        if tokens:
            panes.activity.add_tokens("".join(tokens))

    def _record_for(self, event: AgentEvent) -> TaskRecord:
        record = self.tasks.get(event.task_id)
        if record is None:  # a new task's first event: it becomes the active, viewed one
            record = TaskRecord(event.task_id, self.starting_request)
            self.tasks[event.task_id] = record
            self.active = event.task_id
            self.show_task(event.task_id)
        return record

    def render(self, events: Iterable[AgentEvent]) -> None:
        """Draw events into the action log (consecutive output of one action in one go)
        and the last plan among them into the plan tree."""
        from lamtui.agent import events as ev

        log = self._panes.action_log
        plan: ev.PlanUpdated | None = None
        step, text = -1, ""  # output of action `step` not written yet
        for event in events:
            if text and not (isinstance(event, ev.OutputChunk) and event.step == step):
                log.show_output(step, text)
                text = ""
            match event:
                case ev.OutputChunk():
                    step, text = event.step, text + event.text
                case ev.PlanUpdated():
                    plan = event
                    log.show(event)
                case _:
                    log.show(event)
        if text:
            log.show_output(step, text)
        if plan is not None:
            self._panes.plan_view.show_plan(plan.plan, plan.reason)

    def follow(self, event: AgentEvent) -> None:
        """Keep the activity line saying what is happening now."""
        activity = follow_text(event)
        if activity is not None:
            self._panes.activity.set_activity(*activity)

    def show_stats(self, event: TokenStats) -> None:
        self._panes.status.set(
            tokens_per_second=event.tokens_per_second,
            context_used=event.prompt_tokens + event.completion_tokens,
            context_size=self._context_size(),
        )

    def show_task(self, task_id: str | None) -> None:
        """Show a task of this session (its plan and every event so far)."""
        record = self.tasks.get(task_id or "")
        if record is None:
            return
        self.viewed = record.task_id
        self._panes.action_log.reset(past=not (record.task_id == self.active and record.running))
        self._panes.plan_view.show_plan(record.plan, "")
        self.render(record.events)

    def viewed_record(self) -> TaskRecord | None:
        return self.tasks.get(self.viewed or "")


def follow_text(event: AgentEvent) -> tuple[str, bool] | None:
    """(activity, busy) after an event, or None when the event does not change it."""
    from lamtui.agent import events as ev
    from lamtui.present import describe_action

    match event:
        case ev.TaskStarted():
            return "planning", True
        case ev.PlanUpdated(reason="initial plan"):
            return "choosing the first action", True
        case ev.ActionProposed():
            return f"#{event.step} {describe_action(event.action)}", True
        case ev.ActionEdited():
            return f"#{event.step} edited: {describe_action(event.action)}", True
        case ev.ActionDecided():
            if event.decision.approved:
                return f"running #{event.step}", True
            return "asking the model for another action", True
        case ev.ActionFinished() | ev.UserAnswered():
            return "choosing the next action", True
        case ev.AskUser():
            return "the model asks a question: answer in the box below", False
        case ev.TaskFinished():
            return f"{event.outcome}: {event.summary}", False
        case (
            ev.PlanUpdated()
            | ev.MemoryUsed()
            | ev.ModelToken()
            | ev.ModelRetry()
            | ev.TokenStats()
            | ev.OutputChunk()
            | ev.Notice()
        ):
            return None
        case _:
            assert_never(event)
