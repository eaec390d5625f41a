"""Model runtime benchmark (issue 2), all measured side by side in one run on the same
model and prompt:

1. generation speed: free vs grammar-constrained (lamtui's fast path: check the greedy
   token first) vs grammar applied to the whole vocabulary each token (the path
   llama-cpp-python's own sampler takes), reported as ratios to free generation;
2. KV-cache reuse over a 10-step task: prompt tokens evaluated per step after the first
   as a share of the prompt;
3. load time and peak RSS of the bundled model (in a fresh subprocess).

Usage: .venv/bin/python -m benchmarks.bench_model [--rounds N] [--requests N] [--kv-steps N]
       [--json]   (--json: print the figures as one JSON line instead of the table)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from benchmarks.common import Report, Rows, bundled_backend
from lamtui.contract.schema import action_schema
from lamtui.lam.base import GenerationRequest, Message
from lamtui.lam.llamacpp import LlamaCppBackend
from tests.helpers import action_messages, collect

REQUESTS = [
    "list the files here",
    "count the lines in README.md",
    "find all python files bigger than 1 MB",
    "show the last 20 lines of app.log",
]


def _speed(
    backend: LlamaCppBackend,
    schema: dict | None,
    fast: bool,
    rounds: int,
    requests: list[str] = REQUESTS,
) -> float:
    backend._fast_grammar = fast
    tokens = 0
    seconds = 0.0
    for _ in range(rounds):
        for request in requests:
            messages = action_messages(request, "Workspace: /home/user/project")
            result = collect(backend.stream(GenerationRequest(messages, schema, max_tokens=96)))
            tokens += result.stats.completion_tokens
            seconds += result.stats.generation_seconds
    return tokens / seconds


def _reference_speed(
    backend: LlamaCppBackend, grammar: bool, requests: list[str] = REQUESTS
) -> float:
    """llama-cpp-python's own completion loop on the same prompts, for reference."""
    from llama_cpp import LlamaGrammar

    llm = backend._llm
    compiled = LlamaGrammar.from_string(backend._gbnf(action_schema()), verbose=False)
    tokens = 0
    seconds = 0.0
    for request in requests:
        prompt = backend.render(action_messages(request, "Workspace: /home/user/project"))
        llm.create_completion(prompt, max_tokens=1, temperature=0.0)  # prompt into the cache
        started = time.perf_counter()
        out = llm.create_completion(
            prompt, max_tokens=96, temperature=0.0, grammar=compiled if grammar else None
        )
        seconds += time.perf_counter() - started
        tokens += out["usage"]["completion_tokens"]
    return tokens / seconds


def generation_figures(
    backend: LlamaCppBackend, rounds: int, requests: list[str] = REQUESTS
) -> dict[str, float]:
    """Tokens per second of each mode, averaged over rounds (keys as in generation_rows)."""
    schema = action_schema()
    _speed(backend, schema, True, 1, requests)  # warm-up: grammar compile, caches
    # Interleave the modes so machine noise hits them alike.
    totals = dict.fromkeys(("free", "fast", "full", "ref_free", "ref_grammar"), 0.0)
    for _ in range(rounds):
        totals["free"] += _speed(backend, None, True, 1, requests)
        totals["fast"] += _speed(backend, schema, True, 1, requests)
        totals["full"] += _speed(backend, schema, False, 1, requests)
        totals["ref_free"] += _reference_speed(backend, False, requests)
        totals["ref_grammar"] += _reference_speed(backend, True, requests)
    return {f"{key}_tok_s": total / rounds for key, total in totals.items()}


def generation_rows(figures: dict[str, float]) -> Rows:
    free, fast, full, ref_free, ref_grammar = (
        figures[f"{key}_tok_s"] for key in ("free", "fast", "full", "ref_free", "ref_grammar")
    )
    return [
        ("free generation (lamtui loop)", f"{free:.1f} tok/s"),
        ("grammar, fast path (lamtui)", f"{fast:.1f} tok/s  = {fast / free:.2f} x free"),
        ("grammar, whole vocabulary each token", f"{full:.1f} tok/s  = {full / free:.2f} x free"),
        ("llama-cpp-python create_completion, free", f"{ref_free:.1f} tok/s"),
        (
            "llama-cpp-python create_completion, grammar",
            f"{ref_grammar:.1f} tok/s  = {ref_grammar / ref_free:.2f} x its free",
        ),
        ("fast path vs llama-cpp-python grammar", f"{fast / ref_grammar:.1f} x"),
    ]


def generation_speed(backend: LlamaCppBackend, rounds: int) -> Rows:
    return generation_rows(generation_figures(backend, rounds))


def kv_figures(backend: LlamaCppBackend, steps: int = 10) -> dict[str, float]:
    """Prompt tokens evaluated per step after the first, as a share of the prompt."""
    backend._fast_grammar = True
    messages = action_messages("tidy up the logs folder", "Workspace: /home/user/project")
    shares: list[float] = []
    evaluated_first = 0
    for step in range(steps):
        result = collect(
            backend.stream(GenerationRequest(messages, action_schema(), max_tokens=96))
        )
        stats = result.stats
        if step == 0:
            evaluated_first = stats.prompt_tokens_evaluated
        else:
            shares.append(stats.prompt_tokens_evaluated / stats.prompt_tokens)
        messages = [
            *messages,
            Message("assistant", result.text),
            Message("user", f"Observation: exit code 0\nline {step} of output"),
        ]
    return {
        "kv_steps": steps,
        "kv_first_evaluated": evaluated_first,
        "kv_mean_share": sum(shares) / len(shares),
        "kv_max_share": max(shares),
    }


def kv_rows(figures: dict[str, float]) -> Rows:
    steps = f"steps 2-{figures['kv_steps']:.0f}"
    return [
        ("step 1 prompt tokens evaluated", f"{figures['kv_first_evaluated']:.0f}"),
        (f"{steps}: evaluated / prompt (mean)", f"{figures['kv_mean_share']:.1%}"),
        (f"{steps}: evaluated / prompt (max)", f"{figures['kv_max_share']:.1%}"),
    ]


def kv_reuse(backend: LlamaCppBackend, steps: int = 10) -> Rows:
    return kv_rows(kv_figures(backend, steps))


LOAD_PROBE = """
import json, resource, time
from benchmarks.common import bundled_backend
t = time.perf_counter()
b = bundled_backend()
load = time.perf_counter() - t
print(json.dumps({"load": load, "llama_load": b.load_seconds,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "threads": b.plan.threads, "n_ctx": b.plan.n_ctx}))
"""


def load_figures() -> dict[str, float]:
    """Load time and peak RSS of the bundled model, in a fresh process so RSS is its own."""
    bundled_backend().close()  # make sure the GGUF is assembled before timing
    out = subprocess.run(
        [sys.executable, "-c", LOAD_PROBE], capture_output=True, text=True, check=True
    )
    probe: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return probe


def load_rows(probe: dict[str, float]) -> Rows:
    return [
        ("load time (resolve + verify + llama.cpp)", f"{probe['load']:.2f} s"),
        ("  of which llama.cpp load", f"{probe['llama_load']:.2f} s"),
        ("peak RSS after load", f"{probe['rss_kb'] / 1024:.0f} MB"),
        ("threads / context chosen", f"{probe['threads']} / {probe['n_ctx']}"),
    ]


def load_and_memory() -> Rows:
    return load_rows(load_figures())


def run(rounds: int = 3, requests: int = len(REQUESTS), kv_steps: int = 10) -> Report:
    """Everything this module measures; figures keyed as in the *_figures functions."""
    started = time.perf_counter()
    figures: dict[str, float] = {"rounds": rounds, "requests": requests}
    figures.update(load_figures())
    backend = bundled_backend()
    try:
        figures.update(generation_figures(backend, rounds, REQUESTS[:requests]))
        figures.update(kv_figures(backend, kv_steps))
    finally:
        backend.close()
    figures["seconds"] = time.perf_counter() - started
    rows = load_rows(figures) + generation_rows(figures) + kv_rows(figures)
    return Report([("model runtime (bundled Gemma 3 270M Q4_K_M)", rows)], dict(figures))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--requests", type=int, default=len(REQUESTS), help="prompts per round (1-4)"
    )
    parser.add_argument("--kv-steps", type=int, default=10, help="steps of the KV-reuse task")
    parser.add_argument("--json", action="store_true", help="print figures as one JSON line")
    args = parser.parse_args(argv)
    report = run(args.rounds, max(1, min(args.requests, len(REQUESTS))), max(2, args.kv_steps))
    if args.json:
        print(report.to_json())
        return
    print(report.text())
    print(f"(measured in {report.figures['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
