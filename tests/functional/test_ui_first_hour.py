"""Small things a user sees in the app (issue 13, item 5): long plan titles wrap inside the
pane, wrapped output lines keep the `│` margin, the closing line counts the actions that
ran (not the model's finish), and the status bar says "mem loading" while memory opens."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from lamtui.ui.app import LamtuiApp
from lamtui.ui.screens.gate import GateScreen
from lamtui.ui.widgets.plan_tree import PlanView
from lamtui.ui.widgets.status_bar import format_status
from tests.functional.agent_helpers import finish, plan, shell
from tests.functional.test_ui import drive, finished, gate, log_text, make_app, request, until

LONG_TITLE = "rename every report file from the old naming scheme to the new dated one and check it"


def _screen_lines(view: PlanView) -> list[str]:
    """What the plan pane shows: its body as rendered at its size."""
    body = view.query_one("Static")
    region = Region(0, 0, body.size.width, body.size.height)
    return ["".join(seg.text for seg in strip) for strip in body.render_lines(region)]


def test_a_long_plan_title_wraps_inside_the_pane(tmp_path: Path) -> None:
    replies = [plan(LONG_TITLE, "report", goal="rename the reports"), shell("ls"), finish()]
    app, _ = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "rename the reports to the new scheme")
        await gate(app, pilot)
        await pilot.pause()
        width = app.plan_view.query_one("Static").size.width
        assert 20 <= width < len(LONG_TITLE)  # the pane is narrower than the title
        lines = _screen_lines(app.plan_view)
        shown = " ".join(" ".join(line.replace("│", " ").split()) for line in lines)
        # Every word of the title is on screen, in order; nothing is cut at the edge.
        assert LONG_TITLE in shown, lines
        assert sum(1 for line in lines if line.strip()) >= 4  # it took more than one line
        assert all(len(line.rstrip()) <= width for line in lines)
        await pilot.press("y")
        await finished(app, pilot)

    drive(app, scenario, size=(80, 24))


def test_wrapped_output_lines_keep_the_margin(tmp_path: Path) -> None:
    long_line = "word " * 60  # 300 characters: several rows in the log pane
    (tmp_path / "long.txt").write_text(long_line + "\nshort\n")
    replies = [plan("show it"), shell("cat long.txt"), finish("shown")]
    app, _ = make_app(tmp_path, replies, policy_mode="readonly")

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "show long.txt")
        assert await finished(app, pilot) == "finished"
        rows = [strip.text for strip in app.action_log.lines]
        output = [row for row in rows if "word" in row or row.strip().endswith("short")]
        assert len(output) >= 4, rows  # the long line wrapped
        assert all(row.startswith("  │ ") for row in output), output
        assert sum(row.count("word") for row in output) == 60  # nothing lost in wrapping

    drive(app, scenario, size=(80, 24))


def test_the_closing_line_counts_actions_that_ran_not_the_finish(tmp_path: Path) -> None:
    replies = [plan("greet"), shell("echo hi"), shell("echo again"), finish("greeted")]
    app, _ = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "greet")
        first = await gate(app, pilot)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, GateScreen) and app.screen is not first)
        await pilot.press("n")
        await pilot.press("enter")  # no reason
        assert await finished(app, pilot) == "finished"
        text = log_text(app)
        assert "1 action run, 1 rejected (" in text, text
        assert "action(s)" not in text and "3 action" not in text

    drive(app, scenario)


def _blocking_store(monkeypatch: pytest.MonkeyPatch, release: threading.Event) -> None:
    from lamtui.config import MemorySettings
    from lamtui.memory import session
    from lamtui.memory.embedding import HashingEmbeddingFunction
    from lamtui.memory.store import MemoryStore

    def open_store(settings: Any, **kw: Any) -> MemoryStore:
        assert release.wait(30), "the test never released the store"
        return MemoryStore.open(
            MemorySettings(), None, embedding_function=HashingEmbeddingFunction(), seed=False
        )

    monkeypatch.setenv("LAMTUI_MEMORY_ENABLED", "true")
    monkeypatch.setattr(session, "open_memory", open_store)


def test_the_status_bar_says_mem_loading_while_memory_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    _blocking_store(monkeypatch, release)
    app, _ = make_app(tmp_path, [plan("look"), finish("nothing to do")])
    seen: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.backend is not None)
        await pilot.pause()
        seen.append(app.status.info.memory)
        assert "mem loading" in format_status(app.status.info).plain
        release.set()  # the store opens in the background, before any task
        await until(pilot, lambda: app.status.info.memory == "on")
        await request(app, pilot, "look around")
        assert await finished(app, pilot) == "finished"
        seen.append(app.status.info.memory)

    drive(app, scenario)
    assert seen == ["loading", "0"]


def test_memory_that_cannot_open_says_off_with_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lamtui.memory import session
    from lamtui.memory.errors import MemoryUnavailable

    def broken(settings: Any, **kw: Any) -> Any:
        raise MemoryUnavailable("the store is damaged", "run `lamtui memory doctor`")

    monkeypatch.setenv("LAMTUI_MEMORY_ENABLED", "true")
    monkeypatch.setattr(session, "open_memory", broken)
    app, _ = make_app(tmp_path, [])
    notes: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        original = app.notify

        def capture(message: str, **kw: Any) -> None:
            notes.append(message)
            original(message, **kw)

        app.notify = capture  # type: ignore[method-assign]
        await until(pilot, lambda: app.status.info.memory == "off")

    drive(app, scenario)
    assert any("working without memory: the store is damaged" in n for n in notes), notes
