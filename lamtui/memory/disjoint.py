"""Keeping the shipped demonstrations disjoint from evaluation suites: no seed may be a
near-duplicate of an evaluation query, by wording or by embedding. The check takes any
list of query files, so new suites are added by listing their files
(tests/e2e/test_memory_real.py: EVAL_QUERY_FILES)."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lamtui.memory.lexical import tokens

# Wording: the same content words (Jaccard) or nearly the same characters.
TEXT_JACCARD = 0.6
TEXT_RATIO = 0.8
# Embedding (cosine in the store's standardised space, bundled model): mechanical
# rewordings of InterCode queries score 0.6-0.95 (most above 0.8), hand rewordings
# 0.63-0.84, labelled paraphrases 0.49 median / 0.78 at the 95th percentile. The closest
# shipped seed to any InterCode query scores 0.66. The wording test is the reliable one.
EMBEDDING_SIMILARITY = 0.72
_PATH = re.compile(r"(?:~|\.{0,2})?/[\w.\-/*$]+|\$\{?\w+\}?")


def load_queries(files: Sequence[Path]) -> list[str]:
    """Queries from JSON lists of objects ({"query": ...} as in InterCode, or "request"),
    JSONL files of such objects, or TOML files of [[task]] tables with a request (as in
    lamtui's builtin suite)."""
    out: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            items = list(tomllib.loads(text).get("task", []))
        else:
            try:
                data = json.loads(text)
                items = data if isinstance(data, list) else [data]
            except json.JSONDecodeError:
                items = [json.loads(line) for line in text.splitlines() if line.strip()]
        for item in items:
            query = item.get("query") or item.get("request") if isinstance(item, dict) else None
            if not isinstance(query, str) or not query.strip():
                raise ValueError(f"{path}: an item has no query or request")
            out.append(query.strip())
    return out


def _content(text: str) -> str:
    """Paths and variables say where, not what: they are left out of the comparison."""
    return " ".join(tokens(_PATH.sub(" ", text)))


def text_similarity(a: str, b: str) -> float:
    ca, cb = _content(a), _content(b)
    wa, wb = set(ca.split()), set(cb.split())
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 1.0
    ratio = difflib.SequenceMatcher(None, ca, cb).ratio()
    # Scaled so that either criterion reaching its threshold gives >= 1.0.
    return max(jaccard / TEXT_JACCARD, ratio / TEXT_RATIO)


@dataclass(frozen=True)
class Finding:
    seed: str
    request: str
    query: str
    by: str  # "text" or "embedding"
    score: float

    def __str__(self) -> str:
        return f"{self.seed} ({self.request!r}) ~ {self.query!r} by {self.by} ({self.score:.2f})"


def near_duplicates(
    seeds: Sequence[tuple[str, str]],
    queries: Sequence[str],
    seed_vectors: np.ndarray | None = None,
    query_vectors: np.ndarray | None = None,
) -> list[Finding]:
    """Every (seed, query) pair that is too close. Seeds are (id, request); vectors, when
    given, are normalised embeddings in the same order."""
    findings: list[Finding] = []
    for seed_id, request in seeds:
        for query in queries:
            score = text_similarity(request, query)
            if score >= 1.0:
                findings.append(Finding(seed_id, request, query, "text", score))
    if seed_vectors is not None and query_vectors is not None:
        similarity = seed_vectors @ query_vectors.T
        for i, j in zip(*np.nonzero(similarity >= EMBEDDING_SIMILARITY), strict=True):
            seed_id, request = seeds[int(i)]
            findings.append(
                Finding(seed_id, request, queries[int(j)], "embedding", float(similarity[i, j]))
            )
    return findings
