from __future__ import annotations

import json

import jsonschema
import pytest

from lamtui.contract.schema import (
    PLAN_SCHEMA,
    SHORT_MAX,
    TOOL_SPECS,
    OutputInvalid,
    action_schema,
    parse_action,
    parse_plan,
)

VALID = [
    {
        "thought": "t",
        "tool": "shell",
        "args": {"command": "ls"},
        "status": "continue",
        "plan_update": None,
    },
    {
        "thought": "",
        "tool": "edit_file",
        "args": {"path": "a", "search": "x", "replace": ""},
        "status": "continue",
        "plan_update": ["check it"],
    },
    {
        "thought": "done",
        "tool": "finish",
        "args": {"summary": "ok"},
        "status": "fail",
        "plan_update": None,
    },
    {
        "thought": "?",
        "tool": "ask_user",
        "args": {"question": "which one?"},
        "status": "ask_user",
        "plan_update": None,
    },
]
INVALID = [
    {
        "thought": "t",
        "tool": "shell",
        "args": {"cmd": "ls"},
        "status": "continue",
        "plan_update": None,
    },  # wrong argument name
    {
        "thought": "t",
        "tool": "rm",
        "args": {"command": "ls"},
        "status": "continue",
        "plan_update": None,
    },  # unknown tool
    {
        "thought": "t",
        "tool": "shell",
        "args": {"command": 3},
        "status": "continue",
        "plan_update": None,
    },  # wrong type
    {
        "thought": "t",
        "tool": "shell",
        "args": {"command": "ls"},
        "status": "finish",
        "plan_update": None,
    },  # status does not go with the tool
    {
        "thought": "t",
        "tool": "shell",
        "args": {"command": "x" * (SHORT_MAX + 1)},
        "status": "continue",
        "plan_update": None,
    },  # too long
    {
        "thought": "t",
        "tool": "shell",
        "args": {"command": ""},
        "status": "continue",
        "plan_update": None,
    },  # empty
    {"thought": "t", "tool": "shell", "args": {"command": "ls"}, "status": "continue"},
    {
        "thought": "t",
        "tool": "shell",
        "args": {"command": "ls"},
        "status": "continue",
        "plan_update": [],
        "extra": 1,
    },
]


@pytest.mark.parametrize("instance", VALID)
def test_valid_actions_pass_schema_and_model(instance: dict[str, object]) -> None:
    jsonschema.validate(instance, action_schema())
    action = parse_action(json.dumps(instance))
    assert json.loads(action.to_json()) == instance


@pytest.mark.parametrize("instance", INVALID)
def test_invalid_actions_fail_schema_and_model(instance: dict[str, object]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(instance, action_schema())
    with pytest.raises(OutputInvalid):
        parse_action(json.dumps(instance))


def test_not_json_is_reported() -> None:
    with pytest.raises(OutputInvalid, match="not valid JSON"):
        parse_action('{"thought": "unterminated')


def test_restricted_tools() -> None:
    schema = action_schema(("shell", "finish"))
    assert len(schema["anyOf"]) == 2
    assert set(TOOL_SPECS) >= {"shell", "finish"}


def test_plan_round_trip() -> None:
    plan = {"goal": "g", "subtasks": [{"title": "s", "steps": ["a", "b"]}]}
    jsonschema.validate(plan, PLAN_SCHEMA)
    assert json.loads(parse_plan(json.dumps(plan)).to_json()) == plan
    with pytest.raises(OutputInvalid):
        parse_plan(json.dumps({"goal": "g", "subtasks": []}))
