"""GGUF files other tools already downloaded (Hugging Face cache, LM Studio,
LAMTUI_MODEL_PATHS): found by a bounded walk, never by the network."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from lamtui.paths import get_paths

_SHARD_RE = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class DiscoveredModel:
    name: str  # the file stem, usable as a model name
    path: Path
    size_bytes: int
    origin: str  # "lamtui", "huggingface", "lm-studio" or "LAMTUI_MODEL_PATHS"


def _hf_hub_cache() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "huggingface" / "hub"


def search_roots() -> list[tuple[str, Path]]:
    """Folders searched for GGUF files, each with a label saying whose folder it is."""
    home = Path.home()
    roots = [
        ("lamtui", get_paths().models_dir),
        ("huggingface", _hf_hub_cache()),
        ("lm-studio", home / ".lmstudio" / "models"),
        ("lm-studio", home / ".cache" / "lm-studio" / "models"),
    ]
    for raw in os.environ.get("LAMTUI_MODEL_PATHS", "").split(os.pathsep):
        if raw.strip():
            roots.append(("LAMTUI_MODEL_PATHS", Path(raw.strip()).expanduser()))
    return roots


def _is_model_file(name: str) -> bool:
    lowered = name.lower()
    if not lowered.endswith(".gguf") or lowered.startswith(("mmproj", ".")):
        return False  # vision projectors and hidden temp files are not models
    shard = _SHARD_RE.search(name)
    return shard is None or int(shard.group(1)) == 1  # llama.cpp loads a split from part 1


def _walk_gguf(root: Path, max_depth: int, max_dirs: int) -> list[Path]:
    """GGUF files under root. Does not follow directory symlinks (no loops) but does
    follow file symlinks (the Hugging Face cache is made of them); bounded in depth and
    in the number of folders read, and silent about folders it cannot read."""
    if root.is_file():
        return [root] if _is_model_file(root.name) else []
    found: list[Path] = []
    stack = [(root, 0)]
    visited = 0
    while stack and visited < max_dirs:
        folder, depth = stack.pop()
        visited += 1
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for item in items:
            try:
                if item.is_dir(follow_symlinks=False):
                    if depth < max_depth and not item.name.startswith("."):
                        subdirs.append((Path(item.path), depth + 1))
                elif _is_model_file(item.name) and item.is_file():
                    found.append(Path(item.path))
            except OSError:
                continue
        stack.extend(reversed(subdirs))  # depth-first, in name order
    return found


def discover_models(
    *, max_depth: int = 6, max_dirs: int = 2000, limit: int = 500
) -> list[DiscoveredModel]:
    """GGUF files already on this machine (each real file once)."""
    results: list[DiscoveredModel] = []
    seen: set[Path] = set()
    for origin, root in search_roots():
        for path in _walk_gguf(root, max_depth, max_dirs):
            try:
                real = path.resolve()
                size = real.stat().st_size
            except OSError:
                continue  # a dangling symlink
            if real in seen:
                continue
            seen.add(real)
            results.append(DiscoveredModel(path.stem, path.absolute(), size, origin))
            if len(results) >= limit:
                return results
    return results


# --- resolving a name or a path ------------------------------------------------------
