"""The input box: requests, with up/down history; answers to the model's questions."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

REQUEST_PLACEHOLDER = "What should I do? (enter to start, ctrl+p for commands)"


class PromptInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "previous request", show=False),
        Binding("down", "history(1)", "next request", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(placeholder=REQUEST_PLACEHOLDER, **kwargs)
        self.history: list[str] = []
        self._index = 0  # == len(history): editing a new line
        self._draft = ""
        self.question = ""  # non-empty while the model waits for an answer

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._index = len(self.history)
        self._draft = ""

    def action_history(self, delta: int) -> None:
        if not self.history:
            return
        if self._index == len(self.history):
            self._draft = self.value
        self._index = max(0, min(len(self.history), self._index + delta))
        self.value = self.history[self._index] if self._index < len(self.history) else self._draft
        self.cursor_position = len(self.value)

    def ask(self, question: str) -> None:
        # A half-typed request must not become the answer by accident; up brings it back.
        if self.value.strip():
            self.remember(self.value.strip())
            self.value = ""
        self.question = question
        self.border_title = "answer the question (enter; empty = no answer)"
        self.placeholder = question
        self.add_class("answering")

    def end_question(self) -> None:
        self.question = ""
        self.border_title = None
        self.placeholder = REQUEST_PLACEHOLDER
        self.remove_class("answering")
