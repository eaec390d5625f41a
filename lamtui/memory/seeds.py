"""Expert demonstrations shipped with lamtui (data/seeds.toml): loading, and checking the
expectation stored with each seed against what its actions produced."""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lamtui.contract.result import ActionResult
from lamtui.contract.schema import Action

SEED_PREFIX = "seed:"
EXPECT_KEYS = frozenset(
    {
        "exit", "contains", "excludes", "equals", "lines", "regex",
        "files", "files_excluding", "exists", "absent", "modes", "links",
    }
)  # fmt: skip
EXECUTABLE_TOOLS = frozenset({"shell", "read_file", "write_file", "edit_file", "list_dir"})


@dataclass(frozen=True)
class Seed:
    id: str
    category: str
    request: str
    plan: tuple[str, ...]
    actions: tuple[Action, ...]
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def memory_id(self) -> str:
        return SEED_PREFIX + self.id

    def to_record(self) -> dict[str, Any]:
        """The seed as a remembered task (what remember_task stores for real tasks)."""
        return {
            "request": self.request,
            "plan": list(self.plan),
            "actions": [a.model_dump(mode="json") for a in self.actions],
            "outcome": "finished",
        }


@dataclass(frozen=True)
class SeedSet:
    version: int
    seeds: tuple[Seed, ...]


def seeds_file() -> Path:
    return Path(str(resources.files("lamtui.memory") / "data" / "seeds.toml"))


def _action(raw: dict[str, Any], seed_id: str) -> Action:
    data = {"status": "continue", "plan_update": None, **raw}
    try:
        action = Action.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"seed {seed_id}: invalid action: {exc.errors()[0]['msg']}") from None
    if action.tool not in EXECUTABLE_TOOLS:
        raise ValueError(f"seed {seed_id}: tool {action.tool!r} cannot be demonstrated")
    return action


def _seed(raw: dict[str, Any]) -> Seed:
    seed_id = str(raw.get("id", "?"))
    known = {"id", "category", "request", "plan", "thought", "shell", "action", "expect"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"seed {seed_id}: unknown keys {sorted(unknown)}")
    if "shell" in raw:
        if "action" in raw:
            raise ValueError(f"seed {seed_id}: give either shell or [[seed.action]], not both")
        raws = [{"thought": raw.get("thought", ""), "tool": "shell",
                 "args": {"command": raw["shell"]}}]  # fmt: skip
    else:
        raws = list(raw.get("action", []))
    if not raws:
        raise ValueError(f"seed {seed_id}: no action")
    expect = dict(raw.get("expect", {}))
    bad = set(expect) - EXPECT_KEYS
    if bad:
        raise ValueError(f"seed {seed_id}: unknown expectation keys {sorted(bad)}")
    if not expect:
        raise ValueError(f"seed {seed_id}: no expectation; every seed must be checkable")
    for name in ("id", "category", "request"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise ValueError(f"seed {seed_id}: '{name}' must be a non-empty string")
    return Seed(
        id=seed_id,
        category=raw["category"],
        request=raw["request"],
        plan=tuple(str(p) for p in raw.get("plan", [])),
        actions=tuple(_action(a, seed_id) for a in raws),
        expect=expect,
    )


def load_seed_set(path: Path | None = None) -> SeedSet:
    with (path or seeds_file()).open("rb") as fh:
        data = tomllib.load(fh)
    seeds = tuple(_seed(raw) for raw in data.get("seed", []))
    ids = [s.id for s in seeds]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate seed ids: {dup}")
    return SeedSet(int(data.get("version", 1)), seeds)


def load_seeds(path: Path | None = None) -> list[Seed]:
    return list(load_seed_set(path).seeds)


# --- expectations -----------------------------------------------------------------------


def check_expectation(
    expect: dict[str, Any], results: list[ActionResult], workspace: Path
) -> list[str]:
    """What does not hold (empty when the seed did what it claims)."""
    problems: list[str] = []
    output = "\n".join(r.output.rstrip("\n") for r in results if r.output)
    last = results[-1] if results else None
    want_exit = int(expect.get("exit", 0))
    if last is not None and last.exit_code is not None and last.exit_code != want_exit:
        problems.append(f"exit code {last.exit_code}, expected {want_exit}")
    for text in expect.get("contains", []):
        if text not in output:
            problems.append(f"output lacks {text!r}")
    for text in expect.get("excludes", []):
        if text in output:
            problems.append(f"output contains {text!r}")
    if "equals" in expect and output.strip("\n") != expect["equals"]:
        problems.append(f"output is {output.strip()!r}, expected {expect['equals']!r}")
    if "lines" in expect:
        count = sum(1 for line in output.splitlines() if line.strip())
        if count != int(expect["lines"]):
            problems.append(f"{count} non-empty output lines, expected {expect['lines']}")
    if "regex" in expect and not re.search(expect["regex"], output, re.MULTILINE):
        problems.append(f"output does not match {expect['regex']!r}: {output[:200]!r}")
    problems += _check_files(expect, workspace)
    return problems


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def _check_files(expect: dict[str, Any], workspace: Path) -> list[str]:
    problems: list[str] = []
    for rel, text in expect.get("files", {}).items():
        content = _read(workspace / rel)
        if content is None or text not in content:
            problems.append(f"{rel} lacks {text!r}")
    for rel, text in expect.get("files_excluding", {}).items():
        content = _read(workspace / rel)
        if content is None or text in content:
            problems.append(f"{rel} is missing or still contains {text!r}")
    for rel in expect.get("exists", []):
        if not (workspace / rel).exists():
            problems.append(f"{rel} does not exist")
    for rel in expect.get("absent", []):
        if (workspace / rel).exists() or (workspace / rel).is_symlink():
            problems.append(f"{rel} still exists")
    for rel, mode in expect.get("modes", {}).items():
        try:
            actual = f"{stat.S_IMODE((workspace / rel).stat().st_mode):o}"
        except OSError:
            actual = "missing"
        if actual != mode:
            problems.append(f"{rel} has mode {actual}, expected {mode}")
    for rel in expect.get("links", []):
        if not (workspace / rel).is_symlink():
            problems.append(f"{rel} is not a symbolic link")
    return problems
