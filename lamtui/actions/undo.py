"""Undo store: the state of files before each action, so a task's changes can be reverted.

Layout under the root (default get_paths().undo_dir):
    <task_id>/blobs/<sha256>           previous file contents, content-addressed, private
    <task_id>/step-<N>/manifest.json   what was kept before the action and seen after it

A manifest maps real paths (the parent directory resolved, the name itself not) to states:
"pre" before the action, "post" after it. Blobs are written first and the manifest last,
through a temporary file and os.replace, so a process killed mid-snapshot leaves either
no manifest (undo ignores and reports that step) or a complete one.

Undo, per path, compares the current state C with the pre state P and the post state Q:
C == P: nothing to do. C == Q: put P back (delete when P is absent, i.e. the task created
it). Otherwise someone changed it after the task: skip and say so. Without Q (the action
was interrupted, e.g. lamtui was killed mid-command) paths that existed before are put
back to P and paths that did not are left. So a file the task did not create is never
deleted, and an edit made after a finished task is never overwritten.

Undoing one step alone is refused while a later, not yet undone step of the same task
touched the same paths (or may have: it was too large to snapshot): undoing the later
steps first, or the whole task, is the safe order. Steps are marked undone, so undo is
idempotent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError
from lamtui.paths import get_paths

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
POST_FILES_FACTOR = 5  # after an action, track up to this many times max_files entries
SHOWN_SKIPS = 5  # skipped paths named in describe()
_TASK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_STEP_DIR = re.compile(r"step-(\d+)")

# ---------------------------------------------------------------------------- reports


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _skips_text(skipped: list[tuple[str, str]]) -> str:
    shown = [f"{path} ({reason.split(' (')[0]})" for path, reason in skipped[:SHOWN_SKIPS]]
    more = len(skipped) - SHOWN_SKIPS
    return "skipped " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")


@dataclass
class SnapshotReport:
    saved: list[str] = field(default_factory=list)  # paths whose previous state was kept
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path or "workspace", why)

    def describe(self) -> str:
        parts = [f"kept {_plural(len(self.saved), 'file')}"] if self.saved else []
        if self.skipped:
            parts.append(_skips_text(self.skipped))
        return "undo: " + ("; ".join(parts) if parts else "nothing to keep")


@dataclass
class RestoreReport:
    restored: list[str] = field(default_factory=list)  # previous content put back
    deleted: list[str] = field(default_factory=list)  # created by the task, removed again
    recreated: list[str] = field(default_factory=list)  # deleted by the task, put back
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)

    def describe(self) -> str:
        counts = [
            f"{verb} {len(paths)}"
            for verb, paths in (
                ("restored", self.restored),
                ("deleted", self.deleted),
                ("recreated", self.recreated),
            )
            if paths
        ]
        parts = [", ".join(counts)] if counts else ["nothing was changed"]
        if self.skipped:
            parts.append(_skips_text(self.skipped))
        return "undo: " + "; ".join(parts)


# ----------------------------------------------------------------------------- states


@dataclass(frozen=True)
class State:
    """One path at one moment. Files carry a sha256 (None only for files too large to hash
    after an action; those are compared by size and mtime)."""

    kind: str  # "file" | "symlink" | "dir" | "absent"
    mode: int = 0
    size: int = 0
    mtime_ns: int = 0
    sha256: str | None = None
    target: str = ""  # of a symlink

    def same(self, other: State) -> bool:
        """Same content and permissions (modification times aside when hashes exist)."""
        if self.kind != other.kind:
            return False
        if self.kind == "symlink":
            return self.target == other.target
        if self.kind == "dir":
            return self.mode == other.mode
        if self.kind == "absent":
            return True
        if self.mode != other.mode or self.size != other.size:
            return False
        if self.sha256 is not None and other.sha256 is not None:
            return self.sha256 == other.sha256
        return self.mtime_ns == other.mtime_ns

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.kind in ("file", "dir"):
            data["mode"] = self.mode
        if self.kind == "file":
            data.update(size=self.size, mtime_ns=self.mtime_ns, sha256=self.sha256)
        if self.kind == "symlink":
            data["target"] = self.target
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> State:
        kind = data["kind"]
        if kind not in ("file", "symlink", "dir", "absent"):
            raise ValueError(f"unknown kind {kind!r}")
        sha = data.get("sha256")
        if sha is not None and not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ValueError("bad sha256")
        return State(
            kind,
            int(data.get("mode", 0)),
            int(data.get("size", 0)),
            int(data.get("mtime_ns", 0)),
            sha,
            str(data.get("target", "")),
        )


ABSENT = State("absent")


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a parent is now a file: the path cannot exist
        return None


def _lstat_here(path: str) -> os.stat_result | None:
    """lstat, but None when a parent directory now resolves elsewhere (through a symlink):
    whatever is found there is not the recorded path."""
    parent = os.path.dirname(path)
    return _lstat(path) if os.path.realpath(parent) == parent else None


def _open_nofollow(path: str) -> int:
    # O_NONBLOCK: a FIFO swapped in after the lstat must not hang the snapshot.
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)


def _hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with os.fdopen(_open_nofollow(path), "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _observe(path: str, st: os.stat_result | None, hash_limit: int) -> State:
    """The state of a path now, hashing regular files up to hash_limit bytes."""
    if st is None:
        return ABSENT
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return State("symlink", target=os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return State("dir", mode=mode)
    sha = _hash_file(path) if st.st_size <= hash_limit else None
    return State("file", mode, st.st_size, st.st_mtime_ns, sha)


def _tracked(st: os.stat_result) -> bool:
    """Regular files, directories and symlinks; sockets, FIFOs and devices are left alone."""
    return stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)


def _walk(root: str, skip: Callable[[str], bool]) -> Iterator[tuple[str, os.stat_result]]:
    """root and everything under it, never following symlinks. An unreadable directory
    raises OSError: its contents would be unknown, so callers must not guess."""
    st = _lstat(root)
    if st is None or not _tracked(st):
        return
    yield root, st
    stack = [root] if stat.S_ISDIR(st.st_mode) else []
    while stack:
        with os.scandir(stack.pop()) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if skip(entry.path):
                continue
            try:
                est = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # vanished meanwhile
                continue
            if not _tracked(est):
                continue
            yield entry.path, est
            if stat.S_ISDIR(est.st_mode):
                stack.append(entry.path)


def _key(path: Path | str) -> str:
    """The stored name of a path: its parent resolved, the name itself not (a symlink is
    kept as a link). Restores check the parent still resolves to the same place."""
    text = os.path.abspath(path)
    parent, name = os.path.split(text)
    return os.path.join(os.path.realpath(parent), name) if name else text


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _depth(path: str) -> int:
    return path.count("/")


def _human(n: int) -> str:
    if n >= 1024**2:
        return f"{n / 1024**2:.0f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


# --------------------------------------------------------------------------- manifests


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
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (real path, why)
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
        return os.path.relpath(path, ws) if _under(path, ws) else path

    def covering_root(self, path: str) -> Root | None:
        for root in self.roots:
            if root.path == path or (root.recursive and _under(path, root.path)):
                return root
        return None

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


def _write_atomic(path: Path, data: bytes) -> None:
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


def _save_manifest(step_dir: Path, manifest: Manifest) -> None:
    step_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = json.dumps(manifest.to_json(), indent=1, sort_keys=True).encode()
    _write_atomic(step_dir / MANIFEST, data)


def _load_manifest(step_dir: Path) -> Manifest | None:
    """None when the manifest is missing or damaged (the step is then ignored)."""
    try:
        data = json.loads((step_dir / MANIFEST).read_bytes())
        return Manifest.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _check_task_id(task_id: str) -> str:
    if not _TASK_ID.fullmatch(task_id):
        raise LamtuiError(f"invalid task id {task_id!r}")
    return task_id


# ------------------------------------------------------------------------------ store


@dataclass
class _Budget:
    files: int
    bytes: int


class UndoStore:
    """Keeps, step by step, what a task's actions replace. One instance per task."""

    def __init__(
        self,
        task_id: str,
        workspace: Path,
        root: Path | None = None,
        max_bytes: int = 20 * 1024**2,
        max_files: int = 2000,
    ) -> None:
        self.task_id = _check_task_id(task_id)
        self.workspace = os.path.realpath(workspace)
        self.root = Path(root) if root is not None else get_paths().undo_dir
        self.task_dir = self.root / task_id
        self.max_bytes = max_bytes
        self.max_files = max_files
        self._store_real = os.path.realpath(self.root)

    # -- public

    def before_file_write(self, step: int, path: Path) -> SnapshotReport:
        """Keep the file's content (or that it did not exist) right before write/edit_file,
        and the parent directories the write may create."""
        manifest, report = self._begin(step, "file_write")
        key = _key(self._abs(path))
        for missing in self._missing_parents(key):
            self._add_single(manifest, missing, report, listed=False)
        self._add_single(manifest, key, report)
        self._follow_link(manifest, key, report)
        _save_manifest(self._step_dir(step), manifest)
        return report

    def before_shell(self, step: int, paths: list[Path]) -> SnapshotReport:
        """Keep the targets of a shell action (directories as whole trees, bounded); with
        no targets, the whole workspace except .git/ when it fits the limits."""
        manifest, report = self._begin(step, "shell")
        keys = [_key(self._abs(path)) for path in paths] or [self.workspace]
        for key in keys:
            # The workspace itself, however named, is snapshotted without .git/.
            self._add_tree(manifest, key, report, whole_workspace=key == self.workspace)
        _save_manifest(self._step_dir(step), manifest)
        return report

    def after_action(self, step: int) -> None:
        """Record the state after the action over the snapshotted scope, so undo can tell
        what the task created, changed or deleted, and what changed again since."""
        manifest = _load_manifest(self._step_dir(step))
        if manifest is None:
            return
        post: dict[str, State] = {}
        truncated: list[str] = []
        for root in manifest.roots:
            if not self._observe_root(root, post):
                truncated.append(root.path)
        manifest.post, manifest.post_truncated = post, truncated
        manifest.finished = time.time()
        _save_manifest(self._step_dir(step), manifest)

    def steps(self) -> list[int]:
        """Steps with a complete snapshot, in order."""
        loaded, _ = _load_steps(self.task_dir)
        return sorted(loaded)

    # -- snapshot helpers

    def _abs(self, path: Path) -> str:
        text = os.path.expanduser(str(path))
        return text if os.path.isabs(text) else os.path.join(self.workspace, text)

    def _step_dir(self, step: int) -> Path:
        if step < 0:
            raise ValueError("step numbers are not negative")
        return self.task_dir / f"step-{step}"

    def _begin(self, step: int, kind: str) -> tuple[Manifest, SnapshotReport]:
        """The step's manifest so far (a second snapshot for a step adds to it; the first
        pre state of a path wins and the post state is taken again). An undone step's
        number being used again starts afresh."""
        manifest = _load_manifest(self._step_dir(step))
        if manifest is None or manifest.undone is not None:
            manifest = Manifest(self.task_id, step, self.workspace, kind, time.time())
        manifest.post, manifest.post_truncated, manifest.finished = None, [], None
        return manifest, SnapshotReport()

    def _budget(self, manifest: Manifest) -> _Budget:
        used = sum(s.size for s in manifest.pre.values())
        return _Budget(self.max_files - len(manifest.pre), self.max_bytes - used)

    def _missing_parents(self, key: str) -> list[str]:
        """Directories a write would create, outermost first."""
        missing: list[str] = []
        parent = os.path.dirname(key)
        while parent != os.path.dirname(parent) and _lstat(parent) is None:
            missing.append(parent)
            parent = os.path.dirname(parent)
        return missing[::-1]

    def _add_single(
        self, manifest: Manifest, key: str, report: SnapshotReport, listed: bool = True
    ) -> None:
        if manifest.covering_root(key) is not None:
            return  # already kept earlier in this step
        st = _lstat(key)
        if st is not None and not _tracked(st):
            report.skipped.append((manifest.display(key), "not a regular file"))
            return
        if st is not None and stat.S_ISREG(st.st_mode) and st.st_size > self.max_bytes:
            why = f"too large ({_human(st.st_size)} > {_human(self.max_bytes)} limit)"
            self._skip(manifest, key, why, report)
            return
        try:
            manifest.pre[key] = self._keep(key, st)
        except OSError as exc:
            self._skip(manifest, key, f"cannot be read ({exc.strerror})", report)
            return
        manifest.roots.append(Root(key, recursive=False))
        if listed and (st is None or not stat.S_ISDIR(st.st_mode)):
            report.saved.append(manifest.display(key))

    def _follow_link(self, manifest: Manifest, key: str, report: SnapshotReport) -> None:
        """write_file follows a symlink: keep its target too, when inside the workspace."""
        if manifest.pre.get(key, ABSENT).kind != "symlink":
            return
        target = os.path.realpath(key)
        if _under(target, self.workspace):
            self._add_single(manifest, _key(target), report)
        else:
            why = "a symlink to outside the workspace; its target is not kept"
            report.skipped.append((manifest.display(key), why))

    def _skip(self, manifest: Manifest, key: str, why: str, report: SnapshotReport) -> None:
        manifest.skipped.append((key, why))
        report.skipped.append((manifest.display(key), why))

    def _walk_skip(self, skip_git: bool) -> Callable[[str], bool]:
        def skip(path: str) -> bool:
            if _under(path, self._store_real):  # never snapshot the store into itself
                return True
            return skip_git and os.path.basename(path) == ".git"

        return skip

    def _add_tree(
        self, manifest: Manifest, key: str, report: SnapshotReport, whole_workspace: bool
    ) -> None:
        if manifest.covering_root(key) is not None:
            return
        covered = [r for r in manifest.roots if _under(r.path, key)]
        entries, why = self._measure(key, self._budget(manifest), whole_workspace)
        if why:
            self._skip(manifest, key, why, report)
            return
        states: dict[str, State] = {}
        try:
            for path, st in entries:
                # Pre states kept earlier in this step stay: they are older.
                states[path] = manifest.pre.get(path) or self._keep(path, st)
        except OSError as exc:
            self._skip(manifest, key, f"cannot be read ({exc.strerror})", report)
            return
        if not entries:
            states[key] = ABSENT
        manifest.roots = [r for r in manifest.roots if r not in covered]
        manifest.roots.append(Root(key, recursive=True, skip_git=whole_workspace))
        manifest.pre.update(states)
        report.saved += [manifest.display(p) for p, s in states.items() if s.kind != "dir"]

    def _measure(
        self, key: str, budget: _Budget, whole_workspace: bool
    ) -> tuple[list[tuple[str, os.stat_result]], str]:
        """List a tree before copying anything, stopping as soon as it exceeds the budget:
        (entries, '') when it fits, else ([], the reason in words)."""
        entries: list[tuple[str, os.stat_result]] = []
        total = 0
        try:
            for path, st in _walk(key, self._walk_skip(whole_workspace)):
                entries.append((path, st))
                total += st.st_size if stat.S_ISREG(st.st_mode) else 0
                if len(entries) > budget.files:
                    return [], f"too many files (over the {self.max_files} file limit)"
                if total > budget.bytes:
                    return [], self._too_large(total, budget, exact=len(entries) == 1)
        except OSError as exc:
            return [], f"cannot be listed ({exc.strerror}: {exc.filename})"
        return entries, ""

    def _too_large(self, total: int, budget: _Budget, exact: bool) -> str:
        limit = f"{_human(self.max_bytes)} limit"
        if budget.bytes < self.max_bytes:  # earlier paths of this step used some of it
            limit = f"{_human(budget.bytes)} left of the {limit}"
        return (
            f"too large ({_human(total)} > {limit})" if exact else f"too large (over the {limit})"
        )

    def _keep(self, path: str, st: os.stat_result | None) -> State:
        """The state of a path, its content copied into the store when it is a file."""
        if st is None or not stat.S_ISREG(st.st_mode):
            return _observe(path, st, 0)
        sha = self._store_blob(path)
        return State("file", stat.S_IMODE(st.st_mode), st.st_size, st.st_mtime_ns, sha)

    def _store_blob(self, path: str) -> str:
        """Copy a file into the store under its sha256 (temp file, then rename: a blob
        name always holds its whole content)."""
        blobs = self.task_dir / "blobs"
        blobs.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=blobs, prefix=".tmp-")
        digest = hashlib.sha256()
        try:
            with os.fdopen(_open_nofollow(path), "rb") as src, os.fdopen(fd, "wb") as dst:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    digest.update(chunk)
                    dst.write(chunk)
            os.replace(tmp, blobs / digest.hexdigest())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return digest.hexdigest()

    def _observe_root(self, root: Root, post: dict[str, State]) -> bool:
        """Add a root's current states to post; False when only part of it could be seen."""
        if not root.recursive:
            try:
                post[root.path] = _observe(root.path, _lstat_here(root.path), self.max_bytes)
            except OSError:
                return False
            return True
        limit = self.max_files * POST_FILES_FACTOR
        post[root.path] = ABSENT  # until the walk finds it
        if _lstat_here(root.path) is None:
            return True
        try:
            for count, (path, st) in enumerate(_walk(root.path, self._walk_skip(root.skip_git))):
                if count >= limit:
                    return False
                post[path] = _observe(path, st, self.max_bytes)
        except OSError:
            return False
        return True


# ---------------------------------------------------------------------------- undoing


def _load_steps(task_dir: Path) -> tuple[dict[int, Manifest], list[str]]:
    """The step manifests of a task, and the step directories without a usable one."""
    loaded: dict[int, Manifest] = {}
    broken: list[str] = []
    try:
        names = sorted(os.listdir(task_dir))
    except OSError:
        return loaded, broken
    for name in names:
        match = _STEP_DIR.fullmatch(name)
        if not match:
            continue
        manifest = _load_manifest(task_dir / name)
        if manifest is None:
            broken.append(name)
        else:
            loaded[int(match.group(1))] = manifest
    return loaded, broken


@dataclass
class _Plan:
    path: str
    action: str  # "write" (put pre back) | "remove" (the task created it)
    pre: State
    recreate: bool  # the path is absent now


def _now(path: str, pre: State, post: State | None) -> State:
    """The current state, hashed only when its size matches a recorded file (otherwise
    it differs anyway)."""
    st = _lstat_here(path)
    sizes = {s.size for s in (pre, post) if s is not None and s.kind == "file"}
    hash_limit = st.st_size if st is not None and st.st_size in sizes else -1
    return _observe(path, st, hash_limit)


class _StepUndo:
    """Undo one step: decide every path from the states before changing any."""

    def __init__(self, manifest: Manifest, blobs: Path, report: RestoreReport) -> None:
        self.m = manifest
        self.blobs = blobs
        self.report = report

    def run(self) -> None:
        self._report_unknown_areas()
        plans: list[_Plan] = []
        for path in sorted(set(self.m.pre) | set(self.m.post or {})):
            plan = self._decide(path)
            if plan is not None:
                plans.append(plan)
        removals = sorted((p for p in plans if p.action == "remove"), key=lambda p: -_depth(p.path))
        writes = sorted((p for p in plans if p.action == "write"), key=lambda p: _depth(p.path))
        for plan in removals + writes:
            self._apply(plan)

    def _report_unknown_areas(self) -> None:
        m = self.m
        for path, why in m.skipped:
            self.report.skipped.append((m.display(path), f"not kept before the action: {why}"))
        for path in m.post_truncated:
            why = "too many files after the action; what it created there was left"
            self.report.skipped.append((m.display(path), why))
        if m.post is None and any(r.recursive for r in m.roots):
            why = "the action's result was never recorded; files it created were left"
            self.report.skipped.append((f"step {m.step}", why))

    def _skip(self, path: str, why: str) -> None:
        self.report.skipped.append((self.m.display(path), why))

    def _decide(self, path: str) -> _Plan | None:
        pre, post = self.m.pre_state(path), self.m.post_state(path)
        try:
            now = _now(path, pre, post)
        except OSError as exc:
            self._skip(path, f"cannot be read ({exc.strerror})")
            return None
        if now.same(pre):
            return None
        if post is None:
            # The step was interrupted (e.g. lamtui was killed mid-command): put back what
            # existed before it; a path that did not exist may not be the step's, so stays.
            if pre.kind == "absent":
                self._skip(path, "the step was interrupted; it may not have created this")
                return None
            return _Plan(path, "write", pre, recreate=now.kind == "absent")
        if not now.same(post):
            created = pre.kind == "absent" and post.kind == "absent"
            self._skip(path, "not created by the task" if created else "changed since the task")
            return None
        action = "remove" if pre.kind == "absent" else "write"
        return _Plan(path, action, pre, recreate=now.kind == "absent")

    def _apply(self, plan: _Plan) -> None:
        parent = os.path.dirname(plan.path)
        if os.path.realpath(parent) != parent:
            self._skip(plan.path, "a parent directory now leads elsewhere (a symlink)")
            return
        try:
            if plan.action == "remove":
                self._remove(plan.path)
            else:
                self._write(plan)
        except _Skip as skip:
            self._skip(plan.path, str(skip))
        except OSError as exc:
            self._skip(plan.path, f"could not be changed ({exc.strerror})")

    def _listing(self, path: str, kind: str) -> str:
        return self.m.display(path) + ("/" if kind == "dir" else "")

    def _remove(self, path: str) -> None:
        st = _lstat(path)
        if st is None:
            return
        if stat.S_ISDIR(st.st_mode):
            if os.listdir(path):
                raise _Skip("a directory the task created, not empty; left")
            os.rmdir(path)
            self.report.deleted.append(self._listing(path, "dir"))
            return
        os.unlink(path)
        self.report.deleted.append(self.m.display(path))

    def _write(self, plan: _Plan) -> None:
        path, pre = plan.path, plan.pre
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if pre.kind == "dir":
            self._write_dir(path, pre)
        else:
            tmp = self._prepare_file(path, pre) if pre.kind == "file" else self._link(path, pre)
            try:
                self._clear_dir(path)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        listing = self._listing(path, pre.kind)
        (self.report.recreated if plan.recreate else self.report.restored).append(listing)

    def _write_dir(self, path: str, pre: State) -> None:
        st = _lstat(path)
        if st is not None and not stat.S_ISDIR(st.st_mode):
            os.unlink(path)
            st = None
        if st is None:
            os.mkdir(path)
        os.chmod(path, pre.mode)

    def _clear_dir(self, path: str) -> None:
        """A directory where a file or link goes back: only an empty one may be removed."""
        st = _lstat(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            if os.listdir(path):
                raise _Skip("is now a directory that is not empty; left")
            os.rmdir(path)

    def _link(self, path: str, pre: State) -> str:
        tmp = os.path.join(os.path.dirname(path), f".lamtui-undo-{os.getpid()}-{time.time_ns()}")
        os.symlink(pre.target, tmp)
        return tmp

    def _prepare_file(self, path: str, pre: State) -> str:
        """The previous content in a temp file beside the path, checked against its hash,
        with the previous mode and mtime: ready to be renamed into place."""
        assert pre.sha256 is not None  # pre states always carry a hash
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".lamtui-undo-")
        digest = hashlib.sha256()
        try:
            with open(self.blobs / pre.sha256, "rb") as src, os.fdopen(fd, "wb") as dst:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    digest.update(chunk)
                    dst.write(chunk)
            if digest.hexdigest() != pre.sha256:
                raise _Skip("the kept copy is damaged; left as it is")
            os.chmod(tmp, pre.mode)
            os.utime(tmp, ns=(pre.mtime_ns, pre.mtime_ns))
        except FileNotFoundError:
            os.unlink(tmp)
            raise _Skip("the kept copy is missing; left as it is") from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return tmp


class _Skip(Exception):
    """A path is left alone; the message says why."""


def _root(root: Path | None) -> Path:
    return Path(root) if root is not None else get_paths().undo_dir


def _task_dirs(base: Path) -> list[Path]:
    try:
        return [p for p in base.iterdir() if p.is_dir() and _TASK_ID.fullmatch(p.name)]
    except OSError:
        return []


def _last_time(task_dir: Path) -> float:
    """When the task last changed something (undoing it does not make it newer)."""
    loaded, _ = _load_steps(task_dir)
    times = [t for m in loaded.values() for t in (m.created, m.finished) if t]
    if times:
        return max(times)
    try:
        return task_dir.stat().st_mtime
    except OSError:
        return 0.0


def _has_steps(task_dir: Path) -> bool:
    try:
        return any(_STEP_DIR.fullmatch(name) for name in os.listdir(task_dir))
    except OSError:
        return False


def _pick_task(base: Path, task_id: str | None) -> Path:
    if task_id is not None:
        task_dir = base / _check_task_id(task_id)
        if not task_dir.is_dir():
            raise LamtuiError(f"no undo data for task {task_id}", hint="see `lamtui undo --list`")
        return task_dir
    candidates = [d for d in _task_dirs(base) if _has_steps(d)]
    if not candidates:
        raise LamtuiError("nothing to undo: no task has undo data")
    return max(candidates, key=_last_time)


def _conflicts(target: Manifest, later: list[Manifest]) -> list[int]:
    """Later steps that changed (or may have changed) what target changed."""
    mine = target.changed_paths()
    steps = []
    for m in later:
        theirs = m.changed_paths()
        areas = m.unknown_areas()
        if mine & theirs or any(_under(p, a) for p in mine for a in areas):
            steps.append(m.step)
    return steps


def _targets(loaded: dict[int, Manifest], step: int | None, task: str) -> list[Manifest]:
    pending = sorted((m for m in loaded.values() if m.undone is None), key=lambda m: -m.step)
    if step is None:
        return pending
    if step not in loaded:
        raise LamtuiError(f"task {task} has no undo data for step {step}")
    if loaded[step].undone is not None:
        return []
    conflicts = _conflicts(loaded[step], [m for m in pending if m.step > step])
    if conflicts:
        raise LamtuiError(
            f"step {step} of task {task} cannot be undone on its own: later step(s) "
            f"{', '.join(map(str, sorted(conflicts)))} changed the same files",
            hint="undo those steps first, or the whole task",
        )
    return [loaded[step]]


def undo(
    task_id: str | None = None, step: int | None = None, root: Path | None = None
) -> RestoreReport:
    """Put back what a task changed: by default the most recent task with undo data (even
    when it is already undone: undo twice does nothing the second time), all its steps,
    newest first. With step, only that step (see the module docstring for when it is
    refused)."""
    task_dir = _pick_task(_root(root), task_id)
    loaded, broken = _load_steps(task_dir)
    report = RestoreReport()
    for name in broken:
        report.skipped.append((name, "no complete undo record (interrupted or damaged); ignored"))
    targets = _targets(loaded, step, task_dir.name)
    if not targets:
        label = task_dir.name if step is None else f"step {step}"
        report.skipped.append((label, "already undone"))
    for manifest in targets:
        _StepUndo(manifest, task_dir / "blobs", report).run()
        manifest.undone = time.time()
        _save_manifest(task_dir / f"step-{manifest.step}", manifest)
    return report


def list_undoable(root: Path | None = None) -> list[dict[str, Any]]:
    """Every task with undo data, newest last: its steps, their times and file counts."""
    tasks = []
    for task_dir in _task_dirs(_root(root)):
        loaded, broken = _load_steps(task_dir)
        if not loaded and not broken:
            continue
        steps = [_step_info(m) for _, m in sorted(loaded.items())]
        tasks.append(
            {
                "task_id": task_dir.name,
                "workspace": next((m.workspace for m in loaded.values()), ""),
                "steps": steps,
                "pending": [s["step"] for s in steps if not s["undone"]],
                "files": sum(s["files"] for s in steps),
                "broken": broken,
                "updated": _last_time(task_dir),
            }
        )
    return sorted(tasks, key=lambda t: t["updated"])


def _step_info(m: Manifest) -> dict[str, Any]:
    return {
        "step": m.step,
        "kind": m.kind,
        "created": m.created,
        "finished": m.finished,
        "undone": m.undone is not None,
        "files": sum(1 for s in m.pre.values() if s.kind != "dir"),
        "skipped": len(m.skipped),
    }


__all__ = [
    "RestoreReport",
    "SnapshotReport",
    "UndoStore",
    "list_undoable",
    "undo",
]
