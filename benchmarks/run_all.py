"""Run every performance benchmark and print one table of ratios and key figures.

Each benchmark (model runtime, agent overhead, UI latency, memory latency) runs in its own
process, one after another, with `--json`: a crash in llama.cpp or a hung terminal cannot
take the others down, each gets its own peak RSS, and nothing loaded by one (model, Chroma,
Textual) is still resident while the next is timed. Each prints its key figures as one
JSON line (benchmarks.common.Report); the rows below are built from those figures, never
from the printed text. A benchmark that fails gets an error row; the others still run and
the exit code is 1.

Usage: .venv/bin/python -m benchmarks.run_all [--quick] [--json] [--only NAME ...]
  --quick  each benchmark's smallest settings (about 3 minutes on 2 cores)
  --json   print the combined table (and every figure) as JSON instead of text
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

Figures = Mapping[str, Any]


@dataclass(frozen=True)
class Row:
    area: str
    compared: str
    result: str
    method: str
    error: bool = False


@dataclass(frozen=True)
class Bench:
    name: str  # also the "area" column of its rows
    module: str
    summarise: Callable[[Figures], list[Row]]
    quick_args: tuple[str, ...] = ()
    full_args: tuple[str, ...] = ()

    def command(self, quick: bool) -> list[str]:
        args = self.quick_args if quick else self.full_args
        return [sys.executable, "-m", self.module, *args, "--json"]


@dataclass
class Outcome:
    """One benchmark's run: its figures, or why there are none."""

    bench: str
    command: str
    seconds: float
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class BenchError(RuntimeError):
    pass


def _num(figures: Figures, key: str) -> float:
    """A figure as a number, with a message that names it when the benchmark left it out."""
    if key not in figures or figures[key] is None:
        raise BenchError(f"figure {key!r} missing from the benchmark's output")
    return float(figures[key])


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a (divide by 0)"


# -- rows per benchmark: what is compared, the ratio, how it was measured ------------


def model_rows(f: Figures) -> list[Row]:
    free, fast, full = _num(f, "free_tok_s"), _num(f, "fast_tok_s"), _num(f, "full_tok_s")
    ref_grammar = _num(f, "ref_grammar_tok_s")
    prompts = f"{_num(f, 'requests'):.0f} action prompts x {_num(f, 'rounds'):.0f} round(s)"
    steps = _num(f, "kv_steps")
    return [
        Row(
            "model",
            "grammar: lamtui fast path vs llama-cpp-python's grammar",
            f"{_ratio(fast, ref_grammar)} ({fast:.1f} vs {ref_grammar:.1f} tok/s)",
            f"tok/s, greedy, <=96 tokens, {prompts}, modes interleaved; theirs: "
            "create_completion(grammar=LlamaGrammar)",
        ),
        Row(
            "model",
            "grammar fast path vs free generation",
            f"{_ratio(fast, free)} (target >= 0.8)",
            f"lamtui decode loop, same prompts ({free:.1f} tok/s free)",
        ),
        Row(
            "model",
            "grammar on the whole vocabulary each token vs free",
            _ratio(full, free),
            "lamtui loop with the fast path off (what llama-cpp-python's sampler does)",
        ),
        Row(
            "model",
            "KV prefix reuse: appended step vs full prompt",
            f"{_num(f, 'kv_mean_share'):.1%} mean, {_num(f, 'kv_max_share'):.1%} max "
            "(target <= 25%)",
            f"prompt tokens evaluated / prompt tokens, steps 2-{steps:.0f} of a "
            f"{steps:.0f}-step task (step 1: {_num(f, 'kv_first_evaluated'):.0f} evaluated)",
        ),
        Row(
            "model",
            "load time / peak RSS of the bundled model",
            f"{_num(f, 'load'):.2f} s / {_num(f, 'rss_kb') / 1024:.0f} MB",
            "fresh process: resolve + verify + llama.cpp load; ru_maxrss",
        ),
    ]


def agent_rows(f: Figures) -> list[Row]:
    actions = max(_num(f, "bundled_actions"), 1)
    total = _num(f, "bundled_total_s")
    overhead = _num(f, "bundled_overhead_s")
    scripted_per_step = _num(f, "scripted_overhead_s") / max(_num(f, "scripted_actions"), 1)
    return [
        Row(
            "agent",
            "agent overhead share of wall time (bundled model)",
            f"{overhead / total:.1%} (target <= 5%)" if total else "n/a",
            f"wall - model (TokenStats) - commands (ActionResult), {actions:.0f} actions, "
            "read-only approver, temp workspace",
        ),
        Row(
            "agent",
            "agent overhead per step: scripted vs bundled model",
            f"{scripted_per_step * 1000:.1f} ms vs {overhead / actions * 1000:.1f} ms",
            "scripted backend: model costs ~0, so this is the loop's own cost "
            f"({_num(f, 'scripted_actions'):.0f} actions)",
        ),
        Row(
            "agent",
            "step latency, bundled model",
            f"{total / actions:.2f} s per action",
            f"task wall time / actions, step budget {_num(f, 'steps'):.0f}; mostly generation",
        ),
    ]


def ui_rows(f: Figures) -> list[Row]:
    idle = _num(f, "key_idle_p95_ms")
    how = (
        f"key -> Input.value, sent through the driver, {_num(f, 'presses'):.0f} presses "
        "per phase; p95"
    )
    rows = [
        Row(
            "ui",
            f"keypress latency while {phase} vs idle",
            f"{_num(f, f'key_{key}_p95_ms'):.1f} vs {idle:.1f} ms "
            f"= {_ratio(_num(f, f'key_{key}_p95_ms'), idle)}",
            how + load,
        )
        for phase, key, load in (
            ("model streams", "model_streaming", " (1-char tokens every 2 ms)"),
            (
                "a command prints",
                "command_output",
                f" ({_num(f, 'lines_seen'):,.0f} lines streamed)",
            ),
        )
    ]
    rows.append(
        Row(
            "ui",
            "key -> Input repainted under load",
            f"p95 {_num(f, 'paint_load_p95_ms'):.1f} ms (target <= 50)",
            "Input.render_line timed, both loaded phases",
        )
    )
    if "startup_median_s" in f:
        ready = f.get("ready_median_s")
        rows.append(
            Row(
                "ui",
                "start-up to interactive input box",
                f"{_num(f, 'startup_median_s'):.2f} s median (target <= 1.0)"
                + (f"; model ready {float(ready):.1f} s" if ready is not None else ""),
                f"tmux 80x24, capture-pane polled every 10 ms, "
                f"{_num(f, 'startup_runs'):.0f} run(s) after a warm-up",
            )
        )
    else:
        rows.append(Row("ui", "start-up to interactive input box", "skipped", "needs tmux"))
    return rows


def memory_rows(f: Figures) -> list[Row]:
    hidden, pooled = _num(f, "hidden_single_ms"), _num(f, "pooled_single_ms")
    return [
        Row(
            "memory",
            f"retrieval p95 at {_num(f, 'stored'):,.0f} entries",
            f"{_num(f, 'retrieval_p95_ms'):.1f} ms (p50 {_num(f, 'retrieval_p50_ms'):.1f}; "
            "target <= 20)",
            "vector + BM25 search, fusion, gate, rendering; query embedding precomputed",
        ),
        Row(
            "memory",
            "embedding ms per text: hidden-state capture vs llama.cpp pooled",
            f"{hidden:.0f} vs {pooled:.0f} ms = {_ratio(hidden, pooled)}",
            f"one text per call, {_num(f, 'cost_texts'):.0f} seed requests; batched "
            f"{_num(f, 'hidden_batched_ms'):.0f} vs {_num(f, 'pooled_batched_ms'):.0f} ms",
        ),
        Row(
            "memory",
            "query embedding p95 (added to retrieval)",
            f"{_num(f, 'query_embed_p95_ms'):.0f} ms",
            "one paraphrase per call, hidden-state capture",
        ),
        Row(
            "memory",
            "recall@1 held out: fused vs embedding only vs BM25",
            f"{_num(f, 'recall1_fused_heldout'):.2f} "
            f"(all: {_num(f, 'recall1_fused'):.2f} / {_num(f, 'recall1_vector'):.2f} / "
            f"{_num(f, 'recall1_keywords'):.2f})",
            "labelled paraphrases vs 200 seeds; odd groups were not used for tuning",
        ),
    ]


BENCHES: tuple[Bench, ...] = (
    Bench(
        "model",
        "benchmarks.bench_model",
        model_rows,
        quick_args=("--rounds", "1", "--requests", "2", "--kv-steps", "5"),
    ),
    Bench("agent", "benchmarks.bench_agent", agent_rows, quick_args=("--steps", "3")),
    Bench(
        "ui",
        "benchmarks.bench_ui",
        ui_rows,
        quick_args=("--presses", "20", "--lines", "2000", "--runs", "1"),
    ),
    Bench("memory", "benchmarks.bench_memory", memory_rows, quick_args=("--quick",)),
)


# -- running -------------------------------------------------------------------------


def parse_output(stdout: str) -> dict[str, Any]:
    """The figures from a benchmark's `--json` output: its last JSON line (libraries may
    print other things to stdout before it)."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            figures = data.get("figures") if isinstance(data, dict) else None
            if isinstance(figures, dict):
                return figures
    raise BenchError("no JSON figures in the benchmark's output")


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:])


def _stop(process: subprocess.Popen[str]) -> None:
    """Interrupt the benchmark's process group (so its `finally` blocks run, e.g. bench_ui's
    tmux clean-up), then kill whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def run_subprocess(bench: Bench, quick: bool, timeout: float) -> dict[str, Any]:
    """Run one benchmark in its own process group (a new session, so it can be stopped as
    a whole), and return its figures."""
    process = subprocess.Popen(
        bench.command(quick),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise BenchError(f"timed out after {timeout:g} s") from None
    except BaseException:  # ctrl+c: the new session does not get the terminal's SIGINT
        _stop(process)
        raise
    if process.returncode != 0:
        detail = _last_lines(stderr) or _last_lines(stdout) or "no output"
        raise BenchError(f"exit code {process.returncode}: {detail}")
    return parse_output(stdout)


Runner = Callable[[Bench, bool], Mapping[str, Any]]


def run_benches(
    benches: Sequence[Bench],
    runner: Runner,
    quick: bool,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[list[Row], list[Outcome]]:
    """Every benchmark, one after another; a failure becomes an error row and the rest
    still run. A missing figure (a benchmark that changed) is a failure too."""
    rows: list[Row] = []
    outcomes: list[Outcome] = []
    for index, bench in enumerate(benches, 1):
        command = " ".join(["python", *bench.command(quick)[1:]])
        progress(f"[{index}/{len(benches)}] {bench.name}: {command}")
        started = time.perf_counter()
        outcome = Outcome(bench.name, command, 0.0)
        try:
            outcome.figures = dict(runner(bench, quick))
            bench_rows = bench.summarise(outcome.figures)
        except Exception as exc:  # any failure is reported in its row, not raised
            outcome.error = str(exc) if isinstance(exc, BenchError) else repr(exc)
            bench_rows = [
                Row(bench.name, "benchmark failed", f"ERROR {outcome.error}", command, True)
            ]
        outcome.seconds = time.perf_counter() - started
        progress(f"      {'failed' if outcome.error else 'done'} in {outcome.seconds:.0f} s")
        rows += bench_rows
        outcomes.append(outcome)
    return rows, outcomes


# -- output --------------------------------------------------------------------------

HEADERS = ("area", "compared", "result", "how measured")
WIDTHS = (7, 40, 30, 44)  # wrap columns so the table fits ~130 columns


def format_table(rows: Sequence[Row], widths: Sequence[int] = WIDTHS) -> str:
    """A plain-text table; long cells wrap inside their column."""
    cells = [HEADERS, *((r.area, r.compared, r.result, r.method) for r in rows)]
    areas = ["", *(r.area for r in rows)]
    wrapped = [
        [
            textwrap.wrap(c, w, break_on_hyphens=False) or [""]
            for c, w in zip(row, widths, strict=True)
        ]
        for row in cells
    ]
    sizes = [max(len(line) for row in wrapped for line in row[i]) for i in range(len(widths))]
    out: list[str] = []
    for n, row in enumerate(wrapped):
        for k in range(max(len(cell) for cell in row)):
            parts = [
                (cell[k] if k < len(cell) else "").ljust(size)
                for cell, size in zip(row, sizes, strict=True)
            ]
            out.append(" | ".join(parts).rstrip())
        if n == 0 or (n < len(rows) and areas[n + 1] != areas[n]):  # a rule between areas
            out.append("-+-".join("-" * size for size in sizes))
    return "\n".join(out)


def to_json(rows: Sequence[Row], outcomes: Sequence[Outcome], quick: bool) -> str:
    return json.dumps(
        {
            "quick": quick,
            "ok": all(o.error is None for o in outcomes),
            "rows": [asdict(r) for r in rows],
            "benchmarks": [asdict(o) for o in outcomes],
        },
        indent=2,
    )


def main(
    argv: Sequence[str] | None = None,
    benches: Sequence[Bench] = BENCHES,
    runner: Runner | None = None,
) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="smallest settings (~3 min)")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument(
        "--only", nargs="+", choices=[b.name for b in benches], help="run only these"
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds per benchmark (600 quick, 3600)"
    )
    args = parser.parse_args(argv)
    selected = [b for b in benches if not args.only or b.name in args.only]
    timeout = args.timeout or (600.0 if args.quick else 3600.0)

    def in_subprocess(bench: Bench, quick: bool) -> Mapping[str, Any]:
        return run_subprocess(bench, quick, timeout)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    rows, outcomes = run_benches(selected, runner or in_subprocess, args.quick, progress)
    if args.json:
        print(to_json(rows, outcomes, args.quick))
    else:
        print(format_table(rows))
        failed = [o.bench for o in outcomes if o.error]
        print(
            f"\n({'quick settings; ' if args.quick else ''}{len(outcomes)} benchmarks in "
            f"{time.perf_counter() - started:.0f} s, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f}{'; FAILED: ' + ', '.join(failed) if failed else ''})"
        )
    return 0 if all(o.error is None for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
