"""Memory exports and imports as JSON lines (`lamtui memory export/import`), and the
timestamp that names backups."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from lamtui.memory.records import Entry, entry_from_json


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)


def read_jsonl(source: IO[str], redact: Callable[[str], str]) -> tuple[list[Entry], list[str]]:
    """Entries from an export, and a description of each line that was not one."""
    entries: list[Entry] = []
    problems: list[str] = []
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            entries.append(entry_from_json(json.loads(line), redact))
        except (ValueError, TypeError) as exc:
            problems.append(f"line {number}: {exc}")
    return entries, problems


def timestamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")
