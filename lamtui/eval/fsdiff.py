"""What a command did to a sandbox: fingerprint every path before and after, then diff.

Fingerprints are strings: files "file:<sha256>:<mode>", directories "dir:<mode>", symlinks
"link:<target>", anything else (fifo, socket, device) "other:<mode>". A directory's
fingerprint does not cover its entries, so adding a file marks only the file as added.

File contents are hashed with the sandbox root replaced by ROOT_TOKEN: twin sandboxes live
at different paths, and a file listing absolute paths (`find ... > list`) must still hash
the same in both.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from lamtui.eval.suite import ROOT_TOKEN

ADDED = "added"
MODIFIED = "modified"
DELETED = "deleted"


def _root_forms(root: Path) -> list[bytes]:
    # The root as the command saw it and as the kernel resolves it; longest first so a
    # shorter form never eats part of a longer one.
    forms = {os.fsencode(str(root)), os.fsencode(os.path.realpath(root))}
    return sorted((f for f in forms if f not in (b"", b"/")), key=len, reverse=True)


def _open(path: str, flags: int) -> int:
    # O_NOATIME: looking must not change access times (tasks ask `find -amin` / `-atime`).
    # The kernel refuses it on files we do not own; then open plainly.
    noatime = getattr(os, "O_NOATIME", 0)
    try:
        return os.open(path, flags | noatime)
    except PermissionError:
        if not noatime:
            raise
        return os.open(path, flags)


def _read(path: str) -> bytes:
    with os.fdopen(_open(path, os.O_RDONLY), "rb") as fh:
        return fh.read()


def _list_dir(path: str) -> list[str]:
    fd = _open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        return os.listdir(fd)
    finally:
        os.close(fd)


def _file_hash(path: str, forms: list[bytes]) -> str:
    try:
        data = _read(path)
    except OSError:
        return "unreadable"
    for form in forms:
        data = data.replace(form, ROOT_TOKEN.encode())
    return hashlib.sha256(data).hexdigest()


def _fingerprint(path: str, st: os.stat_result, forms: list[bytes]) -> str:
    mode = f"{stat.S_IMODE(st.st_mode):04o}"
    if stat.S_ISLNK(st.st_mode):
        return "link:" + os.readlink(path)
    if stat.S_ISDIR(st.st_mode):
        return "dir:" + mode
    if stat.S_ISREG(st.st_mode):
        return f"file:{_file_hash(path, forms)}:{mode}"
    return "other:" + mode  # never opened: reading a fifo would block


def snapshot(root: Path) -> dict[str, str]:
    """Relative posix path -> fingerprint for every path under `root` (root itself
    excluded). Symlinks are recorded, never followed."""
    forms = _root_forms(root)
    result: dict[str, str] = {}
    stack = [(str(root), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            names = _list_dir(directory)
        except OSError:
            continue  # unreadable directory: its own fingerprint is all we can record
        for name in names:
            path, rel = os.path.join(directory, name), prefix + name
            try:
                st = os.lstat(path)
            except OSError:
                continue  # vanished while we looked
            result[rel] = _fingerprint(path, st, forms)
            if stat.S_ISDIR(st.st_mode):
                stack.append((path, rel + "/"))
    return result


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    """Path -> "added" | "modified" | "deleted" between two snapshots."""
    diff: dict[str, str] = {}
    for path, fingerprint in after.items():
        if path not in before:
            diff[path] = ADDED
        elif before[path] != fingerprint:
            diff[path] = MODIFIED
    for path in before:
        if path not in after:
            diff[path] = DELETED
    return dict(sorted(diff.items()))


def hashes_of(after: dict[str, str], paths: Iterable[str]) -> dict[str, str]:
    """The after-fingerprint of each path that still exists (deleted paths are left out)."""
    return {path: after[path] for path in paths if path in after}
