"""The model catalog: which GGUF models lamtui knows by name, where their files are,
and how a name (or a path) given by the user becomes a checked file on disk.

Sources of models, in the order `resolve_model` tries them:
- a path to a .gguf file;
- a catalog name: the shipped catalog (models/catalog.toml) plus the user's own
  entries (models.toml in the config folder, written by `lamtui models add`);
- a GGUF already on disk where other tools keep them (Hugging Face cache, LM Studio,
  LAMTUI_MODEL_PATHS), matched by file stem.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lamtui.errors import ConfigError, ModelError
from lamtui.lam import gguf
from lamtui.lam.base import PromptStyle
from lamtui.lam.bundled import bundled_available, ensure_bundled
from lamtui.lam.discovery import DiscoveredModel, discover_models, search_roots
from lamtui.lam.entries import NAME_RE, CatalogEntry, LocalState, LocalStateName, ResolvedModel
from lamtui.lam.filehash import (
    HASH_CACHE,
    cached_sha256,
    file_sha256,
    remember_sha256,
    verify_file,
)
from lamtui.paths import get_paths

# The catalog is the models' façade: hashing and discovery live in their own modules.
__all__ = [
    "HASH_CACHE",
    "CatalogEntry",
    "DiscoveredModel",
    "LocalState",
    "ResolvedModel",
    "add_model",
    "cached_sha256",
    "discover_models",
    "ensure_bundled",
    "entry_path",
    "file_sha256",
    "find_entry",
    "get_entry",
    "load_catalog",
    "local_state",
    "remember_sha256",
    "resolve_model",
    "search_roots",
    "shipped_catalog_file",
    "user_catalog_file",
    "verify_file",
]

USER_CATALOG = "models.toml"

# llama.cpp's general.file_type values for the common quantisations (LLAMA_FTYPE_*).
_FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
    10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
    16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16",
}  # fmt: skip


# --- loading the catalog -------------------------------------------------------------


def shipped_catalog_file() -> Path:
    """The catalog installed with the wheel, else the one in the source tree."""
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[1] / "data" / "catalog.toml",
        here.parents[2] / "models" / "catalog.toml",
    ):
        if candidate.is_file():
            return candidate
    raise ModelError("lamtui's model catalog is missing", "reinstall lamtui")


def user_catalog_file() -> Path:
    return get_paths().config_dir / USER_CATALOG


def _read_entries(path: Path) -> list[CatalogEntry]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", "fix the syntax") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start})", "save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    extra = sorted(set(data) - {"model"})
    if extra:
        raise ConfigError(f"{path}: unknown top-level key '{extra[0]}'", "use [[model]] tables")
    tables = data.get("model", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: 'model' must be [[model]] tables")
    return [_validate_entry(table, path, i) for i, table in enumerate(tables, start=1)]


def _validate_entry(table: Any, path: Path, index: int) -> CatalogEntry:
    label = f"model #{index}"
    if isinstance(table, dict) and isinstance(table.get("name"), str):
        label += f" ('{table['name']}')"
    try:
        return CatalogEntry.model_validate(table)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(table)"
        if first["type"] == "extra_forbidden":
            known = ", ".join(CatalogEntry.model_fields)
            message = f"{path}: {label}: unknown key '{key}'"
            raise ConfigError(message, f"known keys: {known}") from None
        raise ConfigError(f"{path}: {label}: {key}: {first['msg']}") from None


def load_catalog() -> list[CatalogEntry]:
    """Shipped entries, then the user's. Names must be unique (ignoring case)."""
    entries = _read_entries(shipped_catalog_file())
    user_file = user_catalog_file()
    if user_file.is_file():
        entries += _read_entries(user_file)
    seen: dict[str, CatalogEntry] = {}
    for entry in entries:
        key = entry.name.lower()
        if key in seen:
            raise ConfigError(
                f"model name '{entry.name}' is defined twice in the catalog",
                f"rename or remove it in {user_file}",
            )
        seen[key] = entry
    return entries


def find_entry(name: str, entries: list[CatalogEntry] | None = None) -> CatalogEntry | None:
    entries = load_catalog() if entries is None else entries
    for entry in entries:
        if entry.name == name:
            return entry
    lowered = name.lower()
    return next((e for e in entries if e.name.lower() == lowered), None)


def get_entry(name: str) -> CatalogEntry:
    """A catalog entry by name, or a ModelError suggesting close names."""
    entries = load_catalog()
    entry = find_entry(name, entries)
    if entry is None:
        raise _unknown_model(name, [e.name for e in entries])
    return entry


def _unknown_model(name: str, known: list[str]) -> ModelError:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    hint += "see `lamtui models list`, or pass the path to a .gguf file"
    return ModelError(f"unknown model '{name}'", hint)


# --- local files and their hashes ----------------------------------------------------


def entry_path(entry: CatalogEntry) -> Path:
    """Where the entry's file is (or will be, once pulled)."""
    if entry.path:
        return Path(entry.path)
    if entry.adapter:
        from lamtui.lam.adapters import entry_adapter

        return entry_adapter(entry)  # the promoted adapter, else the shipped one
    return get_paths().models_dir / entry.file


def local_state(entry: CatalogEntry) -> LocalState:
    """Cheap: looks at the disk and the hash cache, never hashes."""
    path = entry_path(entry)
    if not path.is_file():
        state: LocalStateName = "missing"
        if entry.bundled and bundled_available(entry):
            state = "bundled"
        return LocalState(entry, state, path, None)
    verified: bool | None = None
    cached = cached_sha256(path)
    if entry.sha256 and cached is not None:
        verified = cached == entry.sha256
    return LocalState(entry, "present", path, verified)


def _looks_like_path(text: str) -> bool:
    return (
        "/" in text
        or os.sep in text
        or text.lower().endswith(".gguf")
        or text.startswith(("~", "."))
    )


def _style_from_header(header: gguf.GGUFHeader) -> PromptStyle:
    return "chat" if header.chat_template else "completion"


def _check_hash(entry: CatalogEntry, path: Path) -> str:
    if not entry.sha256:
        return cached_sha256(path) or ""
    digest = file_sha256(path)
    if digest == entry.sha256:
        return digest
    if entry.is_local:
        hint = f"the file changed since it was added; run `lamtui models add {path}` again"
    else:
        hint = f"the file is damaged or incomplete; run `lamtui models pull {entry.name}`"
    raise ModelError(f"sha256 mismatch for model '{entry.name}' ({path})", hint)


def _resolve_entry(entry: CatalogEntry, verify: bool) -> ResolvedModel:
    if entry.adapter:
        from lamtui.lam.adapters import attach, entry_adapter

        base = resolve_model(entry.base, verify=verify)
        with_adapter = attach(base, entry_adapter(entry))
        return replace(with_adapter, name=entry.name, entry=entry)
    if entry.bundled:
        path = ensure_bundled(entry)
    else:
        path = entry_path(entry)
        if not path.is_file():
            if entry.is_local:
                raise ModelError(
                    f"model '{entry.name}' was added from {path}, which no longer exists",
                    "add it again with `lamtui models add PATH`",
                )
            raise ModelError(
                f"model '{entry.name}' is not downloaded",
                f"run `lamtui models pull {entry.name}`",
            )
    header = gguf.read_header(path)
    digest = _check_hash(entry, path) if verify else cached_sha256(path) or ""
    return ResolvedModel(entry.name, path, entry, entry.prompt_style, header.context_length, digest)


def _resolve_file(path: Path, entries: list[CatalogEntry], verify: bool) -> ResolvedModel:
    path = path.expanduser().absolute()
    header = gguf.read_header(path)
    real = path.resolve()
    for entry in entries:
        if entry_path(entry).resolve() == real:
            digest = _check_hash(entry, path) if verify else cached_sha256(path) or ""
            return ResolvedModel(
                entry.name, path, entry, entry.prompt_style, header.context_length, digest
            )
    digest = cached_sha256(path) or ""
    return ResolvedModel(
        path.stem, path, None, _style_from_header(header), header.context_length, digest
    )


def resolve_model(name_or_path: str, *, verify: bool = True) -> ResolvedModel:
    """Turn what the user typed (catalog name, path, or the stem of a GGUF found on disk)
    into a checked file. Raises ModelError with a hint saying what to do.

    verify=False skips the sha256 comparison (`lamtui models verify` does its own)."""
    text = name_or_path.strip()
    if not text:
        raise ModelError("no model given", "pass a name from `lamtui models list` or a path")
    from lamtui.lam.adapters import attach, split_spec

    spec = split_spec(text)
    if spec is not None and not Path(text).expanduser().is_file():
        return attach(resolve_model(spec[0], verify=verify), Path(spec[1]))
    entries = load_catalog()
    if not _looks_like_path(text):
        entry = find_entry(text, entries)
        if entry is not None:
            return _resolve_entry(entry, verify)
    candidate = Path(text).expanduser()
    if candidate.is_file():
        return _resolve_file(candidate, entries, verify)
    if _looks_like_path(text):
        if candidate.is_dir():
            raise ModelError(f"{candidate} is a folder", "pass the .gguf file inside it")
        raise ModelError(f"model file not found: {candidate}", "check the path")
    discovered = discover_models()
    for found in discovered:
        if found.name.lower() == text.lower():
            return _resolve_file(found.path, entries, verify)
    raise _unknown_model(text, [e.name for e in entries] + [d.name for d in discovered])


# --- adding a local file to the user catalog -----------------------------------------


def _toml_string(value: str) -> str:
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_table(entry: CatalogEntry) -> str:
    lines = ["[[model]]"]
    for key, value in entry.model_dump().items():
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, int):
            rendered = str(value)
        else:
            rendered = _toml_string(str(value))
        lines.append(f"{key} = {rendered}")
    return "\n".join(lines) + "\n"


def _write_user_catalog(entries: list[CatalogEntry]) -> None:
    target = user_catalog_file()
    header = "# Models added with `lamtui models add`. Edit or remove entries freely.\n"
    text = header + "".join("\n" + _toml_table(e) for e in entries)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {target}: {exc.strerror}") from None


def add_model(path: Path, name: str | None = None) -> CatalogEntry:
    """Register a GGUF file the user already has, under `name` (default: the file stem).
    Adding a name again replaces the user's earlier entry; shipped names are refused."""
    path = path.expanduser().absolute()
    if path.is_dir():
        raise ModelError(f"{path} is a folder", "pass the .gguf file inside it")
    header = gguf.read_header(path)
    name = name or path.stem
    if not NAME_RE.match(name):
        raise ModelError(
            f"'{name}' cannot be a model name (use letters, digits and . _ + -)",
            "choose one with --name",
        )
    shipped = _read_entries(shipped_catalog_file())
    if find_entry(name, shipped) is not None:
        raise ModelError(f"'{name}' is already a catalog model", "choose another with --name")
    user_file = user_catalog_file()
    user = _read_entries(user_file) if user_file.is_file() else []
    file_type = header.metadata.get("general.file_type")
    entry = CatalogEntry(
        name=name,
        file=path.name if path.name.lower().endswith(".gguf") else f"{path.name}.gguf",
        description=str(header.metadata.get("general.name", "")) or f"added from {path.parent}",
        source="local",
        size_bytes=path.stat().st_size,
        size_exact=True,
        sha256=file_sha256(path),
        context=header.context_length,
        prompt_style=_style_from_header(header),
        quant=_FILE_TYPES.get(file_type, "") if isinstance(file_type, int) else "",
        path=str(path),
    )
    kept = [e for e in user if e.name.lower() != name.lower()]
    _write_user_catalog([*kept, entry])
    return entry
