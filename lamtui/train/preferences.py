"""Preference pairs from the user's own decisions (issue 15, phase 4).

Each time the user rejected a proposed action, or edited it at the gate, lamtui learns
what they preferred in that moment:

* **edit**: the model's proposal (rejected) against the user's edited action (chosen),
  when the edited action ran and succeeded;
* **next**: a rejected proposal against the next action of the same task that the user
  approved and that succeeded (what the user did next).

The prompt is the conversation up to the rejected proposal, rendered exactly as every
other training example (train.examples), so the pair trains the same distribution the
agent samples from. The user's reason is kept beside the pair (it is context for a reader
and for the data card, not a target). Gate denials never make a pair: the gate is not a
preference to learn around. Every text is redacted again before it is written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lamtui.agent import prompts
from lamtui.lam.base import Message, Role
from lamtui.record.jsonl import ReadReport
from lamtui.record.trajectory import load_trajectories
from lamtui.safety.redact import Redactor, redact_tree
from lamtui.train.examples import Turn, conversation
from lamtui.train.trajectories import workspace_text

PairKind = Literal["edit", "next"]
# Below this many pairs preference optimisation has too little signal to beat plain
# supervised training on the approved trajectories (and DPO's reference pass doubles the
# cost per example): `lamtui train --from-trajectories` then trains supervised.
MIN_PAIRS_FOR_PREFERENCE = 16
_NOT_ACTIONS = ("finish", "ask_user")


@dataclass(frozen=True)
class PreferencePair:
    id: str
    kind: PairKind
    prompt: list[Message]  # up to, not including, the assistant turn that differs
    chosen: str  # the action JSON the user preferred
    rejected: str  # the action JSON the model proposed
    reason: str  # the user's words, when they gave any

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "prompt": [{"role": m.role, "content": m.content} for m in self.prompt],
            "chosen": self.chosen,
            "rejected": self.rejected,
            "reason": self.reason,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> PreferencePair:
        kind: PairKind = "edit" if data["kind"] == "edit" else "next"
        prompt = [Message(_role(m["role"]), str(m["content"])) for m in data["prompt"]]
        return PreferencePair(
            str(data["id"]), kind, prompt, str(data["chosen"]), str(data["rejected"]),
            str(data.get("reason", "")),
        )  # fmt: skip


def _role(value: object) -> Role:
    if value not in ("system", "user", "assistant"):
        raise ValueError(f"not a message role: {value!r}")
    return value  # type: ignore[return-value]


def _action(step: dict[str, Any], key: str) -> dict[str, Any]:
    value = step.get(key) or {}
    return value if isinstance(value, dict) else {}


def _turn(title: str, action: dict[str, Any], observation: str | None) -> Turn:
    args = {str(k): str(v) for k, v in (action.get("args") or {}).items()}
    return Turn(title, str(action.get("thought", "")), str(action.get("tool")), args, observation)


def _action_json(action: dict[str, Any]) -> str:
    turn = _turn("", action, None)
    return prompts.action_json(turn.thought, turn.tool, turn.args)


def _succeeded(step: dict[str, Any]) -> bool:
    decision = step.get("decision") or {}
    return (
        decision.get("kind") in ("approve", "edit") and (step.get("result") or {}).get("ok") is True
    )


def _next_success(steps: list[dict[str, Any]], after: int) -> dict[str, Any] | None:
    """The first later action the user approved and that succeeded, if the task went on."""
    for step in steps[after + 1 :]:
        tool = _action(step, "executed_action").get("tool") or _action(step, "action").get("tool")
        if tool in _NOT_ACTIONS:
            return None
        if _succeeded(step):
            return step
    return None


def pairs_from_record(
    record: dict[str, Any], redactor: Redactor | None = None
) -> list[PreferencePair]:
    """The preference pairs one trajectory record holds (none for a task without a user
    rejection or edit)."""
    request = str(record.get("request") or "").strip()
    steps = [s for s in record.get("steps") or [] if _action(s, "action").get("tool")]
    if not request:
        return []
    redact = redactor or Redactor()
    workspace = workspace_text(record)
    turns: list[Turn] = []
    pairs: list[PreferencePair] = []
    for i, step in enumerate(steps):
        proposed = _action(step, "action")
        if proposed.get("tool") in _NOT_ACTIONS:
            break
        decision = step.get("decision") or {}
        kind = decision.get("kind")
        title = str(step.get("step_title") or prompts.short_title(request))
        observation = str(step.get("observation") or "")
        chosen: dict[str, Any] | None = None
        pair_kind: PairKind = "edit"
        if kind == "edit" and _succeeded(step):
            chosen = _action(step, "executed_action")
        elif kind == "reject" and decision.get("by") == "user":
            later = _next_success(steps, i)
            if later is not None:
                chosen, pair_kind = (
                    _action(later, "executed_action") or _action(later, "action"),
                    "next",
                )
        if chosen:  # a reject counts only by the user; an edit is always theirs
            prompt = conversation(
                request, workspace, (), [*turns, _turn(title, proposed, None)], None
            )
            pair = PreferencePair(
                "", pair_kind, prompt[:-1], _action_json(chosen), _action_json(proposed),
                str(decision.get("reason") or ""),
            )  # fmt: skip
            if pair.chosen != pair.rejected:
                pairs.append(_finish(pair, record, i, redact))
        executed = _action(step, "executed_action") if kind == "edit" else proposed
        turns.append(_turn(title, executed or proposed, observation))
    return pairs


def _finish(
    pair: PreferencePair, record: dict[str, Any], step: int, redact: Redactor
) -> PreferencePair:
    """The pair redacted again (what was recorded may predate a secret the user added
    since) and named by its content, so the same pair from two exports is one pair."""
    data = redact_tree(pair.to_dict(), redact)
    body = json.dumps([data["prompt"], data["chosen"], data["rejected"]], sort_keys=True)
    data["id"] = f"pref-{record.get('id')}-{step}-{hashlib.sha1(body.encode()).hexdigest()[:8]}"
    return PreferencePair.from_dict(data)


def pairs_from_trajectories(
    path: Path | None = None, report: ReadReport | None = None, redactor: Redactor | None = None
) -> Iterator[PreferencePair]:
    """Every pair in the trajectory file; a corrupt line is skipped and counted in report."""
    redact = redactor or Redactor()
    for record in load_trajectories(path, report):
        yield from pairs_from_record(record, redact)


def choose_method(
    pairs: int, min_pairs: int = MIN_PAIRS_FOR_PREFERENCE
) -> tuple[Literal["dpo", "sft"], str]:
    """Preference optimisation when there are enough pairs (`--min-pairs`, either way from
    the default), else supervised; and why."""
    if pairs >= min_pairs:
        return "dpo", f"{pairs} preference pairs (at least {min_pairs})"
    return "sft", (
        f"only {pairs} preference pair(s) (DPO needs at least {min_pairs}, --min-pairs); "
        "training on the approved, successful trajectories instead"
    )


def write_pairs(pairs: Iterable[PreferencePair], out: Path) -> int:
    """Write pairs as JSON lines (deduplicated by id) to a temporary file, then rename."""
    seen: set[str] = set()
    tmp = out.with_suffix(out.suffix + ".part")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", encoding="utf-8") as handle:
        for pair in pairs:
            if pair.id not in seen:
                seen.add(pair.id)
                handle.write(json.dumps(pair.to_dict(), ensure_ascii=False) + "\n")
    tmp.replace(out)
    return len(seen)
