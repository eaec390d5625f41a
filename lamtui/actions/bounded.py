"""Keep a command's output bounded: in memory the first and last lines (and a count of
what was left out), live on screen at most `live_limit` bytes, on disk at most
MAX_SAVED_BYTES. Everything that leaves this object is redacted first; since only
bounded amounts ever leave it, redaction costs little even for a gigabyte of output."""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from lamtui.safety.redact import redact_cut, release_point

MAX_LINE_CHARS = 2000  # what one kept line may show
LONG_LINE_FLUSH = 64 * 1024  # a line without newline this long is treated as complete
MAX_SAVED_BYTES = 64 * 1024**2
LIVE_NOTICE = "[… more output is not shown live; the result has its head and tail …]\n"


def _same(text: str) -> str:
    return text


class BoundedOutput:
    def __init__(
        self,
        head_lines: int,
        tail_lines: int,
        save_to: Path | None = None,
        redact: Callable[[str], str] = _same,
        live_limit: int = 256 * 1024,
    ) -> None:
        self.head: list[str] = []
        self.tail: deque[str] = deque(maxlen=tail_lines)
        self._head_lines = head_lines
        self.dropped_lines = 0
        self.total_bytes = 0
        self._partial = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._redact = redact
        self._live_left = live_limit
        self._file: BinaryIO | None = None
        self._saved = 0
        self.saved_path = save_to
        self.saved_truncated = False
        if save_to is not None:
            save_to.parent.mkdir(parents=True, exist_ok=True)
            self._file = save_to.open("wb")

    def feed(self, data: bytes) -> str:
        """Take raw bytes (invalid UTF-8 is replaced); return redacted complete lines to
        show live, or "" once the live budget is spent."""
        self.total_bytes += len(data)
        *complete, self._partial = (self._partial + self._decoder.decode(data)).split("\n")
        if len(self._partial) > LONG_LINE_FLUSH:
            # Flushed where no secret can straddle the break; the rest waits for more.
            cut = release_point(self._redact, self._partial) or len(self._partial)
            complete.append(self._partial[:cut])
            self._partial = self._partial[cut:]
        return self._take(complete)

    def _take(self, lines: list[str]) -> str:
        if not lines:
            return ""
        block = "\n".join(lines) + "\n"
        self._save(block)
        self._keep(lines)
        if self._live_left <= 0:
            return ""
        self._live_left -= len(block)
        shown = self._redact(block)
        return shown + (LIVE_NOTICE if self._live_left <= 0 else "")

    def _save(self, block: str) -> None:
        if self._file is None or self.saved_truncated:
            return
        data = self._redact(block).encode("utf-8")
        room = MAX_SAVED_BYTES - self._saved
        self._file.write(data[:room])
        self._saved += min(room, len(data))
        if len(data) > room:
            self.saved_truncated = True

    def _keep(self, lines: list[str]) -> None:
        room = self._head_lines - len(self.head)
        if room > 0:
            self.head.extend(self._cut(line) for line in lines[:room])
            lines = lines[room:]
        if not lines:
            return
        # Only the last tail_lines survive; count the rest without touching them one by
        # one, so a command printing a gigabyte costs little more than reading it.
        keep = self.tail.maxlen or 0
        overflow = len(self.tail) + len(lines) - keep
        if overflow > 0:
            self.dropped_lines += overflow
        self.tail.extend(self._cut(line) for line in lines[-keep:])

    def _cut(self, line: str) -> str:
        """A long line is redacted before it is cut: a cut must not halve a secret."""
        if len(line) <= MAX_LINE_CHARS:
            return line
        return redact_cut(self._redact, line, MAX_LINE_CHARS)

    def close(self) -> str:
        """Flush the last partial line; returns it for live display like feed()."""
        self._partial += self._decoder.decode(b"", final=True)
        rest = self._take([self._partial]) if self._partial else ""
        self._partial = ""
        if self._file is not None:
            self._file.close()
            self._file = None
        return rest

    def text(self) -> str:
        lines = list(self.head)
        if self.dropped_lines:
            where = f"; full output in {self.saved_path}" if self.saved_path else ""
            lines.append(f"[… {self.dropped_lines} lines omitted{where} …]")
        lines.extend(self.tail)
        return self._redact("\n".join(lines))
