"""What bash decodes or evaluates inside a word.

$'...' escapes, the parts of ${...} bash evaluates as arithmetic, and command substitutions
hidden in arithmetic (which bash runs however they are quoted)."""

from __future__ import annotations

import contextvars
import re

from lamtui.safety.shell.tokens import ParseError

_ANSI_ESCAPES = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
    "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip

_PARAM_NAME = re.compile(r"#?(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])")


def param_arith(body: str) -> str:
    """The part of a ${...} body bash evaluates as arithmetic: subscripts, offsets, ${!ref}."""
    if body.startswith("!"):
        return body[1:]
    name = _PARAM_NAME.match(body)
    rest = body[name.end() :] if name else body
    subscript = ""
    if rest.startswith("["):
        close = _closing_bracket(rest)
        if close < 0:
            return rest
        subscript, rest = rest[: close + 1], rest[close + 1 :]
    if rest.startswith(":") and rest[1:2] not in ("-", "=", "?", "+"):
        return f"{subscript} {rest[1:]}"
    return subscript


def _closing_bracket(text: str) -> int:
    """Index of the `]` closing the `[` at text[0], or -1."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0:
            return index
    return -1


ELEMENT_KEY = re.compile(r"\[(.*?)\]\+?=", re.DOTALL)  # `[key]=value` inside `name=( ... )`

_BACKQUOTE_OR_SUB = re.compile(r"`|\$\(")


# Characters arith_closes may still scan for the command being classified (None: no limit).
# Each `((` scans ahead to its `))`, so `((((...` would cost the square of its length.
SCAN_BUDGET: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "SCAN_BUDGET", default=None
)


def _spend(count: int) -> None:
    budget = SCAN_BUDGET.get()
    if budget is not None:
        budget[0] -= count
        if budget[0] < 0:
            raise ParseError("the command nests parentheses too deeply to follow")


def arith_closes(text: str, pos: int) -> bool:
    """Like bash, count parens from just inside `((`: arithmetic only if it ends in `))`."""
    start, depth = pos, 0
    closes = False
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 1
        elif char in "'\"":
            end = text.find(char, pos + 1)
            pos = len(text) if end < 0 else end
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                closes = text.startswith("))", pos)
                break
            depth -= 1
        pos += 1
    _spend(pos - start + 1)
    return closes


def arith_hides_command(text: str) -> bool:
    """Does text bash evaluates as arithmetic hold a command substitution, even quoted?

    Bash expands array subscripts again when it evaluates them, so `a[$(cmd)]` runs cmd however
    it is quoted, and the output of an unquoted `$(cmd)` is itself evaluated as arithmetic."""
    for match in _BACKQUOTE_OR_SUB.finditer(text):
        at = match.start()
        if match.group() == "`" or not text.startswith("$((", at):
            return True
        if not arith_closes(text, at + 3):  # `$((cmd) )` is a command substitution
            return True
    return False


def ansi_c(text: str, pos: int) -> tuple[str, int]:
    """Decode a $'...' string from just inside the quote; return (value, end)."""
    out: list[str] = []
    truncated = False  # bash ends the string at a NUL byte
    while pos < len(text):
        char = text[pos]
        if char == "'":
            return "".join(out), pos + 1
        if char != "\\" or pos + 1 >= len(text):
            decoded, pos = char, pos + 1
        else:
            decoded, pos = _ansi_escape(text, pos + 1)
        truncated = truncated or decoded == "\x00"
        if not truncated:
            out.append(decoded)
    raise ParseError("unterminated $'")


def _ansi_escape(text: str, pos: int) -> tuple[str, int]:
    """Decode the escape whose letter is at pos."""
    letter = text[pos]
    if letter in _ANSI_ESCAPES:
        return _ANSI_ESCAPES[letter], pos + 1
    patterns = {"x": r"[0-9a-fA-F]{1,2}", "u": r"[0-9a-fA-F]{1,4}", "U": r"[0-9a-fA-F]{1,8}"}
    if letter in patterns:
        digits = re.compile(patterns[letter]).match(text, pos + 1)
        if digits and int(digits.group(), 16) <= 0x10FFFF:
            return chr(int(digits.group(), 16)), digits.end()
        return "\\" + letter, pos + 1
    if letter in "01234567":
        octal = re.compile(r"[0-7]{1,3}").match(text, pos)
        assert octal is not None
        return chr(int(octal.group(), 8) & 0xFF), octal.end()
    if letter == "c" and pos + 1 < len(text):
        return chr(ord(text[pos + 1]) & 0x1F), pos + 2
    return "\\" + letter, pos + 1
