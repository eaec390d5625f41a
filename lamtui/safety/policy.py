"""The gate's verdict for one action: AUTO (run without asking), ASK, or DENY.

A pure function of (action, policy, workspace): risk comes from parsing the action
(never from the model's own opinion), then the mode and the user's rules decide.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lamtui.agent.schema import Action
from lamtui.safety.paths import check_path
from lamtui.safety.risk import (
    RISK_ORDER,
    CommandRisk,
    Risk,
    Segment,
    classify_command,
    secret_path_reason,
)
from lamtui.safety.rules import Rule

Verdict = Literal["auto", "ask", "deny"]
Mode = Literal["ask", "readonly", "workspace", "auto"]

# What each mode may run without asking. Sensitive reads (credentials, the environment),
# unknown, outside writes, network, destructive and privileged actions always ask, except
# in the explicit full-auto mode (a flag that prints a warning), where only the rules and
# the gate's hard limits (.git, unusable paths) still stop an action.
AUTO_RISKS: dict[str, frozenset[str]] = {
    "ask": frozenset(),
    "readonly": frozenset({"read_only"}),
    "workspace": frozenset({"read_only", "workspace_write"}),
    "auto": frozenset(RISK_ORDER),
}


@dataclass(frozen=True)
class Policy:
    mode: Mode = "ask"
    rules: tuple[Rule, ...] = ()
    approved_paths: frozenset[str] = frozenset()  # outside paths the user approved exactly


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    risk: Risk
    reasons: tuple[str, ...]
    segments: tuple[dict[str, Any], ...] = ()
    paths: tuple[str, ...] = ()
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.verdict,
            "risk": self.risk,
            "reasons": list(self.reasons),
            "segments": list(self.segments),
            "paths": list(self.paths),
            "rule": self.rule,
        }


@dataclass
class _FileRisk:
    risk: Risk
    reasons: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    deny: str = ""


def _file_risk(action: Action, workspace: Path, policy: Policy) -> _FileRisk:
    check = check_path(action.args["path"], workspace)
    writes = action.tool in ("write_file", "edit_file")
    if check.problem:
        return _FileRisk("unknown", [check.problem], [check.requested], deny=check.problem)
    out = _FileRisk("read_only", paths=[check.display])
    if writes and check.in_git_dir:
        out.deny = f"{check.display} is inside .git/; the agent never writes there"
        out.risk = "destructive"
        return out
    if check.inside:
        out.risk = "workspace_write" if writes else "read_only"
        out.reasons.append(f"{'writes' if writes else 'reads'} {check.display} (in the workspace)")
        secret = None if writes else secret_path_reason(check.display, workspace)
        if secret:  # a .env or key file in the workspace is still a secret
            out.risk = "sensitive_read"
            out.reasons.append(secret)
        return out
    # Outside the workspace: always asks, unless the user approved this exact path.
    out.risk = "outside_write" if writes else "unknown"
    out.reasons.append(f"{'writes' if writes else 'reads'} {check.display}, outside the workspace")
    return out


def _rule_verdict(
    policy: Policy, argvs: list[tuple[str, ...]], allowable: bool = True
) -> tuple[Verdict | None, str]:
    """deny > ask > allow. An allow rule applies only when every segment matches one and
    `allowable` holds (see _allowable)."""
    if not argvs:
        return None, ""
    for kind, verdict in (("deny", "deny"), ("ask", "ask")):
        for rule in policy.rules:
            if rule.kind == kind and any(rule.matches_argv(argv) for argv in argvs):
                return verdict, rule.label()  # type: ignore[return-value]
    allows = [r for r in policy.rules if r.kind == "allow"]
    if not allows or not allowable:
        return None, ""
    matched = [next((r for r in allows if r.matches_argv(argv)), None) for argv in argvs]
    if all(matched):
        return "auto", "; ".join(sorted({r.label() for r in matched if r}))
    return None, ""


def _allowable(segments: tuple[Segment, ...], workspace: Path) -> bool:
    """An allow rule names a command; it must not also approve what surrounds it. So it
    applies only to segments whose risk is the bare command's own: not `ls > /etc/x`,
    not `sudo rm x` under an `rm x` rule, not `PATH=/tmp ls`, not a function body."""
    for seg in segments:
        if not seg.argv or seg.privileged:
            return False
        bare = classify_command(shlex.join(seg.argv), workspace).risk
        if RISK_ORDER.index(seg.risk) > RISK_ORDER.index(bare):
            return False
    return True


def _shell(action: Action, policy: Policy, workspace: Path) -> Assessment:
    classified: CommandRisk = classify_command(action.args["command"], workspace)
    risk = classified.risk
    reasons = tuple(classified.reasons) or (f"classified as {risk}",)
    segments = tuple(classified.to_dict()["segments"])
    argvs = [seg.argv for seg in classified.segments if seg.argv]
    allowable = _allowable(classified.segments, workspace) if policy.rules else False
    verdict, rule = _rule_verdict(policy, argvs, allowable)
    if verdict is None:
        verdict = "auto" if risk in AUTO_RISKS[policy.mode] else "ask"
        rule = ""
    if verdict == "deny":
        reasons = (f"denied by rule {rule}", *reasons)
    elif rule:
        reasons = (f"{'allowed' if verdict == 'auto' else 'asks'} by rule {rule}", *reasons)
    return Assessment(
        verdict,
        risk,
        reasons,
        segments,
        tuple(classified.writes),
        rule=f"rule:{rule}" if rule else "",
    )


def assess(action: Action, policy: Policy, workspace: Path) -> Assessment:
    if action.tool in ("finish", "ask_user"):
        return Assessment("auto", "read_only", ("no effect on the system",))
    if action.tool == "shell":
        return _shell(action, policy, workspace)
    file_risk = _file_risk(action, workspace, policy)
    paths = tuple(file_risk.paths)
    if file_risk.deny:
        return Assessment("deny", file_risk.risk, (file_risk.deny,), (), paths)
    # A rule names a tool, not a place: it never widens confinement to outside paths.
    inside = file_risk.risk in ("read_only", "workspace_write")
    verdict, rule = _rule_verdict(policy, [(action.tool,)], allowable=inside)
    if verdict == "auto" and not inside:
        verdict, rule = None, ""
    if verdict is not None:
        reason = f"{ {'auto': 'allowed', 'ask': 'asks', 'deny': 'denied'}[verdict] } by rule {rule}"
        return Assessment(
            verdict, file_risk.risk, (reason, *file_risk.reasons), (), paths, rule=f"rule:{rule}"
        )
    auto = file_risk.risk in AUTO_RISKS[policy.mode]
    if file_risk.risk in ("outside_write", "unknown") and set(paths) <= policy.approved_paths:
        auto = True
        file_risk.reasons.append("the user approved this exact path")
    return Assessment(
        "auto" if auto else "ask", file_risk.risk, tuple(file_risk.reasons), (), paths
    )


def suggest_rules(assessment: Assessment, action: Action) -> list[str]:
    """The rule "always allow" writes: command + subcommand for harmless segments, the
    exact words for anything riskier (allowing `rm -rf build` must not allow all `rm`)."""
    if action.tool != "shell":
        return [action.tool]
    patterns: list[str] = []
    for seg in assessment.segments:
        argv = list(seg.get("argv") or [])
        if not argv:
            continue
        if seg.get("risk") in ("read_only", "workspace_write"):
            keep = 2 if len(argv) > 1 and not argv[1].startswith("-") and "/" not in argv[1] else 1
            words = argv[:keep]
        else:
            words = argv
        patterns.append(" ".join(shlex.quote(w) for w in words))
    return list(dict.fromkeys(patterns))
