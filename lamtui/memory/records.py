"""What a memory entry is, and how trajectories, rejections and facts become entries.

An entry has a kind (task, fact, rejection), the text that is embedded (the request for
tasks and rejections, the statement for facts), a payload, and the text the lexical
index sees. Everything is redacted before it is built into an entry.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from lamtui.contract.schema import Action
from lamtui.safety.redact import redact_tree

Kind = Literal["task", "fact", "rejection"]
KINDS: tuple[Kind, ...] = ("task", "fact", "rejection")
EXECUTED_TOOLS = frozenset({"shell", "read_file", "write_file", "edit_file", "list_dir"})
APPROVED = frozenset({"approve", "edit"})
MAX_TEXT = 2000  # longer requests/facts are cut before they are stored

Redact = Callable[[str], str]


@dataclass(frozen=True)
class Entry:
    id: str
    kind: Kind
    text: str  # embedded
    data: dict[str, Any]
    source: str  # seed | task | user | import
    created: float = field(default_factory=time.time)

    @property
    def lexical(self) -> str:
        """What the keyword index sees: the request plus the plan and the actions."""
        parts = [self.text]
        if self.kind == "task":
            parts += [str(s) for s in self.data.get("plan", [])]
            for action in self.data.get("actions", []):
                parts.append(str(action.get("thought", "")))
                parts += [str(v) for v in (action.get("args") or {}).values()]
        elif self.kind == "rejection":
            action = self.data.get("action") or {}
            parts += [str(v) for v in (action.get("args") or {}).values()]
            parts.append(str(self.data.get("reason", "")))
        return " ".join(parts)

    @property
    def norm(self) -> str:
        return normalize(self.text)

    def metadata(self) -> dict[str, str | int | float | bool]:
        return {
            "kind": self.kind,
            "source": self.source,
            "created": self.created,
            "norm": self.norm,
            "data": json.dumps(self.data, ensure_ascii=False),
        }

    @classmethod
    def from_stored(cls, entry_id: str, text: str, meta: dict[str, Any]) -> Entry:
        kind = meta.get("kind")
        if kind not in KINDS:
            raise ValueError(f"{entry_id}: unknown kind {kind!r}")
        data = json.loads(str(meta.get("data") or "{}"))
        if not isinstance(data, dict):
            raise ValueError(f"{entry_id}: payload is not an object")
        return cls(
            entry_id, kind, text, data, str(meta.get("source", "")), float(meta.get("created", 0))
        )

    def to_json(self) -> dict[str, Any]:
        """One line of `lamtui memory export`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "source": self.source,
            "created": self.created,
            "data": self.data,
        }

    def summary(self, width: int = 100) -> str:
        if self.kind == "task":
            steps = "; ".join(action_label(a) for a in self.data.get("actions", []))
            line = f"{self.text} -> {steps}"
        elif self.kind == "rejection":
            reason = self.data.get("reason") or "no reason given"
            line = (
                f"{self.text} -> rejected {action_label(self.data.get('action') or {})}: {reason}"
            )
        else:
            line = self.text
        line = " ".join(line.split())
        return line if len(line) <= width else line[: width - 1] + "…"


def normalize(text: str) -> str:
    """Case, punctuation and spacing do not make two memories different."""
    words = (w.rstrip(".") for w in re.findall(r"[\w~./-]+", text.casefold()))
    return " ".join(w for w in words if w)


def entry_id(kind: Kind, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{kind}:{digest}"


def action_label(action: dict[str, Any]) -> str:
    """A short human form: the command for shell, tool(path) for the others."""
    tool = str(action.get("tool", "?"))
    args = action.get("args") or {}
    if tool == "shell":
        return f"`{args.get('command', '')}`"
    if "path" in args:
        return f"{tool} {args['path']}"
    return tool


def _clean_action(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    try:
        action = Action.model_validate(raw)
    except ValidationError:
        return None
    if action.tool not in EXECUTED_TOOLS:
        return None
    data = action.model_dump(mode="json")
    data["plan_update"] = None  # a revision made sense in that task, not in a new one
    return data


def _final_plan(record: dict[str, Any]) -> list[str]:
    plans = record.get("plans") or []
    if not plans:
        return []
    plan = (plans[-1] or {}).get("plan") or {}
    steps = [
        step
        for sub in plan.get("subtasks") or []
        for step in sub.get("steps") or []
        if isinstance(step, dict)
    ]
    done = [str(s.get("title", "")) for s in steps if s.get("status") == "done"]
    return [t for t in (done or [str(s.get("title", "")) for s in steps]) if t]


def result_rejected(record: dict[str, Any]) -> bool:
    """The user turned down the task's result. The recorder has no such field yet, so a
    front end can set any of these on the record before remember_task()."""
    feedback = record.get("feedback")
    if isinstance(feedback, dict):
        feedback = feedback.get("result")
    return bool(record.get("result_rejected")) or feedback in ("rejected", "bad", "wrong")


def task_entry(record: dict[str, Any], redact: Redact) -> Entry | None:
    """A finished task whose result the user did not reject, with only the actions that
    were approved (or edited) and succeeded, as they were actually run. None otherwise."""
    if record.get("outcome") != "finished" or result_rejected(record):
        return None
    request = str(record.get("request") or "").strip()
    if not request:
        return None
    actions: list[dict[str, Any]] = []
    for step in record.get("steps") or []:
        if not isinstance(step, dict):
            continue
        decision = step.get("decision") or {}
        result = step.get("result") or {}
        if decision.get("kind") not in APPROVED or not result or not result.get("ok"):
            continue
        action = _clean_action(step.get("executed_action") or step.get("action"))
        if action is not None:
            actions.append(action)
    if not actions:
        return None  # nothing was done: not a demonstration of anything
    data = redact_tree(
        {
            "request": request[:MAX_TEXT],
            "plan": _final_plan(record),
            "actions": actions,
            "outcome": "finished",
            "task_id": str(record.get("id", "")),
            "summary": str(record.get("summary", ""))[:500],
        },
        redact,
    )
    text = data["request"]
    return Entry(entry_id("task", normalize(text)), "task", text, data, "task")


def seed_entry(seed_id: str, record: dict[str, Any]) -> Entry:
    return Entry(f"seed:{seed_id}", "task", record["request"], record, "seed", 0.0)


def fact_entry(text: str, redact: Redact, source: str = "user") -> Entry | None:
    text = redact(" ".join(text.split()))[:MAX_TEXT]
    if not text:
        return None
    return Entry(entry_id("fact", normalize(text)), "fact", text, {"text": text}, source)


def rejection_entry(
    action: dict[str, Any], reason: str, request: str, redact: Redact
) -> Entry | None:
    request = " ".join(request.split())
    if not request or not isinstance(action, dict) or not action.get("tool"):
        return None
    clean = {
        "tool": str(action.get("tool")),
        "args": {str(k): str(v) for k, v in (action.get("args") or {}).items()},
    }
    data = redact_tree(
        {"request": request[:MAX_TEXT], "action": clean, "reason": reason.strip()[:500]}, redact
    )
    key = json.dumps(data["action"], sort_keys=True)
    text = data["request"]
    return Entry(entry_id("rejection", normalize(text), key), "rejection", text, data, "user")


def entry_from_json(raw: Any, redact: Redact) -> Entry:
    """An exported line back into an entry (redacted again: the file may come from
    elsewhere). Raises ValueError for lines that are not memories."""
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    kind, text, data = raw.get("kind"), raw.get("text"), raw.get("data")
    if kind not in KINDS or not isinstance(text, str) or not text.strip():
        raise ValueError("needs kind (task, fact or rejection) and a non-empty text")
    if not isinstance(data, dict):
        raise ValueError("needs a data object")
    source = str(raw.get("source") or "import")
    created = float(raw.get("created", time.time()) or 0.0)
    if kind == "fact":
        entry = fact_entry(text, redact, source)
        if entry is None:
            raise ValueError("empty fact")
        return Entry(entry.id, "fact", entry.text, entry.data, source, created)
    if kind == "rejection":
        rejected = rejection_entry(
            data.get("action") or {}, str(data.get("reason", "")), text, redact
        )
        if rejected is None:
            raise ValueError("a rejection needs data.action with a tool")
        return Entry(rejected.id, "rejection", rejected.text, rejected.data, source, created)
    actions = [a for a in (_clean_action(a) for a in data.get("actions") or []) if a]
    if not actions:
        raise ValueError("a task needs data.actions in lamtui's action format")
    payload = redact_tree(
        {
            "request": text,
            "plan": [str(s) for s in data.get("plan") or []],
            "actions": actions,
            "outcome": "finished",
        },
        redact,
    )
    raw_id = str(raw.get("id") or "")
    new_id = (
        raw_id if raw_id.startswith("seed:") else entry_id("task", normalize(payload["request"]))
    )
    return Entry(new_id, "task", payload["request"], payload, source, created)
