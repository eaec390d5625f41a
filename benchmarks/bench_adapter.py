"""The adapter's cost at inference, side by side in one run: the bundled base alone and
base + the shipped LoRA adapter (llama.cpp applies it at every matmul), generating the
same actions under the grammar on the compact prompt, and the prompt length a trained
LAM needs (compact) against the base model's (system text + few-shot block).

Usage: .venv/bin/python -m benchmarks.bench_adapter [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json

from lamtui.agent import prompts
from lamtui.contract.schema import action_schema
from lamtui.lam.adapters import shipped_adapter_dir
from lamtui.lam.base import GenerationRequest, Message
from lamtui.lam.catalog import get_entry, resolve_model
from lamtui.lam.llamacpp import LlamaCppBackend
from tests.helpers import collect

REQUESTS = [
    "list the files here",
    "count the lines in README.md",
    "find all python files bigger than 1 MB",
    "show the last 20 lines of app.log",
]


def _messages(request: str) -> list[Message]:
    title = prompts.short_title(request)
    return [
        *prompts.lam_task_messages(request, prompts.workspace_line("/home/u/p", ["README.md"])),
        Message("assistant", prompts.plan_json(title, [title])),
        Message("user", prompts.step_cue(1, 1, title)),
    ]


def _speed(backend: LlamaCppBackend, rounds: int) -> float:
    tokens, seconds = 0, 0.0
    for _ in range(rounds):
        for request in REQUESTS:
            req = GenerationRequest(_messages(request), action_schema(), max_tokens=96)
            result = collect(backend.stream(req))
            tokens += result.stats.completion_tokens
            seconds += result.stats.generation_seconds
    return tokens / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = resolve_model("gemma3-270m")
    adapter = shipped_adapter_dir() / get_entry("gemma3-270m-lam").adapter
    plain = LlamaCppBackend(base.path, prompt_style="lam")
    trained = LlamaCppBackend(base.path, prompt_style="lam", lora_path=adapter)
    _speed(plain, 1), _speed(trained, 1)  # warm up both
    speeds = {"base": _speed(plain, args.rounds), "adapter": _speed(trained, args.rounds)}
    full = prompts.task_messages(
        REQUESTS[1], "Workspace: /home/u/p (1 entries; not a git repository)"
    )
    compact = _messages(REQUESTS[1])[:1]
    tokens = {
        "base_prompt": len(plain.tokenize(plain.render(full))),
        "lam_prompt": len(plain.tokenize(plain.render(compact))),
    }
    result = {
        "tok_s_base": round(speeds["base"], 1),
        "tok_s_adapter": round(speeds["adapter"], 1),
        "adapter_ratio": round(speeds["adapter"] / speeds["base"], 3),
        **tokens,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"grammar-constrained generation, base:           {result['tok_s_base']} tok/s")
    print(f"grammar-constrained generation, base + adapter: {result['tok_s_adapter']} tok/s")
    print(f"adapter / base: {result['adapter_ratio']} (target ≥ 0.90)")
    print(f"first prompt: base {tokens['base_prompt']} tokens, LAM {tokens['lam_prompt']}")


if __name__ == "__main__":
    main()
