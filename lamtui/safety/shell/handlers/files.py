"""File operations: writers, deleters, cp/mv/ln, chmod/chown, dd, split, mktemp."""

from __future__ import annotations

import os
import re
from dataclasses import replace

from lamtui.contract.risk import Risk
from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.options import flags_in, given, is_cluster, operands_in, option_values
from lamtui.safety.shell.tables import DESTROYERS, WRITERS
from lamtui.safety.shell.targets import child_path, lit, path_verdict, resolve_dir
from lamtui.safety.shell.tokens import Word


def _h_writer(acc: Acc, name: str, args: list[Word]) -> None:
    verb, letters = WRITERS[name]
    targets = operands_in(args, letters)
    if not targets:
        acc.flag("read_only", f"{name} has nothing to write")
    for target in targets:
        acc.write(target, verb)


def _h_destroyer(acc: Acc, name: str, args: list[Word]) -> None:
    reason, verb, letters = DESTROYERS[name]
    acc.flag("destructive", reason)
    for target in operands_in(args, letters):
        acc.write(target, verb, "destructive")


def _copy_targets(args: list[Word], letters: str) -> tuple[list[Word], list[Word]]:
    """(sources, destinations) of cp/mv/install-style arguments."""
    longs = ("--target-directory", "--suffix", "--backup-dir")
    operands = operands_in(args, letters, longs)
    target_dir = option_values(args, "-t") + option_values(args, "--target-directory")
    if target_dir:
        return operands, target_dir[:1]
    if len(operands) >= 2:
        return operands[:-1], operands[-1:]
    return operands, []


def _backup_suffix(acc: Acc, name: str, args: list[Word]) -> None:
    """A backup suffix is appended to the destination's name: one with a slash or an
    expansion puts the backup somewhere else."""
    for suffix in option_values(args, "-S") + option_values(args, "--suffix"):
        if suffix.expands or "/" in suffix.value:
            acc.flag("unknown", f"{name} --suffix {suffix.value} puts backups in another folder")


def _h_cp(acc: Acc, name: str, args: list[Word]) -> None:
    _backup_suffix(acc, name, args)
    letters = "tS" if name == "cp" else "gmoStZ"
    if name == "install" and given(args, "-d", "--directory"):
        destinations = operands_in(args, letters)
    else:
        destinations = _copy_targets(args, letters)[1]
    if not destinations:
        acc.flag("workspace_write", f"{name} copies files")
    if name == "install":
        _install_mode(acc, args)
    for target in destinations:
        acc.write(target, f"{name} copies into")


def _install_mode(acc: Acc, args: list[Word]) -> None:
    """install -m/-o/-g set what chmod and chown would: the same classes."""
    for mode in option_values(args, "-m") + option_values(args, "--mode"):
        if mode.expands:
            acc.flag("unknown", "the install mode comes from an expansion")
        elif _sets_id_bits(mode.value):
            acc.flag("privileged", f"install -m {mode.value} makes a program run as its owner "
                                   "or group (setuid/setgid)")  # fmt: skip
    owners = [*option_values(args, "-o"), *option_values(args, "--owner"),
              *option_values(args, "-g"), *option_values(args, "--group")]  # fmt: skip
    if owners:
        acc.flag("privileged", "install -o/-g changes who owns a file")


def _h_mv(acc: Acc, name: str, args: list[Word]) -> None:
    _backup_suffix(acc, name, args)
    sources, destinations = _copy_targets(args, "tS")
    if not destinations:
        acc.flag("workspace_write", "mv moves files")
    for source in sources:
        acc.write(source, "mv moves away")
    for target in destinations:
        acc.write(target, "mv moves into")


def _h_ln(acc: Acc, name: str, args: list[Word]) -> None:
    _backup_suffix(acc, name, args)
    symbolic = given(args, "-s", "--symbolic")
    targets, links = _copy_targets(args, "tS")
    if not links and targets:
        links = [lit(os.path.basename(targets[0].value.rstrip("/")) or ".")]
    for link in links:
        acc.write(link, "ln creates the link")
    link_dir = _link_directory(acc, links[0], many=len(targets) > 1) if links else acc.cwd
    for target in targets:
        base = link_dir if symbolic and not os.path.isabs(target.value) else acc.cwd
        verdict = path_verdict(target, acc.ctx.workspace, base)
        if verdict is None or verdict[0] == "workspace_write":
            continue
        risk: Risk = "destructive" if verdict[0] == "destructive" else "outside_write"
        acc.flag(risk, f"ln links to {target.value} ({verdict[2]}); writes through it escape")


def _link_directory(acc: Acc, link: Word, *, many: bool) -> str | None:
    """The directory a symlink's relative target is resolved from."""
    where = resolve_dir(link, acc.cwd)
    if where is None:
        return None
    return where if many or os.path.isdir(where) else os.path.dirname(where)


def _h_chmod(acc: Acc, name: str, args: list[Word]) -> None:
    option_letters = "cfvR" if name == "chmod" else "cfvRhHLP"
    options: list[Word] = []
    operands: list[Word] = []
    for word in args:
        value = word.value
        is_option = value.startswith("--") or (
            is_cluster(value) and set(value[1:]) <= set(option_letters)
        )
        (options if is_option else operands).append(word)
    recursive = given(options, "-R", "--recursive")
    has_reference = given(options, "--reference")
    files = operands if has_reference else operands[1:]
    verbs = {"chmod": "permissions", "chown": "owner", "chgrp": "group"}
    verb = f"{name} changes the {verbs.get(name, 'mode')} of"
    base: Risk = "destructive" if recursive else "workspace_write"
    if recursive:
        acc.flag("destructive", f"{name} -R changes a whole directory tree")
    if name != "chmod":
        # Giving a file away (or to a group) is an act of privilege, wherever it is.
        acc.flag("privileged", f"{name} changes who owns a file")
    elif has_reference:
        acc.flag("unknown", "chmod --reference copies another file's mode, set-id bits too")
    elif operands and operands[0].expands:
        acc.flag("unknown", "the chmod mode comes from an expansion")
    elif operands and _sets_id_bits(operands[0].value):
        acc.flag("privileged", f"chmod {operands[0].value} makes a program run as its owner "
                               "or group (setuid/setgid)")  # fmt: skip
    for target in files:
        acc.write(target, verb, base)


def _sets_id_bits(mode: str) -> bool:
    """Does a chmod mode set the setuid or setgid bit (4755, 2755, u+s, g=rxs, +s)?"""
    if re.fullmatch(r"[0-7]+", mode):
        return int(mode, 8) & 0o6000 != 0
    return any(op in "+=" and "s" in perms for op, perms in re.findall(r"([-+=])([^-+=,]*)", mode))


def _h_dd(acc: Acc, name: str, args: list[Word]) -> None:
    acc.flag("destructive", "dd writes raw data over its output")
    for word in args:
        if word.value.startswith("of="):
            target = word.value[3:]
            acc.write(replace(word, value=target, tilde=target.startswith("~")), "dd writes",
                      "destructive")  # fmt: skip


def _h_split(acc: Acc, name: str, args: list[Word]) -> None:
    if given(args, "--filter"):
        acc.flag("unknown", "split --filter runs a shell command for each piece")
    longs = ("--suffix-length", "--additional-suffix", "--bytes", "--line-bytes", "--lines",
             "--number", "--separator", "--filter")  # fmt: skip
    operands = operands_in(args, "abClnt", longs)
    prefix = operands[1] if len(operands) >= 2 else lit("x")
    acc.write(prefix, "split writes pieces named")


def _h_mktemp(acc: Acc, name: str, args: list[Word]) -> None:
    flags = flags_in(args)
    if {"-u", "--dry-run"} & flags:
        acc.flag("read_only", "mktemp -u only prints a name")
        return
    directory = option_values(args, "-p") + [w for w in option_values(args, "--tmpdir") if w.value]
    templates = operands_in(args, "p", ("--suffix",))
    template = templates[0].value if templates else "tmp.XXXXXXXXXX"
    if directory:
        acc.write(child_path(directory[0], template), "mktemp creates")
    elif not templates or {"-t", "--tmpdir"} & flags:
        acc.flag("outside_write", "mktemp creates a file in the temporary directory")
    else:
        acc.write(templates[0], "mktemp creates")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    **{writer: _h_writer for writer in WRITERS},
    **{destroyer: _h_destroyer for destroyer in DESTROYERS},
    "cp": _h_cp,
    "install": _h_cp,
    "mv": _h_mv,
    "ln": _h_ln,
    "chmod": _h_chmod,
    "chown": _h_chmod,
    "chgrp": _h_chmod,
    "dd": _h_dd,
    "split": _h_split,
    "mktemp": _h_mktemp,
}
