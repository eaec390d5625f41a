from __future__ import annotations

import pytest

from lamtui.contract.schema import PLAN_SCHEMA, action_schema
from lamtui.lam.gbnf import UnsupportedSchema, schema_to_gbnf


def test_bounded_strings_become_shared_named_rules() -> None:
    grammar = schema_to_gbnf(action_schema())
    assert "string-1-2000 ::= " in grammar and "char{1,2000}" in grammar
    # A repeated group refers to the rule instead of copying an expanded string.
    assert '("," space string-1-500){0,7}' in grammar
    assert grammar.count("char{1,500}") == 1


def test_constants_enums_and_nulls() -> None:
    grammar = schema_to_gbnf(action_schema(("finish",)))
    assert '"\\"finish\\""' in grammar
    assert '("\\"finish\\"" | "\\"fail\\"")' in grammar
    assert '"null" space' in grammar


def test_plan_grammar_and_unsupported_schemas() -> None:
    assert schema_to_gbnf(PLAN_SCHEMA).startswith("root ::= ")
    with pytest.raises(UnsupportedSchema):
        schema_to_gbnf({"type": "number"})
    with pytest.raises(UnsupportedSchema):
        schema_to_gbnf({"type": "string", "maxLength": 5000})
    with pytest.raises(UnsupportedSchema):
        schema_to_gbnf({"type": "object", "properties": {"a": {"type": "string"}}})
