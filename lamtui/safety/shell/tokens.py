"""The lexer's tokens (words, operators, redirections) and facts about one word."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TypeAlias


class ParseError(Exception):
    """The text is not something bash would run as written."""


MAX_NESTING = 24  # substitutions/payloads nested deeper than this are not followed


@dataclass(frozen=True)
class Word:
    raw: str  # source text
    value: str  # after quote removal; expansions are kept as written
    start: int = 0
    end: int = 0
    quoted: bool = False  # any quoting or escaping (so it is never a reserved word)
    expands: bool = False  # holds $var, ${...}, $(...), `...` or <(...): value is not final
    glob: bool = False  # unquoted * ? [ { }: the shell may expand it to other words
    tilde: bool = False  # starts with an unquoted ~
    arith: bool = False  # an arithmetic command ((...))
    subs: tuple[str, ...] = ()  # source of command/process substitutions inside
    ariths: tuple[str, ...] = ()  # text bash evaluates as arithmetic ($((..)), ${a[i]}, ${s:n})
    evals: tuple[str, ...] = ()  # why expanding the word runs code the parser cannot see


@dataclass(frozen=True)
class Op:
    op: str
    start: int
    end: int


@dataclass
class Redir:
    op: str
    fd: str
    start: int
    end: int
    target: Word | None = None  # the file, fd or here-document delimiter
    body: str | None = None  # here-document text
    body_literal: bool = True  # the here-document has no expansions
    body_subs: tuple[str, ...] = ()
    body_ariths: tuple[str, ...] = ()
    body_evals: tuple[str, ...] = ()


Token: TypeAlias = Word | Op | Redir

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ARRAY_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")

# A name bash cannot run code from: plain, or subscripted by a number, a name, @ or *.
INERT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[(?:-?[0-9]+|[A-Za-z_][A-Za-z0-9_]*|[@*])\])?")

_NUMBER = re.compile(r"-?[0-9]+")
_NUMBER_SEQUENCE = re.compile(r"\{-?[0-9]+\.\.-?[0-9]+(?:\.\.-?[0-9]+)?\}")


def numeric_word(word: Word) -> bool:
    """Does the word certainly hold a number (or a numeric brace sequence)?"""
    if word.expands:
        return word.raw.startswith("$((") and word.raw.endswith("))")
    return bool(_NUMBER.fullmatch(word.value) or _NUMBER_SEQUENCE.fullmatch(word.value))


def numeric_assignment(word: Word) -> bool:
    value_raw = word.raw.partition("=")[2]
    return numeric_word(replace(word, raw=value_raw, value=word.value.partition("=")[2]))
