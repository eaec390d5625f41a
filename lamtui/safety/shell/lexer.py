"""Lexer: text -> words, operators and redirections, the way bash splits them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lamtui.safety.shell.expansions import ELEMENT_KEY, ansi_c, arith_closes, param_arith
from lamtui.safety.shell.tokens import (
    ARRAY_ASSIGN,
    MAX_NESTING,
    NAME,
    Op,
    ParseError,
    Redir,
    Token,
    Word,
)

_CONTROL_OPS = (";;&", ";;", ";&", "&&", "||", "|&", ";", "&", "|", "(", ")")
_REDIR_OPS = ("&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", ">>", ">|", ">&", "<", ">")
_METACHARS = frozenset(" \t\n;&|()<>")
_FD_PREFIX = re.compile(r"\d+(?=[<>])")
DUP_TARGET = re.compile(r"(?:\d+-?|-)(?=$|[\s;&|()<>])")

# Words after which a new command starts (so `((` there is an arithmetic command).
_COMMAND_START_WORDS = frozenset(
    {"do", "then", "else", "elif", "if", "while", "until", "!", "{", "for", "time"}
)


@dataclass
class _WordState:
    """A word being built."""

    value: list[str] = field(default_factory=list)
    quoted: bool = False
    expands: bool = False
    glob: bool = False
    subs: list[str] = field(default_factory=list)
    ariths: list[str] = field(default_factory=list)
    evals: list[str] = field(default_factory=list)

    def absorb(self, other: _WordState) -> None:
        """Take the substitutions and arithmetic found while scanning a nested part."""
        self.subs.extend(other.subs)
        self.ariths.extend(other.ariths)
        self.evals.extend(other.evals)


class Lexer:
    """Split text into tokens; a nested lexer stops at the `)` closing a substitution."""

    def __init__(self, text: str, pos: int = 0, *, nested: bool = False, depth: int = 0):
        if depth > MAX_NESTING:
            raise ParseError("substitutions are nested too deeply")
        self.text = text
        self.pos = pos
        self.nested = nested
        self.depth = depth
        self.tokens: list[Token] = []
        self.parens = 0
        self.heredocs: list[tuple[Redir, str, bool, bool]] = []  # redir, delim, strip, quoted
        self.level = 0  # nesting of ${...} and $((...)) inside one word

    def run(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t":
                self.pos += 1
            elif text.startswith("\\\n", self.pos):
                self.pos += 2
            elif char == "\n":
                self._emit_op("\n", 1)
                self._read_heredocs()
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif char == ")" and self.nested and self.parens == 0:
                return self.tokens  # the caller reads self.pos
            elif text.startswith("((", self.pos) and self._at_command_start():
                self._arith_command()
            elif text.startswith(("<(", ">("), self.pos):
                self._word()
            else:
                self._operator_or_word()
        if self.nested:
            raise ParseError("a substitution is missing its closing )")
        self._read_heredocs()
        return self.tokens

    # --- tokens ---------------------------------------------------------------------------

    def _emit_op(self, op: str, length: int) -> None:
        self.tokens.append(Op(op, self.pos, self.pos + length))
        self.pos += length

    def _at_command_start(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if isinstance(last, Op):
            return last.op != ")"
        return isinstance(last, Word) and not last.quoted and last.value in _COMMAND_START_WORDS

    def _operator_or_word(self) -> None:
        text, start = self.text, self.pos
        fd_match = _FD_PREFIX.match(text, start)
        pos = fd_match.end() if fd_match else start
        for op in _REDIR_OPS:
            if text.startswith(op, pos) and not text.startswith(("<(", ">("), pos):
                self._redirect(op, fd_match.group() if fd_match else "", start, pos + len(op))
                return
        for op in _CONTROL_OPS:
            if text.startswith(op, start):
                self.parens += {"(": 1, ")": -1}.get(op, 0)
                self._emit_op(op, len(op))
                return
        self._word()

    def _redirect(self, op: str, fd: str, start: int, after: int) -> None:
        redir = Redir(op, fd, start, after)
        self.tokens.append(redir)
        self.pos = after
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1
        dup = DUP_TARGET.match(self.text, self.pos) if op in (">&", "<&") else None
        if dup:
            value = dup.group()
            self.tokens.append(Word(value, value, self.pos, dup.end()))
            self.pos = dup.end()
        elif self.pos >= len(self.text) or (
            self.text[self.pos] in _METACHARS and not self.text.startswith(("<(", ">("), self.pos)
        ):
            raise ParseError(f"redirection {op} has no target")
        else:
            target = self._word()
            if op in ("<<", "<<-"):
                self.heredocs.append((redir, target.value, op == "<<-", target.quoted))

    def _read_heredocs(self) -> None:
        """Here-document bodies start on the line after their operator."""
        text = self.text
        for redir, delimiter, strip_tabs, quoted in self.heredocs:
            lines: list[str] = []
            while self.pos < len(text):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                line = text[self.pos : end]
                self.pos = min(end + 1, len(text))
                line = line.lstrip("\t") if strip_tabs else line
                if line == delimiter:
                    break
                lines.append(line + "\n")
            redir.body = "".join(lines)
            if not quoted:
                state = _WordState()
                Lexer(redir.body, depth=self.depth + 1)._dquote(0, state, None)
                redir.body_literal = not state.expands
                redir.body_subs = tuple(state.subs)
                redir.body_ariths = tuple(state.ariths)
                redir.body_evals = tuple(state.evals)
        self.heredocs.clear()

    def _arith_command(self) -> None:
        """`((...))` is arithmetic when it closes with `))`; otherwise bash reads `( (`."""
        start = self.pos
        if not arith_closes(self.text, start + 2):
            self.parens += 1
            self._emit_op("(", 1)
            return
        state = _WordState()
        end = self._arith(start + 2, state)
        raw = self.text[start:end]
        word = Word(raw, raw, start, end, arith=True, subs=tuple(state.subs))
        self.tokens.append(replace(word, ariths=tuple(state.ariths), evals=tuple(state.evals)))
        self.pos = end

    # --- words ----------------------------------------------------------------------------

    def _word(self) -> Word:
        text, start = self.text, self.pos
        state = _WordState()
        pos = start
        if text.startswith(("<(", ">("), pos):
            inner, pos = self._command_sub(pos + 2)
            state.subs.append(inner)
            state.expands = True
            state.value.append(text[start:pos])
        while pos < len(text) and text[pos] not in _METACHARS:
            pos = self._word_char(pos, state)
        if pos < len(text) and text[pos] == "(" and ARRAY_ASSIGN.fullmatch(text, start, pos):
            pos = self._array_literal(pos + 1, state)
        if pos == start:
            raise ParseError(f"unexpected {text[pos]!r}")
        self.pos = pos
        word = Word(
            raw=text[start:pos],
            value="".join(state.value),
            start=start,
            end=pos,
            quoted=state.quoted,
            expands=state.expands,
            glob=state.glob,
            tilde=text.startswith("~", start),
            subs=tuple(state.subs),
            ariths=tuple(state.ariths),
            evals=tuple(state.evals),
        )
        self.tokens.append(word)
        return word

    def _word_char(self, pos: int, state: _WordState) -> int:
        """Consume one unquoted character or quoted run at pos; return the next position."""
        text = self.text
        char = text[pos]
        if char == "\\":
            if pos + 1 >= len(text):
                state.value.append("\\")
                return pos + 1
            if text[pos + 1] != "\n":
                state.value.append(text[pos + 1])
                state.quoted = True
            return pos + 2
        if char == "'":
            end = text.find("'", pos + 1)
            if end < 0:
                raise ParseError("unterminated single quote")
            state.value.append(text[pos + 1 : end])
            state.quoted = True
            return end + 1
        if char == '"':
            state.quoted = True
            return self._dquote(pos + 1, state, '"')
        if char == "$":
            return self._dollar(pos, state, in_dquote=False)
        if char == "`":
            return self._backtick(pos, state, in_dquote=False)
        if char in "*?[{}":
            state.glob = True
        state.value.append(char)
        return pos + 1

    def _dquote(self, pos: int, state: _WordState, terminator: str | None) -> int:
        """Scan double-quoted text (or a here-document body when terminator is None)."""
        text = self.text
        while pos < len(text):
            char = text[pos]
            if char == terminator:
                return pos + 1
            if char == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                if nxt == "\n":
                    pos += 2
                elif nxt in '$`"\\':
                    state.value.append(nxt)
                    pos += 2
                else:
                    state.value.append(char)
                    pos += 1
            elif char == "$":
                pos = self._dollar(pos, state, in_dquote=True)
            elif char == "`":
                pos = self._backtick(pos, state, in_dquote=True)
            else:
                state.value.append(char)
                pos += 1
        if terminator is None:
            return pos
        raise ParseError("unterminated double quote")

    def _dollar(self, pos: int, state: _WordState, *, in_dquote: bool) -> int:
        self.level += 1
        try:
            if self.level + self.depth > 2 * MAX_NESTING:
                raise ParseError("expansions are nested too deeply")
            return self._dollar_expansion(pos, state, in_dquote=in_dquote)
        finally:
            self.level -= 1

    def _dollar_expansion(self, pos: int, state: _WordState, *, in_dquote: bool) -> int:
        text = self.text
        nxt = text[pos + 1] if pos + 1 < len(text) else ""
        if text.startswith("$((", pos) and arith_closes(text, pos + 3):
            end = self._arith(pos + 3, state)
        elif nxt == "(":
            inner, end = self._command_sub(pos + 2)
            state.subs.append(inner)
        elif nxt == "{":
            end = self._brace_param(pos + 2, state)
        elif nxt == "[":  # `$[ ... ]`: bash's old spelling of $(( ... ))
            end = self._arith(pos + 2, state, closer="]")
        elif nxt == "'" and not in_dquote:
            decoded, end = ansi_c(text, pos + 2)
            state.value.append(decoded)
            state.quoted = True
            return end
        elif nxt == '"' and not in_dquote:
            state.quoted = True
            return self._dquote(pos + 2, state, '"')
        elif name := NAME.match(text, pos + 1):
            end = name.end()
        elif nxt and nxt in "@*#?$!-0123456789":
            end = pos + 2
        else:
            state.value.append("$")
            return pos + 1
        state.expands = True
        state.value.append(text[pos:end])
        return end

    def _command_sub(self, pos: int) -> tuple[str, int]:
        """Scan `$(` ... `)` from just inside it; return the inner source and the end."""
        sub = Lexer(self.text, pos, nested=True, depth=self.depth + 1)
        sub.level = self.level  # one nesting budget for the whole text
        sub.run()
        return self.text[pos : sub.pos], sub.pos + 1

    def _array_literal(self, pos: int, state: _WordState) -> int:
        sub = Lexer(self.text, pos, nested=True, depth=self.depth + 1)
        for token in sub.run():
            if isinstance(token, Word):
                state.subs.extend(token.subs)
                state.ariths.extend(token.ariths)
                state.evals.extend(token.evals)
                if key := ELEMENT_KEY.match(token.value):
                    state.ariths.append(key.group(1))  # `([k]=v)`: bash expands k, quoted or not
            elif not (isinstance(token, Op) and token.op == "\n"):
                raise ParseError("unexpected operator in an array assignment")
        state.expands = True
        state.value.append(self.text[pos - 1 : sub.pos + 1])
        return sub.pos + 1

    def _backtick(self, pos: int, state: _WordState, *, in_dquote: bool) -> int:
        text, start = self.text, pos
        inner: list[str] = []
        pos += 1
        while pos < len(text):
            char = text[pos]
            if char == "`":
                state.subs.append("".join(inner))
                state.expands = True
                state.value.append(text[start : pos + 1])
                return pos + 1
            if char == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                if nxt in "$`\\" or (in_dquote and nxt == '"'):
                    inner.append(nxt)
                    pos += 2
                    continue
            inner.append(char)
            pos += 1
        raise ParseError("unterminated backquote")

    def _brace_param(self, pos: int, state: _WordState) -> int:
        """Scan `${...}` from just inside it, collecting substitutions in it."""
        text, depth, start = self.text, 0, pos
        if text[pos : pos + 1] in (" ", "\t", "\n", "|"):
            # bash 5.3 runs `${ cmd; }` and `${| cmd; }` as commands; older ones refuse them
            raise ParseError("${ ...; } runs commands in this shell, which is not followed")
        scratch = _WordState()
        while pos < len(text):
            char = text[pos]
            if char == "}" and depth == 0:
                state.absorb(scratch)
                body = text[start:pos]
                state.ariths.append(param_arith(body))
                if body.endswith("@P"):
                    state.evals.append("${...@P} expands the value as a prompt, running any "
                                       "command substitution in it")  # fmt: skip
                return pos + 1
            if char in "{}":
                depth += 1 if char == "{" else -1
                pos += 1
            elif char == "\\":
                pos += 2
            elif char == "'":
                end = text.find("'", pos + 1)
                if end < 0:
                    raise ParseError("unterminated single quote")
                pos = end + 1
            elif char == '"':
                pos = self._dquote(pos + 1, scratch, '"')
            elif char == "$":
                pos = self._dollar(pos, scratch, in_dquote=True)
            elif char == "`":
                pos = self._backtick(pos, scratch, in_dquote=True)
            else:
                pos += 1
        raise ParseError("unterminated ${")

    def _arith(self, pos: int, state: _WordState, closer: str = ")") -> int:
        """Scan arithmetic from just inside `((` (or `$[`); return the position after `))`
        (or `]`)."""
        text, depth, start = self.text, 0, pos
        opener = "(" if closer == ")" else "["
        end_mark = "))" if closer == ")" else "]"
        scratch = _WordState()
        while pos < len(text):
            char = text[pos]
            if char == closer and depth == 0:
                if not text.startswith(end_mark, pos):
                    raise ParseError("unbalanced ) in arithmetic")
                state.absorb(scratch)
                state.ariths.append(text[start:pos])
                return pos + len(end_mark)
            if char in (opener, closer):
                depth += 1 if char == opener else -1
                pos += 1
            elif char == "$":
                pos = self._dollar(pos, scratch, in_dquote=True)
            elif char == "`":
                pos = self._backtick(pos, scratch, in_dquote=True)
            elif char == "\\":
                pos += 2
            elif char in "'\"":
                end = text.find(char, pos + 1)
                if end < 0:
                    raise ParseError("unterminated quote in arithmetic")
                pos = end + 1
            else:
                pos += 1
        raise ParseError("unterminated arithmetic")
