"""Commands that only read, and the few options that make one write a file or run a program."""

from __future__ import annotations

from lamtui.safety.shell.accumulator import Acc
from lamtui.safety.shell.options import given, operands_in, option_values
from lamtui.safety.shell.tables import OPTION_WRITES, OUTPUT_OPERAND, RISKY_OPTIONS
from lamtui.safety.shell.tokens import Word


def read_only_command(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("read_only", f"{name} only reads")
    for options, risk, what in RISKY_OPTIONS.get(name, ()):
        for option in options:
            if given(args, option):
                acc.flag(risk, f"{name} {option} {what}")
    for option in OPTION_WRITES.get(name, ()):
        for target in option_values(args, option):
            acc.write(target, f"{name} {option} writes")
    if name in OUTPUT_OPERAND:
        index, letters = OUTPUT_OPERAND[name]
        for target in operands_in(args, letters)[index:]:
            acc.write(target, f"{name} writes its output to")
