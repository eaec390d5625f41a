"""`lamtui log [--task ID] [--json]`: the audit log."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from lamtui.paths import get_paths
from lamtui.record.audit import read_audit
from lamtui.record.jsonl import ReadReport


def register(sub: Any) -> None:
    p = sub.add_parser("log", help="show the audit log of proposals, decisions and results")
    p.add_argument("--task", metavar="ID", help="only this task (a unique prefix is enough)")
    p.add_argument("--json", action="store_true", help="the raw JSONL records")
    p.set_defaults(handler=handle)


def _line(record: dict[str, Any]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.get("ts", 0)))
    kind = record.get("kind", "?")
    step = f"#{record['step']} " if "step" in record else ""
    detail = ""
    if kind == "proposal":
        action = record.get("action", {})
        detail = (
            f"{action.get('tool')} {json.dumps(action.get('args'))} -> "
            f"{record.get('assessment', {}).get('decision')} "
            f"({record.get('assessment', {}).get('risk')})"
        )
    elif kind == "decision":
        d = record.get("decision", {})
        detail = f"{d.get('kind')} by {d.get('by')}" + (
            f": {d['reason']}" if d.get("reason") else ""
        )
    elif kind == "result":
        r = record.get("result", {})
        detail = (
            f"{'ok' if r.get('ok') else 'failed'} exit={r.get('exit_code')} "
            f"{r.get('duration', 0):.2f}s"
        )
    elif kind == "task_started":
        detail = str(record.get("request", ""))[:80]
    elif kind == "task_finished":
        detail = f"{record.get('outcome')}: {str(record.get('summary', ''))[:80]}"
    else:
        detail = json.dumps(
            {k: v for k, v in record.items() if k not in ("ts", "kind", "task_id")}
        )[:100]
    return f"{when} {record.get('task_id', '')} {step}{kind}: {detail}"


def handle(args: argparse.Namespace) -> int:
    report = ReadReport()
    count = 0
    for record in read_audit(task_id=args.task, report=report):
        print(json.dumps(record, ensure_ascii=False) if args.json else _line(record))
        count += 1
    if report.skipped:
        print(
            f"lamtui: warning: skipped {report.skipped} damaged line(s) in "
            f"{get_paths().audit_log} (e.g. a crash mid-write)",
            file=sys.stderr,
        )
    if not count and not args.json:
        print("the audit log is empty" + (f" for task {args.task}" if args.task else ""))
    return 0
