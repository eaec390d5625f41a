from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtui.contract.cancel import CancelToken
from lamtui.contract.schema import action_schema, parse_action
from lamtui.errors import Cancelled, ModelError, ModelOutputError
from lamtui.lam.base import GenerationRequest, Message, TokenChunk
from lamtui.lam.scripted import ScriptedBackend
from lamtui.lam.structured import AttemptFailed, Structured, stream_structured
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
MESSAGES = [Message("user", "Request: list")]


def test_valid_first_time() -> None:
    backend = ScriptedBackend([GOOD])
    result = generate_structured(backend, MESSAGES, action_schema(), parse_action)
    assert result.attempts == 1 and result.value.args == {"command": "ls"}
    assert backend.requests[0].temperature == 0.0


def test_retries_then_succeeds_with_noise() -> None:
    backend = ScriptedBackend(["not json", '{"tool": "rm"}', GOOD])
    items = list(stream_structured(backend, MESSAGES, action_schema(), parse_action, max_retries=2))
    failures = [i for i in items if isinstance(i, AttemptFailed)]
    final = items[-1]
    assert isinstance(final, Structured) and final.attempts == 3
    assert [f.attempt for f in failures] == [1, 2]
    assert "not valid JSON" in failures[0].error
    # Retries sample with some temperature: a greedy retry would repeat the mistake.
    assert [r.temperature > 0 for r in backend.requests] == [False, True, True]


def test_gives_up_after_bounded_retries() -> None:
    backend = ScriptedBackend(["{}", "{}", "{}", GOOD])
    with pytest.raises(ModelOutputError, match="invalid output 2 times"):
        generate_structured(backend, MESSAGES, action_schema(), parse_action, max_retries=1)
    assert backend.remaining == 2  # never asked more than 1 + max_retries times


def test_cancel_raises() -> None:
    backend = ScriptedBackend([GOOD], chunk_chars=1)
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        for item in stream_structured(
            backend, MESSAGES, action_schema(), parse_action, cancel=cancel
        ):
            if isinstance(item, TokenChunk):
                cancel.cancel()


def test_scripted_from_file_and_exhaustion(tmp_path: Path) -> None:
    replies = tmp_path / "replies.jsonl"
    replies.write_text(GOOD + "\n")
    backend = ScriptedBackend.from_file(replies)
    result = collect(backend.stream(GenerationRequest(MESSAGES)))
    assert result.text == GOOD
    with pytest.raises(ModelError, match="no replies left"):
        collect(backend.stream(GenerationRequest(MESSAGES)))


def test_scripted_reply_can_depend_on_request() -> None:
    backend = ScriptedBackend([lambda req: req.messages[-1].content.upper()])
    assert collect(backend.stream(GenerationRequest(MESSAGES))).text == "REQUEST: LIST"
