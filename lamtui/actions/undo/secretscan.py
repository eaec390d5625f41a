"""Keeping a stored secret's value out of the undo store.

A pre-image (a file's previous content, a link's target) that holds a known secret in
any form the redactor knows (safety/redact_forms.py) is not copied: the snapshot reports
it as skipped, so the action is asked about instead of auto-approved, and undo leaves the
file alone. When the stored secrets cannot all be read, no content can be shown to be
free of them, and every non-empty file is treated the same way (fail closed)."""

from __future__ import annotations

import re
from typing import Protocol

from lamtui.errors import LamtuiError
from lamtui.safety.redact import MIN_VALUE
from lamtui.safety.redact_forms import forms_of

HOLDS_SECRET = "holds a stored secret's value; not kept in the undo store"


class SecretSource(Protocol):
    """What the undo store needs of a SecretStore."""

    def names(self) -> list[str]: ...

    def get(self, name: str) -> str: ...


class Finder:
    """Looks for the needles across the chunks of one stream."""

    def __init__(self, pattern: re.Pattern[bytes] | None, overlap: int) -> None:
        self._pattern = pattern
        self._overlap = overlap
        self._tail = b""
        self.found = False

    def feed(self, chunk: bytes) -> bool:
        """True once any needle has been seen (a needle may straddle two chunks)."""
        if self.found or self._pattern is None:
            return self.found
        data = self._tail + chunk
        self.found = self._pattern.search(data) is not None
        self._tail = data[-self._overlap :] if self._overlap else b""
        return self.found


class SecretScan:
    """The needles to look for in one snapshot's pre-images."""

    def __init__(self, needles: tuple[bytes, ...] = (), problem: str = "") -> None:
        self.needles = needles
        self.problem = problem  # why nothing can be shown free of secrets; "" when it can
        self._pattern = re.compile(b"|".join(re.escape(n) for n in needles)) if needles else None
        self.overlap = max(map(len, needles)) - 1 if needles else 0

    @staticmethod
    def from_source(source: SecretSource | None) -> SecretScan:
        if source is None:
            return SecretScan()
        needles: set[bytes] = set()
        try:
            for name in source.names():
                value = source.get(name)
                if len(value) < MIN_VALUE:
                    continue  # the redactor ignores such values too: they match words
                needles.update(form.text.encode("utf-8") for form in forms_of(value))
        except (LamtuiError, OSError) as exc:
            why = f"the stored secrets could not be read to check it ({exc}); not kept"
            return SecretScan(problem=why)
        return SecretScan(tuple(sorted(needles, key=len, reverse=True)))

    def finder(self) -> Finder:
        return Finder(self._pattern, self.overlap)

    def refuses(self, data: bytes) -> str:
        """Why `data` may not be kept, or ""."""
        if self.problem and data:
            return self.problem
        return HOLDS_SECRET if self.finder().feed(data) else ""
