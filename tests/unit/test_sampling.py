"""The sampled backend exploration's extra tries use."""

from __future__ import annotations

import pytest

from lamtui.lam.base import GenerationRequest, GenerationResult, Message
from lamtui.lam.sampling import SampledBackend
from lamtui.lam.scripted import ScriptedBackend


def _requests(backend: SampledBackend, n: int) -> list[GenerationRequest]:
    seen: list[GenerationRequest] = []

    def reply(request: GenerationRequest) -> str:
        seen.append(request)
        return "ok"

    backend.inner = ScriptedBackend([reply] * n)
    for _ in range(n):
        items = list(backend.stream(GenerationRequest([Message("user", "hi")])))
        assert isinstance(items[-1], GenerationResult)
    return seen


def test_every_call_samples_with_its_own_reproducible_seed() -> None:
    first = _requests(SampledBackend(ScriptedBackend([]), 0.8, seed=1), 3)
    again = _requests(SampledBackend(ScriptedBackend([]), 0.8, seed=1), 3)
    other = _requests(SampledBackend(ScriptedBackend([]), 0.8, seed=2), 3)
    assert {r.temperature for r in first} == {0.8}
    assert [r.seed for r in first] == [r.seed for r in again]
    assert len({r.seed for r in first}) == 3
    assert not {r.seed for r in first} & {r.seed for r in other}


def test_a_temperature_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="temperature above 0"):
        SampledBackend(ScriptedBackend([]), 0.0, seed=1)
