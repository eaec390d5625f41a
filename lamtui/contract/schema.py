"""The LAM's output contract: JSON schemas (for grammars) and the pydantic models
that validate what comes back.

The schemas are written out by hand so that property order is the order the model
should think in (thought first) and each tool's arguments are constrained by the
grammar itself, not only checked afterwards. tests/unit/test_schema.py checks that
every instance the schema allows is accepted by the models and vice versa.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Tool = Literal["shell", "read_file", "write_file", "edit_file", "list_dir", "ask_user", "finish"]
Status = Literal["continue", "finish", "ask_user", "fail"]

# Bounds keep a small model from rambling forever inside a string; the grammar enforces
# them, so generation always terminates with a closed JSON object.
THOUGHT_MAX = 300
SHORT_MAX = 500  # commands, paths, questions, summaries, step titles
LONG_MAX = 2000  # file contents and edit texts (llama.cpp caps grammar repetition at 2000)
PLAN_STEPS_MAX = 8

# tool -> (argument names in order, statuses allowed with that tool)
TOOL_SPECS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "shell": (("command",), ("continue",)),
    "read_file": (("path",), ("continue",)),
    "write_file": (("path", "content"), ("continue",)),
    "edit_file": (("path", "search", "replace"), ("continue",)),
    "list_dir": (("path",), ("continue",)),
    "ask_user": (("question",), ("ask_user",)),
    "finish": (("summary",), ("finish", "fail")),
}
# File contents can be long; everything else is short.
LONG_ARGS = {"content", "search", "replace"}


def _string(max_length: int | None, min_length: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if min_length:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def _plan_update_schema() -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "null"},
            {
                "type": "array",
                "items": _string(SHORT_MAX, 1),
                "minItems": 1,
                "maxItems": PLAN_STEPS_MAX,
            },
        ]
    }


def _action_variant(tool: str) -> dict[str, Any]:
    arg_names, statuses = TOOL_SPECS[tool]
    args = {
        name: _string(LONG_MAX if name in LONG_ARGS else SHORT_MAX, 0 if name == "replace" else 1)
        for name in arg_names
    }
    return {
        "type": "object",
        "properties": {
            "thought": _string(THOUGHT_MAX),
            "tool": {"const": tool},
            "args": {
                "type": "object",
                "properties": args,
                "required": list(arg_names),
                "additionalProperties": False,
            },
            "status": {"enum": list(statuses)},
            "plan_update": _plan_update_schema(),
        },
        "required": ["thought", "tool", "args", "status", "plan_update"],
        "additionalProperties": False,
    }


def action_schema(tools: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The JSON schema of one step's output, optionally restricted to some tools."""
    chosen = tools or tuple(TOOL_SPECS)
    return {"anyOf": [_action_variant(tool) for tool in chosen]}


PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "goal": _string(SHORT_MAX, 1),
        "subtasks": {
            "type": "array",
            "minItems": 1,
            "maxItems": 5,
            "items": {
                "type": "object",
                "properties": {
                    "title": _string(SHORT_MAX, 1),
                    "steps": {
                        "type": "array",
                        "items": _string(SHORT_MAX, 1),
                        "minItems": 1,
                        "maxItems": PLAN_STEPS_MAX,
                    },
                },
                "required": ["title", "steps"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["goal", "subtasks"],
    "additionalProperties": False,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Strict):
    thought: str = Field(max_length=THOUGHT_MAX)
    tool: Tool
    args: dict[str, str]
    status: Status
    plan_update: list[str] | None = Field(max_length=PLAN_STEPS_MAX)

    @model_validator(mode="after")
    def _args_match_tool(self) -> Action:
        arg_names, statuses = TOOL_SPECS[self.tool]
        if set(self.args) != set(arg_names):
            raise ValueError(
                f"tool {self.tool!r} takes arguments {list(arg_names)}, got {sorted(self.args)}"
            )
        for name, value in self.args.items():
            limit = LONG_MAX if name in LONG_ARGS else SHORT_MAX
            if len(value) > limit:
                raise ValueError(f"argument {name!r} is longer than {limit} characters")
            if name != "replace" and not value:
                raise ValueError(f"argument {name!r} is empty")
        if self.status not in statuses:
            raise ValueError(f"status {self.status!r} does not go with tool {self.tool!r}")
        if self.plan_update is not None and (
            not self.plan_update or any(not s or len(s) > SHORT_MAX for s in self.plan_update)
        ):
            raise ValueError("plan_update must be null or a list of non-empty step titles")
        return self

    def to_json(self) -> str:
        """The action exactly as the schema defines it (used in prompts and exports)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False)


class PlannedSubtask(_Strict):
    title: str = Field(min_length=1, max_length=SHORT_MAX)
    steps: list[str] = Field(min_length=1, max_length=PLAN_STEPS_MAX)


class Plan(_Strict):
    goal: str = Field(min_length=1, max_length=SHORT_MAX)
    subtasks: list[PlannedSubtask] = Field(min_length=1, max_length=5)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False)


class OutputInvalid(ValueError):
    """Raw model output that is not valid JSON or does not match the contract."""


def _parse(raw: str, model: type[_Strict]) -> Any:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise OutputInvalid(f"not valid JSON ({exc.msg} at char {exc.pos})") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "output"
        raise OutputInvalid(f"{where}: {first['msg']}") from None


def parse_action(raw: str) -> Action:
    result: Action = _parse(raw, Action)
    return result


def parse_plan(raw: str) -> Plan:
    result: Plan = _parse(raw, Plan)
    return result
