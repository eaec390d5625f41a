"""The plan as a tree: goal → subtasks → steps, each with a status mark and colour, and
the revisions (what the model removed and added, and why). Long titles wrap inside the
pane (under their own guide lines) instead of being cut at its edge."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from rich.tree import Tree
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

# Marks carry the status without colour (NO_COLOR); colours only reinforce them.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "pending": ("○", ""),
    "running": ("▶", "bold yellow"),
    "done": ("✓", "green"),
    "failed": ("✗", "bold red"),
    "skipped": ("–", "dim"),
    "revised": ("~", "magenta strike"),
}


def status_label(title: str, status: str, actions: list[int] | None = None) -> Text:
    mark, style = STATUS_STYLE.get(status, ("?", ""))
    label = Text.assemble((mark, style), " ", (title, style))
    if actions:
        label.append(" #" + ",".join(str(a) for a in actions), style="dim")
    return label


class PlanView(VerticalScroll):
    """Rebuilt from each PlanUpdated: plans are small, so redrawing beats patching."""

    DEFAULT_CSS = """
    PlanView { border: round $primary-darken-2; border-title-align: left; }
    PlanView:focus { border: round $accent; }
    PlanView > Static { width: 1fr; height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Plan"
        self._body = Static(Text("no task yet", style="dim"))
        self._lines: list[str] = ["no task yet"]  # the tree as plain text, one node a line

    def compose(self) -> ComposeResult:
        yield self._body

    def plain(self) -> str:
        """The tree as text, two spaces of indent per level (what tests and logs read)."""
        return "\n".join(self._lines)

    def show_plan(self, plan: dict[str, Any] | None, reason: str = "") -> None:
        self.border_subtitle = reason
        if not plan:
            self._lines = ["no plan yet"]
            self._body.update(Text("no plan yet", style="dim"))
            return
        goal = Text(plan.get("goal", ""), style="bold")
        # The goal heads the tree without a guide level of its own: 4 more columns for
        # titles in a pane that is ~30 wide at 80x24.
        tree = Tree(goal, guide_style="dim", hide_root=True)
        lines = [goal.plain]

        def add(parent: Tree, label: Text, depth: int) -> Tree:
            lines.append("  " * depth + label.plain)
            return parent.add(label)

        for sub in plan.get("subtasks", []):
            node = add(tree, status_label(sub["title"], sub.get("status", "pending")), 1)
            for step in sub.get("steps", []):
                add(node, status_label(step["title"], step["status"], step.get("actions")), 2)
        revisions = plan.get("revisions") or []
        if revisions:
            rnode = add(tree, Text("Revisions", style="magenta"), 1)
            for rev in revisions:
                item = add(rnode, Text(f"#{rev['number']}: {rev['reason'] or '(no reason)'}"), 2)
                for title in rev.get("removed", []):
                    add(item, Text(f"- {title}", style="red"), 3)
                for title in rev.get("added", []):
                    add(item, Text(f"+ {title}", style="green"), 3)
        self._lines = lines
        self._body.update(Group(goal, tree))
