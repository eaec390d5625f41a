"""The app's memory store: opened once per session, from a thread that is not the UI's —
in the background as soon as the model is ready (so the first task does not wait for the
embedder), or by the first task if that comes sooner. A store that fails is not retried
until the app restarts. What the status bar says about it comes from `state`. When the
app exits the store is closed: at once, or when the task still using it ends (`use`), or,
if it is still opening, as soon as it is open."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from textual.message import Message

from lamtui.ui.messages import MemoryOpened

if TYPE_CHECKING:
    from lamtui.config import Settings
    from lamtui.memory.store import MemoryStore
    from lamtui.safety.secrets import SecretStore


class MemoryLink:
    def __init__(self, post: Callable[[Message], bool]) -> None:
        self.store: MemoryStore | None = None
        self.tried = False
        self._lock = threading.Lock()  # held while opening
        self._users_lock = threading.Lock()
        self._users = 0  # tasks using the store now
        self._closed = False
        self._post = post  # thread-safe: MemoryOpened reaches the app when the store is open

    def state(self, settings: Settings | None) -> str:
        """'on' (open), 'loading' (enabled, not open yet), or 'off' (turned off, failed)."""
        if self.store is not None:
            return "on"
        enabled = settings is not None and settings.memory.enabled
        if not enabled or (self.tried and not self._lock.locked()):
            return "off"
        return "loading"

    def open_soon(self, settings: Settings | None) -> bool:
        """Start opening in a daemon thread (quitting must not wait for it). False when
        there is nothing to open."""
        if settings is None or not settings.memory.enabled or self.tried:
            return False
        threading.Thread(
            target=self.open, args=(settings,), name="lamtui-memory", daemon=True
        ).start()
        return True

    def open(self, settings: Settings, secrets: SecretStore | None = None) -> MemoryStore | None:
        """Not on the UI thread: the store (or None), opened on the first call; later
        calls wait for that one and return what it found."""
        with self._lock:
            if not self.tried:
                from lamtui.memory.session import try_open_memory
                from lamtui.safety.secrets import SecretStore

                self.tried = True
                redactor = (secrets or SecretStore(settings.secrets.backend)).redactor()
                store, problem = try_open_memory(settings, redactor)
                with self._users_lock:
                    if not self._closed:
                        self.store, store = store, None
                if store is not None:  # the app exited while it opened
                    store.close()
                    return None
                self._post(MemoryOpened(problem))
        return self.store

    @contextmanager
    def use(
        self, settings: Settings, secrets: SecretStore | None = None
    ) -> Iterator[MemoryStore | None]:
        """`open` for a task: the store stays open until the task is done with it."""
        with self._users_lock:  # before opening: an exit meanwhile leaves it open for us
            self._users += 1
        try:
            yield self.open(settings, secrets)
        finally:
            with self._users_lock:
                self._users -= 1
            if self._closed:
                self.close()

    def close(self) -> None:
        """The app exits: close the store, unless a task still uses it (it closes then)."""
        with self._users_lock:
            self._closed = True
            if self._users:
                return
            store, self.store = self.store, None
        if store is not None:
            store.close()
