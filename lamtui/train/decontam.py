"""Decontamination against the evaluation suites (builtin and InterCode-Bash), by wording
and by command, with the memory seeds' criteria (memory.disjoint), made fast enough for
40k pairs: an inverted index finds the queries that share words before any comparison."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

from lamtui.memory.disjoint import TEXT_JACCARD, TEXT_RATIO, _content


def _normal_command(cmd: str) -> str:
    return re.sub(r"\s+", " ", cmd.strip())


def eval_items() -> list[tuple[str, str]]:
    """(request, gold command) of every evaluation task lamtui ships."""
    items: list[tuple[str, str]] = []
    root = resources.files("lamtui.eval") / "data"
    builtin = tomllib.loads((root / "builtin.toml").read_text(encoding="utf-8"))
    for task in builtin.get("task", []):
        solution = task.get("solution") or []
        commands = [solution] if isinstance(solution, str) else [str(c) for c in solution]
        items.append((str(task["request"]), ""))
        items.extend(("", command) for command in commands)
    for path in sorted((root / "intercode_bash").iterdir(), key=lambda p: p.name):
        if path.name.endswith(".json"):
            for task in json.loads(path.read_text(encoding="utf-8")):
                items.append((str(task["query"]), str(task.get("gold") or "")))
    return items


@dataclass
class Decontaminator:
    queries: list[str]
    commands: set[str]
    _words: list[set[str]] = field(default_factory=list)
    _content: list[str] = field(default_factory=list)
    _index: dict[str, list[int]] = field(default_factory=dict)

    @staticmethod
    def from_suites() -> Decontaminator:
        items = eval_items()
        queries = [q for q, _ in items if q]
        made = Decontaminator(queries, {_normal_command(c) for _, c in items if c})
        made._build()
        return made

    def _build(self) -> None:
        for i, query in enumerate(self.queries):
            content = _content(query)
            words = set(content.split())
            self._content.append(content)
            self._words.append(words)
            for word in words:
                self._index.setdefault(word, []).append(i)

    def reason(self, request: str, command: str) -> str | None:
        """Why this pair is too close to an evaluation task, or None."""
        if _normal_command(command) in self.commands:
            return "gold command"
        content = _content(request)
        words = set(content.split())
        candidates: set[int] = set()
        for word in words:
            candidates.update(self._index.get(word, ()))
        for i in candidates:
            union = words | self._words[i]
            if union and len(words & self._words[i]) / len(union) >= TEXT_JACCARD:
                return f"wording ~ {self.queries[i]!r}"
            matcher = difflib.SequenceMatcher(None, content, self._content[i])
            if (
                matcher.real_quick_ratio() >= TEXT_RATIO
                and matcher.quick_ratio() >= TEXT_RATIO
                and matcher.ratio() >= TEXT_RATIO
            ):
                return f"characters ~ {self.queries[i]!r}"
        return None

    def clean(self, pairs: Iterable[tuple[str, str]]) -> list[str | None]:
        return [self.reason(nl, cmd) for nl, cmd in pairs]
