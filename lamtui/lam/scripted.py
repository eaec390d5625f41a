"""A deterministic backend that replays given outputs: for tests and demos only.

Replies are consumed in order, one per generation. A reply may be a string or a
function of the request (to react to what the agent sent). Every request is kept in
`requests`, so tests can assert on the prompts the model was shown.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from lamtui.contract.cancel import CancelToken
from lamtui.errors import ModelError
from lamtui.lam.base import (
    BackendInfo,
    GenerationRequest,
    GenerationResult,
    GenerationStats,
    StreamItem,
    TokenChunk,
)

Reply = str | Callable[[GenerationRequest], str]


class ScriptedBackend:
    def __init__(
        self,
        replies: list[Reply],
        *,
        name: str = "scripted",
        chunk_chars: int = 4,
        token_delay: float = 0.0,
    ) -> None:
        self.info = BackendInfo(kind="scripted", model=name, prompt_style="chat", context_size=8192)
        self._replies = list(replies)
        self._chunk_chars = max(1, chunk_chars)
        self._token_delay = token_delay
        self.requests: list[GenerationRequest] = []

    @classmethod
    def from_file(cls, path: Path) -> ScriptedBackend:
        """A JSON list of replies, or JSONL with one reply (string or object) per line."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"cannot read scripted replies {path}: {exc.strerror}") from None
        try:
            loaded = json.loads(text)
            items = loaded if isinstance(loaded, list) else [loaded]
        except json.JSONDecodeError:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        replies: list[Reply] = [i if isinstance(i, str) else json.dumps(i) for i in items]
        return cls(replies, name=f"scripted:{path.name}")

    @property
    def remaining(self) -> int:
        return len(self._replies)

    def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> Iterator[StreamItem]:
        self.requests.append(request)
        if not self._replies:
            raise ModelError("the scripted backend has no replies left")
        reply = self._replies.pop(0)
        text = reply(request) if callable(reply) else reply
        started = time.perf_counter()
        produced: list[str] = []
        tokens = 0
        for start in range(0, len(text), self._chunk_chars):
            if cancel is not None and cancel.cancelled:
                yield self._result("".join(produced), "cancelled", tokens, started)
                return
            if self._token_delay:
                time.sleep(self._token_delay)
            piece = text[start : start + self._chunk_chars]
            produced.append(piece)
            tokens += 1
            yield TokenChunk(piece)
        yield self._result(text, "stop", tokens, started)

    def _result(self, text: str, reason: str, tokens: int, started: float) -> GenerationResult:
        stats = GenerationStats(
            completion_tokens=tokens, generation_seconds=time.perf_counter() - started
        )
        return GenerationResult(text=text, finish_reason=reason, stats=stats)  # type: ignore[arg-type]

    def close(self) -> None:
        pass
