"""The app's memory store is closed when the app exits, but never under a running task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lamtui.config import Settings
from lamtui.safety.redact import Redactor
from lamtui.ui.app import LamtuiApp
from lamtui.ui.memory_link import MemoryLink


class FakeStore:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


class FakeSecrets:
    def redactor(self) -> Redactor:
        return Redactor()


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    fake = FakeStore()
    monkeypatch.setattr("lamtui.memory.session.try_open_memory", lambda *_: (fake, ""))
    return fake


def link() -> tuple[MemoryLink, list[Any]]:
    posted: list[Any] = []
    return MemoryLink(lambda m: posted.append(m) or True), posted


def test_exit_closes_the_open_store_once(store: FakeStore) -> None:
    memory, posted = link()
    assert memory.open(Settings(), FakeSecrets()) is store  # type: ignore[arg-type]
    assert len(posted) == 1  # MemoryOpened
    memory.close()
    memory.close()
    assert store.closed == 1 and memory.store is None


def test_a_task_using_the_store_keeps_it_open_until_it_ends(store: FakeStore) -> None:
    memory, _ = link()
    with memory.use(Settings(), FakeSecrets()) as opened:  # type: ignore[arg-type]
        assert opened is store
        memory.close()  # the app exits while the task still runs
        assert store.closed == 0
    assert store.closed == 1


def test_a_store_still_opening_at_exit_is_closed_once_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeStore()
    memory, posted = link()

    def opening(*_: object) -> tuple[FakeStore, str]:
        memory.close()  # the app exits while the embedder loads
        return fake, ""

    monkeypatch.setattr("lamtui.memory.session.try_open_memory", opening)
    assert memory.open(Settings(), FakeSecrets()) is None  # type: ignore[arg-type]
    assert fake.closed == 1 and memory.store is None and posted == []


def test_the_app_closes_its_store_when_it_exits(tmp_path: Path) -> None:
    from tests.functional.test_ui import drive, make_app, until

    app, _ = make_app(tmp_path)
    fake = FakeStore()

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.backend is not None)
        app.memory_link.tried, app.memory_link.store = True, fake  # type: ignore[assignment]
        assert fake.closed == 0

    drive(app, scenario)
    assert fake.closed == 1 and app.memory_link.store is None
