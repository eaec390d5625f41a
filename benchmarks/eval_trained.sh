#!/usr/bin/env bash
# The README's trained-model rows: the default model (bundled base + lamtui's adapter) on
# both suites. Usage: benchmarks/eval_trained.sh OUT_DIR [extra lamtui eval flags]
# The base model's rows come from benchmarks/eval_bundled.sh with --model gemma3-270m.
set -euo pipefail
out="${1:?usage: benchmarks/eval_trained.sh OUT_DIR [lamtui eval flags]}"
shift
lamtui eval builtin --memory off --model gemma3-270m-lam --out "$out/lam-builtin-memory-off" "$@"
lamtui eval intercode-bash --memory off --model gemma3-270m-lam --out "$out/lam-intercode-memory-off" "$@"
lamtui eval builtin --memory on --model gemma3-270m-lam --out "$out/lam-builtin-memory-on" "$@"
lamtui eval compare "$out/lam-builtin-memory-off" "$out/lam-builtin-memory-on"
