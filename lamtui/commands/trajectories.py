"""`lamtui trajectories list | show ID | export`: the recorded tasks, and supervised
fine-tuning data made from them."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError
from lamtui.record.jsonl import ReadReport
from lamtui.record.trajectory import chat_examples, load_trajectories, trajectories_file


def register(sub: Any) -> None:
    p = sub.add_parser("trajectories", help="recorded tasks and dataset export")
    tsub = p.add_subparsers(dest="trajectories_command", metavar="ACTION", required=True)
    ls = tsub.add_parser("list", help="list recorded tasks")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=handle_list)
    show = tsub.add_parser("show", help="show one task")
    show.add_argument("id", help="task id (a unique prefix is enough)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=handle_show)
    export = tsub.add_parser("export", help="write fine-tuning examples")
    export.add_argument("--format", choices=["chat-jsonl"], default="chat-jsonl")
    export.add_argument(
        "--include",
        choices=["successful", "approved", "all"],
        default="successful",
        help="which steps become examples (default: approved and succeeded)",
    )
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler=handle_export)


def _load() -> list[dict[str, Any]]:
    report = ReadReport()
    items = list(load_trajectories(report=report))
    if report.skipped:
        print(
            f"lamtui: warning: skipped {report.skipped} damaged line(s) in {trajectories_file()}",
            file=sys.stderr,
        )
    return items


def _find(task_id: str) -> dict[str, Any]:
    matches = [t for t in _load() if str(t.get("id", "")).startswith(task_id)]
    if not matches:
        raise LamtuiError(f"no recorded task matches {task_id!r}", "see `lamtui trajectories list`")
    if len({t["id"] for t in matches}) > 1:
        raise LamtuiError(f"{task_id!r} matches {len(matches)} tasks", "give more of the id")
    return matches[-1]


def handle_list(args: argparse.Namespace) -> int:
    items = _load()
    if args.json:
        print(
            json.dumps(
                [
                    {k: t.get(k) for k in ("id", "request", "outcome", "duration")}
                    | {"steps": len(t.get("steps", []))}
                    for t in items
                ]
            )
        )
        return 0
    if not items:
        print("no recorded tasks yet")
        return 0
    for t in items:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(t.get("started", 0)))
        print(
            f"{t.get('id')}  {when}  {t.get('outcome', '?'):9} "
            f"{len(t.get('steps', [])):3} steps  {str(t.get('request', ''))[:60]}"
        )
    return 0


def handle_show(args: argparse.Namespace) -> int:
    t = _find(args.id)
    if args.json:
        print(json.dumps(t, ensure_ascii=False, indent=2))
        return 0
    print(f"task {t['id']}: {t.get('request')}\noutcome: {t.get('outcome')} — {t.get('summary')}")
    print(f"model: {t.get('model', {}).get('name')}  workspace: {t.get('workspace')}")
    for plan in t.get("plans", []):
        print(f"plan ({plan['reason']}): {plan['plan'].get('goal')}")
    for step in t.get("steps", []):
        decision = step.get("decision") or {}
        print(f"  #{step.get('n')} {step.get('step_title')}: {json.dumps(step.get('action'))}")
        print(
            f"     decision: {decision.get('kind')} by {decision.get('by')}"
            f"{' — ' + decision['reason'] if decision.get('reason') else ''}"
        )
        if step.get("observation"):
            first = str(step["observation"]).splitlines()[0][:100]
            print(f"     observed: {first}")
    return 0


def handle_export(args: argparse.Namespace) -> int:
    count = 0
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for trajectory in _load():
            for example in chat_examples(trajectory, args.include):
                out.write(json.dumps(example, ensure_ascii=False) + "\n")
                count += 1
    finally:
        if args.output:
            out.close()
    print(f"lamtui: exported {count} examples", file=sys.stderr)
    return 0
