"""The plan as a tree: goal → subtasks → steps, each with a status mark and colour, and
the revisions (what the model removed and added, and why)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Tree

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


class PlanView(Tree[str]):
    """Rebuilt from each PlanUpdated: plans are small, so redrawing beats patching."""

    DEFAULT_CSS = """
    PlanView { border: round $primary-darken-2; border-title-align: left; }
    PlanView:focus { border: round $accent; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("no task yet", **kwargs)
        self.border_title = "Plan"
        self.guide_depth = 2

    def show_plan(self, plan: dict[str, Any] | None, reason: str = "") -> None:
        if not plan:
            self.reset("no plan yet")
            self.border_subtitle = reason
            return
        self.reset(Text(plan.get("goal", ""), style="bold"))
        for sub in plan.get("subtasks", []):
            node = self.root.add(status_label(sub["title"], sub.get("status", "pending")))
            for step in sub.get("steps", []):
                node.add_leaf(status_label(step["title"], step["status"], step.get("actions")))
        revisions = plan.get("revisions") or []
        if revisions:
            rnode = self.root.add(Text("Revisions", style="magenta"))
            for rev in revisions:
                item = rnode.add(Text(f"#{rev['number']}: {rev['reason'] or '(no reason)'}"))
                for title in rev.get("removed", []):
                    item.add_leaf(Text(f"- {title}", style="red"))
                for title in rev.get("added", []):
                    item.add_leaf(Text(f"+ {title}", style="green"))
        self.root.expand_all()
        self.border_subtitle = reason
