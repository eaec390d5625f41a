"""Prompt builders for the LAM cycle.

A task's conversation only ever grows: system text, few-shot demonstrations, the
request (with environment and memory, placed once), the plan, then per step a cue,
the action, and its observation. Each model call's prompt therefore extends the
previous one and llama.cpp reuses its KV cache for everything already seen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lamtui.contract.schema import Action, Plan, PlannedSubtask
from lamtui.lam.base import Message

MAX_REQUEST_CHARS = 8000

SYSTEM = """\
You are lamtui, a Large Action Model that carries out a user's request on their computer. \
First you write a plan as JSON: {"goal": ..., "subtasks": [{"title": ..., "steps": [...]}]}. \
Then, for each step, you choose one action as JSON:
{"thought": why this action, "tool": one of the tools, "args": the tool's arguments, \
"status": "continue" | "finish" | "ask_user" | "fail", "plan_update": null or a new list \
of remaining steps}
Tools and their args:
- shell {"command"}: one bash command, run in the workspace
- read_file {"path"}; list_dir {"path"}
- write_file {"path", "content"}: create or overwrite a file
- edit_file {"path", "search", "replace"}: replace one exact, unique piece of text
- ask_user {"question"}: only when the request is ambiguous (status "ask_user")
- finish {"summary"}: the task is done (status "finish") or cannot be done (status "fail")
Prefer simple, safe commands that only read. After each action you see its observation. \
When a step fails, the user rejects an action, or the output contradicts the plan, give a \
plan_update with the new remaining steps."""

PLAN_CUE = "Write the plan."
DONE_CUE = "All planned steps are done. If the request is complete, finish with a summary."


def _action(
    thought: str,
    tool: str,
    args: dict[str, str],
    status: str = "continue",
    plan_update: list[str] | None = None,
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


def _plan(goal: str, steps: list[str]) -> str:
    return json.dumps({"goal": goal, "subtasks": [{"title": goal, "steps": steps}]})


# Demonstrations of the whole protocol: base models learn the format from these, and
# instruct models see the same contract.
EXAMPLES: list[Message] = [
    Message(
        "user",
        "Request: how big is this folder?\n"
        "Workspace: /home/ana/notes (12 entries; not a git repository)\n" + PLAN_CUE,
    ),
    Message("assistant", _plan("Report the folder's size", ["Measure the folder with du"])),
    Message("user", "Step 1/1: Measure the folder with du"),
    Message(
        "assistant",
        _action("du -sh reports the total size of a folder.", "shell", {"command": "du -sh ."}),
    ),
    Message("user", "Observation: exit code 0\n4.2M\t.\n" + DONE_CUE),
    Message(
        "assistant",
        _action(
            "The output gives the size.",
            "finish",
            {"summary": "This folder uses 4.2 MB."},
            "finish",
        ),
    ),
    Message(
        "user",
        "Request: set the port to 8080 in config.ini\n"
        "Workspace: /srv/app (5 entries; git repository on branch main)\n" + PLAN_CUE,
    ),
    Message(
        "assistant",
        _plan("Change the port in config.ini", ["Read config.ini", "Replace the port line"]),
    ),
    Message("user", "Step 1/2: Read config.ini"),
    Message(
        "assistant", _action("I need the current port line.", "read_file", {"path": "config.ini"})
    ),
    Message(
        "user",
        "Observation: error: config.ini: no such file\n"
        "This step failed. Revise the remaining steps with plan_update.\n"
        "Step 2/2: Replace the port line",
    ),
    Message(
        "assistant",
        _action(
            "The file is missing; look for the config elsewhere.",
            "shell",
            {"command": "find . -name '*.ini'"},
            "continue",
            ["Find the config file", "Replace the port line"],
        ),
    ),
    Message("user", "Observation: exit code 0\n./conf/config.ini\nStep 2/3: Replace the port line"),
    Message(
        "assistant",
        _action(
            "Change only the port line.",
            "edit_file",
            {"path": "conf/config.ini", "search": "port = 80", "replace": "port = 8080"},
        ),
    ),
    Message("user", "Observation: edited conf/config.ini\n" + DONE_CUE),
    Message(
        "assistant",
        _action(
            "The port is set.",
            "finish",
            {"summary": "Set port = 8080 in conf/config.ini."},
            "finish",
        ),
    ),
]


MAX_DEMONSTRATIONS = 3
MAX_DEMO_ACTIONS = 4


def demonstration(demo: dict[str, Any]) -> list[Message]:
    """A remembered task (request, plan, the actions that worked) replayed as a worked
    example in the same protocol as EXAMPLES."""
    request = str(demo.get("request", "")).strip()
    actions = [a for a in demo.get("actions") or [] if isinstance(a, dict) and a.get("tool")]
    actions = actions[:MAX_DEMO_ACTIONS]
    if not request or not actions:
        return []
    titles = [str(t) for t in demo.get("plan") or [] if str(t).strip()]
    if len(titles) != len(actions):
        titles = [f"Run {a['tool']}" for a in actions]
    messages = [
        Message("user", f"Request: {request}\n{PLAN_CUE}"),
        Message("assistant", _plan(request[:120], titles)),
    ]
    for n, (title, action) in enumerate(zip(titles, actions, strict=True), 1):
        cue = f"Step {n}/{len(titles)}: {title}"
        if n > 1:
            cue = "Observation: exit code 0\n" + cue
        messages.append(Message("user", cue))
        args = {str(k): str(v) for k, v in (action.get("args") or {}).items()}
        messages.append(
            Message(
                "assistant", _action("This worked for this request before.", action["tool"], args)
            )
        )
    messages.append(Message("user", "Observation: exit code 0\n" + DONE_CUE))
    messages.append(
        Message("assistant", _action("Done.", "finish", {"summary": "Done."}, "finish"))
    )
    return messages


def task_messages(
    request: str,
    environment: str,
    memory: str = "",
    demonstrations: Sequence[dict[str, Any]] = (),
) -> list[Message]:
    """The start of a task's conversation, ending with the cue for the plan. Remembered
    demonstrations come right before the request, the best match last (nearest)."""
    parts = [f"Request: {request}", environment]
    if memory:
        parts.append(memory)
    parts.append(PLAN_CUE)
    demos = [
        m for demo in reversed(demonstrations[:MAX_DEMONSTRATIONS]) for m in demonstration(demo)
    ]
    return [Message("system", SYSTEM), *EXAMPLES, *demos, Message("user", "\n".join(parts))]


# -- the compact prompt of a trained LAM ------------------------------------------------
# A model trained on lamtui's protocol (lamtui train) needs no system text and no
# few-shot block: the request, the workspace with its entries, and the nearest worked
# examples (request => command) that it learned to adapt. lamtui.train renders its
# training data with these same builders, so training and inference match token for
# token up to the assistant turn.

MAX_LISTING = 12
MAX_EXAMPLES = 3


def workspace_line(
    cwd: str, entries: Sequence[str], git_branch: str | None = None, total: int | None = None
) -> str:
    """`Workspace: /path (3 entries: a.txt, dir1/, dir2/)`; names past MAX_LISTING are
    counted, not shown. `total` is the real count when `entries` was cut."""
    count = max(total or 0, len(entries))
    shown = ", ".join(entries[:MAX_LISTING])
    more = f", +{count - min(len(entries), MAX_LISTING)} more" if count > MAX_LISTING else ""
    what = f"{count} entries: {shown}{more}" if entries else "empty"
    git = f"; git branch {git_branch}" if git_branch else ""
    return f"Workspace: {cwd} ({what}{git})"


def lam_task_messages(
    request: str,
    workspace: str,
    examples: Sequence[tuple[str, str]] = (),
    memory: str = "",
) -> list[Message]:
    """The start of a trained LAM's conversation, ending with the plan cue. `examples`
    are (request, command) pairs, best match last (nearest to the request)."""
    parts = [f"Request: {request}", workspace]
    if examples:
        shown = list(examples[:MAX_EXAMPLES])[::-1]
        parts.append("Examples:\n" + "\n".join(f"- {nl} => {cmd}" for nl, cmd in shown))
    if memory:
        parts.append(memory)
    parts.append(PLAN_CUE)
    return [Message("user", "\n".join(parts))]


def short_title(text: str, limit: int = 60) -> str:
    """A request cut at a word boundary, for plan goals and step titles."""
    text = " ".join(text.split()).rstrip(".")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut or text[:limit]


def plan_json(goal: str, steps: Sequence[str]) -> str:
    """A one-subtask plan exactly as the agent appends the model's plan (Plan.to_json)."""
    return Plan(goal=goal, subtasks=[PlannedSubtask(title=goal, steps=list(steps))]).to_json()


def action_json(
    thought: str,
    tool: str,
    args: dict[str, str],
    status: str = "continue",
    plan_update: list[str] | None = None,
) -> str:
    """An action exactly as the agent appends the model's action (Action.to_json)."""
    fields = {"thought": thought, "tool": tool, "args": args, "status": status}
    # tool and status are plain strings here: the model's validators check them
    action = Action.model_validate({**fields, "plan_update": plan_update})
    return action.to_json()


def step_cue(position: int, total: int, title: str) -> str:
    return f"Step {position}/{total}: {title}"


def observation(text: str, *, step_failed: bool = False, next_cue: str = "") -> str:
    parts = [f"Observation: {text}"]
    if step_failed:
        parts.append("This step failed. Revise the remaining steps with plan_update.")
    if next_cue:
        parts.append(next_cue)
    return "\n".join(parts)
