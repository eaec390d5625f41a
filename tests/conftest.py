"""Shared fixtures. Every test gets its own LAMTUI_HOME so nothing touches the user's files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def lamtui_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    # Beside the test's tmp_path, not in it: tmp_path is often the workspace, and lamtui's
    # data inside a workspace makes every recursive read of it a sensitive read.
    home = tmp_path_factory.mktemp("lamtui-home")
    monkeypatch.setenv("LAMTUI_HOME", str(home))
    for name in list(__import__("os").environ):
        if name.startswith("LAMTUI_") and name not in ("LAMTUI_HOME",):
            monkeypatch.delenv(name, raising=False)
    # Memory loads an embedding model and a Chroma store; tests about memory turn it on.
    monkeypatch.setenv("LAMTUI_MEMORY_ENABLED", "false")
    yield home
