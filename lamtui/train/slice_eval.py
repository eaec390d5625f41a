"""Scoring an adapter on the fixed validation slice of the pool: the quick held-back
evaluation every guarded promotion needs (explore's rounds, `lamtui models promote`).

Each task runs as `lamtui eval` runs it (sandboxed, auto-approved, greedy). Results go to
a per-task file, so an interrupted evaluation resumes, and a score counts as completed
only when every task of the slice was judged. Completed scores are remembered by the
adapter file's sha256 (`data/train/slice-scores.json`), so an adapter is measured on a
slice once: the shipped adapter's manifest is never written to."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lamtui.eval.runner import EvalOptions, TaskResult, TaskRunner
from lamtui.lam.base import Backend
from lamtui.lam.filehash import file_sha256
from lamtui.paths import get_paths
from lamtui.record.jsonl import append_record, read_records
from lamtui.train.lineage import slice_score_of
from lamtui.train.pool import PoolSuite, PoolTask, validation_slice
from lamtui.train.promotion import SliceScore, slice_id

Say = Callable[[str], None]


def slice_for(validation: int, max_steps: int) -> tuple[list[PoolTask], str]:
    """The slice's tasks and its id; the id covers the agent's step limit too, since
    scores under other limits are not comparable."""
    tasks = validation_slice(validation)
    return tasks, slice_id([*(t.id for t in tasks), f"max_steps={max_steps}"])


def result_line(result: TaskResult, ok: bool, added: bool) -> dict[str, Any]:
    return {
        "id": result.id,
        "status": result.status,
        "verified": ok,
        "added": added,
        "outcome": result.outcome,
        "steps": result.steps,
        "model_calls": result.model_calls,
        "invalid_outputs": result.invalid_outputs,
        "rejections": result.rejections,
        "seconds": round(result.duration, 1),
        "commands": result.commands,
        "reasons": result.reasons[:3],
    }


def evaluate(
    open_backend: Callable[[], Backend],
    tasks: Sequence[PoolTask],
    sid: str,
    results: Path,
    options: EvalOptions,
    say: Say,
    label: str,
) -> SliceScore:
    """The model `open_backend` gives on the slice; tasks already in `results` are not
    run again (the backend is not even opened when none is left)."""
    done = {line["id"] for line in read_records(results)}
    suite = PoolSuite(list(tasks))
    todo = [t for t in suite.tasks() if t.id not in done]
    started = time.monotonic()
    if todo:
        runner = TaskRunner(suite, open_backend(), options)
        for task in todo:
            result = runner.run(task)
            append_record(results, result_line(result, False, False))
            say(f"validation {label}: {task.id} {result.status}")
    lines = {line["id"]: line for line in read_records(results)}
    ids = [t.id for t in tasks]
    judged = [lines[i] for i in ids if i in lines and lines[i]["status"] != "skipped"]
    return SliceScore(
        slice_id=sid,
        tasks=len(ids),
        judged=len(judged),
        passed=sum(1 for line in judged if line["status"] == "passed"),
        completed=all(i in lines for i in ids),
        seconds=round(time.monotonic() - started, 1),
    )


def _scores_file() -> Path:
    return get_paths().data_dir / "train" / "slice-scores.json"


def _load() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_scores_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def known_score(adapter: Path, sid: str) -> SliceScore | None:
    """A completed score of this adapter file on this slice, from its manifest or from
    an earlier measurement."""
    found = slice_score_of(adapter, sid)
    if found is not None:
        return found
    try:
        entry = _load().get(file_sha256(adapter), {}).get(sid)
    except OSError:
        return None
    if isinstance(entry, dict) and entry.get("completed"):
        return SliceScore.from_dict(entry)
    return None


def remember_score(adapter: Path, score: SliceScore) -> None:
    """Keep a completed score for the next comparison (written whole, then renamed)."""
    if not score.completed:
        return
    data = _load()
    data.setdefault(file_sha256(adapter), {})[score.slice_id] = {
        **score.to_dict(),
        "adapter": adapter.name,
    }
    path = _scores_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(path)
