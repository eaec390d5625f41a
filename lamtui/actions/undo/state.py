"""One path at one moment (State), and the file-system reads that observe it without
ever following a symbolic link."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK = 1024 * 1024


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


def lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a parent is now a file: the path cannot exist
        return None


def lstat_here(path: str) -> os.stat_result | None:
    """lstat, but None when a parent directory now resolves elsewhere (through a symlink):
    whatever is found there is not the recorded path."""
    parent = os.path.dirname(path)
    return lstat(path) if os.path.realpath(parent) == parent else None


def open_nofollow(path: str) -> int:
    # O_NONBLOCK: a FIFO swapped in after the lstat must not hang the snapshot.
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)


def hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with os.fdopen(open_nofollow(path), "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def observe(path: str, st: os.stat_result | None, hash_limit: int) -> State:
    """The state of a path now, hashing regular files up to hash_limit bytes."""
    if st is None:
        return ABSENT
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return State("symlink", target=os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return State("dir", mode=mode)
    sha = hash_file(path) if st.st_size <= hash_limit else None
    return State("file", mode, st.st_size, st.st_mtime_ns, sha)


def tracked(st: os.stat_result) -> bool:
    """Regular files, directories and symlinks; sockets, FIFOs and devices are left alone."""
    return stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)


def walk(root: str, skip: Callable[[str], bool]) -> Iterator[tuple[str, os.stat_result]]:
    """root and everything under it, never following symlinks. An unreadable directory
    raises OSError: its contents would be unknown, so callers must not guess."""
    st = lstat(root)
    if st is None or not tracked(st):
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
            if not tracked(est):
                continue
            yield entry.path, est
            if stat.S_ISDIR(est.st_mode):
                stack.append(entry.path)


def key(path: Path | str) -> str:
    """The stored name of a path: its parent resolved, the name itself not (a symlink is
    kept as a link). Restores check the parent still resolves to the same place."""
    text = os.path.abspath(path)
    parent, name = os.path.split(text)
    return os.path.join(os.path.realpath(parent), name) if name else text


def under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def depth(path: str) -> int:
    return path.count("/")
