"""The state the app's parts share, and the widgets they draw on. LamtuiApp (app.py) is
this plus its parts, each a mixin over it with one job: the gate and questions
(gating.py), the task runner (runner.py), model loading (loader.py), palette actions
(palette_actions.py). The thread bridge (bridge.py) and the event view (event_view.py) are
plain objects the parts share."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App
from textual.notifications import SeverityLevel

from lamtui.lam.base import Backend
from lamtui.ui.bridge import ThreadBridge
from lamtui.ui.event_view import EventView
from lamtui.ui.memory_link import MemoryLink
from lamtui.ui.session import TaskRecord
from lamtui.ui.widgets.action_log import ActionLog
from lamtui.ui.widgets.activity import ActivityLine
from lamtui.ui.widgets.plan_tree import PlanView
from lamtui.ui.widgets.prompt import PromptInput
from lamtui.ui.widgets.status_bar import StatusBar, SystemStats, psutil_stats

# Start-up budget: the first frame needs only Textual and the widgets above. The agent,
# pydantic settings, the gate and the model are imported or loaded after it, in the
# background (see loader.py), so the input box is usable within about a second.
if TYPE_CHECKING:
    from lamtui.config import Settings

BackendFactory = Callable[[], Backend]
SettingsLoader = Callable[[], "Settings"]
NOTICE_REPEAT_SECONDS = 5.0  # a notification stays about this long


def error_text(text: str) -> Text:
    return Text(text, style="bold red")


class AppCore(App[int]):
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
        self.bridge = ThreadBridge(self.post_message)
        self.memory_link = MemoryLink(self.bridge.post)  # after the model, or by the first task
        self.event_view = EventView(self, self._context_size, self._memory_open)
        self._quitting = threading.Event()
        self._last_notice, self._last_notice_at = "", 0.0

    # -- widgets --------------------------------------------------------------------

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

    # -- shared state ---------------------------------------------------------------

    @property
    def tasks(self) -> dict[str, TaskRecord]:
        return self.event_view.tasks

    @property
    def viewed(self) -> str | None:
        return self.event_view.viewed

    def viewed_record(self) -> TaskRecord | None:
        return self.event_view.viewed_record()

    def model_label(self) -> str:
        if self.settings is None:
            return self._model_hint or "model"
        return self.settings.model.base_url or self.settings.model.name

    def _context_size(self) -> int:
        return self.backend.info.context_size if self.backend is not None else 0

    def _memory_open(self) -> bool:
        return self.memory_link.store is not None

    def notify_once(self, text: str, severity: SeverityLevel = "information") -> None:
        """A notice not repeated while the same one is still on screen."""
        now = time.monotonic()
        if self._last_notice == text and now - self._last_notice_at < NOTICE_REPEAT_SECONDS:
            return
        self._last_notice, self._last_notice_at = text, now
        self.notify(text, severity=severity)
