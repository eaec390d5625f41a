"""Commands that run code: shells, eval, source, trap, su, interpreters, xargs, find.

Text they run that is shown (`bash -c TEXT`, `eval`, `xargs CMD`, `find -exec CMD`) is
classified in turn; code that is not shown (a script, a build file) is unknown."""

from __future__ import annotations

from dataclasses import replace

from lamtui.safety.shell.accumulator import Acc, Handler, short
from lamtui.safety.shell.handlers.packages import tool_command
from lamtui.safety.shell.options import (
    flags_in,
    is_cluster,
    long_matches,
    only_version_flags,
    operands_in,
    option_values,
    skip_options,
)
from lamtui.safety.shell.tables import RUNS_CODE, SHELLS
from lamtui.safety.shell.targets import UNKNOWN_INPUT, child_path, lit, resolve_dir
from lamtui.safety.shell.tokens import Word


def _h_shell(acc: Acc, name: str, args: list[Word]) -> None:
    has_c = reads_stdin = False
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        if value == "--":
            i += 1
            break
        if value in ("--rcfile", "--init-file"):
            acc.flag("unknown", f"{name} {value} runs a startup file")
            i += 2
        elif value.startswith("--"):
            if value in ("--login", "--interactive"):
                acc.flag("unknown", f"{name} {value} runs the user's startup files")
            i += 1
        elif len(value) > 1 and value[0] in "-+" and not word.expands:
            if value[0] == "-" and set(value[1:]) & {"i", "l"}:
                acc.flag("unknown", f"{name} {value} runs the user's startup files")
            has_c = has_c or (value[0] == "-" and "c" in value)
            reads_stdin = reads_stdin or "s" in value
            i += 2 if value[-1] in "oO" else 1
        else:
            break
    operand = args[i] if i < len(args) else None
    if has_c:
        _shell_payload(acc, name, operand)
    elif operand is not None and not reads_stdin:
        acc.flag("unknown", f"{name} runs the script {operand.value}, which is not shown")
    else:
        acc.flag("unknown", f"{name} runs commands read from standard input")
        if acc.stdin_text is not None:
            acc.nest_text(acc.stdin_text, f"{name} input from a here-document")


def _shell_payload(acc: Acc, name: str, payload: Word | None) -> None:
    if payload is None:
        acc.flag("unknown", f"{name} -c without a command")
    else:
        if payload.expands:
            acc.flag("unknown", f"the command string for {name} -c comes from an expansion")
        acc.nest_text(payload.value, f"{name} -c", arguments=True)


def _h_eval(acc: Acc, name: str, args: list[Word]) -> None:
    if not args:
        acc.flag("read_only", "eval with nothing to run")
        return
    if any(word.expands for word in args):
        acc.flag("unknown", "eval runs text that comes from an expansion")
    acc.nest_text(" ".join(word.value for word in args), "eval")


def _h_source(acc: Acc, name: str, args: list[Word]) -> None:
    script = args[0].value if args else "nothing"
    acc.flag("unknown", f"{name} runs the commands in {script} inside this shell")


def _h_trap(acc: Acc, name: str, args: list[Word]) -> None:
    if args and args[0].value == "--":  # `trap -- HANDLER SIGNAL...`
        args = args[1:]
    elif args and args[0].value in ("-p", "-l", "-P"):
        acc.flag("read_only", "trap only lists handlers or signals")
        return
    if not args or args[0].value == "-" or (args[0].value == "" and not args[0].expands):
        acc.flag("read_only", "trap only lists, resets or ignores signals")
        return
    acc.flag("unknown", "trap runs a command later, when a signal arrives")
    if len(args) > 1:
        acc.nest_text(args[0].value, "a trap handler")


def _h_su(acc: Acc, name: str, args: list[Word]) -> None:
    acc.privileged = True
    acc.flag("privileged", "su runs commands as another user (root by default)")
    for payload in option_values(args, "-c") + option_values(args, "--command"):
        _shell_payload(acc, "su", payload)


def runs_code_command(acc: Acc, name: str, args: list[Word]) -> None:
    if only_version_flags(args):
        acc.flag("read_only", f"{name} only prints its version or help")
        return
    inline = {"-c", "-e", "-E", "--eval", "-r", "-p", "--print"} & flags_in(args[:1])
    if inline:
        detail = " (inline code)"
    elif args and args[0].value == "-":
        detail = " (code from standard input)"
    else:
        detail = f" ({short(args[0].value, 40)})" if args else ""
    acc.flag("unknown", RUNS_CODE[name] + detail)


def _h_python(acc: Acc, name: str, args: list[Word]) -> None:
    module = option_values(args[:2], "-m")
    if module and module[0].value == "pip":
        rest = args[args.index(module[0]) + 1 :] if module[0] in args else args[1:]
        tool_command(acc, "pip", rest)
    elif module and module[0].value == "venv":
        targets = operands_in(args[2:])
        for target in targets or [lit(".")]:
            acc.write(target, "python -m venv creates")
    else:
        runs_code_command(acc, "python", args)


def _h_xargs(acc: Acc, name: str, args: list[Word]) -> None:
    value_letters = "aEdILnPs"
    longs = ("--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars",
             "--max-lines", "--process-slot-var")  # fmt: skip
    i = skip_options(args, value_letters, longs)
    replace_str = _xargs_replace(args[:i])
    command = args[i:]
    if not command:
        acc.flag("read_only", "xargs without a command echoes its input")
        return
    if replace_str:
        words = [replace(w, expands=True) if replace_str in w.value else w for w in command]
    else:
        words = [*command, UNKNOWN_INPUT]
    acc.nest_argv(words, "xargs", acc.cwd)


def _xargs_replace(options: list[Word]) -> str:
    """The replace-string given by -I R, -iR, -i or --replace[=R], if any."""
    for i, word in enumerate(options):
        value = word.value
        if value.startswith("--") and long_matches(value.partition("=")[0], "--replace"):
            return value.partition("=")[2] or "{}"
        if is_cluster(value) and "I" in value:
            rest = value[value.index("I") + 1 :]
            return rest or (options[i + 1].value if i + 1 < len(options) else "{}")
        if is_cluster(value) and "i" in value:
            return value[value.index("i") + 1 :] or "{}"
    return ""


_FIND_ONE_ARG = frozenset(
    {
        "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
        "-type", "-xtype", "-user", "-group", "-uid", "-gid", "-perm", "-size", "-mtime",
        "-atime", "-ctime", "-mmin", "-amin", "-cmin", "-newer", "-anewer", "-cnewer",
        "-maxdepth", "-mindepth", "-links", "-inum", "-samefile", "-printf", "-fstype", "-lname",
        "-ilname", "-context", "-used", "-regextype", "-files0-from",
    }
)  # fmt: skip
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def _h_find(acc: Acc, name: str, args: list[Word]) -> None:
    i = 0
    while i < len(args) and (args[i].value in ("-H", "-L", "-P") or args[i].value.startswith("-O")):
        i += 1
    roots: list[Word] = []
    while i < len(args) and not _is_find_expression(args[i].value):
        roots.append(args[i])
        i += 1
    roots = roots or [lit(".")]
    acc.flag("read_only", "find only lists files")
    while i < len(args):
        value = args[i].value
        i += 1
        if value == "-delete":
            acc.flag("destructive", "find -delete deletes every match")
            for root in roots:
                acc.write(root, "find -delete deletes files under", "destructive")
        elif value in _FIND_EXEC:
            i = _find_exec(acc, value, args, i, roots)
        elif value in ("-fprint", "-fprint0", "-fls", "-fprintf") and i < len(args):
            acc.write(args[i], f"find {value} writes")
            i += 2 if value == "-fprintf" else 1
        elif value in _FIND_ONE_ARG or value.startswith("-newer"):
            i += 1


def _is_find_expression(value: str) -> bool:
    return (value.startswith("-") and len(value) > 1) or value in ("(", ")", "!", ",")


def _find_exec(acc: Acc, action: str, args: list[Word], i: int, roots: list[Word]) -> int:
    """Classify the command of -exec/-execdir/-ok; return the index after its terminator."""
    end = i
    while end < len(args) and args[end].value not in (";", "+"):
        end += 1
    command = args[i:end]
    if end >= len(args) or not command:
        acc.flag("unknown", f"find {action} has no complete command")
        return len(args)
    for root in roots:
        if action in ("-execdir", "-okdir"):
            acc.nest_argv(command, f"find {action}", resolve_dir(root, acc.cwd))
        else:
            found = child_path(root, "{}")
            words = [_found_placeholder(word, found) for word in command]
            acc.nest_argv(words, f"find {action}", acc.cwd)
    return end + 1


def _found_placeholder(word: Word, found: Word) -> Word:
    """Replace {} by a path under the search root, so writes to it resolve there."""
    if "{}" not in word.value:
        return word
    value = word.value.replace("{}", found.value)
    return replace(word, raw=value, value=value, expands=word.expands or found.expands)


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    **{shell: _h_shell for shell in SHELLS},
    "eval": _h_eval,
    "source": _h_source,
    ".": _h_source,
    "trap": _h_trap,
    "su": _h_su,
    "python": _h_python,
    "xargs": _h_xargs,
    "find": _h_find,
}
