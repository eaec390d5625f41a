"""The memory store: three Chroma collections (successful tasks, user facts, rejections)
in the data folder, or on a Chroma server when memory.url is set.

Every vector is computed here with lamtui's own embedding function and handed to Chroma
explicitly, and every collection is opened with that function, so Chroma's default
embedding function (which downloads a model) is never reached.

Errors: open(), recall(), remember_*() and the other operations raise MemoryUnavailable
(a LamtuiError with a hint) for a corrupted, locked or unreachable store, or one built
with another embedding model; the agent catches it and works without memory. Only
resolve()/forget() also raise a plain LamtuiError, for an id that matches nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from lamtui.config import MemorySettings
from lamtui.errors import LamtuiError
from lamtui.memory import precomputed
from lamtui.memory.client import connect, guard
from lamtui.memory.embedding import MemoryEmbedding, default_embedding_function
from lamtui.memory.errors import MemoryUnavailable
from lamtui.memory.exchange import ImportReport
from lamtui.memory.lexical import BM25Index
from lamtui.memory.ranking import (
    CANDIDATES,
    DUPLICATE_SIMILARITY,
    LIMITS,
    Candidate,
    best_words,
    fuse,
    held_similarity,
    relevant,
    search_score,
    with_rows,
)
from lamtui.memory.recall import Hit, Recall, render
from lamtui.memory.records import (
    KINDS,
    Entry,
    Kind,
    fact_entry,
    rejection_entry,
    seed_entry,
    task_entry,
)
from lamtui.memory.seeds import SEED_PREFIX, load_seed_set
from lamtui.safety.redact import Redactor

COLLECTIONS: dict[Kind, str] = {
    "task": "lamtui_tasks",
    "fact": "lamtui_facts",
    "rejection": "lamtui_rejections",
}
FORMAT = 1
BATCH = 500

IN_MEMORY_VECTORS = 2000  # collections up to this size are searched in memory (~5 MB)
RECOUNT_SECONDS = 5.0  # how stale our view of a shared server's collection sizes may be


class MemoryStore:
    def __init__(
        self,
        client: Any,
        location: str,
        embedding: MemoryEmbedding,
        redact: Callable[[str], str],
        remote: bool,
    ) -> None:
        self.client = client
        self.location = location
        self.embedding = embedding
        self.redact = redact
        self.remote = remote
        self._collections: dict[Kind, Any] = {}
        self._lexical: dict[Kind, BM25Index] = {k: BM25Index() for k in KINDS}
        self._indexed: dict[Kind, int] = {k: -1 for k in KINDS}  # -1: not built yet
        self._cache: dict[Kind, dict[str, Entry]] = {k: {} for k in KINDS}  # id -> entry
        self._vectors: dict[Kind, tuple[list[str], np.ndarray] | None] = {k: None for k in KINDS}
        self._counts: dict[Kind, int] = {k: 0 for k in KINDS}
        self._counted_at: dict[Kind, float] = {k: 0.0 for k in KINDS}
        self._lock = threading.RLock()
        self.seeded = 0  # seeds added by this open (first run or a new seed version)

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        settings: MemorySettings,
        model_path: Path | None = None,
        *,
        embedding_function: MemoryEmbedding | None = None,
        redact: Callable[[str], str] | None = None,
        seed: bool = True,
        path: Path | None = None,
    ) -> MemoryStore:
        """Open (creating on first use, with the shipped demonstrations) the store.
        Raises MemoryUnavailable when it cannot be used."""
        if not settings.enabled:
            raise MemoryUnavailable("memory is turned off", "set memory.enabled = true")
        embedding = embedding_function or default_embedding_function(settings, model_path)
        client, location = connect(settings, path)
        store = cls(client, location, embedding, redact or Redactor(), bool(settings.url))
        store._attach(seed)
        return store

    def _attach(self, seed: bool) -> None:
        with guard("open"):
            names = {self._name(c) for c in self.client.list_collections()}
            seed_vectors: np.ndarray | None = None
            if COLLECTIONS["task"] in names:
                existing = self.client.get_collection(
                    COLLECTIONS["task"], embedding_function=self.embedding
                )
                persisted = existing.configuration_json.get("embedding_function")
                problem = self.embedding.mismatch(persisted)
                if problem:
                    raise MemoryUnavailable(
                        f"{problem}, but memory now embeds with {self.embedding.describe()}; "
                        "its vectors cannot be compared",
                        "run `lamtui memory doctor --rebuild` to re-embed it, or set "
                        "memory.embedding_model back",
                    )
                self.embedding.adopt(persisted)
            if not self.embedding.calibrated:
                # A new store: fit the standardisation on the shipped demonstrations,
                # whose vectors are needed for seeding anyway.
                requests = [s.request for s in load_seed_set().seeds]
                raw = precomputed.load(self.embedding, requests)
                if raw is None:
                    raw = self.embedding.raw(requests)
                self.embedding.calibrate(raw)
                seed_vectors = self.embedding.finish(raw)
            for kind, name in COLLECTIONS.items():
                self._collections[kind] = self.client.get_or_create_collection(
                    name,
                    embedding_function=self.embedding,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"lamtui_format": FORMAT, "lamtui_kind": kind},
                )
            if seed:
                self._ensure_seeds(seed_vectors)

    @staticmethod
    def _name(collection: Any) -> str:
        return collection if isinstance(collection, str) else str(collection.name)

    # -- seeds -----------------------------------------------------------------------

    def _meta(self) -> dict[str, Any]:
        return dict(self._collections["task"].metadata or {})

    def _set_meta(self, **values: Any) -> None:
        meta = self._meta()
        meta.update(values)
        self._collections["task"].modify(metadata=meta)

    def forgotten_seeds(self) -> set[str]:
        raw = str(self._meta().get("lamtui_forgotten_seeds", ""))
        return {s for s in raw.split(",") if s}

    def _ensure_seeds(self, vectors: np.ndarray | None) -> None:
        seed_set = load_seed_set()
        if int(self._meta().get("lamtui_seed_version", 0)) >= seed_set.version:
            return
        forgotten = self.forgotten_seeds()
        chosen = [(i, s) for i, s in enumerate(seed_set.seeds) if s.id not in forgotten]
        entries = [seed_entry(s.id, s.to_record()) for _, s in chosen]
        if vectors is not None:
            vecs = vectors[[i for i, _ in chosen]]
        else:
            vecs = self.embedding.embed([e.text for e in entries])
        self._upsert("task", entries, vecs)
        self.seeded = len(entries)
        self._set_meta(lamtui_seed_version=seed_set.version)

    # -- low-level ---------------------------------------------------------------------

    def _upsert(self, kind: Kind, entries: list[Entry], vectors: np.ndarray) -> None:
        collection = self._collections[kind]
        for start in range(0, len(entries), BATCH):
            chunk = entries[start : start + BATCH]
            collection.upsert(
                ids=[e.id for e in chunk],
                embeddings=[v for v in vectors[start : start + BATCH]],
                documents=[e.text for e in chunk],
                metadatas=[e.metadata() for e in chunk],
            )
        if self._indexed[kind] >= 0:  # keep the in-memory views in step with our writes
            was_empty = self._indexed[kind] == 0
            for entry in entries:
                self._lexical[kind].add(entry.id, entry.lexical)
                self._cache[kind][entry.id] = entry
            self._indexed[kind] = len(self._lexical[kind])
            held = self._vectors[kind]
            if held is None and was_empty:  # a new collection starts being held in memory
                held = ([], np.zeros((0, vectors.shape[1]), dtype=np.float32))
            if held is not None:
                self._vectors[kind] = with_rows(held, [e.id for e in entries], vectors)
        self._counted_at[kind] = 0.0

    def _entries(self, kind: Kind, ids: list[str] | None = None) -> list[Entry]:
        got = self._collections[kind].get(ids=ids, include=["documents", "metadatas"])
        out: list[Entry] = []
        for entry_id, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            try:
                out.append(Entry.from_stored(entry_id, doc or "", dict(meta or {})))
            except (ValueError, TypeError):
                continue  # a damaged record is skipped, not fatal; doctor reports it
        return out

    def _count(self, kind: Kind) -> int:
        """The collection's size. Counting 10,000 records costs Chroma ~2 ms, so it is
        asked again only after our own writes, or every few seconds for a shared server
        (where other clients write too)."""
        age = time.monotonic() - self._counted_at[kind]
        if self._counted_at[kind] == 0.0 or (self.remote and age > RECOUNT_SECONDS):
            self._counts[kind] = int(self._collections[kind].count())
            self._counted_at[kind] = time.monotonic()
        return self._counts[kind]

    def _sync_lexical(self, kind: Kind) -> BM25Index:
        """Build the keyword index on first use, and again when the collection changed
        behind our back (another client of a shared server). A small collection's
        vectors are kept too, so searching it needs no call into Chroma at all."""
        count = self._count(kind)
        if count != self._indexed[kind]:
            small = count <= IN_MEMORY_VECTORS
            include = ["documents", "metadatas", *(["embeddings"] if small else [])]
            got = self._collections[kind].get(include=include)
            index = BM25Index()
            cache: dict[str, Entry] = {}
            for entry_id, doc, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True
            ):
                try:
                    entry = Entry.from_stored(entry_id, doc or "", dict(meta or {}))
                except (ValueError, TypeError):
                    continue  # a damaged record is skipped; doctor reports it
                index.add(entry.id, entry.lexical)
                cache[entry.id] = entry
            self._lexical[kind] = index
            self._cache[kind] = cache
            self._indexed[kind] = count
            self._vectors[kind] = None
            if small and count:
                self._vectors[kind] = (
                    list(got["ids"]),
                    np.asarray(got["embeddings"], dtype=np.float32),
                )
        return self._lexical[kind]

    def _candidates(self, kind: Kind, query: str, vector: np.ndarray) -> list[Candidate]:
        """Vector and keyword candidates, ranked by the fused score. Payloads are not
        fetched here: only the few hits that are used need them."""
        collection = self._collections[kind]
        index = self._sync_lexical(kind)
        total = self._indexed[kind]
        if total <= 0:
            return []
        n = min(CANDIDATES, total)
        lexical = index.scores(query)
        words = best_words(lexical, n)
        held = self._vectors[kind]
        if held is not None:
            similarity = held_similarity(held, vector, n, words)
        else:
            found = collection.query(
                query_embeddings=[vector.tolist()], n_results=n, include=["distances"]
            )
            similarity = {
                str(i): 1.0 - float(d)
                for i, d in zip(found["ids"][0], found["distances"][0], strict=True)
            }
            missing = [entry_id for entry_id in words if entry_id not in similarity]
            if missing:
                got = collection.get(ids=missing, include=["embeddings"])
                for entry_id, emb in zip(got["ids"], got["embeddings"], strict=True):
                    similarity[entry_id] = float(np.dot(vector, np.asarray(emb, dtype=np.float32)))
        return fuse(similarity, lexical)

    def _hits(self, kind: Kind, candidates: list[Candidate]) -> list[Hit]:
        # Entries were read with the keyword index; Chroma is asked only for any written
        # by another client since.
        entries = {c.id: self._cache[kind][c.id] for c in candidates if c.id in self._cache[kind]}
        unknown = [c.id for c in candidates if c.id not in entries]
        if unknown:
            entries.update((e.id, e) for e in self._entries(kind, unknown))
        return [
            Hit(entries[c.id], c.similarity, c.lexical, c.score)
            for c in candidates
            if c.id in entries
        ]

    def _search(self, kind: Kind, query: str, vector: np.ndarray) -> list[Hit]:
        return self._hits(kind, self._candidates(kind, query, vector))

    def _vector(self, text: str) -> np.ndarray:
        return np.asarray(self.embedding.embed([text])[0], dtype=np.float32)

    # -- the agent's API ---------------------------------------------------------------

    def recall(self, request: str, k: int = 3) -> Recall:
        """Demonstrations, facts and warnings relevant to a request, for the prompt."""
        request = request.strip()
        if not request:
            return Recall()
        with self._lock, guard("recall"):
            vector = self._vector(request)
            chosen: dict[Kind, list[Hit]] = {}
            for kind in KINDS:
                limit = k if kind == "task" else LIMITS[kind]
                candidates = self._candidates(kind, request, vector)
                chosen[kind] = self._hits(
                    kind, [c for c in candidates if relevant(c, kind)][:limit]
                )
        text = render(chosen["task"], chosen["fact"], chosen["rejection"])
        items = [hit.item() for kind in KINDS for hit in chosen[kind]]
        demonstrations = [dict(hit.entry.data, similarity=hit.similarity) for hit in chosen["task"]]
        return Recall(text, items, demonstrations=demonstrations)

    def search(self, query: str, k: int = 10, kind: Kind | None = None) -> list[Hit]:
        """Ranked matches regardless of the relevance threshold (`lamtui memory search`)."""
        with self._lock, guard("search"):
            vector = self._vector(query)
            hits: list[Hit] = []
            for each in (kind,) if kind else KINDS:
                hits += self._hits(each, self._candidates(each, query, vector)[:k])
        return sorted(hits, key=lambda h: -search_score(h))[:k]

    def _duplicate_of(self, entry: Entry, vector: np.ndarray) -> str | None:
        """An existing entry saying the same thing: same normalized text (same id), or
        embeddings nearly identical and (for tasks and rejections) the same actions."""
        collection = self._collections[entry.kind]
        same = collection.get(ids=[entry.id], include=["documents", "metadatas"])
        if same["ids"]:
            if entry.kind != "task":
                return entry.id
            stored = Entry.from_stored(entry.id, same["documents"][0] or "", same["metadatas"][0])
            # The same request again: a duplicate if done the same way, else the newer
            # way replaces the old one.
            same_way = _commands(stored.data.get("actions")) == _commands(entry.data.get("actions"))
            return entry.id if same_way else None
        if self._count(entry.kind) == 0:
            return None
        found = collection.query(
            query_embeddings=[vector.tolist()],
            n_results=1,
            include=["documents", "metadatas", "distances"],
        )
        if not found["ids"][0]:
            return None
        other_id = str(found["ids"][0][0])
        similarity = 1.0 - float(found["distances"][0][0])
        if other_id == entry.id or similarity < DUPLICATE_SIMILARITY[entry.kind]:
            return None
        other = Entry.from_stored(
            other_id, found["documents"][0][0] or "", dict(found["metadatas"][0][0] or {})
        )
        if entry.kind == "task" and _commands(other.data.get("actions")) != _commands(
            entry.data.get("actions")
        ):
            return None
        if entry.kind == "rejection" and other.data.get("action") != entry.data.get("action"):
            return None
        return other_id

    def _remember(self, entry: Entry, vector: np.ndarray | None = None) -> tuple[str, bool]:
        """Store unless it duplicates; returns (id, added)."""
        with self._lock, guard("write"):
            vec = self._vector(entry.text) if vector is None else vector
            duplicate = self._duplicate_of(entry, vec)
            if duplicate is not None:
                return duplicate, False
            self._upsert(entry.kind, [entry], vec.reshape(1, -1))
            return entry.id, True

    def remember_task(self, record: dict[str, Any]) -> str | None:
        """Store a finished task (a trajectory record) as a demonstration. None when it
        does not qualify: not finished, its result rejected, or no approved action that
        succeeded."""
        with guard("write"):  # a malformed record must not stop the agent
            entry = task_entry(record, self.redact)
        if entry is None:
            return None
        return self._remember(entry)[0]

    def remember_rejection(self, action: dict[str, Any], reason: str, request: str) -> str | None:
        """Store that the user said no to an action (and why) for this kind of request."""
        with guard("write"):
            entry = rejection_entry(action, reason, request, self.redact)
        if entry is None:
            return None
        return self._remember(entry)[0]

    def remember_fact(self, text: str) -> str:
        """Store a fact or preference; returns its id (the existing one for a duplicate)."""
        entry = fact_entry(text, self.redact)
        if entry is None:
            raise MemoryUnavailable("there is nothing to remember in an empty fact")
        return self._remember(entry)[0]

    # -- management (the CLI) ------------------------------------------------------------

    def counts(self) -> dict[Kind, int]:
        with self._lock, guard("count"):
            return {kind: int(self._collections[kind].count()) for kind in KINDS}

    def entries(self, kind: Kind | None = None) -> list[Entry]:
        with self._lock, guard("list"):
            out: list[Entry] = []
            for each in (kind,) if kind else KINDS:
                out += self._entries(each)
        return sorted(out, key=lambda e: (e.kind, e.source != "seed", e.created, e.id))

    def resolve(self, id_or_prefix: str) -> Entry:
        """The one entry whose id is, or starts with, the given text."""
        wanted = id_or_prefix.strip()
        if not wanted:
            raise LamtuiError("give the id of a memory", "see `lamtui memory list`")
        with self._lock, guard("lookup"):
            matches: list[tuple[Kind, str]] = []
            for kind in KINDS:
                ids = self._collections[kind].get(include=[])["ids"]
                exact = [i for i in ids if i == wanted]
                if exact:
                    return self._entries(kind, exact)[0]
                matches += [(kind, i) for i in ids if i.startswith(wanted)]
        if not matches:
            raise LamtuiError(f"no memory has the id {wanted!r}", "see `lamtui memory list`")
        if len(matches) > 1:
            raise LamtuiError(f"{wanted!r} matches {len(matches)} memories", "give more of the id")
        kind, entry_id = matches[0]
        return self._entries(kind, [entry_id])[0]

    def forget(self, id_or_prefix: str) -> Entry:
        entry = self.resolve(id_or_prefix)
        with self._lock, guard("forget"):
            self._collections[entry.kind].delete(ids=[entry.id])
            if self._indexed[entry.kind] >= 0:
                self._lexical[entry.kind].remove(entry.id)
                self._cache[entry.kind].pop(entry.id, None)
                held = self._vectors[entry.kind]
                if held is not None and entry.id in held[0]:
                    row = held[0].index(entry.id)
                    ids = held[0][:row] + held[0][row + 1 :]
                    self._vectors[entry.kind] = (ids, np.delete(held[1], row, axis=0))
                self._indexed[entry.kind] = len(self._lexical[entry.kind])
            self._counted_at[entry.kind] = 0.0
            if entry.id.startswith(SEED_PREFIX):
                # Remember the choice, so a new seed version does not bring it back.
                forgotten = self.forgotten_seeds() | {entry.id.removeprefix(SEED_PREFIX)}
                self._set_meta(lamtui_forgotten_seeds=",".join(sorted(forgotten)))
        return entry

    def export_jsonl(self, out: IO[str]) -> int:
        count = 0
        for entry in self.entries():
            out.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
            count += 1
        return count

    def import_entries(self, entries: list[Entry]) -> ImportReport:
        """Add entries (re-embedded with this store's model), skipping duplicates."""
        report = ImportReport()
        for start in range(0, len(entries), 64):
            chunk = entries[start : start + 64]
            with guard("import"):
                vectors = self.embedding.embed([e.text for e in chunk])
            for entry, vector in zip(chunk, vectors, strict=True):
                _, added = self._remember(entry, vector)
                if added:
                    report.added += 1
                else:
                    report.duplicates += 1
        return report

    def close(self) -> None:
        self.embedding.close()
        self._collections.clear()


def _commands(actions: Any) -> list[str]:
    out = []
    for action in actions or []:
        if isinstance(action, dict):
            args = action.get("args") or {}
            out.append(f"{action.get('tool')}:{json.dumps(args, sort_keys=True)}")
    return out
