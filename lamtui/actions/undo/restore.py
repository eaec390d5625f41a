"""Undoing one step: decide every path from its recorded states, then change them.

Per path, compare the current state C with the pre state P and the post state Q:
C == P: nothing to do. C == Q: put P back (delete when P is absent, i.e. the task created
it). Otherwise someone changed it after the task: skip and say so. Without Q (the action
was interrupted, e.g. lamtui was killed mid-command) paths that existed before are put
back to P and paths that did not are left. So a file the task did not create is never
deleted, and an edit made after a finished task is never overwritten. A path whose
previous content was not kept (too large, a stored secret's value) is left alone."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lamtui.actions.undo.manifest import Manifest
from lamtui.actions.undo.reports import RestoreReport
from lamtui.actions.undo.state import CHUNK, State, depth, lstat, lstat_here, observe


@dataclass
class _Plan:
    path: str
    action: str  # "write" (put pre back) | "remove" (the task created it)
    pre: State
    recreate: bool  # the path is absent now


class _Skip(Exception):
    """A path is left alone; the message says why."""


def _now(path: str, pre: State, post: State | None) -> State:
    """The current state, hashed only when its size matches a recorded file (otherwise
    it differs anyway)."""
    st = lstat_here(path)
    sizes = {s.size for s in (pre, post) if s is not None and s.kind == "file"}
    hash_limit = st.st_size if st is not None and st.st_size in sizes else -1
    return observe(path, st, hash_limit)


class StepUndo:
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
        removals = sorted((p for p in plans if p.action == "remove"), key=lambda p: -depth(p.path))
        writes = sorted((p for p in plans if p.action == "write"), key=lambda p: depth(p.path))
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
        if self.m.not_kept(path):
            return None  # reported with the unknown areas: there is no copy to put back
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
        st = lstat(path)
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
        st = lstat(path)
        if st is not None and not stat.S_ISDIR(st.st_mode):
            os.unlink(path)
            st = None
        if st is None:
            os.mkdir(path)
        os.chmod(path, pre.mode)

    def _clear_dir(self, path: str) -> None:
        """A directory where a file or link goes back: only an empty one may be removed."""
        st = lstat(path)
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
