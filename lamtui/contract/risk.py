"""Risk classes, least to most strict, the verdicts the classifier returns, and the gate's
assessment of one action (`Assessment`, decided by `lamtui.safety.policy.assess`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

Risk = Literal[
    "read_only",
    "workspace_write",
    "sensitive_read",
    "unknown",
    "outside_write",
    "network",
    "destructive",
    "privileged",
]
# Least to most strict; the strictest segment decides. sensitive_read (reading credentials or
# the environment) ranks above workspace_write so `cp ~/.ssh/id_rsa key` is not a plain write;
# no mode but full-auto approves it.
RISK_ORDER: tuple[Risk, ...] = get_args(Risk)
RANK: dict[str, int] = {risk: rank for rank, risk in enumerate(RISK_ORDER)}
RISK_NAMED: dict[str, Risk] = {risk: risk for risk in RISK_ORDER}


def stricter(a: Risk, b: Risk) -> Risk:
    """The stricter of two risks."""
    return a if RANK[a] >= RANK[b] else b


@dataclass(frozen=True)
class Segment:
    """One simple command inside the whole command line."""

    text: str
    argv: tuple[str, ...]
    risk: Risk
    reasons: tuple[str, ...]
    writes: tuple[str, ...]
    privileged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "argv": list(self.argv),
            "risk": self.risk,
            "reasons": list(self.reasons),
            "writes": list(self.writes),
        }


@dataclass(frozen=True)
class CommandRisk:
    """The verdict on a whole command line: the strictest of its segments."""

    command: str
    risk: Risk
    segments: tuple[Segment, ...]
    reasons: tuple[str, ...]
    writes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": self.risk,
            "segments": [segment.to_dict() for segment in self.segments],
            "reasons": list(self.reasons),
            "writes": list(self.writes),
        }


def strictest(risks: Iterable[Risk]) -> Risk:
    result: Risk = "read_only"
    for risk in risks:
        result = stricter(result, risk)
    return result


# The gate's decision on one action: run without asking, ask, or refuse.
Verdict = Literal["auto", "ask", "deny"]


@dataclass(frozen=True)
class Assessment:
    """The gate's verdict on one action, the risk it found and why."""

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
