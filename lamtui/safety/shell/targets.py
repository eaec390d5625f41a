"""Where a write lands: the workspace, outside it, a system path or a .git directory.

The only outside input is the file system, read (never written) to resolve symlinks."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import replace

from lamtui.contract.risk import Risk
from lamtui.safety.shell.tables import NOT_FILES, SYSTEM_DIRS
from lamtui.safety.shell.tokens import Word

BRACE = re.compile(r"\{([^{}]*)\}")
# Another view of a process: its memory, open files, root and working folder. The classifier
# cannot follow these links as the command will see them (its cwd is not the command's).
PROC_VIEW = re.compile(
    r"/proc/[^/]+(?:/task/[^/]+)?/(?:mem|fd|fdinfo|map_files|root|cwd|exe)(?:/.*)?|/proc/kcore"
)
_BRACE_SEQUENCE = re.compile(r"-?\w+\.\.-?\w+(?:\.\.-?\d+)?")


def is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _in_git_dir(path: str) -> bool:
    return any(part.lower() == ".git" for part in path.split("/"))


def _pattern_escapes(value: str) -> bool:
    """Could glob or brace expansion of this write target reach outside where it points?"""
    for part in value.split("/"):
        # A pattern only matches dot-files (and so `..`) when it starts with a literal dot.
        if part.startswith(".") and part not in (".", "..") and fnmatch.fnmatchcase("..", part):
            return True
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth > 1:
            return True  # nested braces: not worth expanding
    for body in BRACE.findall(value):
        alternatives = body.split(",")
        if len(alternatives) > 1 and any(_escaping_part(alt) for alt in alternatives):
            return True
        if len(alternatives) == 1 and ".." in body and not _BRACE_SEQUENCE.fullmatch(body):
            return True
    return False


def _escaping_part(text: str) -> bool:
    return "/" in text or ".." in text or text.startswith("~")


def path_verdict(word: Word, workspace: str, cwd: str | None) -> tuple[Risk, str, str] | None:
    """(risk, shown path, why) of writing to word; None when it names no real file."""
    value = word.value
    if re.fullmatch(r"[<>]\(.*\)", word.raw, re.DOTALL):
        return None  # a process substitution is a pipe to a command classified on its own
    if word.expands:
        return "outside_write", value, "the path contains an expansion, so it could be anywhere"
    if word.tilde:
        return "outside_write", value, "the path is in a home directory"
    if not value or "\x00" in value:
        return "outside_write", value, "the path is not a usable file name"
    if word.glob and _pattern_escapes(value):
        return "outside_write", value, "the pattern can match paths outside where it points"
    if not os.path.isabs(value) and cwd is None:
        return "outside_write", value, "it is relative to a directory that cannot be known"
    joined = value if os.path.isabs(value) else os.path.join(cwd or "/", value)
    normal = os.path.normpath(joined)
    if normal in NOT_FILES:
        return None
    if PROC_VIEW.fullmatch(normal) or PROC_VIEW.fullmatch(os.path.normpath(value)):
        return "outside_write", value, "the path goes through /proc, so it could be anywhere"
    try:
        real = os.path.realpath(joined)
    except (OSError, ValueError):
        return "outside_write", value, "the path cannot be resolved"
    if _in_git_dir(normal) or _in_git_dir(real):
        return "destructive", real, "it is inside a .git directory"
    if is_within(real, workspace):
        return "workspace_write", real, ""
    if any(is_within(real, system) for system in SYSTEM_DIRS):
        return "privileged", real, "it is a system path"
    return "outside_write", real, "it is outside the workspace"


def resolve_dir(word: Word | None, cwd: str | None) -> str | None:
    """The directory `cd word` lands in, or None when it cannot be told."""
    if word is None or word.expands or word.tilde or word.value in ("", "-"):
        return None
    if "\x00" in word.value or (cwd is None and not os.path.isabs(word.value)):
        return None
    return os.path.normpath(os.path.join(cwd or "/", word.value))


def lit(value: str) -> Word:
    """A synthetic literal word."""
    return Word(value, value, tilde=value.startswith("~"))


UNKNOWN_INPUT = Word("<input>", "<input>", expands=True)  # arguments read from stdin


def child_path(directory: Word, name: str) -> Word:
    """directory/name as a word (unknown if the directory is)."""
    value = directory.value.rstrip("/") + "/" + name
    return replace(directory, raw=value, value=value, subs=())
