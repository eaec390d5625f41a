"""A yes/no question in a small modal: y yes, n or escape no (the safe answer)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > Vertical {
        width: 80%;
        max-width: 90;
        height: auto;
        border: round $accent;
        padding: 1 2;
        background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]

    def __init__(self, title: str, body: str, question: str) -> None:
        super().__init__()
        self.title_text, self.body, self.question = title, body, question

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = self.title_text
        with box:
            yield Static(self.body, id="confirm-body", markup=False)
            yield Static(f"\n{self.question}  (y / n)", id="confirm-question", markup=False)
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
