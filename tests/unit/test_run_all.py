"""benchmarks.run_all: table assembly, formatting and failure handling, with fake benchmarks
(the real ones load the model, so they never run here)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run_all
from benchmarks.run_all import Bench, BenchError, Row


def _rows(figures: Mapping[str, Any]) -> list[Row]:
    return [Row("fake", "a vs b", f"{run_all._num(figures, 'ratio'):.1f}x", "counted")]


def _benches() -> tuple[Bench, ...]:
    return (
        Bench("first", "fake.first", _rows, quick_args=("--tiny",)),
        Bench("broken", "fake.broken", _rows),
        Bench("third", "fake.third", _rows, full_args=("--big",)),
    )


class FakeRunner:
    """Returns canned figures per benchmark; raises for "broken"; records the calls."""

    def __init__(self, figures: dict[str, dict[str, Any]]) -> None:
        self.figures = figures
        self.calls: list[tuple[str, bool]] = []

    def __call__(self, bench: Bench, quick: bool) -> Mapping[str, Any]:
        self.calls.append((bench.name, quick))
        if bench.name == "broken":
            raise BenchError("exit code 1: RuntimeError: no model")
        return self.figures[bench.name]


def test_failed_bench_gets_an_error_row_the_others_still_run_and_exit_is_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner = FakeRunner({"first": {"ratio": 3.14}, "third": {"ratio": 0.5}})

    code = run_all.main([], benches=_benches(), runner=runner)

    out = capsys.readouterr().out
    assert code == 1
    assert runner.calls == [("first", False), ("broken", False), ("third", False)]
    assert "3.1x" in out and "0.5x" in out
    assert "ERROR exit code 1:" in out and "no model" in out  # wrapped in its cell
    assert "FAILED: broken" in out


def test_all_passing_exits_0_and_quick_reaches_the_runner(
    capsys: pytest.CaptureFixture[str],
) -> None:
    benches = (_benches()[0], _benches()[2])
    runner = FakeRunner({"first": {"ratio": 2}, "third": {"ratio": 1}})

    assert run_all.main(["--quick"], benches=benches, runner=runner) == 0
    assert runner.calls == [("first", True), ("third", True)]
    assert "FAILED" not in capsys.readouterr().out


def test_missing_figure_or_crashing_summary_is_a_failure_not_a_crash() -> None:
    def crash(_: Mapping[str, Any]) -> list[Row]:
        raise ZeroDivisionError("division by zero")

    benches = (Bench("old", "fake.old", _rows), Bench("crash", "fake.crash", crash))
    runner = FakeRunner({"old": {"other": 1.0}, "crash": {}})

    rows, outcomes = run_all.run_benches(benches, runner, quick=False)

    assert [r.error for r in rows] == [True, True]
    assert outcomes[0].error == "figure 'ratio' missing from the benchmark's output"
    assert outcomes[0].figures == {"other": 1.0}  # kept for --json, to see what came back
    assert outcomes[1].error == "ZeroDivisionError('division by zero')"


def test_json_output_has_rows_and_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    runner = FakeRunner({"first": {"ratio": 3.0}, "third": {"ratio": 1.5}})

    code = run_all.main(["--json", "--quick"], benches=_benches(), runner=runner)

    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["quick"] is True and data["ok"] is False
    assert [r["area"] for r in data["rows"]] == ["fake", "broken", "fake"]
    assert [r["error"] for r in data["rows"]] == [False, True, False]
    by_name = {b["bench"]: b for b in data["benchmarks"]}
    assert by_name["first"]["figures"] == {"ratio": 3.0}
    assert by_name["first"]["command"].endswith("-m fake.first --tiny --json")
    assert by_name["broken"]["error"].startswith("exit code 1")


def test_only_runs_the_named_benches() -> None:
    runner = FakeRunner({"third": {"ratio": 1}})
    assert run_all.main(["--only", "third"], benches=_benches(), runner=runner) == 0
    assert runner.calls == [("third", False)]


def test_commands_use_quick_or_full_args_and_ask_for_json() -> None:
    first, _, third = _benches()
    assert first.command(True)[1:] == ["-m", "fake.first", "--tiny", "--json"]
    assert first.command(False)[1:] == ["-m", "fake.first", "--json"]
    assert third.command(False)[1:] == ["-m", "fake.third", "--big", "--json"]


def test_table_aligns_columns_and_wraps_long_cells() -> None:
    rows = [
        Row("model", "grammar: fast path vs theirs", "3.1x", "tok/s " * 20),
        Row("ui", "short", "ERROR " + "x" * 5, "m", error=True),
    ]
    text = run_all.format_table(rows, widths=(6, 30, 12, 20))
    lines = text.splitlines()

    assert [cell.strip() for cell in lines[0].split(" | ")] == list(run_all.HEADERS)
    assert set(lines[1]) <= {"-", "+"}
    bars = {i for i, ch in enumerate(lines[0]) if ch == "|"}
    assert set(lines[-2]) == {"-", "+"}  # a rule between areas
    for line in lines[2:]:
        marks = {i for i, ch in enumerate(line) if ch in "|+"}
        assert marks == bars  # columns line up
        assert len(line) <= sum((6, 30, 12, 20)) + 3 * 3
    assert len(lines) > 2 + len(rows)  # the long "how measured" wrapped onto more lines
    assert "ERROR xxxxx" in text


def test_parse_output_takes_the_last_json_line_with_figures() -> None:
    stdout = "llama.cpp says hello\n{not json\n" + json.dumps({"figures": {"a": 1}}) + "\n\n"
    assert run_all.parse_output(stdout) == {"a": 1}
    with pytest.raises(BenchError, match="no JSON figures"):
        run_all.parse_output('loaded\n{"tables": []}\n')


# -- the shipped summaries, on figures shaped like each benchmark's --json output --------

MODEL = {
    "rounds": 1, "requests": 2, "load": 0.98, "llama_load": 0.5, "rss_kb": 513024,
    "threads": 2, "n_ctx": 4096, "free_tok_s": 40.0, "fast_tok_s": 36.0, "full_tok_s": 12.0,
    "ref_free_tok_s": 58.0, "ref_grammar_tok_s": 12.0, "kv_steps": 5,
    "kv_first_evaluated": 700, "kv_mean_share": 0.027, "kv_max_share": 0.037,
}  # fmt: skip
AGENT = {
    "steps": 3, "scripted_actions": 11, "scripted_total_s": 0.1, "scripted_model_s": 0.0,
    "scripted_command_s": 0.05, "scripted_overhead_s": 0.044, "bundled_actions": 4,
    "bundled_total_s": 10.0, "bundled_model_s": 9.8, "bundled_command_s": 0.1,
    "bundled_overhead_s": 0.1,
}  # fmt: skip
UI = {
    "presses": 20, "lines": 2000, "lines_seen": 2000, "key_idle_p95_ms": 2.0,
    "key_model_streaming_p95_ms": 12.0, "key_command_output_p95_ms": 8.0,
    "paint_load_p95_ms": 22.0, "startup_runs": 1, "startup_median_s": 0.72,
    "ready_median_s": 3.1,
}  # fmt: skip
MEMORY = {
    "stored": 1200, "retrieval_p50_ms": 4.0, "retrieval_p95_ms": 9.5,
    "query_embed_p95_ms": 30.0, "cost_texts": 8, "hidden_single_ms": 20.0,
    "hidden_batched_ms": 12.0, "pooled_single_ms": 25.0, "pooled_batched_ms": 15.0,
    "recall1_fused_heldout": 0.81, "recall1_fused": 0.83, "recall1_vector": 0.7,
    "recall1_keywords": 0.6,
}  # fmt: skip


def _result(rows: list[Row], compared: str) -> str:
    return next(r.result for r in rows if r.compared.startswith(compared))


def test_shipped_summaries_compute_the_ratios() -> None:
    model = run_all.model_rows(MODEL)
    assert _result(model, "grammar: lamtui fast path").startswith("3.00x (36.0 vs 12.0")
    assert _result(model, "grammar fast path vs free").startswith("0.90x")
    assert _result(model, "KV prefix reuse").startswith("2.7% mean, 3.7% max")
    assert _result(model, "load time") == "0.98 s / 501 MB"

    agent = run_all.agent_rows(AGENT)
    assert _result(agent, "agent overhead share").startswith("1.0%")
    assert _result(agent, "agent overhead per step") == "4.0 ms vs 25.0 ms"

    ui = run_all.ui_rows(UI)
    assert _result(ui, "keypress latency while model streams") == "12.0 vs 2.0 ms = 6.00x"
    assert _result(ui, "start-up").endswith("model ready 3.1 s")
    no_tmux = {k: v for k, v in UI.items() if not k.startswith(("startup", "ready"))}
    assert _result(run_all.ui_rows(no_tmux), "start-up") == "skipped"

    memory = run_all.memory_rows(MEMORY)
    assert memory[0].compared == "retrieval p95 at 1,200 entries"
    assert _result(memory, "embedding ms per text") == "20 vs 25 ms = 0.80x"

    every = model + agent + ui + memory
    assert all(r.method and not r.error for r in every)


def test_every_shipped_bench_is_listed_once_with_quick_settings() -> None:
    names = [b.name for b in run_all.BENCHES]
    assert names == ["model", "agent", "ui", "memory"]
    assert all(b.quick_args for b in run_all.BENCHES)
    for bench in run_all.BENCHES:
        assert (Path(run_all.REPO) / (bench.module.replace(".", "/") + ".py")).is_file()


# -- the subprocess runner, on tiny stand-in modules ---------------------------------------


@pytest.fixture
def fake_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sources = {
        "fake_ok": """
            import json, sys
            print("noise from a library")
            print(json.dumps({"tables": [], "figures": {"args": sys.argv[1:]}}))
        """,
        "fake_fail": """
            import sys
            print("loading", file=sys.stderr)
            raise RuntimeError("the model is missing")
        """,
        "fake_hang": """
            import time
            time.sleep(60)
        """,
    }
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return tmp_path


def test_run_subprocess_returns_figures_passes_args_and_reports_errors(
    fake_modules: Path,
) -> None:
    ok = Bench("ok", "fake_ok", _rows, quick_args=("--tiny",))
    assert run_all.run_subprocess(ok, quick=True, timeout=30) == {"args": ["--tiny", "--json"]}

    with pytest.raises(BenchError, match=r"exit code 1: .*RuntimeError: the model is missing"):
        run_all.run_subprocess(Bench("bad", "fake_fail", _rows), quick=False, timeout=30)


def test_run_subprocess_stops_a_hung_bench(fake_modules: Path) -> None:
    with pytest.raises(BenchError, match=r"timed out after 0\.5 s"):
        run_all.run_subprocess(Bench("hang", "fake_hang", _rows), quick=False, timeout=0.5)
