"""Tiny well-formed GGUF headers (no tensors) for catalog and CLI tests."""

from __future__ import annotations

import struct
from pathlib import Path


def make_gguf(path: Path, *, chat: bool = False, name: str = "Test Model") -> Path:
    """Enough of a GGUF for read_header: magic, version and string metadata."""
    kvs = {"general.architecture": "llama", "general.name": name}
    if chat:
        kvs["tokenizer.chat_template"] = "{{ messages }}"
    blob = struct.pack("<4sIQQ", b"GGUF", 3, 0, len(kvs))
    for key, value in kvs.items():
        blob += struct.pack("<Q", len(key.encode())) + key.encode()
        blob += struct.pack("<IQ", 8, len(value.encode())) + value.encode()  # 8 = string
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)
    return path
