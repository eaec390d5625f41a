"""File tools: read_file, write_file, edit_file (exact search/replace), list_dir.

Paths are resolved against the workspace; whether a path may be touched at all is the
gate's decision (lamtui.safety), made before these run.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from lamtui.actions.result import ActionResult

READ_CAP = 64 * 1024  # what the model may see of one file
LIST_CAP = 200  # directory entries shown
BINARY_SNIFF = 8192


def resolve(path: str, workspace: Path) -> Path:
    """The absolute path an argument refers to (relative paths are inside the workspace)."""
    candidate = Path(os.path.expanduser(path))
    if not candidate.is_absolute():
        candidate = workspace / candidate
    return Path(os.path.normpath(candidate))


def _display(path: Path, workspace: Path) -> str:
    try:
        return str(path.relative_to(workspace))
    except ValueError:
        return str(path)


def read_file(path: str, workspace: Path, cap: int = READ_CAP) -> ActionResult:
    target = resolve(path, workspace)
    try:
        with target.open("rb") as fh:
            data = fh.read(cap + 1)
    except FileNotFoundError:
        return ActionResult(ok=False, error=f"{path}: no such file")
    except IsADirectoryError:
        return ActionResult(ok=False, error=f"{path} is a directory (use list_dir)")
    except OSError as exc:
        return ActionResult(ok=False, error=f"{path}: {exc.strerror}")
    if b"\0" in data[:BINARY_SNIFF]:
        size = target.stat().st_size
        return ActionResult(ok=False, error=f"{path} is a binary file ({size} bytes); not shown")
    text = data[:cap].decode("utf-8", errors="replace")
    if len(data) > cap:
        size = target.stat().st_size
        text += f"\n[… file is {size} bytes; only the first {cap} are shown …]"
    return ActionResult(ok=True, output=text)


def write_file(path: str, content: str, workspace: Path) -> ActionResult:
    target = resolve(path, workspace)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        existed = target.exists()
        target.write_text(content, encoding="utf-8")
    except OSError as exc:
        return ActionResult(ok=False, error=f"{path}: {exc.strerror}")
    verb = "overwrote" if existed else "created"
    return ActionResult(
        ok=True,
        output=f"{verb} {path} ({len(content.encode())} bytes)",
        files_changed=[_display(target, workspace)],
    )


def edit_file(path: str, search: str, replace: str, workspace: Path) -> ActionResult:
    target = resolve(path, workspace)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ActionResult(ok=False, error=f"{path}: no such file")
    except UnicodeDecodeError:
        return ActionResult(ok=False, error=f"{path} is not a UTF-8 text file")
    except OSError as exc:
        return ActionResult(ok=False, error=f"{path}: {exc.strerror}")
    count = text.count(search)
    if count == 0:
        return ActionResult(ok=False, error=f"the search text was not found in {path}")
    if count > 1:
        return ActionResult(
            ok=False,
            error=f"the search text occurs {count} times in {path}; include more context "
            "so it is unique",
        )
    try:
        target.write_text(text.replace(search, replace, 1), encoding="utf-8")
    except OSError as exc:
        return ActionResult(ok=False, error=f"{path}: {exc.strerror}")
    return ActionResult(
        ok=True, output=f"edited {path}", files_changed=[_display(target, workspace)]
    )


def list_dir(path: str, workspace: Path, cap: int = LIST_CAP) -> ActionResult:
    target = resolve(path, workspace)
    try:
        entries = sorted(os.scandir(target), key=lambda e: e.name)
    except FileNotFoundError:
        return ActionResult(ok=False, error=f"{path}: no such directory")
    except NotADirectoryError:
        return ActionResult(ok=False, error=f"{path} is a file (use read_file)")
    except OSError as exc:
        return ActionResult(ok=False, error=f"{path}: {exc.strerror}")
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
            lines.append(f"link       {name} -> {os.readlink(entry.path)}")
        else:
            lines.append(f"{info.st_size:>9}  {name}")
    if len(entries) > cap:
        lines.append(f"[… {len(entries) - cap} more entries …]")
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
