from __future__ import annotations

import pytest

from lamtui.errors import ModelError
from lamtui.lam.gguf import GGUFHeader
from lamtui.lam.resources import MIN_CONTEXT, plan_resources

GiB = 1024**3
HEADER = GGUFHeader(
    3,
    10,
    {
        "general.architecture": "llama",
        "llama.context_length": 32768,
        "llama.block_count": 28,
        "llama.attention.head_count_kv": 8,
        "llama.attention.key_length": 128,
        "llama.attention.value_length": 128,
    },
)


def test_plenty_of_memory_gets_the_default_context() -> None:
    plan = plan_resources(2 * GiB, HEADER, available_bytes=16 * GiB)
    assert plan.n_ctx == 8192 and plan.threads >= 1
    assert plan.kv_bytes == 8192 * 28 * 8 * 256 * 2


def test_tight_memory_shrinks_the_context_before_refusing() -> None:
    plan = plan_resources(2 * GiB, HEADER, available_bytes=int(2.6 * GiB))
    assert MIN_CONTEXT <= plan.n_ctx < 8192
    assert plan.needed_bytes <= int(2.6 * GiB)


def test_model_too_large_is_a_clear_refusal() -> None:
    with pytest.raises(ModelError, match=r"needs about .* GB of memory but only 1.0 GB"):
        plan_resources(4 * GiB, HEADER, available_bytes=1 * GiB)


def test_explicit_settings_win_within_the_trained_context() -> None:
    plan = plan_resources(GiB, HEADER, threads=3, context=65536, available_bytes=64 * GiB)
    assert plan.threads == 3 and plan.n_ctx == 32768
