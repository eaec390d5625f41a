"""The gate's verdict for one action: AUTO (run without asking), ASK, or DENY.

A pure function of (action, policy, workspace): risk comes from parsing the action
(never from the model's own opinion), then the mode and the user's rules decide.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lamtui.config import PROJECT_FILE
from lamtui.contract.modes import AUTO_RISKS, PolicyMode
from lamtui.contract.risk import Assessment, CommandRisk, Risk, Segment, Verdict
from lamtui.contract.schema import Action
from lamtui.paths import get_paths
from lamtui.safety.paths import check_path
from lamtui.safety.risk import classify_command, secret_path_reason
from lamtui.safety.rules import PREFIX_CEILING, MatchMode, Rule, as_risk, rank


@dataclass(frozen=True)
class Policy:
    mode: PolicyMode = "ask"
    rules: tuple[Rule, ...] = ()
    approved_paths: frozenset[str] = frozenset()  # outside paths the user approved exactly


@dataclass
class _FileRisk:
    risk: Risk
    reasons: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    deny: str = ""


def _file_risk(action: Action, workspace: Path, policy: Policy) -> _FileRisk:
    writes = action.tool in ("write_file", "edit_file")
    # The walk and the refusal rule the file tools apply again when they run.
    check = check_path(action.args["path"], workspace, write=writes)
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
    policy: Policy,
    argvs: list[tuple[str, ...]],
    workspace: Path,
    risks: list[Risk] | None = None,
    overall: Risk = "unknown",
) -> tuple[Verdict | None, str]:
    """deny > ask > allow. An allow rule applies only when every segment matches one whose
    ceiling covers that segment's risk (`risks`; None: no allow rule applies, see
    _allowed_risks), and one of them covers the whole command's risk (`overall`)."""
    if not argvs:
        return None, ""
    for kind, verdict in (("deny", "deny"), ("ask", "ask")):
        for rule in policy.rules:
            if rule.kind == kind and any(rule.matches_argv(argv) for argv in argvs):
                return verdict, rule.label()  # type: ignore[return-value]
    allows = [r for r in policy.rules if r.kind == "allow"]
    if not allows or risks is None or len(risks) != len(argvs):
        return None, ""
    matched: list[Rule] = []
    for argv, risk in zip(argvs, risks, strict=True):
        found = next((r for r in allows if r.allows(argv, risk, workspace)), None)
        if found is None:
            return None, ""
        matched.append(found)
    # The whole may be riskier than its parts (a redirection, a subshell): no rule made
    # from a lower class grants that.
    if rank(overall) > max(rank(r.ceiling(workspace)[0]) for r in matched):
        return None, ""
    return "auto", "; ".join(sorted({r.label() for r in matched}))


def _allowed_risks(segments: tuple[Segment, ...], workspace: Path) -> list[Risk] | None:
    """An allow rule names a command; it must not also approve what surrounds it. So it
    applies only to segments whose risk is the bare command's own: not `ls > /etc/x`,
    not `sudo rm x` under an `rm x` rule, not `PATH=/tmp ls`, not a function body.
    Returns each argv segment's risk (the stricter of in place and bare), or None."""
    risks: list[Risk] = []
    for seg in segments:
        if not seg.argv or seg.privileged:
            return None
        bare = classify_command(shlex.join(seg.argv), workspace).risk
        if rank(seg.risk) > rank(bare):
            return None
        risks.append(bare)
    return risks


def control_write(targets: Iterable[str], workspace: Path) -> str:
    """Why writing one of `targets` would change lamtui's own controls, or "": a project
    .lamtui.toml (mode, rules), anything in a .git directory (hooks, config that runs
    programs) or lamtui's config and data (rules.toml, secrets, the audit log)."""
    paths = get_paths()
    own = [os.path.realpath(p) for p in (paths.config_dir, paths.data_dir)]
    for target in targets:
        full = os.path.join(workspace, target)
        for candidate in dict.fromkeys((os.path.normpath(full), os.path.realpath(full))):
            where = Path(candidate)
            if where.name == PROJECT_FILE:
                return f"writes {target}, lamtui's project settings"
            if ".git" in where.parts:
                return f"writes {target}, inside a .git directory"
            if any(candidate == d or candidate.startswith(d + os.sep) for d in own):
                return f"writes {target}, lamtui's own config or data"
    return ""


def _shell(action: Action, policy: Policy, workspace: Path) -> Assessment:
    classified: CommandRisk = classify_command(action.args["command"], workspace)
    risk = classified.risk
    reasons = tuple(classified.reasons) or (f"classified as {risk}",)
    segments = tuple(classified.to_dict()["segments"])
    argvs = [seg.argv for seg in classified.segments if seg.argv]
    risks = _allowed_risks(classified.segments, workspace) if policy.rules else None
    verdict, rule = _rule_verdict(policy, argvs, workspace, risks, risk)
    if verdict is None:
        verdict = "auto" if risk in AUTO_RISKS[policy.mode] else "ask"
        rule = ""
    control = control_write(classified.writes, workspace) if verdict == "auto" else ""
    if control:  # in every mode and whatever the rules say
        verdict, rule = "ask", ""
        reasons = (f"{control}: never approved without asking", *reasons)
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
    risks: list[Risk] | None = [file_risk.risk] if inside else None
    verdict, rule = _rule_verdict(policy, [(action.tool,)], workspace, risks, file_risk.risk)
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


@dataclass(frozen=True)
class RuleDraft:
    """A rule "always allow" would save: its words, its ceiling and how it matches."""

    pattern: str
    risk: Risk
    match: MatchMode


def suggest_rule_drafts(assessment: Assessment, action: Action) -> list[RuleDraft]:
    """The rules "always allow" writes, each capped at the class the user approved:
    command + subcommand for harmless segments, the exact words, matched whole, for
    anything riskier (allowing `rm -rf build` must not allow all `rm`)."""
    if action.tool != "shell":
        return [RuleDraft(action.tool, assessment.risk, "prefix")]
    drafts: dict[str, RuleDraft] = {}
    for seg in assessment.segments:
        argv = [str(w) for w in seg.get("argv") or []]
        if not argv:
            continue
        risk = as_risk(seg.get("risk")) or "unknown"
        match: MatchMode = "prefix" if rank(risk) <= rank(PREFIX_CEILING) else "exact"
        if match == "prefix":
            keep = 2 if len(argv) > 1 and not argv[1].startswith("-") and "/" not in argv[1] else 1
            words = argv[:keep]
        else:
            words = argv
        pattern = " ".join(shlex.quote(w) for w in words)
        old = drafts.get(pattern)
        if old is None or rank(risk) < rank(old.risk):  # the same words twice: the lower class
            drafts[pattern] = RuleDraft(pattern, risk, match)
    return list(drafts.values())


def suggest_rules(assessment: Assessment, action: Action) -> list[str]:
    """The patterns of suggest_rule_drafts, as the gate shows them."""
    return [d.pattern for d in suggest_rule_drafts(assessment, action)]
