"""Does a text give a secret away? Checked without lamtui's own idea of a secret's forms:
the text is searched as it is and reversed, and every base64-like or hex-like run in it
is decoded (at every alignment, whitespace and JSON-escaped newlines removed) and
searched too. A part of the secret `part` characters long counts as a leak."""

from __future__ import annotations

import base64
import binascii
import re

_B64_RUN = re.compile(r"[A-Za-z0-9+/_\-]{8,}")
_HEX_RUN = re.compile(r"[0-9a-fA-F]{8,}")


def _parts(secret: str, part: int) -> set[str]:
    size = min(part, len(secret))
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def _decoded_base64(text: str) -> list[bytes]:
    out: list[bytes] = []
    for run in _B64_RUN.findall(text):
        run = run.replace("-", "+").replace("_", "/")
        for offset in range(4):
            chunk = run[offset:]
            chunk = chunk[: len(chunk) // 4 * 4]
            try:
                out.append(base64.b64decode(chunk))
            except (binascii.Error, ValueError):
                continue
    return out


def _decoded_hex(text: str) -> list[bytes]:
    out: list[bytes] = []
    for run in _HEX_RUN.findall(text):
        for offset in range(2):
            chunk = run[offset:]
            out.append(bytes.fromhex(chunk[: len(chunk) // 2 * 2]))
    return out


def leaks(text: str, secret: str, part: int = 8) -> list[str]:
    """How `text` gives `secret` (or a `part`-character piece of it) away; [] if not."""
    found: list[str] = []
    parts = _parts(secret, part)
    if any(p in text for p in parts):
        found.append("plain")
    if any(p[::-1] in text for p in parts):
        found.append("reversed")
    # base64 and hex wrap lines; in JSON text a newline is the two characters \n.
    compact = re.sub(r"\s+", "", text.replace("\\n", "").replace("\\r", ""))
    encoded = {p.encode("utf-8") for p in _parts(secret, max(part, 6))}
    if any(e in data for data in _decoded_base64(compact) for e in encoded):
        found.append("base64")
    if any(e in data for data in _decoded_hex(compact) for e in encoded):
        found.append("hex")
    return found
