"""A learning-rate sweep for `lamtui train`: equal wall-clock budgets, one validation
loss each, on the same data (benchmarks/README: how the shipped adapter's lr was chosen).

    python benchmarks/lr_sweep.py --model BASE.gguf --data DATASET --minutes 2.5
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lamtui.train.loop import TrainJob, run
from lamtui.train.trainer import Recipe


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp/lamtui-lr-sweep"))
    parser.add_argument("--minutes", type=float, default=2.5)
    parser.add_argument("--lrs", default="5e-4,1e-3,2e-3")
    args = parser.parse_args()
    rows = []
    for lr in [float(x) for x in args.lrs.split(",")]:
        recipe = Recipe(lr=lr, max_minutes=args.minutes, val_every=10**9, checkpoint_every=10**9)
        out = args.out / f"lr{lr:g}"
        manifest = run(TrainJob(args.model, args.data, out, recipe), lambda s: None)
        rows.append(
            {
                "lr": lr,
                "steps": manifest["steps"],
                "tokens_per_second": manifest["tokens_per_second"],
                "val_loss": round(manifest["val_loss"], 4),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    print(json.dumps({"sweep": rows}, indent=2))


if __name__ == "__main__":
    main()
