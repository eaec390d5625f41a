"""Training conversations, rendered with the agent's own prompt builders (agent.prompts):
the compact task message, the plan, the step cue, the action, the observation and the
finish. Each example is a list of messages whose assistant turns are the targets."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lamtui.agent import prompts
from lamtui.contract.result import ActionResult
from lamtui.lam.base import Message

CWDS = (
    "/home/ana/project",
    "/home/sam/work",
    "/srv/app",
    "/home/lee/notes",
    "/tmp/job",
    "/home/kim/code/site",
    "/opt/service",
    "/home/dev/repo",
)
MAX_SUMMARY = 200
MAX_OBSERVATION_LINES = 30


@dataclass
class Example:
    id: str
    source: str  # nl2bash, tldr, template, memory, trajectory, rejection
    kind: str  # shell, read_file, write_file, edit_file, list_dir, multi
    messages: list[Message]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "kind": self.kind,
            "messages": [{"role": m.role, "content": m.content} for m in self.messages],
            "meta": self.meta,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Example:
        messages = [Message(m["role"], m["content"]) for m in data["messages"]]
        return Example(data["id"], data["source"], data["kind"], messages, data.get("meta", {}))


def cwd_for(key: str) -> str:
    return CWDS[int(hashlib.sha1(key.encode()).hexdigest()[:4], 16) % len(CWDS)]


def program(command: str) -> str:
    for word in re.split(r"\s+", command.strip()):
        if word and "=" not in word and word not in ("sudo", "env", "time", "nohup"):
            return word.rsplit("/", 1)[-1]
    return "bash"


def answer_summary(result: ActionResult) -> str | None:
    """The finish summary for an observed result: the answer itself when the output is
    short, a plain statement otherwise; None when the result should not be finished on."""
    if not result.ok or result.timed_out:
        return None
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    if len(lines) > MAX_OBSERVATION_LINES:
        return None
    if not lines:
        return "Done."
    if len(lines) <= 3 and sum(len(line) for line in lines) <= MAX_SUMMARY:
        return "; ".join(lines)
    return f"Done; the output has {len(lines)} lines, shown above."


@dataclass
class Turn:
    """One action of a task, with what the agent observed after it."""

    title: str
    thought: str
    tool: str
    args: dict[str, str]
    observation: str | None = None  # None: the example ends after this action
    failed: bool = False


def conversation(
    request: str,
    workspace: str,
    examples: Sequence[tuple[str, str]],
    turns: Sequence[Turn],
    summary: str | None,
    goal: str | None = None,
) -> list[Message]:
    """The messages the agent exchanges for this task, in its own protocol: the same
    builders, cues and JSON as the agent loop (agent/loop.py) produces. The plan has one
    step per turn; `summary` (when every turn was observed) adds the finish."""
    titles = [t.title for t in turns]
    goal_text = goal or prompts.short_title(request)
    messages = prompts.lam_task_messages(request, workspace, examples)
    messages.append(Message("assistant", prompts.plan_json(goal_text, titles)))
    messages.append(Message("user", prompts.step_cue(1, len(titles), titles[0])))
    for n, turn in enumerate(turns, 1):
        messages.append(
            Message("assistant", prompts.action_json(turn.thought, turn.tool, turn.args))
        )
        if turn.observation is None:
            return messages
        cue = (
            prompts.step_cue(n + 1, len(titles), titles[n]) if n < len(titles) else prompts.DONE_CUE
        )
        messages.append(
            Message(
                "user", prompts.observation(turn.observation, step_failed=turn.failed, next_cue=cue)
            )
        )
    if summary is None:
        messages.pop()  # no finish to learn: end on the last action
        return messages
    messages.append(
        Message(
            "assistant",
            prompts.action_json("The request is done.", "finish", {"summary": summary}, "finish"),
        )
    )
    return messages


def rng_for(key: str) -> random.Random:
    return random.Random(int(hashlib.sha1(key.encode()).hexdigest()[:8], 16))
