"""`lamtui models use NAME` switches a catalog entry's default adapter (rolling back is
the same command with the previous name), and the lineage `lamtui models` shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamtui.errors import LamtuiError
from lamtui.lam import catalog
from lamtui.lam.adapters import (
    attach,
    entry_adapter,
    find_adapters,
    read_manifest,
    set_default,
    shipped_adapter_dir,
)
from lamtui.lam.catalog import CatalogEntry


def lineage_json() -> list[dict[str, Any]]:
    from lamtui.train.lineage import trees

    return [node.to_dict() for node in trees()]


def lineage_lines() -> list[str]:
    from lamtui.train.lineage import render, trees

    return render(trees())


def _adapter_entries() -> list[CatalogEntry]:
    return [e for e in catalog.load_catalog() if e.adapter]


def find_adapter(name: str) -> Path:
    path = Path(name).expanduser()
    if path.suffix == ".gguf" and path.is_file():
        return path
    for found, manifest in find_adapters():
        if name in (found.stem, manifest.get("name")):
            return found
    raise LamtuiError(f"no adapter named {name!r}", "see the names in `lamtui models lineage`")


def entry_for(adapter: Path, wanted: str) -> CatalogEntry:
    """The catalog entry whose base the adapter was trained on (or the one named)."""
    entries = _adapter_entries()
    if wanted:
        chosen = next((e for e in entries if e.name == wanted), None)
        if chosen is None:
            raise LamtuiError(f"{wanted} is not a catalog model with an adapter")
        return chosen
    want = str(read_manifest(adapter)["base"].get("sha256", "")).lower()
    for entry in entries:
        base = catalog.resolve_model(entry.base, verify=False)
        if catalog.file_sha256(base.path) == want:
            return entry
    raise LamtuiError(
        f"no catalog model sits on the base {adapter.name} was trained on",
        "use it directly: --model BASE+ADAPTER.gguf",
    )


def use(name: str, model: str = "") -> int:
    entry = next((e for e in _adapter_entries() if e.name == name), None)
    adapter = None if entry is not None else find_adapter(name)
    if entry is None:
        assert adapter is not None
        entry = entry_for(adapter, model)
    shipped = shipped_adapter_dir() / entry.adapter
    if adapter is not None and adapter.resolve() == shipped.resolve():
        adapter = None  # the shipped adapter is the default without a pointer
    previous = entry_adapter(entry)
    if adapter is None:
        set_default(entry.name, None)
        print(f"{entry.name} uses its shipped adapter {shipped.stem} again")
    else:
        # The same check as loading it: an adapter trained on another base is refused.
        attach(catalog.resolve_model(entry.base), adapter)
        set_default(entry.name, adapter, by="lamtui models use")
        scores = read_manifest(adapter).get("scores") or {}
        shown = ", ".join(f"{k} {v}" for k, v in scores.items()) or "no scores yet"
        print(f"{entry.name} now uses {adapter.stem} ({shown})")
    back = entry.name if previous.resolve() == shipped.resolve() else previous.stem
    print(f"was {previous.stem}; back: lamtui models use {back}")
    return 0
