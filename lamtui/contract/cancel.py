"""Cancellation shared by the model runtime, the executors and the agent."""

from __future__ import annotations

import threading


class CancelToken:
    """Set from any thread; backends and executors check it between tokens / reads."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()
