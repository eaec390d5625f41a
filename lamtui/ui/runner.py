"""The task runner: a request from the input box becomes one `Agent.run` in a Textual
thread worker, whose events go through the thread bridge to the event view. One task at a
time; escape cancels it, ctrl+c cancels it or (idle, or pressed again) quits."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.widgets import Input

from lamtui.contract.cancel import CancelToken
from lamtui.errors import LamtuiError
from lamtui.lam.base import Backend
from lamtui.ui.core import error_text
from lamtui.ui.gating import Gating
from lamtui.ui.messages import EventsReady, MemoryOpened, TaskEnded

if TYPE_CHECKING:
    from lamtui.agent.events import AgentEvent
    from lamtui.agent.loop import Agent, AgentOptions
    from lamtui.config import Settings


class TaskRunner(Gating):
    _agent: Agent | None = None  # the running task's: a policy change reaches its next action
    _cancel: CancelToken | None = None
    _task_running = False
    _queued_request = ""  # typed while the model was still loading

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        prompt = self.prompt  # it emptied itself on enter (what came after is kept)
        text = event.value.strip()
        if prompt.question:
            self.give_answer(text or None)
            return
        if not text:
            return
        prompt.remember(text)
        self.start_task(text)

    def start_task(self, request: str) -> None:
        if self._task_running:
            # Lines of a paste the terminal did not bracket each press enter: one notice.
            self.notify_once("a task is running: wait, or press escape to cancel it", "warning")
            return
        if self.backend is None or self.settings is None:
            if self.load_state == "failed":
                self.action_log.write(error_text(f"model not loaded: {self.load_error}"))
                self.notify(self.load_error, title="model not loaded", severity="error")
            else:
                self._queued_request = request
                self.notify_once("the model is still loading; the request starts when it is ready")
            return
        from lamtui.session import agent_options

        try:
            options = agent_options(self.settings, self.policy_mode)
        except LamtuiError as exc:  # e.g. a broken rules.toml
            self.action_log.write(error_text(str(exc)))
            return
        self._cancel = CancelToken()
        self._task_running = True
        self.event_view.starting_request = request
        self.refresh_bindings()
        self.activity.set_activity("planning", busy=True)
        if self.memory_link.store is None:
            self.status.set(memory=self.memory_link.state(self.settings))
        self.run_worker(
            partial(self._drive, self.backend, self.settings, options, self._cancel, request),
            name="agent",
            group="agent",
            thread=True,
            exit_on_error=False,
        )

    def start_queued(self) -> None:
        """The model is ready: start what was typed while it loaded."""
        if self._queued_request:
            request, self._queued_request = self._queued_request, ""
            self.start_task(request)

    def drop_queued(self) -> None:
        """The model failed to load: what was typed while it loaded does not start."""
        if self._queued_request:
            self._queued_request = ""
            self.action_log.write(error_text("the request was not started"))

    def _drive(
        self,
        backend: Backend,
        settings: Settings,
        options: AgentOptions,
        cancel: CancelToken,
        request: str,
    ) -> None:
        """The worker: iterate Agent.run, queue every event for the UI."""
        from lamtui.safety.secrets import SecretStore
        from lamtui.session import new_agent
        from lamtui.ui.approver import UiApprover

        error = ""
        post = self.bridge.post
        try:
            approver = UiApprover(post, cancel, self._quitting, lambda: self.is_running)
            secrets = SecretStore(settings.secrets.backend)
            with self.memory_link.use(settings, secrets) as memory:
                agent = new_agent(
                    backend,
                    approver,
                    self.workspace,
                    options,
                    cancel,
                    secrets=secrets,
                    memory=memory,
                )
                self._agent = agent
                for event in agent.run(request):
                    self.bridge.enqueue(event)
        except Exception as exc:  # a bug below must end the task visibly, not silently
            error = f"{type(exc).__name__}: {exc}"
            if self.debug_mode:
                import traceback

                error += "\n" + traceback.format_exc()
        finally:
            self._agent = None
            post(TaskEnded(error))

    def apply_events(self, events: list[AgentEvent]) -> None:
        """Show a fixed sequence of events as if a task produced them (tests, demos)."""
        self.event_view.apply(events)

    def on_events_ready(self, _: EventsReady) -> None:
        self.event_view.apply(self.bridge.drain())

    def on_memory_opened(self, message: MemoryOpened) -> None:
        if message.problem:
            self.notify(message.problem, title="memory", severity="warning")
        if not (self._task_running and self.memory_link.store is not None):
            self.status.set(memory=self.memory_link.state(self.settings))  # a task sets its count

    def on_task_ended(self, message: TaskEnded) -> None:
        self.event_view.apply(self.bridge.drain())
        record = self.tasks.get(self.event_view.active or "")
        if message.error:
            self.action_log.write(error_text(f"the task stopped unexpectedly: {message.error}"))
            if record is not None and record.running:
                record.outcome = "error"
            self.activity.set_activity(f"error: {message.error}", busy=False)
        self._task_running = False
        self._cancel = None
        self.end_question()
        self.refresh_bindings()

    @property
    def task_running(self) -> bool:
        return self._task_running

    def action_cancel(self) -> None:
        if not self._task_running or self._cancel is None or self._cancel.cancelled:
            return
        self._cancel.cancel()  # stops the model between tokens, kills a running command
        self.release_prompts(closing=False)
        self.activity.set_activity("cancelling", busy=True)
        self.notify("cancelling the task (ctrl+c again quits)")

    def action_interrupt(self) -> None:
        """ctrl+c: the first cancels what runs; another one (or one when idle) quits."""
        if self._task_running and self._cancel is not None and not self._cancel.cancelled:
            self.action_cancel()
        else:
            self.exit(0)

    def cancel_for_exit(self) -> None:
        """Quitting: stop the task and release a waiting approver, so the worker thread
        ends (rejecting what was pending) and the process can exit."""
        self._quitting.set()
        if self._cancel is not None:
            self._cancel.cancel()
        self.release_prompts(closing=True)
