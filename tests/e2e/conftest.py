"""One real bundled model per test session: loading it through the real code path
(catalog -> assembled GGUF -> llama-cpp-python) once keeps the suite fast."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lamtui.config import ModelSettings
from lamtui.lam.base import Backend
from lamtui.lam.factory import open_backend


@pytest.fixture(scope="session")
def real_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("real-model-home")


@pytest.fixture(scope="session")
def real_backend(real_home: Path) -> Iterator[Backend]:
    previous = os.environ.get("LAMTUI_HOME")
    os.environ["LAMTUI_HOME"] = str(real_home)
    try:
        backend = open_backend(ModelSettings())
    finally:
        if previous is None:
            os.environ.pop("LAMTUI_HOME", None)
        else:
            os.environ["LAMTUI_HOME"] = previous
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def bundled_model_path(real_backend: Backend) -> Path:
    return Path(real_backend.info.model_path)
