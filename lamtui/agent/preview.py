"""The diff a file change shows in its approval request."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from lamtui.actions import files
from lamtui.contract.schema import Action
from lamtui.safety.redact import redact_cut

MAX_PREVIEW_CHARS = 20000


def diff_preview(action: Action, workspace: Path, redact: Callable[[str], str]) -> str:
    """A unified diff for write_file and edit_file ("" for any other tool), redacted."""
    if action.tool not in ("write_file", "edit_file"):
        return ""
    # Read through the file tools' own walk: a refused write shows nothing behind a link.
    before = files.preview_before(action.args["path"], workspace)
    if before is None:
        return f"(cannot show a diff for {action.args['path']})"
    if action.tool == "write_file":
        after = action.args["content"]
    elif before.count(action.args["search"]) == 1:
        after = before.replace(action.args["search"], action.args["replace"], 1)
    else:
        return "(the search text is not found exactly once; the edit will fail)"
    diff = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"a/{action.args['path']}",
        f"b/{action.args['path']}",
    )
    return redact_cut(redact, "".join(diff), MAX_PREVIEW_CHARS)  # redacted before it is cut
