"""A small GGUF header reader: enough to check a file before llama.cpp loads it
(magic, version, truncation of the metadata) and to read a few metadata keys
(architecture, context length, chat template) without loading the weights."""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui.errors import ModelError

MAGIC = b"GGUF"
# GGUF value types -> struct format (scalars only); 8 = string, 9 = array.
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9
WANTED_SUFFIXES = (
    "general.architecture",
    "general.name",
    "general.file_type",
    ".context_length",
    ".embedding_length",
    ".block_count",
    ".attention.head_count_kv",
    ".attention.key_length",
    ".attention.value_length",
    "tokenizer.chat_template",
    "tokenizer.ggml.add_bos_token",
)


@dataclass
class GGUFHeader:
    version: int
    tensor_count: int
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def context_length(self) -> int:
        return int(self.metadata.get(f"{self.architecture}.context_length", 0))

    def arch_int(self, key: str) -> int:
        """An integer hyper-parameter of the architecture, 0 when the file does not say."""
        value = self.metadata.get(f"{self.architecture}.{key}", 0)
        return int(value) if isinstance(value, int | float) else 0

    @property
    def chat_template(self) -> str:
        return str(self.metadata.get("tokenizer.chat_template", ""))


class _Reader:
    def __init__(self, buf: mmap.mmap | bytes) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> Any:
        size = struct.calcsize("<" + fmt)
        if self.pos + size > len(self.buf):
            raise EOFError
        (value,) = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        length = self.take("Q")
        if self.pos + length > len(self.buf):
            raise EOFError
        raw = self.buf[self.pos : self.pos + length]
        self.pos += length
        return bytes(raw).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        length = self.take("Q")
        self.pos += length
        if self.pos > len(self.buf):
            raise EOFError

    def value(self, vtype: int, keep: bool) -> Any:
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            if keep:
                return self.string()
            self.skip_string()
            return None
        if vtype == _ARRAY:
            item_type = self.take("I")
            count = self.take("Q")
            if item_type in _SCALARS:  # fixed size: jump over it
                self.pos += count * struct.calcsize("<" + _SCALARS[item_type])
                if self.pos > len(self.buf):
                    raise EOFError
            elif item_type == _STRING:  # e.g. the vocabulary: a tight loop over lengths
                buf, pos, unpack = self.buf, self.pos, struct.unpack_from
                for _ in range(count):
                    pos += 8 + unpack("<Q", buf, pos)[0]
                self.pos = pos
                if pos > len(buf):
                    raise EOFError
            else:
                for _ in range(count):
                    self.value(item_type, keep=False)
            return None
        raise ValueError(f"unknown GGUF value type {vtype}")


def read_header(path: Path) -> GGUFHeader:
    """Read and check a GGUF header. Raises ModelError with a plain explanation."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ModelError(f"model file not found: {path}", "run `lamtui models list`") from None
    if size < 24:
        raise ModelError(f"{path} is not a GGUF model (file is only {size} bytes)")
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        if buf[:4] != MAGIC:
            raise ModelError(
                f"{path} is not a GGUF model file (bad magic bytes)",
                "lamtui needs a .gguf file, e.g. from `lamtui models pull`",
            )
        reader = _Reader(buf)
        reader.pos = 4
        try:
            version = reader.take("I")
            tensor_count = reader.take("Q")
            kv_count = reader.take("Q")
            header = GGUFHeader(version=version, tensor_count=tensor_count)
            for _ in range(kv_count):
                key = reader.string()
                vtype = reader.take("I")
                keep = key.endswith(WANTED_SUFFIXES)
                value = reader.value(vtype, keep)
                if keep:
                    header.metadata[key] = value
        except (EOFError, ValueError, struct.error):
            raise ModelError(
                f"{path} is truncated or corrupt (its GGUF header is incomplete)",
                "download it again or run `lamtui models verify NAME`",
            ) from None
    if version not in (2, 3):
        raise ModelError(f"{path}: unsupported GGUF version {version}")
    return header
