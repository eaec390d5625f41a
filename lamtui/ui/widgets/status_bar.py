"""The status bar: model and load state, generation speed, context used, CPU and RAM,
memory items, policy mode. Live system numbers come from an injectable function so tests
and snapshots can pin or hide them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual.widgets import Static

SystemStats = Callable[[], tuple[float, int]]  # (CPU percent, this process's RSS bytes)
LOAD_STYLE = {"loading": "yellow", "ready": "green", "failed": "bold red", "switching": "yellow"}


def psutil_stats() -> SystemStats:
    import psutil

    proc = psutil.Process()
    psutil.cpu_percent(None)  # the first call only starts the measurement

    def read() -> tuple[float, int]:
        return psutil.cpu_percent(None), proc.memory_info().rss

    return read


@dataclass(frozen=True)
class StatusInfo:
    model: str = ""
    load_state: str = "loading"  # loading | ready | failed | switching
    tokens_per_second: float | None = None
    context_used: int = 0
    context_size: int = 0
    cpu: float | None = None
    rss: int | None = None
    # "…" until the settings are read, then "loading" while the store opens, "on" once it
    # is open, the number of items recalled for the task shown, or "off" (turned off or
    # unavailable).
    memory: str = "…"
    policy: str = "ask"


def _size(n: int) -> str:
    return f"{n / 2**30:.1f}G" if n >= 2**30 else f"{n / 2**20:.0f}M"


LOAD_MARK = {
    "loading": "loading…",
    "switching": "switching…",
    "ready": "✓",
    "failed": "✗ not loaded",
}


def format_status(info: StatusInfo) -> Text:
    """Most important first (model, policy): a narrow terminal cuts the end, not them."""
    sep = (" │ ", "dim")
    state = LOAD_MARK.get(info.load_state, info.load_state)
    parts: list[Any] = [
        (info.model or "no model", "bold"),
        " ",
        (state, LOAD_STYLE.get(info.load_state, "")),
        sep,
        f"policy {info.policy}",
    ]
    speed = f"{info.tokens_per_second:.1f}" if info.tokens_per_second is not None else "–"
    parts += [sep, f"{speed} tok/s"]
    if info.context_size:
        parts += [sep, f"ctx {info.context_used}/{info.context_size}"]
    if info.cpu is not None and info.rss is not None:
        parts += [sep, f"cpu {info.cpu:.0f}% {_size(info.rss)}"]
    parts += [sep, f"mem {info.memory}"]
    return Text.assemble(*parts, no_wrap=True, overflow="ellipsis")


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, system_stats: SystemStats | None = None, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.info = StatusInfo()
        self._system_stats = system_stats

    def on_mount(self) -> None:
        if self._system_stats is not None:
            self._refresh_system()
            self.set_interval(2.0, self._refresh_system)
        self.update(format_status(self.info))

    def set(self, **changes: Any) -> None:
        self.info = replace(self.info, **changes)
        self.update(format_status(self.info))

    def _refresh_system(self) -> None:
        assert self._system_stats is not None
        try:
            cpu, rss = self._system_stats()
        except Exception:  # a failing probe must not take the status bar down
            return
        self.set(cpu=cpu, rss=rss)
