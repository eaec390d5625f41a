"""A simulated user teaches the LAM to drop a habit (issue 15, item 6).

The user is scripted and knows what they want: a shell action with the habit is edited
into the task's own next step (its reference solution), or rejected with a reason when
no step is left; everything else is approved (shell actions run sandboxed). Phases, each
resumable (a task already in the phase's results file is not run again):

  before   the current LAM attempts N pool tasks under this user; its trajectories go
           to OUT/home-before (the run is a real session: real gate, real sandboxed runs)
  train    `lamtui train --from-trajectories` on those trajectories, in a child process
           (torch and llama.cpp never share one), from the current adapter
  after    the trained adapter attempts held-out pool tasks (another seed) under the same
           user; the habit's rate is the share of first proposals that have it
  control  the current (untrained) LAM on the held-out tasks, under the same user: the
           same tasks as `after`, so the two differ only by the training
  report   the habit's rate and task success, before, control and after, side by side

  python -m benchmarks.bench_learn_from_user --out /tmp/lfu --tasks 60 --phase all
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import Report
from lamtui.agent.approval import Proposal
from lamtui.agent.events import Decision
from lamtui.config import ModelSettings
from lamtui.eval.runner import EvalOptions, TaskResult, TaskRunner
from lamtui.lam.catalog import resolve_model
from lamtui.lam.factory import open_backend
from lamtui.train.pool import PoolSuite, PoolTask, generate_pool
from lamtui.train.pool.base import Step

START = "gemma3-270m-lam"  # the shipped LAM: base + its adapter


@dataclass(frozen=True)
class Habit:
    name: str
    pattern: re.Pattern[str]
    reason: str

    def has(self, command: str) -> bool:
        return bool(self.pattern.search(command))


HABITS = {
    # `cat FILE` (not `cat > FILE` or a heredoc): the whole file into the transcript.
    "cat": Habit(
        "cat",
        re.compile(r"(?:^|[|;&(]\s*)cat\s+(?![<>-])[^|;&]*\S"),
        "do not cat whole files; use head -n 20 FILE, or grep/wc for what you need",
    ),
    # `find /` or `find ~`: the whole machine searched for a task about this folder.
    "find-root": Habit(
        "find-root",
        re.compile(r"(?:^|[|;&(]\s*)find\s+(?:/|~|\$HOME)(?:\s|$)"),
        "do not search the whole machine; search this folder: find . ...",
    ),
    # `git ...` in a folder that is no repository: the shipped LAM's commonest wrong turn
    # (a third of its first proposals on pool tasks, none of which is about git).
    "git": Habit(
        "git",
        re.compile(r"(?:^|[|;&(]\s*)git(?:\s|$)"),
        "this folder is not a git repository; work on the files themselves "
        "(ls, find, grep, wc, head, cut, sed)",
    ),
}


class SimulatedUser:
    """A user who knows what they want. A proposal with the habit is corrected: edited
    into the task's own next step (its reference solution, as a user would type it), or
    rejected with the reason when no reference step is left. Everything else is approved
    (the gate still decides what it denies, and every shell action runs sandboxed).
    Edits and rejections are what `train --from-trajectories` learns from."""

    def __init__(self, habit: Habit) -> None:
        self.habit = habit
        self.reference: list[Step] = []
        self.done = 0  # reference steps the task has taken (approved or edited in)
        self.edits = 0

    def start(self, task: PoolTask | None) -> None:
        self.reference = list(task.actions) if task is not None else []
        self.done = self.edits = 0

    def decide(self, proposal: Proposal) -> Decision:
        action = proposal.action
        if proposal.edited:  # asked again about the user's own edit
            return Decision("approve", by="user")
        if action.tool == "shell" and self.habit.has(str(action.args.get("command", ""))):
            if self.done < len(self.reference):
                step = self.reference[self.done]
                self.done += 1
                self.edits += 1
                edited = action.model_copy(update={"tool": step.tool, "args": dict(step.args)})
                return Decision("edit", by="user", reason=self.habit.reason, edited=edited)
            return Decision("reject", by="user", reason=self.habit.reason)
        self.done += 1
        return Decision("approve", by="user")

    def answer(self, question: str) -> str | None:
        return None


def _done(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {row["id"]: row for row in rows}


def attempt(out: Path, phase: str, model: str, tasks: int, seed: int, habit: Habit) -> None:
    results = out / f"{phase}.jsonl"
    done = _done(results)
    pool = generate_pool(tasks, seed)
    suite = PoolSuite(pool)
    home = out / f"home-{phase}"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["LAMTUI_HOME"] = str(home)  # the trajectories of this phase's sessions
    backend = open_backend(ModelSettings(name=model))
    user = SimulatedUser(habit)
    by_id = {t.id: t for t in pool}
    runner = TaskRunner(
        suite, backend, EvalOptions(step_eval=False), approver=user, policy="ask", home=home
    )
    try:
        for task in suite.tasks():
            if task.id in done:
                continue
            started = time.monotonic()
            user.start(by_id.get(task.id))
            result = runner.run(task)
            row = {**_row(result, habit, time.monotonic() - started), "user_edits": user.edits}
            with results.open("a") as handle:
                handle.write(json.dumps(row) + "\n")
            print(f"{phase} {task.id}: {row['status']} first={row['first']!r}", flush=True)
    finally:
        backend.close()


def _row(result: TaskResult, habit: Habit, seconds: float) -> dict[str, Any]:
    proposals = result.proposed
    return {
        "id": result.id,
        "status": result.status,
        "first": proposals[0] if proposals else "",
        "first_has_habit": bool(proposals) and habit.has(proposals[0]),
        "proposals": len(proposals),
        "habit_proposals": sum(habit.has(c) for c in proposals),
        "seconds": round(seconds, 1),
    }


def train(out: Path, extra: Iterable[str]) -> None:
    """`lamtui train --from-trajectories` on the before phase's sessions (extra: its
    options, e.g. --max-minutes 30)."""
    env = dict(os.environ, LAMTUI_HOME=str(out / "home-before"))
    argv = [
        *(sys.executable, "-m", "lamtui.cli", "train", "--from-trajectories"),
        *("--from", START, "--out", str(out / "train"), "--name", "user-habit", *extra),
    ]
    subprocess.run(argv, env=env, check=True)


def report(out: Path) -> Report:
    rep = Report()
    rows = []
    for phase in ("before", "control", "after"):
        done = list(_done(out / f"{phase}.jsonl").values())
        if not done:
            continue
        n = len(done)
        first = sum(r["first_has_habit"] for r in done) / n
        allp = sum(r["proposals"] for r in done)
        share = sum(r["habit_proposals"] for r in done) / max(1, allp)
        passed = sum(r["status"] == "passed" for r in done) / n
        alone = sum(r["status"] == "passed" and not r.get("user_edits") for r in done) / n
        rows.append((phase, f"{n} tasks, habit in first proposal {first:.0%}, in all "
                            f"proposals {share:.0%}, tasks passed {passed:.0%} "
                            f"({alone:.0%} without a user edit)"))  # fmt: skip
        rep.figures[f"{phase}_first_habit"] = round(first, 4)
        rep.figures[f"{phase}_habit_share"] = round(share, 4)
        rep.figures[f"{phase}_success"] = round(passed, 4)
        rep.figures[f"{phase}_success_unedited"] = round(alone, 4)
    rep.tables.append(("simulated user: the habit before and after training", rows))
    return rep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--habit", choices=sorted(HABITS), default="cat")
    parser.add_argument("--phase", choices=["before", "train", "after", "control", "report", "all"])
    parser.add_argument("--json", action="store_true")
    args, extra = parser.parse_known_args()
    habit = HABITS[args.habit]
    everything = ["before", "train", "after", "control", "report"]
    phases = everything if args.phase == "all" else [args.phase]
    for phase in phases:
        if phase == "before":
            attempt(args.out, "before", START, args.tasks, args.seed, habit)
        elif phase == "train":
            train(args.out, extra)
        elif phase == "control":
            attempt(args.out, "control", START, args.tasks, args.seed + 1000, habit)
        elif phase == "after":
            adapter = args.out / "train" / "user-habit.gguf"
            model = f"{resolve_model(START).path}+{adapter}"
            attempt(args.out, "after", model, args.tasks, args.seed + 1000, habit)
        else:
            rep = report(args.out)
            print(rep.to_json() if args.json else rep.text())


if __name__ == "__main__":
    main()
