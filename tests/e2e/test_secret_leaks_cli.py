"""A canary secret through `lamtui run --json --model scripted:FILE` (issue 12, class 7):
tasks cat it, reverse it, base64 it, hex it, put it at the end of a 2,000-character line,
write it with write_file and overwrite it (the diff preview shows the old content). The
canary, in any of those forms, must appear nowhere in the --json output and nowhere in
lamtui's files (audit log, trajectories, saved outputs) nor in its undo blobs.

The secret lives in a file-backed test keyring outside LAMTUI_HOME (tests/file_keyring.py),
so every byte under LAMTUI_HOME can be searched. No model is loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from lamtui.paths import get_paths
from lamtui.safety.secrets import SecretStore
from tests.file_keyring import BACKEND, FileKeyring
from tests.functional.agent_helpers import act, finish, plan, shell
from tests.leak_oracle import leaks

CANARY = "canary-Zq9xK2mW7vB4nR8t"
PLACE = "{{secret:CANARY}}"
ROOT = Path(__file__).resolve().parents[2]

REPLIES = [
    plan("Use the token"),
    act("write_file", path="conf.ini", content=f"key = {PLACE}\n"),
    act("write_file", path="conf.ini", content="key = changed\n"),  # diff: "-key = <canary>"
    shell("cat notes.txt; rev notes.txt"),
    shell("base64 notes.txt; base64 -w0 notes.txt; echo; basenc --base64url notes.txt"),
    shell("printf x | cat - notes.txt | base64; printf xy | cat - notes.txt | base64"),
    shell("xxd -p notes.txt; od -An -tx1 notes.txt; xxd notes.txt | cut -c1-50"),
    shell(
        "for n in 1985 1990 1995 2000; do head -c $n /dev/zero | tr '\\0' .; cat notes.txt; done"
    ),
    shell(f"echo {PLACE} | rev; echo {PLACE} | base64"),
    act("read_file", path="notes.txt"),
    finish("used the token"),
]


@pytest.fixture
def canary_run(tmp_path: Path, lamtui_home: Path) -> Iterator[dict[str, Any]]:
    """Store the canary, run the scripted task in a subprocess, return what it left."""
    store_file = tmp_path / "keyring.json"
    env = {
        **os.environ,
        "LAMTUI_HOME": str(lamtui_home),
        "LAMTUI_TEST_KEYRING": str(store_file),
        "PYTHON_KEYRING_BACKEND": BACKEND,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    previous = keyring.get_keyring()
    os.environ["LAMTUI_TEST_KEYRING"] = str(store_file)
    keyring.set_keyring(FileKeyring())
    try:
        SecretStore().set("CANARY", CANARY)
    finally:
        keyring.set_keyring(previous)
        del os.environ["LAMTUI_TEST_KEYRING"]
    assert CANARY in store_file.read_text()  # the secret lives here, outside LAMTUI_HOME
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text(CANARY + "\n")  # a file that holds the secret
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(REPLIES))
    proc = subprocess.run(
        [sys.executable, "-m", "lamtui.cli", "run", "--approve", "all", "--json",
         "--model", f"scripted:{replies}", f"use my token {CANARY} for the config"],
        cwd=ws, env=env, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    yield {"proc": proc, "ws": ws, "home": lamtui_home}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)


def _file_texts(root: Path) -> Iterator[tuple[Path, str]]:
    """Each file's bytes as text, and for JSON lines each string decoded as well."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        yield path, raw
        for line in raw.splitlines():
            try:
                yield path, "\n".join(_strings(json.loads(line)))
            except ValueError:
                continue


def test_canary_is_nowhere_in_json_output_or_data_dir(canary_run: dict[str, Any]) -> None:
    proc, ws, home = canary_run["proc"], canary_run["ws"], canary_run["home"]
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    # The actions really ran with the real value, and produced its forms ...
    assert (ws / "conf.ini").read_text() == "key = changed\n"
    finished = [e["payload"]["result"] for e in events if e["type"] == "action_finished"]
    assert len(finished) == 9 and all(r["ok"] for r in finished), finished
    # ... which were shown redacted, not dropped.
    assert leaks(proc.stdout, CANARY) == []
    for text in map("\n".join, (_strings(e) for e in events)):
        assert leaks(text, CANARY) == [], text[:300]
    out = proc.stdout
    for marker in ("reversed", "base64", "hex"):
        assert f"[REDACTED:CANARY:{marker}]" in out
    previews = [e["payload"]["preview"] for e in events if e["type"] == "action_proposed"]
    assert any(f"-key = {PLACE}" in p for p in previews), previews  # the write_file diff
    started = next(e for e in events if e["type"] == "task_started")
    assert started["payload"]["request"] == f"use my token {PLACE} for the config"
    # Nothing lamtui wrote holds it: audit log, trajectories, saved outputs, config.
    undo_dir = get_paths().undo_dir
    looked = set()
    for path, text in _file_texts(home):
        if undo_dir in path.parents:
            continue  # undo blobs: the next test
        assert leaks(text, CANARY) == [], path
        rel = path.relative_to(home).parts
        looked.add(rel[1] if len(rel) > 1 else rel[0])
    assert {"audit.jsonl", "trajectories", "outputs"} <= looked


def test_canary_is_not_in_undo_blobs(canary_run: dict[str, Any]) -> None:
    """UNDO BLOBS (owned by the undo helper, lamtui/actions/undo.py): the pre-image of
    conf.ini before it was overwritten held the canary. This fails until undo stops
    storing secrets' values; it is kept apart so the failure says exactly that."""
    blobs = [p for p in get_paths().undo_dir.rglob("*") if p.is_file()]
    assert blobs, "undo kept nothing: the test no longer checks what it should"
    for path in blobs:
        assert leaks(path.read_bytes().decode("utf-8", errors="replace"), CANARY) == [], path
