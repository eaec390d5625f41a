"""Memory: lamtui learns at inference time from expert demonstrations (shipped seeds) and
its own successful tasks, plus the user's facts and rejections.

    store = open_memory(settings)          # raises MemoryUnavailable
    recall = store.recall(request)        # Recall(text=..., items=[{id, kind, text, score}])
    store.remember_task(trajectory_record)             # id, or None when it does not qualify
    store.remember_rejection(action_dict, reason, request)
    store.remember_fact(text)                          # id (the existing one if duplicate)
    fact = is_remember_request(request)                # "remember that ..." -> the fact
    store.close()

open(), recall() and remember_*() raise nothing but MemoryUnavailable (a LamtuiError with
a hint) when the store cannot be used, so the agent catches that one error and carries on
without memory. See store.py.

The store (Chroma, numpy) is imported only when it is used: the agent and `lamtui --help`
import this package for the error type and must not pay ~1.5 s for Chroma.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lamtui.memory.errors import MemoryUnavailable
from lamtui.memory.remember import is_remember_request

if TYPE_CHECKING:
    from lamtui.memory.recall import Recall
    from lamtui.memory.session import open_memory
    from lamtui.memory.store import MemoryStore

__all__ = ["MemoryStore", "MemoryUnavailable", "Recall", "is_remember_request", "open_memory"]


def __getattr__(name: str) -> Any:
    if name == "MemoryStore":
        from lamtui.memory.store import MemoryStore

        return MemoryStore
    if name == "Recall":
        from lamtui.memory.recall import Recall

        return Recall
    if name == "open_memory":
        from lamtui.memory.session import open_memory

        return open_memory
    raise AttributeError(name)
