"""The bundled GGUF, loaded through the real code path, produces schema-valid actions."""

from __future__ import annotations

import json

import jsonschema
import pytest

from lamtui.agent import prompts
from lamtui.contract.cancel import CancelToken
from lamtui.contract.schema import action_schema, parse_action
from lamtui.lam.base import Backend, GenerationRequest, Message, TokenChunk
from tests.helpers import action_messages, collect, generate_structured

pytestmark = pytest.mark.real_model

REQUESTS = [
    "list the files here",
    "how much disk space is left?",
    "count the lines in README.md",
    "find all python files bigger than 1 MB",
    "show the last 20 lines of /var/log/syslog",
    "create a file notes.txt that says hello",
    "replace 'debug = true' with 'debug = false' in settings.ini",
    "which process uses the most memory?",
    "compress the logs folder into logs.tar.gz",
    "show the git log of the last 5 commits",
    "make run.sh executable",
    "rename every .jpeg file to .jpg",
    "what is in the src directory?",
    "delete the build folder",
    "how many CPUs does this machine have?",
    "print the current date and time",
    "search for TODO comments in the code",
    "sort names.txt alphabetically and remove duplicates",
    "clean up",
    "tell me the size of each subfolder, largest first",
    "download the latest release",
    "fix the failing test",
]


def _messages(backend: Backend, request: str) -> list[Message]:
    """The prompt this model gets from the agent: compact for a trained LAM (the default),
    system text + few-shot block otherwise."""
    if backend.info.prompt_style != "lam":
        return action_messages(request, "Workspace: /home/user/project (git repository)")
    title = prompts.short_title(request)
    workspace = prompts.workspace_line("/home/user/project", ["src/", "README.md"], "main")
    return [
        *prompts.lam_task_messages(request, workspace),
        Message("assistant", prompts.plan_json(title, [title])),
        Message("user", prompts.step_cue(1, 1, title)),
    ]


def test_schema_valid_actions_for_varied_requests(real_backend: Backend) -> None:
    schema = action_schema()
    first_try = 0
    for request in REQUESTS:
        result = generate_structured(
            real_backend,
            _messages(real_backend, request),
            schema,
            parse_action,
            max_retries=2,
            max_tokens=1024,
        )
        jsonschema.validate(json.loads(result.raw), schema)
        assert result.value.tool in {
            "shell",
            "read_file",
            "write_file",
            "edit_file",
            "list_dir",
            "ask_user",
            "finish",
        }
        first_try += result.attempts == 1
    # The grammar makes every first attempt valid: a 100% parse rate, no retries needed.
    assert first_try == len(REQUESTS)


def test_streaming_reports_tokens_and_speed(real_backend: Backend) -> None:
    request = GenerationRequest(
        action_messages("show disk usage", "Workspace: /tmp"), schema=action_schema()
    )
    chunks = []
    result = None
    for item in real_backend.stream(request):
        if isinstance(item, TokenChunk):
            chunks.append(item.text)
        else:
            result = item
    assert result is not None and result.finish_reason == "stop"
    assert "".join(chunks) == result.text
    assert result.stats.completion_tokens > 5
    assert result.stats.tokens_per_second > 0
    parse_action(result.text)


def test_cancel_between_tokens(real_backend: Backend) -> None:
    cancel = CancelToken()
    request = GenerationRequest(action_messages("show disk usage", "Workspace: /tmp"), None, 200)
    seen = 0
    result = None
    for item in real_backend.stream(request, cancel):
        if isinstance(item, TokenChunk):
            seen += 1
            if seen == 3:
                cancel.cancel()
        else:
            result = item
    assert result is not None and result.finish_reason == "cancelled"
    assert result.stats.completion_tokens == 3


def test_appended_prompt_reuses_kv_cache(real_backend: Backend) -> None:
    messages = action_messages("list the files here", "Workspace: /tmp")
    first = collect(real_backend.stream(GenerationRequest(messages, action_schema())))
    from lamtui.lam.base import Message

    longer = [*messages, Message("assistant", first.text), Message("user", "Observation: ok")]
    second = collect(real_backend.stream(GenerationRequest(longer, action_schema())))
    assert second.stats.prompt_tokens > first.stats.prompt_tokens
    # Only the appended turn (and the cue) is evaluated again.
    assert second.stats.prompt_tokens_evaluated < 0.25 * second.stats.prompt_tokens
