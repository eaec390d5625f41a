"""Memory for an evaluation run: a fresh store in the run's folder holding the shipped
demonstrations (kept disjoint from every suite by a test) and, for the ablation, the
gold demonstrations of one split; recall only, so tasks cannot learn from each other
and a task's result does not depend on the order tasks ran in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamtui.config import MemorySettings
from lamtui.eval.suite import EvalTask, Suite

if TYPE_CHECKING:
    from lamtui.memory.recall import Recall
    from lamtui.memory.store import MemoryStore


class ReadOnlyMemory:
    """The agent's memory interface with writing turned off."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def recall(self, request: str, k: int = 3) -> Recall:
        return self.store.recall(request, k)

    def remember_task(self, record: dict[str, Any]) -> str | None:
        return None

    def remember_rejection(self, action: dict[str, Any], reason: str, request: str) -> str | None:
        return None

    def remember_fact(self, text: str) -> str:
        return ""


def demonstration(suite: Suite, task: EvalTask) -> dict[str, Any] | None:
    """A seed task as the trajectory record memory stores: its request and gold command,
    written relative to the working directory (each sandbox lives somewhere else)."""
    here = Path(".")
    command = suite.gold_command(task, here)
    if command is None:
        return None
    step = {
        "decision": {"kind": "approve", "by": "eval-seed"},
        "result": {"ok": True, "exit_code": 0},
        "executed_action": {
            "thought": "The expert's command for this request.",
            "tool": "shell",
            "args": {"command": command},
            "status": "continue",
            "plan_update": None,
        },
    }
    return {
        "id": f"eval-seed-{task.id}",
        "request": suite.request(task, here),
        "outcome": "finished",
        "steps": [step],
        "plans": [],
        "summary": "gold demonstration",
    }


def open_eval_memory(
    folder: Path, model_path: Path | None, suite: Suite, seed_tasks: list[EvalTask]
) -> tuple[ReadOnlyMemory, int]:
    """The store and how many demonstrations of `seed_tasks` it holds."""
    from lamtui.memory.store import MemoryStore

    store = MemoryStore.open(MemorySettings(enabled=True), model_path, path=folder)
    added = 0
    for task in seed_tasks:
        record = demonstration(suite, task)
        if record is not None and store.remember_task(record):
            added += 1
    return ReadOnlyMemory(store), added
