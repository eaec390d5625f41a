"""Archives, compression and patches: where tar, zip, gzip ... and patch write."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.options import (
    flags_in,
    given,
    is_cluster,
    long_matches,
    operands_in,
    option_values,
)
from lamtui.safety.shell.targets import lit
from lamtui.safety.shell.tokens import Word

# tar options that run a program, and options that rename members as they are extracted.
_TAR_RUNS = ("--to-command", "--use-compress-program", "--checkpoint-action", "--info-script",
             "--new-volume-script", "--rsh-command", "--rmt-command")  # fmt: skip
_TAR_RENAMES = ("--transform", "--xform", "--one-top-level")
# Options whose value is a file tar writes besides the archive (-g is --listed-incremental).
_TAR_WRITES = ("--index-file", "--listed-incremental", "--volno-file")
_TAR_VALUE_LETTERS = "fCTXbKNgLVHIF"
_TAR_VALUED = ("--file", "--directory", *_TAR_RUNS, *_TAR_RENAMES[:2], *_TAR_WRITES)


@dataclass
class _TarPlan:
    mode: str = ""
    archive: Word | None = None
    directory: Word | None = None
    flags: set[str] = field(default_factory=set)
    writes: list[Word] = field(default_factory=list)


def _tar_plan(args: list[Word]) -> _TarPlan:
    plan = _TarPlan()
    words = list(args)
    if words and not words[0].value.startswith("-"):  # old style: `tar czf out.tgz dir`
        letters, words = words[0].value, words[1:]
        for letter in letters:
            operand = words.pop(0) if letter in _TAR_VALUE_LETTERS and words else None
            _tar_letter(plan, letter, operand)
    i = 0
    while i < len(words):
        value = words[i].value
        nxt = words[i + 1] if i + 1 < len(words) else None
        i += 1
        if value.startswith("--"):
            given, eq, rest = value.partition("=")
            attached = replace(words[i - 1], value=rest) if eq else nxt
            # tar takes any unambiguous prefix of a long option: --to-com is --to-command
            names = [known for known in _TAR_KNOWN if long_matches(given, known)] or [given]
            plan.flags.update(names)
            i += 1 if set(names) & set(_TAR_VALUED) and not eq else 0
            for option in names:
                if option == "--file":
                    plan.archive = attached
                elif option == "--directory":
                    plan.directory = attached
                elif option in _TAR_WRITES and attached is not None:
                    plan.writes.append(attached)
                else:
                    plan.mode = _TAR_LONG_MODES.get(option, plan.mode)
        elif is_cluster(value):
            for j, letter in enumerate(value[1:], 1):
                if letter in _TAR_VALUE_LETTERS:
                    rest = value[j + 1 :]
                    _tar_letter(plan, letter, replace(words[i - 1], value=rest) if rest else nxt)
                    i += 0 if rest else 1
                    break
                _tar_letter(plan, letter, None)
    return plan


_TAR_LONG_MODES = {
    "--create": "c", "--extract": "x", "--get": "x", "--list": "t", "--append": "r",
    "--update": "u", "--diff": "d", "--compare": "d", "--delete": "r", "--concatenate": "A",
    "--catenate": "A",
}  # fmt: skip


_TAR_KNOWN = (*_TAR_VALUED, *_TAR_LONG_MODES, "--remove-files", "--absolute-names",
              "--one-top-level")  # fmt: skip


def _tar_letter(plan: _TarPlan, letter: str, value: Word | None) -> None:
    if letter in "ctxruAd":
        plan.mode = letter
    elif letter == "f":
        plan.archive = value
    elif letter == "g" and value is not None:
        plan.writes.append(value)
    elif letter == "C":
        plan.directory = value
    elif letter == "P":
        plan.flags.add("--absolute-names")
    elif letter in "IF":
        plan.flags.add("--use-compress-program")


def _h_tar(acc: Acc, name: str, args: list[Word]) -> None:
    plan = _tar_plan(args)
    if set(_TAR_RUNS) & plan.flags:
        acc.flag("unknown", "tar runs another program (compressor, checkpoint action or script)")
    if set(_TAR_RENAMES) & plan.flags:
        acc.flag("unknown", "tar renames members, so where they land cannot be known")
    archive = plan.archive
    if archive and not archive.expands and re.match(r"[^/]+:", archive.value):
        acc.flag("network", f"tar uses the remote archive {archive.value}")
    for target in plan.writes:
        acc.write(target, "tar writes its index or snapshot file")
    if "--remove-files" in plan.flags:
        acc.flag("destructive", "tar --remove-files deletes the files it archives")
    if plan.mode in ("t", "d"):
        acc.flag("read_only", "tar only lists or compares an archive")
    elif plan.mode == "x":
        acc.write(plan.directory or lit("."), "tar extracts into")
        if "--absolute-names" in plan.flags:
            acc.flag("outside_write", "tar -P writes absolute paths stored in the archive")
    elif plan.mode and archive is not None and archive.value != "-":
        acc.write(archive, "tar writes the archive")
    elif plan.mode:
        acc.flag("read_only", "tar writes the archive to standard output")
    else:
        acc.flag("unknown", "tar without an operation")


def _h_zip(acc: Acc, name: str, args: list[Word]) -> None:
    values = [word.value for word in args]
    if any(value.startswith("-TT") for value in values) or given(args, "--unzip-command"):
        acc.flag("unknown", "zip -TT runs a command to test the archive")
    for temp in option_values(args, "-b") + option_values(args, "--temp-path"):
        acc.write(temp, "zip -b writes its temporary file in")
    if "-TT" in values:  # a two-letter option whose value is the command
        at = values.index("-TT")
        args = args[:at] + args[at + 2 :]
    operands = operands_in(args, "bntO", ("--unzip-command",))
    output = option_values(args, "-O") + option_values(args, "--output-file")
    archive = output[:1] or operands[:1]
    for target in archive:
        if target.value != "-":
            acc.write(target, "zip writes the archive")
    if given(args, "-m", "--move"):
        acc.flag("destructive", "zip -m deletes the files it archives")
        for source in operands[1:]:
            acc.write(source, "zip -m deletes", "destructive")
    if not archive:
        acc.flag("read_only", "zip writes to standard output")


def _h_unzip(acc: Acc, name: str, args: list[Word]) -> None:
    if {"-l", "-v", "-t", "-z", "-Z", "-p", "-c"} & flags_in(args):
        acc.flag("read_only", "unzip only lists, tests or prints an archive")
        return
    if "-:" in {word.value for word in args}:
        acc.flag("outside_write", "unzip -: lets archive paths escape the target directory")
    target = option_values(args, "-d")
    acc.write(target[0] if target else lit("."), "unzip extracts into")


_COMPRESSORS = (
    "gzip", "gunzip", "bzip2", "bunzip2", "xz", "unxz", "lzma", "unlzma", "zstd", "unzstd", "lz4",
    "compress", "uncompress", "pigz", "unpigz", "lzip",
)  # fmt: skip


def _h_compress(acc: Acc, name: str, args: list[Word]) -> None:
    flags = flags_in(args)
    if {"-c", "--stdout", "--to-stdout", "-l", "--list", "-t", "--test"} & flags:
        acc.flag("read_only", f"{name} only prints, lists or tests")
        return
    for target in option_values(args, "-o") if name in ("zstd", "unzstd") else []:
        acc.write(target, f"{name} writes")
    operands = operands_in(args, "STMo")
    if not operands:
        acc.flag("read_only", f"{name} filters standard input to standard output")
    for target in operands:
        acc.write(target, f"{name} replaces")


def _h_patch(acc: Acc, name: str, args: list[Word]) -> None:
    if {"--dry-run", "-C", "--check"} & flags_in(args):
        acc.flag("read_only", "patch --dry-run only checks")
        return
    outputs = option_values(args, "-o") + option_values(args, "--output")
    rejects = option_values(args, "-r") + option_values(args, "--reject-file")
    directory = option_values(args, "-d") + option_values(args, "--directory")
    originals = operands_in(args, "BdDFgiopVrYz", ("--directory", "--input", "--output"))[:1]
    for target in outputs + rejects + originals:
        acc.write(target, "patch writes")
    if not outputs:
        acc.write(directory[0] if directory else lit("."), "patch changes files under")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "tar": _h_tar,
    "zip": _h_zip,
    "unzip": _h_unzip,
    "patch": _h_patch,
    **{tool: _h_compress for tool in _COMPRESSORS},
}
