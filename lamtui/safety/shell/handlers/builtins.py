"""Shell builtins that change the shell's own state: cd, declare, test, let, set ...

Builtins that take variable names are here too: bash evaluates an array subscript in a name,
so `read 'a[$(cmd)]'` runs cmd however it is quoted."""

from __future__ import annotations

import itertools

from lamtui.safety.shell.accumulator import POSITIONAL, Acc, Handler, set_taint, short
from lamtui.safety.shell.handlers.readonly import read_only_command
from lamtui.safety.shell.options import flags_in, is_cluster, operands_in, option_values
from lamtui.safety.shell.targets import resolve_dir
from lamtui.safety.shell.tokens import (
    ARRAY_ASSIGN,
    ASSIGNMENT,
    INERT_NAME,
    NAME,
    Word,
    numeric_assignment,
)


def _h_cd(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("read_only", f"{name} changes the working directory")
    if acc.forked:
        return  # in a pipeline or background job it changes only its own subshell
    targets = [word for word in args if not is_cluster(word.value) and word.value != "--"]
    if name == "pushd" and targets and targets[0].value[:1] in "+-":
        acc.ctx.cwd = None  # rotates the directory stack
    else:
        acc.ctx.cwd = resolve_dir(targets[0] if targets else None, acc.cwd)


def _h_popd(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("read_only", "popd changes the working directory")
    if not acc.forked:
        acc.ctx.cwd = None


def _h_alias(acc: Acc, name: str, args: list[Word]) -> None:
    defined = [word.value.partition("=")[0] for word in args if "=" in word.value]
    if defined:
        acc.flag("unknown", f"alias makes {', '.join(defined)} run something else")
    else:
        acc.flag("read_only", "alias only lists aliases")


def _h_declare(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("read_only", f"{name} sets shell variables")
    flags = flags_in(args)
    if "-p" in flags or not (operands_in(args) or {"-f", "-F"} & flags):
        acc.flag("sensitive_read", f"{name} without names prints variables and their values")
    if name == "export" and "-f" in flags_in(args):
        acc.flag("unknown", "export -f passes shell functions to child programs")
    for word in args:
        if ASSIGNMENT.match(word.raw) or NAME.fullmatch(word.value):
            acc.assignment(word)


# Builtins that take variable names; bash evaluates array subscripts in them.
NAME_TAKING = frozenset(
    {"read", "mapfile", "readarray", "unset", "getopts", "printf", "declare", "typeset",
     "local", "export", "readonly", "wait"}
)  # fmt: skip
_DECLARES = frozenset({"declare", "typeset", "local", "export", "readonly"})


def _name_operands(name: str, args: list[Word]) -> list[Word]:
    """The operands of a builtin that bash reads as variable names (maybe NAME=VALUE)."""
    if name == "read":
        return operands_in(args, "adinNptu") + option_values(args, "-a")
    if name in ("mapfile", "readarray"):
        return operands_in(args, "dnOsuCc")[-1:]
    if name == "getopts":
        return operands_in(args)[1:2]
    if name == "printf":
        return option_values(args, "-v")
    if name == "wait":
        return option_values(args, "-p")
    return operands_in(args)


def variable_operands(acc: Acc, name: str, args: list[Word]) -> None:
    """Taint the variables a builtin sets. Bash expands and evaluates an array subscript in a
    name operand even when it is quoted (`read 'a[$(cmd)]'` runs cmd), so a name is trusted
    only when it is inert: a plain identifier, or one with a number or identifier subscript."""
    declares = name in _DECLARES
    flags = flags_in(args) if declares else set()
    for word in _name_operands(name, args):
        target, eq, value = word.value.partition("=") if declares else (word.value, "", "")
        target = target[:-1] if eq and target.endswith("+") else target
        if word.expands and not ASSIGNMENT.match(word.raw):
            acc.flag("unknown", f"{name} takes a variable name from an expansion, and bash "
                                "runs commands hidden in array subscripts")  # fmt: skip
        elif not (name == "local" and target == "-"):
            check_name(acc, name, target)
        variable = NAME.match(target)
        if variable and not declares and name != "unset":
            _data_into(acc, name, variable.group())
        if "-i" in flags and NAME.fullmatch(target):
            acc.ctx.integers.add(target)
        if "-n" in flags and NAME.fullmatch(target):
            acc.ctx.namerefs.add(target)
        if eq:
            if target in acc.ctx.integers:  # declared -i earlier: the value is arithmetic
                acc.check_arithmetic([value])
            _declared_value(acc, name, word, value, flags)
        if (variable := NAME.match(target)) and name != "unset":
            numeric = bool(eq) and numeric_assignment(word)
            set_taint(acc.ctx, variable.group(), numeric)


def check_name(acc: Acc, name: str, target: str) -> None:
    """A name bash looks up (`read a[i]`, `test -v a[i]`, `declare -n r=a[i]`) is safe only
    when it is inert, and when no variable in its subscript may hold data: bash evaluates
    `a[i]` as arithmetic, and the value of i in turn."""
    if not INERT_NAME.fullmatch(target):
        acc.flag("unknown", f"{name} evaluates the variable name {short(target, 40)!r}, "
                            "and bash runs commands hidden in array subscripts")  # fmt: skip
    elif "[" in target:
        acc.check_arithmetic([target[target.index("[") + 1 : -1]])


def _data_into(acc: Acc, name: str, variable: str) -> None:
    """read, mapfile, printf -v, getopts store data: into an integer variable bash evaluates it
    as arithmetic, and into a reference (declare -n) it becomes the name referred to."""
    if variable in acc.ctx.integers:
        acc.flag("unknown", f"{name} stores data in the integer variable {variable}, which "
                            "bash evaluates as arithmetic")  # fmt: skip
    if variable in acc.ctx.namerefs:
        acc.flag("unknown", f"{name} stores data in the reference {variable} (declare -n)")


def _declared_value(acc: Acc, name: str, word: Word, value: str, flags: set[str]) -> None:
    """`declare [-n|-i|-a] NAME=VALUE`: values bash reads again as names, arithmetic or arrays."""
    if "-n" in flags and not INERT_NAME.fullmatch(value):
        acc.flag("unknown", f"{name} -n makes a reference to {short(value, 40)!r}, and bash "
                            "runs commands hidden in its subscript")  # fmt: skip
    elif "-n" in flags and "[" in value:
        acc.check_arithmetic([value[value.index("[") + 1 : -1]])
    if "-i" in flags:
        acc.check_arithmetic([value])
    head = ARRAY_ASSIGN.match(word.raw)  # `a=(...)` written unquoted: the lexer followed it
    literal_array = head is not None and word.raw.startswith("(", head.end())
    if value.startswith("(") and not literal_array and set(value) & {"$", "`"}:
        acc.flag("unknown", f"{name} parses the quoted value as an array assignment, running "
                            "any substitution in it")  # fmt: skip


def _h_printenv(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("sensitive_read", "printenv prints the environment, where tokens and keys live")


def _h_set(acc: Acc, name: str, args: list[Word]) -> None:
    if args:
        acc.flag("read_only", "set only changes shell options or positional parameters")
        if operands_in(args, "o") or "--" in (word.value for word in args):
            acc.ctx.tainted.update(POSITIONAL)  # $1 ... now hold these words
    else:
        acc.flag("sensitive_read", "set without arguments prints every variable and its value")


def _h_let(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("read_only", "let only does arithmetic")
    acc.check_arithmetic(word.value for word in args)


_ARITH_TESTS = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge"})


def _h_double_bracket(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("read_only", "[[ only tests")
    _variable_tests(acc, name, args)
    if _ARITH_TESTS & {word.value for word in args}:
        acc.check_arithmetic((word.raw for word in args), commands=False)
        for i, word in enumerate(args):  # the operands of -eq ... are evaluated as arithmetic
            if word.value in _ARITH_TESTS:
                acc.check_arithmetic(w.value for w in args[max(i - 1, 0) : i + 2] if w is not word)


def _h_test(acc: Acc, name: str, args: list[Word]) -> None:
    read_only_command(acc, name, args)
    _variable_tests(acc, name, args)


def _variable_tests(acc: Acc, name: str, args: list[Word]) -> None:
    """`-v NAME` and `-R NAME` evaluate NAME's subscript, running commands hidden in it."""
    for test, operand in itertools.pairwise(args):
        if test.value in ("-v", "-R"):
            check_name(acc, f"{name} {test.value}", operand.value)


def _h_compgen(acc: Acc, name: str, args: list[Word]) -> None:
    read_only_command(acc, name, args)
    for words in option_values(args, "-W"):  # the word list is expanded again, like eval
        if set(words.value) & {"$", "`"}:
            acc.flag("unknown", "compgen -W expands its word list, running any substitution in it")
    actions = {w.value for w in option_values(args, "-A")}
    if {"-v", "-e"} & flags_in(args) or {"variable", "export"} & actions:
        acc.flag("sensitive_read", "compgen lists the names of shell and environment variables")


def _h_hash(acc: Acc, name: str, args: list[Word]) -> None:
    if "-p" in flags_in(args):
        acc.flag("unknown", "hash -p changes which program a name runs")
    else:
        acc.flag("read_only", "hash only remembers where commands are")


def _h_history(acc: Acc, name: str, args: list[Word]) -> None:
    if all(word.value.isdigit() for word in args):
        acc.flag("read_only", "history lists past commands")
    else:
        acc.flag("unknown", "history options can rewrite the history file")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "cd": _h_cd,
    "pushd": _h_cd,
    "popd": _h_popd,
    "alias": _h_alias,
    "export": _h_declare,
    "declare": _h_declare,
    "typeset": _h_declare,
    "local": _h_declare,
    "readonly": _h_declare,
    "let": _h_let,
    "[[": _h_double_bracket,
    "hash": _h_hash,
    "test": _h_test,
    "[": _h_test,
    "compgen": _h_compgen,
    "printenv": _h_printenv,
    "set": _h_set,
    "history": _h_history,
}
