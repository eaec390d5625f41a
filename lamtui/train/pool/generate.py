"""Drafting pool tasks from the templates, deterministically from a seed.

Each template drafts candidates from its own random.Random seeded with (seed, template,
round); the pool takes their new tasks round-robin over the templates, so the same seed
gives the same pool, every template has its share, and a smaller pool is a prefix of a
larger one. A candidate whose request and fixture equal an earlier one's is dropped.
Which part a task belongs to, training or validation, is a function of its content (its
fingerprint), not of the seed: the same task can never be in both."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from lamtui.errors import LamtuiError
from lamtui.eval.builtin import TaskSpec
from lamtui.train.pool import t_count, t_edit, t_files, t_find, t_report  # noqa: F401
from lamtui.train.pool.base import TEMPLATES, Draft, Step, Template

DEFAULT_SEED = 0
VALIDATION_SEED = 15  # the validation slice is drawn with its own, fixed seed
VALIDATION_SIZE = 60
VALIDATION_EVERY = 10  # one fingerprint in ten belongs to the validation part
PARTS = ("train", "validation")
MAX_MISSES = 400  # candidates in a row with nothing new: the template is exhausted


@dataclass(frozen=True)
class PoolTask:
    """A pool task: the builtin suite's spec (fixture, request, shell solution, checks)
    and a reference solution with the agent's tools."""

    spec: TaskSpec
    template: str
    part: str  # "train" or "validation"
    actions: tuple[Step, ...]
    summary: str  # the finish summary that goes with the actions

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.tool for step in self.actions))


def templates() -> list[Template]:
    return list(TEMPLATES)


def fingerprint(spec: TaskSpec) -> str:
    """What makes a task distinct: its request and its fixture."""
    fixture = {
        "request": spec.request,
        "files": spec.files,
        "dirs": spec.dirs,
        "prepare": spec.prepare,
        "modes": spec.modes,
        "mtimes": spec.mtimes,
    }
    return hashlib.sha256(json.dumps(fixture, sort_keys=True).encode()).hexdigest()


def part_of(print_: str) -> str:
    return "validation" if int(print_[:8], 16) % VALIDATION_EVERY == 0 else "train"


def leaks(spec: TaskSpec) -> bool:
    """Whether a number the task asks for already shows in its fixture (a cell, a minute,
    a version): printing the file would then "find" it, and a trajectory that only did
    that would be verified. Such candidates are not taken."""
    check = spec.check
    numbers = [v for v in [check.answer or "", *check.answer_all, *check.answer_any] if v.isdigit()]
    if not numbers:
        return False
    texts = [*spec.files, *spec.files.values()]
    # As the checker matches answers: a whole token, so 7 is not in 17 nor in 07.
    found = [re.compile(rf"(?<![\w.\-]){v}(?!\w|\.\w|,\d)") for v in numbers]
    return any(pattern.search(text) for pattern in found for text in texts)


def draft_task(template: Template, r: random.Random) -> tuple[PoolTask, str, bool]:
    """One task of `template`, its fingerprint, and whether it is fit for the pool (its
    answer, unless read off a file, does not show in the fixture)."""
    draft: Draft = template.build(r)
    raw = {
        "id": template.name,  # replaced below, once the fingerprint is known
        "split": template.category,
        "request": draft.request,
        "files": draft.files,
        "dirs": draft.dirs,
        "modes": draft.modes,
        "mtimes": draft.mtimes,
        "solution": draft.solution,
        "check": draft.check,
    }
    try:
        spec = TaskSpec.model_validate(raw)
    except ValidationError as exc:  # a bug in the template, not the user's input
        raise ValueError(f"pool template {template.name}: {exc}") from None
    print_ = fingerprint(spec)
    spec = spec.model_copy(update={"id": f"{template.name}-{print_[:10]}"})
    task = PoolTask(spec, template.name, part_of(print_), tuple(draft.actions), draft.summary)
    return task, print_, draft.read_off or not leaks(spec)


def _stream(template: Template, seed: int, part: str, seen: set[str]) -> Iterator[PoolTask]:
    """The template's new tasks of one part, in a fixed order; it ends when MAX_MISSES
    candidates in a row bring nothing new (the template is exhausted)."""
    misses = 0
    for round_ in itertools.count():
        r = random.Random(f"pool:{seed}:{template.name}:{round_}")
        task, print_, fit = draft_task(template, r)
        if print_ in seen or task.part != part or not fit:
            misses += 1
            if misses >= MAX_MISSES:
                return
            continue
        misses = 0
        seen.add(print_)
        yield task


def generate_pool(count: int, seed: int = DEFAULT_SEED, part: str = "train") -> list[PoolTask]:
    """`count` distinct tasks of one part, round-robin over the templates (so every
    template has its share, and a smaller pool is a prefix of a larger one)."""
    if count < 0:
        raise LamtuiError(f"the pool size cannot be negative (got {count})")
    if part not in PARTS:
        raise LamtuiError(f"the pool has no part {part!r}", hint=f"one of {', '.join(PARTS)}")
    seen: set[str] = set()
    streams = [_stream(t, seed, part, seen) for t in TEMPLATES]
    tasks: list[PoolTask] = []
    while len(tasks) < count:
        if not streams:
            raise LamtuiError(f"the pool ran out of distinct {part} tasks at {len(tasks)}")
        for stream in list(streams):
            task = next(stream, None)
            if task is None:
                streams.remove(stream)
            elif len(tasks) < count:
                tasks.append(task)
    return tasks


def validation_slice(count: int = VALIDATION_SIZE) -> list[PoolTask]:
    """The fixed validation slice: the same tasks on every call, none of them ever in a
    training pool (whatever its seed)."""
    return generate_pool(count, VALIDATION_SEED, part="validation")


def one_per_template(seed: int = DEFAULT_SEED) -> list[PoolTask]:
    """The first training task of every template, in template order."""
    return generate_pool(len(TEMPLATES), seed)
