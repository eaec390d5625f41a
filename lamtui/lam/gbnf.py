"""JSON schema -> GBNF for the subset lamtui's output contract uses.

llama-cpp-python's converter expands `maxLength: N` into N nested optional groups,
which llama.cpp refuses to compile beyond a few hundred. llama.cpp's own grammar syntax
has bounded repetition (`x{0,N}`, up to 2000), so we emit that directly. Supported:
objects (properties in schema order, all required, no extras), strings with
min/maxLength, const, enum, null, anyOf, and arrays with min/maxItems.
"""

from __future__ import annotations

import json
from typing import Any

PRELUDE = r"""space ::= | " " | "\n" [ \t]{0,20}
char ::= [^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" [0-9a-fA-F]{4})
"""
MAX_REPEAT = 2000  # llama.cpp's limit for {m,n}


class UnsupportedSchema(ValueError):
    pass


def _literal(value: Any) -> str:
    return json.dumps(json.dumps(value))  # a GBNF string literal of the JSON text


def _repeat(item: str, low: int, high: int | None) -> str:
    if high is None:
        return f"{item}{{{low},}}"
    if high > MAX_REPEAT:
        raise UnsupportedSchema(f"repetition bound {high} exceeds {MAX_REPEAT}")
    return f"{item}{{{low},{high}}}"


class _Rules:
    """Named rules. Each bounded string gets its own rule, so a group that repeats it
    repeats one symbol (llama.cpp refuses to copy thousands of expanded rules)."""

    def __init__(self) -> None:
        self.rules: dict[str, str] = {}

    def string(self, low: int, high: int | None) -> str:
        name = f"string-{low}-{high if high is not None else 'n'}"
        chars = _repeat("char", low, high)
        self.rules.setdefault(name, f'"\\"" {chars} "\\"" space')
        return name


def _value(schema: dict[str, Any], rules: _Rules) -> str:
    if "const" in schema:
        return f"{_literal(schema['const'])} space"
    if "enum" in schema:
        return "(" + " | ".join(_literal(v) for v in schema["enum"]) + ") space"
    if "anyOf" in schema:
        return "(" + " | ".join(_value(s, rules) for s in schema["anyOf"]) + ")"
    kind = schema.get("type")
    if kind == "null":
        return '"null" space'
    if kind == "string":
        return rules.string(schema.get("minLength", 0), schema.get("maxLength"))
    if kind == "array":
        item = _value(schema["items"], rules)
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        more = _repeat(f'("," space {item})', max(low - 1, 0), None if high is None else high - 1)
        body = f"{item} {more}"
        return f'"[" space {body if low > 0 else f"({body})?"} "]" space'
    if kind == "object":
        props: dict[str, Any] = schema.get("properties", {})
        if set(schema.get("required", [])) != set(props):
            raise UnsupportedSchema("every object property must be required")
        parts = [
            f'{_literal(name)} space ":" space {_value(sub, rules)}' for name, sub in props.items()
        ]
        inner = ' "," space '.join(parts)
        return f'"{{" space {inner} "}}" space'
    raise UnsupportedSchema(f"unsupported schema: {json.dumps(schema)[:80]}")


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    rules = _Rules()
    root = _value(schema, rules)
    named = "".join(f"{name} ::= {body}\n" for name, body in rules.rules.items())
    return f"root ::= {root}\n{named}{PRELUDE}"
