"""What a pool template is: a function of a random.Random that drafts one task (request,
fixture, reference solution as shell commands and as agent actions, checks), registered
under a name and a category. The category becomes the task's split, as in the builtin
suite."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Step(NamedTuple):
    """One agent action of a reference solution: a tool of the agent's contract and its
    arguments (paths relative to the workspace)."""

    tool: str
    args: dict[str, str]


def shell(command: str) -> Step:
    return Step("shell", {"command": command})


def read(path: str) -> Step:
    return Step("read_file", {"path": path})


def listing(path: str) -> Step:
    return Step("list_dir", {"path": path})


def write(path: str, content: str) -> Step:
    return Step("write_file", {"path": path, "content": content})


def edit(path: str, search: str, replace: str) -> Step:
    return Step("edit_file", {"path": path, "search": search, "replace": replace})


@dataclass
class Draft:
    """One task before validation. `solution` are shell commands (the builtin suite's
    reference form); `actions` solve it with the tools the request calls for, and
    `summary` is the finish summary that goes with them (it carries the answer when the
    answer was read with a file tool, whose output is not a command output)."""

    request: str
    solution: list[str]
    actions: list[Step]
    check: dict[str, Any]
    summary: str = "Done."
    files: dict[str, str] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)
    modes: dict[str, str] = field(default_factory=dict)
    mtimes: dict[str, float] = field(default_factory=dict)
    read_off: bool = False  # the answer is a value read off a file, so it is in the fixture


Build = Callable[[random.Random], Draft]


@dataclass(frozen=True)
class Template:
    name: str  # also the prefix of its tasks' ids
    category: str  # the tasks' split
    build: Build


TEMPLATES: list[Template] = []


def template(name: str, category: str) -> Callable[[Build], Build]:
    """Register a builder; the modules that define them are imported in a fixed order."""

    def register(build: Build) -> Build:
        if any(t.name == name for t in TEMPLATES):
            raise ValueError(f"two pool templates are named {name!r}")
        TEMPLATES.append(Template(name, category, build))
        return build

    return register


def phrase(r: random.Random, *forms: str, **values: object) -> str:
    """One of several wordings of a request, filled in."""
    return r.choice(forms).format(**values)


def joined(values: list[str]) -> str:
    """`a`, `b` and `c` written for a summary."""
    return ", ".join(values[:-1]) + f" and {values[-1]}" if len(values) > 1 else values[0]
