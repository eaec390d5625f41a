"""Builders for scripted agent runs: model replies as JSON, and a scripted approver."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lamtui.agent.approval import Proposal
from lamtui.agent.events import Decision, Event
from lamtui.agent.loop import AgentOptions
from lamtui.lam.scripted import ScriptedBackend
from lamtui.safety.policy import Policy
from lamtui.session import new_agent


def plan(*steps: str, goal: str = "do it") -> str:
    return json.dumps({"goal": goal, "subtasks": [{"title": goal, "steps": list(steps)}]})


def act(
    tool: str,
    status: str = "continue",
    plan_update: list[str] | None = None,
    thought: str = "because",
    **args: str,
) -> str:
    return json.dumps(
        {
            "thought": thought,
            "tool": tool,
            "args": args,
            "status": status,
            "plan_update": plan_update,
        }
    )


def shell(command: str, **kw: object) -> str:
    return act("shell", command=command, **kw)  # type: ignore[arg-type]


def finish(summary: str = "done", status: str = "finish") -> str:
    return act("finish", status=status, summary=summary)


@dataclass
class ScriptedApprover:
    decisions: list[Decision | Callable[[Proposal], Decision]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    default: Decision = field(default_factory=lambda: Decision("approve", by="test"))
    seen: list[Proposal] = field(default_factory=list)

    def decide(self, proposal: Proposal) -> Decision:
        self.seen.append(proposal)
        if not self.decisions:
            return self.default
        item = self.decisions.pop(0)
        return item(proposal) if callable(item) else item

    def answer(self, question: str) -> str | None:
        return self.answers.pop(0) if self.answers else None


def run_agent(
    replies: list[str], workspace: Path, approver: object | None = None, **options: object
) -> tuple[list[Event], ScriptedBackend]:
    backend = ScriptedBackend(list(replies))
    opts = AgentOptions(**{"policy": Policy("ask"), **options})  # type: ignore[arg-type]
    agent = new_agent(
        backend,
        approver if approver is not None else ScriptedApprover(),  # type: ignore[arg-type]
        workspace,
        opts,
    )
    return list(agent.run("please do the task")), backend


def rejection_and_edit_session(workspace: Path) -> None:
    """A real session that teaches preferences: `cat big.txt` rejected with a reason,
    `head` approved after it, `ls -la` edited into `ls -1` and approved, then finish."""
    from lamtui.contract.schema import Action

    edited = Action.model_validate_json(shell("ls -1"))
    (workspace / "big.txt").write_text("".join(f"line {i}\n" for i in range(500)))
    approver = ScriptedApprover(
        [
            Decision("reject", by="user", reason="do not cat huge files; use head"),
            Decision("approve", by="user"),
            Decision("edit", by="user", edited=edited),
            Decision("approve", by="user"),
        ]
    )
    replies = [
        plan("Show the file", "List the folder"),
        shell("cat big.txt"),
        shell("head -n 5 big.txt"),
        shell("ls -la"),
        finish("shown"),
    ]
    run_agent(replies, workspace, approver)
