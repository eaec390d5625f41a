"""One line above the activity line while "Learn from my approvals" trains: a bar, step I
of N, loss, tok/s when the trainer gives it, and the ETA (the trainer's, else estimated
from the steps so far). Hidden the rest of the time, so it takes no room."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from lamtui.ui.learn_child import Progress

WIDTH = 20


class LearnPanel(Static):
    DEFAULT_CSS = """
    LearnPanel {
        height: 1;
        padding: 0 1;
        display: none;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.text = ""
        self._first: tuple[int, float] | None = None  # the first step seen, and when

    def begin(self, text: str) -> None:
        self._first = None
        self.display = True
        self.show_line(text)

    def end(self) -> None:
        self.display = False

    def show_line(self, text: str) -> None:
        """A line the trainer said that is not a progress line (loading, validation)."""
        self.text = f"learning: {text}"
        self.update(Text(self.text, overflow="ellipsis", no_wrap=True))

    def show_progress(self, progress: Progress) -> None:
        now = time.monotonic()
        if self._first is None:
            self._first = (progress.step, now)
        done = progress.step / max(1, progress.total)
        filled = int(WIDTH * done)
        parts = [
            f"learning ({progress.method.upper()}) [{'#' * filled}{'.' * (WIDTH - filled)}]",
            f"step {progress.step}/{progress.total}",
            f"loss {progress.loss:.3f}",
        ]
        if progress.tok_s is not None:
            parts.append(f"{progress.tok_s:.0f} tok/s")
        eta = progress.eta_min if progress.eta_min is not None else self._estimate(progress, now)
        if eta is not None:
            parts.append(f"ETA {eta:.1f} min")
        self.text = "  ".join(parts)
        self.update(Text(self.text, overflow="ellipsis", no_wrap=True))

    def _estimate(self, progress: Progress, now: float) -> float | None:
        assert self._first is not None
        step0, t0 = self._first
        if progress.step <= step0 or now <= t0:
            return None
        rate = (progress.step - step0) / (now - t0)
        return (progress.total - progress.step) / rate / 60
