"""LoRA training of a GGUF model with transformers + peft (the `lamtui[train]` extra).

The GGUF is loaded (dequantized) by transformers; LoRA goes on every attention and MLP
projection (optionally only the top layers). The loss is taken on assistant tokens
only, and the LM head (262k words) is applied only at those positions. Batches are
bucketed by length under a token budget. Checkpoints every N steps (and on Ctrl+C) hold
the adapter, the optimizer and the position in the data, so `--resume` goes on exactly.
CPU by default (bf16 where the CPU has it); CUDA when present; several GPUs through
`accelerate launch` (its Accelerator does the distribution)."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError
from lamtui.train.build import read_examples
from lamtui.train.examples import Example
from lamtui.train.tokens import IGNORE, Encoded, encode

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CHECKPOINT = "checkpoint"


@dataclass
class Recipe:
    rank: int = 16
    alpha: int = 32
    lr: float = 1e-3
    epochs: float = 1.0
    batch_tokens: int = 2048  # padded tokens per step
    warmup: int = 20
    top_layers: int = 0  # 0: every layer
    max_tokens: int = 768  # longer examples are left out
    max_examples: int = 0  # 0: all
    max_minutes: float = 0.0  # 0: no limit; the run stops (and exports) at this time
    checkpoint_every: int = 50
    val_every: int = 200
    val_examples: int = 64  # validation slice used during the run (the whole slice at the end)
    seed: int = 0


@dataclass
class State:
    step: int = 0
    total_steps: int = 0
    tokens_seen: int = 0
    seconds: float = 0.0
    losses: list[float] = field(default_factory=list)
    val_losses: list[tuple[int, float]] = field(default_factory=list)


Report = Callable[[str], None]


def require_stack() -> None:
    """A clear message when the training extra is missing."""
    missing = []
    for name in ("torch", "transformers", "peft", "gguf"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise LamtuiError(
            f"training needs {', '.join(missing)}, which are not installed",
            "install the training extra: pip install 'lamtui[train]' (./dev test does it)",
        )


def load_model(gguf_path: Path, report: Report) -> tuple[Any, Any]:
    """(tokenizer, model) from a GGUF; a clear error when transformers cannot read it."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with gguf_path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise LamtuiError(f"{gguf_path} is not a GGUF file", "pass a .gguf model")
    report(f"loading {gguf_path.name} with transformers (dequantizing; about a minute)")
    # bf16 where the hardware has it: 230 vs 136 tok/s in float32 on 2 AMX cores.
    dtype = torch.bfloat16 if _bf16_ok() else torch.float32
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf_path.parent), gguf_file=gguf_path.name, dtype=dtype
        )
    except (ValueError, KeyError, RuntimeError, OSError) as exc:
        raise LamtuiError(
            f"transformers cannot load {gguf_path.name} for training: {exc}",
            "training needs an architecture transformers reads from GGUF (gemma3, llama...)",
        ) from None
    return tokenizer, model


def _bf16_ok() -> bool:
    import torch

    if torch.cuda.is_available():
        return bool(torch.cuda.is_bf16_supported())
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    return "avx512_bf16" in flags or "amx_bf16" in flags


def add_lora(model: Any, recipe: Recipe) -> Any:
    from peft import LoraConfig, get_peft_model

    layers = int(model.config.num_hidden_layers)
    chosen = list(range(layers - recipe.top_layers, layers)) if recipe.top_layers else None
    config = LoraConfig(
        r=recipe.rank,
        lora_alpha=recipe.alpha,
        target_modules=list(TARGET_MODULES),
        layers_to_transform=chosen,
        lora_dropout=0.0,
        bias="none",
    )
    return get_peft_model(model, config)


def encode_all(
    path: Path, tokenizer: Any, recipe: Recipe, limit: int = 0
) -> tuple[list[Encoded], int]:
    """Encoded examples of a data file and how many were too long."""
    return encode_examples(read_examples(path), tokenizer, recipe.max_tokens, limit)


def encode_examples(
    examples: Iterable[Example], tokenizer: Any, max_tokens: int, limit: int = 0
) -> tuple[list[Encoded], int]:
    """Encoded examples and how many were too long."""

    def tokenize(text: str) -> list[int]:
        return list(tokenizer.encode(text, add_special_tokens=False))

    bos = tokenizer.bos_token_id
    out: list[Encoded] = []
    too_long = 0
    for example in examples:
        enc = encode(example.messages, tokenize, bos, example.meta.get("no_loss", ()), max_tokens)
        if enc is None:
            too_long += 1
            continue
        out.append(enc)
        if limit and len(out) >= limit:
            break
    return out, too_long


def batches(examples: Sequence[Encoded], budget: int, seed: int) -> list[list[int]]:
    """Index batches of similar length, each under `budget` padded tokens, shuffled."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].ids))
    out: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = max([len(examples[j].ids) for j in current] + [len(examples[i].ids)])
        if current and longest * (len(current) + 1) > budget:
            out.append(current)
            current = []
        current.append(i)
    if current:
        out.append(current)
    random.Random(seed).shuffle(out)
    return out


def _collate(examples: Sequence[Encoded], pad: int) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(e.ids) for e in examples)
    ids = torch.full((len(examples), width), pad, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        ids[row, : len(e.ids)] = torch.tensor(e.ids)
        labels[row, : len(e.labels)] = torch.tensor(e.labels)
        mask[row, : len(e.ids)] = 1
    return ids, labels, mask


def target_loss(model: Any, ids: Any, labels: Any, mask: Any) -> tuple[Any, int]:
    """Mean cross-entropy over target tokens; the LM head only sees their positions."""
    import torch

    inner = model.get_base_model()
    hidden = inner.model(input_ids=ids, attention_mask=mask).last_hidden_state
    shifted = labels[:, 1:]
    where = shifted != IGNORE
    picked = hidden[:, :-1][where].contiguous()  # (targets, hidden): 2-D for a fast matmul
    logits = inner.lm_head(picked).float()
    cap = getattr(inner.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    loss = torch.nn.functional.cross_entropy(logits, shifted[where])
    return loss, int(where.sum())


def save_checkpoint(out: Path, model: Any, optimizer: Any, state: State, recipe: Recipe) -> None:
    """Atomically: a new folder, then renamed over the old one."""
    import torch

    tmp = out / (CHECKPOINT + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(str(tmp))
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    (tmp / "state.json").write_text(
        json.dumps({"state": asdict(state), "recipe": asdict(recipe)}), encoding="utf-8"
    )
    final = out / CHECKPOINT
    old = out / (CHECKPOINT + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(out: Path, model: Any, optimizer: Any) -> tuple[State, dict[str, Any]]:
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    folder = out / CHECKPOINT
    try:
        saved = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        weights = load_file(str(folder / "adapter_model.safetensors"))
        set_peft_model_state_dict(model, weights)
        optimizer.load_state_dict(torch.load(folder / "optimizer.pt", weights_only=True))
        state = State(
            **{k: v for k, v in saved["state"].items() if k in State.__dataclass_fields__}
        )
        state.val_losses = [tuple(v) for v in state.val_losses]  # type: ignore[misc]
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise LamtuiError(
            f"the checkpoint in {folder} cannot be read ({type(exc).__name__}: {exc})",
            "delete it and train without --resume",
        ) from None
    return state, saved["recipe"]


def validate(model: Any, examples: Sequence[Encoded], pad: int, budget: int) -> float:
    import torch

    if not examples:
        return float("nan")
    total = count = 0.0
    model.eval()
    with torch.no_grad():
        for batch in batches(examples, budget, 0):
            ids, labels, mask = _collate([examples[i] for i in batch], pad)
            loss, n = target_loss(model, ids, labels, mask)
            total += float(loss) * n
            count += n
    model.train()
    return total / max(count, 1)


def lr_at(step: int, total: int, recipe: Recipe) -> float:
    if step < recipe.warmup:
        return recipe.lr * (step + 1) / recipe.warmup
    progress = (step - recipe.warmup) / max(1, total - recipe.warmup)
    return recipe.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
