"""Wrappers: commands that run another command (sudo, env, nice, timeout ...).

Each strips its own options and returns the words of the command it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from lamtui.safety.shell.accumulator import Acc
from lamtui.safety.shell.lexer import Lexer
from lamtui.safety.shell.options import (
    flags_in,
    given,
    is_cluster,
    long_matches,
    option_values,
    skip_options,
)
from lamtui.safety.shell.targets import lit, resolve_dir
from lamtui.safety.shell.tokens import ASSIGNMENT, Op, ParseError, Word


def _take_assignments(acc: Acc, words: list[Word]) -> list[Word]:
    """Drop leading NAME=value words (as sudo and env accept), checking the names."""
    while words and ASSIGNMENT.match(words[0].raw):
        acc.assignment(words[0])
        words = words[1:]
    return words


def _w_sudo(acc: Acc, args: list[Word]) -> list[Word]:
    acc.privileged = True
    acc.flag("privileged", "sudo runs the command as root (or another user)")
    longs = ("--user", "--group", "--host", "--prompt", "--close-from", "--chdir", "--role",
             "--type", "--other-user", "--command-timeout", "--chroot")  # fmt: skip
    rest = args[skip_options(args, "ughpCDrtUTR", longs) :]
    if not rest:
        acc.flag("privileged", "sudo without a command opens a root shell or edits as root")
    return _take_assignments(acc, rest)


def _w_doas(acc: Acc, args: list[Word]) -> list[Word]:
    acc.privileged = True
    acc.flag("privileged", "doas runs the command as root (or another user)")
    return args[skip_options(args, "uC") :]


def _w_pkexec(acc: Acc, args: list[Word]) -> list[Word]:
    acc.privileged = True
    acc.flag("privileged", "pkexec runs the command as root")
    return args[skip_options(args, "", ("--user",)) :]


def _w_command(acc: Acc, args: list[Word]) -> list[Word]:
    i = skip_options(args)
    if {"-v", "-V"} & flags_in(args[:i]):
        acc.flag("read_only", "command -v only looks a name up")
        return []
    return args[i:]


def _w_exec(acc: Acc, args: list[Word]) -> list[Word]:
    rest = args[skip_options(args, "a") :]
    if not rest:
        acc.flag("read_only", "exec without a command only changes file descriptors")
    return rest


def _w_env(acc: Acc, args: list[Word]) -> list[Word]:
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        if value == "--":
            i += 1
            break
        # env takes any unambiguous prefix of a long option (--chd is --chdir)
        long = value.partition("=")[0] if value.startswith("--") else ""
        if value.startswith("-C") or (long and long_matches(long, "--chdir")):
            separate = value == "-C" or (long and "=" not in value)
            target = args[i + 1] if separate and i + 1 < len(args) else None
            if target is None:
                attached = value.partition("=")[2] if long else value[2:]
                target = replace(word, value=attached)
            acc.cwd = resolve_dir(target, acc.cwd)
            i += 2 if separate else 1
        elif value.startswith("-S") or (long and long_matches(long, "--split-string")):
            return _env_split_string(acc, args, i)
        elif value == "-u" or (long and long_matches(long, "--unset") and "=" not in value):
            i += 2
        elif is_cluster(value) and set(value[1:]) & {"C", "S", "u"}:
            acc.flag("unknown", f"env {value}: an option cluster the classifier does not follow")
            return []
        elif value.startswith("-") and value != "-" and not word.expands:
            i += 1  # -i, -0, -v, -uNAME, --unset=NAME, --ignore-environment ...
        elif value == "-":
            i += 1
        else:
            break
    rest = _take_assignments(acc, args[i:])
    if not rest:  # a dump; `env VAR=x cmd` is a wrapper and runs cmd
        acc.flag("sensitive_read", "env without a command prints the environment (tokens, keys)")
    return rest


def _env_split_string(acc: Acc, args: list[Word], i: int) -> list[Word]:
    """env -S 'A=1 cmd args': the string is split into words that replace it."""
    word, value = args[i], args[i].value
    if value == "-S" or (value.startswith("--") and "=" not in value):
        payload, after = (args[i + 1] if i + 1 < len(args) else lit("")), i + 2
    else:
        text = value.partition("=")[2] if value.startswith("--") else value[2:]
        payload, after = replace(word, value=text), i + 1
    try:
        tokens = Lexer(payload.value, depth=acc.ctx.depth + 1).run()
    except ParseError:
        tokens = [Op(";", 0, 0)]
    if payload.expands or not all(isinstance(token, Word) for token in tokens):
        acc.flag("unknown", "env -S splits a string the classifier cannot follow")
        return []
    words = [token for token in tokens if isinstance(token, Word)]
    return _w_env(acc, words + args[after:])


def _w_nice(acc: Acc, args: list[Word]) -> list[Word]:
    return args[skip_options(args, "n", ("--adjustment",)) :]


def _w_plain(acc: Acc, args: list[Word]) -> list[Word]:
    return args[1:] if args and args[0].value == "--" else args


def _w_time(acc: Acc, args: list[Word]) -> list[Word]:
    i = skip_options(args, "fo", ("--format", "--output"))
    for target in option_values(args[:i], "-o") + option_values(args[:i], "--output"):
        acc.write(target, "time -o writes")
    return args[i:]


def _w_timeout(acc: Acc, args: list[Word]) -> list[Word]:
    i = skip_options(args, "sk", ("--signal", "--kill-after"))
    return args[i + 1 :]  # the duration comes first


def _w_stdbuf(acc: Acc, args: list[Word]) -> list[Word]:
    return args[skip_options(args, "ioe", ("--input", "--output", "--error")) :]


def _w_ionice(acc: Acc, args: list[Word]) -> list[Word]:
    i = skip_options(args, "cnpPu", ("--class", "--classdata", "--pid", "--pgid", "--uid"))
    if given(args[:i], "-p", "-P", "-u", "--pid", "--pgid", "--uid"):
        acc.flag("unknown", "ionice changes the I/O priority of running processes")
    return args[i:]


# Wrapper -> function returning the wrapped command's words.
WRAPPERS: dict[str, Callable[[Acc, list[Word]], list[Word]]] = {
    "sudo": _w_sudo,
    "doas": _w_doas,
    "pkexec": _w_pkexec,
    "command": _w_command,
    "builtin": _w_plain,
    "exec": _w_exec,
    "nice": _w_nice,
    "nohup": _w_plain,
    "time": _w_time,
    "timeout": _w_timeout,
    "env": _w_env,
    "stdbuf": _w_stdbuf,
    "ionice": _w_ionice,
    "busybox": _w_plain,
}
