"""Prompt builders. Messages are only ever appended during a task, so each model call's
prompt extends the previous one and llama.cpp reuses its KV cache for the prefix."""

from __future__ import annotations

import json

from lamtui.lam.base import Message

SYSTEM = """\
You are lamtui, a Large Action Model that carries out a user's request on their computer \
by choosing one action at a time. Each output is a single JSON object:
{"thought": why this action, "tool": one of the tools, "args": the tool's arguments, \
"status": "continue" | "finish" | "ask_user" | "fail", "plan_update": null or a new list \
of remaining steps}
Tools and their args:
- shell {"command"}: one bash command, run in the workspace
- read_file {"path"}; list_dir {"path"}
- write_file {"path", "content"}: create or overwrite a file
- edit_file {"path", "search", "replace"}: replace one exact, unique piece of text
- ask_user {"question"}: when the request is ambiguous (status "ask_user")
- finish {"summary"}: the task is done (status "finish") or cannot be done (status "fail")
Prefer simple, safe, read-only commands. After each action you see its observation. \
When a step fails or the output contradicts the plan, give a plan_update."""


def _action(thought: str, tool: str, args: dict[str, str], status: str = "continue") -> str:
    return json.dumps(
        {"thought": thought, "tool": tool, "args": args, "status": status, "plan_update": None}
    )


# Few-shot demonstrations: base models learn the format from these; instruct models
# get them too, so both paths see the same contract.
EXAMPLES: list[Message] = [
    Message("user", "Request: how big is this folder?\nWorkspace: /home/ana/notes"),
    Message(
        "assistant",
        _action("du reports the total size of a folder.", "shell", {"command": "du -sh ."}),
    ),
    Message("user", "Observation: exit code 0\n4.2M\t."),
    Message(
        "assistant",
        _action(
            "The output gives the size.",
            "finish",
            {"summary": "This folder uses 4.2 MB."},
            "finish",
        ),
    ),
    Message("user", "Request: show me what is in config.ini\nWorkspace: /srv/app"),
    Message(
        "assistant",
        _action("Reading the file shows its content.", "read_file", {"path": "config.ini"}),
    ),
]


def action_messages(request: str, environment: str) -> list[Message]:
    """The prompt for the first action of a task (the agent loop appends to it)."""
    return [
        Message("system", SYSTEM),
        *EXAMPLES,
        Message("user", f"Request: {request}\n{environment}"),
    ]
