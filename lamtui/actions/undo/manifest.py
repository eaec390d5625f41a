"""A step's record on disk: what was kept before the action and seen after it.

Written through a temporary file and os.replace, so a process killed mid-snapshot leaves
either no manifest (undo ignores and reports that step) or a complete one."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui.actions.undo.state import ABSENT, State, under
from lamtui.errors import LamtuiError

FORMAT = 1
MANIFEST = "manifest.json"
TASK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
STEP_DIR = re.compile(r"step-(\d+)")


@dataclass
class Root:
    path: str
    recursive: bool  # a directory tree (shell targets, the workspace) or one path
    skip_git: bool = False  # whole-workspace snapshots leave .git/ out


@dataclass
class Manifest:
    task_id: str
    step: int
    workspace: str
    kind: str  # "file_write" | "shell"
    created: float
    roots: list[Root] = field(default_factory=list)
    # (real path, why): a root not kept at all, or a file inside a kept tree whose
    # content was not kept (its pre state has only its hash); undo leaves both alone.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    pre: dict[str, State] = field(default_factory=dict)
    post: dict[str, State] | None = None
    post_truncated: list[str] = field(default_factory=list)  # roots only partly seen after
    finished: float | None = None
    undone: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "task_id": self.task_id,
            "step": self.step,
            "workspace": self.workspace,
            "kind": self.kind,
            "created": self.created,
            "roots": [
                {"path": r.path, "recursive": r.recursive, "skip_git": r.skip_git}
                for r in self.roots
            ],
            "skipped": [list(s) for s in self.skipped],
            "pre": {k: v.to_json() for k, v in self.pre.items()},
            "post": None if self.post is None else {k: v.to_json() for k, v in self.post.items()},
            "post_truncated": self.post_truncated,
            "finished": self.finished,
            "undone": self.undone,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise ValueError("unknown manifest format")
        post = data["post"]
        return Manifest(
            task_id=str(data["task_id"]),
            step=int(data["step"]),
            workspace=str(data["workspace"]),
            kind=str(data["kind"]),
            created=float(data["created"]),
            roots=[
                Root(str(r["path"]), bool(r["recursive"]), bool(r.get("skip_git")))
                for r in data["roots"]
            ],
            skipped=[(str(p), str(why)) for p, why in data["skipped"]],
            pre={str(k): State.from_json(v) for k, v in data["pre"].items()},
            post=None if post is None else {str(k): State.from_json(v) for k, v in post.items()},
            post_truncated=[str(p) for p in data["post_truncated"]],
            finished=None if data["finished"] is None else float(data["finished"]),
            undone=None if data["undone"] is None else float(data["undone"]),
        )

    def display(self, path: str) -> str:
        """A path as the user reads it: relative to the workspace when inside it."""
        ws = self.workspace
        if path == ws:
            return "workspace"
        return os.path.relpath(path, ws) if under(path, ws) else path

    def covering_root(self, path: str) -> Root | None:
        for root in self.roots:
            if root.path == path or (root.recursive and under(path, root.path)):
                return root
        return None

    def not_kept(self, path: str) -> bool:
        """The path itself was skipped: undo has no copy of it to put back."""
        return any(path == p for p, _ in self.skipped)

    def post_state(self, path: str) -> State | None:
        """The state after the action; None when unknown."""
        if self.post is None:
            return None
        if path in self.post:
            return self.post[path]
        root = self.covering_root(path)
        if root is None or root.path in self.post_truncated:
            return None
        return ABSENT  # inside a tree seen whole after the action, and not there

    def changed_paths(self) -> set[str]:
        """Paths this step changed (all it looked at, when the result is unknown)."""
        paths = set(self.pre) | set(self.post or {})
        return {p for p in paths if not self._unchanged(p)}

    def _unchanged(self, path: str) -> bool:
        post = self.post_state(path)
        return post is not None and post.same(self.pre_state(path))

    def pre_state(self, path: str) -> State:
        # Paths not in pre lie in a tree walked whole before the action: they did not exist.
        return self.pre.get(path, ABSENT)

    def unknown_areas(self) -> list[str]:
        """Trees this step may have changed without a record of what (too large, or the
        result was never or only partly recorded)."""
        areas = [path for path, _ in self.skipped]
        areas += self.post_truncated
        if self.post is None:
            areas += [r.path for r in self.roots if r.recursive]
        return areas


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file, fsync, os.replace: readers see the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_manifest(step_dir: Path, manifest: Manifest) -> None:
    step_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = json.dumps(manifest.to_json(), indent=1, sort_keys=True).encode()
    write_atomic(step_dir / MANIFEST, data)


def load_manifest(step_dir: Path) -> Manifest | None:
    """None when the manifest is missing or damaged (the step is then ignored)."""
    try:
        data = json.loads((step_dir / MANIFEST).read_bytes())
        return Manifest.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def load_steps(task_dir: Path) -> tuple[dict[int, Manifest], list[str]]:
    """The step manifests of a task, and the step directories without a usable one."""
    loaded: dict[int, Manifest] = {}
    broken: list[str] = []
    try:
        names = sorted(os.listdir(task_dir))
    except OSError:
        return loaded, broken
    for name in names:
        match = STEP_DIR.fullmatch(name)
        if not match:
            continue
        manifest = load_manifest(task_dir / name)
        if manifest is None:
            broken.append(name)
        else:
            loaded[int(match.group(1))] = manifest
    return loaded, broken


def check_task_id(task_id: str) -> str:
    if not TASK_ID.fullmatch(task_id):
        raise LamtuiError(f"invalid task id {task_id!r}")
    return task_id
