"""Command palette entries (ctrl+p): switch model, policy mode, undo, audit log, memory,
trajectory export, learning from the user's approvals, past tasks, full outputs. Each
entry calls a method of its host — the app, as far as the palette needs to know it
(PaletteHost)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.notifications import SeverityLevel

from lamtui.contract.modes import GUARDED_MODES, MODE_HELP

if TYPE_CHECKING:
    from lamtui.ui.session import TaskRecord


class PaletteHost(Protocol):
    """What the palette calls (LamtuiApp is one)."""

    def notify(self, message: str, *, severity: SeverityLevel = ...) -> None: ...
    def switch_model(self, name: str) -> None: ...
    def set_policy_mode(self, mode: str) -> None: ...
    def undo_last_task(self) -> None: ...
    def action_audit(self) -> None: ...
    def show_memory(self) -> None: ...
    def forget_memory(self) -> None: ...
    def export_trajectories(self) -> object: ...  # starts a worker
    def learn_summary(self) -> str: ...  # what is new since the last training
    def learn_from_approvals(self) -> None: ...  # starts a training child
    def action_tasks(self) -> None: ...
    def viewed_record(self) -> TaskRecord | None: ...
    def open_output(self, path: str) -> None: ...


Entry = tuple[str, str, Callable[[], object]]


def catalog_names() -> tuple[list[str], str]:
    """Model names from the catalog, and why there are none when it cannot be read."""
    from lamtui.errors import LamtuiError
    from lamtui.lam.catalog import load_catalog

    try:
        return [entry.name for entry in load_catalog()], ""
    except LamtuiError as exc:
        return [], str(exc)


def palette_entries(app: PaletteHost, learn_help: str = "") -> list[Entry]:
    """learn_help: what is new to learn from (the provider asks the host for it)."""
    names, problem = catalog_names()
    help_text = "load this catalog model in the background"
    entries: list[Entry] = [
        (f"Switch model: {name}", help_text, partial(app.switch_model, name)) for name in names
    ]
    if problem:
        notify = partial(app.notify, problem, severity="error")
        entries.append(("Switch model: catalog unreadable", problem, notify))
    entries += [
        (f"Policy mode: {mode}", MODE_HELP[mode], partial(app.set_policy_mode, mode))
        for mode in GUARDED_MODES
    ]
    learn_help = learn_help or "train on your approvals and rejections in the background"
    entries += [
        ("Undo last task's changes", "put back the files the last task of this session changed",
         app.undo_last_task),
        ("Show audit log", "proposals, decisions and results of this session", app.action_audit),
        ("Show memory items", "what lamtui remembers", app.show_memory),
        ("Forget memory items", "delete what lamtui remembers", app.forget_memory),
        ("Export trajectories", "write fine-tuning examples (chat-jsonl) to the data folder",
         app.export_trajectories),
        ("Learn from my approvals", learn_help, app.learn_from_approvals),
        ("Show past tasks", "re-open a task of this session", app.action_tasks),
    ]  # fmt: skip
    record = app.viewed_record()
    if record is not None:
        for step, path in sorted(record.output_paths.items()):
            entries.append(
                (f"Show full output of action #{step}", path, partial(app.open_output, path))
            )
    return entries


class LamtuiCommands(Provider):
    async def startup(self) -> None:
        host = cast("PaletteHost", self.app)
        self._entries = palette_entries(host, host.learn_summary())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries:
            yield DiscoveryHit(title, callback, help=help_text)
