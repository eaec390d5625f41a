"""`lamtui train --from-trajectories`: train on what the user approved, rejected and
edited since the last such training (train.from_user), starting from the current LAM.
The new adapter is written beside the current default, never over it."""

from __future__ import annotations

import argparse
import sys

from lamtui.errors import Cancelled, LamtuiError
from lamtui.paths import get_paths

EXIT_INTERRUPTED = 3


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def handle_from_trajectories(args: argparse.Namespace) -> int:
    from lamtui.config import load_settings
    from lamtui.safety.secrets import SecretStore
    from lamtui.train.explore_lam import resolve_start
    from lamtui.train.from_user import LearnJob, collect, learn, summary
    from lamtui.train.trainer import require_stack

    if args.min_pairs < 1:
        raise LamtuiError("--min-pairs must be at least 1")
    if (args.epochs is not None and args.epochs <= 0) or (args.lr is not None and args.lr <= 0):
        raise LamtuiError("--epochs and --lr must be positive")
    # Every stored secret is redacted again before anything is written.
    redactor = SecretStore(load_settings().secrets.backend).redactor()
    data = collect(redactor=redactor)
    _say(summary(data))
    if not data.anything_new:
        print("nothing new to learn from since the last training: nothing was trained")
        return 0
    require_stack()
    start, _entry = resolve_start(args.start, args.model)
    out = (args.out or get_paths().data_dir / "train" / "from-user").expanduser()
    name = args.name if args.name != "lamtui-lora" else "lamtui-user"
    job = LearnJob(
        start.path, out, start.adapter, name=name, min_pairs=args.min_pairs,
        max_minutes=args.max_minutes, top_layers=args.top_layers, epochs=args.epochs or 0.0,
        lr=args.lr or 0.0,
    )  # fmt: skip
    try:
        manifest = learn(job, data, _say)
    except Cancelled as exc:
        print(f"lamtui: {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    adapter = out / f"{name}.gguf"
    print(f"method: {manifest['method']} ({manifest['method_reason']})")
    print(f"adapter: {adapter} (beside the current default, which is unchanged)")
    print(f"try it: lamtui run --model '{start.path}+{adapter}' \"...\"")
    print(f"make it the default: lamtui models use {adapter.stem}")
    return 0
