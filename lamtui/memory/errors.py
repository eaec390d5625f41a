"""The one error the agent has to know about."""

from __future__ import annotations

from lamtui.errors import LamtuiError


class MemoryUnavailable(LamtuiError):
    """The memory store cannot be used right now (corrupted, locked, built with another
    embedding model, server down, ...). The agent catches it and carries on without
    memory; the message says what is wrong and the hint what to do."""
