"""memory.url: the store on a real Chroma server (`chroma run`) on loopback, started and
stopped by the test; when the server goes away, memory fails with MemoryUnavailable."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lamtui.config import MemorySettings
from lamtui.memory import MemoryStore, MemoryUnavailable, Recall
from lamtui.memory.doctor import diagnose
from lamtui.memory.embedding import HashingEmbeddingFunction


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _chroma() -> str:
    local = Path(sys.executable).with_name("chroma")
    found = str(local) if local.exists() else shutil.which("chroma")
    assert found, "the chroma CLI (installed with chromadb) is missing"
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [_chroma(), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("chroma run did not start: " + (tmp_path / "chroma.log").read_text())
    yield url, proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    log.close()


def test_store_on_a_chroma_server_then_the_server_goes_down(
    server: tuple[str, subprocess.Popen[bytes]], lamtui_home: Path
) -> None:
    url, proc = server
    settings = MemorySettings(url=url)
    store = MemoryStore.open(settings, None, embedding_function=HashingEmbeddingFunction())
    assert store.remote and store.location == url
    assert store.counts()["task"] > 150  # seeded on the server
    fact = store.remember_fact("use podman, not docker")
    recall = store.recall("count the ERROR entries in the app log")
    assert recall.items[0]["id"] == "seed:count-error-lines"
    store.close()
    # A second client (another machine) sees the same memories; nothing is stored locally.
    other = MemoryStore.open(settings, None, embedding_function=HashingEmbeddingFunction())
    assert fact in {e.id for e in other.entries("fact")} and other.seeded == 0
    assert not (lamtui_home / "data" / "memory").exists()
    assert diagnose(settings, embedding_function=HashingEmbeddingFunction()).healthy
    assert other.recall("use podman, not docker").items  # warms its in-memory copy
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)
    with pytest.raises(MemoryUnavailable):
        other.remember_fact("my projects live in ~/code")
    try:  # may still answer from its in-memory copy of a small collection, or give up
        assert isinstance(other.recall("count the ERROR entries in the app log"), Recall)
    except MemoryUnavailable as exc:
        assert exc.hint
    with pytest.raises(MemoryUnavailable, match="cannot be reached") as info:
        MemoryStore.open(settings, None, embedding_function=HashingEmbeddingFunction())
    assert "chroma run" in info.value.hint
