"""`lamtui memory doctor`: explain what is wrong with the store, and repair it by
rebuilding: salvage what can be read (through Chroma, or straight from its SQLite file
when Chroma cannot open it), keep the old store as a backup, create a fresh store with
the seeds and re-embed the salvaged memories into it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui.config import MemorySettings
from lamtui.memory.client import DB_FILE, connect, preflight, release
from lamtui.memory.embedding import MemoryEmbedding, default_embedding_function
from lamtui.memory.errors import MemoryUnavailable
from lamtui.memory.exchange import timestamp
from lamtui.memory.records import KINDS, Entry
from lamtui.memory.seeds import SEED_PREFIX, load_seed_set
from lamtui.memory.store import COLLECTIONS, MemoryStore
from lamtui.paths import get_paths


@dataclass
class Diagnosis:
    location: str
    remote: bool
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    blocked: str = ""  # why rebuilding now would do harm or cannot work

    @property
    def healthy(self) -> bool:
        return not self.problems


@dataclass
class RepairReport:
    backup: str
    salvaged: int
    salvaged_from: str
    restored: int
    duplicates: int
    seeds: int
    forgotten_seeds: int


def _folder(path: Path | None) -> Path:
    return path or get_paths().memory_dir


def diagnose(
    settings: MemorySettings,
    model_path: Path | None = None,
    *,
    embedding_function: MemoryEmbedding | None = None,
    path: Path | None = None,
) -> Diagnosis:
    folder = _folder(path)
    remote = bool(settings.url)
    report = Diagnosis(settings.url or str(folder), remote)
    if not settings.enabled:
        report.notes.append("memory is turned off (memory.enabled = false)")
    if not remote:
        db = folder / DB_FILE
        if not db.exists():
            report.notes.append(f"no store yet at {folder}; it is created on first use")
            return report
        report.notes.append(f"store: {db} ({db.stat().st_size / 1e6:.1f} MB)")
        try:
            preflight(folder)
            with sqlite3.connect(db, timeout=2) as conn:
                result = conn.execute("PRAGMA quick_check").fetchone()
            if result and result[0] != "ok":
                report.problems.append(f"SQLite reports damage: {result[0]}")
        except MemoryUnavailable as exc:
            report.problems.append(exc.message)
            report.hints.append(exc.hint)
            if "locked" in exc.message:
                report.blocked = (
                    "another process is using the store; rebuilding now would pull it "
                    "from under that process"
                )
            return report
        except sqlite3.DatabaseError as exc:
            report.problems.append(f"SQLite cannot check the store: {exc}")
            return report
    try:
        store = MemoryStore.open(
            MemorySettings(
                enabled=True, url=settings.url, embedding_model=settings.embedding_model
            ),
            model_path,
            embedding_function=embedding_function,
            seed=False,
            path=folder,
        )
    except MemoryUnavailable as exc:
        report.problems.append(exc.message)
        if exc.hint:
            report.hints.append(exc.hint)
        if remote and "cannot be reached" in exc.message:
            report.blocked = "the server cannot be reached, so there is nothing to rebuild"
        return report
    try:
        counts = store.counts()
        report.notes.append(
            "entries: "
            + ", ".join(f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in KINDS)
        )
        report.notes.append(f"embedding: {store.embedding.describe()}")
        entries = store.entries()
        if len(entries) != sum(counts.values()):
            report.problems.append(
                f"{sum(counts.values()) - len(entries)} record(s) cannot be read back"
            )
        seeds = [e for e in entries if e.id.startswith(SEED_PREFIX)]
        forgotten = store.forgotten_seeds()
        report.notes.append(f"seeds: {len(seeds)} loaded, {len(forgotten)} forgotten by you")
        for kind in KINDS:  # a query per collection exercises the vector index
            if counts[kind]:
                store._search(kind, "check", store._vector("check"))
    except MemoryUnavailable as exc:
        report.problems.append(exc.message)
    finally:
        store.close()
    return report


def _salvage_chroma(settings: MemorySettings, folder: Path) -> tuple[list[Entry], set[str]]:
    client, _ = connect(settings, folder)
    entries: list[Entry] = []
    forgotten: set[str] = set()
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    for kind, name in COLLECTIONS.items():
        if name not in names:
            continue
        # embedding_function=None: reading back needs no embedder, and Chroma's default
        # must not be instantiated for it.
        collection = client.get_collection(name, embedding_function=None)
        got = collection.get(include=["documents", "metadatas"])
        for entry_id, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            try:
                entries.append(Entry.from_stored(entry_id, doc or "", dict(meta or {})))
            except (ValueError, TypeError):
                continue
        if kind == "task":
            raw = str((collection.metadata or {}).get("lamtui_forgotten_seeds", ""))
            forgotten = {s for s in raw.split(",") if s}
    return entries, forgotten


def _salvage_sqlite(db: Path) -> tuple[list[Entry], set[str]]:
    """Read memories straight from Chroma's SQLite tables (documents and metadata live
    there; vectors are recomputed anyway)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    forgotten: set[str] = set()
    uri = f"file:{db}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=2) as conn:
        query = (
            "SELECT c.name, e.embedding_id, m.key, m.string_value, m.int_value, m.float_value,"
            " m.bool_value FROM embeddings e JOIN segments s ON e.segment_id = s.id"
            " JOIN collections c ON s.collection = c.id"
            " LEFT JOIN embedding_metadata m ON m.id = e.id"
        )
        for name, entry_id, key, text, integer, real, boolean in conn.execute(query):
            meta = rows.setdefault((name, entry_id), {})
            if key is not None:
                meta[key] = next((v for v in (text, integer, real, boolean) if v is not None), None)
        for (value,) in conn.execute(
            "SELECT m.str_value FROM collection_metadata m JOIN collections c"
            " ON m.collection_id = c.id WHERE c.name = ? AND m.key = 'lamtui_forgotten_seeds'",
            (COLLECTIONS["task"],),
        ):
            forgotten = {s for s in str(value or "").split(",") if s}
    entries: list[Entry] = []
    for (name, entry_id), meta in rows.items():
        if name not in COLLECTIONS.values():
            continue
        doc = str(meta.pop("chroma:document", "") or "")
        try:
            entries.append(Entry.from_stored(entry_id, doc, meta))
        except (ValueError, TypeError):
            continue
    return entries, forgotten


def salvage(settings: MemorySettings, folder: Path) -> tuple[list[Entry], set[str], str]:
    """Whatever memories can be read, the forgotten seed ids, and how they were read."""
    try:
        entries, forgotten = _salvage_chroma(settings, folder)
        return entries, forgotten, "chroma"
    except Exception:  # a damaged store may fail anywhere inside Chroma
        if settings.url:
            return [], set(), "nothing (the server could not be read)"
        release(folder)
    db = folder / DB_FILE
    if db.exists():
        try:
            entries, forgotten = _salvage_sqlite(db)
            return entries, forgotten, "sqlite"
        except sqlite3.Error:
            pass
    return [], set(), "nothing (the store was unreadable)"


def repair(
    settings: MemorySettings,
    model_path: Path | None = None,
    *,
    embedding_function: MemoryEmbedding | None = None,
    path: Path | None = None,
) -> RepairReport:
    """Rebuild the store from what can be salvaged, keeping a backup of the old one.
    Also the way to re-embed everything after changing the embedding model."""
    folder = _folder(path)
    settings = MemorySettings(
        enabled=True, url=settings.url, embedding_model=settings.embedding_model
    )
    entries, forgotten, how = salvage(settings, folder)
    embedding = embedding_function or default_embedding_function(settings, model_path)
    embedding.reset()  # a rebuilt store is calibrated afresh
    if settings.url:
        backup = get_paths().data_dir / f"memory-backup-{timestamp()}.jsonl"
        backup.parent.mkdir(parents=True, exist_ok=True)
        with backup.open("w", encoding="utf-8") as fh:
            for entry in entries:
                fh.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
        client, _ = connect(settings)
        names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        for name in COLLECTIONS.values():
            if name in names:
                client.delete_collection(name)
    else:
        release(folder)
        backup = folder.with_name(f"{folder.name}.bak-{timestamp()}")
        if folder.exists():
            try:
                shutil.move(str(folder), str(backup))
            except OSError as exc:
                raise MemoryUnavailable(
                    f"cannot move the damaged store {folder} aside: {exc}",
                    "free some disk space or fix the folder's permissions",
                ) from None
    store = MemoryStore.open(settings, model_path, embedding_function=embedding, path=folder)
    try:
        known = {s.id for s in load_seed_set().seeds}
        for seed_id in sorted(forgotten & known):
            store.forget(SEED_PREFIX + seed_id)
        mine = [e for e in entries if not e.id.startswith(SEED_PREFIX)]
        result = store.import_entries(mine)
        return RepairReport(
            str(backup),
            len(entries),
            how,
            result.added,
            result.duplicates,
            store.seeded,
            len(forgotten & known),
        )
    finally:
        store.close()
