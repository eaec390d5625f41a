"""`lamtui undo [--task ID] [--step N] [--list]`: put back what a task changed."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("undo", help="restore the files a task changed (default: the last task)")
    p.add_argument("--task", metavar="ID", help="which task (default: the most recent)")
    p.add_argument("--step", type=int, metavar="N", help="only this step of the task")
    p.add_argument("--list", action="store_true", help="list tasks that can be undone")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from lamtui.actions.undo import list_undoable, undo

    if args.list:
        tasks = list_undoable()
        if args.json:
            print(json.dumps(tasks, default=str))
        elif not tasks:
            print("nothing to undo")
        else:
            for task in tasks:
                print(json.dumps(task, default=str))
        return 0
    report = undo(args.task, args.step)
    if args.json:
        print(
            json.dumps(
                {
                    "restored": report.restored,
                    "deleted": report.deleted,
                    "recreated": report.recreated,
                    "skipped": [list(s) for s in report.skipped],
                }
            )
        )
    else:
        print(report.describe())
    return 0
