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

import os
import re
import subprocess
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lamtui.errors import LamtuiError
from lamtui.eval.builtin_checks import INI_SUFFIXES, judge, suffix_of
from lamtui.eval.suite import EvalTask, Evidence, Verdict

NAME = "builtin"
PREPARE_TIMEOUT = 30.0  # seconds for a setup command (building a tarball, ...)
_MODE = re.compile(r"^[0-7]{3,4}$")
_DAY = 86400.0
_CONFIG_SUFFIXES = frozenset({".json", ".toml", ".env", *INI_SUFFIXES})


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
        if suffix_of(v) not in _CONFIG_SUFFIXES:
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
        self._use(load_specs(path))

    @classmethod
    def from_specs(cls, specs: Iterable[TaskSpec]) -> Self:
        """A suite of specs made in memory (the explore pool's), judged like the file's."""
        suite = cls.__new__(cls)
        suite._use(list(specs))
        return suite

    def _use(self, specs: list[TaskSpec]) -> None:
        counts = Counter(spec.id for spec in specs)
        duplicates = sorted(i for i, n in counts.items() if n > 1)
        if duplicates:
            raise LamtuiError(f"{self.name} suite: duplicate task ids {duplicates}")
        self._specs = {spec.id: spec for spec in specs}
        # Splits in the order the data first uses them: fixed as long as the file is.
        self.splits: tuple[str, ...] = tuple(
            dict.fromkeys(spec.split for spec in self._specs.values())
        )

    def spec(self, task: EvalTask) -> TaskSpec:
        try:
            return self._specs[task.id]
        except KeyError:
            raise LamtuiError(f"task {task.id!r} is not in the {self.name} suite") from None

    def tasks(self, split: str | None = None) -> list[EvalTask]:
        if split is not None and split not in self.splits:
            raise LamtuiError(
                f"the {self.name} suite has no split {split!r}",
                hint=f"one of {', '.join(self.splits)}",
            )
        return [
            EvalTask(
                id=spec.id,
                suite=self.name,
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
        for kind, problems in judge(spec, agent):
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
