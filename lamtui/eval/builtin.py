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
import subprocess
import time
import tomllib
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Self

from pydantic import ValidationError

from lamtui.errors import LamtuiError
from lamtui.eval.builtin_checks import judge
from lamtui.eval.builtin_spec import Checks, ConfigCheck, RunCheck, TaskSpec

__all__ = ["NAME", "BuiltinSuite", "Checks", "ConfigCheck", "RunCheck", "TaskSpec", "data_file",
           "load_specs"]  # fmt: skip
from lamtui.eval.suite import EvalTask, Evidence, Verdict

NAME = "builtin"
PREPARE_TIMEOUT = 30.0  # seconds for a setup command (building a tarball, ...)
_DAY = 86400.0


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
