"""Redaction: secret values and common credential patterns are removed from everything
that is shown, logged, stored or sent to the model."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

PLACEHOLDER = "{{{{secret:{name}}}}}"
REDACTED = "[REDACTED]"

# Common credential shapes (kept conservative: a false positive only hides text).
PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"),  # GitHub
    re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}"),  # OpenAI / Anthropic style
    re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),  # Slack
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),  # Google API key
    re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}"),  # GitLab
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),  # JWT
)
# user:password@ in URLs, and key=value / key: value assignments of secret-looking keys.
URL_PASSWORD = re.compile(
    r"(?P<pre>[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]+:)(?P<secret>[^@\s/]+)(?=@)"
)
ASSIGNMENT = re.compile(
    r"(?P<pre>\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth)"
    r"[\"']?\s*[:=]\s*[\"']?)(?P<secret>[^\s\"'&;,]{4,})",
    re.IGNORECASE,
)


class Redactor:
    """Knows the secret values in play; replaces each with its {{secret:NAME}} placeholder."""

    def __init__(self, secrets: dict[str, str] | None = None) -> None:
        self._values: dict[str, str] = {}
        for name, value in (secrets or {}).items():
            self.add(name, value)

    def add(self, name: str, value: str) -> None:
        if len(value) >= 4:  # shorter values would redact ordinary words
            self._values[value] = PLACEHOLDER.format(name=name)

    def names(self) -> Iterable[str]:
        return self._values.values()

    def __call__(self, text: str) -> str:
        if not text:
            return text
        # Longest first, so a secret that contains another is replaced whole.
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, self._values[value])
        for pattern in PATTERNS:
            text = pattern.sub(REDACTED, text)
        text = URL_PASSWORD.sub(lambda m: m.group("pre") + REDACTED, text)
        return ASSIGNMENT.sub(
            lambda m: (
                m.group(0)
                if m.group("secret").startswith("{{secret:")
                else m.group("pre") + REDACTED
            ),
            text,
        )


def redact_tree(value: Any, redact: Callable[[str], str]) -> Any:
    """Apply a redactor to every string inside nested lists and dicts (records)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_tree(v, redact) for v in value]
    if isinstance(value, dict):
        return {k: redact_tree(v, redact) for k, v in value.items()}
    return value
