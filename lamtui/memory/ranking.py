"""How memory ranks and gates what it finds: the fused vector + keyword score, the
relevance thresholds per kind, and the score `lamtui memory search` shows. Pure
functions over numbers; the store fetches the numbers."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from lamtui.memory.recall import Hit
from lamtui.memory.records import Kind

# Retrieval (measured in benchmarks/bench_memory.py on the bundled model):
CANDIDATES = 30  # from each of the vector and the keyword search
LEXICAL_WEIGHT = 0.5  # fused = z(cosine) + w * z(bm25), over the candidates
# The relevance gate: a hit is used when it shares informative words with the request and
# is somewhat similar, or when it is very similar on its own. Cosine is measured in the
# standardised space. On the paraphrase set this keeps the right demonstration for ~82 %
# of requests and gives none of ten unrelated requests any memory (a base model rates
# "what is the capital of France" 0.6 similar to "what time is it in UTC", so similarity
# alone cannot be the gate).
MIN_SIMILARITY: dict[Kind, float] = {"task": 0.65, "fact": 0.5, "rejection": 0.65}
MIN_SIMILARITY_WITH_WORDS: dict[Kind, float] = {"task": 0.3, "fact": 0.2, "rejection": 0.3}
MIN_LEXICAL: dict[Kind, float] = {"task": 2.0, "fact": 0.5, "rejection": 1.0}  # BM25
LIMITS: dict[Kind, int] = {"task": 3, "fact": 3, "rejection": 2}
# Near-identical texts: rewordings like "the app.log" / "app.log" score 0.92-0.96, the same
# task on another file 0.71-0.81. Tasks and rejections must also have the same actions.
DUPLICATE_SIMILARITY: dict[Kind, float] = {"task": 0.9, "fact": 0.93, "rejection": 0.9}


@dataclass(frozen=True)
class Candidate:
    id: str
    similarity: float
    lexical: float
    score: float


def zscore(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def search_score(hit: Hit) -> float:
    """What `lamtui memory search` ranks by and shows: the embedding similarity, nudged
    by shared words (BM25), comparable across kinds (a Hit's fused score is not)."""
    return hit.similarity + 0.05 * hit.lexical


def relevant(hit: Hit | Candidate, kind: Kind) -> bool:
    if hit.similarity >= MIN_SIMILARITY[kind]:
        return True
    return hit.lexical >= MIN_LEXICAL[kind] and hit.similarity >= MIN_SIMILARITY_WITH_WORDS[kind]


def best_words(lexical: dict[str, float], n: int) -> list[str]:
    """The ids of the n best keyword matches."""
    return [entry_id for entry_id, _ in heapq.nlargest(n, lexical.items(), key=lambda i: i[1])]


def held_similarity(
    held: tuple[list[str], np.ndarray], vector: np.ndarray, n: int, also: list[str]
) -> dict[str, float]:
    """Cosine of the query with the n nearest held vectors, and with the ids in also."""
    ids_all, matrix = held
    sims_all = matrix @ vector
    top = np.argsort(-sims_all)[:n]
    similarity = {ids_all[i]: float(sims_all[i]) for i in top}
    row = {entry_id: i for i, entry_id in enumerate(ids_all)}
    for entry_id in also:
        if entry_id in row:
            similarity[entry_id] = float(sims_all[row[entry_id]])
    return similarity


def fuse(similarity: dict[str, float], lexical: dict[str, float]) -> list[Candidate]:
    """The candidates ranked by z(cosine) + w * z(bm25), ties by id."""
    ids = list(similarity)
    if not ids:
        return []
    sims = np.array([similarity[i] for i in ids], dtype=np.float64)
    words = np.array([lexical.get(i, 0.0) for i in ids], dtype=np.float64)
    fused = zscore(sims) + LEXICAL_WEIGHT * zscore(words)
    order = sorted(range(len(ids)), key=lambda j: (-fused[j], ids[j]))
    return [Candidate(ids[j], float(sims[j]), float(words[j]), float(fused[j])) for j in order]


def with_rows(
    held: tuple[list[str], np.ndarray], ids: list[str], vectors: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """The held vectors with these rows replaced or appended."""
    known = {entry_id: row for row, entry_id in enumerate(held[0])}
    all_ids, matrix = list(held[0]), held[1].copy()
    extra = []
    for entry_id, vector in zip(ids, np.asarray(vectors, dtype=np.float32), strict=True):
        if entry_id in known:
            matrix[known[entry_id]] = vector
        else:
            known[entry_id] = len(all_ids)
            all_ids.append(entry_id)
            extra.append(vector)
    if extra:
        matrix = np.vstack([matrix, np.stack(extra)])
    return all_ids, matrix
