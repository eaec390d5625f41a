"""Where a shell action's write targets really land, before the snapshot.

The classifier reports each target as the word bash will see, after quote removal but
before expansion: `src/*.py`, `out/{a,b}.txt`. Bash expands braces, then globs, when the
command runs, so the snapshot must keep every file those words can name. The expansion
here is a superset of bash's: an extglob group matches like `*`, a bracket expression
like `?`, `.*` also names `.` and `..` (bash before 5.2), and the word itself is always
kept too (a glob that matches nothing, or a quoted one). Unless the command is known to
leave bash's glob options alone (`glob_options_may_change`), it is a superset under any
of them too: globs match case-insensitively (nocaseglob), `*` matches dot files
(dotglob), `**` matches at any depth (globstar). Keeping too much costs space only;
keeping too little would lose data with no way back.

A word whose place cannot be told at all (a parameter or command expansion, a `find
-exec` placeholder, the classifier's `<input>` for names read from stdin) is reported, so
the snapshot is incomplete and the action is asked about."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

MAX_WORDS = 4096  # brace expansion results per target
MAX_SCANNED = 100_000  # directory entries a glob may look at
MAX_MATCHES = 10_000  # paths one target may expand to

_UNDETERMINED = (
    (re.compile(r"[$`]"), "the path contains an expansion; where it lands cannot be told"),
    (re.compile(r"\{\}"), "a placeholder for names found only when the command runs"),
    (re.compile(r"<[a-z ]+>"), "names read when the command runs; which cannot be told"),
)
_GLOB = re.compile(r"[*?\[]|[@!?*+]\(")
_EXTGLOB = re.compile(r"[@!?*+]\([^()]*\)")
_SEQ_INT = re.compile(r"(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?")
_SEQ_CHAR = re.compile(r"([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?")


# What can change how bash globs, in a command's own words: the builtin, bash's -O/+O,
# the variable that turns on dotglob, and the environment one bash reads at start.
_OPTION_WORDS = re.compile(r"\bshopt\b|\bGLOBIGNORE\b|\bBASHOPTS\b|\bBASH_ENV\b|(?:^|\s)[-+]O")


def glob_options_may_change(segments: Iterable[Mapping[str, Any]]) -> bool:
    """Could the command (the classifier's segments: its words, decoded, and every nested
    command it found) run with glob options other than bash's defaults? True when it
    cannot be told: a segment the classifier did not fully understand, or an environment
    that bash reads options from."""
    if any(os.environ.get(name) for name in ("BASH_ENV", "BASHOPTS", "GLOBIGNORE")):
        return True
    for segment in segments:
        if segment.get("risk") not in ("read_only", "workspace_write"):
            return True
        words = [str(w) for w in segment.get("argv") or ()]
        text = str(segment.get("text", ""))
        if not words and not text:
            return True
        if any(_OPTION_WORDS.search(w) for w in [*words, text]):
            return True
    return False


class _TooMany(Exception):
    pass


@dataclass
class Expansion:
    paths: list[str] = field(default_factory=list)  # absolute, the word itself first
    problem: str = ""  # why the snapshot cannot cover the target; "" when it can


def expand_target(word: str, cwd: str, limit: int = MAX_MATCHES, loose: bool = True) -> Expansion:
    """Every path bash could write for `word` (relative words are under cwd); a problem
    instead when it names more than `limit` paths. Not loose: the command is known to
    leave bash's glob options at their defaults."""
    literal = word if os.path.isabs(word) else os.path.join(cwd, word)
    out = Expansion([literal])
    # The directory the command runs in is a name already (the classifier put it there):
    # only what the command wrote after it is expanded.
    prefix = cwd.rstrip("/") + "/"
    base = prefix if literal.startswith(prefix) else "/"
    rest = literal[len(base) :]
    for pattern, why in _UNDETERMINED:
        if pattern.search(rest):
            out.problem = why
            return out
    found = dict.fromkeys(out.paths)
    try:
        for text in expand_braces(rest):
            found[base + text] = None
            if _GLOB.search(text):
                found.update(dict.fromkeys(glob_superset(base, text, loose)))
            if len(found) > min(limit, MAX_MATCHES):
                raise _TooMany
        out.paths = list(found)
    except _TooMany:
        out.problem = f"names more than {min(limit, MAX_MATCHES)} files"
    except OSError as exc:
        out.problem = f"cannot list where it points ({exc.strerror}: {exc.filename})"
    return out


# ------------------------------------------------------------------ braces


def expand_braces(word: str) -> list[str]:
    """Bash brace expansion (`a{b,c}d`, nesting, `{1..10..2}`, `{a..e}`); text that is
    not a valid brace expression stays as it is."""
    results: list[str] = []
    _expand(word, results)
    return results


def _expand(word: str, results: list[str]) -> None:
    search = 0
    while True:
        start = word.find("{", search)
        if start < 0:
            results.append(word)
            if len(results) > MAX_WORDS:
                raise _TooMany
            return
        found = _brace(word, start)
        if found is None:
            search = start + 1
            continue
        end, parts = found
        for part in parts:
            _expand(word[:start] + part + word[end + 1 :], results)
        return


def _brace(word: str, start: int) -> tuple[int, list[str]] | None:
    """(index of the closing brace, the alternatives) for a brace expression at start."""
    depth = 0
    commas: list[int] = []
    for i in range(start, len(word)):
        ch = word[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                inner = word[start + 1 : i]
                if commas:
                    bounds = [start, *commas, i]
                    return i, [word[a + 1 : b] for a, b in pairwise(bounds)]
                seq = _sequence(inner)
                return None if seq is None else (i, seq)
        elif ch == "," and depth == 1:
            commas.append(i)
    return None


def _sequence(inner: str) -> list[str] | None:
    match = _SEQ_INT.fullmatch(inner)
    if match:
        ends = match.group(1, 2)
        # Bash pads every number to the widest end when either end has a leading zero.
        padded = any(len(e.lstrip("-")) > 1 and e.lstrip("-")[0] == "0" for e in ends)
        width = max(len(e) for e in ends) if padded else 0
        values = _steps(int(ends[0]), int(ends[1]), match.group(3))
        return [f"{v:0{width}d}" for v in values]
    match = _SEQ_CHAR.fullmatch(inner)
    if match:
        first, last = ord(match.group(1)), ord(match.group(2))
        return [chr(v) for v in _steps(first, last, match.group(3))]
    return None


def _steps(first: int, last: int, incr: str | None) -> list[int]:
    step = abs(int(incr)) if incr else 1
    step = step or 1
    count = abs(last - first) // step + 1
    if count > MAX_WORDS:
        raise _TooMany
    sign = 1 if last >= first else -1
    return [first + sign * step * k for k in range(count)]


# -------------------------------------------------------------------- globs


def _component_regex(pattern: str, loose: bool) -> re.Pattern[str]:
    """One path component as a regex: a superset of what bash matches (with any of its
    glob options when loose)."""
    while _EXTGLOB.search(pattern):  # innermost groups first: nesting collapses too
        pattern = _EXTGLOB.sub("*", pattern)
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            close = _bracket_end(pattern, i)
            out.append(".")  # one character; an unclosed bracket is itself one
            i = close
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), (re.IGNORECASE if loose else 0) | re.DOTALL)


def _bracket_end(pattern: str, start: int) -> int:
    """Index of the `]` closing a bracket expression, or start when there is none."""
    i = start + 1
    if i < len(pattern) and pattern[i] in "!^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            i = end + 2 if end >= 0 else i + 1
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return start


class _Scan:
    def __init__(self, loose: bool) -> None:
        self.loose = loose  # the command may have changed bash's glob options
        self.scanned = 0

    def entries(self, directory: str) -> list[str]:
        try:
            with os.scandir(directory) as it:
                names = [e.name for e in it]
        except (FileNotFoundError, NotADirectoryError):
            return []
        self.scanned += len(names)
        if self.scanned > MAX_SCANNED:
            raise _TooMany
        # `.*` may name `.` and `..` (bash before 5.2, or with globskipdots off).
        return [".", "..", *sorted(names)]

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(path) and not os.path.islink(path)


def glob_superset(base: str, pattern: str, loose: bool = True) -> list[str]:
    """Existing paths the glob `pattern` may name under the directory `base` (see the
    module docstring)."""
    found: list[str] = []
    _match(_Scan(loose), base, pattern.split("/"), found)
    return found


def _match(scan: _Scan, base: str, parts: list[str], found: list[str]) -> None:
    parts = [p for p in parts if p]  # `a//b` and a trailing `/` name the same place
    if not parts:
        found.append(base)
        if len(found) > MAX_MATCHES:
            raise _TooMany
        return
    part, rest = parts[0], parts[1:]
    if not _GLOB.search(part):
        path = os.path.join(base, part)
        if os.path.lexists(path):  # a glob only ever names what exists
            _match(scan, path, rest, found)
        return
    if "**" in part and scan.loose:
        _match_deep(scan, base, part, rest, found)
        return
    regex = _component_regex(part, scan.loose)
    for name in scan.entries(base):
        hidden = name.startswith(".") and not part.startswith(".")
        if hidden and (name in (".", "..") or not scan.loose):
            continue  # a leading dot is matched only by a dot (unless dotglob)
        if regex.fullmatch(name):
            path = os.path.join(base, name)
            # `..` through a link is the link target's parent: name the real place.
            _match(scan, os.path.realpath(path) if name in (".", "..") else path, rest, found)


def _match_deep(scan: _Scan, base: str, part: str, rest: list[str], found: list[str]) -> None:
    """`**` under globstar: this directory and every one below it (links not followed),
    each then matched as `*` would be too."""
    _match(scan, base, [part.replace("**", "*"), *rest], found)
    if part == "**":
        _match(scan, base, rest, found)
    for name in scan.entries(base):
        if name in (".", ".."):
            continue
        path = os.path.join(base, name)
        if scan.is_dir(path):
            _match_deep(scan, path, part, rest, found)
