from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from lamtui.contract.schema import action_schema, parse_action
from lamtui.errors import ModelError, ModelOutputError
from lamtui.lam.base import GenerationRequest, Message
from lamtui.lam.openai import OpenAIBackend, api_root, server_schema
from tests.helpers import collect, generate_structured

GOOD = json.dumps(
    {
        "thought": "t",
        "tool": "shell",
        "args": {"command": "ls"},
        "status": "continue",
        "plan_update": None,
    }
)


def _sse(text: str) -> bytes:
    events = [
        {"choices": [{"delta": {"content": text[i : i + 5]}, "finish_reason": None}]}
        for i in range(0, len(text), 5)
    ]
    events.append(
        {
            "choices": [{"delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7},
        }
    )
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode() + b"data: [DONE]\n\n"


class FakeServer:
    def __init__(self, reply: str, accepts: tuple[str, ...] = ("json_schema", "json_object")):
        self.reply = reply
        self.accepts = accepts
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"data": [{"id": "tiny"}]})
        body = json.loads(request.content)
        self.bodies.append(body)
        fmt = body.get("response_format", {}).get("type")
        if fmt not in self.accepts:
            return httpx.Response(422, json={"detail": "bad response_format"})
        return httpx.Response(
            200, content=_sse(self.reply), headers={"content-type": "text/event-stream"}
        )


def _backend(server: FakeServer) -> OpenAIBackend:
    return OpenAIBackend("http://server:8080", transport=httpx.MockTransport(server))


def test_api_root_normalisation() -> None:
    assert api_root("http://h:1") == "http://h:1/v1"
    assert api_root("http://h:1/v1/") == "http://h:1/v1"


def test_streams_and_uses_standard_structured_output() -> None:
    server = FakeServer(GOOD)
    backend = _backend(server)
    assert backend.info.model.startswith("tiny")
    result = collect(backend.stream(GenerationRequest([Message("user", "x")], action_schema())))
    assert result.text == GOOD and result.stats.prompt_tokens == 11
    sent = server.bodies[0]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["schema"] == server_schema(action_schema())
    text = json.dumps(sent)
    assert '"maxLength": 500' in text and '"maxLength": 2000' not in text


def test_falls_back_to_json_object_schema_form_once() -> None:
    server = FakeServer(GOOD, accepts=("json_object",))
    backend = _backend(server)
    for _ in range(2):
        collect(backend.stream(GenerationRequest([Message("user", "x")], action_schema())))
    kinds = [b["response_format"]["type"] for b in server.bodies]
    assert kinds == ["json_schema", "json_object", "json_object"]


def test_server_that_ignores_schema_is_a_model_error() -> None:
    backend = _backend(FakeServer("Sure! Here is the command: ls"))
    with pytest.raises(ModelOutputError, match="invalid output 3 times"):
        generate_structured(
            backend, [Message("user", "x")], action_schema(), parse_action, max_retries=2
        )


def test_server_error_status_is_reported() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="boom")

    with pytest.raises(ModelError, match="answered 500"):
        OpenAIBackend("http://server", transport=httpx.MockTransport(broken))
    backend = OpenAIBackend("http://server", "m", transport=httpx.MockTransport(broken))
    with pytest.raises(ModelError, match="answered 500"):
        collect(backend.stream(GenerationRequest([Message("user", "x")])))
