"""The input box: requests, with up/down history; answers to the model's questions.

A paste the terminal does not bracket arrives as one key event per character. Textual's
Input redraws its whole value for each one, so 100 kB of them took minutes. Here the
printable keys that arrive together are gathered and inserted in one go when the box has
no more events waiting (or before any other key, whose binding then runs at once, so the
order is kept), and nothing goes in past the request limit: the rest is dropped with one
notice. Enter empties the box at once, so what follows it is the next line."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input

REQUEST_PLACEHOLDER = "What should I do? (enter to start, ctrl+p for commands)"
# The agent's limit on a request (lamtui.agent.prompts.MAX_REQUEST_CHARS; a test checks
# they agree): not imported, the agent's modules load after the first frame.
MAX_INPUT_CHARS = 8000


def cut_notice(limit: int) -> str:
    return (
        f"the input was cut at {limit:,} characters, the request limit: "
        "put long material in a file and refer to it"
    )


class PromptInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "previous request", show=False),
        Binding("down", "history(1)", "next request", show=False),
    ]

    def __init__(self, max_chars: int = MAX_INPUT_CHARS, **kwargs: Any) -> None:
        super().__init__(placeholder=REQUEST_PLACEHOLDER, max_length=max_chars, **kwargs)
        self.history: list[str] = []
        self._index = 0  # == len(history): editing a new line
        self._draft = ""
        self.question = ""  # non-empty while the model waits for an answer
        self._typed: list[str] = []  # printable keys not inserted yet
        self._cut_noticed = False  # one notice per overflow, not one per dropped key
        self.cut_count = 0  # notices given (tests read it)

    # -- typing and pasting -----------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character is not None and self.selection.is_empty:
            event.stop()
            event.prevent_default()  # Input's own handler would insert it now
            self._typed.append(event.character)
            return
        self.flush_typed()  # enter, backspace, arrows… act on everything typed before them
        # This box's own bindings run now, not after the key has bubbled up to the app:
        # keys queued behind this one (the rest of a paste) must not overtake it.
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return

    async def action_submit(self) -> None:
        self.flush_typed()
        await super().action_submit()  # the Submitted message carries the value
        self.value = ""  # at once: keys after enter belong to the next request
        self.border_subtitle = None

    async def _on_idle(self, event: events.Idle) -> None:
        self.flush_typed()

    def _on_paste(self, event: events.Paste) -> None:
        # A bracketed paste: its lines become one line of the request.
        event.stop()
        event.prevent_default()
        self.flush_typed()
        self._insert_limited(" ".join(line for line in event.text.splitlines() if line.strip()))

    def flush_typed(self) -> None:
        if self._typed:
            text = "".join(self._typed)
            self._typed.clear()
            self._insert_limited(text)

    def _insert_limited(self, text: str) -> None:
        start, end = sorted(self.selection)
        limit = self.max_length or 0
        if not limit:  # no limit set
            self.replace(text, start, end)
            return
        room = limit - (len(self.value) - (end - start))
        if room > 0:
            self._cut_noticed = False  # there was room again: a new overflow is news
            self.border_subtitle = None
        if len(text) > room:
            text = text[: max(room, 0)]
            self.restricted()
        if text:
            self.replace(text, start, end)

    def restricted(self) -> None:
        """Input calls this per refused character (a bell each): one notice instead."""
        if self._cut_noticed:
            return
        self._cut_noticed = True
        self.cut_count += 1
        self.notify(cut_notice(self.max_length or 0), title="input too long", severity="warning")
        # The toast expires after a few seconds, counted from now: behind the rest of a
        # long paste on a busy machine it can expire before it is drawn. The box's own
        # border keeps saying it until the input is sent or has room again.
        self.border_subtitle = f"input too long: cut at {self.max_length or 0:,} characters"

    # -- history and questions --------------------------------------------------------

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
        self.flush_typed()
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
