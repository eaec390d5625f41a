"""An adapter's manifest (ADAPTER.gguf.json beside it): the base it was trained on (by
sha256), the data hash, the recipe, steps, losses and the eval scores once measured.
No torch here: the model catalog and the backend read manifests too."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError

SUFFIX = ".json"


def manifest_path(adapter: Path) -> Path:
    return adapter.with_name(adapter.name + SUFFIX)


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


def read_manifest(adapter: Path) -> dict[str, Any]:
    path = manifest_path(adapter)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LamtuiError(
            f"the adapter {adapter.name} has no manifest ({path.name})",
            "lamtui needs it to check which base model the adapter belongs to",
        ) from None
    except (OSError, ValueError) as exc:
        raise LamtuiError(f"the manifest {path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("base"), dict):
        raise LamtuiError(f"the manifest {path} has no base model record")
    return data


def check_base(adapter: Path, base: Path, base_sha256: str) -> dict[str, Any]:
    """The manifest, when the adapter was trained on this very base; else a refusal
    naming both."""
    manifest = read_manifest(adapter)
    want = str(manifest["base"].get("sha256", ""))
    if want.lower() != base_sha256.lower():
        raise LamtuiError(
            f"the adapter {adapter.name} was trained on {manifest['base'].get('file', '?')} "
            f"(sha256 {want[:12]}…), not on {base.name} (sha256 {base_sha256[:12]}…)",
            "use the adapter with the base it was trained on",
        )
    return manifest
