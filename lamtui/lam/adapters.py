"""LoRA adapters on top of a base GGUF: `BASE+ADAPTER.gguf` on the command line, catalog
entries with an `adapter` (the shipped trained LAM), and the manifest check that refuses
an adapter trained on another base. The manifest (ADAPTER.gguf.json, written by
`lamtui train`) records the base's sha256, the recipe and the scores.

The default adapter of a catalog entry (`gemma3-270m-lam`) is the shipped one unless
one was promoted (`lamtui train explore` after a better evaluation, or `lamtui models use
NAME`): the promoted one is named in DEFAULT_FILE under the data dir, written
atomically, so switching back is one command and a torn write never happens."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamtui.errors import ModelError

if TYPE_CHECKING:
    from lamtui.lam.entries import CatalogEntry, ResolvedModel

MANIFEST_SUFFIX = ".json"
DEFAULT_FILE = "default-adapter.json"  # under data_dir/train


def shipped_adapter_dir() -> Path:
    """Adapters installed with the wheel (lamtui/data), else the source tree's models/."""
    here = Path(__file__).resolve()
    wheel = here.parents[1] / "data"
    return wheel if any(wheel.glob("*.gguf")) else here.parents[2] / "models"


def manifest_path(adapter: Path) -> Path:
    return adapter.with_name(adapter.name + MANIFEST_SUFFIX)


def read_manifest(adapter: Path) -> dict[str, Any]:
    path = manifest_path(adapter)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"the adapter {adapter.name} has no manifest ({path.name})",
            "lamtui needs it to check which base model the adapter belongs to",
        ) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"the manifest {path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("base"), dict):
        raise ModelError(f"the manifest {path} has no base model record")
    return data


def check_base(adapter: Path, base: Path, base_sha256: str) -> dict[str, Any]:
    """The manifest when the adapter was trained on this very base; else a refusal that
    names both."""
    manifest = read_manifest(adapter)
    want = str(manifest["base"].get("sha256", ""))
    if not base_sha256 or want.lower() != base_sha256.lower():
        raise ModelError(
            f"the adapter {adapter.name} was trained on {manifest['base'].get('file', '?')} "
            f"(sha256 {want[:12]}…), not on {base.name} (sha256 {(base_sha256 or '?')[:12]}…)",
            "use the adapter with the base it was trained on",
        )
    return manifest


def split_spec(text: str) -> tuple[str, str] | None:
    """`BASE+ADAPTER.gguf` → (BASE, ADAPTER.gguf); None for a plain model."""
    if "+" not in text or not text.lower().endswith(".gguf"):
        return None
    base, adapter = text.rsplit("+", 1)
    return (base, adapter) if base and adapter else None


def attach(resolved: ResolvedModel, adapter: Path) -> ResolvedModel:
    """A ResolvedModel with its adapter checked against its base."""
    from lamtui.lam.filehash import file_sha256

    adapter = adapter.expanduser()
    if not adapter.is_file():
        raise ModelError(f"adapter file not found: {adapter}", "check the path")
    with adapter.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ModelError(f"{adapter} is not a GGUF file")
    digest = resolved.sha256 or file_sha256(resolved.path)
    manifest = check_base(adapter, resolved.path, digest)
    style = "lam" if manifest.get("prompt") == "lam" else resolved.prompt_style
    return replace(
        resolved,
        name=f"{resolved.name}+{adapter.stem}",
        adapter=adapter,
        prompt_style=style,
        sha256=digest,
    )


def find_adapters() -> list[tuple[Path, dict[str, Any]]]:
    """Adapters with a readable manifest: the shipped ones and those `lamtui train` wrote
    under the data dir."""
    from lamtui.paths import get_paths

    roots = [shipped_adapter_dir(), get_paths().data_dir / "train"]
    found: list[tuple[Path, dict[str, Any]]] = []
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.gguf")):
            if path.resolve() in seen or not manifest_path(path).is_file():
                continue
            seen.add(path.resolve())
            try:
                found.append((path, read_manifest(path)))
            except ModelError:
                continue
    return found


def is_adapter(path: Path) -> bool:
    return manifest_path(path).is_file()


# --- the default adapter of a catalog entry ------------------------------------------


def default_file() -> Path:
    from lamtui.paths import get_paths

    return get_paths().data_dir / "train" / DEFAULT_FILE


def read_defaults() -> dict[str, dict[str, Any]]:
    """{catalog entry name: {"adapter": path, ...}} of the promoted adapters; {} when
    none was promoted or the file cannot be read (the shipped adapter is then used)."""
    try:
        data = json.loads(default_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict) and v.get("adapter")}


def promoted_adapter(entry_name: str) -> Path | None:
    """The adapter promoted for this entry, when its file is still there."""
    chosen = read_defaults().get(entry_name)
    if chosen is None:
        return None
    path = Path(str(chosen["adapter"]))
    return path if path.is_file() and manifest_path(path).is_file() else None


def entry_adapter(entry: CatalogEntry) -> Path:
    """The adapter a catalog entry uses now: the promoted one, else the shipped one."""
    return promoted_adapter(entry.name) or shipped_adapter_dir() / entry.adapter


def set_default(entry_name: str, adapter: Path | None, **record: Any) -> None:
    """Make `adapter` the entry's default (None: back to the shipped adapter). The
    callers decide whether it may be (train.promotion guards the automatic path)."""
    data = read_defaults()
    if adapter is None:
        data.pop(entry_name, None)
    else:
        data[entry_name] = {"adapter": str(adapter.resolve()), "since": time.time(), **record}
    target = default_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
