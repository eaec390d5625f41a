"""User rules: allow / ask / deny patterns matched on parsed command segments.

A pattern is a command prefix in shell words: "git status" matches the segment
`git status -s` (after env-var prefixes, sudo and other wrappers are stripped by the
classifier), not `echo git status`. Words may use shell-style globs ("npm run *").
A tool name alone ("read_file", "write_file") matches that file tool.

Rules come from `[policy] allow/ask/deny` in config.toml and .lamtui.toml, and from
rules.toml in the config folder, which "always allow" writes and users can edit.
Precedence: deny > ask > allow.
"""

from __future__ import annotations

import fnmatch
import shlex
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lamtui.errors import ConfigError
from lamtui.paths import get_paths

RuleKind = Literal["allow", "ask", "deny"]
KINDS: tuple[RuleKind, ...] = ("deny", "ask", "allow")


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    pattern: str
    source: str  # the file (or "config") it came from

    @property
    def words(self) -> tuple[str, ...]:
        try:
            return tuple(shlex.split(self.pattern))
        except ValueError:
            return (self.pattern,)

    def matches_argv(self, argv: tuple[str, ...]) -> bool:
        words = self.words
        if not words or len(argv) < len(words):
            return False
        return all(fnmatch.fnmatchcase(a, w) for a, w in zip(argv, words, strict=False))

    def label(self) -> str:
        return f"{self.kind} {self.pattern!r} ({self.source})"


def rules_file() -> Path:
    return get_paths().config_dir / "rules.toml"


def load_saved_rules(path: Path | None = None) -> list[Rule]:
    path = path or rules_file()
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read rules: {exc}", "fix or delete the file") from None
    rules: list[Rule] = []
    for i, entry in enumerate(data.get("rule", [])):
        kind, pattern = entry.get("kind"), entry.get("pattern")
        if kind not in KINDS or not isinstance(pattern, str) or not pattern.strip():
            raise ConfigError(f"{path}: rule {i + 1} needs kind = allow|ask|deny and a pattern")
        rules.append(Rule(kind, pattern, str(path)))
    return rules


def rules_from_lists(
    allow: list[str], ask: list[str], deny: list[str], source: str = "config"
) -> list[Rule]:
    return (
        [Rule("deny", p, source) for p in deny]
        + [Rule("ask", p, source) for p in ask]
        + [Rule("allow", p, source) for p in allow]
    )


def save_rule(kind: RuleKind, pattern: str, note: str = "", path: Path | None = None) -> Rule:
    """Append a rule to rules.toml (human-readable; remove it by deleting its block)."""
    path = path or rules_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = load_saved_rules(path)
    if any(r.kind == kind and r.pattern == pattern for r in existing):
        return Rule(kind, pattern, str(path))
    block = (
        f"\n[[rule]]\nkind = {kind!r}\npattern = {_toml_string(pattern)}\n"
        f"added = {_toml_string(time.strftime('%Y-%m-%d %H:%M'))}\n"
    )
    if note:
        block += f"note = {_toml_string(note)}\n"
    if not path.exists():
        block = (
            '# lamtui policy rules: deny > ask > allow. Written by "always allow";\n'
            "# edit freely, or remove a rule with `lamtui policy forget PATTERN`.\n" + block
        )
    with path.open("a", encoding="utf-8") as fh:
        fh.write(block)
    return Rule(kind, pattern, str(path))


def forget_rule(pattern: str, path: Path | None = None) -> int:
    """Remove saved rules with this pattern; returns how many were removed."""
    path = path or rules_file()
    kept = [r for r in load_saved_rules(path) if r.pattern != pattern]
    removed = len(load_saved_rules(path)) - len(kept)
    if removed:
        path.write_text(
            "# lamtui policy rules: deny > ask > allow.\n"
            + "".join(
                f"\n[[rule]]\nkind = {r.kind!r}\npattern = {_toml_string(r.pattern)}\n"
                for r in kept
            ),
            encoding="utf-8",
        )
    return removed


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
