"""Direct preference optimisation (Rafailov et al., 2023) on the user's preference pairs,
with the same LoRA, the same rendering and the same adapter GGUF as `lamtui train`.

Written here rather than taken from trl: the loss is a few lines over the trainer's own
target-only forward pass (the 262k-word LM head applied only at the action's tokens), so
it costs two sequences per pair and brings no new dependency or version constraint.

The reference policy is the model the run starts from (the base, or the adapter given as
`init`): its log-probabilities are computed once, before the first update. The loss adds
a small supervised term on the chosen action (as in "RPO", Pang et al., 2024): with a
few dozen pairs, plain DPO can lower both actions' likelihood while widening their
margin; the term keeps what the user preferred likely. The user's approved, successful
trajectories (anchors) are learned supervised in the same steps, one per step: without
them, a dozen pairs against one habit pulled the LAM onto one other command for every
task (measured: 46 of 60 first proposals became `grep`)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lamtui.errors import Cancelled, LamtuiError
from lamtui.lam.base import Message
from lamtui.train import trainer
from lamtui.train.examples import Example
from lamtui.train.export import export_adapter, gguf_architecture, load_into
from lamtui.train.manifest import sha256_of, write_manifest
from lamtui.train.preferences import PreferencePair
from lamtui.train.tokens import IGNORE, Encoded, Tokenize, encode
from lamtui.train.trainer import Recipe, Report


@dataclass
class DpoRecipe:
    beta: float = 0.1  # how far from the reference the policy may move for a margin
    sft_weight: float = 0.2  # weight of the chosen action's mean NLL
    anchor_weight: float = 1.0  # weight of an approved trajectory's mean NLL
    lr: float = 5e-4
    epochs: float = 3.0
    rank: int = 16
    alpha: int = 32
    top_layers: int = 0
    max_tokens: int = 768
    max_minutes: float = 0.0
    seed: int = 0

    def lora(self) -> Recipe:
        return Recipe(rank=self.rank, alpha=self.alpha, top_layers=self.top_layers)


@dataclass
class DpoJob:
    model: Path  # the base GGUF
    pairs: Sequence[PreferencePair]
    out: Path
    recipe: DpoRecipe
    name: str = "lamtui-dpo"
    init: Path | None = None  # the adapter the run starts from (and the reference)
    anchors: Sequence[Example] = ()  # approved, successful trajectories, learned as in SFT


@dataclass
class EncodedPair:
    chosen: Encoded
    rejected: Encoded


def encode_pair(
    pair: PreferencePair, tokenize: Tokenize, bos: int | None, max_tokens: int
) -> EncodedPair | None:
    """The two transcripts, each learning only its last assistant turn (the action)."""
    earlier = range(sum(1 for m in pair.prompt if m.role == "assistant"))
    chosen = encode([*pair.prompt, Message("assistant", pair.chosen)], tokenize, bos, earlier,
                    max_tokens)  # fmt: skip
    rejected = encode([*pair.prompt, Message("assistant", pair.rejected)], tokenize, bos,
                      earlier, max_tokens)  # fmt: skip
    if chosen is None or rejected is None:
        return None
    return EncodedPair(chosen, rejected)


def sequence_logps(model: Any, ids: Any, labels: Any, mask: Any) -> tuple[Any, Any]:
    """Per row: the summed log-probability of its target tokens, and how many there are."""
    import torch

    inner = model.get_base_model()
    hidden = inner.model(input_ids=ids, attention_mask=mask).last_hidden_state
    shifted = labels[:, 1:]
    where = shifted != IGNORE
    logits = inner.lm_head(hidden[:, :-1][where].contiguous()).float()
    cap = getattr(inner.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    picked = torch.log_softmax(logits, dim=-1).gather(1, shifted[where].unsqueeze(1)).squeeze(1)
    rows = where.nonzero()[:, 0]
    sums = torch.zeros(ids.shape[0], dtype=picked.dtype, device=picked.device)
    return sums.index_add(0, rows, picked), where.sum(dim=1)


def dpo_loss(
    chosen: Any, rejected: Any, ref_chosen: Any, ref_rejected: Any, beta: float
) -> tuple[Any, Any]:
    """-log σ(β((π_c - ref_c) - (π_r - ref_r))), and the margin inside it."""
    import torch

    margin = beta * ((chosen - ref_chosen) - (rejected - ref_rejected))
    return -torch.nn.functional.logsigmoid(margin).mean(), margin


def _anchor_nll(model: Any, example: Encoded, pad: int, device: str) -> Any:
    """The mean negative log-likelihood of one anchor's target tokens."""
    ids, labels, mask = trainer._collate([example], pad)
    logps, counts = sequence_logps(model, ids.to(device), labels.to(device), mask.to(device))
    return -logps[0] / counts[0].clamp(min=1)


def _step_loss(
    model: Any,
    pair: EncodedPair,
    reference: Any,
    anchor: Encoded | None,
    recipe: DpoRecipe,
    pad: int,
    device: str,
) -> tuple[Any, Any]:
    """One step's loss (DPO, the chosen action's NLL, an anchor's NLL) and the margin."""
    logps, counts = _pair_logps(model, pair, pad, device)
    loss, margin = dpo_loss(logps[0], logps[1], reference[0], reference[1], recipe.beta)
    loss = loss + recipe.sft_weight * (-logps[0] / counts[0].clamp(min=1))
    if anchor is not None:
        loss = loss + recipe.anchor_weight * _anchor_nll(model, anchor, pad, device)
    return loss, margin


def _pair_logps(model: Any, pair: EncodedPair, pad: int, device: str) -> tuple[Any, Any]:
    ids, labels, mask = trainer._collate([pair.chosen, pair.rejected], pad)
    return sequence_logps(model, ids.to(device), labels.to(device), mask.to(device))


def preference_scores(
    model: Any, pairs: Sequence[EncodedPair], pad: int, device: str
) -> dict[str, float]:
    """How much the model prefers the chosen actions: the share of pairs where the chosen
    one is more likely per token (accuracy), and the mean per-token log-probability gap."""
    import torch

    if not pairs:
        return {"accuracy": float("nan"), "gap": float("nan")}
    wins, gap = 0, 0.0
    model.eval()
    with torch.no_grad():
        for pair in pairs:
            logps, counts = _pair_logps(model, pair, pad, device)
            per_token = logps / counts.clamp(min=1)
            wins += int(per_token[0] > per_token[1])
            gap += float(per_token[0] - per_token[1])
    model.train()
    return {"accuracy": round(wins / len(pairs), 4), "gap": round(gap / len(pairs), 4)}


def run_dpo(job: DpoJob, report: Report) -> dict[str, Any]:
    trainer.require_stack()
    import torch

    recipe = job.recipe
    job.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(trainer.threads())
    tokenizer, base = trainer.load_model(job.model, report)

    def tokenize(text: str) -> list[int]:
        return list(tokenizer.encode(text, add_special_tokens=False))

    encoded = [
        encode_pair(p, tokenize, tokenizer.bos_token_id, recipe.max_tokens) for p in job.pairs
    ]
    pairs = [p for p in encoded if p is not None]
    if not pairs:
        raise LamtuiError("no preference pair fits the token limit", "raise --max-tokens")
    anchors, _ = trainer.encode_examples(job.anchors, tokenizer, recipe.max_tokens)
    model = trainer.add_lora(base, recipe.lora())
    if job.init is not None:
        report(f"starting from {job.init.name}: {load_into(model, job.init)} LoRA matrices")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    model.eval()
    with torch.no_grad():  # the reference: the starting policy, once
        reference = [_pair_logps(model, pair, pad, device)[0].detach() for pair in pairs]
    model.train()
    before = preference_scores(model, pairs, pad, device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=0.0)
    steps = max(1, int(len(pairs) * recipe.epochs))
    report(f"{len(pairs)} preference pairs ({len(job.pairs) - len(pairs)} too long), "
           f"{len(anchors)} approved trajectories as anchors; {steps} steps; "
           f"before: {before}")  # fmt: skip
    order: list[int] = []
    rng = random.Random(recipe.seed)
    rng.shuffle(anchors)  # one approved trajectory per step, in a shuffled order
    losses: list[float] = []
    started = time.monotonic()
    try:
        for step in range(steps):
            if not order:
                order = list(range(len(pairs)))
                rng.shuffle(order)
            i = order.pop()
            anchor = anchors[step % len(anchors)] if anchors else None
            loss, margin = _step_loss(model, pairs[i], reference[i], anchor, recipe, pad, device)
            for group in optimizer.param_groups:
                group["lr"] = recipe.lr * min(1.0, (step + 1) / 5)  # a short warm-up
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(round(float(loss.detach()), 4))
            shown = float(margin.detach())
            report(f"dpo step {step + 1}/{steps} loss {losses[-1]:.3f} margin {shown:.3f}")
            if recipe.max_minutes and time.monotonic() - started > recipe.max_minutes * 60:
                report(f"time budget of {recipe.max_minutes:g} minutes reached at step {step + 1}")
                break
    except KeyboardInterrupt:
        raise Cancelled(
            "preference training interrupted; the current adapter is unchanged"
        ) from None
    after = preference_scores(model, pairs, pad, device)
    report(f"after: {after}")
    adapter = job.out / f"{job.name}.gguf"
    export_adapter(model, recipe.alpha, adapter, gguf_architecture(job.model))
    manifest = {
        "name": job.name,
        "method": "dpo",
        "base": {"file": job.model.name, "sha256": sha256_of(job.model)},
        "init": job.init.name if job.init else None,
        "recipe": asdict(recipe),
        "prompt": "lam",
        "pairs": len(pairs),
        "anchors": len(anchors),
        "steps": len(losses),
        "train_seconds": round(time.monotonic() - started, 1),
        "final_loss": losses[-1] if losses else None,
        "preference": {"before": before, "after": after},
        "scores": {},
    }
    write_manifest(adapter, manifest)
    return manifest
