"""The training side of an explore round: the round's dataset (every explored example of
the run so far, plus what --replay mixes in), whether its adapter is already trained on
exactly that data (a resumed round does not train twice), and the recipe of an adapter
that continues another (same rank and layers)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError
from lamtui.train.examples import Example
from lamtui.train.manifest import read_manifest


def write_data(data: Path, examples: Sequence[Example], n: int) -> None:
    """Every example goes to train.jsonl: no split is held out of a handful of examples
    (the pool's validation slice is what measures the adapter). card.json counts them."""
    data.mkdir(parents=True, exist_ok=True)
    tmp = data / "train.jsonl.part"
    with tmp.open("w", encoding="utf-8") as fh:
        for example in examples:
            fh.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")
    tmp.replace(data / "train.jsonl")
    card = {
        "examples": {"train": len(examples), "val": 0},
        "by_source": dict(Counter(e.source for e in examples)),
        "by_kind": dict(Counter(e.kind for e in examples)),
        "rounds": n,
        "examples_ids": [e.id for e in examples],
    }
    (data / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")


def replayed(count: int, folder: str, seed: int, n: int) -> list[Example]:
    """`replay` examples of the earlier dataset, a different draw each round."""
    if count <= 0:
        return []
    from lamtui.train.build import read_examples
    from lamtui.train.examples import rng_for

    path = Path(folder) / "train.jsonl"
    try:
        every = list(read_examples(path))
    except (OSError, ValueError, KeyError) as exc:
        raise LamtuiError(
            f"the dataset to replay ({path}) cannot be read: {exc}",
            "build it with lamtui train data, or explore with --replay 0",
        ) from None
    rng_for(f"replay-{seed}-{n}").shuffle(every)
    return every[:count]


def trained(adapter: Path, data: Path) -> bool:
    """The adapter of this round is already there, trained on this very data."""
    from lamtui.train.manifest import data_hash

    if not adapter.is_file():
        return False
    try:
        recorded = (read_manifest(adapter).get("data") or {}).get("sha256")
    except LamtuiError:  # an unreadable manifest: train again
        return False
    return bool(recorded == data_hash(data))


def make_recipe(init: Path, options: Any) -> dict[str, Any]:
    """The new adapter has the shape of the one it starts from (rank, layers)."""
    try:
        parent = read_manifest(init).get("recipe") or {}
    except LamtuiError:
        parent = {}
    return {
        "rank": int(parent.get("rank", 16)),
        "top_layers": int(parent.get("top_layers", 0)),
        "epochs": options.epochs,
        "lr": options.lr,
        "warmup": options.warmup,
        "batch_tokens": options.batch_tokens,
        "max_minutes": options.max_minutes,
        # Explored tasks carry observations: a longer cap than the one-action corpus's.
        "max_tokens": 1024,
    }
