"""The policy modes: what the gate may run without asking. Defined here once; the settings,
the command-line flags, the palette and the gate all read them from this module."""

from __future__ import annotations

from typing import Literal, get_args

from lamtui.contract.risk import RISK_ORDER, Risk

PolicyMode = Literal["ask", "readonly", "workspace", "auto"]
POLICY_MODES: tuple[PolicyMode, ...] = get_args(PolicyMode)
# The modes that still ask before anything risky. A project file, `lamtui run --mode` and the
# palette offer only these: full auto comes from the user's own config or the explicit
# `--full-auto` flag (which prints a warning).
GUARDED_MODES: tuple[PolicyMode, ...] = ("ask", "readonly", "workspace")

MODE_HELP: dict[PolicyMode, str] = {
    "ask": "ask before every action",
    "readonly": "run read-only actions without asking",
    "workspace": "run read-only actions and writes inside the workspace without asking",
    "auto": "run everything the rules do not deny without asking",
}

# What each mode may run without asking. Sensitive reads (credentials, the environment),
# unknown, outside writes, network, destructive and privileged actions always ask, except
# in the explicit full-auto mode (a flag that prints a warning), where only the rules and
# the gate's hard limits (.git, unusable paths) still stop an action.
AUTO_RISKS: dict[PolicyMode, frozenset[Risk]] = {
    "ask": frozenset(),
    "readonly": frozenset({"read_only"}),
    "workspace": frozenset({"read_only", "workspace_write"}),
    "auto": frozenset(RISK_ORDER),
}


def as_policy_mode(value: str) -> PolicyMode:
    """`value` as a policy mode; ValueError when it is not one."""
    for mode in POLICY_MODES:
        if mode == value:
            return mode
    raise ValueError(f"unknown policy mode {value!r} (one of {', '.join(POLICY_MODES)})")
