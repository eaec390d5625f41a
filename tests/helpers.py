"""Helpers only the tests and the benchmarks use; the product code does not need them.

- `collect`: drain a backend's stream to its result.
- `generate_structured`: drain `lam.structured.stream_structured` to its value.
- `action_messages`: a single-action prompt (no plan of the model's own) for runtime tests.
- `run_tasks`: run an eval suite's tasks one after another through a `TaskRunner`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from lamtui.agent.prompts import EXAMPLES, PLAN_CUE, SYSTEM, step_cue
from lamtui.eval.runner import TaskResult, TaskRunner
from lamtui.eval.suite import EvalTask
from lamtui.lam.base import Backend, GenerationResult, Message, StreamItem
from lamtui.lam.structured import Structured, stream_structured

T = TypeVar("T")


def collect(stream: Iterator[StreamItem]) -> GenerationResult:
    """Drain a stream and return its result (for callers that do not need the tokens)."""
    for item in stream:
        if isinstance(item, GenerationResult):
            return item
    raise RuntimeError("backend stream ended without a result")


def generate_structured(
    backend: Backend,
    messages: list[Message],
    schema: dict[str, Any],
    parse: Callable[[str], T],
    **kwargs: Any,
) -> Structured[T]:
    """Drain stream_structured and return its value."""
    for item in stream_structured(backend, messages, schema, parse, **kwargs):
        if isinstance(item, Structured):
            return item
    raise RuntimeError("structured stream ended without a value")


def action_messages(request: str, environment: str) -> list[Message]:
    """A single-action prompt (no plan): used by tests and benchmarks of the runtime."""
    goal = "Do what was asked"
    plan = json.dumps({"goal": goal, "subtasks": [{"title": goal, "steps": [request]}]})
    return [
        Message("system", SYSTEM),
        *EXAMPLES,
        Message("user", f"Request: {request}\n{environment}\n{PLAN_CUE}"),
        Message("assistant", plan),
        Message("user", step_cue(1, 1, request)),
    ]


def run_tasks(
    runner: TaskRunner,
    tasks: list[EvalTask],
    progress: Callable[[int, int, TaskResult], None] | None = None,
) -> list[TaskResult]:
    results: list[TaskResult] = []
    for n, task in enumerate(tasks, 1):
        result = runner.run(task)
        results.append(result)
        if progress is not None:
            progress(n, len(tasks), result)
    return results
