"""Opening the memory store for a configuration: the one place that decides which GGUF
embeds (memory.embedding_model, else the local chat model, else the bundled model)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lamtui.config import Settings
from lamtui.errors import LamtuiError
from lamtui.memory.errors import MemoryUnavailable

if TYPE_CHECKING:
    from lamtui.memory.embedding import MemoryEmbedding
    from lamtui.memory.store import MemoryStore


def chat_model_path(settings: Settings) -> Path | None:
    """The chat model's GGUF when it is a local one; None for a server or a script."""
    if settings.model.base_url or settings.model.name.startswith("scripted:"):
        return None
    from lamtui.lam.catalog import resolve_model

    try:
        return resolve_model(settings.model.name, verify=False).path
    except LamtuiError:
        return None  # the chat model's own error is reported when it is loaded


def open_memory(
    settings: Settings,
    *,
    redact: Callable[[str], str] | None = None,
    embedding_function: MemoryEmbedding | None = None,
    model_path: Path | None = None,
) -> MemoryStore:
    """The store for these settings. Raises MemoryUnavailable (turned off, damaged,
    unreachable, built with another embedding model)."""
    if not settings.memory.enabled:
        raise MemoryUnavailable("memory is turned off", "set memory.enabled = true")
    from lamtui.memory.store import MemoryStore

    if model_path is None and not settings.memory.embedding_model:
        model_path = chat_model_path(settings)
    return MemoryStore.open(
        settings.memory, model_path, embedding_function=embedding_function, redact=redact
    )


def try_open_memory(
    settings: Settings, redact: Callable[[str], str] | None = None
) -> tuple[MemoryStore | None, str]:
    """(store, "") or (None, why not) — for front ends that carry on without memory.
    Turned off on purpose is not a problem worth a warning."""
    if not settings.memory.enabled:
        return None, ""
    try:
        return open_memory(settings, redact=redact), ""
    except MemoryUnavailable as exc:
        return None, f"working without memory: {exc}"  # LamtuiError adds the hint
