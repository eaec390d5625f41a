"""The full output of an action, from the file the shell executor saved, in a scrollable
view. The Log widget renders only visible lines, so even a very long file stays quick."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Footer, Log

MAX_BYTES = 32 * 1024 * 1024  # beyond this only the end of the file is shown


def read_output(path: Path) -> list[str]:
    size = path.stat().st_size
    with path.open("rb") as fh:
        if size > MAX_BYTES:
            fh.seek(size - MAX_BYTES)
        data = fh.read()
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > MAX_BYTES:
        lines[0] = f"[… the first {size - MAX_BYTES:,} bytes are not shown]"
    return lines


class OutputScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss_screen", "close"),
        Binding("g", "top", "top"),
        Binding("G", "bottom", "bottom"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = Path(path)

    def compose(self) -> ComposeResult:
        log = Log(id="output-log", auto_scroll=False)
        log.border_title = str(self.path)
        yield log
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Log).focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        try:
            lines = read_output(self.path)
        except OSError as exc:
            lines = [f"cannot read {self.path}: {exc.strerror or exc}"]
        self.app.call_from_thread(self._show, lines)

    def _show(self, lines: list[str]) -> None:
        log = self.query_one(Log)
        log.write_lines(lines)
        log.border_subtitle = f"{len(lines):,} lines"
        log.scroll_home(animate=False)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    def action_top(self) -> None:
        self.query_one(Log).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one(Log).scroll_end(animate=False)
