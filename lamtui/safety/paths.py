"""Workspace confinement for file actions: where does a path really point, and may the
file tools write there?

The path is walked once, component by component (lamtui.safety.walk), and both the gate
(policy.assess) and the executor (actions.files) judge that walk with `refusal`, so they
give the same answer and the same message. Writes are never allowed into a `.git`
directory, to `.lamtui.toml`, into lamtui's own config, data or cache folders, to a file
with more than one hard link, or outside the workspace through a symbolic link.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from lamtui.config import PROJECT_FILE
from lamtui.paths import get_paths
from lamtui.safety.walk import Walk, is_within, walk


@dataclass(frozen=True)
class PathCheck:
    requested: str
    resolved: Path
    inside: bool
    in_git_dir: bool
    problem: str = ""  # set when the path cannot be used at all (for this kind of access)

    @property
    def display(self) -> str:
        return str(self.resolved)


def in_git_dir(real: Path, root: Path) -> bool:
    parts = real.relative_to(root).parts if is_within(real, root) else real.parts
    return any(part.casefold() == ".git" for part in parts)


def protected(real: Path, root: Path) -> str:
    """Why lamtui never lets an action write `real` (a walked, real path), or ""."""
    shown = str(real.relative_to(root)) if is_within(real, root) else str(real)
    if in_git_dir(real, root):
        return f"{shown} is inside .git/; the agent never writes there"
    if real.name.casefold() == PROJECT_FILE:
        return f"{shown} is lamtui's project settings file; actions never write it"
    paths = get_paths()
    for what, folder in (
        ("config", paths.config_dir),
        ("data", paths.data_dir),
        ("cache", paths.cache_dir),
    ):
        if is_within(real, Path(os.path.realpath(folder))):
            return f"{shown} is in lamtui's own {what} folder ({folder}); actions never write there"
    return ""


def leaf_problem(info: os.stat_result, shown: str) -> str:
    """Why an existing file may not be written in place, or "" (also rechecked on the
    opened handle, since the file may change between the walk and the open)."""
    if not stat.S_ISREG(info.st_mode):
        return f"{shown} is not a regular file"
    if info.st_nlink > 1:
        return (
            f"{shown} has {info.st_nlink} hard links; the file tools never write a "
            "hard-linked file (another of its names may be outside the workspace)"
        )
    return ""


def refusal(walked: Walk, write: bool) -> str:
    """The one reason both the gate and the executor give for refusing this access."""
    if walked.problem or not write:
        return walked.problem
    if walked.links and not walked.inside:
        return (
            f"{walked.links[0]} is a symbolic link; a write outside the workspace never "
            "goes through one (give the real path)"
        )
    why = protected(walked.real, walked.root)
    if why:
        return why
    if walked.leaf is not None:
        return leaf_problem(walked.leaf, walked.shown)
    return ""


def check_path(raw: str, workspace: Path, *, write: bool = False) -> PathCheck:
    """Walk `raw` and judge it for a read (default) or a write."""
    with walk(raw, workspace) as walked:
        problem = refusal(walked, write)
        real = walked.real
        inside = not problem and is_within(real, walked.root)
        return PathCheck(raw, real, inside, in_git_dir(real, walked.root), problem)
