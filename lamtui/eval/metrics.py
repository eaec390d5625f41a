"""Per-run numbers from per-task results: the paper's and InterCode's metrics."""

from __future__ import annotations

from statistics import mean
from typing import Any

from lamtui.eval.runner import TaskResult


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: list[float]) -> float | None:
    return round(mean(values), 3) if values else None


def summarize(results: list[TaskResult]) -> dict[str, Any]:
    """Skipped tasks count nowhere but in `skipped`: never as passed, never as failed."""
    ran = [r for r in results if r.status != "skipped"]
    passed = sum(r.success for r in ran)
    judged_steps = [r.first_action_success for r in ran if r.first_action_success is not None]
    latencies = [x for r in ran for x in r.step_latencies]
    tokens = sum(r.completion_tokens for r in ran)
    seconds = sum(r.generation_seconds for r in ran)
    calls = sum(r.model_calls for r in ran)
    invalid = sum(r.invalid_outputs for r in ran)
    return {
        "tasks": len(results),
        "ran": len(ran),
        "passed": passed,
        "failed": sum(r.status == "failed" for r in ran),
        "errors": sum(r.status == "error" for r in ran),
        "skipped": len(results) - len(ran),
        "task_success_rate": _rate(passed, len(ran)),
        "step_success_rate": _rate(sum(judged_steps), len(judged_steps)),
        "step_judged": len(judged_steps),
        "avg_steps": _mean([float(r.steps) for r in ran]),
        "avg_completion_seconds": _mean([r.duration for r in ran]),
        "avg_step_latency_seconds": _mean(latencies),
        "tokens_per_second": round(tokens / seconds, 1) if seconds > 0 else None,
        "invalid_action_rate": _rate(invalid, calls + invalid),
        "gate_rejections": sum(r.rejections for r in ran),
        "timeouts": sum(r.timed_out for r in ran),
        "memory_items_per_task": _mean([float(r.memory_items) for r in ran]),
    }


def by_split(results: list[TaskResult]) -> dict[str, dict[str, Any]]:
    splits: dict[str, list[TaskResult]] = {}
    for r in results:
        splits.setdefault(r.split, []).append(r)
    return {name: summarize(group) for name, group in splits.items()}


def skipped(results: list[TaskResult]) -> list[dict[str, str]]:
    return [{"id": r.id, "reason": "; ".join(r.reasons)} for r in results if r.status == "skipped"]
