"""What the app remembers about the tasks of this session: every event of each task
(model tokens aside), so a past task can be re-opened with its plan, actions and output."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, assert_never

if TYPE_CHECKING:
    from lamtui.agent.events import AgentEvent

OUTCOME_MARK = {
    "": "▶",  # still running
    "finished": "✓",
    "failed": "✗",
    "gave_up": "✗",
    "budget": "✗",
    "error": "✗",
    "aborted": "■",
}


@dataclass
class TaskRecord:
    task_id: str
    request: str
    started: float = field(default_factory=time.time)
    events: list[AgentEvent] = field(default_factory=list)
    outcome: str = ""  # empty while the task runs
    summary: str = ""
    plan: dict[str, Any] | None = None
    output_paths: dict[int, str] = field(default_factory=dict)  # step -> saved full output

    def add(self, event: AgentEvent) -> None:
        from lamtui.agent import events as ev

        match event:
            case ev.ModelToken():
                return  # the parsed action is kept; the token stream is only live feedback
            case ev.PlanUpdated():
                self.plan = event.plan
            case ev.ActionFinished():
                if event.result.output_path:
                    self.output_paths[event.step] = event.result.output_path
            case ev.TaskFinished():
                self.outcome = event.outcome
                self.summary = event.summary
            case (
                ev.TaskStarted()
                | ev.MemoryUsed()
                | ev.ModelRetry()
                | ev.TokenStats()
                | ev.ActionProposed()
                | ev.ActionEdited()
                | ev.ActionDecided()
                | ev.OutputChunk()
                | ev.AskUser()
                | ev.UserAnswered()
                | ev.Notice()
            ):
                pass  # kept as they are, to show the task again
            case _:
                assert_never(event)
        self.events.append(event)

    @property
    def running(self) -> bool:
        return not self.outcome

    def last_output_path(self) -> str:
        return self.output_paths[max(self.output_paths)] if self.output_paths else ""

    def label(self) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.started))
        outcome = self.outcome or "running"
        request = self.request if len(self.request) <= 60 else self.request[:59] + "…"
        return f"{OUTCOME_MARK.get(self.outcome, '?')} {when}  {outcome:9} {request}"
