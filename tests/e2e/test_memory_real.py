"""Memory with the real bundled model: the llama.cpp embedder, the shipped seed vectors,
retrieval of paraphrased requests, the relevance gate, and disjointness of the seeds
from evaluation suites (by wording and by embedding)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lamtui.config import MemorySettings
from lamtui.eval.builtin import BuiltinSuite
from lamtui.memory import MemoryStore, Recall, precomputed
from lamtui.memory.disjoint import (
    EMBEDDING_SIMILARITY,
    load_queries,
    near_duplicates,
    text_similarity,
)
from lamtui.memory.embedding import LlamaEmbeddingFunction
from lamtui.memory.seeds import load_seeds

pytestmark = pytest.mark.real_model

REPO = Path(__file__).resolve().parents[2]
# Every evaluation suite's query files. Add a suite by listing its files here; JSON lists
# of {"query"|"request": ...}, JSONL, or TOML [[task]] tables with a request all work.
EVAL_DATA = REPO / "lamtui" / "eval" / "data"
EVAL_QUERY_FILES = [
    *(EVAL_DATA / "intercode_bash" / f"nl2bash_fs_{n}.json" for n in (1, 2, 3, 4)),
    EVAL_DATA / "builtin.toml",
]
PARAPHRASES = REPO / "lamtui" / "memory" / "data" / "paraphrases.toml"


@pytest.fixture(scope="module")
def embedding(bundled_model_path: Path) -> Iterator[LlamaEmbeddingFunction]:
    fn = LlamaEmbeddingFunction(str(bundled_model_path))
    yield fn
    fn.close()


@pytest.fixture(scope="module")
def store(
    embedding: LlamaEmbeddingFunction, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MemoryStore]:
    folder = tmp_path_factory.mktemp("real-memory")
    opened = MemoryStore.open(MemorySettings(), None, embedding_function=embedding, path=folder)
    yield opened
    opened.close()


def _seed_vectors(store: MemoryStore) -> tuple[list[tuple[str, str]], np.ndarray]:
    seeds = load_seeds()
    got = store._collections["task"].get(
        ids=[f"seed:{s.id}" for s in seeds], include=["embeddings"]
    )
    by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
    vectors = np.array([by_id[f"seed:{s.id}"] for s in seeds], dtype=np.float32)
    return [(s.id, s.request) for s in seeds], vectors


def test_new_store_is_seeded_from_the_shipped_vectors_without_loading_the_model(
    store: MemoryStore, embedding: LlamaEmbeddingFunction
) -> None:
    assert store.seeded == len(load_seeds())
    texts = [s.request for s in load_seeds()]
    shipped = precomputed.load(embedding, texts)
    assert shipped is not None, "seeds.toml changed: run python -m lamtui.memory.precomputed"
    sample = list(range(0, len(texts), 17))
    fresh = embedding.embed([texts[i] for i in sample])
    stored = embedding.finish(shipped[sample])
    cosines = np.sum(fresh * stored, axis=1)
    # Different batch shapes round differently (measured 0.997-1.0); 0.99 still means
    # the same vector, while different requests are below 0.9.
    assert cosines.min() > 0.99, cosines


def test_batched_and_single_embeddings_agree_and_differ_between_texts(
    embedding: LlamaEmbeddingFunction,
) -> None:
    texts = ["count the lines of main.c", "show git blame for setup.py", "x"]
    batched = embedding.embed(texts)
    single = np.array([embedding.embed([t])[0] for t in texts])
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-4)
    assert np.min(np.sum(batched * single, axis=1)) > 0.99  # rounding differs by batch
    assert float(batched[0] @ batched[1]) < 0.9


def test_llama_cpp_pooled_mode_also_works(bundled_model_path: Path) -> None:
    pooled = LlamaEmbeddingFunction(str(bundled_model_path), method="pooled")
    try:
        raw = pooled.raw(["list the python files", "list the python files", "free disk space"])
    finally:
        pooled.close()
    assert raw.shape[0] == 3 and np.isfinite(raw).all()
    unit = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    assert float(unit[0] @ unit[1]) > 0.999 > float(unit[0] @ unit[2])


def _paraphrases() -> list[tuple[str, str]]:
    with PARAPHRASES.open("rb") as fh:
        groups = tomllib.load(fh)["group"]
    assert len(groups) >= 40
    return [(q, g["seed"]) for g in groups for q in g["queries"]]


def test_paraphrased_requests_retrieve_their_demonstration(store: MemoryStore) -> None:
    sample = _paraphrases()[::5]  # a fixed fifth of the set; the benchmark runs all
    vectors = store.embedding.embed([q for q, _ in sample])
    found = 0
    for (query, target), vector in zip(sample, vectors, strict=True):
        top = [h.entry.id for h in store._search("task", query, vector)[:3]]
        found += f"seed:{target}" in top
    assert found / len(sample) >= 0.8, f"recall@3 {found}/{len(sample)}"


def test_recall_for_the_agent_and_the_gate_for_unrelated_requests(store: MemoryStore) -> None:
    recall = store.recall("how many lines does server.log have")
    assert recall.items and recall.items[0]["kind"] == "task"
    assert "wc -l" in recall.text
    for unrelated in ("write a haiku about autumn leaves", "what is the capital of France"):
        assert store.recall(unrelated) == Recall()


def test_learned_tasks_and_facts_are_recalled(store: MemoryStore) -> None:
    record: dict[str, Any] = {
        "id": "t",
        "request": "rotate the nginx logs in /var/log/nginx",
        "outcome": "finished",
        "plans": [],
        "steps": [
            {
                "action": {"thought": "t", "tool": "shell", "status": "continue",
                           "args": {"command": "logrotate -f /etc/logrotate.d/nginx"},
                           "plan_update": None},
                "decision": {"kind": "approve"},
                "result": {"ok": True},
            }
        ],
    }  # fmt: skip
    task_id = store.remember_task(record)
    assert task_id is not None and store.remember_task(record) == task_id
    recall = store.recall("rotate the nginx log files in /var/log/nginx")
    assert recall.items[0]["id"] == task_id and "logrotate" in recall.text
    fact = store.remember_fact("my projects live in ~/code")
    ids = {i["id"] for i in store.recall("my projects live in ~/code, list them").items}
    assert fact in ids


def test_seeds_are_disjoint_from_every_evaluation_suite(store: MemoryStore) -> None:
    for path in EVAL_QUERY_FILES:
        assert path.exists(), f"evaluation queries missing: {path}"
    queries = load_queries(EVAL_QUERY_FILES)
    assert len(queries) == 200 + len(BuiltinSuite().tasks())
    seeds, seed_vectors = _seed_vectors(store)
    query_vectors = store.embedding.embed(queries)
    findings = near_duplicates(seeds, queries, seed_vectors, query_vectors)
    assert not findings, "\n".join(str(f) for f in findings)

    # The detector itself catches near-duplicates: light rewordings of evaluation queries
    # (case, articles, another path) are all flagged, most of them by embedding alone.
    sample = queries[::10]
    reworded = [
        re.sub(r"(?:/testbed|/system|/workspace)[\w./-]*", "my folder",
               re.sub(r"\b(?:the|a|an|all)\b ?", "", q.lower())).strip()
        for q in sample
    ]  # fmt: skip
    vectors = store.embedding.embed(reworded)
    originals = query_vectors[::10]
    flagged = near_duplicates(list(enumerate(reworded)), sample, vectors, originals)  # type: ignore[arg-type]
    pairs = {(int(f.seed), f.query) for f in flagged}
    assert all((i, q) in pairs for i, q in enumerate(sample))
    by_embedding = {
        int(f.seed) for f in flagged if f.by == "embedding" and f.query == sample[int(f.seed)]
    }
    assert len(by_embedding) >= len(sample) * 0.6
    assert all(text_similarity(r, q) >= 1.0 for r, q in zip(reworded, sample, strict=True))
    assert EMBEDDING_SIMILARITY < 1.0


def test_lamtui_run_remembers_a_task_and_recalls_it_next_time(
    bundled_model_path: Path, real_home: Path, tmp_path: Path
) -> None:
    """The whole path in a real process: `lamtui run --memory on` opens the Chroma store
    in the data folder (seeded on first use), embeds with the bundled GGUF through
    llama.cpp, remembers the approved task, and recalls it for a similar request. The
    chat model is scripted so that the task's outcome is known."""
    import json
    import os
    import subprocess
    import sys

    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "server.log").write_text("ok\nerror: disk\nok\n")
    replies = tmp_path / "replies.json"
    action = {"thought": "t", "status": "continue", "plan_update": None}
    replies.write_text(
        json.dumps(
            [
                {"goal": "count", "subtasks": [{"title": "count", "steps": ["grep"]}]},
                action | {"tool": "shell", "args": {"command": "grep -c error server.log"}},
                action | {"tool": "finish", "args": {"summary": "1"}, "status": "finish"},
            ]
        )
    )
    env = {**os.environ, "LAMTUI_HOME": str(real_home)}
    env.pop("LAMTUI_MEMORY_ENABLED", None)

    def run(request: str) -> list[dict[str, Any]]:
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "lamtui.cli", "run", "--model", f"scripted:{replies}"),
                *("--approve", "all", "--memory", "on", "--json", request),
            ],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, proc.stderr
        assert "working without memory" not in proc.stderr
        return [json.loads(line) for line in proc.stdout.splitlines()]

    first = run("how many lines of server.log mention errors")
    assert any("remembered this task" in str(e["payload"]) for e in first)
    second = run("count the error lines in server.log")
    used = [e["payload"]["items"] for e in second if e["type"] == "memory_used"]
    assert used, "the remembered task was not recalled"
    assert any("server.log" in item["text"] and item["source"] == "task" for item in used[0])
