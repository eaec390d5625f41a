"""A task's first messages: the request checked, then the prompt it opens with (the
workspace, memory's worked examples and, for a trained LAM, the shipped ones)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lamtui.agent import prompts
from lamtui.agent.memory_port import DEMONSTRATION_FLOOR, ExampleSource, demo_pair
from lamtui.agent.observe import describe
from lamtui.lam.base import Message

if TYPE_CHECKING:
    from lamtui.memory.recall import Recall


def request_problem(request: str) -> str:
    """Why the request cannot be worked on ("" when it can)."""
    if not request.strip():
        return "the request is empty: say what you want done"
    if len(request) > prompts.MAX_REQUEST_CHARS:
        return (
            f"the request is {len(request):,} characters long; the limit is "
            f"{prompts.MAX_REQUEST_CHARS:,}. Put long material in a file and refer to it"
        )
    return ""


def opening_messages(
    prompt_style: str,
    request: str,
    env: dict[str, Any],
    recalled: Recall | None,
    examples: ExampleSource | None,
) -> list[Message]:
    """The task's first messages. A trained LAM (prompt style "lam") gets the compact
    prompt: the workspace with its entries and the nearest worked examples (the
    user's remembered tasks first, then the shipped corpus); other models get the
    system text, few-shot block and memory. Either way a demonstration is shown
    only above the relevance floor: no example beats a wrong one."""
    demos = [
        d
        for d in (recalled.demonstrations if recalled is not None else [])
        if float(d.get("similarity", 1.0)) >= DEMONSTRATION_FLOOR
    ]
    if prompt_style != "lam":
        memory = recalled.text if recalled is not None else ""
        return prompts.task_messages(request, describe(env), memory, demos)
    pairs = [pair for pair in map(demo_pair, demos) if pair is not None]
    if examples is not None:
        pairs += examples.nearest(request, prompts.MAX_EXAMPLES - len(pairs))
    git = env.get("git") or {}
    workspace = prompts.workspace_line(
        str(env["cwd"]),
        list(env.get("listing") or []),
        git.get("branch") if git else None,
        env.get("workspace_entries"),
    )
    return prompts.lam_task_messages(request, workspace, pairs[: prompts.MAX_EXAMPLES])
