"""Where `lamtui train explore` keeps its state, so that an interrupted run resumes.

Layout (under data_dir/train/explore):
  RUN_ID/state.json             the run: options, base, start and current adapters, the
                                slice, and each round's phase and counts; replaced
                                atomically (temp file, fsync, rename) after every change
  RUN_ID/baseline.jsonl         the starting adapter's validation, a line per task
  RUN_ID/round-NNN/attempts.jsonl   a line per attempted pool task (appended, fsynced)
  RUN_ID/round-NNN/examples.jsonl   the round's new training examples
  RUN_ID/round-NNN/data/        train.jsonl (every example of the run so far) + card.json
  RUN_ID/round-NNN/train/       the trainer's folder: checkpoint/, ADAPTER.gguf (+ .json)
  RUN_ID/round-NNN/validation.jsonl the candidate's validation, a line per task
A round's phases run in order: attempt → train → validate → done. A run whose status
is "running" is resumed by the next `explore` (finished tasks are not run again, a
training checkpoint is resumed); the default adapter only changes at the very end of a
round, after its validation completed."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError
from lamtui.paths import get_paths
from lamtui.record.jsonl import append_record, read_records

STATE = "state.json"
FORMAT = 1
PHASES = ("attempt", "train", "validate", "done")


def explore_root() -> Path:
    return get_paths().data_dir / "train" / "explore"


@contextmanager
def exclusive() -> Iterator[None]:
    """One explore at a time: two would resume the same run and both append to it. The
    lock is the kernel's (flock), so a killed run never leaves a stale one behind."""
    root = explore_root()
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            raise LamtuiError(
                f"another lamtui train explore is running (process {pid})",
                "wait for it to finish, or stop it (Ctrl+C); running this again resumes it",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield


@dataclass
class RoundState:
    n: int
    tasks: list[str]  # the pool task ids this round attempts, in order
    phase: str = "attempt"
    attempted: int = 0
    verified: int = 0
    added: int = 0
    candidate: str = ""  # the trained adapter's path, once trained
    score: dict[str, Any] | None = None  # the candidate's SliceScore
    promoted: bool = False  # became the default
    kept: bool = False  # became the run's current adapter (what the next round trains on)
    reason: str = ""  # why it was (not) kept, or why nothing was trained
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class ExploreState:
    run_id: str
    options: dict[str, Any]
    base: dict[str, str]  # name, path, sha256
    entry: str  # the catalog entry whose default adapter a better round replaces ("": none)
    start: dict[str, Any]  # adapter, name
    current: dict[str, Any]  # adapter, name, score (None until the baseline is measured)
    slice: dict[str, Any]  # id, tasks
    rounds: list[RoundState] = field(default_factory=list)
    status: str = "running"  # running | finished
    stopped: str = ""  # why the run ended
    created: float = field(default_factory=time.time)
    format: int = FORMAT

    @property
    def folder(self) -> Path:
        return explore_root() / self.run_id

    def round_dir(self, n: int) -> Path:
        return self.folder / f"round-{n:03d}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> ExploreState:
        rounds = [RoundState(**r) for r in data.get("rounds", [])]
        fields = ExploreState.__dataclass_fields__
        rest = {k: v for k, v in data.items() if k in fields and k != "rounds"}
        return ExploreState(**rest, rounds=rounds)


def save(state: ExploreState) -> None:
    """Atomically: a reader (or a crash) sees the old state or the new one, never half."""
    state.folder.mkdir(parents=True, exist_ok=True)
    target = state.folder / STATE
    tmp = target.with_name(f"{STATE}.{os.getpid()}.part")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(state.to_dict(), indent=2) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def load(folder: Path) -> ExploreState:
    path = folder / STATE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = ExploreState.from_dict(data)
    except (OSError, ValueError, TypeError) as exc:
        raise LamtuiError(
            f"the explore state {path} cannot be read ({type(exc).__name__}: {exc})",
            "start a new run with --fresh",
        ) from None
    if state.format != FORMAT:
        raise LamtuiError(f"{path} is from another lamtui version", "start over with --fresh")
    return state


def unfinished() -> ExploreState | None:
    """The newest run that has not finished, to resume."""
    root = explore_root()
    if not root.is_dir():
        return None
    runs = sorted(p for p in root.iterdir() if (p / STATE).is_file())
    for folder in reversed(runs):
        try:
            state = load(folder)
        except LamtuiError:
            continue  # another version's (or a hand-edited) state: not one to resume
        if state.status == "running":
            return state
    return None


def new_run_id() -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    taken = explore_root() / stamp
    return stamp if not taken.exists() else f"{stamp}-{os.getpid()}"


def lines(path: Path) -> list[dict[str, Any]]:
    """The records of a per-task file (a torn last line from a crash is skipped)."""
    return list(read_records(path))


def append(path: Path, record: dict[str, Any]) -> None:
    append_record(path, record)
