"""Network tools that also write files: curl, wget, rsync."""

from __future__ import annotations

import re

from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.options import flags_in, given, operands_in, option_values
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


# rsync options whose value is a file or folder it writes besides the destination.
_RSYNC_WRITES = ("--log-file", "--write-batch", "--only-write-batch", "--backup-dir",
                 "--partial-dir", "--temp-dir", "-T")  # fmt: skip
_RSYNC_VALUED = ("--rsh", "--rsync-path", "--filter", "--exclude-from", "--include-from",
                 "--files-from", "--read-batch", "--password-file", "--chmod", "--chown",
                 *_RSYNC_WRITES)  # fmt: skip


def _h_rsync(acc: Acc, name: str, args: list[Word]) -> None:
    operands = operands_in(args, "eBfTM", _RSYNC_VALUED)
    remote = any(
        re.match(r"[^/]*:", word.value) or word.value.startswith("rsync://") for word in operands
    )
    if remote or given(args, "--daemon"):
        acc.flag("network", "rsync copies to or from another machine")
    if given(args, "-e", "--rsh", "--rsync-path"):
        acc.flag("unknown", "rsync -e/--rsync-path runs the program it is given")
    if given(args, "--delete", "--remove-source-files"):
        acc.flag("destructive", "rsync --delete/--remove-source-files deletes files")
    for option in _RSYNC_WRITES:
        for target in option_values(args, option):
            acc.write(target, f"rsync {option} writes")
    batch = given(args, "--read-batch")  # applies a batch to the one operand, the destination
    if operands and not remote and (len(operands) >= 2 or batch):
        acc.write(operands[-1], "rsync copies into")
    elif not remote:
        acc.flag("read_only", "rsync with one operand only lists files")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "curl": _h_curl,
    "wget": _h_wget,
    "rsync": _h_rsync,
}
