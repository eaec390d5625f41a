"""The tasks of this session; choosing one shows its plan, actions and output again."""

from __future__ import annotations

import contextlib
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

from lamtui.ui.session import TaskRecord


class TasksScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss_screen", "close")]

    def __init__(self, tasks: list[TaskRecord], viewed: str | None) -> None:
        super().__init__()
        self.tasks = tasks
        self.viewed = viewed

    def compose(self) -> ComposeResult:
        options = [Option(t.label(), id=t.task_id) for t in reversed(self.tasks)]
        if not options:
            options = [Option("no tasks in this session yet", id="", disabled=True)]
        menu = OptionList(*options, id="tasks-list")
        menu.border_title = "Tasks of this session (enter: show)"
        yield menu
        yield Footer()

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        menu.focus()
        if self.viewed:
            with contextlib.suppress(Exception):  # not in the list: keep the default
                menu.highlighted = menu.get_option_index(self.viewed)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or None)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)
