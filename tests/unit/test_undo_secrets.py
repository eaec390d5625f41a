"""Undo pre-images never keep a stored secret's value: the content is not copied, the
snapshot says so (so the agent asks), and undo leaves that file alone."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from lamtui.actions.undo import UndoStore, undo
from lamtui.actions.undo import blobs as blob_module
from lamtui.actions.undo.secretscan import HOLDS_SECRET
from lamtui.errors import LamtuiError
from lamtui.paths import get_paths

CANARY = "canary-Zq9xK2mW7vB4nR8t"


class Secrets:
    """A SecretStore stand-in: names and values, or a failure."""

    def __init__(self, values: dict[str, str], broken: bool = False) -> None:
        self.values = values
        self.broken = broken

    def names(self) -> list[str]:
        return sorted(self.values)

    def get(self, name: str) -> str:
        if self.broken:
            raise LamtuiError("the keyring is locked")
        return self.values[name]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    path.mkdir()
    return path


def _undo_bytes() -> bytes:
    return b"".join(p.read_bytes() for p in get_paths().undo_dir.rglob("*") if p.is_file())


def test_a_file_holding_the_secret_is_not_kept(ws: Path) -> None:
    env = ws / ".env"
    env.write_text(f"TOKEN={CANARY}\n")
    store = UndoStore("t1", ws, secrets=Secrets({"TOKEN": CANARY}))
    report = store.before_file_write(1, env)
    assert not report.complete and report.skipped == [(".env", HOLDS_SECRET)]
    env.write_text("TOKEN=changed\n")
    store.after_action(1)
    assert CANARY.encode() not in _undo_bytes()
    result = undo()
    assert result.restored == [] and env.read_text() == "TOKEN=changed\n"
    assert result.skipped == [(".env", f"not kept before the action: {HOLDS_SECRET}")]


@pytest.mark.parametrize(
    "content",
    [
        f"x = '{CANARY}'",
        CANARY[::-1],
        base64.b64encode(f"k={CANARY}".encode()).decode(),
        CANARY.encode().hex(),
    ],
    ids=["value", "reversed", "base64", "hex"],
)
def test_every_known_form_is_refused(ws: Path, content: str) -> None:
    (ws / "f.txt").write_text(content)
    report = UndoStore("t1", ws, secrets=Secrets({"T": CANARY})).before_shell(1, [ws / "f.txt"])
    assert report.skipped == [("f.txt", HOLDS_SECRET)]
    assert not (get_paths().undo_dir / "t1" / "blobs").exists() or not any(
        (get_paths().undo_dir / "t1" / "blobs").iterdir()
    )


def test_a_secret_across_a_chunk_boundary(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blob_module, "CHUNK", 16)
    for shift in range(0, 24, 3):
        (ws / "f.txt").write_text("x" * shift + CANARY + "y" * 40)
        report = UndoStore(f"t{shift}", ws, secrets=Secrets({"T": CANARY})).before_shell(
            1, [ws / "f.txt"]
        )
        assert report.skipped == [("f.txt", HOLDS_SECRET)], shift
    assert CANARY[:8].encode() not in _undo_bytes()  # not even a piece was written


def test_a_secret_file_inside_a_tree(ws: Path) -> None:
    (ws / "d").mkdir()
    (ws / "d" / "key.txt").write_text(f"{CANARY}\n")
    plain = ws / "d" / "plain.txt"
    plain.write_text("plain\n")
    store = UndoStore("t1", ws, secrets=Secrets({"T": CANARY}))
    report = store.before_shell(1, [ws / "d"])
    assert report.saved == ["d/plain.txt"] and report.skipped == [("d/key.txt", HOLDS_SECRET)]
    (ws / "d" / "key.txt").write_text("rotated\n")
    plain.write_text("changed\n")
    store.after_action(1)
    assert CANARY.encode() not in _undo_bytes()
    result = undo()
    assert result.restored == ["d/plain.txt"] and plain.read_text() == "plain\n"
    # Not deleted (it existed before) and not overwritten (nothing to put back).
    assert (ws / "d" / "key.txt").read_text() == "rotated\n" and result.deleted == []


def test_whole_workspace_snapshot_with_a_secret_file(ws: Path) -> None:
    (ws / ".env").write_text(CANARY)
    (ws / "a.txt").write_text("a")
    report = UndoStore("t1", ws, secrets=Secrets({"T": CANARY})).before_shell(1, [])
    assert report.saved == ["a.txt"] and report.skipped == [(".env", HOLDS_SECRET)]
    assert CANARY.encode() not in _undo_bytes()


def test_a_symlink_whose_target_is_the_secret(ws: Path) -> None:
    (ws / "d").mkdir()
    (ws / "d" / "l").symlink_to(f"/tmp/{CANARY}")
    report = UndoStore("t1", ws, secrets=Secrets({"T": CANARY})).before_shell(1, [ws / "d"])
    assert report.saved == [] and report.skipped[0][0] == "d"
    assert CANARY.encode() not in _undo_bytes()


def test_unreadable_secrets_keep_nothing_that_could_hold_one(ws: Path) -> None:
    (ws / "a.txt").write_text("anything")
    (ws / "empty").write_text("")
    store = UndoStore("t1", ws, secrets=Secrets({"T": CANARY}, broken=True))
    report = store.before_shell(1, [ws / "a.txt", ws / "empty", ws / "new.txt"])
    assert [p for p, _ in report.skipped] == ["a.txt"]
    assert "could not be read" in report.skipped[0][1]
    assert sorted(report.saved) == ["empty", "new.txt"]  # nothing in them to leak


def test_short_values_and_no_secrets_change_nothing(ws: Path) -> None:
    (ws / "a.txt").write_text("abc and more")
    report = UndoStore("t1", ws, secrets=Secrets({"T": "abc"})).before_shell(1, [ws / "a.txt"])
    assert report.complete and report.saved == ["a.txt"]
    report = UndoStore("t2", ws, secrets=Secrets({})).before_shell(1, [ws / "a.txt"])
    assert report.complete
