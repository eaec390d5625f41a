"""`lamtui eval SUITE ...`: run the agent on a task suite in sandboxes and report the
paper's and InterCode's metrics; `lamtui eval compare RUN...` charts runs side by side."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lamtui import __version__
from lamtui.errors import LamtuiError
from lamtui.eval.registry import SUITE_NAMES

EXIT_INTERRUPTED = 3


def register(sub: Any) -> None:
    from lamtui.commands.run import add_model_flags

    p = sub.add_parser("eval", help="measure the agent on a task suite (builtin, intercode-bash)")
    esub = p.add_subparsers(dest="eval_command", metavar="SUITE", required=True)
    for name in SUITE_NAMES:
        s = esub.add_parser(name, help=f"run the {name} suite")
        s.add_argument("--split", metavar="NAME", help="only this split")
        s.add_argument("--limit", type=int, metavar="N", help="only the first N tasks")
        s.add_argument("--memory", choices=["on", "off"], default="off")
        s.add_argument(
            "--seed-split",
            metavar="NAME",
            help="with --memory on: add this split's gold demonstrations to memory and "
            "evaluate on the other splits (the memory ablation)",
        )
        s.add_argument("--max-steps", type=int, default=4, metavar="N", help="per task")
        s.add_argument(
            "--task-timeout", type=float, default=300.0, metavar="SECONDS", help="per task"
        )
        s.add_argument("--no-step-eval", action="store_true", help="skip the first-action check")
        s.add_argument("--json", action="store_true", help="print the results as JSON")
        s.add_argument("--out", type=Path, metavar="DIR", help="where results.json/report.md go")
        add_model_flags(s)
        s.set_defaults(handler=handle_run, suite=name)
    c = esub.add_parser("compare", help="chart earlier runs side by side")
    c.add_argument("runs", nargs="+", type=Path, metavar="RUN", help="--out folders of runs")
    c.set_defaults(handler=handle_compare)


def handle_compare(args: argparse.Namespace) -> int:
    from lamtui.eval.report import chart, load_run

    print(chart([load_run(path) for path in args.runs]))
    return 0


def _check_args(args: argparse.Namespace) -> None:
    if args.limit is not None and args.limit < 1:
        raise LamtuiError("--limit must be at least 1")
    if args.max_steps < 1:
        raise LamtuiError("--max-steps must be at least 1")
    if args.task_timeout <= 0:
        raise LamtuiError("--task-timeout must be positive")
    if args.seed_split and args.memory != "on":
        raise LamtuiError("--seed-split fills memory, so it needs --memory on")
    if args.seed_split and args.split == args.seed_split:
        raise LamtuiError(
            f"--split and --seed-split are both {args.split}",
            "evaluate on other tasks than those memory was seeded from",
        )


def _out_dir(args: argparse.Namespace) -> Path:
    if args.out is not None:
        out: Path = args.out.expanduser()
        if out.exists() and not out.is_dir():
            raise LamtuiError(f"--out {out} is a file, not a folder")
        return out
    from lamtui.paths import get_paths

    stamp = time.strftime("%Y%m%d-%H%M%S")
    return get_paths().data_dir / "evals" / f"{args.suite}-{stamp}"


def _model_meta(backend: Any) -> dict[str, Any]:
    info = backend.info
    sha = info.sha256
    if not sha and info.model_path:
        from lamtui.lam.catalog import file_sha256

        sha = file_sha256(Path(info.model_path))
    return {"model": info.model, "backend": info.kind, "model_path": info.model_path,
            "model_sha256": sha}  # fmt: skip


class Progress:
    """A bar on stderr (redrawn in place on a terminal, a line per task otherwise)."""

    def __init__(self) -> None:
        self.counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
        self.tty = sys.stderr.isatty()

    def __call__(self, n: int, total: int, result: Any) -> None:
        self.counts[result.status] = self.counts.get(result.status, 0) + 1
        width = 24
        filled = round(width * n / max(total, 1))
        bar = "█" * filled + "·" * (width - filled)
        c = self.counts
        line = (
            f"[{bar}] {n}/{total}  passed {c['passed']} failed {c['failed']} "
            f"skipped {c['skipped']} errors {c['error']}  "
            f"{result.id} {result.status} ({result.duration:.1f} s)"
        )
        if self.tty:
            end = "\n" if n == total else ""
            print(f"\r\033[K{line}", end=end, file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def handle_run(args: argparse.Namespace) -> int:
    from lamtui.actions.sandbox import sandbox_status
    from lamtui.eval.metrics import by_split, skipped, summarize
    from lamtui.eval.registry import get_suite
    from lamtui.eval.report import chart, markdown, write_run
    from lamtui.eval.runner import EvalOptions, TaskResult, TaskRunner
    from lamtui.lam.factory import open_backend
    from lamtui.session import settings_from_args

    _check_args(args)
    suite = get_suite(args.suite)
    tasks = suite.tasks(args.split)
    seed_tasks = suite.tasks(args.seed_split) if args.seed_split else []
    if args.seed_split:
        tasks = [t for t in tasks if t.split != args.seed_split]
    if args.limit:
        tasks = tasks[: args.limit]
    if not tasks:
        raise LamtuiError("no tasks to run with these options")
    out = _out_dir(args)
    settings = settings_from_args(args, Path.cwd())
    options = EvalOptions(
        max_steps=args.max_steps,
        task_timeout=args.task_timeout,
        shell_timeout=min(settings.shell.timeout, args.task_timeout),
        step_eval=not args.no_step_eval,
    )
    print(
        f"lamtui: eval {args.suite}: {len(tasks)} tasks, loading model "
        f"{settings.model.base_url or settings.model.name} …",
        file=sys.stderr,
    )
    backend = open_backend(settings.model)
    results: list[TaskResult] = []
    interrupted = False
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="lamtui-eval-memory-") as memory_dir:
        memory = None
        seeded = 0
        try:
            if args.memory == "on":
                from lamtui.eval.memory import open_eval_memory

                path = Path(backend.info.model_path) if backend.info.model_path else None
                memory, seeded = open_eval_memory(Path(memory_dir), path, suite, seed_tasks)
            runner = TaskRunner(suite, backend, options, memory)
            progress = Progress()
            for n, task in enumerate(tasks, 1):
                results.append(runner.run(task))
                progress(n, len(tasks), results[-1])
        except KeyboardInterrupt:
            interrupted = True  # keep what finished: a partial report is still a report
            print("\nlamtui: interrupted; reporting the tasks that finished", file=sys.stderr)
        finally:
            if memory is not None:
                memory.store.close()
            backend.close()
    meta = {
        "suite": args.suite,
        "split": args.split,
        "limit": args.limit,
        "memory": args.memory == "on",
        "seed_split": args.seed_split,
        "seed_demonstrations": seeded,
        "lamtui_version": __version__,
        **_model_meta(backend),
        "base_url": settings.model.base_url,
        "options": options.__dict__,
        "sandboxed": sandbox_status().available,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "interrupted": interrupted,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
    }
    run = {
        "meta": meta,
        "summary": summarize(results),
        "splits": by_split(results),
        "skipped": skipped(results),
        "tasks": [r.to_dict() for r in results],
    }
    write_run(out, run)
    if args.json:
        print(json.dumps(run, ensure_ascii=False))
    else:
        print(markdown(run).split("\n## Tasks")[0])
        print(chart([run]))
        print(f"\nreport: {out / 'report.md'}  (compare runs: lamtui eval compare DIR DIR)")
    return EXIT_INTERRUPTED if interrupted else 0
