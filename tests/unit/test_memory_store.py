"""The store with a model-free embedder (HashingEmbeddingFunction): seeding, recall,
writing and deduplication, forgetting, export/import, bad stores, doctor. The real
embedder is exercised in tests/e2e/test_memory_real.py."""

from __future__ import annotations

import io
import sqlite3
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lamtui.config import MemorySettings
from lamtui.errors import LamtuiError, ModelError
from lamtui.memory import MemoryStore, MemoryUnavailable, Recall
from lamtui.memory.client import DB_FILE, release
from lamtui.memory.doctor import diagnose, repair
from lamtui.memory.embedding import HashingEmbeddingFunction, default_embedding_function
from lamtui.memory.exchange import read_jsonl
from lamtui.memory.seeds import load_seeds
from lamtui.paths import get_paths
from lamtui.safety.redact import Redactor

SEEDS = len(load_seeds())
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4"


def _open(path: Path | None = None, **kw: Any) -> MemoryStore:
    embedding = kw.pop("embedding", None) or HashingEmbeddingFunction()
    return MemoryStore.open(MemorySettings(), None, embedding_function=embedding, path=path, **kw)


def _record(request: str, *commands: str, outcome: str = "finished") -> dict[str, Any]:
    steps = [
        {
            "action": {"thought": "t", "tool": "shell", "args": {"command": c},
                       "status": "continue", "plan_update": None},
            "decision": {"kind": "approve", "by": "user"},
            "result": {"ok": True, "exit_code": 0},
        }
        for c in commands
    ]  # fmt: skip
    return {"id": "t1", "request": request, "outcome": outcome, "steps": steps, "plans": []}


@pytest.fixture(autouse=True)
def _no_default_embedding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Chroma's default embedding function downloads a model on first use: any call to
    it fails every test in this module."""
    from chromadb.utils import embedding_functions as efs
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2 as onnx

    calls: list[str] = []

    # Chroma checks the signature of __call__ (it builds Collection objects with its
    # default function when listing), so the stand-in keeps it.
    def refuse(self: Any, input: Any) -> Any:
        calls.append("default embedding function")
        raise AssertionError("Chroma's default embedding function was called")

    def refuse_download(self: Any) -> None:
        calls.append("model download")
        raise AssertionError("Chroma tried to download its default embedding model")

    monkeypatch.setattr(efs.DefaultEmbeddingFunction, "__call__", refuse)
    monkeypatch.setattr(onnx.ONNXMiniLM_L6_V2, "__call__", refuse)
    monkeypatch.setattr(onnx.ONNXMiniLM_L6_V2, "_download_model_if_not_exists", refuse_download)
    return calls


def test_first_open_seeds_once_and_reopening_is_cheap() -> None:
    store = _open()
    assert store.seeded == SEEDS
    assert store.counts() == {"task": SEEDS, "fact": 0, "rejection": 0}
    store.close()
    embedding = HashingEmbeddingFunction()
    again = _open(embedding=embedding)
    assert again.seeded == 0 and embedding.calls == 0  # nothing embedded on reopen
    assert (get_paths().memory_dir / DB_FILE).exists()
    again.close()


def test_recall_gives_demonstrations_facts_and_warnings_and_nothing_when_unrelated() -> None:
    store = _open()
    store.remember_fact("use podman, not docker")
    action = {"tool": "shell", "args": {"command": "docker ps"}}
    store.remember_rejection(action, "use podman, not docker", "list the running containers")
    recall = store.recall("count the ERROR entries in the app log")
    assert isinstance(recall, Recall) and recall
    assert recall.items[0] == {
        "id": "seed:count-error-lines",
        "kind": "task",
        "text": recall.items[0]["text"],
        "score": pytest.approx(1.0, abs=0.01),
        "lexical": recall.items[0]["lexical"],
        "source": "seed",
    }
    assert '"command": "grep -c ERROR logs/app.log"' in recall.text
    containers = store.recall("list the running containers, use podman not docker")
    kinds = {item["kind"] for item in containers.items}
    assert {"fact", "rejection"} <= kinds
    assert (
        "rejected `docker ps`" in containers.text and "- use podman, not docker" in containers.text
    )
    assert store.recall("zebra quantum lullaby") == Recall()
    assert store.recall("   ") == Recall()
    store.close()


def test_remember_task_deduplicates_and_skips_unqualified_records() -> None:
    store = _open(seed=False)
    first = store.remember_task(_record("count lines in notes.txt", "wc -l notes.txt"))
    assert first is not None and first.startswith("task:")
    same = store.remember_task(_record("Count lines in notes.txt!", "wc -l notes.txt"))
    near = store.remember_task(_record("count the lines in notes.txt", "wc -l notes.txt"))
    assert same == first and near == first
    other = store.remember_task(_record("count lines in notes.txt", "grep -c '' notes.txt"))
    assert other == first  # same request: the newer actions replace the old ones
    (entry,) = [e for e in store.entries("task")]
    assert entry.data["actions"][0]["args"]["command"] == "grep -c '' notes.txt"
    assert store.remember_task(_record("delete everything", "rm -rf x", outcome="failed")) is None
    assert store.remember_task(_record("just chat")) is None
    assert store.counts()["task"] == 1
    store.close()


def test_facts_and_rejections_deduplicate_and_are_redacted() -> None:
    store = _open(seed=False)
    a = store.remember_fact("my projects live in ~/code")
    assert store.remember_fact("My projects live in ~/code.") == a
    secret = store.remember_fact(f"my github token is {TOKEN}")
    action = {"tool": "shell", "args": {"command": "rm -rf build"}}
    r1 = store.remember_rejection(action, "keep the build", "clean the project")
    assert store.remember_rejection(action, "keep the build", "clean the project") == r1
    r2 = store.remember_rejection(
        {"tool": "shell", "args": {"command": "make clean"}}, "", "clean the project"
    )
    assert r2 != r1 and store.remember_rejection({}, "x", "y") is None
    assert store.counts() == {"task": 0, "fact": 2, "rejection": 2}
    stored = {e.id: e.text for e in store.entries("fact")}
    assert TOKEN not in stored[secret] and "[REDACTED]" in stored[secret]
    with pytest.raises(MemoryUnavailable):
        store.remember_fact("  ")
    store.close()


def test_forgotten_seeds_stay_forgotten_across_reopen_and_new_seed_versions() -> None:
    store = _open()
    forgotten = store.forget("seed:git-current-branch")
    assert forgotten.source == "seed"
    with pytest.raises(LamtuiError, match="matches"):
        store.forget("seed:git-")
    with pytest.raises(LamtuiError, match="no memory"):
        store.forget("seed:nope")
    store.forget("seed:disk-inod")  # a unique prefix is enough
    store._set_meta(lamtui_seed_version=0)  # as if a newer lamtui shipped new seeds
    store.close()
    again = _open()
    ids = {e.id for e in again.entries("task")}
    assert again.seeded == SEEDS - 2
    assert "seed:git-current-branch" not in ids and "seed:disk-inodes" not in ids
    assert "seed:git-recent-commits" in ids
    again.close()


def test_export_then_import_into_another_store(tmp_path: Path) -> None:
    store = _open()
    store.remember_fact("use podman, not docker")
    store.remember_task(_record("archive the reports folder", "tar -czf reports.tgz reports"))
    store.forget("seed:proc-cpu-cores")
    out = io.StringIO()
    assert store.export_jsonl(out) == SEEDS - 1 + 2
    store.close()
    entries, problems = read_jsonl(io.StringIO(out.getvalue() + "not json\n{}\n"), Redactor())
    assert len(entries) == SEEDS + 1 and len(problems) == 2
    other = _open(tmp_path / "elsewhere", seed=False)
    report = other.import_entries(entries)
    assert report.added == SEEDS + 1 and report.duplicates == 0
    assert other.counts() == {"task": SEEDS, "fact": 1, "rejection": 0}
    assert other.import_entries(entries).duplicates == SEEDS + 1
    other.close()


def test_a_store_built_with_another_embedding_model_is_refused() -> None:
    _open(seed=False).close()
    with pytest.raises(MemoryUnavailable) as info:
        _open(embedding=HashingEmbeddingFunction(dim=128, label="other"))
    assert "doctor --rebuild" in info.value.hint


def test_corrupted_store_gives_a_clear_error() -> None:
    store = _open(seed=False)
    store.close()
    folder = get_paths().memory_dir
    release(folder)
    (folder / DB_FILE).write_bytes(b"this is not a database" * 200)
    with pytest.raises(MemoryUnavailable, match="damaged") as info:
        _open()
    assert "doctor" in info.value.hint


def test_locked_store_fails_fast_instead_of_hanging() -> None:
    _open(seed=False).close()
    db = get_paths().memory_dir / DB_FILE
    holder = sqlite3.connect(db, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(MemoryUnavailable, match="locked"):
            _open(seed=False)
        assert time.monotonic() - started < 10
    finally:
        holder.rollback()
        holder.close()
    _open(seed=False).close()  # usable again once the other holder lets go


def test_disabled_bad_url_and_unreachable_server() -> None:
    with pytest.raises(MemoryUnavailable, match="turned off"):
        MemoryStore.open(MemorySettings(enabled=False), None)
    with pytest.raises(MemoryUnavailable, match="not a Chroma server"):
        MemoryStore.open(
            MemorySettings(url="ftp://x"), None, embedding_function=HashingEmbeddingFunction()
        )
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(MemoryUnavailable, match="cannot be reached"):
        MemoryStore.open(
            MemorySettings(url=f"http://127.0.0.1:{port}"), None,
            embedding_function=HashingEmbeddingFunction(),
        )  # fmt: skip


def test_failures_inside_chroma_during_recall_become_memory_unavailable() -> None:
    store = _open(seed=False)
    store.remember_fact("use podman")  # the next recall reads the fact collection again

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("disk I/O error")

    store._collections["fact"].get = broken
    store._collections["fact"].query = broken
    with pytest.raises(MemoryUnavailable, match="disk I/O error"):
        store.recall("use podman")
    store.close()


def test_a_failing_embedder_becomes_memory_unavailable() -> None:
    embedding = HashingEmbeddingFunction()
    store = _open(seed=False, embedding=embedding)

    def gone(texts: Any) -> Any:
        raise ModelError("embedding model not found: /models/x.gguf")

    embedding.raw = gone  # type: ignore[method-assign]
    with pytest.raises(MemoryUnavailable, match="embedding model not found"):
        store.recall("anything")
    with pytest.raises(MemoryUnavailable):
        store.remember_fact("use podman")
    store.close()


def test_concurrent_recalls_from_threads_are_serialised() -> None:
    store = _open()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                store.recall("count the ERROR entries in the app log")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store.close()


def test_embedder_choice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import lamtui.lam.catalog as catalog

    bundled = tmp_path / "bundled.gguf"

    def fake_resolve(name: str, verify: bool = True) -> Any:
        if name == "missing":
            raise ModelError("unknown model 'missing'", "see `lamtui models list`")
        return SimpleNamespace(path=bundled if name == "gemma3-270m" else tmp_path / f"{name}.gguf")

    monkeypatch.setattr(catalog, "resolve_model", fake_resolve)
    chat = tmp_path / "chat.gguf"
    assert default_embedding_function(MemorySettings(), chat).model_path == str(chat)
    fallback = default_embedding_function(MemorySettings(), None)
    assert (fallback.model_path, fallback.method) == (str(bundled), "hidden")
    dedicated = default_embedding_function(MemorySettings(embedding_model="nomic"), chat)
    assert (dedicated.model_path, dedicated.method) == (str(tmp_path / "nomic.gguf"), "pooled")
    assert not dedicated.loaded  # nothing is loaded until something is embedded
    with pytest.raises(MemoryUnavailable, match="no embedding model"):
        default_embedding_function(MemorySettings(embedding_model="missing"), None)


# -- doctor ------------------------------------------------------------------------------


def test_doctor_on_a_healthy_and_on_a_missing_store() -> None:
    settings = MemorySettings()
    report = diagnose(settings, embedding_function=HashingEmbeddingFunction())
    assert report.healthy and "created on first use" in report.notes[0]
    _open().close()
    report = diagnose(settings, embedding_function=HashingEmbeddingFunction())
    assert report.healthy, report.problems
    assert any(f"{SEEDS} task" in n for n in report.notes)


def test_doctor_rebuilds_a_store_chroma_cannot_read_salvaging_from_sqlite() -> None:
    store = _open()
    store.remember_fact("my projects live in ~/code")
    store.forget("seed:proc-cpu-cores")
    store.close()
    folder = get_paths().memory_dir
    release(folder)
    with sqlite3.connect(folder / DB_FILE) as conn:  # damage Chroma's collection records
        conn.execute("UPDATE collections SET config_json_str = '{broken'")
    report = diagnose(MemorySettings(), embedding_function=HashingEmbeddingFunction())
    assert not report.healthy
    result = repair(MemorySettings(), embedding_function=HashingEmbeddingFunction())
    assert result.salvaged_from == "sqlite" and result.restored == 1
    assert result.forgotten_seeds == 1 and Path(result.backup).is_dir()
    store = _open()
    assert store.counts() == {"task": SEEDS - 1, "fact": 1, "rejection": 0}
    assert diagnose(MemorySettings(), embedding_function=HashingEmbeddingFunction()).healthy
    store.close()


def test_doctor_rebuilds_an_unreadable_store_with_seeds_and_keeps_a_backup() -> None:
    _open(seed=False).close()
    folder = get_paths().memory_dir
    release(folder)
    (folder / DB_FILE).write_bytes(b"\x00garbage" * 500)
    report = diagnose(MemorySettings(), embedding_function=HashingEmbeddingFunction())
    assert report.problems and "doctor" in " ".join(report.hints)
    result = repair(MemorySettings(), embedding_function=HashingEmbeddingFunction())
    assert result.salvaged == 0 and result.seeds == SEEDS
    assert (Path(result.backup) / DB_FILE).read_bytes().startswith(b"\x00garbage")
    assert _open().counts()["task"] == SEEDS


def test_doctor_rebuild_re_embeds_for_a_new_embedding_model() -> None:
    store = _open()
    store.remember_fact("use podman, not docker")
    store.close()
    new = HashingEmbeddingFunction(dim=128, label="new-model")
    with pytest.raises(MemoryUnavailable):
        _open(embedding=HashingEmbeddingFunction(dim=128, label="new-model"))
    result = repair(MemorySettings(), embedding_function=new)
    assert result.salvaged_from == "chroma" and result.restored == 1
    store = _open(embedding=HashingEmbeddingFunction(dim=128, label="new-model"))
    assert store.counts()["fact"] == 1
    assert store.recall("use podman, not docker").items[0]["kind"] == "fact"
    store.close()


def test_malformed_records_never_escape_as_other_errors() -> None:
    store = _open(seed=False)
    assert (
        store.remember_task({"outcome": "finished", "request": "x", "steps": ["junk", 3]}) is None
    )
    with pytest.raises(MemoryUnavailable):
        store.remember_task({"outcome": "finished", "request": "x", "steps": [{"decision": 5}]})
    store.close()


def test_in_memory_search_matches_chroma_after_writes_and_forgets() -> None:
    store = _open()
    store.recall("warm up")  # builds the in-memory views of every collection
    fact = store.remember_fact("use podman, not docker")
    task = store.remember_task(_record("archive the reports folder", "tar -czf r.tgz reports"))
    store.forget("seed:proc-cpu-cores")
    for kind in ("task", "fact"):
        held = store._vectors[kind]
        assert held is not None
        ids = set(store._collections[kind].get(include=[])["ids"])
        assert set(held[0]) == ids and held[1].shape[0] == len(ids)
    assert store.recall("use podman, not docker").items[0]["id"] == fact
    assert store.recall("archive the reports folder").items[0]["id"] == task
    vector = store._vector("count the ERROR entries in the app log")
    in_memory = [c.id for c in store._candidates("task", "count ERROR entries", vector)][:5]
    store._vectors["task"] = None  # the same search through Chroma's index
    through_chroma = [c.id for c in store._candidates("task", "count ERROR entries", vector)][:5]
    assert in_memory == through_chroma
    store.close()
