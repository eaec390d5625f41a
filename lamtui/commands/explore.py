"""`lamtui train explore`: rounds of self-boosting (issue 15, phase 3). Each round the LAM
attempts pool tasks in sandboxes, its verified successes become training data, a new
adapter is trained from the current one and kept only when it does better on the fixed
validation slice (and made the default only then). Ctrl+C leaves the default as it was;
running the command again resumes the interrupted round."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError

EXIT_INTERRUPTED = 3


def register_explore(tsub: Any) -> None:
    e = tsub.add_parser(
        "explore",
        help="self-boosting: attempt pool tasks, learn from the verified ones, keep what is better",
        description=__doc__,
    )
    e.add_argument("--rounds", type=int, default=3, metavar="N", help="at most N rounds")
    e.add_argument("--tasks", type=int, default=20, metavar="K", help="pool tasks per round")
    e.add_argument("--seed", type=int, default=0, metavar="S", help="which training pool")
    e.add_argument(
        "--from",
        dest="start",
        metavar="ADAPTER",
        help="start from this adapter (a name, a GGUF, BASE+ADAPTER.gguf); default: the "
        "configured model",
    )
    e.add_argument("--base", default="gemma3-270m", help="the base model of an adapter GGUF")
    e.add_argument(
        "--validation", type=int, default=60, metavar="N", help="tasks of the validation slice"
    )
    e.add_argument("--templates", metavar="A,B", help="only these pool templates")
    e.add_argument("--max-steps", type=int, default=4, metavar="N", help="actions per task")
    e.add_argument("--task-timeout", type=float, default=300.0, metavar="SECONDS")
    e.add_argument(
        "--tries",
        type=int,
        default=4,
        metavar="N",
        help="attempts per task until one is verified: greedy, then sampled (best of N)",
    )
    e.add_argument("--temperature", type=float, default=0.8, help="of the sampled tries")
    e.add_argument(
        "--patience",
        type=int,
        default=1,
        metavar="N",
        help="stop after N rounds in a row without a gain (later rounds learn from every "
        "round's data, so a miss is not always the end)",
    )
    e.add_argument("--epochs", type=float, default=1.0, help="per training")
    e.add_argument("--lr", type=float, default=3e-4)
    e.add_argument("--max-minutes", type=float, default=0.0, help="per training; 0: no limit")
    e.add_argument(
        "--replay",
        type=int,
        default=0,
        metavar="N",
        help="also train on N examples of an earlier dataset (against forgetting)",
    )
    e.add_argument(
        "--replay-data", type=Path, metavar="DIR", help="that dataset (default: train data's)"
    )
    e.add_argument("--fresh", action="store_true", help="start a new run, not the unfinished one")
    e.add_argument("--json", action="store_true", help="a JSON line per round on stdout")
    e.set_defaults(handler=handle_explore)


def _options(args: argparse.Namespace) -> Any:
    from lamtui.train.explore import ExploreOptions
    from lamtui.train.pool import templates

    counts = (args.rounds, args.tasks, args.validation, args.max_steps, args.tries, args.patience)
    if min(counts) < 1:
        raise LamtuiError(
            "--rounds, --tasks, --validation, --max-steps, --tries and --patience must be at "
            "least 1"
        )
    if args.temperature <= 0:
        raise LamtuiError("--temperature must be positive (the first try is greedy anyway)")
    if args.task_timeout <= 0 or args.epochs <= 0 or args.lr <= 0 or args.max_minutes < 0:
        raise LamtuiError("--task-timeout, --epochs and --lr must be positive")
    chosen = tuple(t.strip() for t in (args.templates or "").split(",") if t.strip())
    known = {t.name for t in templates()}
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise LamtuiError(
            f"the pool has no template {unknown[0]!r}", "see lamtui/train/pool's data card"
        )
    replay_data = ""
    if args.replay < 0:
        raise LamtuiError("--replay cannot be negative")
    if args.replay:
        from lamtui.paths import get_paths

        folder = (args.replay_data or get_paths().data_dir / "train" / "data").expanduser()
        if not (folder / "train.jsonl").is_file():
            raise LamtuiError(
                f"no dataset to replay in {folder}",
                "build it with lamtui train data, pass --replay-data DIR, or --replay 0",
            )
        replay_data = str(folder.resolve())
    return ExploreOptions(
        rounds=args.rounds,
        tasks=args.tasks,
        seed=args.seed,
        validation=args.validation,
        templates=chosen,
        max_steps=args.max_steps,
        task_timeout=args.task_timeout,
        tries=args.tries,
        temperature=args.temperature,
        patience=args.patience,
        epochs=args.epochs,
        lr=args.lr,
        max_minutes=args.max_minutes,
        replay=args.replay,
        replay_data=replay_data,
    )


def _say(text: str) -> None:
    print(f"lamtui: {text}", file=sys.stderr, flush=True)


def handle_explore(args: argparse.Namespace) -> int:
    from lamtui.train import explore_state as store

    # Started in the background (`&`, nohup) it inherits SIGINT ignored: a stop must
    # still end the round cleanly, and the trainer child must still save its checkpoint.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    options = _options(args)
    with store.exclusive():
        return _explore(args, options)


def _explore(args: argparse.Namespace, options: Any) -> int:
    from lamtui.config import load_settings
    from lamtui.train import explore_state as store
    from lamtui.train.explore import Explorer, new_state
    from lamtui.train.explore_lam import LocalLam, resolve_start
    from lamtui.train.explore_report import chart, reports_of, round_line
    from lamtui.train.trainer import require_stack

    require_stack()
    settings = load_settings(cwd=Path.cwd())
    state = store.unfinished()
    if state is not None and args.fresh:
        state.status, state.stopped = "finished", "abandoned: a new run started with --fresh"
        store.save(state)
        state = None
    if state is None:
        start, entry = resolve_start(args.start or settings.model.name, args.base)
        state = new_state(options, start, entry)
        store.save(state)
        _say(f"explore run {state.run_id}: from {start.name}, state in {state.folder}")
    else:
        phase = state.rounds[-1].phase if state.rounds else "baseline"
        _say(
            f"resuming explore run {state.run_id} (round {max(1, len(state.rounds))}, "
            f"{phase}) with the options it started with; --fresh starts a new run"
        )
    reports: list[dict[str, Any]] = []

    def on_round(report: dict[str, Any]) -> None:
        reports.append(report)
        if args.json:
            print(json.dumps(report), flush=True)
        else:
            print(round_line(report), flush=True)

    lam = LocalLam(settings.model, Path(state.base["path"]), _say)
    try:
        finished = Explorer(state, lam, _say, on_round).run()
    except KeyboardInterrupt:
        where = state.rounds[-1] if state.rounds else None
        at = f"round {where.n}, {where.phase}" if where else "the baseline"
        print(
            f"\nlamtui: interrupted at {at}; the default model is unchanged and "
            "`lamtui train explore` resumes from here",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    done = {
        "event": "done",
        "run": finished.run_id,
        "stopped": finished.stopped,
        "current": finished.current.get("adapter"),
        "folder": str(finished.folder),
    }
    if args.json:
        print(json.dumps(done), flush=True)
    else:
        print(chart(reports_of(finished)))
        print(f"stopped: {finished.stopped}")
        print(f"best adapter: {finished.current.get('adapter')}")
        print("lineage and the default: lamtui models list; switch back: lamtui models use NAME")
    return 0
