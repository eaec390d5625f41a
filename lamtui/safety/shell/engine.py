"""Classify a whole command line: dispatch and the strictest-wins verdict.

Each simple command's redirections, substitutions and wrappers are followed down to the
command that really runs, which its family's handler classifies. A line is as risky as the
strictest thing any part of it may do; what cannot be parsed is "unknown"."""

from __future__ import annotations

import os
import re
from pathlib import Path

from lamtui.contract.risk import RANK, CommandRisk, strictest
from lamtui.safety.shell.accumulator import Acc, Ctx, Handler, Out, dedupe, set_taint, unknown_out
from lamtui.safety.shell.expansions import SCAN_BUDGET
from lamtui.safety.shell.handlers.archives import HANDLERS as ARCHIVES_HANDLERS
from lamtui.safety.shell.handlers.builtins import HANDLERS as BUILTINS_HANDLERS
from lamtui.safety.shell.handlers.builtins import NAME_TAKING, variable_operands
from lamtui.safety.shell.handlers.exec import HANDLERS as EXEC_HANDLERS
from lamtui.safety.shell.handlers.exec import runs_code_command
from lamtui.safety.shell.handlers.files import HANDLERS as FILES_HANDLERS
from lamtui.safety.shell.handlers.git import HANDLERS as GIT_HANDLERS
from lamtui.safety.shell.handlers.network import HANDLERS as NETWORK_HANDLERS
from lamtui.safety.shell.handlers.packages import HANDLERS as PACKAGES_HANDLERS
from lamtui.safety.shell.handlers.packages import tool_command
from lamtui.safety.shell.handlers.readonly import read_only_command
from lamtui.safety.shell.handlers.system import HANDLERS as SYSTEM_HANDLERS
from lamtui.safety.shell.handlers.text import HANDLERS as TEXT_HANDLERS
from lamtui.safety.shell.handlers.wrappers import WRAPPERS
from lamtui.safety.shell.lexer import DUP_TARGET, Lexer
from lamtui.safety.shell.parser import FuncDef, Item, Loop, LoopVar, Parser, Scope, Simple
from lamtui.safety.shell.sensitive import secret_reads
from lamtui.safety.shell.tables import (
    ALWAYS_DESTRUCTIVE,
    NETWORK,
    PRIVILEGED,
    READ_ONLY,
    RUNS_CODE,
    SYSTEM_BIN_DIRS,
)
from lamtui.safety.shell.tokens import (
    MAX_NESTING,
    NAME,
    ParseError,
    Redir,
    Word,
    numeric_assignment,
)
from lamtui.safety.shell.tool_tables import TOOL_ALIASES, TOOLS


def _stdin_text(redirs: list[Redir]) -> str | None:
    """The literal text a command reads on stdin, when a here-document/string gives it."""
    text: str | None = None
    for redir in redirs:
        if redir.fd not in ("", "0") or redir.target is None:
            continue
        if redir.op in ("<<", "<<-"):
            text = redir.body if redir.body_literal else None
        elif redir.op == "<<<":
            text = None if redir.target.expands else redir.target.value + "\n"
        elif redir.op in ("<", "<>", "<&"):
            text = None
    return text


def _classify_simple(text: str, cmd: Simple, ctx: Ctx) -> list[Out]:
    acc = Acc(ctx, text)
    acc.forked = cmd.forked
    for word in cmd.assigns:
        acc.assignment(word)
    targets = [redir.target for redir in cmd.redirs if redir.target is not None]
    for word in [*cmd.assigns, *cmd.words, *cmd.extra, *targets]:
        for sub in word.subs:
            acc.nest_text(sub, "a command substitution")
        acc.check_arithmetic(word.ariths)
        for reason in word.evals:
            acc.flag("unknown", reason)
    for redir in cmd.redirs:
        for sub in redir.body_subs:
            acc.nest_text(sub, "a substitution in a here-document")
        acc.check_arithmetic(redir.body_ariths)
        for reason in redir.body_evals:
            acc.flag("unknown", reason)
    acc.stdin_text = _stdin_text(cmd.redirs)
    _redirections(acc, cmd.redirs)  # bash opens them before the command runs (and before cd)
    _run(acc, _unwrap(acc, cmd.words))
    secret_reads(acc, cmd)
    return acc.finish()


def _redirections(acc: Acc, redirs: list[Redir]) -> None:
    for redir in redirs:
        target = redir.target
        if target is None or redir.op in ("<<", "<<-", "<<<"):
            continue
        if os.path.normpath(target.value).startswith(("/dev/tcp/", "/dev/udp/")):
            acc.flag("network", f"redirection to {target.value} opens a network connection")
            continue
        if redir.op in ("<", "<&"):
            continue
        if redir.op == ">&" and DUP_TARGET.fullmatch(target.value):
            continue  # duplicates or closes a descriptor
        if redir.op in (">>", "&>>"):
            verb = "appends to"
        elif redir.op == "<>":
            verb = "opens for writing"
        else:
            verb = "truncates"
        acc.write(target, f"redirection {redir.fd}{redir.op} {verb}")


def _command_name(word: Word) -> tuple[str | None, str]:
    """The command a word names, or (None, why not)."""
    if word.expands:
        return None, f"the command name {word.value!r} comes from an expansion"
    if word.glob and word.value not in ("[", "[["):
        return None, f"the command name {word.value!r} is a pattern the shell may expand"
    if word.tilde or not word.value:
        return None, f"{word.value!r} is not a command the classifier can identify"
    value = word.value
    if "/" in value:
        directory, base = os.path.split(value)
        if base and os.path.normpath(directory) in SYSTEM_BIN_DIRS:
            value = base
        else:
            return None, f"runs the program {value} by path, which may do anything"
    if re.fullmatch(r"python[0-9.]*", value):
        return "python", ""
    if re.fullmatch(r"pip[0-9.]*", value):
        return "pip", ""
    if value.startswith("mkfs."):
        return "mkfs", ""
    return value, ""


def _unwrap(acc: Acc, words: list[Word]) -> list[Word]:
    """Strip wrappers (sudo, env, nice, timeout ...) down to the command that really runs."""
    while words:
        name, _ = _command_name(words[0])
        strip = WRAPPERS.get(name or "")
        if strip is None or name in acc.ctx.functions:
            return words
        before = len(acc.findings)
        words = strip(acc, words[1:])
        if not words and len(acc.findings) == before:
            acc.flag("read_only", f"{name} without a command runs nothing")
    return words


def _run(acc: Acc, argv: list[Word]) -> None:
    acc.argv = tuple(word.value for word in argv)
    acc.words = argv
    if not argv:
        return
    if argv[0].arith:
        acc.flag("read_only", "arithmetic evaluation")
        return
    name, problem = _command_name(argv[0])
    if name is None:
        acc.flag("unknown", problem)
    elif name in acc.ctx.functions:
        acc.flag("unknown", f"calls the shell function {name} defined in this command")
    else:
        _dispatch(acc, name, argv[1:])


# Every family's handlers by command name; no name is in two families.
_HANDLERS: dict[str, Handler] = {
    **BUILTINS_HANDLERS,
    **EXEC_HANDLERS,
    **SYSTEM_HANDLERS,
    **TEXT_HANDLERS,
    **FILES_HANDLERS,
    **ARCHIVES_HANDLERS,
    **GIT_HANDLERS,
    **NETWORK_HANDLERS,
    **PACKAGES_HANDLERS,
}


def _dispatch(acc: Acc, name: str, args: list[Word]) -> None:
    if name in NAME_TAKING:
        variable_operands(acc, name, args)
    handler = _HANDLERS.get(TOOL_ALIASES.get(name, name))
    if handler is not None:
        handler(acc, name, args)
    elif name in READ_ONLY:
        read_only_command(acc, name, args)
    elif TOOL_ALIASES.get(name, name) in TOOLS:
        tool_command(acc, name, args)
    elif name in RUNS_CODE:
        runs_code_command(acc, name, args)
    elif name in ALWAYS_DESTRUCTIVE:
        acc.flag("destructive", ALWAYS_DESTRUCTIVE[name])
    elif name in NETWORK:
        acc.flag("network", f"{name} talks to other machines over the network")
    elif name in PRIVILEGED:
        acc.flag("privileged", f"{name} changes the system (it needs root)")
    else:
        acc.flag("unknown", f"{name} is not a command the classifier knows")


def _classify_text(text: str, ctx: Ctx) -> list[Out]:
    if ctx.depth > MAX_NESTING:
        return [unknown_out(text, "commands are nested too deeply to follow")]
    items = Parser(Lexer(text, depth=ctx.depth).run()).parse()
    outs: list[Out] = []
    saved: list[str | None] = []
    for index, item in enumerate(items):
        if isinstance(item, Loop):
            if item.enter:
                _enter_loop(ctx, items[index + 1 :])
        elif isinstance(item, Scope):
            if item.enter:
                saved.append(ctx.cwd)
            elif saved:
                ctx.cwd = saved.pop()
        elif isinstance(item, LoopVar):
            set_taint(ctx, item.name, item.numeric)
        elif isinstance(item, FuncDef):
            ctx.functions.add(item.name)
            reason = f"defines the shell function {item.name}, which may shadow a command"
            outs.append(unknown_out(text[item.start : item.end], reason))
        else:
            outs.extend(_classify_simple(text[item.start : item.end], item, ctx))
    return outs


_CHANGES_DIRECTORY = frozenset({"cd", "pushd", "popd"})


def _enter_loop(ctx: Ctx, rest: list[Item]) -> None:
    """A loop runs its body again: what it changes applies from its first line on."""
    depth = 0
    for item in rest:
        if isinstance(item, Loop):
            depth += 1 if item.enter else -1
            if depth < 0:
                return
        elif isinstance(item, LoopVar) and not item.numeric:
            ctx.tainted.add(item.name)
        elif isinstance(item, Simple):
            if any(word.value in _CHANGES_DIRECTORY for word in item.words):
                ctx.cwd = None
            ctx.tainted.update(_assigned_names(item))


def _assigned_names(cmd: Simple) -> set[str]:
    """Variables a simple command may set to something that is not a number."""
    names = {
        match.group()
        for word in cmd.assigns
        if not numeric_assignment(word) and (match := NAME.match(word.raw))
    }
    if cmd.words and cmd.words[0].value in NAME_TAKING:
        names.update(match.group() for word in cmd.words[1:] if (match := NAME.match(word.value)))
    return names


def _summarise(command: str, outs: list[Out]) -> CommandRisk:
    segments = tuple(out[0] for out in outs)
    risk = strictest(segment.risk for segment in segments)
    findings = sorted(
        (finding for out in outs for finding in out[1]), key=lambda finding: -RANK[finding[0]]
    )
    reasons = dedupe(
        reason for level, reason in findings if level != "read_only" or risk == "read_only"
    )
    writes = dedupe(path for segment in segments for path in segment.writes)
    return CommandRisk(command, risk, segments, reasons or ("nothing to run",), writes)


class _Engine:
    """The Engine that Acc.nest_text and Acc.nest_argv call back into."""

    def classify_text(self, text: str, ctx: Ctx) -> list[Out]:
        return _classify_text(text, ctx)

    def classify_simple(self, text: str, cmd: Simple, ctx: Ctx) -> list[Out]:
        return _classify_simple(text, cmd, ctx)


_ENGINE = _Engine()


# Longer commands are not followed: they ask. The classifier is linear in what it scans,
# but a few hundred kilobytes of words still cost seconds.
MAX_COMMAND_CHARS = 100_000
# Characters the lexer may scan ahead for `((` per command (see expansions.SCAN_BUDGET).
_SCAN_BUDGET = 2_000_000


def classify_command(command: str, workspace: Path, cwd: Path | None = None) -> CommandRisk:
    """Classify a bash command line by the strictest thing any part of it may do."""
    if len(command) > MAX_COMMAND_CHARS:
        reason = f"the command is too long to check ({len(command)} characters)"
        return _summarise(command, [unknown_out(command[:200], reason)])
    if "\x00" in command:
        reason = "the command holds a NUL byte, where bash would cut it"
        return _summarise(command, [unknown_out(command, reason)])
    token = SCAN_BUDGET.set([_SCAN_BUDGET])
    try:
        root = os.path.realpath(workspace)
        ctx = Ctx(root, os.path.realpath(cwd) if cwd is not None else root, _ENGINE)
        return _summarise(command, _classify_text(command, ctx))
    except ParseError as exc:
        return _summarise(command, [unknown_out(command, f"cannot be parsed: {exc}")])
    except Exception as exc:  # fail closed: a classifier bug must never crash or open the gate
        reason = f"the classifier failed on this command ({type(exc).__name__}: {exc})"
        return _summarise(command, [unknown_out(command, reason)])
    finally:
        SCAN_BUDGET.reset(token)
