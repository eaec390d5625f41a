"""`lamtui memory ...` end to end through argparse and the real store (files in a
temporary LAMTUI_HOME), with the model-free embedder substituted for speed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from lamtui.commands import memory as memory_cmd
from lamtui.errors import LamtuiError
from lamtui.memory.client import DB_FILE, release
from lamtui.memory.embedding import HashingEmbeddingFunction
from lamtui.memory.seeds import load_seeds
from lamtui.paths import get_paths

SEEDS = len(load_seeds())


@pytest.fixture(autouse=True)
def _model_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMTUI_MEMORY_ENABLED", "true")
    monkeypatch.setattr(memory_cmd, "make_embedding", lambda settings: HashingEmbeddingFunction())
    monkeypatch.setattr(memory_cmd, "_model_path", lambda settings: None)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="lamtui")
    sub = parser.add_subparsers(dest="command")
    memory_cmd.register(sub)
    args = parser.parse_args(["memory", *argv])
    result: int = args.handler(args)
    return result


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    assert run(*argv, "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_list_search_remember_forget(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(_json(capsys, "list", "--source", "seed")) == SEEDS
    assert run("remember", "use podman, not docker") == 0
    assert "remembered as fact:" in capsys.readouterr().out
    facts = _json(capsys, "list", "--kind", "fact")
    assert [f["text"] for f in facts] == ["use podman, not docker"]
    hits = _json(capsys, "search", "count the ERROR entries in the app log", "-k", "3")
    assert hits[0]["id"] == "seed:count-error-lines" and hits[0]["used"] is True
    assert run("forget", "seed:count-error-lines") == 0
    assert "will not come back" in capsys.readouterr().out
    assert len(_json(capsys, "list", "--source", "seed")) == SEEDS - 1
    assert run("list") == 0
    out = capsys.readouterr()
    assert "fact:" in out.out and f"{SEEDS} memories" in out.err
    with pytest.raises(LamtuiError, match="no memory"):
        run("forget", "nothing-like-this")


def test_export_and_import_move_memories_between_homes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("remember", "my projects live in ~/code")
    run("forget", "seed:git-list-tags")
    export = tmp_path / "memories.jsonl"
    assert run("export", str(export)) == 0
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert len(lines) == SEEDS and {"id", "kind", "text", "source", "data"} <= set(lines[0])
    monkeypatch.setenv("LAMTUI_HOME", str(tmp_path / "other-machine"))
    capsys.readouterr()
    assert run("import", str(export)) == 0
    assert "imported 1 memories" in capsys.readouterr().out  # seeds were there already
    facts = _json(capsys, "list", "--kind", "fact")
    assert facts[0]["text"] == "my projects live in ~/code"
    assert run("import", str(export)) == 0
    assert f"{SEEDS} already known" in capsys.readouterr().out


def test_import_rejects_files_that_are_not_exports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"hello": 1}\nnot json\n')
    with pytest.raises(LamtuiError, match="holds no memories"):
        run("import", str(bad))
    with pytest.raises(LamtuiError, match="no such file"):
        run("import", str(tmp_path / "missing.jsonl"))
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(LamtuiError, match="UTF-8"):
        run("import", str(binary))


def test_doctor_explains_then_rebuilds_a_damaged_store(capsys: pytest.CaptureFixture[str]) -> None:
    run("remember", "my projects live in ~/code")
    capsys.readouterr()
    assert run("doctor") == 0
    assert "the store is healthy" in capsys.readouterr().out
    folder = get_paths().memory_dir
    release(folder)
    (folder / DB_FILE).write_bytes(b"garbage" * 300)
    assert run("doctor", "--dry-run") == 1
    out = capsys.readouterr().out
    assert "problem:" in out and "damaged" in out and "nothing changed" in out
    assert run("doctor") == 0
    out = capsys.readouterr().out
    assert "backup:" in out and "the store was rebuilt" in out
    backups = list(folder.parent.glob("memory.bak-*"))
    assert len(backups) == 1 and (backups[0] / DB_FILE).exists()
    assert len(_json(capsys, "list", "--source", "seed")) == SEEDS


def test_doctor_rebuild_on_a_healthy_store_keeps_user_memories(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run("remember", "use podman, not docker")
    assert run("doctor", "--rebuild") == 0
    assert "restored 1 of yours" in capsys.readouterr().out
    assert len(_json(capsys, "list", "--kind", "fact")) == 1


def test_doctor_will_not_rebuild_a_store_another_process_holds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sqlite3

    run("remember", "my projects live in ~/code")
    holder = sqlite3.connect(get_paths().memory_dir / DB_FILE)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        capsys.readouterr()
        assert run("doctor") == 1
        out = capsys.readouterr().out
        assert "locked" in out and "not rebuilding" in out
    finally:
        holder.rollback()
        holder.close()
    assert not list(get_paths().memory_dir.parent.glob("memory.bak-*"))
    assert len(_json(capsys, "list", "--kind", "fact")) == 1


def test_search_results_are_printed_best_first_by_the_score_shown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store ranks by similarity plus a shared-word bonus; printing the bare similarity
    made the column look unsorted (0.60 above 0.70). The score shown is the one ranked by."""
    from lamtui.memory.ranking import search_score
    from lamtui.memory.recall import Hit
    from lamtui.memory.records import Entry
    from lamtui.memory.store import MemoryStore

    def entry(name: str) -> Entry:
        return Entry(f"fact:{name}", "fact", f"{name} fact", {}, "user")

    # A: fewer embedding points, many shared words; B: the reverse; C: weakest.
    a = Hit(entry("a"), 0.60, 3.0, 0.0)
    b = Hit(entry("b"), 0.70, 0.0, 0.0)
    c = Hit(entry("c"), 0.10, 0.0, 0.0)
    monkeypatch.setattr(MemoryStore, "search", lambda self, query, k, kind=None: [c, a, b])
    capsys.readouterr()
    assert run("search", "anything") == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if "fact:" in line]
    scores = [float(row[1:].split()[0]) for row in rows]
    ids = [row[1:].split()[1] for row in rows]
    assert ids == ["fact:a", "fact:b", "fact:c"]
    assert scores == sorted(scores, reverse=True) == [0.75, 0.70, 0.10]
    assert search_score(a) > search_score(b)  # what the store itself sorts by

    hits = _json(capsys, "search", "anything")
    assert [h["id"] for h in hits] == ["fact:a", "fact:b", "fact:c"]
    assert [h["rank_score"] for h in hits] == [0.75, 0.7, 0.1]
    assert [h["score"] for h in hits] == [0.6, 0.7, 0.1]  # the similarity, as before
