"""System administration: services, kernel, network setup, clock, logs, processes, signals."""

from __future__ import annotations

import re

from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.handlers.readonly import read_only_command
from lamtui.safety.shell.options import (
    first_operand,
    flags_in,
    given,
    only_version_flags,
    operands_in,
    option_values,
)
from lamtui.safety.shell.tables import IP_READ_ACTIONS, SYSTEMCTL_READ
from lamtui.safety.shell.tokens import Word


def _h_ps(acc: Acc, name: str, args: list[Word]) -> None:
    read_only_command(acc, name, args)
    bsd = [w.value for w in args if w.value and not w.value.startswith("-")]
    if any("e" in value and value.isalpha() for value in bsd[:1]) or "-E" in flags_in(args):
        acc.flag("sensitive_read", "ps e prints the environment of processes")


def _h_getent(acc: Acc, name: str, args: list[Word]) -> None:
    read_only_command(acc, name, args)
    if {"shadow", "gshadow"} & {w.value for w in operands_in(args, "s")}:
        acc.flag("sensitive_read", "getent shadow prints password hashes")


def _h_systemctl(acc: Acc, name: str, args: list[Word]) -> None:
    operands = operands_in(args, "tHMpnos", ("--type", "--property", "--signal", "--host"))
    action = operands[0].value if operands else ""
    if not action or action in SYSTEMCTL_READ or only_version_flags(args):
        acc.flag("read_only", f"systemctl {action or 'list-units'} only reports")
    else:
        acc.flag("privileged", f"systemctl {action} changes system services")


def _h_service(acc: Acc, name: str, args: list[Word]) -> None:
    values = [word.value for word in args]
    if values[:1] == ["--status-all"] or values[1:2] == ["status"]:
        acc.flag("read_only", "service only reports status")
    else:
        acc.flag("privileged", "service starts or stops system services")


def _h_sysctl(acc: Acc, name: str, args: list[Word]) -> None:
    flags = flags_in(args)
    if {"-w", "--write", "-p", "--load", "--system"} & flags or any("=" in w.value for w in args):
        acc.flag("privileged", "sysctl changes kernel settings")
    else:
        acc.flag("read_only", "sysctl only reads kernel settings")


def _h_hostname(acc: Acc, name: str, args: list[Word]) -> None:
    if operands_in(args) or given(args, "-F", "--file", "-b", "--boot"):
        acc.flag("privileged", "hostname with a name changes the machine's name")
    else:
        acc.flag("read_only", "hostname only prints the name")


def _h_date(acc: Acc, name: str, args: list[Word]) -> None:
    operands = operands_in(args, "dfr", ("--date", "--file", "--reference"))
    setting = option_values(args, "-s") + option_values(args, "--set")
    if setting or any(not word.value.startswith("+") for word in operands):
        acc.flag("privileged", "date with a time sets the system clock")
    else:
        acc.flag("read_only", "date only prints the time")


def _h_ip(acc: Acc, name: str, args: list[Word]) -> None:
    operands = operands_in(args, "nb", ("-netns", "-batch"))
    action = operands[1].value if len(operands) >= 2 else "show"
    if {"-b", "-batch", "-force"} & {word.value for word in args}:
        acc.flag("privileged", "ip -batch runs network configuration commands")
    elif action in IP_READ_ACTIONS or (operands and operands[0].value == "monitor"):
        acc.flag("read_only", "ip only shows network state")
    else:
        acc.flag("privileged", f"ip {action} changes network configuration")


def _h_ifconfig(acc: Acc, name: str, args: list[Word]) -> None:
    operands = operands_in(args)
    if len(operands) <= 1 and not (name == "route" and operands):
        acc.flag("read_only", f"{name} only shows network state")
    else:
        acc.flag("privileged", f"{name} changes network configuration")


def _h_mount(acc: Acc, name: str, args: list[Word]) -> None:
    if operands_in(args, "tOoLUBw") or given(args, "-a", "--all"):
        acc.flag("privileged", "mount attaches a filesystem")
    else:
        acc.flag("read_only", "mount without arguments lists mounted filesystems")


def _h_journalctl(acc: Acc, name: str, args: list[Word]) -> None:
    changing = ("--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate", "--flush",
                "--sync", "--relinquish-var", "--smart-relinquish-var", "--setup-keys",
                "--update-catalog")  # fmt: skip
    if given(args, *changing):
        acc.flag("privileged", "journalctl deletes or rotates system logs")
    else:
        acc.flag("read_only", "journalctl only reads logs")


def _h_dmesg(acc: Acc, name: str, args: list[Word]) -> None:
    changing = {"-C", "-c", "--clear", "--read-clear", "-n", "--console-level", "-D",
                "--console-off", "-E", "--console-on"}  # fmt: skip
    if given(args, *changing):
        acc.flag("privileged", "dmesg clears the kernel log or changes the console")
    else:
        acc.flag("read_only", "dmesg only reads the kernel log")


def _h_crontab(acc: Acc, name: str, args: list[Word]) -> None:
    flags = flags_in(args)
    if "-r" in flags:
        acc.flag("destructive", "crontab -r deletes every scheduled job")
    elif "-l" in flags:
        acc.flag("read_only", "crontab -l only lists scheduled jobs")
    else:
        acc.flag("unknown", "crontab schedules commands to run later")


def _h_ctl(acc: Acc, name: str, args: list[Word]) -> None:
    action = first_operand(args, "status")
    if action in ("status", "show") or action.startswith("list"):
        acc.flag("read_only", f"{name} {action} only reports")
    else:
        acc.flag("privileged", f"{name} {action} changes system settings")


# The exact options that make kill/killall list signals instead of sending one. They are
# matched whole: `-KILL` or `-SIGALRM` is a signal name, not a cluster holding -L.
_SIGNAL_LISTING: dict[str, frozenset[str]] = {
    "kill": frozenset({"-l", "-L", "--list", "--table"}),
    "killall": frozenset({"-l", "--list"}),
}
_SIGNAL_SPEC = re.compile(r"[0-9]{1,3}|(?:SIG)?[A-Za-z][A-Za-z0-9+-]*")


def _lists_signals(name: str, args: list[Word]) -> bool:
    """`kill -l [SIGNAL...]`, `kill -L`, `killall -l`: only these print the signal table."""
    if not args or args[0].expands or args[0].value not in _SIGNAL_LISTING.get(name, ()):
        return False
    rest = args[1:]
    if args[0].value in ("-L", "--table") or name == "killall":
        return not rest
    return all(not w.expands and _SIGNAL_SPEC.fullmatch(w.value) for w in rest)


def _h_kill(acc: Acc, name: str, args: list[Word]) -> None:
    if _lists_signals(name, args):
        acc.flag("read_only", f"{name} {args[0].value} only lists signals")
    else:
        acc.flag("destructive", f"{name} sends signals to processes")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "ps": _h_ps,
    "getent": _h_getent,
    "systemctl": _h_systemctl,
    "service": _h_service,
    "sysctl": _h_sysctl,
    "hostname": _h_hostname,
    "date": _h_date,
    "ip": _h_ip,
    "ifconfig": _h_ifconfig,
    "route": _h_ifconfig,
    "mount": _h_mount,
    "journalctl": _h_journalctl,
    "dmesg": _h_dmesg,
    "crontab": _h_crontab,
    "timedatectl": _h_ctl,
    "hostnamectl": _h_ctl,
    "localectl": _h_ctl,
    "kill": _h_kill,
    "killall": _h_kill,
    "pkill": _h_kill,
}
