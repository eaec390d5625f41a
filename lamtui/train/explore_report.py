"""What `lamtui train explore` shows: a line per round, and at the end a bar chart of
validation success per round (the start adapter first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lamtui.train.explore_state import ExploreState, RoundState

WIDTH = 24


def _bar(rate: float | None) -> str:
    if rate is None:
        return "·" * WIDTH
    filled = round(WIDTH * max(0.0, min(1.0, rate)))
    return "█" * filled + "░" * (WIDTH - filled)


def _score(score: dict[str, Any] | None) -> str:
    if not score:
        return "not measured".ljust(16)
    rate = float(score.get("rate") or 0.0)
    return f"{score.get('passed', 0)}/{score.get('judged', 0)} {100 * rate:5.1f}%".ljust(16)


def round_line(report: dict[str, Any]) -> str:
    if report.get("event") == "baseline":
        return f"start: {report.get('adapter')}  validation {_score(report.get('validation'))}"
    minutes = (report.get("seconds") or {}).get("total", 0.0) / 60
    return (
        f"round {report['round']}: attempted {report['attempted']}, verified "
        f"{report['verified']}, added {report['added']}, validation "
        f"{_score(report.get('validation')).strip()}, {minutes:.1f} min — {report['reason']}"
    )


def chart(reports: Sequence[dict[str, Any]]) -> str:
    """Bars of validation success: the start adapter, then each round."""
    lines = ["validation success per round"]
    for report in reports:
        score = report.get("validation")
        rate = float(score["rate"]) if score else None
        if report.get("event") == "baseline":
            label, note = "start", str(report.get("adapter"))
        else:
            label = str(report["round"])
            mark = (
                "kept, default"
                if report.get("promoted")
                else "kept"
                if report.get("kept")
                else "not kept"
            )
            note = (
                f"+{report['added']} (of {report['attempted']} attempted, "
                f"{report['verified']} verified)  {mark}  "
                f"{(report.get('seconds') or {}).get('total', 0.0) / 60:.1f} min"
            )
        lines.append(f"  {label:>5}  {_bar(rate)}  {_score(score)} {note}")
    return "\n".join(lines)


def round_report(current: RoundState) -> dict[str, Any]:
    score = current.score or {}
    return {
        "event": "round",
        "round": current.n,
        "attempted": current.attempted,
        "verified": current.verified,
        "added": current.added,
        "validation": score or None,
        "validation_success": score.get("rate"),
        "kept": current.kept,
        "promoted": current.promoted,
        "adapter": current.candidate or None,
        "reason": current.reason,
        "seconds": {**current.seconds, "total": round(sum(current.seconds.values()), 1)},
    }


def reports_of(state: ExploreState) -> list[dict[str, Any]]:
    """The start adapter's report, then each finished round's."""
    baseline = {
        "event": "baseline",
        "adapter": state.start.get("name"),
        "validation": state.start.get("score"),
    }
    return [baseline, *(round_report(r) for r in state.rounds if r.phase == "done")]
