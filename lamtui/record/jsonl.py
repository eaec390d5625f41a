"""Append-only JSONL files that survive crashes.

Each record is one line, written with a single write() on a file opened in append
mode, then flushed and fsynced. A process killed mid-write can leave at most one torn
last line; readers skip lines that do not parse (and report how many), never fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def plain(record: dict[str, Any]) -> dict[str, Any]:
    """The record as JSON will hold it (objects as their str()), so that a redactor
    applied to its strings sees every string that is written."""
    loaded: dict[str, Any] = json.loads(json.dumps(record, ensure_ascii=False, default=str))
    return loaded


def append_record(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        # A torn line left by an earlier crash must not swallow this record: start on a
        # fresh line if the file does not end with one.
        size = os.fstat(fd).st_size
        if size:
            with path.open("rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    line = "\n" + line
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


class ReadReport:
    def __init__(self) -> None:
        self.skipped = 0


def read_records(path: Path, report: ReadReport | None = None) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                if report is not None:
                    report.skipped += 1
                continue
            if isinstance(record, dict):
                yield record
            elif report is not None:
                report.skipped += 1
