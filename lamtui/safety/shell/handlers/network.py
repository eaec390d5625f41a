"""Network tools that also write files: curl, wget, rsync."""

from __future__ import annotations

import re

from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.options import flags_in, operands_in, option_values
from lamtui.safety.shell.targets import lit
from lamtui.safety.shell.tokens import Word


def _h_curl(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("network", "curl transfers data over the network")
    for option in ("-o", "--output", "-D", "--dump-header", "-c", "--cookie-jar", "--trace",
                   "--trace-ascii", "--stderr", "--libcurl"):  # fmt: skip
        for target in option_values(args, option):
            if target.value != "-":
                acc.write(target, f"curl {option} writes", "network")
    if {"-O", "--remote-name", "--remote-name-all", "-J"} & flags_in(args):
        directory = option_values(args, "--output-dir")
        acc.write(directory[0] if directory else lit("."), "curl -O saves into", "network")


def _h_wget(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("network", "wget downloads over the network")
    documents = option_values(args, "-O") + option_values(args, "--output-document")
    for target in documents:
        if target.value != "-":
            acc.write(target, "wget -O writes", "network")
    for option in ("-o", "--output-file", "-a", "--append-output"):
        for target in option_values(args, option):
            acc.write(target, f"wget {option} writes its log to", "network")
    if not documents and "--spider" not in flags_in(args):
        prefix = option_values(args, "-P") + option_values(args, "--directory-prefix")
        acc.write(prefix[0] if prefix else lit("."), "wget saves into", "network")


def _h_rsync(acc: Acc, name: str, args: list[Word]) -> None:
    operands = operands_in(args, "eBfTM", ("--rsh", "--rsync-path", "--filter", "--temp-dir"))
    remote = any(
        re.match(r"[^/]*:", word.value) or word.value.startswith("rsync://") for word in operands
    )
    flags = flags_in(args)
    if remote:
        acc.flag("network", "rsync copies to or from another machine")
    if any(flag.startswith("--delete") for flag in flags) or "--remove-source-files" in flags:
        acc.flag("destructive", "rsync --delete/--remove-source-files deletes files")
    if len(operands) >= 2 and not remote:
        acc.write(operands[-1], "rsync copies into")
    elif not remote:
        acc.flag("read_only", "rsync with one operand only lists files")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "curl": _h_curl,
    "wget": _h_wget,
    "rsync": _h_rsync,
}
