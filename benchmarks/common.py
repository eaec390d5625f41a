"""Helpers shared by the benchmark scripts: open the bundled model, print tables."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lamtui.config import ModelSettings
from lamtui.lam.factory import open_backend
from lamtui.lam.llamacpp import LlamaCppBackend


def bundled_backend(**settings: object) -> LlamaCppBackend:
    """The bundled model through the real code path (catalog -> GGUF -> llama.cpp).
    Uses the user's LAMTUI_HOME if set, else a temporary one."""
    if "LAMTUI_HOME" not in os.environ:
        os.environ["LAMTUI_HOME"] = tempfile.mkdtemp(prefix="lamtui-bench-")
    backend = open_backend(ModelSettings(**settings))  # type: ignore[arg-type]
    assert isinstance(backend, LlamaCppBackend)
    return backend


def table(rows: list[tuple[str, str]], title: str) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, "-" * len(title)]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


def model_path() -> Path:
    return Path(bundled_backend().info.model_path)
