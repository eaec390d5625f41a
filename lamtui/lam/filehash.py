"""sha256 of model files, cached by (path, size, mtime): a 250 MB model takes about a
second to hash, and a start-up must not pay it every time."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from lamtui.errors import ModelError
from lamtui.paths import get_paths

HASH_CACHE = "sha256-cache.json"


def _hash_cache_file() -> Path:
    return get_paths().cache_dir / HASH_CACHE


def _load_hash_cache() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_hash_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no cache yet, or a damaged one: it is only a cache
    return data if isinstance(data, dict) else {}


def _save_hash_cache(cache: dict[str, dict[str, Any]]) -> None:
    # Forget files that are gone so the cache does not grow forever.
    cache = {key: value for key, value in cache.items() if Path(key).exists()}
    target = _hash_cache_file()
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only cache dir only costs re-hashing later


def cached_sha256(path: Path) -> str | None:
    """The hash recorded for this exact file (same path, size and mtime), if any."""
    try:
        real = path.resolve()
        stat = real.stat()
    except OSError:
        return None
    record = _load_hash_cache().get(str(real))
    if (
        isinstance(record, dict)
        and record.get("size") == stat.st_size
        and record.get("mtime_ns") == stat.st_mtime_ns
        and isinstance(record.get("sha256"), str)
    ):
        return str(record["sha256"])
    return None


def remember_sha256(path: Path, digest: str) -> None:
    real = path.resolve()
    stat = real.stat()
    cache = _load_hash_cache()
    cache[str(real)] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    _save_hash_cache(cache)


def file_sha256(path: Path, *, use_cache: bool = True) -> str:
    """sha256 of a file; a 250 MB model takes about a second, so results are cached."""
    if use_cache:
        cached = cached_sha256(path)
        if cached is not None:
            return cached
    try:
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror}") from None
    remember_sha256(path, digest)
    return digest


def verify_file(path: Path, expected: str, *, use_cache: bool = True) -> bool:
    return file_sha256(path, use_cache=use_cache) == expected.lower()
