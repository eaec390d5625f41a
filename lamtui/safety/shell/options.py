"""Reading a command's arguments: option clusters, option values and operands."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from lamtui.safety.shell.tokens import Word


def is_cluster(value: str) -> bool:
    """A short-option cluster such as -rf."""
    return len(value) > 1 and value[0] == "-" and value[1] != "-"


def long_matches(given: str, option: str) -> bool:
    """GNU getopt accepts any unambiguous prefix of a long option."""
    return given == option or (len(given) >= 3 and option.startswith(given))


def option_values(args: list[Word], option: str) -> list[Word]:
    """Values given to option (-o or --output) anywhere before `--`."""
    found: list[Word] = []
    for i, word in enumerate(args):
        value = word.value
        if value == "--":
            break
        nxt = args[i + 1] if i + 1 < len(args) else None
        if option.startswith("--") and value.startswith("--"):
            name, eq, rest = value.partition("=")
            if long_matches(name, option):
                attached = replace(word, value=rest, tilde=rest.startswith("~"))
                found.extend([attached] if eq else [nxt] if nxt else [])
        elif not option.startswith("--") and is_cluster(value) and option[1] in value[1:]:
            rest = value[value.index(option[1], 1) + 1 :]
            attached = replace(word, value=rest, tilde=rest.startswith("~"))
            found.extend([attached] if rest else [nxt] if nxt else [])
    return found


def flags_in(args: list[Word]) -> set[str]:
    """Short flags (as -x) and long option names present before `--`."""
    found: set[str] = set()
    for word in args:
        value = word.value
        if value == "--":
            break
        if value.startswith("--"):
            found.add(value.partition("=")[0])
        elif is_cluster(value):
            found.update(f"-{letter}" for letter in value[1:])
    return found


def given(args: list[Word], *options: str) -> bool:
    """Is any of options given before `--`? A short one may sit in a cluster (-xv); a long one
    may be abbreviated to any prefix GNU getopt or git's parse-options would accept (--ext for
    --ext-diff), with or without =VALUE. Use it for options that make a command riskier:
    `option in flags_in(args)` misses `--to-com=CMD`."""
    shorts = {option[1] for option in options if len(option) == 2 and option[0] == "-"}
    longs = [option for option in options if option.startswith("--")]
    for word in args:
        value = word.value
        if value == "--":
            return False
        if value.startswith("--"):
            name = value.partition("=")[0]
            if any(long_matches(name, option) for option in longs):
                return True
        elif is_cluster(value) and shorts & set(value[1:]):
            return True
    return False


def operands_in(
    args: list[Word], value_letters: str = "", value_longs: Iterable[str] = ()
) -> list[Word]:
    """Non-option arguments, skipping the values of options that take one."""
    longs = frozenset(value_longs)
    found: list[Word] = []
    i = 0
    only_operands = False
    while i < len(args):
        word, value = args[i], args[i].value
        i += 1
        if only_operands or not value.startswith("-") or value == "-":
            found.append(word)
        elif value == "--":
            only_operands = True
        elif value.startswith("--"):
            i += 1 if "=" not in value and value in longs else 0
        else:
            for j, letter in enumerate(value[1:], 1):
                if letter in value_letters:
                    i += 1 if j == len(value) - 1 else 0
                    break
    return found


def skip_options(args: list[Word], value_letters: str = "", value_longs: Iterable[str] = ()) -> int:
    """Index of the first operand (the wrapped command), skipping options and their values."""
    longs = frozenset(value_longs)
    i = 0
    while i < len(args):
        value = args[i].value
        if value == "--":
            return i + 1
        if not value.startswith("-") or value == "-" or args[i].expands:
            return i
        i += 1
        if value.startswith("--"):
            i += 1 if "=" not in value and value in longs else 0
            continue
        for j, letter in enumerate(value[1:], 1):
            if letter in value_letters:
                i += 1 if j == len(value) - 1 else 0
                break
    return i


def only_version_flags(args: list[Word]) -> bool:
    return bool(args) and all(
        word.value in ("--version", "-V", "--help", "-h", "-version", "version", "help")
        for word in args
    )


def first_operand(rest: list[Word], default: str = "") -> str:
    operands = operands_in(rest)
    return operands[0].value if operands else default
