"""Agent overhead and step latency (issue 3).

Overhead = task wall time − time inside the model (prompt evaluation + generation, from
TokenStats) − time inside executed commands (ActionResult.duration). It includes
observing the machine, tokenising and rendering prompts, the gate, undo snapshots and
the fsynced audit/trajectory records.

Runs a 10-step task twice, side by side: with the scripted backend (the model costs
~nothing, so this shows the loop's own cost per step) and with the bundled model
(approving read-only actions only, in a temporary workspace).

Usage: .venv/bin/python -m benchmarks.bench_agent [--scripted-only] [--steps N] [--json]
  --steps N: step budget of the bundled-model run (default 10; the scripted run is fixed)
  --json: print the figures as one JSON line instead of the table
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.common import Report, Rows, bundled_backend
from lamtui.agent.approval import ApproveAll, ApproveReadOnly
from lamtui.agent.events import ActionFinished, TaskFinished, TokenStats
from lamtui.agent.loop import AgentOptions
from lamtui.lam.base import Backend
from lamtui.lam.scripted import ScriptedBackend
from lamtui.safety.policy import Policy
from lamtui.session import new_agent

STEPS = 10


def _workspace() -> Path:
    ws = Path(tempfile.mkdtemp(prefix="lamtui-bench-ws-"))
    for i in range(20):
        (ws / f"file{i}.txt").write_text(f"line {i}\n" * 50)
    (ws / "src").mkdir()
    (ws / "src" / "app.py").write_text("print('hello')\n")
    return ws


def _scripted() -> ScriptedBackend:
    def action(command: str) -> str:
        return json.dumps(
            {
                "thought": "look",
                "tool": "shell",
                "args": {"command": command},
                "status": "continue",
                "plan_update": None,
            }
        )

    plan = json.dumps(
        {
            "goal": "survey",
            "subtasks": [  # a subtask holds at most 8 steps
                {"title": f"part {p}", "steps": [f"step {p * 5 + i}" for i in range(5)]}
                for p in range(2)
            ],
        }
    )
    commands = [
        "ls",
        "wc -l file1.txt",
        "head -n 3 file2.txt",
        "du -sh .",
        "cat src/app.py",
        "grep -c line file3.txt",
        "ls src",
        "tail -n 2 file4.txt",
        "pwd",
        "date",
    ]
    finish = json.dumps(
        {
            "thought": "done",
            "tool": "finish",
            "args": {"summary": "surveyed"},
            "status": "finish",
            "plan_update": None,
        }
    )
    return ScriptedBackend([plan, *(action(c) for c in commands), finish])


def measure_figures(backend: Backend, approver: object, steps: int = STEPS) -> dict[str, float]:
    """One task's wall time split into model / commands / agent overhead (seconds)."""
    ws = _workspace()
    options = AgentOptions(max_steps=steps + 1, max_failures=steps + 1, policy=Policy("ask"))
    agent = new_agent(backend, approver, ws, options)  # type: ignore[arg-type]
    model = command = 0.0
    actions = 0
    started = time.perf_counter()
    for event in agent.run("look around this folder and summarise what is in it"):
        if isinstance(event, TokenStats):
            model += event.prompt_seconds + event.generation_seconds
        elif isinstance(event, ActionFinished):
            command += event.result.duration
        elif isinstance(event, TaskFinished):
            actions = event.steps
    total = time.perf_counter() - started
    return {
        "actions": actions,
        "total_s": total,
        "model_s": model,
        "command_s": command,
        "overhead_s": total - model - command,
    }


def measure_rows(figures: dict[str, float], label: str) -> Rows:
    steps, total, model, command, overhead = (
        figures[key] for key in ("actions", "total_s", "model_s", "command_s", "overhead_s")
    )
    return [
        (f"{label}: actions", f"{steps:.0f} (task time {total:.2f} s)"),
        (f"{label}: step latency (task time / actions)", f"{total / max(steps, 1):.3f} s"),
        (
            f"{label}: model / commands / agent",
            f"{model:.2f} s / {command:.2f} s / {overhead:.3f} s",
        ),
        (f"{label}: agent overhead per step", f"{overhead / max(steps, 1) * 1000:.1f} ms"),
        (f"{label}: agent overhead share", f"{overhead / total:.1%}"),
    ]


def measure(backend: Backend, approver: object, label: str) -> Rows:
    return measure_rows(measure_figures(backend, approver), label)


def run(scripted_only: bool = False, steps: int = STEPS) -> Report:
    """Figures are prefixed "scripted_" and (unless scripted_only) "bundled_"."""
    runs = {"scripted": measure_figures(_scripted(), ApproveAll())}
    if not scripted_only:
        backend = bundled_backend()
        try:
            runs["bundled"] = measure_figures(backend, ApproveReadOnly(), steps)
        finally:
            backend.close()
    rows: Rows = []
    figures: dict[str, float] = {"steps": steps}
    for key, values in runs.items():
        rows += measure_rows(values, "scripted" if key == "scripted" else "bundled model")
        figures.update({f"{key}_{name}": value for name, value in values.items()})
    title = f"agent loop, {STEPS}-step task"
    if steps != STEPS and not scripted_only:
        title += f" (bundled model: step budget {steps})"
    return Report([(title, rows)], dict(figures))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripted-only", action="store_true", help="skip the bundled model")
    parser.add_argument("--steps", type=int, default=STEPS, help="bundled-model step budget")
    parser.add_argument("--json", action="store_true", help="print figures as one JSON line")
    args = parser.parse_args(argv)
    report = run(args.scripted_only, max(1, args.steps))
    print(report.to_json() if args.json else report.text())


if __name__ == "__main__":
    main()
