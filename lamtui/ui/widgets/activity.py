"""One line saying what lamtui is doing right now, with a spinner while it works
(loading the model, generating, running a command) and the tail of the model's stream."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TAIL_CHARS = 60


class ActivityLine(Static):
    DEFAULT_CSS = """
    ActivityLine { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.text = "starting"
        self.busy = False
        self.tail = ""
        self._frame = 0

    def on_mount(self) -> None:
        # The timer only runs while busy: an idle app does no redraw work.
        self._timer = self.set_interval(0.1, self._tick, pause=True)
        self._render_line()

    def set_activity(self, text: str, busy: bool) -> None:
        self.text = text
        self.tail = ""
        if busy != self.busy:
            self.busy = busy
            if busy:
                self._timer.resume()
            else:
                self._timer.pause()
        self._render_line()

    def add_tokens(self, text: str) -> None:
        self.tail = (self.tail + text.replace("\n", " "))[-TAIL_CHARS:]
        self._render_line()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(FRAMES)
        self._render_line()

    def _render_line(self) -> None:
        spinner = FRAMES[self._frame] + " " if self.busy else ""
        line = Text.assemble((spinner, "bold yellow"), (self.text, "bold" if self.busy else ""))
        if self.tail:
            line.append("  " + self.tail, style="dim")
        self.update(line)
