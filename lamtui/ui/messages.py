"""Messages from worker threads to the app. post_message is thread-safe; everything else
the threads want done on screen goes through these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # the agent is imported after the first frame, not before it
    from lamtui.agent.approval import Proposal
    from lamtui.config import Settings
    from lamtui.lam.base import Backend


class EventsReady(Message):
    """Agent events are waiting in the app's queue (one message per batch, not per event)."""


class TaskEnded(Message):
    """The agent worker returned (normally, cancelled or by an unexpected error)."""

    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error


class GateRequested(Message):
    """The approver (in the worker thread) waits for the user's decision on a proposal."""

    def __init__(self, proposal: Proposal, reply: Any) -> None:
        super().__init__()
        self.proposal = proposal
        self.reply = reply


class AnswerRequested(Message):
    """The approver waits for the user's answer to the model's question."""

    def __init__(self, question: str, reply: Any) -> None:
        super().__init__()
        self.question = question
        self.reply = reply


class SettingsLoaded(Message):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings


class BackendLoaded(Message):
    def __init__(self, backend: Backend, seconds: float) -> None:
        super().__init__()
        self.backend = backend
        self.seconds = seconds


class BackendFailed(Message):
    def __init__(self, name: str, error: str) -> None:
        super().__init__()
        self.name = name
        self.error = error


class MemoryOpened(Message):
    """The memory store was opened (or could not be: `problem` says why, empty when
    memory is turned off on purpose)."""

    def __init__(self, problem: str = "") -> None:
        super().__init__()
        self.problem = problem
