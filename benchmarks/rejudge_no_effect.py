"""Apply the "gold has no observable effect" rule to a run made before the rule existed.

    python -m benchmarks.rejudge_no_effect RUN_DIR

Runs each judged task's gold command in a fresh twin sandbox (no model involved), marks
the tasks whose gold prints nothing and changes no file as skipped — exactly what
`lamtui eval` now does before running the agent — and rewrites results.json and
report.md with the summary recomputed. Nothing the agent did is re-judged.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from lamtui.eval.metrics import by_split, skipped, summarize
from lamtui.eval.registry import get_suite
from lamtui.eval.report import load_run, write_run
from lamtui.eval.runner import NO_EFFECT, EvalOptions, TaskResult, TaskRunner, observable
from lamtui.lam.scripted import ScriptedBackend


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    run = load_run(out)
    suite = get_suite(run["meta"]["suite"])
    if not suite.judged_by_gold:
        print("this suite is not judged by its gold commands; nothing to do")
        return 0
    tasks = {t.id: t for t in suite.tasks()}
    runner = TaskRunner(suite, ScriptedBackend([]), EvalOptions())
    changed = 0
    for data in run["tasks"]:
        if data["status"] == "skipped":
            continue
        with tempfile.TemporaryDirectory() as tmp:
            gold = runner._gold(tasks[data["id"]], Path(tmp))
        if gold is not None and not observable(gold):
            data.update(status="skipped", reasons=[NO_EFFECT], success=False)
            changed += 1
    results = [TaskResult(**{k: v for k, v in d.items() if k != "success"}) for d in run["tasks"]]
    run.update(summary=summarize(results), splits=by_split(results), skipped=skipped(results))
    run["meta"]["rejudged_no_effect"] = changed
    write_run(out, run)
    print(f"{changed} tasks had a gold without observable effect; now skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
