"""Agent overhead and step latency (issue 3).

Overhead = task wall time − time inside the model (prompt evaluation + generation, from
TokenStats) − time inside executed commands (ActionResult.duration). It includes
observing the machine, tokenising and rendering prompts, the gate, undo snapshots and
the fsynced audit/trajectory records.

Runs a 10-step task twice, side by side: with the scripted backend (the model costs
~nothing, so this shows the loop's own cost per step) and with the bundled model
(approving read-only actions only, in a temporary workspace).

Usage: .venv/bin/python -m benchmarks.bench_agent
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import bundled_backend, table
from lamtui.agent.approval import ApproveAll, ApproveReadOnly
from lamtui.agent.events import ActionFinished, TaskFinished, TokenStats
from lamtui.agent.loop import Agent, AgentOptions
from lamtui.lam.base import Backend
from lamtui.lam.scripted import ScriptedBackend
from lamtui.safety.policy import Policy

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


def measure(backend: Backend, approver: object, label: str) -> list[tuple[str, str]]:
    ws = _workspace()
    options = AgentOptions(max_steps=STEPS + 1, max_failures=STEPS + 1, policy=Policy("ask"))
    agent = Agent(backend, approver, ws, options)  # type: ignore[arg-type]
    model = command = 0.0
    steps = 0
    started = time.perf_counter()
    for event in agent.run("look around this folder and summarise what is in it"):
        if isinstance(event, TokenStats):
            model += event.prompt_seconds + event.generation_seconds
        elif isinstance(event, ActionFinished):
            command += event.result.duration
        elif isinstance(event, TaskFinished):
            steps = event.steps
    total = time.perf_counter() - started
    overhead = total - model - command
    return [
        (f"{label}: actions", f"{steps} (task time {total:.2f} s)"),
        (f"{label}: step latency (task time / actions)", f"{total / max(steps, 1):.3f} s"),
        (
            f"{label}: model / commands / agent",
            f"{model:.2f} s / {command:.2f} s / {overhead:.3f} s",
        ),
        (f"{label}: agent overhead per step", f"{overhead / max(steps, 1) * 1000:.1f} ms"),
        (f"{label}: agent overhead share", f"{overhead / total:.1%}"),
    ]


def main() -> None:
    rows = measure(_scripted(), ApproveAll(), "scripted")
    if "--scripted-only" in sys.argv:
        print(table(rows, f"agent loop, {STEPS}-step task"))
        return
    backend = bundled_backend()
    rows += measure(backend, ApproveReadOnly(), "bundled model")
    backend.close()
    print(table(rows, f"agent loop, {STEPS}-step task"))


if __name__ == "__main__":
    main()
