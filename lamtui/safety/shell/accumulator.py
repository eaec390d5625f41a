"""What one simple command may do (Acc) and what a line carries along (Ctx).

Handlers record findings and writes on an Acc; the strictest finding becomes the segment's
risk. Text a command runs (a substitution, `bash -c`, eval) goes back to the engine through
Ctx.engine, so no handler imports the engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeAlias

from lamtui.contract.risk import RANK, Risk, Segment, stricter, strictest
from lamtui.safety.shell.expansions import arith_hides_command
from lamtui.safety.shell.parser import Simple
from lamtui.safety.shell.tables import (
    DANGEROUS_ENV,
    DANGEROUS_ENV_PREFIXES,
    DANGEROUS_ENV_SUFFIXES,
    SAFE_GIT_ENV,
)
from lamtui.safety.shell.targets import path_verdict
from lamtui.safety.shell.tokens import INERT_NAME, NAME, ParseError, Word, numeric_assignment

_Finding: TypeAlias = tuple[Risk, str]
Out: TypeAlias = tuple[Segment, tuple[_Finding, ...]]
Handler: TypeAlias = Callable[["Acc", str, list[Word]], None]


class Engine(Protocol):
    """Classifies nested text: handlers reach the engine through this, never by import."""

    def classify_text(self, text: str, ctx: Ctx) -> list[Out]: ...

    def classify_simple(self, text: str, cmd: Simple, ctx: Ctx) -> list[Out]: ...


# Variables bash sets from data, not from the command's text: the last argument ($_), what
# read, select, mapfile, getopts and [[ =~ ]] stored, the command being run. Arithmetic on
# them evaluates that data, and a subscript in it runs commands.
DATA_VARIABLES = frozenset(
    {"_", "REPLY", "MAPFILE", "BASH_REMATCH", "OPTARG", "BASH_COMMAND", "BASH_ARGV",
     "BASH_EXECUTION_STRING", "COPROC", "READLINE_LINE", "COMP_LINE", "COMP_WORDS"}
)  # fmt: skip


@dataclass
class Ctx:
    """What classification of a command line carries from one segment to the next."""

    workspace: str
    cwd: str | None
    engine: Engine
    depth: int = 0
    functions: set[str] = field(default_factory=set)
    # variables that may hold non-numbers; bash itself fills some with data
    tainted: set[str] = field(default_factory=lambda: set(DATA_VARIABLES))
    integers: set[str] = field(default_factory=set)  # declare -i: assigning them is arithmetic
    namerefs: set[str] = field(default_factory=set)  # declare -n: their value is a name

    def child(self, cwd: str | None) -> Ctx:
        return Ctx(
            self.workspace,
            cwd,
            self.engine,
            self.depth + 1,
            set(self.functions),
            set(self.tainted),
            set(self.integers),
            set(self.namerefs),
        )


def short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


class Acc:
    """Collects what one simple command may do: findings, writes and nested commands."""

    def __init__(self, ctx: Ctx, text: str):
        self.ctx = ctx
        self.text = text
        self.cwd = ctx.cwd  # where this command's relative paths resolve (env -C moves it)
        self.argv: tuple[str, ...] = ()
        self.words: list[Word] = []  # the command that really runs, wrappers stripped
        self.findings: list[_Finding] = []
        self.writes: list[str] = []
        self.nested: list[Out] = []
        self.privileged = False
        self.stdin_text: str | None = None  # literal here-document/string on stdin
        self.forked = False  # runs in a subshell of its own

    def flag(self, risk: Risk, reason: str) -> None:
        self.findings.append((risk, reason))

    def write(
        self, word: Word, verb: str, base: Risk = "workspace_write", *, quiet: bool = False
    ) -> None:
        """Record a write to word; quiet leaves out the reason when it lands in the workspace."""
        verdict = path_verdict(word, self.ctx.workspace, self.cwd)
        if verdict is None:
            return
        risk, shown, why = verdict
        self.writes.append(shown)
        if quiet and risk == "workspace_write":
            return
        self.flag(stricter(base, risk), f"{verb} {word.value}" + (f" ({why})" if why else ""))

    def assignment(self, word: Word) -> None:
        name = NAME.match(word.raw)
        if name is None:
            return
        if _dangerous_env(name.group()):
            self.flag("unknown", f"setting {name.group()} changes which programs run or how")
        target, _, value = word.value.partition("=")
        if target.endswith("+"):
            target = target[:-1]
        if "[" in target:  # `a[sub]=v`: bash expands and evaluates sub, quoted or not
            self.check_arithmetic([target[target.index("[") :]])
        if name.group() in self.ctx.integers:  # declare -i x; x=VALUE evaluates VALUE
            self.check_arithmetic([value])
        if name.group() in self.ctx.namerefs and not INERT_NAME.fullmatch(value):
            self.flag("unknown", f"{name.group()} is a reference (declare -n): its value "
                                 f"{short(value, 40)!r} is a name whose subscript bash "
                                 "evaluates")  # fmt: skip
        set_taint(self.ctx, name.group(), numeric_assignment(word))

    def check_arithmetic(self, texts: Iterable[str], *, commands: bool = True) -> None:
        """Bash evaluates variables in arithmetic, running any $(...) hidden in their values,
        and expands subscripts again, running any $(...) written in them even quoted."""
        for text in texts:
            if commands and arith_hides_command(text):
                self.flag("unknown", f"bash evaluates {short(text, 40)!r} as arithmetic, and "
                                     "runs the command substitution in it again")  # fmt: skip
            hit = sorted(_referenced_names(text) & self.ctx.tainted)
            if hit:
                self.flag("unknown", f"bash evaluates ${hit[0]} as arithmetic, and a value set "
                                     "in this command can hide a command there")  # fmt: skip

    def nest_text(self, text: str, label: str, *, arguments: bool = False) -> Risk:
        """Classify text run by this command (a substitution, `bash -c`, eval ...)."""
        child = self.ctx.child(self.cwd)
        if arguments:  # `sh -c TEXT arg...`: $1... hold whatever was passed
            child.tainted.update(POSITIONAL)
        try:
            outs = self.ctx.engine.classify_text(text, child)
        except ParseError as exc:
            outs = [unknown_out(text, f"{label} cannot be parsed: {exc}")]
        self.nested.extend(outs)
        risk = strictest(out[0].risk for out in outs)
        self.flag(risk, f"runs {label}: {short(text)}")
        return risk

    def nest_argv(self, words: list[Word], label: str, cwd: str | None) -> None:
        """Classify a command line built from words (xargs, find -exec)."""
        words = [replace(word, subs=()) for word in words]
        text = " ".join(word.raw for word in words)
        cmd = Simple(0, len(text), words=words)
        outs = self.ctx.engine.classify_simple(text, cmd, self.ctx.child(cwd))
        self.nested.extend(outs)
        self.flag(outs[0][0].risk, f"{label} runs: {short(text)}")

    def finish(self) -> list[Out]:
        if not self.findings:
            self.flag("read_only", "only sets shell variables or file descriptors")
        ordered = tuple(sorted(self.findings, key=lambda finding: -RANK[finding[0]]))
        segment = Segment(
            text=self.text,
            argv=self.argv,
            risk=ordered[0][0],
            reasons=dedupe(reason for _, reason in ordered),
            writes=dedupe(self.writes),
            privileged=self.privileged,
        )
        return [(segment, ordered), *self.nested]


def _dangerous_env(name: str) -> bool:
    if name in SAFE_GIT_ENV:
        return False
    return (
        name in DANGEROUS_ENV
        or name.startswith(DANGEROUS_ENV_PREFIXES)
        or name.upper().endswith(DANGEROUS_ENV_SUFFIXES)
    )


POSITIONAL = frozenset({*"0123456789", "@", "*"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_POSITIONAL_REF = re.compile(r"\$\{?([0-9@*])")


def _referenced_names(text: str) -> set[str]:
    return set(_IDENTIFIER.findall(text)) | set(_POSITIONAL_REF.findall(text))


def set_taint(ctx: Ctx, name: str, numeric: bool) -> None:
    if numeric:
        ctx.tainted.discard(name)
    else:
        ctx.tainted.add(name)


def unknown_out(text: str, reason: str) -> Out:
    segment = Segment(text, (), "unknown", (reason,), ())
    return segment, (("unknown", reason),)
