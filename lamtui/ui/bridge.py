"""The thread bridge: how worker threads reach the app. Worker threads never touch widgets;
they post messages (thread-safe) and queue agent events here. One EventsReady message per
batch tells the app to drain the queue, so a command printing thousands of lines costs the
UI one redraw per batch, not one per chunk."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from lamtui.ui.messages import EventsReady

if TYPE_CHECKING:  # the agent is imported after the first frame, not before it
    from lamtui.agent.events import AgentEvent


class ThreadBridge:
    def __init__(self, post_message: Callable[[Message], bool]) -> None:
        self._post_message = post_message  # the app's: thread-safe while its loop runs
        self._events: deque[AgentEvent] = deque()
        self._lock = threading.Lock()
        self._flush_posted = False

    def post(self, message: Message) -> bool:
        """post_message from any thread; False once the app (or its loop) is gone."""
        try:
            return self._post_message(message)
        except RuntimeError:  # the event loop is closed
            return False

    def enqueue(self, event: AgentEvent) -> None:
        """Queue one event; the first of a batch posts EventsReady."""
        with self._lock:
            self._events.append(event)
            if self._flush_posted:
                return
            self._flush_posted = True
        self.post(EventsReady())

    def drain(self) -> list[AgentEvent]:
        """On the UI thread: every queued event, oldest first."""
        with self._lock:
            events = list(self._events)
            self._events.clear()
            self._flush_posted = False
        return events
