"""The builtin suite's task specification: what a task lays out, its reference commands and
its checks, as strict pydantic models (data/builtin.toml is validated against them; the
explore pool builds them). The checks' code is in builtin_checks, the suite in builtin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

INI_SUFFIXES = frozenset({".ini", ".cfg", ".conf"})


def suffix_of(path: str) -> str:
    name = PurePosixPath(path).name
    return ".env" if name == ".env" or name.endswith(".env") else PurePosixPath(path).suffix


_MODE = re.compile(r"^[0-7]{3,4}$")
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
