"""Guarded promotion (issue 15, item 4): a new adapter becomes the default only after a
completed evaluation on the fixed validation slice that beats the current default's on
the same slice. Otherwise it stays beside the default, with its scores in its manifest.

A `SliceScore` is what an evaluation left: which slice (by the ids of its tasks), how
many tasks were judged and passed, and whether every task of the slice was judged (an
interrupted evaluation is not complete, and never promotes)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lamtui.lam.adapters import entry_adapter, promoted_adapter, set_default
from lamtui.lam.catalog import CatalogEntry


@dataclass(frozen=True)
class SliceScore:
    slice_id: str  # slice_id() of the tasks evaluated on
    tasks: int  # tasks in the slice
    judged: int  # tasks that ran to a verdict (passed or failed)
    passed: int
    completed: bool  # every task of the slice was judged: the evaluation ran to its end
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.passed / self.judged if self.judged else 0.0

    def shown(self) -> str:
        return f"{self.passed}/{self.judged} ({100 * self.rate:.1f}%)"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": round(self.rate, 4)}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> SliceScore:
        fields = SliceScore.__dataclass_fields__
        return SliceScore(**{k: v for k, v in data.items() if k in fields})


def slice_id(task_ids: Sequence[str]) -> str:
    """Which slice a score is on: scores on different slices are never compared."""
    return "pool-val-" + hashlib.sha256("\n".join(task_ids).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str


def decide(candidate: SliceScore | None, current: SliceScore | None) -> Decision:
    """Whether the candidate may replace the current default, and why (not)."""
    if candidate is None or not candidate.completed:
        return Decision(False, "the candidate's evaluation did not complete")
    if current is None or not current.completed:
        return Decision(False, "the current default has no completed evaluation to beat")
    if candidate.slice_id != current.slice_id:
        return Decision(False, "the two evaluations are on different validation slices")
    if candidate.judged == 0 or current.judged == 0:
        return Decision(False, "no validation task could be judged")
    if candidate.rate > current.rate:
        return Decision(True, f"better: {candidate.shown()} against {current.shown()}")
    if candidate.rate < current.rate:
        return Decision(False, f"worse: {candidate.shown()} against {current.shown()}")
    return Decision(False, f"no gain: {candidate.shown()}, the same as the default")


def promote(
    entry: CatalogEntry,
    candidate: Path,
    score: SliceScore | None,
    current: Path,
    current_score: SliceScore | None,
    by: str = "train explore",
) -> Decision:
    """Make `candidate` the entry's default when decide() allows it and `current` is the
    entry's default right now (a default switched meanwhile was not the one measured)."""
    verdict = decide(score, current_score)
    if not verdict.promote:
        return verdict
    if entry_adapter(entry).resolve() != current.resolve():
        return Decision(
            False,
            f"the default of {entry.name} is no longer {current.name}, the adapter this "
            "evaluation beat",
        )
    assert score is not None and current_score is not None  # decide() checked both
    previous = promoted_adapter(entry.name)
    set_default(
        entry.name,
        candidate,
        by=by,
        score=score.to_dict(),
        replaced=str(previous) if previous else "shipped",
        replaced_score=current_score.to_dict(),
    )
    return verdict
