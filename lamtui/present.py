"""How actions, plans and risks read as text: one wording for the terminal printer
(lamtui.console) and the Textual app (lamtui.ui). Pure functions of contract types and
plain plan dicts; nothing here prints or knows who shows it."""

from __future__ import annotations

from typing import Any

from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action

STATUS_MARK = {
    "pending": " ",
    "running": ">",
    "done": "x",
    "failed": "!",
    "skipped": "-",
    "revised": "~",
}


def describe_action(action: Action) -> str:
    """One line: what the action does (`$ ls -la`, `edit notes.txt`)."""
    args = action.args
    if action.tool == "shell":
        return f"$ {args['command']}"
    if action.tool == "edit_file":
        return f"edit {args['path']}"
    if action.tool == "write_file":
        return f"write {args['path']} ({len(args['content'])} chars)"
    if action.tool in ("read_file", "list_dir"):
        return f"{action.tool} {args['path']}"
    return f"{action.tool}: {next(iter(args.values()), '')}"


def describe_risk(assessment: Assessment) -> str:
    """The gate's finding in one line: `workspace_write (writes notes.txt)`."""
    return f"{assessment.risk} ({'; '.join(assessment.reasons)})"


def format_plan(plan: dict[str, Any]) -> str:
    """The plan tree (PlanTree.to_dict()) as indented lines with a status mark per step."""
    lines = [f"Plan: {plan.get('goal', '')}"]
    for sub in plan.get("subtasks", []):
        lines.append(f"  {sub['title']}")
        for step in sub["steps"]:
            lines.append(f"    [{STATUS_MARK.get(step['status'], '?')}] {step['title']}")
    return "\n".join(lines)
