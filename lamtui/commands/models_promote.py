"""`lamtui models promote NAME`: guarded promotion for any adapter (one from
`lamtui train --from-trajectories`, or one trained by hand). The adapter and the current
default are scored on the same fixed validation slice of the pool (each measured once:
scores are remembered by file hash); the adapter becomes the default only when its
completed score beats the default's. `--check` measures and says what would happen,
changing nothing (the app asks the user with it before it switches)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError

EXIT_INTERRUPTED = 3


def register_promote(sub: Any) -> None:
    p = sub.add_parser(
        "promote",
        help="make an adapter the default only if it beats the current one on the validation slice",
        description=__doc__,
    )
    p.add_argument("name", help="an adapter's name (see `lamtui models lineage`) or path")
    p.add_argument("--model", default="", help="the catalog entry whose default it would replace")
    p.add_argument("--validation", type=int, default=60, metavar="N", help="slice tasks")
    p.add_argument("--max-steps", type=int, default=4, metavar="N", help="actions per task")
    p.add_argument("--check", action="store_true", help="measure and report; change nothing")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.set_defaults(handler=handle_promote)


def _say(text: str) -> None:
    print(f"lamtui: {text}", file=sys.stderr, flush=True)


def _score(adapter: Path, base: Path, validation: int, max_steps: int) -> Any:
    """The adapter's completed score on the slice: remembered, or measured now."""
    from lamtui.config import load_settings
    from lamtui.eval.runner import EvalOptions
    from lamtui.lam.base import Backend
    from lamtui.lam.factory import open_backend
    from lamtui.lam.filehash import file_sha256
    from lamtui.paths import get_paths
    from lamtui.train import slice_eval

    tasks, sid = slice_eval.slice_for(validation, max_steps)
    known = slice_eval.known_score(adapter, sid)
    if known is not None:
        _say(f"{adapter.stem}: validation {known.shown()} (measured before)")
        return known
    _say(f"measuring {adapter.stem} on the validation slice ({len(tasks)} tasks)")
    settings = load_settings(cwd=Path.cwd()).model
    spec = f"{base}+{adapter}"
    opened: list[Backend] = []

    def opener() -> Backend:
        opened.append(open_backend(settings.model_copy(update={"name": spec, "base_url": ""})))
        return opened[-1]

    folder = get_paths().data_dir / "train" / "promote"
    results = folder / f"{file_sha256(adapter)[:16]}-{sid}.jsonl"
    options = EvalOptions(max_steps=max_steps, shell_timeout=30.0, step_eval=False)
    try:
        score = slice_eval.evaluate(opener, tasks, sid, results, options, _say, adapter.stem)
    finally:
        for backend in opened:
            backend.close()
    slice_eval.remember_score(adapter, score)
    return score


def _record(candidate: Path, score: Any) -> None:
    """The candidate keeps its score in its manifest, promoted or not."""
    from lamtui.lam.adapters import read_manifest
    from lamtui.train.lineage import SCORE_KEY
    from lamtui.train.manifest import write_manifest

    manifest = read_manifest(candidate)
    manifest.setdefault("validation", {})[score.slice_id] = score.to_dict()
    manifest.setdefault("scores", {})[SCORE_KEY] = score.shown()
    write_manifest(candidate, manifest)


def handle_promote(args: argparse.Namespace) -> int:
    from lamtui.commands.models_use import entry_for, find_adapter
    from lamtui.lam import catalog
    from lamtui.lam.adapters import attach, entry_adapter
    from lamtui.train.promotion import decide, promote

    if args.validation < 1 or args.max_steps < 1:
        raise LamtuiError("--validation and --max-steps must be at least 1")
    candidate = find_adapter(args.name).resolve()
    entry = entry_for(candidate, args.model)
    current = entry_adapter(entry).resolve()
    if candidate == current:
        raise LamtuiError(f"{candidate.stem} is already the default of {entry.name}")
    base = catalog.resolve_model(entry.base)
    attach(base, candidate)  # an adapter trained on another base is refused here
    try:
        before = _score(current, base.path, args.validation, args.max_steps)
        after = _score(candidate, base.path, args.validation, args.max_steps)
    except KeyboardInterrupt:
        _say("interrupted: the default is unchanged; run the same command to go on")
        return EXIT_INTERRUPTED
    _record(candidate, after)
    if args.check:
        verdict = decide(after, before)
        promoted = False
    else:
        verdict = promote(entry, candidate, after, current, before, by="lamtui models promote")
        promoted = verdict.promote
    if args.json:
        print(
            json.dumps(
                {
                    "candidate": str(candidate),
                    "current": str(current),
                    "entry": entry.name,
                    "before": before.to_dict(),
                    "after": after.to_dict(),
                    "better": verdict.promote,
                    "promoted": promoted,
                    "reason": verdict.reason,
                }
            )
        )
        return 0
    print(f"{current.stem}: {before.shown()}  →  {candidate.stem}: {after.shown()}")
    if promoted:
        print(f"{candidate.stem} is now the default of {entry.name} ({verdict.reason})")
        print(f"back: lamtui models use {current.stem}")
    elif args.check:
        print(f"would {'promote' if verdict.promote else 'not promote'}: {verdict.reason}")
    else:
        print(f"not promoted: {verdict.reason}; {entry.name} keeps {current.stem}")
        print(f"it stays beside the default with its score; lamtui models use {candidate.stem}")
    return 0
