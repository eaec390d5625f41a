"""File tools: read_file, write_file, edit_file (exact search/replace), list_dir.

Each tool walks its path once (lamtui.safety.walk: component by component from a
directory handle, `..` and symlinks resolved by that walk, never as text), judges the
walk with the gate's own rule (lamtui.safety.paths.refusal), and then opens the name
the walk reached relative to the directory handle it holds. So what the gate checked is
what is opened, and a refused path is refused here too, even if it was approved.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from lamtui.contract.result import ActionResult
from lamtui.safety.paths import check_path, leaf_problem, refusal
from lamtui.safety.walk import DIR_FLAGS, Walk, walk

READ_CAP = 64 * 1024  # what the model may see of one file
LIST_CAP = 200  # directory entries shown
BINARY_SNIFF = 8192
# O_NONBLOCK: opening a FIFO swapped in after the walk must not hang the agent.
_LEAF_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class _Refused(Exception):
    """The file changed between the walk and the open, or is not writable in place."""


def resolve(path: str, workspace: Path) -> Path:
    """The real path a write to `path` opens (for the undo snapshot)."""
    return check_path(path, workspace, write=True).resolved


def preview_before(path: str, workspace: Path) -> str | None:
    """The text a write to `path` would replace, for the diff shown at the gate: "" when
    the file does not exist yet; None when the write is refused or the file cannot be
    shown as text (so a refused write never shows what lies behind a link)."""
    with walk(path, workspace) as walked:
        if refusal(walked, write=True) or not walked.rest:
            return None
        if walked.leaf is None:
            return ""
        try:
            fd = _open_leaf(walked, os.O_RDONLY)
        except (OSError, _Refused):
            return None
        with os.fdopen(fd, "rb") as fh:
            try:
                return fh.read().decode("utf-8")
            except UnicodeDecodeError:
                return None


def _open_leaf(walked: Walk, flags: int) -> int:
    """Open the existing file the walk found, by name in the directory it holds, and
    make sure it is still that file and a regular one."""
    assert walked.leaf is not None
    fd = os.open(walked.rest[0], flags | _LEAF_FLAGS, dir_fd=walked.dir_fd)
    info = os.fstat(fd)
    if (info.st_dev, info.st_ino) != (walked.leaf.st_dev, walked.leaf.st_ino):
        os.close(fd)
        raise _Refused(f"{walked.shown} changed while it was being opened")
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _Refused(f"{walked.shown} is not a regular file")
    return fd


def _writable(fd: int, walked: Walk) -> None:
    """The hard-link rule again, on the handle that will be written."""
    why = leaf_problem(os.fstat(fd), walked.shown)
    if why:
        os.close(fd)
        raise _Refused(why)


def _rewrite(fd: int, data: bytes) -> None:
    """Replace the whole content of an open file (closes it)."""
    with os.fdopen(fd, "wb") as fh:
        fh.truncate(0)
        fh.write(data)


def _create(walked: Walk) -> int:
    """Make the missing directories the walk found, then the file itself, each relative
    to its parent's handle and never through a link (O_EXCL, O_NOFOLLOW)."""
    parent = walked.dir_fd
    try:
        for name in walked.rest[:-1]:
            os.mkdir(name, 0o777, dir_fd=parent)
            child = os.open(name, DIR_FLAGS, dir_fd=parent)
            if parent != walked.dir_fd:
                os.close(parent)
            parent = child
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _LEAF_FLAGS
        return os.open(walked.rest[-1], flags, 0o666, dir_fd=parent)
    finally:
        if parent != walked.dir_fd:
            os.close(parent)


def _error(path: str, exc: OSError | _Refused) -> ActionResult:
    if isinstance(exc, _Refused):
        return ActionResult(ok=False, error=f"refused: {exc}")
    return ActionResult(ok=False, error=f"{path}: {exc.strerror}")


def _unfit(
    walked: Walk, path: str, *, write: bool, must_exist: bool, hint: str = ""
) -> ActionResult | None:
    """The one refusal a file tool gives before opening anything, or None."""
    why = refusal(walked, write=write)
    if why:
        return ActionResult(ok=False, error=f"refused: {why}")
    if not walked.rest:
        return ActionResult(ok=False, error=f"{path} is a directory{hint}")
    if must_exist and walked.leaf is None:
        return ActionResult(ok=False, error=f"{path}: no such file")
    return None


def read_file(path: str, workspace: Path, cap: int = READ_CAP) -> ActionResult:
    with walk(path, workspace) as walked:
        unfit = _unfit(walked, path, write=False, must_exist=True, hint=" (use list_dir)")
        if unfit:
            return unfit
        try:
            fd = _open_leaf(walked, os.O_RDONLY)
            with os.fdopen(fd, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                data = fh.read(cap + 1)
        except (OSError, _Refused) as exc:
            return _error(path, exc)
    if b"\0" in data[:BINARY_SNIFF]:
        return ActionResult(ok=False, error=f"{path} is a binary file ({size} bytes); not shown")
    text = data[:cap].decode("utf-8", errors="replace")
    if len(data) > cap:
        text += f"\n[… file is {size} bytes; only the first {cap} are shown …]"
    return ActionResult(ok=True, output=text)


def write_file(path: str, content: str, workspace: Path) -> ActionResult:
    data = content.encode("utf-8")
    with walk(path, workspace) as walked:
        unfit = _unfit(walked, path, write=True, must_exist=False)
        if unfit:
            return unfit
        existed = walked.leaf is not None
        try:
            if existed:
                fd = _open_leaf(walked, os.O_WRONLY)
                _writable(fd, walked)
            else:
                fd = _create(walked)
            _rewrite(fd, data)
        except (OSError, _Refused) as exc:
            return _error(path, exc)
        changed = walked.shown
    verb = "overwrote" if existed else "created"
    return ActionResult(
        ok=True, output=f"{verb} {path} ({len(data)} bytes)", files_changed=[changed]
    )


def edit_file(path: str, search: str, replace: str, workspace: Path) -> ActionResult:
    with walk(path, workspace) as walked:
        unfit = _unfit(walked, path, write=True, must_exist=True)
        if unfit:
            return unfit
        try:
            fd = _open_leaf(walked, os.O_RDWR)
            _writable(fd, walked)
        except (OSError, _Refused) as exc:
            return _error(path, exc)
        with os.fdopen(fd, "r+b") as fh:  # one handle for the read and the write
            try:
                text = fh.read().decode("utf-8")
            except UnicodeDecodeError:
                return ActionResult(ok=False, error=f"{path} is not a UTF-8 text file")
            except OSError as exc:
                return _error(path, exc)
            count = text.count(search)
            if count == 0:
                return ActionResult(ok=False, error=f"the search text was not found in {path}")
            if count > 1:
                return ActionResult(
                    ok=False,
                    error=f"the search text occurs {count} times in {path}; include more "
                    "context so it is unique",
                )
            try:
                fh.seek(0)
                fh.truncate(0)
                fh.write(text.replace(search, replace, 1).encode("utf-8"))
            except OSError as exc:
                return _error(path, exc)
        changed = walked.shown
    return ActionResult(ok=True, output=f"edited {path}", files_changed=[changed])


def _list(fd: int, cap: int) -> list[str]:
    with os.scandir(fd) as it:
        entries = sorted(it, key=lambda e: e.name)
    lines: list[str] = []
    for entry in entries[:cap]:
        # Names that are not valid UTF-8 are shown with escapes, not dropped.
        name = os.fsdecode(entry.name).encode("utf-8", "backslashreplace").decode("utf-8")
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            lines.append(f"?          {name}")
            continue
        if stat.S_ISDIR(info.st_mode):
            lines.append(f"dir        {name}/")
        elif stat.S_ISLNK(info.st_mode):
            try:
                target = os.readlink(entry.name, dir_fd=fd)
            except OSError:
                target = "?"
            lines.append(f"link       {name} -> {target}")
        else:
            lines.append(f"{info.st_size:>9}  {name}")
    if len(entries) > cap:
        lines.append(f"[… {len(entries) - cap} more entries …]")
    return lines


def list_dir(path: str, workspace: Path, cap: int = LIST_CAP) -> ActionResult:
    with walk(path, workspace) as walked:
        why = refusal(walked, write=False)
        if why:
            return ActionResult(ok=False, error=f"refused: {why}")
        if walked.leaf is not None:
            return ActionResult(ok=False, error=f"{path} is a file (use read_file)")
        if walked.rest:
            return ActionResult(ok=False, error=f"{path}: no such directory")
        try:
            fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=walked.dir_fd)
        except OSError as exc:
            return _error(path, exc)
        try:
            lines = _list(fd, cap)
        except OSError as exc:
            return _error(path, exc)
        finally:
            os.close(fd)
    return ActionResult(ok=True, output="\n".join(lines) if lines else "(empty directory)")


FILE_TOOLS = ("read_file", "list_dir", "write_file", "edit_file")


def run_file_tool(tool: str, args: Mapping[str, str], workspace: Path) -> ActionResult:
    """Dispatch one file tool (one of FILE_TOOLS) with its schema-checked args."""
    if tool == "read_file":
        return read_file(args["path"], workspace)
    if tool == "list_dir":
        return list_dir(args["path"], workspace)
    if tool == "write_file":
        return write_file(args["path"], args["content"], workspace)
    if tool == "edit_file":
        return edit_file(args["path"], args["search"], args["replace"], workspace)
    return ActionResult(ok=False, error=f"{tool!r} is not a file tool")
