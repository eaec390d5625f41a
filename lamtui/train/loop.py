"""The training run: data → LoRA steps with progress, checkpoints, validation, Ctrl+C →
the adapter GGUF and its manifest (written to a temp file, renamed on success)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lamtui.errors import Cancelled, LamtuiError
from lamtui.train import trainer
from lamtui.train.export import export_adapter, gguf_architecture, load_into
from lamtui.train.manifest import data_hash, sha256_of, write_manifest
from lamtui.train.tokens import Encoded
from lamtui.train.trainer import Recipe, Report, State


@dataclass
class TrainJob:
    model: Path  # the base GGUF
    data: Path  # a folder with train.jsonl (and val.jsonl)
    out: Path  # checkpoints and the adapter go here
    recipe: Recipe
    resume: bool = False
    name: str = "lamtui-lora"
    init: Path | None = None  # an adapter GGUF to start from (continue a shipped adapter)


def _bar(state: State, loss: float, tok_s: float, started_step: int, elapsed: float) -> str:
    done = state.step / max(1, state.total_steps)
    width = 24
    filled = int(width * done)
    rate = (state.step - started_step) / max(elapsed, 1e-9)
    eta = (state.total_steps - state.step) / rate if rate > 0 else 0.0
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] step {state.step}/{state.total_steps} "
        f"loss {loss:.3f} {tok_s:.0f} tok/s ETA {eta / 60:.1f} min"
    )


@dataclass
class _Run:
    """What a run holds between its phases."""

    model: Any
    optimizer: Any
    params: list[Any]
    train: list[Encoded]
    val: list[Encoded]
    per_epoch: list[list[int]]
    pad: int
    device: str
    state: State


def run(job: TrainJob, report: Report) -> dict[str, Any]:
    trainer.require_stack()
    work = _prepare(job, report)
    interrupted = False
    try:
        _steps(job, work, report)
    except KeyboardInterrupt:
        interrupted = True
    trainer.save_checkpoint(job.out, work.model, work.optimizer, work.state, job.recipe)
    if interrupted:
        report(f"interrupted: checkpoint saved at step {work.state.step}; --resume goes on from it")
        raise Cancelled("training interrupted")
    return _export(job, work, report)


def _prepare(job: TrainJob, report: Report) -> _Run:
    """Load the model and the data, put LoRA on, resume the checkpoint if asked."""
    import torch

    train_file = job.data / "train.jsonl"
    if not train_file.is_file():
        raise LamtuiError(f"no training data in {job.data}", "build it first: lamtui train data")
    job.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(job.recipe.seed)
    torch.set_num_threads(trainer.threads())
    tokenizer, base = trainer.load_model(job.model, report)
    recipe = job.recipe
    train, too_long = trainer.encode_all(train_file, tokenizer, recipe, recipe.max_examples)
    if not train:
        raise LamtuiError(f"{train_file} has no usable examples", "rebuild it: lamtui train data")
    val_file = job.data / "val.jsonl"
    val, _ = trainer.encode_all(val_file, tokenizer, recipe) if val_file.is_file() else ([], 0)
    model = trainer.add_lora(base, recipe)
    if job.init is not None and not job.resume:
        report(f"starting from {job.init.name}: {load_into(model, job.init)} LoRA matrices")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=0.0)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    per_epoch = trainer.batches(train, recipe.batch_tokens, recipe.seed)
    state = State(total_steps=max(1, int(len(per_epoch) * recipe.epochs)))
    if job.resume:
        if not (job.out / trainer.CHECKPOINT).is_dir():
            raise LamtuiError(f"no checkpoint in {job.out} to resume", "train without --resume")
        state, _ = trainer.load_checkpoint(job.out, model, optimizer)
        report(f"resumed at step {state.step} of {state.total_steps}")
    report(
        f"{len(train):,} training examples ({too_long} too long, left out), {len(val)} for "
        f"validation; {len(per_epoch)} steps an epoch; {sum(p.numel() for p in params):,} "
        f"trainable parameters on {device}"
    )
    return _Run(model, optimizer, params, train, val, per_epoch, pad, device, state)


def _steps(job: TrainJob, work: _Run, report: Report) -> None:
    """LoRA steps until the end, or the time budget; validation and checkpoints on the way."""
    import torch

    recipe, state, model, device = job.recipe, work.state, work.model, work.device
    started = time.monotonic()
    started_step = state.step
    orders: dict[int, list[list[int]]] = {}
    while state.step < state.total_steps:
        epoch, index = divmod(state.step, len(work.per_epoch))
        if epoch not in orders:  # one shuffle per epoch, not one per step
            orders = {epoch: trainer.batches(work.train, recipe.batch_tokens, recipe.seed + epoch)}
        chosen = [work.train[i] for i in orders[epoch][index]]
        ids, labels, mask = trainer._collate(chosen, work.pad)
        for group in work.optimizer.param_groups:
            group["lr"] = trainer.lr_at(state.step, state.total_steps, recipe)
        t0 = time.monotonic()
        loss, _ = trainer.target_loss(model, ids.to(device), labels.to(device), mask.to(device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(work.params, 1.0)
        work.optimizer.step()
        work.optimizer.zero_grad(set_to_none=True)
        dt = time.monotonic() - t0
        state.step += 1
        state.tokens_seen += int(ids.numel())
        state.seconds += dt
        state.losses.append(round(float(loss), 4))
        report(_bar(state, float(loss), ids.numel() / dt, started_step, time.monotonic() - started))
        if state.step % recipe.val_every == 0 and work.val:
            state.val_losses.append(
                (state.step, trainer.validate(model, work.val, work.pad, recipe.batch_tokens))
            )
            report(f"validation loss {state.val_losses[-1][1]:.4f} at step {state.step}")
        if state.step % recipe.checkpoint_every == 0:
            trainer.save_checkpoint(job.out, model, work.optimizer, state, recipe)
        if recipe.max_minutes and time.monotonic() - started > recipe.max_minutes * 60:
            report(f"time budget of {recipe.max_minutes:g} minutes reached at step {state.step}")
            break


def _export(job: TrainJob, work: _Run, report: Report) -> dict[str, Any]:
    """A last validation, the adapter GGUF and its manifest."""
    recipe, state = job.recipe, work.state
    if work.val and (not state.val_losses or state.val_losses[-1][0] != state.step):
        state.val_losses.append(
            (state.step, trainer.validate(work.model, work.val, work.pad, recipe.batch_tokens))
        )
    adapter = job.out / f"{job.name}.gguf"
    report(f"exporting the adapter to {adapter}")
    export_adapter(work.model, recipe.alpha, adapter, gguf_architecture(job.model))
    manifest = {
        "name": job.name,
        "base": {"file": job.model.name, "sha256": sha256_of(job.model)},
        "data": {"path": str(job.data), "sha256": data_hash(job.data)},
        "init": job.init.name if job.init else None,
        "recipe": asdict(recipe),
        "prompt": "lam",
        "steps": state.step,
        "tokens_seen": state.tokens_seen,
        "train_seconds": round(state.seconds, 1),
        "tokens_per_second": round(state.tokens_seen / max(state.seconds, 1e-9), 1),
        "final_loss": state.losses[-1] if state.losses else None,
        "val_loss": state.val_losses[-1][1] if state.val_losses else None,
        "val_losses": state.val_losses,
        "device": work.device,
        "scores": {},
    }
    write_manifest(adapter, manifest)
    return manifest
