"""User rules: allow / ask / deny patterns matched on parsed command segments.

A pattern is a command prefix in shell words: "git status" matches the segment
`git status -s` (after env-var prefixes, sudo and other wrappers are stripped by the
classifier), not `echo git status`. Words may use shell-style globs ("npm run *").
A tool name alone ("read_file", "write_file") matches that file tool.

An allow rule never approves more than a risk class (its ceiling): a command it matches
is approved only when the classifier puts it, and each of its segments, at or below
that class. "Always allow" records the class the user approved (`risk = ...` in
rules.toml) and saves the exact words, matched whole and literally, for anything above
a workspace write. A saved rule without a class is a read_only rule (fail closed). A
rule written by hand in a config list has its own words' class as its ceiling.

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

from lamtui.contract.risk import RISK_ORDER, Risk
from lamtui.errors import ConfigError
from lamtui.paths import get_paths
from lamtui.safety.risk import classify_command

RuleKind = Literal["allow", "ask", "deny"]
MatchMode = Literal["prefix", "exact"]
KINDS: tuple[RuleKind, ...] = ("deny", "ask", "allow")
# The classes a prefix may stand for: past these, a rule is about one exact command
# (`rm -rf build` must not also allow `rm -rf build ~`).
PREFIX_CEILING: Risk = "workspace_write"
# A hand-written rule whose own words fall in these classes matches only those words.
_EXACT_CLASSES = frozenset({"outside_write", "network", "destructive", "privileged"})
# File tools named by a hand-written rule: what the tool does inside the workspace.
_TOOL_CLASS: dict[str, Risk] = {
    "read_file": "read_only",
    "list_dir": "read_only",
    "write_file": "workspace_write",
    "edit_file": "workspace_write",
}
LEGACY_CLASS: Risk = "read_only"  # saved rules from before classes were recorded


_RANK: dict[str, int] = {risk: i for i, risk in enumerate(RISK_ORDER)}
_NAMED: dict[str, Risk] = {risk: risk for risk in RISK_ORDER}


def as_risk(value: object) -> Risk | None:
    """The risk class this value names, or None."""
    return _NAMED.get(value) if isinstance(value, str) else None


def rank(risk: str) -> int:
    """Position in RISK_ORDER; anything unrecognised ranks above the strictest."""
    return _RANK.get(risk, len(RISK_ORDER))


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    pattern: str
    source: str  # the file (or "config") it came from
    # An allow rule's ceiling. None: a hand-written config rule, whose ceiling is the
    # class of its own words (resolved per workspace, see ceiling()).
    risk: Risk | None = None
    match: MatchMode | None = None  # None: prefix, or exact when the ceiling says so
    glob: bool = True  # words are shell globs; saved rules compare words literally
    note: str = ""
    added: str = ""
    cap: Risk | None = None  # never above this class, whatever the words (project rules)

    @property
    def words(self) -> tuple[str, ...]:
        try:
            return tuple(shlex.split(self.pattern))
        except ValueError:
            return (self.pattern,)

    def matches_argv(self, argv: tuple[str, ...], exact: bool = False) -> bool:
        words = self.words
        if not words or len(argv) < len(words) or (exact and len(argv) != len(words)):
            return False
        if not self.glob:
            return argv[: len(words)] == words
        return all(fnmatch.fnmatchcase(a, w) for a, w in zip(argv, words, strict=False))

    def ceiling(self, workspace: Path) -> tuple[Risk, bool]:
        """(the highest class this allow rule approves, whether only whole commands match)."""
        if self.risk is not None:
            risk = self.risk
        elif self.pattern in _TOOL_CLASS:
            risk = _TOOL_CLASS[self.pattern]
        else:
            risk = classify_command(self.pattern, workspace).risk
        if self.cap is not None and rank(risk) > rank(self.cap):
            return self.cap, False  # a prefix up to the cap: `rm -rf build` allows nothing
        exact = self.match == "exact" if self.match else risk in _EXACT_CLASSES
        return risk, exact

    def allows(self, argv: tuple[str, ...], risk: str, workspace: Path) -> bool:
        """An allow rule approves this segment: its words match and it is within class."""
        if self.kind != "allow":
            return False
        ceiling, exact = self.ceiling(workspace)
        return rank(risk) <= rank(ceiling) and self.matches_argv(argv, exact)

    def label(self) -> str:
        if self.kind == "allow" and self.cap is not None:
            return (
                f"{self.kind} {self.pattern!r} (up to {self.cap}: a project file's; {self.source})"
            )
        if self.kind != "allow" or self.risk is None:
            return f"{self.kind} {self.pattern!r} ({self.source})"
        scope = "exactly, " if self.match == "exact" else ""
        return f"{self.kind} {self.pattern!r} ({scope}up to {self.risk}; {self.source})"


def rules_file() -> Path:
    return get_paths().config_dir / "rules.toml"


def load_saved_rules(path: Path | None = None) -> list[Rule]:
    path = path or rules_file()
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read rules: {exc}", "fix or delete the file") from None
    return [_parse(entry, i, path) for i, entry in enumerate(data.get("rule", []))]


def _parse(entry: object, i: int, path: Path) -> Rule:
    where = f"{path}: rule {i + 1}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} is not a table")
    kind, pattern = entry.get("kind"), entry.get("pattern")
    if kind not in KINDS or not isinstance(pattern, str) or not pattern.strip():
        raise ConfigError(f"{where} needs kind = allow|ask|deny and a pattern")
    risk = as_risk(entry.get("risk", LEGACY_CLASS))
    if risk is None:
        raise ConfigError(f"{where}: risk must be one of {', '.join(RISK_ORDER)}")
    match: MatchMode
    if entry.get("match", "prefix") == "exact":
        match = "exact"
    elif entry.get("match", "prefix") == "prefix":
        match = "prefix"
    else:
        raise ConfigError(f"{where}: match must be prefix or exact")
    glob = entry.get("glob", True)
    if not isinstance(glob, bool):
        raise ConfigError(f"{where}: glob must be true or false")
    return Rule(
        kind,
        pattern,
        str(path),
        risk=risk,
        match=match,
        glob=glob,
        note=str(entry.get("note", "")),
        added=str(entry.get("added", "")),
    )


def rules_from_lists(
    allow: list[str],
    ask: list[str],
    deny: list[str],
    source: str = "config",
    capped: dict[str, str] | None = None,
) -> list[Rule]:
    """Rules from config lists. `capped`: allow patterns a project file gave (pattern ->
    that file), which never approve more than a workspace write."""
    capped = capped or {}
    return (
        [Rule("deny", p, source) for p in deny]
        + [Rule("ask", p, source) for p in ask]
        + [
            Rule("allow", p, capped[p], cap=PREFIX_CEILING)
            if p in capped
            else Rule("allow", p, source)
            for p in allow
        ]
    )


def save_rule(
    kind: RuleKind,
    pattern: str,
    note: str = "",
    path: Path | None = None,
    *,
    risk: Risk = LEGACY_CLASS,
    match: MatchMode = "prefix",
) -> Rule:
    """Append a rule to rules.toml (human-readable; remove it by deleting its block).
    Saved words are literal: a `*` the user approved is that word, not a glob."""
    path = path or rules_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    rule = Rule(
        kind,
        pattern,
        str(path),
        risk=risk,
        match=match,
        glob=False,
        note=note,
        added=time.strftime("%Y-%m-%d %H:%M"),
    )
    for old in load_saved_rules(path):
        if (old.kind, old.pattern, old.risk, old.match, old.glob) == (
            kind,
            pattern,
            risk,
            match,
            False,
        ):
            return old
    block = _block(rule)
    if not path.exists():
        block = _HEADER + block
    with path.open("a", encoding="utf-8") as fh:
        fh.write(block)
    return rule


def forget_rule(pattern: str, path: Path | None = None) -> int:
    """Remove saved rules with this pattern; returns how many were removed."""
    path = path or rules_file()
    rules = load_saved_rules(path)
    kept = [r for r in rules if r.pattern != pattern]
    removed = len(rules) - len(kept)
    if removed:
        path.write_text(_HEADER + "".join(_block(r) for r in kept), encoding="utf-8")
    return removed


_HEADER = (
    '# lamtui policy rules: deny > ask > allow. Written by "always allow";\n'
    "# edit freely, or remove a rule with `lamtui policy forget PATTERN`.\n"
    "# risk: the most an allow rule approves (read_only when absent); match = exact: only\n"
    "# these whole words; glob = false: words are literal.\n"
)


def _block(rule: Rule) -> str:
    block = f"\n[[rule]]\nkind = {rule.kind!r}\npattern = {_toml_string(rule.pattern)}\n"
    if rule.risk is not None:
        block += f"risk = {rule.risk!r}\n"
    block += f"match = {(rule.match or 'prefix')!r}\nglob = {'true' if rule.glob else 'false'}\n"
    if rule.added:
        block += f"added = {_toml_string(rule.added)}\n"
    if rule.note:
        block += f"note = {_toml_string(rule.note)}\n"
    return block


def _toml_string(text: str) -> str:
    """A TOML basic string; control characters (which TOML forbids raw) as escapes."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
