"""The learning curve of exploration (issue 15, item 6): explore rounds from the shipped
adapter, then `lamtui eval builtin` and `lamtui eval intercode-bash` on the start and on
every round's adapter, in one table.

Everything runs under OUT/home (LAMTUI_HOME), so the user's default model never changes,
and every phase resumes: the explore run resumes where it stopped, and an evaluation
whose results.json exists is not run again. Each step is a `lamtui` child process, the
same commands a user types (torch and llama.cpp never share a process).

  python -m benchmarks.bench_explore_curve --out /tmp/curve --rounds 3 --tasks 30
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import Report

SUITES = ("builtin", "intercode-bash")
BASE = "gemma3-270m"
START = "gemma3-270m-lam"


def _lamtui(args: list[str], home: Path, log: Path) -> int:
    env = {**os.environ, "LAMTUI_HOME": str(home)}
    argv = [sys.executable, "-m", "lamtui.cli", *args]
    print("$ lamtui " + " ".join(args), flush=True)
    with log.open("a") as out:
        return subprocess.call(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def explore(out: Path, a: argparse.Namespace) -> list[dict[str, Any]]:
    """The explore run's JSON lines (the baseline, then one per round)."""
    reports = out / "explore.jsonl"
    if not reports.is_file() or '"event": "done"' not in reports.read_text():
        args = ["train", "explore", "--json", "--from", START]
        args += ["--rounds", str(a.rounds), "--tasks", str(a.tasks), "--tries", str(a.tries)]
        args += ["--validation", str(a.validation), "--patience", str(a.rounds)]
        args += ["--max-minutes", str(a.max_minutes)]
        env = {**os.environ, "LAMTUI_HOME": str(out / "home")}
        argv = [sys.executable, "-m", "lamtui.cli", *args]
        print("$ lamtui " + " ".join(args), flush=True)
        with reports.open("a") as stdout, (out / "explore.log").open("a") as stderr:
            code = subprocess.call(argv, env=env, stdout=stdout, stderr=stderr)
        if code != 0:
            sys.exit(f"explore stopped with exit code {code}; run again to resume")
    lines = [json.loads(x) for x in reports.read_text().splitlines() if x.strip()]
    latest: dict[object, dict[str, Any]] = {}
    for line in lines:  # a resumed run repeats the baseline's line: keep the last of each
        if line.get("event") != "done":
            latest[line.get("round", 0)] = line
    return [latest[k] for k in sorted(latest, key=lambda k: int(str(k)))]


def adapters(out: Path) -> list[tuple[int, str, bool]]:
    """(round, the model in use after it, whether that round changed it). A round whose
    candidate was not kept leaves the LAM as it was: the same greedy model, the same
    scores, so it is not evaluated again."""
    states = sorted((out / "home").rglob("explore/*/state.json"))
    state = json.loads(states[-1].read_text())
    found = [(0, START, True)]
    current = START
    for r in state["rounds"]:
        kept = bool(r.get("kept") and r.get("candidate"))
        if kept:
            current = f"{BASE}+{r['candidate']}"
        found.append((int(r["n"]), current, kept))
    return found


def evaluate(out: Path, spec: str, n: int, suite: str) -> dict[str, Any]:
    folder = out / "evals" / f"round-{n}-{suite}"
    results = folder / "results.json"
    if not results.is_file():
        args = ["eval", suite, "--memory", "off", "--model", spec, "--out", str(folder)]
        code = _lamtui(args, out / "home", out / "evals.log")
        if code != 0 or not results.is_file():
            sys.exit(f"lamtui eval {suite} on {spec} failed ({code}); see {out}/evals.log")
    summary: dict[str, Any] = json.loads(results.read_text())["summary"]
    return summary


def _validation(score: dict[str, Any] | None) -> str:
    if not score:
        return "validation —"
    return f"validation {score.get('passed', 0)}/{score.get('judged', 0)}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tasks", type=int, default=30)
    p.add_argument("--tries", type=int, default=3)
    p.add_argument("--validation", type=int, default=30)
    p.add_argument("--max-minutes", type=float, default=15.0)
    p.add_argument("--no-eval", action="store_true", help="only the explore run")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rounds = explore(out, a)
    rows: list[tuple[str, str]] = []
    figures: dict[str, Any] = {}
    by_round = {int(str(r.get("round", 0))): r for r in rounds}
    measured: dict[str, int] = {}  # model spec -> the round whose evaluation it has
    for n, spec, changed in adapters(out):
        r = by_round.get(n, {})
        cells = [
            f"attempted {r.get('attempted', '—')}, verified {r.get('verified', '—')}, "
            f"added {r.get('added', '—')}",
            _validation(r.get("validation")),
            "start" if n == 0 else ("kept" if changed else "not kept: LAM unchanged"),
        ]
        if not a.no_eval:
            at = measured.setdefault(spec, n)
            for suite in SUITES:
                s = evaluate(out, spec, at, suite)
                cells.append(f"{suite} {_pct(s['task_success_rate'])} ({s['passed']}/{s['ran']})")
                figures[f"r{n}_{suite}"] = s["task_success_rate"]
        rows.append(("round 0 (shipped)" if n == 0 else f"round {n}", " · ".join(cells)))
    report = Report([("exploration learning curve", rows)], figures)
    (out / "curve.md").write_text(report.text() + "\n")
    print(report.to_json() if a.json else report.text())


if __name__ == "__main__":
    main()
