"""`lamtui train data ...` builds the dataset; `lamtui train ...` trains a LoRA adapter
on it (the `lamtui[train]` extra) and writes ADAPTER.gguf with its manifest."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from lamtui.errors import Cancelled, LamtuiError
from lamtui.paths import get_paths

EXIT_INTERRUPTED = 3


def _default_data() -> Path:
    return get_paths().data_dir / "train" / "data"


def _default_out() -> Path:
    return get_paths().data_dir / "train" / "run"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "train",
        help="teach the LAM: build training data, then train a LoRA adapter",
        description=__doc__,
    )
    p.add_argument("--model", default="gemma3-270m", help="base model: catalog name or GGUF path")
    p.add_argument("--data", type=Path, help="dataset folder (default: lamtui train data's)")
    p.add_argument("--out", type=Path, help="where checkpoints and the adapter go")
    p.add_argument("--name", default="lamtui-lora", help="the adapter's file name, without .gguf")
    p.add_argument("--epochs", type=float, metavar="N",
                   help="passes over the data (default 1; with --from-trajectories the "
                        "method's own: 2 for SFT, 3 for DPO)")  # fmt: skip
    p.add_argument("--max-examples", type=int, default=0, metavar="N", help="0: all")
    p.add_argument("--lr", type=float, metavar="LR",
                   help="learning rate (default 1e-3; with --from-trajectories 5e-4)")  # fmt: skip
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--top-layers", type=int, default=0, metavar="N", help="LoRA on the top N only")
    p.add_argument("--batch-tokens", type=int, default=2048, metavar="N")
    p.add_argument("--max-minutes", type=float, default=0.0, help="stop (and export) after this")
    p.add_argument("--warmup", type=int, default=20, metavar="STEPS", help="learning-rate warm-up")
    p.add_argument(
        "--max-tokens", type=int, default=768, metavar="N", help="longer examples are left out"
    )
    p.add_argument("--checkpoint-every", type=int, default=50, metavar="STEPS")
    p.add_argument("--resume", action="store_true", help="go on from the checkpoint in --out")
    p.add_argument(
        "--init", type=Path, metavar="ADAPTER", help="start from this adapter GGUF (same --rank)"
    )
    p.add_argument(
        "--from-trajectories", action="store_true",
        help="learn from your own sessions: approvals, rejections and edits since the last time",
    )  # fmt: skip
    p.add_argument("--from", dest="start", default="gemma3-270m-lam", metavar="MODEL",
                   help="with --from-trajectories: the LAM to start from")  # fmt: skip
    p.add_argument("--min-pairs", type=int, default=16, metavar="N",
                   help="with --from-trajectories: DPO from N preference pairs")  # fmt: skip
    p.set_defaults(handler=handle_train)
    tsub = p.add_subparsers(dest="train_command", metavar="ACTION")
    d = tsub.add_parser("data", help="build the training dataset and its data card")
    d.add_argument("--out", type=Path, dest="data_out", help="dataset folder")
    d.add_argument(
        "--max-pairs", type=int, default=8000, metavar="N", help="corpus pairs to ground"
    )
    d.add_argument("--templates", type=int, default=1500, metavar="N", help="template tasks")
    d.add_argument("--trajectories", type=Path, help="a trajectories.jsonl (default: yours)")
    d.add_argument("--no-user", action="store_true", help="leave your trajectories out")
    d.add_argument("--no-run", action="store_true", help="do not run commands for observations")
    d.set_defaults(handler=handle_data)
    from lamtui.commands.explore import register_explore

    register_explore(tsub)


def _say(text: str) -> None:
    end = "\r" if text.startswith("[") else "\n"
    print(text, end=end if sys.stderr.isatty() else "\n", file=sys.stderr, flush=True)


def handle_data(args: argparse.Namespace) -> int:
    from lamtui.train.build import BuildOptions, build

    if args.max_pairs < 0 or args.templates < 0:
        raise LamtuiError("--max-pairs and --templates cannot be negative")
    out = (args.data_out or _default_data()).expanduser()
    options = BuildOptions(
        out=out,
        max_pairs=args.max_pairs,
        templates=args.templates,
        trajectories=args.trajectories,
        include_user=not args.no_user,
        run=not args.no_run,
    )
    try:
        card = build(options, _say)
    except OSError as exc:
        raise _disk_error(exc, out) from None
    print(f"dataset: {out} ({card['examples']['train']:,} train, {card['examples']['val']:,} val)")
    print(f"data card: {out / 'card.json'}")
    return 0


def _disk_error(exc: OSError, where: Path) -> LamtuiError:
    if exc.errno == errno.ENOSPC:
        return LamtuiError(
            f"the disk is full while writing to {where}", "free some space and retry"
        )
    return LamtuiError(f"cannot write to {where}: {exc.strerror or exc}")


def handle_train(args: argparse.Namespace) -> int:
    # A run started in the background (by the app, by explore, from a script with `&`)
    # may inherit SIGINT ignored: Ctrl+C and the app's stop must still save a checkpoint.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.from_trajectories:
        from lamtui.commands.learn import handle_from_trajectories

        return handle_from_trajectories(args)
    from lamtui.lam.catalog import resolve_model
    from lamtui.train.loop import TrainJob, run
    from lamtui.train.trainer import Recipe, require_stack

    require_stack()
    data = (args.data or _default_data()).expanduser()
    if not (data / "train.jsonl").is_file():
        raise LamtuiError(f"no training data in {data}", "build it first: lamtui train data")
    if (data / "train.jsonl").stat().st_size == 0:
        raise LamtuiError(f"the training data in {data} is empty", "rebuild it: lamtui train data")
    epochs = 1.0 if args.epochs is None else args.epochs
    lr = 1e-3 if args.lr is None else args.lr
    if epochs <= 0 or lr <= 0 or args.rank < 1 or args.batch_tokens < 64:
        raise LamtuiError("--epochs and --lr must be positive, --rank ≥ 1, --batch-tokens ≥ 64")
    if args.warmup < 0 or args.max_tokens < 64:
        raise LamtuiError("--warmup cannot be negative, --max-tokens must be at least 64")
    resolved = resolve_model(args.model)
    if resolved.adapter is not None:
        raise LamtuiError(
            f"{args.model} already has an adapter", "train on a base model (e.g. gemma3-270m)"
        )
    recipe = Recipe(
        rank=args.rank,
        alpha=2 * args.rank,
        lr=lr,
        epochs=epochs,
        batch_tokens=args.batch_tokens,
        warmup=args.warmup,
        max_tokens=args.max_tokens,
        top_layers=args.top_layers,
        max_examples=args.max_examples,
        max_minutes=args.max_minutes,
        checkpoint_every=args.checkpoint_every,
    )
    out = (args.out or _default_out()).expanduser()
    init = args.init.expanduser() if args.init else None
    if init is not None and not init.is_file():
        raise LamtuiError(f"no adapter at {init}", "pass an adapter GGUF to --init")
    job = TrainJob(resolved.path, data, out, recipe, resume=args.resume, name=args.name, init=init)
    try:
        manifest = run(job, _say)
    except Cancelled as exc:
        print(f"lamtui: {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        raise _disk_error(exc, out) from None
    adapter = out / f"{args.name}.gguf"
    print(f"adapter: {adapter}")
    print(f"validation loss: {manifest['val_loss']}")
    print(f"use it: lamtui run --model '{args.model}+{adapter}' \"...\"")
    return 0
