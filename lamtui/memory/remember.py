"""Requests that ask lamtui to remember something ("remember that my projects live in
~/code") rather than to act."""

from __future__ import annotations

import re

_LEAD = r"^\s*(?:(?:hey|ok|okay)[,!]?\s+)?(?:(?:please|pls)[,]?\s+)?"
_PATTERNS = (
    re.compile(_LEAD + r"remember\s*(?:that\b|:|,|\s-\s)?\s*(?P<fact>.+)$", re.I | re.S),
    re.compile(_LEAD + r"(?:don'?t|do not) forget\s*(?:that\b|:|,)?\s*(?P<fact>.+)$", re.I | re.S),
    re.compile(_LEAD + r"keep in mind\s*(?:that\b|:|,)?\s*(?P<fact>.+)$", re.I | re.S),
    re.compile(_LEAD + r"note for the future\s*[:,]?\s*(?P<fact>.+)$", re.I | re.S),
)
# "remember to X" is an instruction to keep ("use podman"), not a task for now.
_TO = re.compile(r"^to\s+", re.I)
# Questions about memory are not facts to store.
_QUESTION_START = re.compile(r"^(?:what|which|who|when|where|why|how|whether|if)\b", re.I)


def is_remember_request(request: str) -> str | None:
    """The fact to store when the request asks to remember one, else None."""
    text = request.strip()
    if not text or text.endswith("?"):
        return None
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        fact = match.group("fact").strip().rstrip(".!").strip()
        fact = _TO.sub("", fact)
        if len(fact) < 3 or _QUESTION_START.match(fact):
            return None
        return fact
    return None
