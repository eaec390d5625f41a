"""What an evaluation suite is: tasks, how to lay out a task's sandbox, what the agent is
asked there, the gold command (when the suite has one), and how a run is judged.

The runner (runner.py) is the same for every suite:
  1. setup(task, root) in a fresh, empty sandbox directory; the agent works there with
     request(task, root) as its request;
  2. when gold_command(task, root) is not None, the same setup in a twin directory, where
     the gold command runs (sandboxed like the agent's shell actions);
  3. judge(task, agent, gold) decides success from the evidence of both.
Paths in Evidence are relative to the sandbox root; outputs have the root replaced by
ROOT_TOKEN, so twins at different paths compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT_TOKEN = "<sandbox>"


@dataclass(frozen=True)
class EvalTask:
    id: str  # unique within the suite, stable across versions ("fs_1-07", "count-errors")
    suite: str
    split: str
    query: str  # as the suite writes it (InterCode: with /testbed etc., before rewriting)
    gold: str | None = None  # the expert's shell command, as written, when there is one
    skip: str = ""  # why this task cannot run in a sandbox here; empty when it can
    data: dict[str, Any] = field(default_factory=dict)  # suite-specific (files, checks, ...)


@dataclass
class Evidence:
    """What happened in one sandbox: by the agent, the gold command or a first action."""

    root: Path
    changes: dict[str, str]  # relative path -> "added" | "modified" | "deleted"
    hashes: dict[str, str]  # relative path -> content hash after the run, for changed paths
    output: str  # full output of the last shell command (root replaced by ROOT_TOKEN)
    exit_code: int | None = None
    summary: str = ""  # the agent's finish summary (empty for gold)
    outputs: list[str] = field(default_factory=list)  # every shell command's output, in order


@dataclass
class Verdict:
    success: bool
    parts: dict[str, Any] = field(default_factory=dict)  # e.g. files/hashes/output scores
    reasons: list[str] = field(default_factory=list)  # why it failed, in words


class Suite(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def splits(self) -> tuple[str, ...]: ...

    @property
    def judged_by_gold(self) -> bool:
        """True when judge() compares with the gold command's effect (InterCode)."""
        ...

    def tasks(self, split: str | None = None) -> list[EvalTask]:
        """All tasks, or one split's; raises LamtuiError for an unknown split."""
        ...

    def setup(self, task: EvalTask, root: Path) -> None:
        """Lay out the task's files in `root` (an existing, empty directory)."""
        ...

    def request(self, task: EvalTask, root: Path) -> str:
        """The request the agent gets when its sandbox is `root`."""
        ...

    def gold_command(self, task: EvalTask, root: Path) -> str | None:
        """The gold command for a sandbox at `root`, or None when the suite has none."""
        ...

    def judge(self, task: EvalTask, agent: Evidence, gold: Evidence | None) -> Verdict:
        """Success or not, from the agent's evidence (and the gold's when there is one)."""
        ...
