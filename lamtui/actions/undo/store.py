"""Snapshots: before each action, what it may overwrite; after it, what the scope holds.

Layout under the root (default get_paths().undo_dir):
    <task_id>/blobs/<sha256>           previous file contents, content-addressed, private
    <task_id>/step-<N>/manifest.json   what was kept before the action and seen after it

Blobs are written first and the manifest last, so a process killed mid-snapshot leaves
either no manifest or a complete one. Whatever could not be kept (too large, unreadable,
a target whose place cannot be told, content holding a stored secret) is reported in the
SnapshotReport: the caller must then not run the action unasked."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lamtui.actions.undo.blobs import Copied, store_blob
from lamtui.actions.undo.manifest import (
    Manifest,
    Root,
    check_task_id,
    load_manifest,
    load_steps,
    save_manifest,
)
from lamtui.actions.undo.reports import SnapshotReport, human
from lamtui.actions.undo.secretscan import SecretScan, SecretSource
from lamtui.actions.undo.state import (
    ABSENT,
    State,
    key,
    lstat,
    lstat_here,
    observe,
    tracked,
    under,
    walk,
)
from lamtui.actions.undo.targets import expand_target
from lamtui.paths import get_paths

POST_FILES_FACTOR = 5  # after an action, track up to this many times max_files entries


@dataclass
class _Budget:
    files: int
    bytes: int


class _Refused(Exception):
    """A tree holds something that may not be kept (the message says why)."""


class UndoStore:
    """Keeps, step by step, what a task's actions replace. One instance per task."""

    def __init__(
        self,
        task_id: str,
        workspace: Path,
        root: Path | None = None,
        max_bytes: int = 20 * 1024**2,
        max_files: int = 2000,
        secrets: SecretSource | None = None,
    ) -> None:
        self.task_id = check_task_id(task_id)
        self.workspace = os.path.realpath(workspace)
        self.root = Path(root) if root is not None else get_paths().undo_dir
        self.task_dir = self.root / task_id
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.secrets = secrets  # whose values never go into a blob
        self._store_real = os.path.realpath(self.root)
        self._scan = SecretScan()

    # -- public

    def before_file_write(self, step: int, path: Path) -> SnapshotReport:
        """Keep the file's content (or that it did not exist) right before write/edit_file,
        and the parent directories the write may create."""
        manifest, report = self._begin(step, "file_write")
        target = key(self._abs(path))
        for missing in self._missing_parents(target):
            self._add_single(manifest, missing, report, listed=False)
        self._add_single(manifest, target, report)
        self._follow_link(manifest, target, report)
        save_manifest(self._step_dir(step), manifest)
        return report

    def before_shell(
        self, step: int, paths: list[Path], loose_globs: bool = True
    ) -> SnapshotReport:
        """Keep the targets of a shell action (directories as whole trees, bounded), each
        expanded as bash expands it (targets.py), and what a matched symlink points to;
        with no targets, the whole workspace except .git/ when it fits the limits. A
        pattern inside the workspace that matches a place outside it is reported.
        loose_globs=False only when the command leaves bash's glob options alone
        (targets.glob_options_may_change)."""
        manifest, report = self._begin(step, "shell")
        keys: dict[str, bool] = {}  # path -> listed in the report
        for path in paths:
            word = self._abs(path)
            expansion = expand_target(word, self.workspace, self.max_files, loose_globs)
            if expansion.problem:
                self._skip(manifest, key(word), expansion.problem, report)
                continue
            literal, *expanded = expansion.paths
            # The word itself is kept too (bash uses it when nothing matches), but only
            # named in the report when it is all there is.
            keys.setdefault(key(literal), not expanded)
            inside = under(key(literal), self.workspace)
            for found in map(key, expanded):
                keys[found] = True
                # A redirection, tee or cp writes through a link the pattern matched.
                real = os.path.realpath(found)
                keys.setdefault(real, True)
                if inside and not (under(found, self.workspace) and under(real, self.workspace)):
                    why = f"{os.path.basename(literal)} matches it, outside the workspace"
                    report.unsafe.append((manifest.display(real), why))
        if not paths:
            keys = {self.workspace: True}
        for found in keys:
            st = lstat(found)
            if st is not None and stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                # Written in place (`>`, tee), every other name of it changes too.
                why = f"{st.st_nlink} hard links; its other names cannot be put back"
                report.unsafe.append((manifest.display(found), why))
        for found, listed in keys.items():
            # The workspace itself, however named, is snapshotted without .git/.
            whole = found == self.workspace
            self._add_tree(manifest, found, report, whole_workspace=whole, listed=listed)
        save_manifest(self._step_dir(step), manifest)
        return report

    def after_action(self, step: int) -> None:
        """Record the state after the action over the snapshotted scope, so undo can tell
        what the task created, changed or deleted, and what changed again since. Also
        closes a step whose action never ran (rejected after its snapshot)."""
        manifest = load_manifest(self._step_dir(step))
        if manifest is None:
            return
        post: dict[str, State] = {}
        truncated: list[str] = []
        for root in manifest.roots:
            if not self._observe_root(root, post):
                truncated.append(root.path)
        manifest.post, manifest.post_truncated = post, truncated
        manifest.finished = time.time()
        save_manifest(self._step_dir(step), manifest)

    def steps(self) -> list[int]:
        """Steps with a complete snapshot, in order."""
        loaded, _ = load_steps(self.task_dir)
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
        manifest = load_manifest(self._step_dir(step))
        if manifest is None or manifest.undone is not None:
            manifest = Manifest(self.task_id, step, self.workspace, kind, time.time())
        manifest.post, manifest.post_truncated, manifest.finished = None, [], None
        # The secrets are read once per snapshot: one set between two actions counts.
        self._scan = SecretScan.from_source(self.secrets)
        return manifest, SnapshotReport()

    def _budget(self, manifest: Manifest) -> _Budget:
        used = sum(s.size for s in manifest.pre.values())
        return _Budget(self.max_files - len(manifest.pre), self.max_bytes - used)

    def _missing_parents(self, target: str) -> list[str]:
        """Directories a write would create, outermost first."""
        missing: list[str] = []
        parent = os.path.dirname(target)
        while parent != os.path.dirname(parent) and lstat(parent) is None:
            missing.append(parent)
            parent = os.path.dirname(parent)
        return missing[::-1]

    def _add_single(
        self, manifest: Manifest, path: str, report: SnapshotReport, listed: bool = True
    ) -> None:
        if manifest.covering_root(path) is not None:
            return  # already kept earlier in this step
        st = lstat(path)
        if st is not None and not tracked(st):
            report.skipped.append((manifest.display(path), "not a regular file"))
            return
        if st is not None and stat.S_ISREG(st.st_mode) and st.st_size > self.max_bytes:
            why = f"too large ({human(st.st_size)} > {human(self.max_bytes)} limit)"
            self._skip(manifest, path, why, report)
            return
        try:
            state, refused = self._keep(path, st)
        except OSError as exc:
            self._skip(manifest, path, f"cannot be read ({exc.strerror})", report)
            return
        if refused:
            self._skip(manifest, path, refused, report)
            return
        manifest.pre[path] = state
        manifest.roots.append(Root(path, recursive=False))
        if listed and (st is None or not stat.S_ISDIR(st.st_mode)):
            report.saved.append(manifest.display(path))

    def _follow_link(self, manifest: Manifest, path: str, report: SnapshotReport) -> None:
        """write_file follows a symlink: keep its target too, when inside the workspace."""
        if manifest.pre.get(path, ABSENT).kind != "symlink":
            return
        target = os.path.realpath(path)
        if under(target, self.workspace):
            self._add_single(manifest, key(target), report)
        else:
            why = "a symlink to outside the workspace; its target is not kept"
            report.skipped.append((manifest.display(path), why))

    def _skip(self, manifest: Manifest, path: str, why: str, report: SnapshotReport) -> None:
        manifest.skipped.append((path, why))
        report.skipped.append((manifest.display(path), why))

    def _walk_skip(self, skip_git: bool) -> Callable[[str], bool]:
        def skip(path: str) -> bool:
            if under(path, self._store_real):  # never snapshot the store into itself
                return True
            return skip_git and os.path.basename(path) == ".git"

        return skip

    def _add_tree(
        self,
        manifest: Manifest,
        root: str,
        report: SnapshotReport,
        whole_workspace: bool,
        listed: bool = True,
    ) -> None:
        if manifest.covering_root(root) is not None:
            return
        covered = [r for r in manifest.roots if under(r.path, root)]
        entries, why = self._measure(root, self._budget(manifest), whole_workspace)
        if why:
            self._skip(manifest, root, why, report)
            return
        states: dict[str, State] = {}
        not_kept: list[tuple[str, str]] = []
        try:
            for path, st in entries:
                # Pre states kept earlier in this step stay: they are older.
                if path in manifest.pre:
                    states[path] = manifest.pre[path]
                    continue
                states[path], refused = self._keep(path, st)
                if refused and stat.S_ISREG(st.st_mode):
                    not_kept.append((path, refused))  # its hash is kept, its content not
                elif refused:
                    raise _Refused(refused)
        except OSError as exc:
            self._skip(manifest, root, f"cannot be read ({exc.strerror})", report)
            return
        except _Refused as refused:
            self._skip(manifest, root, f"a link in it {refused}", report)
            return
        if not entries:
            states[root] = ABSENT
        manifest.roots = [r for r in manifest.roots if r not in covered]
        manifest.roots.append(Root(root, recursive=True, skip_git=whole_workspace))
        manifest.pre.update(states)
        skipped = {p for p, _ in not_kept}
        for path, why in not_kept:
            self._skip(manifest, path, why, report)
        report.saved += [
            manifest.display(p)
            for p, s in states.items()
            if s.kind != "dir" and p not in skipped and (listed or s.kind != "absent")
        ]

    def _measure(
        self, root: str, budget: _Budget, whole_workspace: bool
    ) -> tuple[list[tuple[str, os.stat_result]], str]:
        """List a tree before copying anything, stopping as soon as it exceeds the budget:
        (entries, '') when it fits, else ([], the reason in words)."""
        entries: list[tuple[str, os.stat_result]] = []
        total = 0
        try:
            for path, st in walk(root, self._walk_skip(whole_workspace)):
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
        limit = f"{human(self.max_bytes)} limit"
        if budget.bytes < self.max_bytes:  # earlier paths of this step used some of it
            limit = f"{human(budget.bytes)} left of the {limit}"
        return f"too large ({human(total)} > {limit})" if exact else f"too large (over the {limit})"

    def _keep(self, path: str, st: os.stat_result | None) -> tuple[State, str]:
        """The state of a path, its content copied into the store when it is a file; and
        why what it holds was not kept ("" when it was)."""
        if st is None or not stat.S_ISREG(st.st_mode):
            state = observe(path, st, 0)
            return state, self._scan.refuses(state.target.encode("utf-8", "surrogateescape"))
        copied = self._store_blob(path)
        mode = stat.S_IMODE(st.st_mode)
        return State("file", mode, st.st_size, st.st_mtime_ns, copied.sha256), copied.refused

    def _store_blob(self, path: str) -> Copied:
        return store_blob(self.task_dir / "blobs", path, self._scan)

    def _observe_root(self, root: Root, post: dict[str, State]) -> bool:
        """Add a root's current states to post; False when only part of it could be seen."""
        if not root.recursive:
            try:
                post[root.path] = observe(root.path, lstat_here(root.path), self.max_bytes)
            except OSError:
                return False
            return True
        limit = self.max_files * POST_FILES_FACTOR
        post[root.path] = ABSENT  # until the walk finds it
        if lstat_here(root.path) is None:
            return True
        try:
            for count, (path, st) in enumerate(walk(root.path, self._walk_skip(root.skip_git))):
                if count >= limit:
                    return False
                post[path] = observe(path, st, self.max_bytes)
        except OSError:
            return False
        return True
