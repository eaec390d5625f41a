"""Keep a command's output bounded in memory: the first lines, the last lines, and a count
of what was left out in between, while the full output goes to a file (itself capped)."""

from __future__ import annotations

import codecs
from collections import deque
from pathlib import Path
from typing import BinaryIO

MAX_LINE_CHARS = 2000  # a single endless line must not defeat the line bounds
MAX_SAVED_BYTES = 64 * 1024**2


class BoundedOutput:
    def __init__(self, head_lines: int, tail_lines: int, save_to: Path | None = None) -> None:
        self.head: list[str] = []
        self.tail: deque[str] = deque(maxlen=tail_lines)
        self._head_lines = head_lines
        self.dropped_lines = 0
        self.total_bytes = 0
        self._partial = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._file: BinaryIO | None = None
        self.saved_path = save_to
        self.saved_truncated = False
        if save_to is not None:
            save_to.parent.mkdir(parents=True, exist_ok=True)
            self._file = save_to.open("wb")

    def feed(self, data: bytes) -> str:
        """Add raw bytes; returns them decoded (invalid UTF-8 replaced) for live display."""
        self.total_bytes += len(data)
        if self._file is not None:
            room = MAX_SAVED_BYTES - self._file.tell()
            if room > 0:
                self._file.write(data[:room])
            if len(data) > room:
                self.saved_truncated = True
        text = self._decoder.decode(data)
        pending = self._partial + text
        *complete, self._partial = pending.split("\n")
        if len(self._partial) > MAX_LINE_CHARS:  # flush an over-long line in pieces
            complete.append(self._partial[:MAX_LINE_CHARS] + " …")
            self._partial = ""
        for line in complete:
            self._add(line[:MAX_LINE_CHARS])
        return text

    def _add(self, line: str) -> None:
        if len(self.head) < self._head_lines:
            self.head.append(line)
            return
        if len(self.tail) == self.tail.maxlen:
            self.dropped_lines += 1
        self.tail.append(line)

    def close(self) -> None:
        self._partial += self._decoder.decode(b"", final=True)
        if self._partial:
            self._add(self._partial[:MAX_LINE_CHARS])
            self._partial = ""
        if self._file is not None:
            self._file.close()
            self._file = None

    def text(self) -> str:
        lines = list(self.head)
        if self.dropped_lines:
            where = f"; full output in {self.saved_path}" if self.saved_path else ""
            lines.append(f"[… {self.dropped_lines} lines omitted{where} …]")
        lines.extend(self.tail)
        return "\n".join(lines)
