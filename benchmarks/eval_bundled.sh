#!/usr/bin/env bash
# The README's results table: the bundled model on both suites, with and without memory.
# Usage: benchmarks/eval_bundled.sh OUT_DIR [extra lamtui eval flags, e.g. --model NAME]
# (about 80 minutes on 2 cores with the bundled 270M model).
set -euo pipefail
out="${1:?usage: benchmarks/eval_bundled.sh OUT_DIR [lamtui eval flags]}"
shift
lamtui eval intercode-bash --memory off --out "$out/intercode-memory-off" "$@"
# The ablation: memory seeded with fs_1's gold demonstrations, evaluated on fs_2..fs_4
# (compare with the same splits of the run above).
lamtui eval intercode-bash --memory on --seed-split fs_1 --out "$out/intercode-memory-on-fs_1" "$@"
lamtui eval builtin --memory off --out "$out/builtin-memory-off" "$@"
lamtui eval builtin --memory on --out "$out/builtin-memory-on" "$@"
lamtui eval compare "$out/builtin-memory-off" "$out/builtin-memory-on"
lamtui eval compare "$out/intercode-memory-off" "$out/intercode-memory-on-fs_1"
