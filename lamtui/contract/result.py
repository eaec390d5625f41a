"""What an executed action produced, as the model, the UI and the records see it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class OutputChunk:
    """A piece of a running command's output, for live display."""

    text: str


@dataclass
class ActionResult:
    ok: bool
    output: str = ""  # bounded (head + tail) for the model and the screen
    exit_code: int | None = None
    duration: float = 0.0
    error: str = ""  # why it failed, in words, when it did not run or ran badly
    timed_out: bool = False
    cancelled: bool = False
    output_path: str = ""  # the full output, saved in the data dir
    output_bytes: int = 0
    files_changed: list[str] = field(default_factory=list)
    sandboxed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def observation(self) -> str:
        """The text the model sees next."""
        lines: list[str] = []
        if self.exit_code is not None:
            lines.append(f"exit code {self.exit_code}")
        if self.timed_out:
            lines.append("the command timed out and was killed")
        if self.cancelled:
            lines.append("the user cancelled the action")
        if self.error:
            lines.append(f"error: {self.error}")
        if self.files_changed:
            lines.append("files changed: " + ", ".join(self.files_changed[:20]))
        if self.output:
            lines.append(self.output.rstrip("\n"))
        elif self.ok and self.exit_code is not None:
            lines.append("(no output)")
        return "\n".join(lines) if lines else ("ok" if self.ok else "failed")
