"""Package managers and subcommand tools (pip, npm, apt, docker ...), by subcommand."""

from __future__ import annotations

from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.options import (
    flags_in,
    given,
    is_cluster,
    only_version_flags,
    operands_in,
    option_values,
    skip_options,
)
from lamtui.safety.shell.targets import lit
from lamtui.safety.shell.tokens import Word
from lamtui.safety.shell.tool_tables import (
    CONTAINER_ESCAPES,
    PRINTS_ENVIRONMENT,
    RESOLVES,
    SUB_OPTIONS,
    TOOL_ALIASES,
    TOOL_OPTIONS,
    TOOL_PHRASE,
    TOOL_WRITES,
    TOOLS,
)


def tool_command(acc: Acc, name: str, args: list[Word]) -> None:
    tool = TOOLS[TOOL_ALIASES.get(name, name)]
    i = skip_options(args, tool.value_opts)
    if i >= len(args):
        risk = "read_only" if only_version_flags(args) else tool.bare
        acc.flag(risk, f"{name} {TOOL_PHRASE[risk]}")
        return
    if args[i].expands:
        acc.flag("unknown", f"the {name} subcommand comes from an expansion")
        return
    sub = args[i].value
    if sub in tool.groups:
        rest = args[i + 1 :]
        j = skip_options(rest)
        sub = f"{sub} {rest[j].value}" if j < len(rest) else sub
    risk = tool.subs.get(sub, tool.subs.get(sub.split(" ")[0], tool.other))
    acc.flag(risk, f"{name} {sub} {TOOL_PHRASE[risk]}")
    if name == "go" and sub == "env" and {"-w", "-u"} & flags_in(args):
        acc.flag("outside_write", "go env -w changes your user-wide go settings")
    _tool_options(acc, name, sub, args, i)


def _tool_options(acc: Acc, name: str, sub: str, args: list[Word], i: int) -> None:
    """What a tool's options and operands add to its subcommand's risk."""
    tool = TOOL_ALIASES.get(name, name)
    for options, risk, what in TOOL_OPTIONS.get(tool, ()):
        if given(args, *options):
            acc.flag(risk, f"{name} {'/'.join(options[:2])} {what}")
    written: set[tuple[int, str]] = set()  # --log and --log-file both match `--log FILE`
    for option in TOOL_WRITES.get(tool, ()):
        for target in option_values(args, option):
            if (target.start, target.value) not in written:
                written.add((target.start, target.value))
                acc.write(target, f"{name} {option} writes")
    for options, risk, what in SUB_OPTIONS.get((tool, sub), ()):
        if given(args[i:], *options):
            acc.flag(risk, f"{name} {sub} {options[0]} {what}")
    offline = RESOLVES.get((tool, sub))
    if offline is not None and not given(args, *offline):
        acc.flag("network", f"{name} {sub} resolves dependencies, downloading any it lacks")
    if (tool, sub) in PRINTS_ENVIRONMENT:
        acc.flag("sensitive_read", f"{name} {sub} prints environment values (passwords, tokens)")
    rest = args[i + 1 :]
    if (
        sub == "version"
        and tool in ("poetry", "uv")
        and (operands_in(rest) or given(rest, "--bump"))
    ):
        for project_file in ("pyproject.toml", "uv.lock") if tool == "uv" else ("pyproject.toml",):
            acc.write(lit(project_file), f"{name} version VALUE rewrites")


def _h_container(acc: Acc, name: str, args: list[Word]) -> None:
    tool_command(acc, name, args)
    values = [word.value for word in args]
    if any(v.startswith(option) for v in values for option in CONTAINER_ESCAPES):
        acc.flag("privileged", f"{name} with host mounts, devices or privileges is root-equivalent")


def _h_pacman(acc: Acc, name: str, args: list[Word]) -> None:
    letters = "".join(word.value[1:] for word in args if is_cluster(word.value))
    operation = next((letter for letter in letters if letter.isupper()), "")
    if operation in ("Q", "T") or (operation in ("S", "F") and set(letters) & set("sigl")
                                   and not set(letters) & set("yu")):  # fmt: skip
        acc.flag("read_only", "pacman only queries packages")
    elif operation in ("S", "F"):
        acc.flag("network", "pacman downloads or installs packages")
    elif operation == "R":
        acc.flag("destructive", "pacman -R removes packages")
    else:
        acc.flag("unknown", "pacman operation the classifier does not know")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "docker": _h_container,
    "pacman": _h_pacman,
}
