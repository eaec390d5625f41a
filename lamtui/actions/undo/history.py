"""A task's undo history: which task, which steps, in what order, and the listing.

Undoing one step alone is refused while a later, not yet undone step of the same task
touched the same paths (or may have: it was too large to snapshot): undoing the later
steps first, or the whole task, is the safe order. Steps are marked undone, so undo is
idempotent."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from lamtui.actions.undo.manifest import (
    STEP_DIR,
    TASK_ID,
    Manifest,
    check_task_id,
    load_steps,
    save_manifest,
)
from lamtui.actions.undo.reports import RestoreReport
from lamtui.actions.undo.restore import StepUndo
from lamtui.actions.undo.state import under
from lamtui.errors import LamtuiError
from lamtui.paths import get_paths


def _root(root: Path | None) -> Path:
    return Path(root) if root is not None else get_paths().undo_dir


def _task_dirs(base: Path) -> list[Path]:
    try:
        return [p for p in base.iterdir() if p.is_dir() and TASK_ID.fullmatch(p.name)]
    except OSError:
        return []


def _last_time(task_dir: Path) -> float:
    """When the task last changed something (undoing it does not make it newer)."""
    loaded, _ = load_steps(task_dir)
    times = [t for m in loaded.values() for t in (m.created, m.finished) if t]
    if times:
        return max(times)
    try:
        return task_dir.stat().st_mtime
    except OSError:
        return 0.0


def _has_steps(task_dir: Path) -> bool:
    try:
        return any(STEP_DIR.fullmatch(name) for name in os.listdir(task_dir))
    except OSError:
        return False


def _pick_task(base: Path, task_id: str | None) -> Path:
    if task_id is not None:
        task_dir = base / check_task_id(task_id)
        if not task_dir.is_dir():
            raise LamtuiError(f"no undo data for task {task_id}", hint="see `lamtui undo --list`")
        return task_dir
    candidates = [d for d in _task_dirs(base) if _has_steps(d)]
    if not candidates:
        raise LamtuiError("nothing to undo: no task has undo data")
    return max(candidates, key=_last_time)


def _conflicts(target: Manifest, later: list[Manifest]) -> list[int]:
    """Later steps that changed (or may have changed) what target changed."""
    mine = target.changed_paths()
    steps = []
    for m in later:
        theirs = m.changed_paths()
        areas = m.unknown_areas()
        if mine & theirs or any(under(p, a) for p in mine for a in areas):
            steps.append(m.step)
    return steps


def _targets(loaded: dict[int, Manifest], step: int | None, task: str) -> list[Manifest]:
    pending = sorted((m for m in loaded.values() if m.undone is None), key=lambda m: -m.step)
    if step is None:
        return pending
    if step not in loaded:
        raise LamtuiError(f"task {task} has no undo data for step {step}")
    if loaded[step].undone is not None:
        return []
    conflicts = _conflicts(loaded[step], [m for m in pending if m.step > step])
    if conflicts:
        raise LamtuiError(
            f"step {step} of task {task} cannot be undone on its own: later step(s) "
            f"{', '.join(map(str, sorted(conflicts)))} changed the same files",
            hint="undo those steps first, or the whole task",
        )
    return [loaded[step]]


def undo(
    task_id: str | None = None, step: int | None = None, root: Path | None = None
) -> RestoreReport:
    """Put back what a task changed: by default the most recent task with undo data (even
    when it is already undone: undo twice does nothing the second time), all its steps,
    newest first. With step, only that step (see the module docstring for when it is
    refused)."""
    task_dir = _pick_task(_root(root), task_id)
    loaded, broken = load_steps(task_dir)
    report = RestoreReport()
    for name in broken:
        report.skipped.append((name, "no complete undo record (interrupted or damaged); ignored"))
    targets = _targets(loaded, step, task_dir.name)
    if not targets:
        label = task_dir.name if step is None else f"step {step}"
        report.skipped.append((label, "already undone"))
    for manifest in targets:
        StepUndo(manifest, task_dir / "blobs", report).run()
        manifest.undone = time.time()
        save_manifest(task_dir / f"step-{manifest.step}", manifest)
    return report


def list_undoable(root: Path | None = None) -> list[dict[str, Any]]:
    """Every task with undo data, newest last: its steps, their times and file counts."""
    tasks = []
    for task_dir in _task_dirs(_root(root)):
        loaded, broken = load_steps(task_dir)
        if not loaded and not broken:
            continue
        steps = [_step_info(m) for _, m in sorted(loaded.items())]
        tasks.append(
            {
                "task_id": task_dir.name,
                "workspace": next((m.workspace for m in loaded.values()), ""),
                "steps": steps,
                "pending": [s["step"] for s in steps if not s["undone"]],
                "files": sum(s["files"] for s in steps),
                "broken": broken,
                "updated": _last_time(task_dir),
            }
        )
    return sorted(tasks, key=lambda t: t["updated"])


def _step_info(m: Manifest) -> dict[str, Any]:
    return {
        "step": m.step,
        "kind": m.kind,
        "created": m.created,
        "finished": m.finished,
        "undone": m.undone is not None,
        "files": sum(1 for s in m.pre.values() if s.kind != "dir"),
        "skipped": len(m.skipped),
    }
