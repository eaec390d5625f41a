"""What a snapshot kept and what an undo did, in words for the user."""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN_SKIPS = 5  # skipped paths named in describe()


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def human(n: int) -> str:
    if n >= 1024**2:
        return f"{n / 1024**2:.0f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def skips_text(skipped: list[tuple[str, str]]) -> str:
    shown = [f"{path} ({reason.split(' (')[0]})" for path, reason in skipped[:SHOWN_SKIPS]]
    more = len(skipped) - SHOWN_SKIPS
    return "skipped " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")


@dataclass
class SnapshotReport:
    saved: list[str] = field(default_factory=list)  # paths whose previous state was kept
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path or "workspace", why)
    # (path, why): kept, but the action may also change what undo cannot put back there
    unsafe: list[tuple[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Undo holds the pre-state of everything the action may change: only then may
        the action run unasked."""
        return not self.skipped and not self.unsafe

    def describe(self) -> str:
        parts = [f"kept {plural(len(self.saved), 'file')}"] if self.saved else []
        if self.skipped:
            parts.append(skips_text(self.skipped))
        if self.unsafe:
            shown = [f"{path} ({why})" for path, why in self.unsafe[:SHOWN_SKIPS]]
            more = len(self.unsafe) - SHOWN_SKIPS
            parts.append("not all undoable: " + ", ".join(shown)
                         + (f" and {more} more" if more > 0 else ""))  # fmt: skip
        return "undo: " + ("; ".join(parts) if parts else "nothing to keep")


@dataclass
class RestoreReport:
    restored: list[str] = field(default_factory=list)  # previous content put back
    deleted: list[str] = field(default_factory=list)  # created by the task, removed again
    recreated: list[str] = field(default_factory=list)  # deleted by the task, put back
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)

    def describe(self) -> str:
        counts = [
            f"{verb} {len(paths)}"
            for verb, paths in (
                ("restored", self.restored),
                ("deleted", self.deleted),
                ("recreated", self.recreated),
            )
            if paths
        ]
        parts = [", ".join(counts)] if counts else ["nothing was changed"]
        if self.skipped:
            parts.append(skips_text(self.skipped))
        return "undo: " + "; ".join(parts)
