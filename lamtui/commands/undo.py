"""`lamtui undo [--task ID] [--step N] [--list] [--json]`: put back what a task changed.
`--list` prints a table (local times, what each step changed); with `--json`, one JSON
object per task and line, for machines."""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

SHOWN_PATHS = 3  # per step in the table; --json lists them all


def register(sub: Any) -> None:
    p = sub.add_parser("undo", help="restore the files a task changed (default: the last task)")
    p.add_argument("--task", metavar="ID", help="which task (default: the most recent)")
    p.add_argument("--step", type=int, metavar="N", help="only this step of the task")
    p.add_argument("--list", action="store_true", help="list tasks that can be undone")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from lamtui.actions.undo import list_undoable, undo

    if args.list:
        tasks = [_with_changes(task) for task in list_undoable()]
        if args.json:
            for task in tasks:
                print(json.dumps(task, default=str, ensure_ascii=False))
        elif not tasks:
            print("nothing to undo")
        else:
            print(format_table(tasks))
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


def _with_changes(task: dict[str, Any]) -> dict[str, Any]:
    """The listing, each step with the paths it changed (relative to the workspace)."""
    from lamtui.actions.undo.manifest import load_steps
    from lamtui.paths import get_paths

    loaded, _ = load_steps(get_paths().undo_dir / task["task_id"])
    steps = []
    for step in task["steps"]:
        manifest = loaded.get(step["step"])
        changed = [] if manifest is None else manifest.changed_paths()
        paths = sorted(_relative(p, manifest.workspace if manifest else "") for p in changed)
        steps.append({**step, "changed": paths})
    return {**task, "steps": steps}


def _relative(path: str, workspace: str) -> str:
    if workspace and (path == workspace or path.startswith(workspace.rstrip("/") + "/")):
        return os.path.relpath(path, workspace)
    return path


def _when(epoch: float | None) -> str:
    if not epoch:
        return "?"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def _clock(epoch: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch else "?" * 8


def _what(step: dict[str, Any]) -> str:
    paths: list[str] = step.get("changed", [])
    if not paths:
        return "nothing changed"
    shown = ", ".join(paths[:SHOWN_PATHS])
    more = f", +{len(paths) - SHOWN_PATHS} more" if len(paths) > SHOWN_PATHS else ""
    return f"{len(paths)} path{'' if len(paths) == 1 else 's'}: {shown}{more}"


def format_table(tasks: list[dict[str, Any]]) -> str:
    """One block per task (oldest first, like the listing): its id, when it last changed
    something, its workspace, then a row per step: time, kind, state, what changed."""
    lines: list[str] = []
    for task in tasks:
        pending = len(task["pending"])
        total = len(task["steps"])
        noun = "step" if total == 1 else "steps"
        state = "all undone" if not pending else f"{pending} of {total} {noun} not undone"
        lines.append(f"{task['task_id']}  {_when(task['updated'])}  {state}")
        if task.get("workspace"):
            lines.append(f"  in {task['workspace']}")
        for step in task["steps"]:
            mark = "undone" if step["undone"] else "      "
            lines.append(
                f"  step {step['step']:<3} {_clock(step['created'])}  {step['kind']:<10} "
                f"{mark}  {_what(step)}"
            )
        for name in task.get("broken", []):
            lines.append(f"  {name}: no complete undo record (interrupted or damaged)")
    lines.append("undo the most recent: lamtui undo · one task: lamtui undo --task ID")
    return "\n".join(lines)
