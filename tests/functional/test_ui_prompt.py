"""The input box under a flood of keys (a paste the terminal did not bracket arrives as
one key event per character): what arrives together is inserted in one go, in order, and
nothing goes in past the request limit, with one notice per overflow."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot

from lamtui.agent.prompts import MAX_REQUEST_CHARS
from lamtui.ui.app import LamtuiApp
from lamtui.ui.widgets.prompt import MAX_INPUT_CHARS
from tests.functional.agent_helpers import finish, plan
from tests.functional.test_ui import drive, finished, make_app, until


def _type(app: LamtuiApp, keys: list[str]) -> None:
    """Queue the keys at once, as the terminal driver does for a burst of input."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


def _capture_notes(app: LamtuiApp) -> list[str]:
    notes: list[str] = []
    original = app.notify

    def capture(message: str, **kw: Any) -> None:
        notes.append(message)
        original(message, **kw)

    app.notify = capture  # type: ignore[method-assign]
    return notes


def test_the_box_limit_is_the_agents_request_limit() -> None:
    assert MAX_INPUT_CHARS == MAX_REQUEST_CHARS


def test_a_flood_of_keys_is_cut_at_the_limit_with_one_notice(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("look"), finish("ok")])
    notes: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        captured = _capture_notes(app)
        await until(pilot, lambda: app.backend is not None)
        await pilot.click("#prompt")
        started = time.monotonic()
        _type(app, list("ab" * 10_000))
        await until(pilot, lambda: len(app.prompt.value) == MAX_INPUT_CHARS, timeout=60)
        await pilot.pause()
        elapsed = time.monotonic() - started
        assert app.prompt.value == "ab" * (MAX_INPUT_CHARS // 2)
        assert app.prompt.cut_count == 1
        cut = [n for n in captured if "cut at 8,000 characters" in n]
        assert len(cut) == 1, captured
        assert elapsed < 60  # generous: the point is that it ends, not a benchmark
        _type(app, ["enter"])  # a key after the flood is handled: the request starts
        assert await finished(app, pilot) == "finished"
        assert app.prompt.value == ""
        assert next(iter(app.tasks.values())).request == "ab" * (MAX_INPUT_CHARS // 2)
        # A new overflow later is news again: one more notice.
        _type(app, ["z"] * (MAX_INPUT_CHARS + 10))
        await until(pilot, lambda: app.prompt.cut_count == 2, timeout=60)
        notes.extend(captured)

    drive(app, scenario)
    assert sum("cut at 8,000" in n for n in notes) == 2


def test_keys_arriving_together_keep_their_order(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await pilot.click("#prompt")
        # "ab", cursor left, "c", end, "d", backspace, "e": each non-printable key acts
        # on what was typed before it.
        _type(app, ["a", "b", "left", "c", "end", "d", "backspace", "e"])
        await until(pilot, lambda: app.prompt.value == "acbe")
        assert app.prompt.cursor_position == 4
        assert app.prompt.cut_count == 0

    drive(app, scenario)


def test_a_bracketed_paste_is_joined_into_one_line_and_cut(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await pilot.click("#prompt")
        app.prompt.value = "summarise: "
        app.prompt.cursor_position = len(app.prompt.value)
        app.post_message(events.Paste("first line\n\nsecond line\n"))
        await until(pilot, lambda: app.prompt.value == "summarise: first line second line")
        long = ("y" * 99 + "\n") * 1000  # 100 kB in 1000 lines
        app.post_message(events.Paste(long))
        await until(pilot, lambda: len(app.prompt.value) == MAX_INPUT_CHARS)
        assert app.prompt.value.startswith("summarise: first line second lineyyy")
        assert app.prompt.cut_count == 1

    drive(app, scenario)
