"""Choose thread count and context size for the embedded model from the machine
(psutil), and refuse clearly when the model cannot fit in free memory."""

from __future__ import annotations

from dataclasses import dataclass

import psutil

from lamtui.errors import ModelError
from lamtui.lam.gguf import GGUFHeader

DEFAULT_CONTEXT_CAP = 8192  # plenty for a task's prompt; larger only when asked for
MIN_CONTEXT = 2048
OVERHEAD_BYTES = 300 * 1024**2  # compute buffers, runtime, the rest of lamtui
GiB = 1024**3


@dataclass(frozen=True)
class ResourcePlan:
    threads: int
    n_ctx: int
    model_bytes: int
    kv_bytes: int
    available_bytes: int

    @property
    def needed_bytes(self) -> int:
        return self.model_bytes + self.kv_bytes + OVERHEAD_BYTES


def kv_bytes_per_token(header: GGUFHeader) -> int:
    """f16 K and V for every layer; falls back to the embedding width when the file
    does not record grouped-query attention sizes."""
    layers = header.arch_int("block_count") or 32
    heads_kv = header.arch_int("attention.head_count_kv")
    key_len = header.arch_int("attention.key_length")
    value_len = header.arch_int("attention.value_length")
    if heads_kv and key_len and value_len:
        width = heads_kv * (key_len + value_len)
    else:
        width = 2 * (header.arch_int("embedding_length") or 4096)
    return layers * width * 2


def default_threads() -> int:
    physical = psutil.cpu_count(logical=False) or 0
    logical = psutil.cpu_count(logical=True) or 1
    # Generation is memory-bound: physical cores are best; never exceed 8.
    return max(1, min(physical or logical, 8))


def plan_resources(
    model_bytes: int,
    header: GGUFHeader,
    *,
    threads: int = 0,
    context: int = 0,
    available_bytes: int | None = None,
) -> ResourcePlan:
    available = psutil.virtual_memory().available if available_bytes is None else available_bytes
    per_token = kv_bytes_per_token(header)
    trained = header.context_length or DEFAULT_CONTEXT_CAP
    n_ctx = min(context or DEFAULT_CONTEXT_CAP, trained)
    # Shrink the context before giving up: a smaller context still runs the model.
    while n_ctx > MIN_CONTEXT and model_bytes + n_ctx * per_token + OVERHEAD_BYTES > available:
        n_ctx //= 2
    n_ctx = max(n_ctx, min(MIN_CONTEXT, trained))
    plan = ResourcePlan(
        threads=threads or default_threads(),
        n_ctx=n_ctx,
        model_bytes=model_bytes,
        kv_bytes=n_ctx * per_token,
        available_bytes=available,
    )
    if plan.needed_bytes > available:
        raise ModelError(
            f"the model needs about {plan.needed_bytes / GiB:.1f} GB of memory "
            f"but only {available / GiB:.1f} GB is free",
            "close other programs or choose a smaller model (`lamtui models list`)",
        )
    return plan
