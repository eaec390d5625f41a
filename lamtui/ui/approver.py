"""The approver the TUI gives the Agent. Its decide() and answer() are called from the
worker thread that iterates Agent.run; they post a request to the app and wait for the
user. Waiting polls, so a cancelled task or a closing app ends the wait with a rejection
(or no answer) instead of leaving the worker blocked forever."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from textual.message import Message

from lamtui.agent.approval import Proposal
from lamtui.agent.events import Decision
from lamtui.contract.cancel import CancelToken
from lamtui.ui.messages import AnswerRequested, GateRequested

T = TypeVar("T")

CANCELLED = Decision("reject", by="approver:tui", reason="the task was cancelled")
CLOSED = Decision("reject", by="approver:tui", reason="the app was closed before a decision")


class Reply(Generic[T]):
    """A one-shot slot the UI fills and the worker waits on; the first value wins."""

    def __init__(self, default: T) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        self.value: T = default

    def resolve(self, value: T) -> bool:
        with self._lock:
            if self._event.is_set():
                return False
            self.value = value
            self._event.set()
            return True

    @property
    def done(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)


class UiApprover:
    name = "tui"

    def __init__(
        self,
        post: Callable[[Message], bool],
        cancel: CancelToken,
        closing: threading.Event,
        alive: Callable[[], bool] = lambda: True,
        poll: float = 0.1,
    ) -> None:
        self._post = post
        self._cancel = cancel
        self._closing = closing
        self._alive = alive  # False once the app stopped, however it stopped
        self._poll = poll

    def decide(self, proposal: Proposal) -> Decision:
        reply: Reply[Decision] = Reply(CLOSED)
        if self._closing.is_set() or not self._post(GateRequested(proposal, reply)):
            return CLOSED
        return self._wait(reply, CANCELLED, CLOSED)

    def answer(self, question: str) -> str | None:
        reply: Reply[str | None] = Reply(None)
        if self._closing.is_set() or not self._post(AnswerRequested(question, reply)):
            return None
        return self._wait(reply, None, None)

    def _wait(self, reply: Reply[T], on_cancel: T, on_close: T) -> T:
        while not reply.wait(self._poll):
            if self._cancel.cancelled:
                reply.resolve(on_cancel)
            elif self._closing.is_set() or not self._alive():
                reply.resolve(on_close)
        return reply.value
