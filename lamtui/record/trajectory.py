"""Trajectories: the paper's data collection. One record per task, appended to
trajectories.jsonl when the task ends: the request, the environment, every plan
revision, and per step the state the model saw, its raw output, the parsed action,
the decision and who made it, the observation, timings and token counts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui import __version__
from lamtui.lam.base import Message
from lamtui.paths import get_paths
from lamtui.record.jsonl import ReadReport, append_record, plain, read_records
from lamtui.safety.redact import Redactor as PatternRedactor
from lamtui.safety.redact import redact_tree

FILE_NAME = "trajectories.jsonl"
Redactor = Callable[[str], str]


def trajectories_file() -> Path:
    return get_paths().trajectories_dir / FILE_NAME


@dataclass
class TrajectoryRecorder:
    task_id: str
    request: str
    workspace: str
    model: dict[str, Any]
    # Never unredacted: without the secret store's redactor, credential patterns.
    redact: Redactor = field(default_factory=PatternRedactor)
    environment: dict[str, Any] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    model_calls: list[dict[str, Any]] = field(default_factory=list)
    memory: list[dict[str, Any]] = field(default_factory=list)  # memories given to the model
    started: float = field(default_factory=time.time)

    def plan(self, plan: dict[str, Any], reason: str) -> None:
        self.plans.append({"reason": reason, "plan": plan, "ts": time.time()})

    def model_call(
        self,
        phase: str,
        prompt_messages: int,
        raw: str,
        attempts: int,
        stats: dict[str, Any],
        failures: list[dict[str, Any]],
    ) -> None:
        self.model_calls.append(
            {
                "phase": phase,
                "prompt_messages": prompt_messages,
                "raw_output": raw,
                "attempts": attempts,
                "tokens": stats,
                "invalid_outputs": failures,
            }
        )

    def step(self, record: dict[str, Any]) -> None:
        self.steps.append(record)

    def build(self, messages: list[Message], outcome: str, summary: str) -> dict[str, Any]:
        """The task's whole record, redacted."""
        record = {
            "id": self.task_id,
            "format": 1,
            "lamtui_version": __version__,
            "started": self.started,
            "finished": time.time(),
            "duration": time.time() - self.started,
            "request": self.request,
            "workspace": self.workspace,
            "environment": self.environment,
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "plans": self.plans,
            "model_calls": self.model_calls,
            "steps": self.steps,
            "memory": self.memory,
            "outcome": outcome,
            "summary": summary,
        }
        redacted: dict[str, Any] = redact_tree(plain(record), self.redact)
        return redacted

    def save(self, record: dict[str, Any], path: Path | None = None) -> str:
        append_record(path or trajectories_file(), record)
        return self.task_id


class TrajectoryLog:
    """Where task trajectories go: a recorder per task, the finished record appended to
    trajectories.jsonl. With keep=False records are still built (memory learns a
    finished task from its record) but none is written."""

    def __init__(
        self, redact: Redactor | None = None, path: Path | None = None, keep: bool = True
    ) -> None:
        # Never unredacted: without the secret store's redactor, credential patterns.
        self.redact: Redactor = redact or PatternRedactor()
        self.path = path  # None: the data dir's file, looked up when a record is saved
        self.keep = keep

    def start(
        self,
        task_id: str,
        request: str,
        workspace: str,
        model: dict[str, Any],
        environment: dict[str, Any],
    ) -> TrajectoryRecorder:
        return TrajectoryRecorder(
            task_id, request, workspace, model, redact=self.redact, environment=environment
        )

    def save(self, recorder: TrajectoryRecorder, record: dict[str, Any]) -> str:
        """Append the record; its id, or "" when records are not kept."""
        if not self.keep:
            return ""
        return recorder.save(record, self.path)


def load_trajectories(
    path: Path | None = None, report: ReadReport | None = None
) -> Iterator[dict[str, Any]]:
    yield from read_records(path or trajectories_file(), report)


def _keep_step(step: dict[str, Any], include: str) -> bool:
    if include == "all":
        return True
    decision = step.get("decision") or {}
    approved = decision.get("kind") in ("approve", "edit")
    if include == "approved":
        return approved
    tool = (step.get("executed_action") or step.get("action") or {}).get("tool")
    if tool in ("finish", "ask_user"):
        return approved  # nothing to run: the model's own turn
    # Succeeded means it ran and worked: a step with no result never ran.
    result = step.get("result") or {}
    return approved and result.get("ok") is True


def chat_examples(
    trajectory: dict[str, Any],
    include: str = "successful",
) -> Iterator[dict[str, Any]]:
    """Supervised pairs (state -> action) in the chat-messages format. The label is the
    action that was actually run: the user's edit when they corrected the model."""
    messages = trajectory.get("messages") or []
    for step in trajectory.get("steps") or []:
        if not _keep_step(step, include):
            continue
        k = int(step.get("prompt_messages", 0))
        if k <= 0 or k > len(messages):
            continue
        label = step.get("executed_action") or step.get("action")
        if not label:
            continue
        yield {
            "messages": [
                *messages[:k],
                {"role": "assistant", "content": json.dumps(label, ensure_ascii=False)},
            ],
            "metadata": {
                "trajectory": trajectory.get("id"),
                "step": step.get("n"),
                "outcome": trajectory.get("outcome"),
                "edited_by_user": bool(
                    step.get("executed_action")
                    and step.get("executed_action") != step.get("action")
                ),
            },
        }
