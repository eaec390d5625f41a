"""`lamtui train --from-trajectories`: the user's own sessions as training data.

What is new since the last such training (trajectories not used yet, by id) decides
whether there is anything to do. Approved, successful trajectories are supervised
examples (train.trajectories); rejections and edits are preference pairs
(train.preferences). With enough pairs the run is DPO (train.dpo) on them, else
supervised training on the examples (train.loop); the choice and its reason are
reported and recorded. Everything written is redacted again with every stored secret.
The run starts from the current adapter and never changes the default model: guarded
promotion (train.promotion) decides that after an evaluation."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError
from lamtui.paths import get_paths
from lamtui.record.jsonl import ReadReport
from lamtui.record.trajectory import load_trajectories
from lamtui.safety.redact import Redactor, redact_tree
from lamtui.train.build import Card, write
from lamtui.train.examples import Example
from lamtui.train.manifest import write_manifest
from lamtui.train.preferences import (
    MIN_PAIRS_FOR_PREFERENCE,
    PreferencePair,
    choose_method,
    pairs_from_record,
    write_pairs,
)
from lamtui.train.trajectories import from_trajectory

Report = Callable[[str], None]


def state_file() -> Path:
    return get_paths().data_dir / "train" / "from-user" / "used.json"


@dataclass
class UserData:
    """What the trajectory file holds for training, and what of it is new."""

    examples: list[Example] = field(default_factory=list)
    pairs: list[PreferencePair] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)  # trajectories not trained on yet
    new_examples: int = 0
    new_pairs: int = 0
    skipped_lines: int = 0

    @property
    def anything_new(self) -> bool:
        return bool(self.new_examples or self.new_pairs)


def used_ids() -> set[str]:
    try:
        return set(json.loads(state_file().read_text(encoding="utf-8")).get("trajectories", []))
    except (OSError, ValueError, AttributeError):
        return set()


def mark_used(ids: list[str]) -> None:
    """Record the trajectories a completed training used (atomically)."""
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps({"trajectories": sorted(used_ids() | set(ids))}), encoding="utf-8")
    os.replace(tmp, path)


def collect(path: Path | None = None, redactor: Redactor | None = None) -> UserData:
    """Every example and pair in the trajectory file, redacted; a corrupt line is counted."""
    redact = redactor or Redactor()
    used = used_ids()
    data = UserData()
    report = ReadReport()
    for record in load_trajectories(path, report):
        record_id = str(record.get("id") or "")
        new = record_id not in used
        example = from_trajectory(record)
        pairs = pairs_from_record(record, redact)
        if example is not None:
            data.examples.append(Example.from_dict(redact_tree(example.to_dict(), redact)))
            data.new_examples += new
        data.pairs += pairs
        data.new_pairs += len(pairs) if new else 0
        if new and (example is not None or pairs):
            data.new_ids.append(record_id)
    data.skipped_lines = report.skipped
    return data


def summary(data: UserData) -> str:
    skipped = f"; {data.skipped_lines} corrupt line(s) skipped" if data.skipped_lines else ""
    return (
        f"{data.new_examples} new approved trajectories and {data.new_pairs} new preference "
        f"pairs since the last training ({len(data.examples)} and {len(data.pairs)} in all)"
        f"{skipped}"
    )


@dataclass
class LearnJob:
    model: Path  # the base GGUF
    out: Path
    init: Path | None  # the current adapter: training goes on from it
    name: str = "lamtui-user"
    min_pairs: int = MIN_PAIRS_FOR_PREFERENCE
    max_minutes: float = 0.0
    epochs: float = 0.0  # 0: the method's default
    lr: float = 0.0  # 0: the method's default
    top_layers: int = 0


def learn(job: LearnJob, data: UserData, report: Report) -> dict[str, Any]:
    """Train on the user's data; returns the new adapter's manifest (method and why in it).
    Raises LamtuiError when there is nothing new: training then does nothing."""
    if not data.anything_new:
        raise LamtuiError(
            f"nothing to learn: {summary(data)}",
            "approve, reject or edit some actions first (lamtui run, or the app)",
        )
    method, why = choose_method(len(data.pairs), job.min_pairs)
    if method == "sft" and not data.examples:
        raise LamtuiError(
            f"nothing to learn supervised: {why}, and no approved, successful trajectory",
            "more sessions (or rejections) are needed",
        )
    report(f"method: {method.upper()} ({why})")
    job.out.mkdir(parents=True, exist_ok=True)
    manifest = _dpo(job, data, report) if method == "dpo" else _sft(job, data, report)
    manifest.update(method=method, method_reason=why, trajectories=len(data.new_ids))
    write_manifest(job.out / f"{job.name}.gguf", manifest)
    mark_used(data.new_ids)
    return manifest


def _dpo(job: LearnJob, data: UserData, report: Report) -> dict[str, Any]:
    from lamtui.train.dpo import DpoJob, DpoRecipe, run_dpo

    write_pairs(data.pairs, job.out / "pairs.jsonl")  # what was trained on, for the record
    recipe = DpoRecipe(max_minutes=job.max_minutes, top_layers=job.top_layers)
    if job.epochs:
        recipe.epochs = job.epochs
    if job.lr:
        recipe.lr = job.lr
    dpo = DpoJob(job.model, data.pairs, job.out, recipe, job.name, job.init, data.examples)
    return run_dpo(dpo, report)


def _sft(job: LearnJob, data: UserData, report: Report) -> dict[str, Any]:
    from lamtui.train.loop import TrainJob, run
    from lamtui.train.trainer import Recipe

    folder = job.out / "data"
    write(folder, data.examples, Card())
    recipe = Recipe(
        lr=job.lr or 5e-4, epochs=job.epochs or 2.0, warmup=2, max_minutes=job.max_minutes,
        top_layers=job.top_layers, checkpoint_every=100,
    )  # fmt: skip
    return run(TrainJob(job.model, folder, job.out, recipe, name=job.name, init=job.init), report)
