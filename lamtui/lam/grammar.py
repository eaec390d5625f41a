"""Grammar-constrained token choice that is nearly as fast as free generation.

llama-cpp-python's default sampler applies the grammar to every vocabulary entry
(262k for Gemma 3) at every token. Like llama.cpp's own common sampler, we first
pick the token we would pick without the grammar, ask the grammar about that one
token only, and apply the grammar to the whole vocabulary only when it rejects it.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import llama_cpp
import numpy as np
import numpy.typing as npt

from lamtui.errors import ModelError

TOP_K = 40  # candidates kept when sampling with a temperature


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    from lamtui.lam import gbnf

    return gbnf.schema_to_gbnf(schema)


class GrammarSampler:
    """One grammar's state for one generation. Not thread-safe (one per stream)."""

    def __init__(self, vocab: Any, n_vocab: int, gbnf: str, *, fast: bool = True) -> None:
        self._sampler = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode(), b"root")
        if not self._sampler:
            raise ModelError("llama.cpp could not compile the output grammar")
        self.fast = fast
        self.fallbacks = 0
        self._n_vocab = n_vocab
        self._one = (llama_cpp.llama_token_data * 1)()
        self._full = (llama_cpp.llama_token_data * n_vocab)()
        fields = np.dtype([("id", "<i4"), ("logit", "<f4"), ("p", "<f4")])
        view = np.frombuffer(memoryview(self._full), dtype=fields)
        view["id"] = np.arange(n_vocab, dtype=np.int32)
        self._full_view = view

    def close(self) -> None:
        if self._sampler:
            llama_cpp.llama_sampler_free(self._sampler)
            self._sampler = None

    def __del__(self) -> None:
        self.close()

    def _allows(self, token: int, logit: float) -> bool:
        self._one[0] = llama_cpp.llama_token_data(token, logit, 0.0)
        array = llama_cpp.llama_token_data_array(data=self._one, size=1, selected=-1, sorted=False)
        llama_cpp.llama_sampler_apply(self._sampler, ctypes.byref(array))
        return not math.isinf(self._one[0].logit)

    def _masked(self, logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Logits with every token the grammar forbids set to -inf (the slow path)."""
        self._full_view["logit"] = logits
        array = llama_cpp.llama_token_data_array(
            data=self._full, size=self._n_vocab, selected=-1, sorted=False
        )
        llama_cpp.llama_sampler_apply(self._sampler, ctypes.byref(array))
        return np.array(self._full_view["logit"], copy=True)

    def choose(
        self, logits: npt.NDArray[np.float32], temperature: float, rng: np.random.Generator
    ) -> int:
        if self.fast:
            token = pick(logits, temperature, rng)
            if self._allows(token, float(logits[token])):
                return token
            self.fallbacks += 1
        masked = self._masked(logits)
        if not np.isfinite(masked).any():
            raise ModelError("the output grammar allows no next token (internal error)")
        return pick(masked, temperature, rng)

    def accept(self, token: int) -> None:
        llama_cpp.llama_sampler_accept(self._sampler, token)


def pick(logits: npt.NDArray[np.float32], temperature: float, rng: np.random.Generator) -> int:
    """Greedy at temperature 0, otherwise top-k sampling."""
    if temperature <= 0:
        return int(np.argmax(logits))
    k = min(TOP_K, logits.shape[0])
    top = np.argpartition(logits, -k)[-k:]
    scaled = logits[top].astype(np.float64) / temperature
    scaled = scaled[np.isfinite(scaled)] if np.isfinite(scaled).any() else scaled
    top = top[np.isfinite(logits[top])] if np.isfinite(logits[top]).any() else top
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    return int(top[rng.choice(len(top), p=probs)])
