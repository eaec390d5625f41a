"""Writing an adapter's manifest (ADAPTER.gguf.json beside it): the base it was trained
on (by sha256), the data hash, the recipe, steps, losses and the eval scores once
measured. lam.adapters reads it and checks the base."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from lamtui.lam.adapters import manifest_path, read_manifest

__all__ = ["data_hash", "read_manifest", "sha256_of", "write_manifest"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def data_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ("train.jsonl", "val.jsonl"):
        path = folder / name
        if path.is_file():
            digest.update(sha256_of(path).encode())
    return digest.hexdigest()


def write_manifest(adapter: Path, data: dict[str, Any]) -> None:
    target = manifest_path(adapter)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
