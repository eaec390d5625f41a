"""The audit log of this session's tasks: every proposal, decision, execution and result
as recorded (redacted) in audit.jsonl."""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from lamtui.record.audit import read_audit


def summarize(record: dict[str, Any]) -> str:
    """One line per record: the fields that say what happened."""
    kind = record.get("kind")
    if kind in ("proposal", "execution"):
        action = record.get("action") or {}
        args = action.get("args") or {}
        detail = args.get("command") or args.get("path") or json.dumps(args)[:80]
        text = f"#{record.get('step')} {action.get('tool')} {detail}"
        if kind == "proposal":
            risk = (record.get("assessment") or {}).get("risk", "?")
            text += f" (risk {risk})"
        elif record.get("risk"):
            text += f" (risk {record['risk']})"
        if record.get("edited"):
            text += " [edited by the user]"
        return text
    if kind == "decision":
        d = record.get("decision") or {}
        reason = f": {d['reason']}" if d.get("reason") else ""
        return f"#{record.get('step')} {d.get('kind')} by {d.get('by')}{reason}"
    if kind == "result":
        r = record.get("result") or {}
        code = r.get("exit_code")
        return f"#{record.get('step')} {'ok' if r.get('ok') else 'failed'}" + (
            f" exit {code}" if code is not None else ""
        )
    if kind == "task_started":
        return str(record.get("request", ""))
    if kind == "task_finished":
        return f"{record.get('outcome')}: {record.get('summary', '')}"
    if kind == "rule_added":
        return str(record.get("rule", ""))
    rest = {k: v for k, v in record.items() if k not in ("ts", "kind", "task_id")}
    return json.dumps(rest, ensure_ascii=False, default=str)[:200]


class AuditScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss_screen", "close")]

    def __init__(self, task_ids: list[str]) -> None:
        super().__init__()
        self.task_ids = set(task_ids)

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        table.border_title = "Audit log (this session)"
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("time", "task", "kind", "what")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        rows = [
            (
                time.strftime("%H:%M:%S", time.localtime(float(r.get("ts", 0)))),
                str(r.get("task_id", ""))[-6:],
                str(r.get("kind", "")),
                summarize(r),
            )
            for r in read_audit()
            if r.get("task_id") in self.task_ids
        ]
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[tuple[str, str, str, str]]) -> None:
        table = self.query_one(DataTable)
        if not rows:
            table.add_row("", "", "", "no audit records for this session yet")
        table.add_rows(rows)
        table.border_subtitle = f"{len(rows)} records"

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)
