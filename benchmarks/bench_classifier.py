"""The shell classifier on pathological input (issue 12): each of these took seconds to
minutes before the second red-team round (`((((…` was quadratic: 135 s at 50 kB). Shown
side by side with a plain command of the same length, so the ratio, not the machine,
tells whether an input is still expensive.

Usage: .venv/bin/python -m benchmarks.bench_classifier [--json]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.common import Report
from lamtui.safety.risk import classify_command

INPUTS = {
    "nested parens": "(" * 20_000,
    "nested arithmetic": "$((" * 10_000,
    "arithmetic commands": "((" * 20_000 + "))" * 20_000,
    "old arithmetic": "$[" * 20_000,
    "many words": "ls " + "x " * 30_000,
    "many distinct words": "ls " + " ".join(f"a{i}" for i in range(15_000)),
    "test groups": "[[ " + "( " * 30_000 + "x ]]",
    "awk getlines": "awk '" + "getline " * 10_000 + "'",
}


def _seconds(command: str, workspace: Path) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        classify_command(command, workspace)
        best = min(best, time.perf_counter() - started)
    return best


def measure() -> Report:
    report = Report()
    workspace = Path(tempfile.mkdtemp(prefix="lamtui-bench-classifier-"))
    rows = []
    for name, command in INPUTS.items():
        plain = "echo " + "a" * (len(command) - 5)  # one long word: the linear baseline
        took, base = _seconds(command, workspace), _seconds(plain, workspace)
        rows.append((name, f"{len(command):,} chars: {took:.3f} s ({took / base:.0f}x echo)"))
        report.figures[name.replace(" ", "_") + "_s"] = round(took, 4)
    report.tables.append(("classifier on pathological input (best of 3)", rows))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print figures as one JSON line")
    args = parser.parse_args()
    report = measure()
    print(report.to_json() if args.json else report.text())


if __name__ == "__main__":
    main()
