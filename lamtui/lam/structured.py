"""Schema-constrained generation with validation and bounded retries.

Every backend generates under the schema (grammar or server-side structured output);
this layer validates the text. Output that still fails is retried a bounded number of
times with a little sampling noise (a greedy retry would repeat the same mistake) and
then reported as a ModelOutputError. Invalid output never reaches an executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lamtui.contract.cancel import CancelToken
from lamtui.errors import Cancelled, ModelOutputError
from lamtui.lam.base import (
    Backend,
    GenerationRequest,
    GenerationResult,
    GenerationStats,
    Message,
    TokenChunk,
)

T = TypeVar("T")
RETRY_TEMPERATURE = 0.7


@dataclass
class AttemptFailed:
    """Yielded when one attempt produced output that failed validation."""

    attempt: int
    raw: str
    error: str


@dataclass
class Structured(Generic[T]):
    value: T
    raw: str
    attempts: int
    stats: GenerationStats
    failures: list[AttemptFailed] = field(default_factory=list)


def stream_structured(
    backend: Backend,
    messages: list[Message],
    schema: dict[str, Any],
    parse: Callable[[str], T],
    *,
    max_retries: int = 2,
    max_tokens: int = 384,
    cancel: CancelToken | None = None,
) -> Iterator[TokenChunk | AttemptFailed | Structured[T]]:
    """Yield token chunks (and AttemptFailed notices) then one Structured value."""
    failures: list[AttemptFailed] = []
    for attempt in range(max_retries + 1):
        request = GenerationRequest(
            messages=messages,
            schema=schema,
            max_tokens=max_tokens,
            temperature=0.0 if attempt == 0 else RETRY_TEMPERATURE,
            seed=attempt,
        )
        result: GenerationResult | None = None
        for item in backend.stream(request, cancel):
            if isinstance(item, TokenChunk):
                yield item
            else:
                result = item
        if result is None:
            raise RuntimeError("backend stream ended without a result")
        if result.finish_reason == "cancelled":
            raise Cancelled("generation cancelled")
        try:
            value = parse(result.text)
        except ValueError as exc:
            reason = str(exc)
            if result.finish_reason == "length":
                reason = f"output cut off at {max_tokens} tokens ({reason})"
            failure = AttemptFailed(attempt=attempt + 1, raw=result.text, error=reason)
            failures.append(failure)
            yield failure
            continue
        yield Structured(value, result.text, attempt + 1, result.stats, failures)
        return
    raise ModelOutputError(
        f"the model gave invalid output {len(failures)} times; last: {failures[-1].error}",
        "try a larger model (`lamtui models list`) or rephrase the request",
    )
