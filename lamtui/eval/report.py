"""A run on disk (results.json + report.md) and the terminal chart comparing runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError

RESULTS_FILE = "results.json"
REPORT_FILE = "report.md"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def label(run: dict[str, Any]) -> str:
    meta = run["meta"]
    memory = "memory on" if meta.get("memory") else "memory off"
    seed = f", seeded from {meta['seed_split']}" if meta.get("seed_split") else ""
    return f"{meta['suite']} · {meta['model']} · {memory}{seed}"


def markdown(run: dict[str, Any]) -> str:
    meta, total = run["meta"], run["summary"]
    lines = [
        f"# lamtui eval: {label(run)}",
        "",
        f"- lamtui {meta['lamtui_version']}, model `{meta['model']}` "
        f"(sha256 `{meta.get('model_sha256') or 'n/a'}`), backend {meta['backend']}",
        f"- split {meta.get('split') or 'all'}, limit {meta.get('limit') or 'none'}, "
        f"max {meta['options']['max_steps']} steps and {meta['options']['task_timeout']:g} s "
        f"per task, OS sandbox: {'yes' if meta.get('sandboxed') else 'no'}",
        f"- started {meta['started']}, took {meta.get('seconds', 0):.0f} s",
        "",
        "| split | tasks | ran | task success | step success | avg steps | avg time | "
        "step latency | tok/s | invalid | rejections | timeouts |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [*run["splits"].items(), ("all", total)]
    for name, s in rows:
        lines.append(
            f"| {name} | {s['tasks']} | {s['ran']} | {_pct(s['task_success_rate'])} "
            f"({s['passed']}) | {_pct(s['step_success_rate'])} | {_num(s['avg_steps'])} | "
            f"{_num(s['avg_completion_seconds'], ' s')} | "
            f"{_num(s['avg_step_latency_seconds'], ' s')} | {_num(s['tokens_per_second'])} | "
            f"{_pct(s['invalid_action_rate'])} | {s['gate_rejections']} | {s['timeouts']} |"
        )
    if run["skipped"]:
        lines += ["", "## Skipped (not counted)", ""]
        lines += [f"- `{s['id']}`: {s['reason']}" for s in run["skipped"]]
    lines += ["", "## Tasks", "", "| task | result | steps | time | first action | reasons |"]
    lines += ["|---|---|---|---|---|---|"]
    for t in run["tasks"]:
        first = {True: "✓", False: "✗", None: "—"}[t["first_action_success"]]
        reasons = "; ".join(t["reasons"])[:160].replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {t['id']} | {t['status']} | {t['steps']} | {t['duration']:.1f} s | "
            f"{first} | {reasons} |"
        )
    return "\n".join(lines) + "\n"


def write_run(out: Path, run: dict[str, Any]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / RESULTS_FILE).write_text(json.dumps(run, indent=1, ensure_ascii=False))
    (out / REPORT_FILE).write_text(markdown(run))
    return out


def load_run(path: Path) -> dict[str, Any]:
    file = path / RESULTS_FILE if path.is_dir() else path
    try:
        run: dict[str, Any] = json.loads(file.read_text())
    except OSError as exc:
        raise LamtuiError(
            f"cannot read {file}: {exc.strerror}", "give a run's --out folder"
        ) from None
    except json.JSONDecodeError as exc:
        raise LamtuiError(f"{file} is not a results file: {exc}") from None
    if not isinstance(run, dict) or "summary" not in run or "meta" not in run:
        raise LamtuiError(f"{file} is not a lamtui eval results file")
    return run


CHART_METRICS = (
    ("task success", "task_success_rate", True),
    ("step success", "step_success_rate", True),
    ("avg steps", "avg_steps", False),
    ("step latency s", "avg_step_latency_seconds", False),
)


def chart(runs: list[dict[str, Any]], width: int = 40) -> str:
    """Horizontal bars, one block per metric, one bar per run (with vs without memory,
    model A vs B); rates on a 0-100 % scale, other metrics scaled to the largest."""
    lines: list[str] = []
    names = [f"{chr(ord('A') + i)}" for i in range(len(runs))]
    for name, run in zip(names, runs, strict=True):
        lines.append(f"{name} = {label(run)}")
    for title, key, is_rate in CHART_METRICS:
        values = [run["summary"].get(key) for run in runs]
        present = [v for v in values if v is not None]
        if not present:
            continue
        top = 1.0 if is_rate else max(present) or 1.0
        lines.append("")
        lines.append(title)
        for name, value in zip(names, values, strict=True):
            if value is None:
                lines.append(f"  {name} {'':{width}} —")
                continue
            filled = round(width * value / top)
            bar = "█" * filled + "·" * (width - filled)
            shown = _pct(value) if is_rate else _num(value)
            lines.append(f"  {name} {bar} {shown}")
    return "\n".join(lines)
