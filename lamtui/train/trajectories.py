"""Training examples from lamtui's own records: the shipped memory demonstrations, and
the user's trajectories. A finished task whose actions were approved and succeeded is
an imitation example; an action the user rejected stays in the context with the user's
reason (it is not learned), and what was approved after it is the target."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lamtui.agent import prompts
from lamtui.memory.seeds import load_seeds
from lamtui.record.trajectory import load_trajectories
from lamtui.train.examples import Example, Turn, conversation, cwd_for


def from_seeds() -> Iterator[Example]:
    """Each demonstration: request → plan → its actions (unobserved, so no finish)."""
    for seed in load_seeds():
        cwd = cwd_for(seed.id)
        titles = (
            list(seed.plan)
            if len(seed.plan) == len(seed.actions)
            else [prompts.short_title(seed.request)] * len(seed.actions)
        )
        turns = [
            Turn(t, a.thought or f"Use {a.tool}.", a.tool, dict(a.args), observation="exit code 0")
            for t, a in zip(titles, seed.actions, strict=True)
        ]
        turns[-1].observation = None
        messages = conversation(seed.request, prompts.workspace_line(cwd, []), (), turns, None)
        yield Example(
            f"seed-{seed.id}", "memory", "multi" if len(turns) > 1 else turns[0].tool, messages
        )


def workspace_text(record: dict[str, Any]) -> str:
    env = record.get("environment") or {}
    return prompts.workspace_line(
        str(record.get("workspace") or env.get("cwd") or "."), list(env.get("listing") or [])
    )


def from_trajectory(record: dict[str, Any]) -> Example | None:
    """One trajectory as an example, or None when it taught nothing usable."""
    request = str(record.get("request") or "").strip()
    steps = [s for s in record.get("steps") or [] if (s.get("action") or {}).get("tool")]
    if not request or record.get("outcome") != "finished" or not steps:
        return None
    turns: list[Turn] = []
    no_loss: list[int] = []
    summary: str | None = None
    for step in steps:
        decision = step.get("decision") or {}
        action = step.get("executed_action") or step.get("action") or {}
        tool = str(action.get("tool"))
        args = {str(k): str(v) for k, v in (action.get("args") or {}).items()}
        if tool == "finish":
            summary = args.get("summary") or str(record.get("summary") or "")
            break
        if tool == "ask_user":
            return None  # the answer is not part of the environment we can replay
        title = str(step.get("step_title") or prompts.short_title(request))
        observation = str(step.get("observation") or "")
        if decision.get("kind") == "reject":
            if decision.get("by") != "user":
                return None  # denied by the gate: never teach around the gate
            no_loss.append(len(turns))
            turns.append(Turn(title, str(action.get("thought", "")), tool, args, observation))
            continue
        ok = bool((step.get("result") or {}).get("ok", False))
        if not ok:
            return None  # only tasks whose approved actions succeeded
        turns.append(Turn(title, str(action.get("thought", "")), tool, args, observation))
    if summary is None or not turns or len(no_loss) == len(turns):
        return None
    messages = conversation(request, workspace_text(record), (), turns, summary)
    source = "rejection" if no_loss else "trajectory"
    # Assistant turn 0 is the plan; action i is assistant turn i + 1.
    return Example(
        f"traj-{record.get('id')}",
        source,
        "multi" if len(turns) > 1 else turns[0].tool,
        messages,
        {"no_loss": [i + 1 for i in no_loss]},
    )


def from_trajectories(path: Path | None = None) -> Iterator[Example]:
    for record in load_trajectories(path):
        example = from_trajectory(record)
        if example is not None:
            yield example
