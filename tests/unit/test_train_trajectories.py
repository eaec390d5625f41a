"""The user's trajectories as training examples: approved, successful work is learned; a
rejected action stays in the context with the user's reason and is not learned; failed,
gate-denied or unfinished tasks teach nothing."""

from __future__ import annotations

from typing import Any

from lamtui.train.trajectories import from_seeds, from_trajectory

NO_OUTPUT = "exit code 0\n(no output)"


def _step(
    tool: str,
    args: dict[str, str],
    kind: str = "approve",
    by: str = "user",
    ok: bool = True,
    observation: str = NO_OUTPUT,
) -> dict[str, Any]:
    return {
        "step_title": "do it",
        "action": {"thought": "t", "tool": tool, "args": args, "status": "continue"},
        "decision": {"kind": kind, "by": by},
        "result": {"ok": ok},
        "observation": observation,
    }


def _record(*steps: dict[str, Any], outcome: str = "finished") -> dict[str, Any]:
    finish = {"action": {"tool": "finish", "args": {"summary": "Done."}}, "decision": {}}
    return {
        "id": "t1",
        "request": "make run.sh executable",
        "workspace": "/home/u/p",
        "environment": {"cwd": "/home/u/p", "listing": ["run.sh"]},
        "outcome": outcome,
        "steps": [*steps, finish],
    }


def test_an_approved_successful_task_is_an_imitation_example() -> None:
    example = from_trajectory(_record(_step("shell", {"command": "chmod +x run.sh"})))
    assert example is not None and example.source == "trajectory"
    assert example.meta["no_loss"] == []
    assert "Workspace: /home/u/p (1 entries: run.sh)" in example.messages[0].content
    assert '"chmod +x run.sh"' in example.messages[3].content
    assert '"finish"' in example.messages[-1].content


def test_a_rejection_is_context_not_a_target() -> None:
    rejected = _step(
        "shell", {"command": "chmod 777 run.sh"}, kind="reject",
        observation="The user rejected this action: too open. Propose something else.",
    )  # fmt: skip
    example = from_trajectory(_record(rejected, _step("shell", {"command": "chmod u+x run.sh"})))
    assert example is not None and example.source == "rejection"
    assert example.meta["no_loss"] == [1]  # assistant turn 1: the rejected action
    text = "\n".join(m.content for m in example.messages)
    assert "too open" in text and "chmod u+x run.sh" in text


def test_failed_denied_or_unfinished_tasks_teach_nothing() -> None:
    assert from_trajectory(_record(_step("shell", {"command": "x"}, ok=False))) is None
    denied = _step("shell", {"command": "sudo x"}, kind="reject", by="gate")
    assert from_trajectory(_record(denied, _step("shell", {"command": "ls"}))) is None
    assert from_trajectory(_record(_step("shell", {"command": "ls"}), outcome="gave_up")) is None


def test_every_memory_demonstration_becomes_an_example() -> None:
    seeds = list(from_seeds())
    assert len(seeds) == 200
    assert all(s.messages[0].content.startswith("Request: ") for s in seeds)
