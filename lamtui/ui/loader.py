"""Model loading: settings (when read in the background), the agent's modules and the
model load in a daemon thread after the first frame (quitting must not wait for a
multi-GB load), and report back with messages. A failed switch keeps the model that
works; a request typed while loading starts when the model is ready."""

from __future__ import annotations

import threading
import time
from functools import partial

from lamtui.errors import LamtuiError
from lamtui.ui.core import BackendFactory, error_text
from lamtui.ui.messages import BackendFailed, BackendLoaded, SettingsLoaded
from lamtui.ui.runner import TaskRunner


class ModelLoading(TaskRunner):
    def load_backend(self, factory: BackendFactory | None) -> None:
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
        post = self.bridge.post
        started = time.perf_counter()  # reset below: "ready (N s)" is the model's own time
        try:
            settings = self.settings
            if settings is None:
                assert self._settings_loader is not None
                settings = self._settings_loader()
                post(SettingsLoaded(settings))
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
            post(BackendFailed(label, str(exc)))
            return
        except Exception as exc:  # a broken model file or runtime: say it, keep the app
            post(BackendFailed(label, f"{type(exc).__name__}: {exc}"))
            return
        if not post(BackendLoaded(backend, time.perf_counter() - started)):
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
        self.start_queued()

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
        self.action_log.write(error_text(f"model not loaded: {message.error}"))
        self.notify(message.error, title="model not loaded", severity="error", timeout=10)
        self.drop_queued()

    def switch_model(self, name: str) -> None:
        if self.task_running or self.settings is None:
            self.notify("wait for the running task (or start-up) to finish", severity="warning")
            return
        model = self.settings.model.model_copy(update={"name": name, "base_url": ""})
        self.settings = self.settings.model_copy(update={"model": model})
        self.load_backend(None)

    def close_backend(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None
