"""Workspace confinement for file actions: where does a path really point?

Symlinks and `..` are resolved (strict=False, so paths that do not exist yet still
resolve through their existing parents) before deciding whether a path is inside the
workspace. Anything inside a `.git` directory is never writable by the agent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PathCheck:
    requested: str
    resolved: Path
    inside: bool
    in_git_dir: bool
    problem: str = ""  # set when the path cannot be used at all

    @property
    def display(self) -> str:
        return str(self.resolved)


def check_path(raw: str, workspace: Path) -> PathCheck:
    root = workspace.resolve()
    if "\0" in raw:
        return PathCheck(raw, root, False, False, "path contains a NUL byte")
    if not raw.strip():
        return PathCheck(raw, root, False, False, "path is empty")
    candidate = Path(os.path.expanduser(raw))
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loops, unreadable parents
        return PathCheck(raw, candidate, False, False, f"cannot resolve path: {exc}")
    inside = resolved == root or root in resolved.parents
    in_git = ".git" in resolved.relative_to(root).parts if inside else ".git" in resolved.parts
    return PathCheck(raw, resolved, inside, in_git)
