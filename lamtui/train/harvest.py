"""Exploration's training data: the trajectory of a pool task the LAM solved by itself.

The evaluation harness runs each task in a temporary folder and deletes it; the agent
hands a finished task's record to its memory (`AgentMemory.remember_task`), so the
explorer gives the harness a `Harvest`: a memory that recalls nothing (the prompts stay
exactly as in `lamtui eval`) and keeps the last finished record. A record becomes an
example, rendered like every other training example (train.trajectories), only when the
checker verified the task and no action was rejected by the gate or the harness; the
sandbox's temporary path is replaced by a stable working folder and secrets are
redacted again before anything is written."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from lamtui.eval.runner import TaskResult
from lamtui.memory.recall import Recall
from lamtui.safety.redact import Redactor, redact_tree
from lamtui.train.examples import Example, cwd_for
from lamtui.train.trajectories import from_trajectory

SOURCE = "explore"


class Harvest:
    """The agent's memory interface for exploration: no recall, and the record of the
    task that finished last (taken once by the explorer after each task)."""

    def __init__(self) -> None:
        self._last: dict[str, Any] | None = None

    def recall(self, request: str, k: int = 3) -> Recall:
        return Recall()

    def remember_task(self, record: dict[str, Any]) -> str | None:
        self._last = record
        return None

    def remember_rejection(self, action: dict[str, Any], reason: str, request: str) -> str | None:
        return None

    def remember_fact(self, text: str) -> str:
        return ""

    def take(self) -> dict[str, Any] | None:
        record, self._last = self._last, None
        return record


def _relocate(record: dict[str, Any], cwd: str) -> dict[str, Any]:
    """The record as if the task had run in `cwd`: the sandbox's temporary path (which
    names the task) would otherwise be learned."""
    root = str(record.get("workspace") or "")
    forms = sorted({root, os.path.realpath(root)} - {"", "/"}, key=len, reverse=True)

    def move(text: str) -> str:
        for form in forms:
            text = text.replace(form, cwd)
        return text

    moved: dict[str, Any] = redact_tree(record, move)
    return moved


def verified(result: TaskResult, record: dict[str, Any] | None) -> bool:
    """The checker passed the task, the agent finished it, and nothing was rejected."""
    return (
        result.success
        and result.rejections == 0
        and record is not None
        and record.get("outcome") == "finished"
    )


def to_example(task_id: str, record: dict[str, Any]) -> Example | None:
    """The training example of a verified task's record, or None when it teaches
    nothing usable (train.trajectories' rules: no gate-denied step, no failed step)."""
    cwd = cwd_for(task_id)
    clean = redact_tree(_relocate(record, cwd), Redactor().redact)
    clean["workspace"] = cwd
    example = from_trajectory(clean)
    if example is None:
        return None
    example.id = f"{SOURCE}-{task_id}"
    example.source = SOURCE
    example.meta = {**example.meta, "task": task_id, "key": content_key(example)}
    return example


def content_key(example: Example) -> str:
    """Two examples with the same messages teach the same thing once."""
    text = json.dumps([[m.role, m.content] for m in example.messages])
    return hashlib.sha256(text.encode()).hexdigest()[:16]
