"""lamtui's own evaluation suite (data/builtin.toml): realistic terminal tasks, each with
the files to lay out, reference commands, and declarative checks run after the agent.

A task passes when every check holds:
  answer / answer_all / answer_any   the value(s) appear as whole tokens in the agent's
                                     command outputs or finish summary
  answer_none                        none of these appear in its final answer (the last
                                     command's output and the summary)
  file_equals, file_contains, file_lacks, file_matches (regexes, multiline),
  exists, absent (globs), unchanged,
  config ({path, key, value | includes | missing} in JSON, TOML, INI or .env files),
  modes, executable, not_executable,
  run ({command, exit_code, output_contains, output_lacks}: run in the sandbox root
      after the agent, e.g. to try a script it fixed).
The gold run is not needed: the checks say what a correct result is.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import stat
import subprocess
import time
import tomllib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lamtui.actions.sandbox import bwrap_prefix, sandbox_status
from lamtui.errors import LamtuiError
from lamtui.eval.suite import EvalTask, Evidence, Verdict

NAME = "builtin"
PREPARE_TIMEOUT = 30.0  # seconds for a setup command (building a tarball, ...)
RUN_TIMEOUT = 20.0  # seconds for a `run` check
_MODE = re.compile(r"^[0-7]{3,4}$")
_DAY = 86400.0
_INI_SUFFIXES = frozenset({".ini", ".cfg", ".conf"})
_CONFIG_SUFFIXES = frozenset({".json", ".toml", ".env", *_INI_SUFFIXES})


def _relative(path: str) -> str:
    """Paths in the data stay inside the sandbox: relative, without '..'."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"path {path!r} must be relative to the sandbox root, without '..'")
    return path


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigCheck(_Model):
    path: str
    key: str  # dotted: "server.port" (JSON/TOML), "section.key" (INI), "KEY" (.env)
    value: Any = None  # TOML has no null, so None means "not given"
    includes: Any = None  # an item of a list value, or a substring of a text value
    missing: bool = False  # the key must not be there

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        if _suffix(v) not in _CONFIG_SUFFIXES:
            raise ValueError(f"config check on {v!r}: use a .json, .toml, .ini/.cfg/.conf or .env")
        return _relative(v)

    @model_validator(mode="after")
    def _one_expectation(self) -> ConfigCheck:
        given = [self.value is not None, self.includes is not None, self.missing]
        if sum(given) != 1:
            raise ValueError(f"config check {self.key!r}: give one of value, includes, missing")
        return self


class RunCheck(_Model):
    command: str = Field(min_length=1)
    exit_code: int = 0
    output_contains: list[str] = []  # substrings of stdout + stderr
    output_lacks: list[str] = []


class Checks(_Model):
    answer: str | None = None
    answer_all: list[str] = []
    answer_any: list[str] = []
    answer_none: list[str] = []
    file_equals: dict[str, str] = {}
    file_contains: dict[str, list[str]] = {}
    file_lacks: dict[str, list[str]] = {}
    file_matches: dict[str, list[str]] = {}  # regexes (re.MULTILINE), e.g. for YAML edits
    exists: list[str] = []
    absent: list[str] = []
    unchanged: list[str] = []
    config: list[ConfigCheck] = []
    modes: dict[str, str] = {}
    executable: list[str] = []
    not_executable: list[str] = []
    run: list[RunCheck] = []

    @field_validator("run", mode="before")
    @classmethod
    def _one_run(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v  # `run = { ... }` or a list of them

    @field_validator("modes")
    @classmethod
    def _modes(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_modes(v)

    @field_validator("file_matches")
    @classmethod
    def _regexes(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for pattern in (p for patterns in v.values() for p in patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from None
        return v

    @model_validator(mode="after")
    def _paths_and_any(self) -> Checks:
        for path in self.paths():
            _relative(path)
        if not any(getattr(self, name) for name in type(self).model_fields):
            raise ValueError("the task has no checks")
        return self

    def paths(self) -> Iterator[str]:
        yield from self.file_equals
        yield from self.file_contains
        yield from self.file_lacks
        yield from self.file_matches
        yield from self.exists
        yield from self.absent
        yield from self.unchanged
        yield from self.modes
        yield from self.executable
        yield from self.not_executable


class TaskSpec(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    split: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    request: str = Field(min_length=1)
    files: dict[str, str] = {}  # path -> text, written as is (CRLF stays CRLF)
    dirs: list[str] = []  # directories to create even when empty
    prepare: list[str] = []  # setup commands after the files, e.g. to build a tarball
    modes: dict[str, str] = {}  # path -> octal mode, for files and dirs
    mtimes: dict[str, float] = {}  # path -> age in days at setup time
    solution: list[str] = Field(min_length=1)  # reference commands, run from the root
    check: Checks

    @field_validator("files", "modes", "mtimes")
    @classmethod
    def _keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        for path in v:
            _relative(path)
        return v

    @field_validator("dirs")
    @classmethod
    def _dirs(cls, v: list[str]) -> list[str]:
        return [_relative(p) for p in v]

    @field_validator("modes")
    @classmethod
    def _modes(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_modes(v)

    @model_validator(mode="after")
    def _known_paths(self) -> TaskSpec:
        laid_out = set(self.files) | set(self.dirs)
        for path in [*self.modes, *self.mtimes]:
            if path not in laid_out:
                raise ValueError(f"{path!r} has a mode or mtime but is not in files or dirs")
        for path in self.check.unchanged:
            if path not in self.files:
                raise ValueError(f"unchanged {path!r} is not one of the task's files")
        return self


def _check_modes(v: dict[str, str]) -> dict[str, str]:
    for path, mode in v.items():
        if not _MODE.match(mode):
            raise ValueError(f"mode {mode!r} of {path!r} is not 3 or 4 octal digits")
    return v


def _suffix(path: str) -> str:
    name = PurePosixPath(path).name
    return ".env" if name == ".env" or name.endswith(".env") else PurePosixPath(path).suffix


# --- loading ------------------------------------------------------------------------------


def data_file() -> Path:
    return Path(str(resources.files("lamtui.eval") / "data" / "builtin.toml"))


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def load_specs(path: Path | None = None) -> list[TaskSpec]:
    """Every task of the data file, validated; LamtuiError names the task at fault."""
    source = path or data_file()
    try:
        with source.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LamtuiError(f"cannot read the builtin suite {source}: {exc}") from None
    unknown = set(data) - {"version", "task"}
    if unknown:
        raise LamtuiError(f"builtin suite {source}: unknown top-level keys {sorted(unknown)}")
    specs: list[TaskSpec] = []
    for number, raw in enumerate(data.get("task", []), 1):
        name = raw.get("id") if isinstance(raw, dict) else None
        label = repr(name) if isinstance(name, str) else f"#{number}"
        try:
            specs.append(TaskSpec.model_validate(raw))
        except ValidationError as exc:
            raise LamtuiError(f"builtin suite: task {label}: {_describe(exc)}") from None
    ids = [s.id for s in specs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise LamtuiError(f"builtin suite: duplicate task ids {duplicates}")
    return specs


# --- the suite ----------------------------------------------------------------------------


class BuiltinSuite:
    name = NAME
    judged_by_gold = False  # its own checks decide; the gold only serves the step eval

    def __init__(self, path: Path | None = None) -> None:
        self._specs = {spec.id: spec for spec in load_specs(path)}
        # Splits in the order the data first uses them: fixed as long as the file is.
        self.splits: tuple[str, ...] = tuple(
            dict.fromkeys(spec.split for spec in self._specs.values())
        )

    def spec(self, task: EvalTask) -> TaskSpec:
        try:
            return self._specs[task.id]
        except KeyError:
            raise LamtuiError(f"task {task.id!r} is not in the builtin suite") from None

    def tasks(self, split: str | None = None) -> list[EvalTask]:
        if split is not None and split not in self.splits:
            raise LamtuiError(
                f"the builtin suite has no split {split!r}", hint=f"one of {', '.join(self.splits)}"
            )
        return [
            EvalTask(
                id=spec.id,
                suite=NAME,
                split=spec.split,
                query=spec.request,
                gold=spec.solution[0] if len(spec.solution) == 1 else None,
                data=spec.model_dump(),
            )
            for spec in self._specs.values()
            if split is None or spec.split == split
        ]

    def setup(self, task: EvalTask, root: Path) -> None:
        spec = self.spec(task)
        for rel in spec.dirs:
            (root / rel).mkdir(parents=True, exist_ok=True)
        for rel, text in spec.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
        for command in spec.prepare:
            _prepare(spec.id, command, root)
        for rel, mode in spec.modes.items():
            os.chmod(root / rel, int(mode, 8))
        now = time.time()
        for rel, days in spec.mtimes.items():
            when = now - days * _DAY
            os.utime(root / rel, (when, when))

    def request(self, task: EvalTask, root: Path) -> str:
        return task.query

    def gold_command(self, task: EvalTask, root: Path) -> str | None:
        solution = self.spec(task).solution
        return solution[0] if len(solution) == 1 else None

    def judge(self, task: EvalTask, agent: Evidence, gold: Evidence | None) -> Verdict:
        spec = self.spec(task)
        parts: dict[str, Any] = {}
        reasons: list[str] = []
        for kind, problems in _judge(spec, agent):
            parts[kind] = not problems
            reasons.extend(problems)
        return Verdict(success=not reasons, parts=parts, reasons=reasons)


def _prepare(task_id: str, command: str, root: Path) -> None:
    try:
        proc = subprocess.run(
            ["bash", "-c", command], cwd=root, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=PREPARE_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise LamtuiError(f"builtin task {task_id}: setup command timed out: {command}") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip() or f"exit code {proc.returncode}"
        raise LamtuiError(f"builtin task {task_id}: setup command failed: {command}: {detail}")


# --- checks -------------------------------------------------------------------------------


def _judge(spec: TaskSpec, agent: Evidence) -> Iterator[tuple[str, list[str]]]:
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
    suffix = _suffix(path.name)
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
    textual = _suffix(check.path) not in {".json", ".toml"}
    got = _lookup(data, check.key, ini=_suffix(check.path) in _INI_SUFFIXES)
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
