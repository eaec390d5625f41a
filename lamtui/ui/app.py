"""LamtuiApp: the Textual face of the Agent.

Threads: the model loads in a daemon thread (quitting must not wait for a multi-GB load);
each task runs `Agent.run` in a Textual thread worker. Worker threads never touch widgets:
agent events go into a queue and one EventsReady message per batch tells the app to drain
it, so a command printing thousands of lines costs the UI one redraw per batch, not one
per chunk. The approver (approver.py) blocks the worker until the gate or the input box
answers; cancelling or quitting releases it with a rejection.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Input

from lamtui.contract.cancel import CancelToken
from lamtui.contract.modes import POLICY_MODES, as_policy_mode
from lamtui.errors import LamtuiError
from lamtui.lam.base import Backend
from lamtui.ui.commands import LamtuiCommands
from lamtui.ui.memory_link import MemoryLink
from lamtui.ui.messages import (
    AnswerRequested,
    BackendFailed,
    BackendLoaded,
    EventsReady,
    GateRequested,
    MemoryOpened,
    SettingsLoaded,
    TaskEnded,
)
from lamtui.ui.session import TaskRecord
from lamtui.ui.widgets.action_log import ActionLog
from lamtui.ui.widgets.activity import ActivityLine
from lamtui.ui.widgets.plan_tree import PlanView
from lamtui.ui.widgets.prompt import PromptInput
from lamtui.ui.widgets.status_bar import StatusBar, SystemStats, psutil_stats

# Start-up budget: the first frame needs only Textual and the widgets above. The agent,
# pydantic settings, the gate and the model are imported or loaded after it, in the
# background (see _boot), so the input box is usable within about a second.
if TYPE_CHECKING:
    from lamtui.agent.events import Decision, Event, TokenStats
    from lamtui.agent.loop import Agent, AgentOptions
    from lamtui.config import Settings
    from lamtui.ui.approver import Reply
    from lamtui.ui.screens.gate import GateScreen

BackendFactory = Callable[[], Backend]
SettingsLoader = Callable[[], "Settings"]
NOTICE_REPEAT_SECONDS = 5.0  # a notification stays about this long


def _error_text(text: str) -> Text:
    return Text(text, style="bold red")


class LamtuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "lamtui"
    COMMANDS = App.COMMANDS | {LamtuiCommands}
    AUTO_FOCUS = "#prompt"
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the input box would otherwise take ctrl+c as "copy".
        Binding("ctrl+c", "interrupt", "cancel / quit", show=False, priority=True),
        Binding("escape", "cancel", "cancel"),
        Binding("ctrl+t", "tasks", "tasks"),
        Binding("ctrl+o", "output", "full output"),
        Binding("ctrl+q", "quit", "quit", priority=True),
    ]

    def __init__(
        self,
        workspace: Path,
        settings: Settings | None,
        backend_factory: BackendFactory | None = None,
        *,
        settings_loader: SettingsLoader | None = None,
        model_hint: str = "",
        policy_mode: str | None = None,
        live_stats: bool = True,
        system_stats: SystemStats | None = None,
        debug: bool = False,
    ) -> None:
        """`settings` may be None with a `settings_loader`: `lamtui` then reads its settings
        in the background after the first frame (model_hint names the model until then).
        `backend_factory` replaces open_backend(settings.model), e.g. in tests."""
        super().__init__()
        if settings is None and settings_loader is None:
            raise ValueError("LamtuiApp needs settings or a settings_loader")
        self.workspace = workspace.resolve()
        self.settings = settings
        self._settings_loader = settings_loader
        self._backend_factory = backend_factory
        self._policy_override = policy_mode
        self.policy_mode = policy_mode or (settings.policy.mode if settings else "ask")
        self._model_hint = model_hint
        self._system_stats = system_stats or (psutil_stats() if live_stats else None)
        self.debug_mode = debug
        self.backend: Backend | None = None
        self.load_state = "loading"
        self.load_error = ""
        self.tasks: dict[str, TaskRecord] = {}
        self.viewed: str | None = None  # the task shown in the plan tree and action log
        self.active: str | None = None  # the running task
        self._agent: Agent | None = None
        self.memory_link = MemoryLink(self._post)  # opened after the model, or by the first task
        self._cancel: CancelToken | None = None
        self._task_running = False
        self._starting_request = ""
        self._queued_request = ""  # typed while the model was still loading
        self._quitting = threading.Event()
        self._events: deque[Event] = deque()
        self._events_lock = threading.Lock()
        self._flush_posted = False
        self._gate: tuple[GateScreen, Reply[Decision]] | None = None
        self._answer: Reply[str | None] | None = None
        self._last_notice, self._last_notice_at = "", 0.0

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(self._system_stats, id="status")
        with Horizontal(id="main"):
            yield PlanView(id="plan")
            yield ActionLog(id="log")
        yield ActivityLine(id="activity")
        yield PromptInput(id="prompt")
        yield Footer()

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def action_log(self) -> ActionLog:
        return self.query_one(ActionLog)

    @property
    def plan_view(self) -> PlanView:
        return self.query_one(PlanView)

    @property
    def activity(self) -> ActivityLine:
        return self.query_one(ActivityLine)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    def model_label(self) -> str:
        if self.settings is None:
            return self._model_hint or "model"
        return self.settings.model.base_url or self.settings.model.name

    def on_mount(self) -> None:
        self.status.set(model=self.model_label(), policy=self.policy_mode)
        if self.settings is not None:
            self.status.set(memory=self.memory_link.state(self.settings))
        self.action_log.write(f"workspace: {self.workspace}")
        self.activity.set_activity(f"loading model {self.model_label()}", busy=True)
        # After the first frame: heavy imports and loading must not delay it.
        self.call_after_refresh(self._load_backend, self._backend_factory)

    # -- thread bridge --------------------------------------------------------------

    def _post(self, message: Message) -> bool:
        """post_message from a worker thread; False once the app (or its loop) is gone."""
        try:
            return self.post_message(message)
        except RuntimeError:  # the event loop is closed
            return False

    def _enqueue(self, event: Event) -> None:
        with self._events_lock:
            self._events.append(event)
            if self._flush_posted:
                return
            self._flush_posted = True
        self._post(EventsReady())

    def _drain(self) -> list[Event]:
        with self._events_lock:
            events = list(self._events)
            self._events.clear()
            self._flush_posted = False
        return events

    # -- settings and model ---------------------------------------------------------

    def _load_backend(self, factory: BackendFactory | None) -> None:
        self.load_state = "switching" if self.backend is not None else "loading"
        label = self.model_label()
        self.status.set(model=label, load_state=self.load_state)
        self.activity.set_activity(f"loading model {label}", busy=True)
        # A daemon thread, not a worker: quitting must not wait for a slow load to finish.
        thread = threading.Thread(
            target=self._boot, args=(factory, label), name="lamtui-model", daemon=True
        )
        thread.start()

    def _boot(self, factory: BackendFactory | None, label: str) -> None:
        """Background: settings (if not given), the agent's modules, then the model."""
        started = time.perf_counter()  # reset below: "ready (N s)" is the model's own time
        try:
            settings = self.settings
            if settings is None:
                assert self._settings_loader is not None
                settings = self._settings_loader()
                self._post(SettingsLoaded(settings))
                label = settings.model.base_url or settings.model.name
            # Warm the imports a task and the gate need, so the first of each is instant.
            import lamtui.agent.loop
            import lamtui.ui.approver
            import lamtui.ui.screens.gate  # noqa: F401

            if factory is None:
                from lamtui.lam.factory import open_backend

                factory = partial(open_backend, settings.model)
            started = time.perf_counter()
            backend = factory()
        except LamtuiError as exc:
            self._post(BackendFailed(label, str(exc)))
            return
        except Exception as exc:  # a broken model file or runtime: say it, keep the app
            self._post(BackendFailed(label, f"{type(exc).__name__}: {exc}"))
            return
        if not self._post(BackendLoaded(backend, time.perf_counter() - started)):
            backend.close()

    def on_settings_loaded(self, message: SettingsLoaded) -> None:
        self.settings = message.settings
        self.policy_mode = self._policy_override or message.settings.policy.mode
        self.status.set(
            model=self.model_label(),
            policy=self.policy_mode,
            memory=self.memory_link.state(self.settings),
        )
        for warning in message.settings.warnings:  # e.g. project-file keys it may not set
            self.notify(warning, title="settings ignored", severity="warning", timeout=15)

    def on_backend_loaded(self, message: BackendLoaded) -> None:
        old, self.backend = self.backend, message.backend
        if old is not None and old is not message.backend:
            old.close()
        self.load_state, self.load_error = "ready", ""
        info = message.backend.info
        self.status.set(model=info.model, load_state="ready", context_size=info.context_size)
        self.activity.set_activity(f"model {info.model} ready ({message.seconds:.1f} s)", False)
        if self.memory_link.open_soon(self.settings):
            self.status.set(memory="loading")
        if self._queued_request:
            request, self._queued_request = self._queued_request, ""
            self.start_task(request)

    def on_backend_failed(self, message: BackendFailed) -> None:
        if self.backend is not None:  # a failed switch keeps the model that works
            self.load_state = "ready"
            self.status.set(model=self.backend.info.model, load_state="ready")
            self.notify(f"could not load {message.name}: {message.error}", severity="error")
            self.activity.set_activity(f"still using {self.backend.info.model}", busy=False)
            return
        self.load_state, self.load_error = "failed", message.error
        # Memory opens after the model: with none it does not load either.
        self.status.set(load_state="failed", memory="–" if self.memory_link.store is None else "on")
        self.activity.set_activity(f"model not loaded: {message.error}", busy=False)
        self.action_log.write(_error_text(f"model not loaded: {message.error}"))
        self.notify(message.error, title="model not loaded", severity="error", timeout=10)
        if self._queued_request:
            self._queued_request = ""
            self.action_log.write(_error_text("the request was not started"))

    def switch_model(self, name: str) -> None:
        if self._task_running or self.settings is None:
            self.notify("wait for the running task (or start-up) to finish", severity="warning")
            return
        model = self.settings.model.model_copy(update={"name": name, "base_url": ""})
        self.settings = self.settings.model_copy(update={"model": model})
        self._load_backend(None)

    def close_backend(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None

    # -- tasks ----------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        prompt = self.prompt  # it emptied itself on enter (what came after is kept)
        text = event.value.strip()
        if prompt.question:
            self._give_answer(text or None)
            return
        if not text:
            return
        prompt.remember(text)
        self.start_task(text)

    def start_task(self, request: str) -> None:
        if self._task_running:
            # Lines of a paste the terminal did not bracket each press enter: one notice.
            self._notify_once("a task is running: wait, or press escape to cancel it", "warning")
            return
        if self.backend is None or self.settings is None:
            if self.load_state == "failed":
                self.action_log.write(_error_text(f"model not loaded: {self.load_error}"))
                self.notify(self.load_error, title="model not loaded", severity="error")
            else:
                self._queued_request = request
                self._notify_once("the model is still loading; the request starts when it is ready")
            return
        from lamtui.commands.run import agent_options

        try:
            options = agent_options(self.settings, self.policy_mode)
        except LamtuiError as exc:  # e.g. a broken rules.toml
            self.action_log.write(_error_text(str(exc)))
            return
        self._cancel = CancelToken()
        self._task_running = True
        self._starting_request = request
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

    def _notify_once(self, text: str, severity: str = "information") -> None:
        """A notice not repeated while the same one is still on screen."""
        now = time.monotonic()
        if self._last_notice == text and now - self._last_notice_at < NOTICE_REPEAT_SECONDS:
            return
        self._last_notice, self._last_notice_at = text, now
        self.notify(text, severity=severity)  # type: ignore[arg-type]

    def _drive(
        self,
        backend: Backend,
        settings: Settings,
        options: AgentOptions,
        cancel: CancelToken,
        request: str,
    ) -> None:
        """The worker: iterate Agent.run, queue every event for the UI."""
        from lamtui.agent.loop import Agent
        from lamtui.safety.secrets import SecretStore
        from lamtui.ui.approver import UiApprover

        error = ""
        try:
            approver = UiApprover(self._post, cancel, self._quitting, lambda: self.is_running)
            secrets = SecretStore(settings.secrets.backend)
            memory = self.memory_link.open(settings, secrets)
            agent = Agent(
                backend, approver, self.workspace, options, cancel, secrets=secrets, memory=memory
            )
            self._agent = agent
            for event in agent.run(request):
                self._enqueue(event)
        except Exception as exc:  # a bug below must end the task visibly, not silently
            error = f"{type(exc).__name__}: {exc}"
            if self.debug_mode:
                import traceback

                error += "\n" + traceback.format_exc()
        finally:
            self._agent = None
            self._post(TaskEnded(error))

    def on_memory_opened(self, message: MemoryOpened) -> None:
        if message.problem:
            self.notify(message.problem, title="memory", severity="warning")
        if not (self._task_running and self.memory_link.store is not None):
            self.status.set(memory=self.memory_link.state(self.settings))  # a task sets its count

    def on_events_ready(self, _: EventsReady) -> None:
        self.apply_events(self._drain())

    def on_task_ended(self, message: TaskEnded) -> None:
        self.apply_events(self._drain())
        record = self.tasks.get(self.active or "")
        if message.error:
            self.action_log.write(_error_text(f"the task stopped unexpectedly: {message.error}"))
            if record is not None and record.running:
                record.outcome = "error"
            self.activity.set_activity(f"error: {message.error}", busy=False)
        self._task_running = False
        self._cancel = None
        self._end_question()
        self.refresh_bindings()

    def apply_events(self, events: list[Event]) -> None:
        """Record events and render those of the viewed task, coalescing output chunks.
        Public so tests and demos can show a fixed sequence of events."""
        from lamtui.agent.events import MemoryUsed, ModelToken, TaskStarted, TokenStats

        shown: list[Event] = []
        tokens: list[str] = []
        for event in events:
            record = self.tasks.get(event.task_id)
            if record is None:
                record = TaskRecord(event.task_id, self._starting_request)
                self.tasks[event.task_id] = record
                self.active = event.task_id
                self._view(event.task_id)
            record.add(event)
            if isinstance(event, ModelToken):
                tokens.append(event.text)
                continue
            if tokens:  # the stream so far belongs before this event's new activity
                self.activity.add_tokens("".join(tokens))
                tokens.clear()
            if isinstance(event, TokenStats):
                self._show_stats(event)
                continue
            if isinstance(event, MemoryUsed):
                self.status.set(memory=str(len(event.items)))
            elif isinstance(event, TaskStarted) and self.memory_link.store is not None:
                self.status.set(memory="0")  # until MemoryUsed says otherwise
            self._follow(event)
            if record.task_id == self.viewed:
                shown.append(event)
        self._render_events(shown)
        if tokens:
            self.activity.add_tokens("".join(tokens))

    def _render_events(self, events: Iterable[Event]) -> None:
        from lamtui.agent.events import OutputChunk, PlanUpdated

        log = self.action_log
        plan: PlanUpdated | None = None
        step, text = -1, ""  # consecutive output of one action: written in one go
        for event in events:
            if isinstance(event, OutputChunk) and (step in (-1, event.step)):
                step, text = event.step, text + event.text
                continue
            if text:
                log.show_output(step, text)
                step, text = -1, ""
            if isinstance(event, OutputChunk):
                step, text = event.step, event.text
                continue
            if isinstance(event, PlanUpdated):
                plan = event
            log.show(event)
        if text:
            log.show_output(step, text)
        if plan is not None:
            self.plan_view.show_plan(plan.plan, plan.reason)

    def _follow(self, event: Event) -> None:
        """Keep the activity line saying what is happening now."""
        from lamtui.agent import events as ev
        from lamtui.console import describe_action

        a = self.activity
        if isinstance(event, ev.TaskStarted):
            a.set_activity("planning", busy=True)
        elif isinstance(event, ev.PlanUpdated) and event.reason == "initial plan":
            a.set_activity("choosing the first action", busy=True)
        elif isinstance(event, ev.ActionProposed):
            a.set_activity(f"#{event.step} {describe_action(event.action)}", busy=True)
        elif isinstance(event, ev.ActionEdited):
            a.set_activity(f"#{event.step} edited: {describe_action(event.action)}", busy=True)
        elif isinstance(event, ev.ActionDecided):
            if event.decision.approved:
                a.set_activity(f"running #{event.step}", busy=True)
            else:
                a.set_activity("asking the model for another action", busy=True)
        elif isinstance(event, ev.ActionFinished):
            a.set_activity("choosing the next action", busy=True)
        elif isinstance(event, ev.AskUser):
            a.set_activity("the model asks a question: answer in the box below", busy=False)
        elif isinstance(event, ev.UserAnswered):
            a.set_activity("choosing the next action", busy=True)
        elif isinstance(event, ev.TaskFinished):
            a.set_activity(f"{event.outcome}: {event.summary}", busy=False)

    def _show_stats(self, event: TokenStats) -> None:
        size = self.backend.info.context_size if self.backend is not None else 0
        self.status.set(
            tokens_per_second=event.tokens_per_second,
            context_used=event.prompt_tokens + event.completion_tokens,
            context_size=size,
        )

    def _view(self, task_id: str) -> None:
        record = self.tasks[task_id]
        self.viewed = task_id
        self.action_log.reset()
        past = "" if task_id == self.active and record.running else " (past task)"
        self.action_log.border_title = f"Actions{past}"
        self.plan_view.show_plan(record.plan, "")
        self._render_events(record.events)

    def show_task(self, task_id: str | None) -> None:
        if task_id and task_id in self.tasks:
            self._view(task_id)

    def viewed_record(self) -> TaskRecord | None:
        return self.tasks.get(self.viewed or "")

    # -- the gate and questions -----------------------------------------------------

    def on_gate_requested(self, message: GateRequested) -> None:
        from lamtui.agent.events import Decision
        from lamtui.ui.approver import CLOSED
        from lamtui.ui.screens.gate import GateScreen

        reply: Reply[Decision] = message.reply
        if self._quitting.is_set() or reply.done:
            reply.resolve(CLOSED)
            return
        screen = GateScreen(message.proposal)
        self._gate = (screen, reply)
        self.activity.set_activity("waiting for your decision: y / n / e / a", busy=False)

        def decided(decision: Decision | None) -> None:
            reply.resolve(decision or Decision("reject", by="user"))
            self._gate = None
            self.refresh_bindings()

        self.push_screen(screen, decided)
        self.refresh_bindings()

    def on_answer_requested(self, message: AnswerRequested) -> None:
        reply: Reply[str | None] = message.reply
        if self._quitting.is_set() or reply.done:
            reply.resolve(None)
            return
        self._answer = reply
        self.prompt.ask(message.question)
        self.prompt.focus()

    def _give_answer(self, answer: str | None) -> None:
        if self._answer is not None:
            self._answer.resolve(answer)
        self._end_question()

    def _end_question(self) -> None:
        self._answer = None
        for prompt in self.query(PromptInput):
            if prompt.question:
                prompt.end_question()

    def _release_prompts(self, closing: bool) -> None:
        """Give the waiting worker its answer now (cancel or quit): reject, no answer."""
        if self._gate is not None:
            from lamtui.ui.approver import CANCELLED, CLOSED

            decision = CLOSED if closing else CANCELLED
            screen, reply = self._gate
            reply.resolve(decision)
            if screen in self.screen_stack and not closing:
                screen.pop_until_active()
                screen.dismiss(decision)
            self._gate = None
        if self._answer is not None:
            self._answer.resolve(None)
            if not closing:
                self._end_question()

    # -- keys and commands ----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self._task_running  # in the footer only while there is something to stop
        # Nothing opens over the gate: it must stay the screen that answers y/n/e/a.
        return not (action in ("tasks", "output", "audit") and self._gate is not None)

    def action_cancel(self) -> None:
        if not self._task_running or self._cancel is None or self._cancel.cancelled:
            return
        self._cancel.cancel()  # stops the model between tokens, kills a running command
        self._release_prompts(closing=False)
        self.activity.set_activity("cancelling", busy=True)
        self.notify("cancelling the task (ctrl+c again quits)")

    def action_interrupt(self) -> None:
        """ctrl+c: the first cancels what runs; another one (or one when idle) quits."""
        if self._task_running and self._cancel is not None and not self._cancel.cancelled:
            self.action_cancel()
        else:
            self.exit(0)

    def action_tasks(self) -> None:
        from lamtui.ui.screens.tasks import TasksScreen

        self.push_screen(TasksScreen(list(self.tasks.values()), self.viewed), self.show_task)

    def action_output(self) -> None:
        record = self.viewed_record()
        path = record.last_output_path() if record else ""
        if not path:
            self.notify("no saved output for this task yet")
            return
        self.open_output(path)

    def open_output(self, path: str) -> None:
        from lamtui.ui.screens.output import OutputScreen

        self.push_screen(OutputScreen(path))

    def action_audit(self) -> None:
        from lamtui.ui.screens.audit import AuditScreen

        self.push_screen(AuditScreen(list(self.tasks)))

    def set_policy_mode(self, mode: str) -> None:
        if mode not in POLICY_MODES:
            self.notify(f"unknown policy mode {mode!r}", severity="error")
            return
        self.policy_mode = self._policy_override = mode
        self.status.set(policy=mode)
        agent = self._agent
        if agent is not None:  # takes effect from the running task's next action
            agent.options.policy = replace(agent.options.policy, mode=as_policy_mode(mode))
        self.notify(f"policy mode: {mode}")

    def show_memory(self) -> None:
        self._memory_report("forget one with `lamtui memory forget ID`")

    def forget_memory(self) -> None:
        # Forgetting is destructive and the palette has no confirmation: name the command.
        self._memory_report("to forget one: `lamtui memory forget ID` (`lamtui memory list`)")

    def _memory_report(self, hint: str) -> None:
        from lamtui.agent.events import MemoryUsed

        if self.memory_link.store is None:
            state = "not opened yet" if not self.memory_link.tried else "off or unavailable"
            self.notify(f"memory is {state}; {hint}", title="memory")
            return
        record = self.tasks.get(self.viewed or "")
        used = [e for e in (record.events if record else []) if isinstance(e, MemoryUsed)]
        lines = [f"{i['id']}  {i['text'][:70]}" for e in used for i in e.items]
        body = "\n".join(lines) if lines else "no memories were used for this task"
        self.notify(f"{body}\n{hint}", title="memory used by this task", timeout=15)

    def undo_last_task(self) -> None:
        if self._task_running:
            self.notify("wait for the running task to finish first", severity="warning")
            return
        if not self.tasks:
            self.notify("no task in this session to undo")
            return
        self._undo(list(self.tasks)[-1])

    @work(thread=True, group="undo", exclusive=True)
    def _undo(self, task_id: str) -> None:
        from lamtui.actions.undo import undo

        try:
            text, severity = undo(task_id).describe(), "information"
        except LamtuiError as exc:
            text, severity = f"undo: {exc}", "error"
        self.call_from_thread(self._report, text, severity)

    @work(thread=True, group="export", exclusive=True)
    def export_trajectories(self) -> None:
        import json

        from lamtui.paths import get_paths
        from lamtui.record.trajectory import chat_examples, load_trajectories

        name = f"trajectories-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
        out = get_paths().data_dir / "exports" / name
        count = 0
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as fh:
                for trajectory in load_trajectories():
                    for example in chat_examples(trajectory):
                        fh.write(json.dumps(example, ensure_ascii=False) + "\n")
                        count += 1
        except (OSError, LamtuiError) as exc:
            self.call_from_thread(self._report, f"export failed: {exc}", "error")
            return
        self.call_from_thread(self._report, f"exported {count} examples to {out}", "information")

    def _report(self, text: str, severity: str) -> None:
        self.action_log.write(_error_text(text) if severity == "error" else text)
        self.notify(text, severity=severity)  # type: ignore[arg-type]

    # -- quitting -------------------------------------------------------------------

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        # Every way out passes here: stop the task and release a waiting approver first,
        # so the worker thread ends (rejecting what was pending) and the process can exit.
        self._quitting.set()
        if self._cancel is not None:
            self._cancel.cancel()
        self._release_prompts(closing=True)
        super().exit(result, return_code, message)


def run_app(args: argparse.Namespace) -> int:
    """`lamtui` with no command: the TUI on --cwd (default: the current folder). Settings
    and a model path are checked before the first frame: a bad config file or a missing
    model file is one line and exit 2, as in the CLI, not an app that cannot work."""
    from lamtui.commands.run import settings_from_args

    cwd = getattr(args, "cwd", None)
    workspace = (Path(cwd) if cwd else Path.cwd()).expanduser()
    if not workspace.is_dir():
        raise LamtuiError(f"--cwd {workspace} is not a directory")
    workspace = workspace.resolve()
    settings = settings_from_args(args, workspace)
    _check_model_file(settings)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise LamtuiError("lamtui needs a terminal", 'use `lamtui run "REQUEST"` in scripts')

    def load() -> Settings:
        return settings

    hint = getattr(args, "base_url", None) or getattr(args, "model", None) or ""
    app = LamtuiApp(
        workspace,
        None,
        settings_loader=load,
        model_hint=hint,
        debug=bool(getattr(args, "debug", False)),
    )
    try:
        app.run()
    finally:
        app.close_backend()
    return app.return_code or 0


def _check_model_file(settings: Settings) -> None:
    """A model named by a path (or a scripted file) must exist; catalog names are resolved
    in the background (a bundled model may need assembling) and fail inside the app."""
    from lamtui.errors import ModelError

    model = settings.model
    if model.base_url:
        return
    name = model.name.strip()
    scripted = name.startswith("scripted:")
    text = name[len("scripted:") :] if scripted else name
    looks_like_path = "/" in text or text.lower().endswith(".gguf") or text.startswith("~")
    if "+" in text and not scripted:
        return  # BASE+ADAPTER: resolved with the adapter in the background
    path = Path(text).expanduser()
    if (scripted or looks_like_path) and not path.is_file():
        raise ModelError(f"model file not found: {path}", "check the path (`lamtui models list`)")
