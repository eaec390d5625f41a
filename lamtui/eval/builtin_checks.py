"""The builtin suite's checks: given a task's spec and what the agent left (its outputs,
summary and sandbox root), say what is wrong. Runs go last: they may change the sandbox."""

from __future__ import annotations

import configparser
import json
import os
import re
import stat
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lamtui.actions.sandbox import bwrap_prefix, sandbox_status
from lamtui.eval.builtin_spec import INI_SUFFIXES, ConfigCheck, RunCheck, TaskSpec, suffix_of
from lamtui.eval.suite import Evidence

RUN_TIMEOUT = 20.0  # seconds for a `run` check
# --- checks -------------------------------------------------------------------------------


def judge(spec: TaskSpec, agent: Evidence) -> Iterator[tuple[str, list[str]]]:
    """(check kind, problems) for every kind the task uses. Runs go last: they may
    change the sandbox, and the file checks must see what the agent left."""
    check, root = spec.check, agent.root
    everything = [*agent.outputs, agent.output, agent.summary]
    final = [agent.output, agent.summary]
    if check.answer is not None:
        yield "answer", _answers([check.answer], everything, need_all=True)
    if check.answer_all:
        yield "answer_all", _answers(check.answer_all, everything, need_all=True)
    if check.answer_any:
        yield "answer_any", _answers(check.answer_any, everything, need_all=False)
    if check.answer_none:
        found = [v for v in check.answer_none if any(_token(v).search(t) for t in final)]
        yield "answer_none", [f"the final answer wrongly includes {v!r}" for v in found]
    per_path: list[tuple[str, Any, Callable[[Path, str, Any], list[str]]]] = [
        ("file_equals", check.file_equals, _file_equals),
        ("file_contains", check.file_contains, _file_contains),
        ("file_lacks", check.file_lacks, _file_lacks),
        ("file_matches", check.file_matches, _file_matches),
        ("modes", check.modes, _mode),
        ("executable", dict.fromkeys(check.executable, True), _executable),
        ("not_executable", dict.fromkeys(check.not_executable, False), _executable),
        ("unchanged", {p: spec.files[p] for p in check.unchanged}, _unchanged),
    ]
    for kind, items, fn in per_path:
        if items:
            yield kind, [p for path, want in items.items() for p in fn(root, path, want)]
    if check.exists:
        yield "exists", [f"{p} does not exist" for p in check.exists if not _matches(root, p)]
    if check.absent:
        yield "absent", [f"{p} should not exist" for p in check.absent if _matches(root, p)]
    if check.config:
        yield "config", [p for c in check.config for p in _config(root, c)]
    if check.run:
        yield "run", [p for r in check.run for p in _run(root, r)]


def _token(value: str) -> re.Pattern[str]:
    """`value` as a whole token: "3" matches "3 files" or "3." but not "30", "1.3",
    "3.5" or "2024-03"; any run of whitespace in it matches any other."""
    body = r"\s+".join(re.escape(part) for part in value.split())
    return re.compile(rf"(?<![\w.\-]){body}(?!\w|\.\w|,\d)", re.IGNORECASE)


def _answers(values: list[str], texts: list[str], need_all: bool) -> list[str]:
    missing = [v for v in values if not any(_token(v).search(t) for t in texts)]
    if need_all:
        return [f"the answer {v!r} appears in no output nor the summary" for v in missing]
    if len(missing) == len(values):
        return [f"none of the answers {values!r} appears in the outputs or the summary"]
    return []


def _read(root: Path, rel: str) -> str | None:
    try:
        return (root / rel).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def _file_equals(root: Path, rel: str, want: str) -> list[str]:
    got = _read(root, rel)
    if got is None:
        return [f"{rel} does not exist"]
    # A missing or extra newline at the end is not worth failing a task for.
    if got.rstrip("\n") == want.rstrip("\n"):
        return []
    got_lines, want_lines = got.rstrip("\n").split("\n"), want.rstrip("\n").split("\n")
    for number, (g, w) in enumerate(zip(got_lines, want_lines, strict=False), 1):
        if g != w:
            return [f"{rel} line {number} is {g!r}, expected {w!r}"]
    return [f"{rel} has {len(got_lines)} lines, expected {len(want_lines)}"]


def _file_contains(root: Path, rel: str, want: list[str]) -> list[str]:
    got = _read(root, rel)
    if got is None:
        return [f"{rel} does not exist"]
    return [f"{rel} lacks {text!r}" for text in want if text not in got]


def _file_lacks(root: Path, rel: str, unwanted: list[str]) -> list[str]:
    got = _read(root, rel)
    if got is None:  # deleting a file is no way to clean it
        return [f"{rel} does not exist"]
    return [f"{rel} still contains {text!r}" for text in unwanted if text in got]


def _file_matches(root: Path, rel: str, patterns: list[str]) -> list[str]:
    got = _read(root, rel)
    if got is None:
        return [f"{rel} does not exist"]
    return [f"{rel} does not match {p!r}" for p in patterns if not re.search(p, got, re.M)]


def _unchanged(root: Path, rel: str, original: str) -> list[str]:
    got = (root / rel).read_bytes() if (root / rel).is_file() else None
    if got is None:
        return [f"{rel} was removed, but it must stay"]
    return [] if got == original.encode("utf-8") else [f"{rel} was changed, but it must stay"]


def _mode(root: Path, rel: str, want: str) -> list[str]:
    try:
        got = stat.S_IMODE((root / rel).stat().st_mode)
    except OSError:
        return [f"{rel} does not exist"]
    return [] if got == int(want, 8) else [f"{rel} has mode {got:o}, expected {want}"]


def _executable(root: Path, rel: str, want: bool) -> list[str]:
    try:
        mode = (root / rel).stat().st_mode
    except OSError:
        return [f"{rel} does not exist"]
    if want and not mode & stat.S_IXUSR:
        return [f"{rel} is not executable"]
    if not want and mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
        return [f"{rel} is executable, but should not be"]
    return []


def _matches(root: Path, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return any(root.glob(pattern))
    return os.path.lexists(root / pattern)


# --- config files -------------------------------------------------------------------------

_MISSING = object()


def _load_config(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    suffix = suffix_of(path.name)
    if suffix == ".json":
        return json.loads(text)
    if suffix == ".toml":
        return tomllib.loads(text)
    if suffix == ".env":
        values: dict[str, str] = {}
        for line in text.splitlines():
            line = line.strip().removeprefix("export ").strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip("'\"")
        return values
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return {name: dict(parser[name]) for name in parser.sections()}


def _lookup(data: Any, key: str, ini: bool) -> Any:
    # INI keys are "section.key" with the section maybe dotted itself; others nest.
    parts = key.rsplit(".", 1) if ini else key.split(".")
    for part in parts:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return _MISSING
    return data


def _same(got: Any, want: Any, textual: bool) -> bool:
    if textual:  # INI and .env values are text; true/True/TRUE are all fine
        want_text = str(want).lower() if isinstance(want, bool) else str(want)
        return str(got) == want_text or (isinstance(want, bool) and str(got).lower() == want_text)
    # 1 == True in Python, but a flag set to 1 is not set to true.
    return bool(got == want) and isinstance(got, bool) == isinstance(want, bool)


def _config(root: Path, check: ConfigCheck) -> list[str]:
    path = root / check.path
    try:
        data = _load_config(path)
    except OSError:
        return [f"{check.path} does not exist"]
    except (ValueError, configparser.Error) as exc:  # JSON and TOML errors are ValueErrors
        return [f"{check.path} no longer parses: {exc}"]
    textual = suffix_of(check.path) not in {".json", ".toml"}
    got = _lookup(data, check.key, ini=suffix_of(check.path) in INI_SUFFIXES)
    where = f"{check.path}: {check.key}"
    if check.missing:
        return [] if got is _MISSING else [f"{where} is still there ({got!r})"]
    if got is _MISSING:
        return [f"{where} is not set"]
    if check.value is not None and not _same(got, check.value, textual):
        return [f"{where} is {got!r}, expected {check.value!r}"]
    if check.includes is not None:
        inside = isinstance(got, list | str) and (
            any(_same(item, check.includes, textual) for item in got)
            if isinstance(got, list)
            else str(check.includes) in got
        )
        if not inside:
            return [f"{where} is {got!r}, which does not include {check.includes!r}"]
    return []


# --- run ----------------------------------------------------------------------------------


def _run(root: Path, check: RunCheck) -> list[str]:
    # The command runs code the agent wrote or fixed: sandboxed when the OS allows it.
    prefix = bwrap_prefix(root) if sandbox_status().available else ()
    try:
        proc = subprocess.run(
            [*prefix, "bash", "-c", check.command], cwd=root, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=RUN_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return [f"`{check.command}` did not finish within {RUN_TIMEOUT:g} s"]
    output = proc.stdout + proc.stderr
    problems: list[str] = []
    if proc.returncode != check.exit_code:
        tail = output.strip()[-300:]
        problems.append(
            f"`{check.command}` exited with {proc.returncode}, expected {check.exit_code}: {tail!r}"
        )
    problems += [
        f"`{check.command}` printed no {t!r}" for t in check.output_contains if t not in output
    ]
    problems += [f"`{check.command}` printed {t!r}" for t in check.output_lacks if t in output]
    return problems
