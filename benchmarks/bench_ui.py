"""TUI responsiveness benchmark (the Textual app), printed as a table:

a. keypress-to-screen latency while the app is under load: a scripted model streams
   thousands of tokens (one character each, token_delay 2 ms) and a command prints 10,000
   lines (paced over a few seconds so it overlaps the measurement). Measured with Pilot:
   one printable key is pressed in the input box, and the time is taken until the Input's
   value shows it, and until the Input is next drawn into a frame (its render_line is
   timed). The key is sent as Pilot sends it (driver.send_message, the path a real
   terminal's keys take) and the value is polled with short asyncio sleeps: Pilot's own
   press()/pause() call wait_for_idle, which waits until the *process* stops using CPU
   (up to 1 s, twice per key) and so measures the load, not the app. p50/p95 over N
   presses per phase (model streaming / command output), and the same number of presses
   while the app is idle (before the task starts) as the baseline. Target: p95 <= 50 ms.
   One more phase, "learning progress": the same presses while "Learn from my approvals"
   runs its child process and its progress line updates: the child here is a load
   generator that keeps one core busy and prints the supervised trainer's progress line
   ~50 times a second (a real trainer prints one every few seconds), so what is measured
   is the app reading, posting and drawing those lines, not torch.
b. start-up: time from spawning `python -m lamtui.ui` in a tmux terminal (80x24) to the
   first render of the input box (its placeholder seen by `tmux capture-pane`, polled
   every 10 ms), and to the model reported ready on the activity line (the bundled model,
   loading in the background). A warm-up run first assembles the bundled model; then
   median / min / max over R runs. Target: input box <= 1.0 s.

Usage: .venv/bin/python -m benchmarks.bench_ui [--presses 100] [--lines 10000] [--runs 5]
       [--json]   (--json: print the figures as one JSON line instead of the table)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Report, Rows

PLACEHOLDER = "What should I do?"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# -- a. keypress latency under load --------------------------------------------------


def _replies(lines: int) -> list[str]:
    def act(tool: str, thought: str, **args: str) -> str:
        return json.dumps(
            {"thought": thought, "tool": tool, "args": args, "status": "continue",
             "plan_update": None}
        )  # fmt: skip

    printer = (
        f"python3 -c 'import time\nfor i in range({lines}):\n"
        f'    print("output line", i, flush=True)\n    time.sleep(0.0004)\''
    )
    long = "streaming a long thought so the model keeps producing tokens " * 5
    steps = [f"step {n}: {long[:80]}" for n in range(5)]
    subtasks = [{"title": f"part {n}", "steps": steps} for n in range(3)]
    plan = {"goal": long[:480], "subtasks": subtasks}  # ~4,000 one-character tokens
    finish = {"thought": long[:290], "tool": "finish", "args": {"summary": "printed"},
              "status": "finish", "plan_update": None}  # fmt: skip
    return [
        json.dumps(plan),
        act("shell", long[:290], command=printer),
        json.dumps(finish),
    ]


async def _press(app: Any, key: str) -> None:
    """Send one key the way Pilot does (through the driver, like a real terminal), without
    Pilot's wait_for_idle: that waits for the *process* to stop using CPU (up to 1 s,
    twice per key), which never happens while the model streams."""
    from textual import events

    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)


IDLE = "idle"
LEARNING = "learning progress"
LOAD_PHASES = ("model streaming", "command output")
# The "learning progress" phase's child: one busy core and the trainer's progress line.
LEARN_LOAD = """
import sys, time
n = 1_000_000
for i in range(1, n + 1):
    t = time.perf_counter()
    while time.perf_counter() - t < 0.015:
        pass
    bar = "#" * (24 * i // n) + "." * (24 - 24 * i // n)
    print(f"[{bar}] step {i}/{n} loss {1 / i:.3f} 240 tok/s ETA {(n - i) / 3000:.1f} min",
          file=sys.stderr, flush=True)
    time.sleep(0.005)
"""


async def _latency(
    presses: int, lines: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], int, int]:
    """Seconds from key to Input.value and from key to repaint, per phase; lines seen;
    progress lines the learn panel drew."""
    import lamtui.ui.learn_child as learn_child
    from lamtui.config import load_settings
    from lamtui.lam.scripted import ScriptedBackend
    from lamtui.ui.app import LamtuiApp

    workspace = Path(tempfile.mkdtemp(prefix="lamtui-bench-ws-"))
    backend = ScriptedBackend(_replies(lines), chunk_chars=1, token_delay=0.002)
    app = LamtuiApp(
        workspace,
        load_settings(cwd=workspace),
        backend_factory=lambda: backend,
        policy_mode="auto",  # no gate: the load must not pause for a decision
        live_stats=False,
    )
    samples: dict[str, list[float]] = {phase: [] for phase in (IDLE, LEARNING, *LOAD_PHASES)}
    painted: dict[str, list[float]] = {phase: [] for phase in samples}
    async with app.run_test(size=(100, 30)) as pilot:
        while app.backend is None:
            await asyncio.sleep(0.01)
        prompt = app.prompt
        prompt.focus()
        first_paint: dict[str, float] = {}  # value -> when a frame first drew it
        render_line = prompt.render_line

        def timed_render_line(y: int) -> Any:
            first_paint.setdefault(prompt.value, time.perf_counter())
            return render_line(y)

        prompt.render_line = timed_render_line  # type: ignore[method-assign]

        async def press_once(phase: str) -> None:
            if len(prompt.value) >= 40:
                prompt.value = ""
                await asyncio.sleep(0.02)
            expected = prompt.value + "x"
            first_paint.pop(expected, None)
            started = time.perf_counter()
            await _press(app, "x")
            while prompt.value != expected:
                await asyncio.sleep(0.0005)
            processed = time.perf_counter()
            samples[phase].append(processed - started)
            deadline = processed + 1.0
            while expected not in first_paint and time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
            painted[phase].append(first_paint.get(expected, deadline) - started)
            await asyncio.sleep(0.01)  # a fast typist, not a flood

        for _ in range(presses):  # the baseline: nothing else is going on
            await press_once(IDLE)
        progress_drawn = await _learning_phase(app, learn_child, presses, press_once)
        prompt.value = ""
        await asyncio.sleep(0.05)
        app.start_task("print many lines")
        await asyncio.sleep(0.05)
        while app._task_running:
            phase = LOAD_PHASES[1] if app.activity.text.startswith("running") else LOAD_PHASES[0]
            if len(samples[phase]) >= presses:
                await asyncio.sleep(0.01)
                continue
            await press_once(phase)
        record = next(iter(app.tasks.values()))
        lines_seen = sum(
            len(e.text.splitlines())  # type: ignore[attr-defined]
            for e in record.events
            if type(e).__name__ == "OutputChunk"
        )
        await pilot.pause(0.01)
    return samples, painted, lines_seen, progress_drawn


async def _learning_phase(app: Any, learn_child: Any, presses: int, press_once: Any) -> int:
    """Presses while the learning child runs and its progress line updates; how many
    progress lines the panel drew meanwhile."""
    panel = app.learn_panel
    drawn = [0]
    show = panel.show_progress

    def counted(progress: Any) -> None:
        drawn[0] += 1
        show(progress)

    panel.show_progress = counted
    product, learn_child.TRAIN_ARGV = learn_child.TRAIN_ARGV, [sys.executable, "-c", LEARN_LOAD]
    try:
        app._start_child("the benchmark's load")  # past the count: nothing new is needed
    finally:
        learn_child.TRAIN_ARGV = product
    while drawn[0] == 0:
        await asyncio.sleep(0.01)
    for _ in range(presses):
        await press_once(LEARNING)
    app._learn_child.stop()
    while app.learning:  # it ends (SIGINT) and the app hears of it
        await asyncio.sleep(0.01)
    return drawn[0]


# -- b. start-up time ---------------------------------------------------------------


def _startup_once(home: Path, workspace: Path, wait_ready: bool) -> tuple[float, float | None]:
    socket = f"lamtui-bench-{os.getpid()}-{time.monotonic_ns()}"  # a fresh tmux server
    tmux = ["tmux", "-L", socket]
    command = (
        f"cd {shlex.quote(str(workspace))} && LAMTUI_HOME={shlex.quote(str(home))} "
        f"exec {shlex.quote(sys.executable)} -m lamtui.ui"
    )
    try:
        started = time.perf_counter()
        subprocess.run([*tmux, "new-session", "-d", "-s", "b", "-x", "80", "-y", "24", command],
                       check=True)  # fmt: skip
        interactive = ready = None
        deadline = started + 180
        while time.perf_counter() < deadline:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
            ).stdout
            now = time.perf_counter() - started
            if interactive is None and PLACEHOLDER in screen:
                interactive = now
            if ready is None and " ready (" in screen:  # "model NAME ready (N s)"
                ready = now
            if interactive is not None and (ready is not None or not wait_ready):
                break
            time.sleep(0.01)
        subprocess.run([*tmux, "send-keys", "-t", "b", "C-q"], check=False)
        time.sleep(0.5)
        if interactive is None:
            raise RuntimeError("the input box never appeared")
        return interactive, ready
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, check=False)
        tmpdir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (tmpdir / socket).unlink(missing_ok=True)  # kill-server may leave the socket file


def _startup(runs: int) -> tuple[list[float], list[float]]:
    home = Path(os.environ.get("LAMTUI_HOME") or tempfile.mkdtemp(prefix="lamtui-bench-"))
    workspace = Path(tempfile.mkdtemp(prefix="lamtui-bench-ws-"))
    _startup_once(home, workspace, wait_ready=True)  # warm-up: assembles the bundled model
    interactive: list[float] = []
    ready: list[float] = []
    for _ in range(runs):
        first, loaded = _startup_once(home, workspace, wait_ready=True)
        interactive.append(first)
        if loaded is not None:
            ready.append(loaded)
    return interactive, ready


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": _percentile(values, 0.5) * 1000,
        "p95_ms": _percentile(values, 0.95) * 1000,
        "max_ms": max(values) * 1000,
    }


def _key(phase: str) -> str:
    return phase.replace(" ", "_")


def run(presses: int = 100, lines: int = 10_000, runs: int = 5) -> Report:
    """Figures: key_<phase>_{n,p50_ms,p95_ms,max_ms} and paint_<phase>_... for the phases
    idle, learning_progress, model_streaming, command_output and load (both loaded phases
    together); lines_seen; learn_progress_drawn; startup_{median,min,max}_s and
    ready_median_s when tmux is there."""
    os.environ.setdefault("LAMTUI_HOME", tempfile.mkdtemp(prefix="lamtui-bench-"))
    samples, painted, lines_seen, progress_drawn = asyncio.run(_latency(presses, lines))
    samples["load"] = [v for phase in LOAD_PHASES for v in samples[phase]]
    painted["load"] = [v for phase in LOAD_PHASES for v in painted[phase]]
    figures: dict[str, float] = {
        "presses": presses, "lines": lines, "lines_seen": lines_seen,
        "learn_progress_drawn": progress_drawn,
    }  # fmt: skip
    for prefix, series in (("key", samples), ("paint", painted)):
        for phase, values in series.items():
            if values:
                figures.update({f"{prefix}_{_key(phase)}_{k}": v for k, v in _ms(values).items()})

    def stats(values: list[float]) -> str:
        return (
            f"p50 {_percentile(values, 0.5) * 1000:.1f} ms, "
            f"p95 {_percentile(values, 0.95) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"
        )

    def verdict(values: list[float]) -> str:
        return "met" if _percentile(values, 0.95) * 1000 <= 50 else "NOT met"

    rows: Rows = []
    for phase in (IDLE, LEARNING, *LOAD_PHASES):
        if samples[phase]:
            values = samples[phase]
            extra = f" ({verdict(values)})" if phase == LEARNING else ""
            rows.append((f"key -> Input.value, {phase} (n={len(values)})", stats(values) + extra))
    everything = samples["load"]
    if everything:
        rows.append(
            (
                f"key -> Input.value, all under load (n={len(everything)})",
                f"{stats(everything)} ({verdict(everything)})",
            )
        )
    if painted[IDLE]:
        idle = painted[IDLE]
        rows.append((f"key -> Input repainted, idle (n={len(idle)})", stats(idle)))
    if painted[LEARNING]:
        values = painted[LEARNING]
        rows.append(
            (
                f"key -> Input repainted, learning progress (n={len(values)})",
                f"{stats(values)} ({progress_drawn} progress lines drawn meanwhile; "
                f"target p95 <= 50 ms: {verdict(values)})",
            )
        )
    if painted["load"]:
        loaded = painted["load"]
        rows.append(
            (
                f"key -> Input repainted, all under load (n={len(loaded)})",
                f"{stats(loaded)} (target p95 <= 50 ms: {verdict(loaded)})",
            )
        )
    rows.append(("command output streamed to the app", f"{lines_seen:,} lines"))

    if shutil.which("tmux"):
        interactive, ready = _startup(runs)
        med = statistics.median(interactive)
        figures.update(
            startup_runs=len(interactive),
            startup_median_s=med,
            startup_min_s=min(interactive),
            startup_max_s=max(interactive),
        )
        rows.append(
            (
                f"start-up to interactive input box (n={len(interactive)})",
                f"median {med:.2f} s, min {min(interactive):.2f} s, max {max(interactive):.2f} s "
                f"(target <= 1.0 s: {'met' if med <= 1.0 else 'NOT met'})",
            )
        )
        if ready:
            figures["ready_median_s"] = statistics.median(ready)
            rows.append(
                (
                    "start-up to bundled model ready (background)",
                    f"median {statistics.median(ready):.2f} s",
                )
            )
    else:
        rows.append(("start-up", "skipped: tmux is not installed"))
    return Report([("lamtui TUI benchmark", rows)], dict(figures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--presses", type=int, default=100, help="key presses per phase")
    parser.add_argument("--lines", type=int, default=10_000, help="lines the command prints")
    parser.add_argument("--runs", type=int, default=5, help="start-up runs")
    parser.add_argument("--json", action="store_true", help="print figures as one JSON line")
    args = parser.parse_args(argv)
    report = run(max(1, args.presses), args.lines, max(1, args.runs))
    if args.json:
        print(report.to_json())
        return 0
    print(report.text())
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} CPUs; see the module docstring)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
