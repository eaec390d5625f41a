"""LamtuiApp: the Textual face of the Agent — its layout, key bindings and the screens
they open. The work is in its parts (see core.py): the thread bridge, model loading, the
task runner, the gate and questions, the event view and the palette's actions.

Threads: the model loads in a daemon thread (loader.py); each task runs `Agent.run` in a
Textual thread worker (runner.py). Worker threads never touch widgets: they post messages
and queue events through the bridge (bridge.py). The approver (approver.py) blocks the
worker until the gate or the input box answers; cancelling or quitting releases it with a
rejection.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer

from lamtui.errors import LamtuiError
from lamtui.ui.commands import LamtuiCommands
from lamtui.ui.learning import Learning
from lamtui.ui.palette_actions import PaletteActions
from lamtui.ui.widgets.action_log import ActionLog
from lamtui.ui.widgets.activity import ActivityLine
from lamtui.ui.widgets.learn_panel import LearnPanel
from lamtui.ui.widgets.plan_tree import PlanView
from lamtui.ui.widgets.prompt import PromptInput
from lamtui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from lamtui.config import Settings

LEARN_COUNT_DELAY = 3.0  # seconds: after start-up's work, not competing with it


class LamtuiApp(Learning, PaletteActions):
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

    def compose(self) -> ComposeResult:
        yield StatusBar(self._system_stats, id="status")
        with Horizontal(id="main"):
            yield PlanView(id="plan")
            yield ActionLog(id="log")
        yield LearnPanel(id="learn")  # hidden until "Learn from my approvals" trains
        yield ActivityLine(id="activity")
        yield PromptInput(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        self.status.set(model=self.model_label(), policy=self.policy_mode)
        if self.settings is not None:
            self.status.set(memory=self.memory_link.state(self.settings))
        self.action_log.write(f"workspace: {self.workspace}")
        self.activity.set_activity(f"loading model {self.model_label()}", busy=True)
        # After the first frame: heavy imports and loading must not delay it.
        self.call_after_refresh(self.load_backend, self._backend_factory)
        self.set_timer(LEARN_COUNT_DELAY, self.learn_summary)  # the palette's counts, later

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.task_running  # in the footer only while there is something to stop
        # Nothing opens over the gate: it must stay the screen that answers y/n/e/a.
        return not (action in ("tasks", "output", "audit") and self.gate_open)

    def action_tasks(self) -> None:
        from lamtui.ui.screens.tasks import TasksScreen

        self.push_screen(TasksScreen(list(self.tasks.values()), self.viewed), self.show_task)

    def show_task(self, task_id: str | None) -> None:
        self.event_view.show_task(task_id)

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

    def on_unmount(self) -> None:
        self.memory_link.close()  # now, or when the task still using it ends
        self.wait_learning()  # the training child saves its checkpoint

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        # Every way out passes here, so no worker outlives the app waiting for an answer.
        self.cancel_for_exit()
        self.stop_learning()
        super().exit(result, return_code, message)


def run_app(args: argparse.Namespace) -> int:
    """`lamtui` with no command: the TUI on --cwd (default: the current folder). Settings
    and a model path are checked before the first frame: a bad config file or a missing
    model file is one line and exit 2, as in the CLI, not an app that cannot work."""
    from lamtui.session import settings_from_args

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
