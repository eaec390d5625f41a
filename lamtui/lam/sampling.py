"""A backend that samples instead of decoding greedily: exploration's extra tries.

Greedy decoding gives the same trajectory every time, so a task the LAM fails once it
fails on every try. Sampling at a temperature gives other trajectories; the ones a
checker verifies are new training data (best-of-k, the paper's self-boosting). Each
call gets its own seed, derived from the try's seed and the call's number, so a try is
reproducible and two tries differ."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from lamtui.contract.cancel import CancelToken
from lamtui.lam.base import Backend, GenerationRequest, StreamItem

SEED_STRIDE = 10_007  # a prime: tries' seed sequences do not overlap for < 10,007 calls


class SampledBackend:
    """`inner` with every request at least at `temperature`, seeded per call."""

    def __init__(self, inner: Backend, temperature: float, seed: int) -> None:
        if temperature <= 0:
            raise ValueError("a sampled backend needs a temperature above 0")
        self.inner = inner
        self.info = inner.info
        self.temperature = temperature
        self.seed = seed
        self.calls = 0

    def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> Iterator[StreamItem]:
        self.calls += 1
        sampled = replace(
            request,
            temperature=max(request.temperature, self.temperature),
            seed=self.seed * SEED_STRIDE + self.calls + request.seed,
        )
        return self.inner.stream(sampled, cancel)

    def close(self) -> None:
        """The inner backend belongs to whoever opened it: it is not closed here."""
