"""Any OpenAI-compatible server: llama-server, Ollama, vLLM, LM Studio, llama-cpp-python's
own server. This is how a user outgrows the laptop with the same program.

Structured output is requested the standard way (`response_format: json_schema`).
Servers that only know the older `json_object` + `schema` form (llama-cpp-python's
server) reject that with a 4xx; we then switch to the older form once and remember.
The text is validated by lam.structured either way, so a server that ignores the
schema cannot smuggle invalid actions through.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx

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

FORMATS = ("json_schema", "json_object")
# Some servers' grammar converters (llama-cpp-python's) expand maxLength into nested
# groups and fail on large bounds; larger bounds are left to validation and max_tokens.
SERVER_MAX_LENGTH = 500


def server_schema(schema: Any) -> Any:
    """The schema as sent to a server: string bounds above SERVER_MAX_LENGTH dropped."""
    if isinstance(schema, list):
        return [server_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: server_schema(v) for k, v in schema.items()}
    if isinstance(out.get("maxLength"), int) and out["maxLength"] > SERVER_MAX_LENGTH:
        del out["maxLength"]
    return out


def api_root(base_url: str) -> str:
    """Accept `http://host:port`, `.../v1` or `.../v1/`; return the `/v1` root."""
    root = base_url.rstrip("/")
    return root if root.endswith("/v1") else root + "/v1"


class OpenAIBackend:
    def __init__(
        self,
        base_url: str,
        model: str = "",
        *,
        api_key: str = "",
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._root = api_root(base_url)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=10.0), headers=headers, transport=transport
        )
        self._format = FORMATS[0]
        self._model = model or self._first_model()
        self.info = BackendInfo(
            kind="openai", model=f"{self._model} @ {base_url}", prompt_style="chat"
        )

    def _unreachable(self, exc: Exception) -> ModelError:
        return ModelError(
            f"cannot reach the model server at {self._root}: {exc}",
            "is the server running? check model.base_url / --base-url",
        )

    def _first_model(self) -> str:
        """Servers that host one model (llama-server, llama-cpp-python) need no name."""
        try:
            response = self._client.get(f"{self._root}/models")
            response.raise_for_status()
            data = response.json().get("data") or []
        except httpx.HTTPStatusError as exc:
            raise ModelError(
                f"the server at {self._root} answered {exc.response.status_code} to /models",
                "pass --model NAME (the model the server should use)",
            ) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise self._unreachable(exc) from None
        if not data:
            raise ModelError(f"the server at {self._root} lists no models", "pass --model NAME")
        return str(data[0]["id"])

    def _body(self, request: GenerationRequest, fmt: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "seed": request.seed,
            "stream": True,
        }
        if request.schema is not None:
            schema = server_schema(request.schema)
            if fmt == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "output", "schema": schema, "strict": True},
                }
            else:
                body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> Iterator[StreamItem]:
        for fmt in FORMATS[FORMATS.index(self._format) :]:
            try:
                yield from self._stream_once(request, cancel, fmt)
                return
            except _FormatRejected:
                continue
        raise ModelError(
            f"the server at {self._root} rejects structured output requests",
            "use a server that supports response_format (llama-server, vLLM, Ollama)",
        )

    def _stream_once(
        self, request: GenerationRequest, cancel: CancelToken | None, fmt: str
    ) -> Iterator[StreamItem]:
        stats = GenerationStats()
        text: list[str] = []
        finish = "stop"
        started = time.perf_counter()
        first_token_at: float | None = None
        try:
            with self._client.stream(
                "POST", f"{self._root}/chat/completions", json=self._body(request, fmt)
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    if request.schema is not None and _rejects_format(response):
                        raise _FormatRejected(response.text)
                    raise ModelError(
                        f"the server at {self._root} answered {response.status_code}: "
                        f"{response.text[:200]}"
                    )
                self._format = fmt  # the server accepted this form: keep using it
                for event in _sse_events(response.iter_lines()):
                    if cancel is not None and cancel.cancelled:
                        finish = "cancelled"
                        break
                    choice = (event.get("choices") or [{}])[0]
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        if first_token_at is None:
                            first_token_at = time.perf_counter()
                        text.append(piece)
                        stats.completion_tokens += 1
                        yield TokenChunk(piece)
                    if choice.get("finish_reason") == "length":
                        finish = "length"
                    usage = event.get("usage")
                    if usage:
                        stats.prompt_tokens = int(usage.get("prompt_tokens", 0))
                        stats.completion_tokens = int(
                            usage.get("completion_tokens", stats.completion_tokens)
                        )
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        ended = time.perf_counter()
        stats.prompt_seconds = (first_token_at or ended) - started
        stats.generation_seconds = ended - (first_token_at or ended)
        yield GenerationResult("".join(text), finish, stats)  # type: ignore[arg-type]

    def close(self) -> None:
        self._client.close()


class _FormatRejected(Exception):
    pass


def _rejects_format(response: httpx.Response) -> bool:
    # 400/422 is the usual answer; llama-cpp-python's server answers 500 with the
    # validation error in the body.
    return response.status_code in (400, 422) or "response_format" in response.text


def _sse_events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            yield json.loads(payload)
        except json.JSONDecodeError:
            raise ModelError(f"the server sent a malformed stream event: {payload[:120]}") from None
