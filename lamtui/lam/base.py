"""The backend interface every model runtime implements.

A backend turns a list of chat messages into streamed text. When a JSON schema is
given, the backend constrains generation with it (a grammar locally, the server's
structured output remotely); `lam.structured` then validates and retries.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from lamtui.contract.cancel import CancelToken

Role = Literal["system", "user", "assistant"]
# "lam": a completion model trained on lamtui's compact protocol (lamtui train)
PromptStyle = Literal["chat", "completion", "lam"]
FinishReason = Literal["stop", "length", "cancelled"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    messages: list[Message]
    schema: dict[str, Any] | None = None
    max_tokens: int = 384
    temperature: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class TokenChunk:
    """A piece of streamed text (one or more tokens)."""

    text: str
    n_tokens: int = 1


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0  # prompt tokens not served from the KV cache
    completion_tokens: int = 0
    prompt_seconds: float = 0.0
    generation_seconds: float = 0.0
    grammar_fallbacks: int = 0  # tokens where the greedy pick broke the grammar

    @property
    def tokens_per_second(self) -> float:
        if self.generation_seconds <= 0:
            return 0.0
        return self.completion_tokens / self.generation_seconds


@dataclass
class GenerationResult:
    text: str
    finish_reason: FinishReason
    stats: GenerationStats = field(default_factory=GenerationStats)


@dataclass(frozen=True)
class BackendInfo:
    kind: str  # "llamacpp", "openai", "scripted"
    model: str  # display name
    prompt_style: PromptStyle
    context_size: int = 0
    model_path: str = ""
    sha256: str = ""


StreamItem = TokenChunk | GenerationResult


class Backend(Protocol):
    info: BackendInfo

    def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> Iterator[StreamItem]:
        """Yield TokenChunks as they are produced, then exactly one GenerationResult."""
        ...

    def close(self) -> None: ...


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start
