"""Redaction: secret values and common credential patterns are removed from everything
that is shown, logged, stored or sent to the model.

A known value is found in each of its forms (safety/redact_forms.py: the value, JSON-
and URL-escaped, reversed, base64 at any alignment, hex). `{{secret:NAME}}` placeholders
and the redactor's own markers are never redacted into: they are masked while the
replacements run, so a value or a pattern that happens to match part of one cannot break
it. Text is redacted before it is cut (`redact_cut`), streams are released only where no
form can straddle the boundary (`release_point`), and the ends of text that some caller
may have cut already lose any partial form they show (`EDGE_MIN` characters or more)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import Any

from lamtui.safety.redact_forms import MARKED_KINDS, MIN_FORM, SQUEEZE, Form, forms_of

PLACEHOLDER = "{{{{secret:{name}}}}}"
REDACTED = "[REDACTED]"
MARKER = "[REDACTED:{name}:{kind}]"  # a transformed form: not a placeholder, never revealed
MIN_VALUE = 4  # shorter values would redact ordinary words
EDGE_MIN = 4  # a partial form this long at a cut edge is hidden
EDGE_TEXT_MIN = 64  # shorter strings are whole (the code's cuts are all longer)
HOLD_MAX = 256  # how much of a stream's tail waits for the rest of its last words
KEY_HOLD_MAX = 16384  # an unfinished private key block waits this long at most

_NAME = r"[A-Za-z0-9_.\-]+"
PROTECTED = re.compile(
    r"\{\{secret:(?P<ref>" + _NAME + r")\}\}"
    # Only the marker's own kinds: a free-form kind would let `[REDACTED:NAME:<value>]` pass.
    r"|\[REDACTED(?::(?P<mark>" + _NAME + r"):(?:" + "|".join(MARKED_KINDS) + r"))?\]"
)
# The code marks what it cut with "[… … …]" on a line of its own: both sides are edges.
CUT_BEFORE = re.compile(r"\n\[…")
CUT_AFTER = re.compile(r"…\]\n")
# Masks: one private-use character per protected span while the replacements run.
_MASK_FIRST, _MASK_LAST = 0xF0000, 0x10FFFD
_MASKS = re.compile("[\U000f0000-\U0010fffd]")

# Common credential shapes (kept conservative: a false positive only hides text).
PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"),  # GitHub
    re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}"),  # OpenAI / Anthropic style
    re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),  # Slack
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),  # Google API key
    re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}"),  # GitLab
    re.compile(
        r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,16384}?"
        r"-----END [A-Z ]{0,40}PRIVATE KEY-----"
    ),
    re.compile(r"\beyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),  # JWT
)
# user:password@ in URLs, and key=value / key: value assignments of secret-looking keys.
# Repetitions are bounded: an unbounded scheme made a long word cost quadratic time.
URL_PASSWORD = re.compile(
    r"(?P<pre>\b[a-zA-Z][a-zA-Z0-9+.\-]{0,31}://[^/\s:@]{1,256}:)(?P<secret>[^@\s/]{1,256})(?=@)"
)
ASSIGNMENT = re.compile(
    r"(?P<pre>\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth)"
    r"[\"']?\s*[:=]\s*[\"']?)(?P<secret>[^\s\"'&;,]{4,})",
    re.IGNORECASE,
)
# Each pattern is tried only when text holds a string it cannot match without (most of
# these regexes scan slowly, a whole saved output at a time).
_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {
    PATTERNS[0]: ("_",),
    PATTERNS[1]: ("sk-",),
    PATTERNS[2]: ("xox",),
    PATTERNS[3]: ("AKIA",),
    PATTERNS[4]: ("AIza",),
    PATTERNS[5]: ("glpat-",),
    PATTERNS[6]: ("-----BEGIN",),
    PATTERNS[7]: ("eyJ",),
    URL_PASSWORD: ("://",),
}
_ASSIGNMENT_WORDS = ("pass", "pwd", "secret", "token", "api", "access", "auth")


def _patterns_for(text: str) -> list[re.Pattern[str]]:
    found = [p for p in (*PATTERNS, URL_PASSWORD) if any(n in text for n in _NEEDS[p])]
    lowered = text.lower()
    if any(word in lowered for word in _ASSIGNMENT_WORDS):
        found.append(ASSIGNMENT)
    return found


_LAST_WORDS = re.compile(r"(?:\S+\s+){0,2}\S*\Z")


class _Masked:
    """Text with protected spans (and finished replacements) swapped for single mask
    characters, so that later replacements cannot reach into them."""

    def __init__(self, text: str) -> None:
        self.spans: list[str] = []
        self.original = text
        # The input's own mask characters are not ours (they never occur in practice).
        self.text = _MASKS.sub("\ufffd", text) if _MASKS.search(text) else text

    def stash(self, shown: str) -> str:
        index = _MASK_FIRST + len(self.spans)
        if index > _MASK_LAST:
            return shown  # out of masks (never in practice): left unprotected
        self.spans.append(shown)
        return chr(index)

    def hide_secret(self, secret: str) -> str:
        """A pattern's secret group: every run outside a mask becomes [REDACTED]."""
        return re.sub("[^\U000f0000-\U0010fffd]+", lambda m: self.stash(REDACTED), secret)

    def unmask(self) -> str:
        if not self.spans:
            return self.original
        return _MASKS.sub(lambda m: self.spans[ord(m.group(0)) - _MASK_FIRST], self.text)


class Redactor:
    """Knows the secret values in play; replaces each with its {{secret:NAME}} placeholder
    (a transformed form with a [REDACTED:NAME:kind] marker)."""

    def __init__(self, secrets: dict[str, str] | None = None) -> None:
        self._values: dict[str, str] = {}  # value -> name
        self._forms: list[tuple[Form, str]] = []  # (form, replacement), longest first
        self._replacement: dict[str, str] = {}  # a form's text -> its replacement
        for name, value in (secrets or {}).items():
            self.add(name, value)

    def add(self, name: str, value: str) -> None:
        if len(value) < MIN_VALUE or self._values.get(value) == name:
            return
        self._values[value] = name
        forms: dict[str, tuple[Form, str]] = {}
        for known, known_name in sorted(self._values.items(), key=lambda kv: -len(kv[0])):
            for form in forms_of(known):
                if form.text not in forms:
                    shown = (
                        PLACEHOLDER.format(name=known_name)
                        if form.kind not in MARKED_KINDS
                        else MARKER.format(name=known_name, kind=form.kind)
                    )
                    forms[form.text] = (form, shown)
        self._forms = sorted(forms.values(), key=lambda fs: len(fs[0].text), reverse=True)
        self._replacement = {form.text: shown for form, shown in self._forms}

    def names(self) -> Iterable[str]:
        return sorted(set(self._values.values()))

    def __call__(self, text: str) -> str:
        return self.redact(text)

    # -- redaction -------------------------------------------------------------------

    def redact(self, text: str, edges: bool = True) -> str:
        if not text:
            return text
        masked = _Masked(text)
        masked.text = PROTECTED.sub(
            lambda m: masked.stash(m.group(0)) if self._protects(m) else m.group(0), masked.text
        )
        # Longest form first, one at a time: a value that contains another is replaced
        # whole, and an overlapping shorter one cannot split it.
        for form, shown in self._present(masked.text):
            mask = masked.stash(shown)
            if form.gap:
                masked.text = re.sub(form.pattern(), mask, masked.text)
            else:
                masked.text = masked.text.replace(form.text, mask)
        patterns = _patterns_for(masked.text)
        for pattern in (p for p in PATTERNS if p in patterns):
            masked.text = pattern.sub(lambda m: masked.stash(REDACTED), masked.text)
        for pattern in (p for p in (URL_PASSWORD, ASSIGNMENT) if p in patterns):
            masked.text = pattern.sub(
                lambda m: m.group("pre") + masked.hide_secret(m.group("secret")), masked.text
            )
        text = self._sweep(masked.unmask())
        return self._edges(text) if edges else text

    def _protects(self, match: re.Match[str]) -> bool:
        """A placeholder or marker is kept whole unless its name carries a known form
        (then it is only shaped like one: `{{secret:<the value>}}` must not pass)."""
        name = match.group("ref") or match.group("mark")
        if name is None or name in self._values.values():
            return True
        return not self._present(name)

    def _present(self, text: str) -> list[tuple[Form, str]]:
        """The forms that occur in text (those with gaps, in text without them)."""
        found = [(f, s) for f, s in self._forms if not f.gap and f.text in text]
        squeezed: dict[str, str] = {}
        for form, shown in self._forms:
            if form.gap:
                if form.gap not in squeezed:
                    squeezed[form.gap] = re.sub(SQUEEZE[form.gap], "", text)
                if form.text in squeezed[form.gap]:
                    found.append((form, shown))
        found.sort(key=lambda fs: len(fs[0].text), reverse=True)
        return found

    def _loose(self, text: str) -> list[tuple[int, int]]:
        """Spans of known forms that are not inside a kept placeholder or marker."""
        present = self._present(text)
        if not present:
            return []
        kept = [m.span() for m in PROTECTED.finditer(text) if self._protects(m)]
        spans: list[tuple[int, int]] = []
        for form, _ in present:
            for m in re.finditer(form.pattern(), text):
                s, e = m.span()
                if not any(ks <= s and e <= ke for ks, ke in kept):
                    spans.append((s, e))
        return spans

    def _sweep(self, text: str) -> str:
        """Fail closed: a form that survived (it straddled a placeholder) is hidden even
        if that breaks the placeholder."""
        for _ in range(3):
            spans = self._loose(text)
            if not spans:
                return text
            text = _replace_spans(text, spans)
        return text

    def _edges(self, text: str) -> str:
        """Hide a partial form at a place where text may have been cut."""
        if not self._forms:
            return text
        edges = [m.start() for m in CUT_BEFORE.finditer(text)]
        edges += [m.end() for m in CUT_AFTER.finditer(text)]
        if len(text) >= EDGE_TEXT_MIN:
            edges += [0, len(text)]
        spans: list[tuple[int, int]] = []
        for at in edges:
            spans += self._partials_at(text, at)
        if not spans:
            return text
        kept = [m.span() for m in PROTECTED.finditer(text)]
        spans = [(s, e) for s, e in spans if not any(s < ke and ks < e for ks, ke in kept)]
        return _replace_spans(text, spans)

    def _partials_at(self, text: str, at: int) -> list[tuple[int, int]]:
        """The longest proper prefix of a form ending at `at`, and the longest proper
        suffix starting there (each EDGE_MIN characters or more)."""
        before = after = 0
        for form, _ in self._forms:
            f = form.text
            for k in range(min(len(f) - 1, at), max(before, EDGE_MIN - 1), -1):
                if text.startswith(f[:k], at - k):
                    before = k
                    break
            for k in range(min(len(f) - 1, len(text) - at), max(after, EDGE_MIN - 1), -1):
                if text.startswith(f[-k:], at):
                    after = k
                    break
        spans = [(at - before, at)] if before else []
        return spans + ([(at, at + after)] if after else [])

    # -- streams and cuts --------------------------------------------------------------

    def release_point(self, text: str) -> int:
        """How much of a stream's text may be redacted and shown now, when more may
        follow: never into a form or a credential that the next piece could complete."""
        n = len(text)
        cut = n
        for form, _ in self._forms:
            f = form.text
            for k in range(min(len(f) - 1, n), 0, -1):
                if text.endswith(f[:k]):
                    cut = min(cut, n - k)
                    break
        words = _LAST_WORDS.search(text, max(0, n - HOLD_MAX))
        cut = min(cut, words.start() if words else n)
        begin = text.rfind("-----BEGIN", max(0, n - KEY_HOLD_MAX))
        if begin >= 0 and "-----END" not in text[begin:]:
            cut = min(cut, begin)
        return self._not_inside_a_match(text, cut)

    def _not_inside_a_match(self, text: str, cut: int) -> int:
        spans = [m.span() for m in PROTECTED.finditer(text)]
        for form, _ in self._present(text):
            spans += [m.span() for m in re.finditer(form.pattern(), text)]
        for pattern in _patterns_for(text):
            spans += [m.span() for m in pattern.finditer(text)]
        moved = True
        while moved:
            moved = False
            for s, e in spans:
                if s < cut < e:
                    cut, moved = s, True
        return cut


def _replace_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace the union of the spans with [REDACTED], one marker per merged run."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    for s, e in reversed(merged):
        text = text[:s] + REDACTED + text[e:]
    return text


def redact_cut(redact: Callable[[str], str], text: str, limit: int) -> str:
    """Redact first, then cut to `limit` characters (never inside a placeholder), so a
    cut can never leave part of a secret behind."""
    shown = redact(text)
    if len(shown) <= limit:
        return shown
    cut = limit
    for m in PROTECTED.finditer(shown, max(0, limit - 100)):
        if m.start() < limit < m.end():
            cut = m.start()
            break
    return shown[:cut]


def release_point(redact: Callable[[str], str], text: str) -> int:
    """Redactor.release_point for any redacting callable (a plain one cuts anywhere)."""
    return redact.release_point(text) if isinstance(redact, Redactor) else len(text)


class StreamRedactor:
    """Redacts text that arrives in pieces (streamed model tokens): a piece is shown only
    up to the point no later piece can complete a secret in it; flush() shows the rest."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        self._redact = redact
        self._held = ""

    def feed(self, text: str) -> str:
        buffer = self._held + text
        cut = release_point(self._redact, buffer)
        self._held = buffer[cut:]
        return self._show(buffer[:cut])

    def flush(self) -> str:
        rest, self._held = self._held, ""
        return self._show(rest)

    def _show(self, text: str) -> str:
        if not text:
            return ""
        if isinstance(self._redact, Redactor):
            return self._redact.redact(text, edges=False)  # its edges are not cuts
        return self._redact(text)


def redact_tree(value: Any, redact: Callable[[str], str]) -> Any:
    """Apply a redactor to every string inside nested lists and dicts (records)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_tree(v, redact) for v in value]
    if isinstance(value, dict):
        return {k: redact_tree(v, redact) for k, v in value.items()}
    return value


def redact_value(value: Any, redact: Callable[[str], str]) -> Any:
    """redact_tree that also goes into dataclasses (events, results) and pydantic
    models (actions), returning redacted copies."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        items = [redact_value(v, redact) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: redact_value(v, redact) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: redact_value(getattr(value, f.name), redact)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    model_fields = getattr(type(value), "model_fields", None)
    if isinstance(model_fields, dict) and hasattr(value, "model_copy"):
        update = {n: redact_value(getattr(value, n), redact) for n in model_fields}
        return value.model_copy(update=update)
    return value


__all__ = [
    "MIN_FORM",
    "PLACEHOLDER",
    "REDACTED",
    "Redactor",
    "StreamRedactor",
    "redact_cut",
    "redact_tree",
    "redact_value",
    "release_point",
]
