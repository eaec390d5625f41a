"""Memory retrieval quality and latency (issue: memory).

1. recall@1 / recall@3 of the shipped demonstrations for the labelled paraphrase set
   (lamtui/memory/data/paraphrases.toml: each paraphrase should retrieve its seed among
   all 200 seeds), for the fused ranking and for its two halves alone. The fusion weight
   and the layer were chosen on the even-numbered groups, so the odd ones are reported
   separately as held out.
2. The relevance gate: how many paraphrases keep their correct demonstration, and how
   many unrelated requests get no memory at all.
3. Latency with 10,000 stored trajectories: retrieval (vector + keyword search, fusion,
   gate, rendering) with the query embedding precomputed, and the embedding on its own.
4. Embedding cost: hidden-state capture (the default) against llama.cpp's own pooled
   embedding mode on the same model, and the first-run seeding time.

Usage: .venv/bin/python -m benchmarks.bench_memory [--quick] [--size N] [--json]
       (--json: print the figures as one JSON line instead of the tables)
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import Report, Rows
from lamtui.config import MemorySettings
from lamtui.memory.client import release
from lamtui.memory.embedding import LlamaEmbeddingFunction
from lamtui.memory.ranking import relevant
from lamtui.memory.records import KINDS, Entry, entry_id, normalize
from lamtui.memory.seeds import load_seeds
from lamtui.memory.store import MemoryStore

PARAPHRASES = Path(__file__).resolve().parents[1] / "lamtui/memory/data/paraphrases.toml"
UNRELATED = [
    "write a haiku about autumn leaves",
    "what is the capital of France",
    "tell me a joke about cats",
    "translate good morning into Spanish",
    "who won the football world cup in 2014",
    "explain how photosynthesis works",
    "recommend a good science fiction novel",
    "what should I cook for dinner tonight",
    "summarize the plot of Hamlet",
    "how do I say thank you in Japanese",
]


def _model() -> Path:
    if "LAMTUI_HOME" not in os.environ:
        os.environ["LAMTUI_HOME"] = tempfile.mkdtemp(prefix="lamtui-bench-")
    from lamtui.lam.catalog import resolve_model

    return resolve_model("gemma3-270m", verify=False).path


def _remove(folder: Path) -> None:
    """Temporary stores hold ~50 MB at 10,000 entries: do not leave them behind."""
    release(folder)
    shutil.rmtree(folder, ignore_errors=True)


def _queries() -> list[tuple[str, str, int]]:
    with PARAPHRASES.open("rb") as fh:
        groups = tomllib.load(fh)["group"]
    return [(q, g["seed"], i) for i, g in enumerate(groups) for q in g["queries"]]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")


def _recall_figures(
    ranked: list[list[str]], queries: list[tuple[str, str, int]], part: int | None
) -> tuple[float, float, int]:
    """recall@1, recall@3 and n over all groups (part None) or the even (0) / odd (1) ones."""
    hit1 = hit3 = n = 0
    for top, (_, target, group) in zip(ranked, queries, strict=True):
        if part is not None and group % 2 != part:
            continue
        n += 1
        hit1 += bool(top[:1] == [f"seed:{target}"])
        hit3 += f"seed:{target}" in top[:3]
    return hit1 / n, hit3 / n, n


def _recall(ranked: list[list[str]], queries: list[tuple[str, str, int]], part: int | None) -> str:
    r1, r3, n = _recall_figures(ranked, queries, part)
    return f"{r1:.3f} / {r3:.3f}  (n={n})"


def quality(store: MemoryStore) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    queries = _queries()
    started = time.perf_counter()
    vectors = store.embedding.embed([q for q, _, _ in queries])
    embed_seconds = (time.perf_counter() - started) / len(queries)
    fused: list[list[str]] = []
    by_vector: list[list[str]] = []
    by_words: list[list[str]] = []
    gate_kept = 0
    for (query, target, _), vector in zip(queries, vectors, strict=True):
        hits = store._search("task", query, vector)
        fused.append([h.entry.id for h in hits])
        by_vector.append([h.entry.id for h in sorted(hits, key=lambda h: -h.similarity)])
        lexical = store._lexical["task"].top(query, 3)
        by_words.append([i for i, _ in lexical])
        kept = [h.entry.id for h in hits if relevant(h, "task")][:3]
        gate_kept += f"seed:{target}" in kept
    unrelated_with_memory = sum(bool(store.recall(q).items) for q in UNRELATED)
    info: dict[str, Any] = {"embed_seconds": embed_seconds, "queries": len(queries)}
    for name, ranked, part in (
        ("fused", fused, None),
        ("fused_heldout", fused, 1),
        ("vector", by_vector, None),
        ("keywords", by_words, None),
    ):
        r1, r3, _ = _recall_figures(ranked, queries, part)
        info[f"recall1_{name}"], info[f"recall3_{name}"] = r1, r3
    info["gate_kept_share"] = gate_kept / len(queries)
    info["unrelated_with_memory"] = unrelated_with_memory
    info["unrelated"] = len(UNRELATED)
    rows = [
        ("fused (shipped), all groups", _recall(fused, queries, None)),
        ("fused, tuning half (even groups)", _recall(fused, queries, 0)),
        ("fused, held-out half (odd groups)", _recall(fused, queries, 1)),
        ("embedding only, all", _recall(by_vector, queries, None)),
        ("keywords (BM25) only, all", _recall(by_words, queries, None)),
        (
            "gate keeps the right demo (in top 3)",
            f"{gate_kept}/{len(queries)} = {gate_kept / len(queries):.3f}",
        ),
        (
            "unrelated requests given any memory",
            f"{unrelated_with_memory}/{len(UNRELATED)}",
        ),
    ]
    return rows, info


def _synthetic(store: MemoryStore, n: int, rng: np.random.Generator) -> None:
    """n trajectories near the seeds (perturbed seed vectors, varied requests), so the
    index is as dense where queries land as a real store would be."""
    seeds = store.entries("task")
    got = store._collections["task"].get(ids=[s.id for s in seeds], include=["embeddings"])
    base = np.asarray(got["embeddings"], dtype=np.float32)
    words = ["today", "again", "for the report", "in my project", "quickly", "please", "now"]
    entries: list[Entry] = []
    vectors = np.zeros((n, base.shape[1]), dtype=np.float32)
    for i in range(n):
        j = int(rng.integers(len(seeds)))
        seed = seeds[j]
        text = f"{seed.text} {words[i % len(words)]} #{i}"
        vec = base[j] + rng.normal(scale=0.6 / np.sqrt(base.shape[1]), size=base.shape[1])
        vectors[i] = vec / np.linalg.norm(vec)
        data = dict(seed.data, request=text)
        entries.append(Entry(entry_id("task", normalize(text)), "task", text, data, "task"))
    store._upsert("task", entries, vectors)


def latency_figures(model: Path, n: int) -> dict[str, float]:
    """Retrieval and query-embedding latency (ms) with n synthetic trajectories stored."""
    folder = Path(tempfile.mkdtemp(prefix="lamtui-bench-mem-"))
    embedding = LlamaEmbeddingFunction(str(model))
    store = MemoryStore.open(MemorySettings(), model, embedding_function=embedding, path=folder)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    _synthetic(store, n, rng)
    fill = time.perf_counter() - started
    for fact in ("use podman, not docker", "my projects live in ~/code"):
        store.remember_fact(fact)
    queries = [q for q, _, _ in _queries()]
    vectors = embedding.embed(queries)
    embed_times = []
    for q in queries[:40]:
        t = time.perf_counter()
        embedding.embed([q])
        embed_times.append((time.perf_counter() - t) * 1000)
    precomputed = dict(zip(queries, vectors, strict=True))
    store._vector = lambda text: precomputed[text]  # type: ignore[method-assign]
    store.recall(queries[0])  # builds the keyword index once (reported separately)
    retrieval = []
    for q in queries:
        t = time.perf_counter()
        store.recall(q)
        retrieval.append((time.perf_counter() - t) * 1000)
    counts = store.counts()
    store.close()
    _remove(folder)
    return {
        "synthetic": n,
        "stored": counts["task"],
        "fill_s": fill,
        "retrieval_p50_ms": _pct(retrieval, 50),
        "retrieval_p95_ms": _pct(retrieval, 95),
        "query_embed_p50_ms": _pct(embed_times, 50),
        "query_embed_p95_ms": _pct(embed_times, 95),
    }


def latency_rows(f: dict[str, float]) -> Rows:
    stored = (
        f"{f['stored']:,.0f} ({f['synthetic']:,.0f} synthetic + seeds), "
        f"filled in {f['fill_s']:.1f} s"
    )
    p50, p95 = f["retrieval_p50_ms"], f["retrieval_p95_ms"]
    e50, e95 = f["query_embed_p50_ms"], f["query_embed_p95_ms"]
    return [
        ("stored trajectories", stored),
        ("retrieval p50 / p95 (embedding excluded)", f"{p50:.1f} / {p95:.1f} ms (target <= 20)"),
        ("query embedding p50 / p95", f"{e50:.0f} / {e95:.0f} ms"),
    ]


def latency(model: Path, n: int) -> Rows:
    return latency_rows(latency_figures(model, n))


def embedding_cost_figures(model: Path, quick: bool) -> dict[str, float]:
    """ms per text for each embedding method, one text per call and batched."""
    texts = [s.request for s in load_seeds()][: 8 if quick else 24]
    figures: dict[str, float] = {"cost_texts": len(texts)}
    for method in ("hidden", "pooled"):
        fn = LlamaEmbeddingFunction(str(model), method=method)  # type: ignore[arg-type]
        fn.raw(texts[:1])  # load
        t = time.perf_counter()
        for text in texts:
            fn.raw([text])
        single = (time.perf_counter() - t) / len(texts) * 1000
        t = time.perf_counter()
        fn.raw(texts)
        batched = (time.perf_counter() - t) / len(texts) * 1000
        fn.close()
        figures[f"{method}_single_ms"], figures[f"{method}_batched_ms"] = single, batched
    return figures


def embedding_cost_rows(f: dict[str, float]) -> Rows:
    return [
        (
            f"{method}: one text / batched",
            f"{f[f'{method}_single_ms']:.0f} / {f[f'{method}_batched_ms']:.0f} ms per text",
        )
        for method in ("hidden", "pooled")
    ]


def embedding_cost(model: Path, quick: bool) -> Rows:
    return embedding_cost_rows(embedding_cost_figures(model, quick))


def run(quick: bool = False, size: int = 10_000) -> Report:
    """Figures: recall1_/recall3_{fused,fused_heldout,vector,keywords}, gate_kept_share,
    unrelated_with_memory / unrelated, the latency_figures and embedding_cost_figures keys,
    first_open_s, seeding_s, seeds, paraphrase_batched_ms."""
    model = _model()
    folder = Path(tempfile.mkdtemp(prefix="lamtui-bench-mem-"))
    embedding = LlamaEmbeddingFunction(str(model))
    started = time.perf_counter()
    store = MemoryStore.open(MemorySettings(), model, embedding_function=embedding, path=folder)
    first_open = time.perf_counter() - started
    rows, info = quality(store)
    store.close()
    _remove(folder)
    size = 1000 if quick else size
    lat = latency_figures(model, size)
    cost = embedding_cost_figures(model, quick)
    requests = [s.request for s in load_seeds()]
    started = time.perf_counter()
    embedding.raw(requests)
    seeding = time.perf_counter() - started
    embedding.close()
    cost_rows = [
        *embedding_cost_rows(cost),
        ("first open, new store (shipped seed vectors)", f"{first_open:.1f} s"),
        (f"embedding the {len(requests)} seeds instead", f"{seeding:.1f} s (other models)"),
        ("paraphrase queries, batched", f"{info['embed_seconds'] * 1000:.0f} ms per text"),
    ]
    figures: dict[str, float] = {
        k: v for k, v in info.items() if isinstance(v, int | float) and k != "embed_seconds"
    }
    figures.update(lat)
    figures.update(cost)
    figures.update(
        first_open_s=first_open,
        seeding_s=seeding,
        seeds=len(requests),
        paraphrase_batched_ms=info["embed_seconds"] * 1000,
    )
    tables = [
        ("Retrieval of demonstrations for paraphrases: recall@1 / recall@3", rows),
        (f"Latency with {size:,} stored trajectories", latency_rows(lat)),
        ("Embedding cost (bundled Gemma 3 270M, this machine)", cost_rows),
    ]
    return Report(tables, dict(figures))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 trajectories, fewer texts")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print figures as one JSON line")
    args = parser.parse_args(argv)
    report = run(args.quick, args.size)
    if args.json:
        print(report.to_json())
        return
    print(report.text())
    print(f"\n{len(KINDS)} collections; machine load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
