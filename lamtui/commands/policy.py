"""`lamtui policy explain "COMMAND" | rules | forget PATTERN`: see how the gate decides."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lamtui.config import load_settings
from lamtui.contract.modes import POLICY_MODES
from lamtui.contract.schema import Action
from lamtui.errors import LamtuiError
from lamtui.safety.policy import assess
from lamtui.safety.rules import Rule, forget_rule, rules_file


def register(sub: Any) -> None:
    p = sub.add_parser("policy", help="explain and manage the confirmation gate's rules")
    psub = p.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    ex = psub.add_parser("explain", help="how the gate would decide on a shell command")
    ex.add_argument("command_text", metavar="COMMAND")
    ex.add_argument("--mode", choices=POLICY_MODES)
    ex.add_argument("--cwd", type=Path, default=None, help="the workspace (default: here)")
    ex.add_argument("--json", action="store_true")
    ex.set_defaults(handler=handle_explain)
    ls = psub.add_parser("rules", help="list the rules in force")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=handle_rules)
    fg = psub.add_parser("forget", help="remove a saved rule from rules.toml")
    fg.add_argument("pattern")
    fg.set_defaults(handler=handle_forget)


def handle_explain(args: argparse.Namespace) -> int:
    from lamtui.session import build_policy

    workspace = (args.cwd or Path.cwd()).expanduser().resolve()
    if not workspace.is_dir():
        raise LamtuiError(f"--cwd {workspace} is not a directory")
    if not args.command_text.strip():
        raise LamtuiError("the command is empty")
    settings = load_settings(cwd=workspace)
    policy = build_policy(settings, args.mode)
    action = Action(
        thought="",
        tool="shell",
        args={"command": args.command_text},
        status="continue",
        plan_update=None,
    )
    result = assess(action, policy, workspace)
    data = result.to_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"decision: {data['decision']}  (mode {policy.mode})\nrisk: {data['risk']}")
    for reason in data["reasons"]:
        print(f"  - {reason}")
    for seg in data["segments"]:
        print(f"  segment {seg['text']!r}: {seg['risk']}")
    return 0


def handle_rules(args: argparse.Namespace) -> int:
    from lamtui.session import build_policy

    policy = build_policy(load_settings())
    if args.json:
        print(json.dumps([_rule_json(r, Path.cwd()) for r in policy.rules]))
        return 0
    if not policy.rules:
        print(f"no rules (mode {policy.mode}); saved rules live in {rules_file()}")
    for rule in policy.rules:
        print(rule.label())
    return 0


def _rule_json(rule: Rule, workspace: Path) -> dict[str, object]:
    """A rule for machines; an allow rule says up to which class and how it matches."""
    data: dict[str, object] = {"kind": rule.kind, "pattern": rule.pattern, "source": rule.source}
    if rule.kind == "allow":
        ceiling, exact = rule.ceiling(workspace)
        data.update(risk=ceiling, match="exact" if exact else "prefix", capped=rule.cap is not None)
    return data


def handle_forget(args: argparse.Namespace) -> int:
    removed = forget_rule(args.pattern)
    if not removed:
        raise LamtuiError(
            f"no saved rule with pattern {args.pattern!r}",
            "see `lamtui policy rules`; rules from config.toml are edited there",
        )
    print(f"removed {removed} rule(s) from {rules_file()}")
    return 0
