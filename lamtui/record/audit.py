"""The audit log: one append-only JSONL record per proposal, assessment, decision,
execution and result — flushed and fsynced each time (record/jsonl.py), redacted first."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lamtui.paths import get_paths
from lamtui.record.jsonl import ReadReport, append_record, plain, read_records
from lamtui.safety.redact import Redactor as PatternRedactor
from lamtui.safety.redact import redact_tree

Redactor = Callable[[str], str]


class AuditLog:
    def __init__(self, path: Path | None = None, redact: Redactor | None = None) -> None:
        self.path = path or get_paths().audit_log
        # Never unredacted: without the secret store's redactor, credential patterns.
        self.redact: Redactor = redact or PatternRedactor()

    def write(self, kind: str, task_id: str, **data: Any) -> None:
        record = {"ts": time.time(), "kind": kind, "task_id": task_id, **data}
        append_record(self.path, redact_tree(plain(record), self.redact))


def read_audit(
    path: Path | None = None, task_id: str | None = None, report: ReadReport | None = None
) -> Iterator[dict[str, Any]]:
    for record in read_records(path or get_paths().audit_log, report):
        if task_id is None or str(record.get("task_id", "")).startswith(task_id):
            yield record
