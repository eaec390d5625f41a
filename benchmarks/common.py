"""Helpers shared by the benchmark scripts: open the bundled model, print tables."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
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


Rows = list[tuple[str, str]]
Figure = float | int | str | None


@dataclass
class Report:
    """What one benchmark measured: the tables it prints for people, and its key figures
    as plain numbers, so benchmarks.run_all never has to parse the printed text."""

    tables: list[tuple[str, Rows]] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)

    def text(self) -> str:
        return "\n\n".join(table(rows, title) for title, rows in self.tables)

    def to_json(self) -> str:
        """One line, printed last by `--json`, which is what run_all reads."""
        return json.dumps(
            {"tables": [[title, rows] for title, rows in self.tables], "figures": self.figures}
        )


def table(rows: list[tuple[str, str]], title: str) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, "-" * len(title)]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


def model_path() -> Path:
    return Path(bundled_backend().info.model_path)
