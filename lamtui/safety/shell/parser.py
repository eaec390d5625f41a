"""Parser: tokens -> simple commands, following compound commands just enough."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from lamtui.safety.shell.tokens import ASSIGNMENT, Op, ParseError, Redir, Token, Word, numeric_word


@dataclass
class Simple:
    """One simple command: what becomes a Segment."""

    start: int
    end: int
    words: list[Word] = field(default_factory=list)
    assigns: list[Word] = field(default_factory=list)
    redirs: list[Redir] = field(default_factory=list)
    extra: list[Word] = field(default_factory=list)  # expanded but not run (loop/case words)
    tail: bool = False  # redirections after a compound command: `{ ...; } > out`
    forked: bool = False  # runs in a subshell (pipeline element or `&`): its cd does not last


@dataclass(frozen=True)
class Scope:
    """A subshell starts (enter) or ends: `cd` inside it does not last."""

    enter: bool


@dataclass(frozen=True)
class FuncDef:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class LoopVar:
    """`for NAME in WORDS`: NAME holds values that may not be numbers."""

    name: str
    numeric: bool


@dataclass(frozen=True)
class Loop:
    """A loop body starts (enter) or ends: what it sets is seen again on the next pass."""

    enter: bool


Item: TypeAlias = Simple | Scope | FuncDef | LoopVar | Loop


@dataclass
class _Frame:
    closer: str  # ")", "}", "fi", "done" or "esac"
    case_state: str = ""  # "pattern" or "body" inside case


_RESERVED = frozenset(
    {"{", "}", "if", "then", "elif", "else", "fi", "while", "until", "for", "select", "do",
     "done", "case", "esac", "!", "function", "[[", "coproc", "in"}
)  # fmt: skip
_CLOSERS = frozenset({"}", "fi", "done", "esac"})
# Reserved words that may directly follow a compound command's closer.
_AFTER_CLOSER = frozenset({"}", "fi", "done", "esac", "then", "do", "else", "elif"})
_SEPARATORS = frozenset({";", "&"})
_JOINERS = frozenset({"&&", "||", "|", "|&"})
_CASE_ENDS = frozenset({";;", ";&", ";;&"})


class Parser:
    """A flat parser: it emits simple commands in order and checks that compounds balance."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.items: list[Item] = []
        self.frames: list[_Frame] = []
        self.cur: Simple | None = None
        self.patterns: list[Word] = []
        self.have_cmd = False  # something since the last separator
        self.need_cmd = False  # an && || | waits for its right-hand side
        self.piped = False  # the next command reads a pipe

    def parse(self) -> list[Item]:
        while self.i < len(self.tokens):
            token = self._next()
            frame = self.frames[-1] if self.frames else None
            if frame is not None and frame.case_state == "pattern":
                self._case_pattern(token, frame)
            elif isinstance(token, Redir):
                self._redirect(token)
            elif isinstance(token, Op):
                self._operator(token)
            else:
                self._word(token)
        self._finish()
        if self.need_cmd:
            raise ParseError("a command is missing after an operator")
        if self.frames:
            raise ParseError(f"missing {self.frames[-1].closer!r}")
        return self.items

    # --- helpers --------------------------------------------------------------------------

    def _next(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def _peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _next_word(self, what: str) -> Word:
        token = self._peek()
        if not isinstance(token, Word):
            raise ParseError(f"missing {what}")
        self.i += 1
        return token

    def _skip_newlines(self) -> None:
        while isinstance(token := self._peek(), Op) and token.op == "\n":
            self.i += 1

    def _top(self, *closers: str) -> _Frame:
        if not self.frames or self.frames[-1].closer not in closers:
            raise ParseError(f"unexpected {closers[0]!r} keyword")
        return self.frames[-1]

    def _finish(self) -> None:
        cur, self.cur = self.cur, None
        if cur is not None and not (cur.tail and not cur.redirs):
            self.items.append(cur)

    def _start(self, start: int) -> Simple:
        if self.cur is None:
            self.cur = Simple(start, start, forked=self.piped)
            self.piped = False
        self.need_cmd = False
        self.have_cmd = True
        return self.cur

    def _close(self, frame: _Frame, end: int) -> None:
        self._finish()
        if self.need_cmd:
            raise ParseError("a command is missing before a closing keyword")
        self.frames.pop()
        if frame.closer == ")":
            self.items.append(Scope(enter=False))
        elif frame.closer == "done":
            self.items.append(Loop(enter=False))
        self.cur = Simple(end, end, tail=True)
        self.have_cmd = True

    def _emit_extra(self, words: list[Word]) -> None:
        # loop and case words are expanded: substitutions run, arithmetic is evaluated
        if any(word.subs or word.ariths or word.evals for word in words):
            self.items.append(Simple(words[0].start, words[-1].end, extra=list(words)))

    # --- tokens ---------------------------------------------------------------------------

    def _operator(self, token: Op) -> None:
        op = token.op
        if op == "\n":
            self._finish()
            self.have_cmd = self.have_cmd and self.need_cmd
        elif op in _SEPARATORS or op in _JOINERS:
            if not self.have_cmd or self.need_cmd:
                raise ParseError(f"unexpected {op!r}")
            forked = op in ("|", "|&", "&")
            if forked and self.cur is not None:
                self.cur.forked = True
            self.piped = op in ("|", "|&")
            self._finish()
            self.have_cmd = False
            self.need_cmd = op in _JOINERS
        elif op in _CASE_ENDS:
            frame = self._top("esac")
            if frame.case_state != "body" or self.need_cmd:
                raise ParseError(f"unexpected {op!r}")
            self._finish()
            frame.case_state = "pattern"
            self.have_cmd = False
        elif op == "(":
            self._open_paren(token)
        else:  # ")"
            self._close(self._top(")"), token.end)

    def _open_paren(self, token: Op) -> None:
        cur = self.cur
        after = self._peek()
        if cur is not None and isinstance(after, Op) and after.op == ")":
            if len(cur.words) != 1 or cur.assigns or cur.redirs or cur.tail:
                raise ParseError("unexpected '('")
            self.i += 1
            self.items.append(FuncDef(cur.words[0].value, cur.start, after.end))
            self.cur = None
            self.have_cmd = False
            return
        if cur is not None:
            raise ParseError("unexpected '('")
        self.frames.append(_Frame(")"))
        self.items.append(Scope(enter=True))
        self.piped = False  # the whole subshell is the pipeline element
        self.need_cmd = False
        self.have_cmd = False

    def _redirect(self, token: Redir) -> None:
        token.target = self._next_word("redirection target")
        cur = self._start(token.start)
        if cur.tail and not cur.redirs:
            cur.start = token.start
        cur.redirs.append(token)
        cur.end = token.target.end

    def _word(self, token: Word) -> None:
        if self.cur is not None and self.cur.tail:
            if token.quoted or token.value not in _AFTER_CLOSER:
                raise ParseError(f"unexpected word {token.value!r} after a compound command")
            self._finish()
        if self.cur is None and not token.quoted and token.value in _RESERVED:
            self._reserved(token)
            return
        cur = self._start(token.start)
        if not cur.words and ASSIGNMENT.match(token.raw):
            cur.assigns.append(token)
        else:
            cur.words.append(token)
        cur.end = token.end

    def _reserved(self, token: Word) -> None:
        word = token.value
        self.piped = False  # a compound command in a pipeline forks as a whole
        if word in ("{", "if"):
            self.frames.append(_Frame({"{": "}", "if": "fi"}[word]))
        elif word in ("while", "until"):
            self.frames.append(_Frame("done"))
            self.items.append(Loop(enter=True))
        elif word in ("for", "select"):
            self.frames.append(_Frame("done"))
            self.items.append(Loop(enter=True))
            self._loop_header(token)
        elif word == "case":
            self.frames.append(_Frame("esac"))
            self._case_header()
        elif word in ("then", "elif", "else"):
            self._top("fi")
        elif word == "do":
            self._top("done")
        elif word in _CLOSERS:
            self._close(self._top(word), token.end)
            return
        elif word == "function":
            self._function_keyword(token)
            return
        elif word == "[[":
            self._double_bracket(token)
            return
        elif word == "in":
            raise ParseError("unexpected 'in'")
        self.need_cmd = word == "!" and self.need_cmd
        self.have_cmd = False

    def _loop_header(self, token: Word) -> None:
        nxt = self._peek()
        if isinstance(nxt, Word) and nxt.arith:
            self.i += 1
            self._emit_extra([nxt])
        else:
            variable = self._next_word("loop variable")
            self._skip_newlines()
            nxt = self._peek()
            words: list[Word] = []
            if isinstance(nxt, Word) and not nxt.quoted and nxt.value == "in":
                self.i += 1
                while isinstance(nxt := self._peek(), Word):
                    words.append(nxt)
                    self.i += 1
                if words:
                    self._emit_extra(words)
            numeric = bool(words) and all(numeric_word(word) for word in words)
            self.items.append(LoopVar(variable.value, numeric))
        nxt = self._peek()
        if isinstance(nxt, Op) and nxt.op in (";", "\n"):
            self.i += 1

    def _case_header(self) -> None:
        subject = self._next_word("case subject")
        self._skip_newlines()
        keyword = self._next_word("'in'")
        if keyword.quoted or keyword.value != "in":
            raise ParseError("case without 'in'")
        self._emit_extra([subject])
        self.frames[-1].case_state = "pattern"

    def _case_pattern(self, token: Token, frame: _Frame) -> None:
        if isinstance(token, Op) and token.op in ("\n", "|", "("):
            return
        if isinstance(token, Op) and token.op == ")" and self.patterns:
            self._emit_extra(self.patterns)
            self.patterns = []
            frame.case_state = "body"
            self.have_cmd = False
        elif isinstance(token, Word) and not self.patterns and token.raw == "esac":
            self._close(frame, token.end)
        elif isinstance(token, Word):
            self.patterns.append(token)
        else:
            raise ParseError("unexpected token in a case pattern")

    def _function_keyword(self, token: Word) -> None:
        name = self._next_word("function name")
        end = name.end
        nxt = self._peek()
        if isinstance(nxt, Op) and nxt.op == "(":
            self.i += 1
            close = self._next()
            if not (isinstance(close, Op) and close.op == ")"):
                raise ParseError("bad function definition")
            end = close.end
        self.items.append(FuncDef(name.value, token.start, end))
        self.have_cmd = False

    def _double_bracket(self, token: Word) -> None:
        """`[[ ... ]]`: operators inside are plain words, not pipes or redirections."""
        cmd = self._start(token.start)
        cmd.words.append(token)
        while True:
            if self.i >= len(self.tokens):
                raise ParseError("missing ']]'")
            item = self._next()
            word = item if isinstance(item, Word) else Word(item.op, item.op, item.start)
            cmd.words.append(word)
            cmd.end = item.end
            if isinstance(item, Word) and not item.quoted and item.value == "]]":
                return
