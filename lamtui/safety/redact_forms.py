"""The shapes a known secret value takes in text: the value itself and the few
transformations a command applies in one step (`rev`, `base64`, `xxd -p`, JSON or URL
escaping). Redaction looks for every form; a full taint analysis is out of scope."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from dataclasses import dataclass

MIN_FORM = 4  # shorter forms would match ordinary text

# What may sit between the characters of an encoded form: `base64` wraps its output at
# 76 columns, `xxd -p` at 60, `od`/`xxd` put spaces between bytes, and plain `xxd` starts
# each line with an offset ("00000010: "). SQUEEZE removes all of that, for a quick test.
BASE64_GAP = r"(?:\r?\n)?"
HEX_GAP = r"(?:\s{0,2}|\s*\n[0-9a-fA-F]{4,16}:[ \t]*)"
SQUEEZE = {BASE64_GAP: r"\s+", HEX_GAP: r"\s*\n[0-9a-fA-F]{4,16}:|\s+"}


# Forms shown as [REDACTED:NAME:kind]; the others decode to the value itself and are
# shown as its {{secret:NAME}} placeholder.
MARKED_KINDS = ("reversed", "case", "base64", "hex")


@dataclass(frozen=True)
class Form:
    text: str  # the form as one unbroken string
    kind: str  # value | json | url, or one of MARKED_KINDS
    gap: str = ""  # regex allowed between two characters ("" for none)

    def pattern(self) -> str:
        if not self.gap:
            return re.escape(self.text)
        return self.gap.join(re.escape(c) for c in self.text)


def base64_cores(data: bytes) -> list[str]:
    """The base64 characters that depend on `data` alone, for each of the three byte
    alignments it can have inside a longer stream (standard alphabet)."""
    cores: list[str] = []
    n = len(data)
    for align in range(3):
        encoded = base64.b64encode(b"\0" * align + data + b"\0\0\0").decode("ascii")
        first = -(-4 * align // 3)  # the first character whose 6 bits lie inside data
        end = 4 * (align + n) // 3  # one past the last such character
        cores.append(encoded[first:end])
    return cores


def forms_of(value: str) -> list[Form]:
    """Every form of `value` worth looking for, longest first, without duplicates."""
    found: dict[str, Form] = {}

    def keep(text: str, kind: str, gap: str = "") -> None:
        if len(text) >= MIN_FORM and text not in found:
            found[text] = Form(text, kind, gap)

    keep(value, "value")
    keep(json.dumps(value)[1:-1], "json")  # inside JSON text (model output, records)
    keep(json.dumps(value, ensure_ascii=False)[1:-1], "json")
    keep(urllib.parse.quote(value, safe=""), "url")
    keep(value[::-1], "reversed")
    keep(value.upper(), "case")  # `tr a-z A-Z`
    keep(value.lower(), "case")
    data = value.encode("utf-8")
    for core in base64_cores(data):
        keep(core, "base64", BASE64_GAP)
        keep(core.replace("+", "-").replace("/", "_"), "base64", BASE64_GAP)  # URL-safe
    keep(data.hex(), "hex", HEX_GAP)
    keep(data.hex().upper(), "hex", HEX_GAP)
    return sorted(found.values(), key=lambda f: len(f.text), reverse=True)
