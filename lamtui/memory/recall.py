"""What recall returns: the compact block placed once in the task's first message, and
the items for the MemoryUsed event."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lamtui.memory.records import Entry, action_label

MAX_TEXT_CHARS = 1600  # the whole block; a small model's context is precious
MAX_ACTION_CHARS = 240
HEADER = "Memory (earlier tasks and what the user told you; use only what fits this request):"


@dataclass(frozen=True)
class Hit:
    entry: Entry
    similarity: float  # cosine similarity of the embeddings, -1..1
    lexical: float  # BM25 score (0 when no word is shared)
    score: float  # the fused rank score (z-scores over the candidates)

    def item(self) -> dict[str, Any]:
        return {
            "id": self.entry.id,
            "kind": self.entry.kind,
            "text": self.entry.summary(160),
            "score": round(self.similarity, 3),
            "lexical": round(self.lexical, 2),
            "source": self.entry.source,
        }


@dataclass(frozen=True)
class Recall:
    """`text` goes into the prompt (empty when nothing relevant was found); `items`
    describe what was used (id, kind, text, score) for the MemoryUsed event."""

    text: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The similar tasks' request, plan and actions, best match first: the prompt replays
    # them as worked examples (a small model copies an example far more than a note).
    demonstrations: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.text)


def _compact_action(action: dict[str, Any]) -> str:
    shown = {"tool": action.get("tool"), "args": action.get("args") or {}}
    text = json.dumps(shown, ensure_ascii=False)
    return text if len(text) <= MAX_ACTION_CHARS else text[: MAX_ACTION_CHARS - 1] + "…"


def render(tasks: list[Hit], facts: list[Hit], rejections: list[Hit]) -> str:
    """Demonstrations as the request and the actions that worked (in the action format
    the model writes), facts as bullets, rejections as warnings."""
    lines: list[str] = []
    for hit in tasks:
        data = hit.entry.data
        lines.append(f'Similar earlier request: "{hit.entry.text}"')
        plan = [str(s) for s in data.get("plan") or []]
        if plan:
            lines.append("  plan: " + "; ".join(plan))
        for action in data.get("actions") or []:
            lines.append("  action: " + _compact_action(action))
    if facts:
        lines.append("The user told you:")
        lines += [f"- {hit.entry.text}" for hit in facts]
    for hit in rejections:
        data = hit.entry.data
        reason = data.get("reason") or "no reason given"
        label = action_label(data.get("action") or {})
        lines.append(f'Avoid: for "{hit.entry.text}" the user rejected {label} ({reason}).')
    if not lines:
        return ""
    text = "\n".join([HEADER, *lines])
    if len(text) > MAX_TEXT_CHARS:
        text = text[: MAX_TEXT_CHARS - 1].rsplit("\n", 1)[0] + "\n…"
    return text
