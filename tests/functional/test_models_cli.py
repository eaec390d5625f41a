"""`lamtui models ...` end to end, and `pull` against a tiny HTTP server on 127.0.0.1
(no test here reaches the real network)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lamtui.cli import main
from lamtui.errors import ModelError, NetworkError
from lamtui.lam import catalog, download
from lamtui.lam.catalog import CatalogEntry
from lamtui.paths import get_paths
from tests.gguf_files import make_gguf

REPO = Path(__file__).resolve().parents[2]
BUNDLED = "gemma3-270m"
PAYLOAD = hashlib.sha256(b"seed").digest() * 40_000  # 1.28 MB of fake model bytes
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture(autouse=True)
def _isolated_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("HF_HOME", "HF_HUB_CACHE", "XDG_CACHE_HOME", "LAMTUI_MODEL_PATHS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def bundled_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LAMTUI_HOME holding the real bundled model, assembled once per test session
    (the unit tests use the same folder, so it is assembled only once overall)."""
    home = tmp_path_factory.getbasetemp() / "lamtui-bundled-home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAMTUI_HOME", str(home))
        catalog.ensure_bundled(catalog.get_entry(BUNDLED))
    return home


# --- a local HTTP server -------------------------------------------------------------


class FakeServer(ThreadingHTTPServer):
    payload = PAYLOAD
    ignore_range = False
    cut_after: int | None = None  # send only this many bytes, then hang up
    status = 200
    ranges: list[str | None]


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def do_GET(self) -> None:
        srv = self.server
        srv.ranges.append(self.headers.get("Range"))
        if srv.status != 200:
            self.send_error(srv.status)
            return
        data = srv.payload
        wanted = self.headers.get("Range")
        if wanted and not srv.ignore_range:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = data[start:]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            body = data
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if srv.cut_after is not None:
            body = body[: srv.cut_after]
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = FakeServer(("127.0.0.1", 0), Handler)
    srv.ranges = []
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def url_of(srv: FakeServer) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/files/fake.gguf"


def fake_entry(url: str, sha256: str = PAYLOAD_SHA, *, exact: bool = True) -> CatalogEntry:
    return CatalogEntry(
        name="fake",
        file="fake.gguf",
        source=url,
        size_bytes=len(PAYLOAD),
        size_exact=exact,
        sha256=sha256,
        prompt_style="chat",
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- download.pull -------------------------------------------------------------------


def test_pull_downloads_and_verifies(server: FakeServer, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    result = download.pull(fake_entry(url_of(server)), tmp_path, lambda d, t: seen.append((d, t)))
    assert result.path == tmp_path / "fake.gguf"
    assert result.path.read_bytes() == PAYLOAD
    assert (result.sha256, result.verified, result.resumed_from) == (PAYLOAD_SHA, True, 0)
    assert not (tmp_path / "fake.gguf.part").exists()
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert server.ranges == [None]
    assert catalog.cached_sha256(result.path) == PAYLOAD_SHA  # not hashed again at start


def test_pull_resumes_a_partial_download(server: FakeServer, tmp_path: Path) -> None:
    (tmp_path / "fake.gguf.part").write_bytes(PAYLOAD[:300_000])
    result = download.pull(fake_entry(url_of(server)), tmp_path)
    assert server.ranges == ["bytes=300000-"]
    assert result.resumed_from == 300_000
    assert result.path.read_bytes() == PAYLOAD and result.verified


def test_pull_restarts_when_the_server_ignores_range(server: FakeServer, tmp_path: Path) -> None:
    server.ignore_range = True
    (tmp_path / "fake.gguf.part").write_bytes(b"garbage" * 1000)
    result = download.pull(fake_entry(url_of(server)), tmp_path)
    assert server.ranges == ["bytes=7000-"]
    assert result.path.read_bytes() == PAYLOAD and result.verified


def test_pull_restarts_when_the_server_rejects_the_range(
    server: FakeServer, tmp_path: Path
) -> None:
    # Size unknown in the catalog, and a .part longer than the file: the server says 416.
    (tmp_path / "fake.gguf.part").write_bytes(PAYLOAD + b"junk")
    result = download.pull(fake_entry(url_of(server), exact=False), tmp_path)
    assert server.ranges == [f"bytes={len(PAYLOAD) + 4}-", None]
    assert result.path.read_bytes() == PAYLOAD


def test_pull_finishes_a_complete_part_without_downloading(
    server: FakeServer, tmp_path: Path
) -> None:
    (tmp_path / "fake.gguf.part").write_bytes(PAYLOAD)
    result = download.pull(fake_entry(url_of(server)), tmp_path)
    assert server.ranges == []
    assert result.verified and result.path.read_bytes() == PAYLOAD


def test_pull_with_a_wrong_sha256_keeps_no_file(server: FakeServer, tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        download.pull(fake_entry(url_of(server), "ab" * 32), tmp_path)
    assert "sha256 mismatch for downloaded 'fake'" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_pull_of_a_corrupt_partial_fails_the_hash(server: FakeServer, tmp_path: Path) -> None:
    (tmp_path / "fake.gguf.part").write_bytes(b"\0" * 1000)
    with pytest.raises(ModelError, match="sha256 mismatch"):
        download.pull(fake_entry(url_of(server)), tmp_path)
    assert list(tmp_path.iterdir()) == []  # the bad .part is gone, the next pull starts over


def test_pull_without_a_published_hash(server: FakeServer, tmp_path: Path) -> None:
    result = download.pull(fake_entry(url_of(server), ""), tmp_path)
    assert (result.verified, result.sha256) == (False, PAYLOAD_SHA)


def test_pull_interrupted_then_resumed(server: FakeServer, tmp_path: Path) -> None:
    server.cut_after = 500_000
    with pytest.raises(NetworkError) as info:
        download.pull(fake_entry(url_of(server)), tmp_path)
    assert "download of 'fake' stopped at" in info.value.message
    assert "again to resume" in info.value.hint
    assert (tmp_path / "fake.gguf.part").stat().st_size == 500_000
    server.cut_after = None
    result = download.pull(fake_entry(url_of(server)), tmp_path)
    assert result.resumed_from == 500_000 and result.path.read_bytes() == PAYLOAD


def test_pull_connection_refused(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/fake.gguf"
    with pytest.raises(NetworkError) as info:
        download.pull(fake_entry(url), tmp_path)
    assert info.value.message == "cannot reach 127.0.0.1: Connection refused"
    assert info.value.hint == (
        "check your connection, or copy the file and run `lamtui models add PATH`"
    )


def test_pull_dns_failure_names_the_host(tmp_path: Path) -> None:
    def no_dns(request: urllib.request.Request, timeout: float) -> download.Response:
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    # The real catalog URL, with a small size so the free-space check never interferes.
    entry = catalog.get_entry("qwen2.5-1.5b").model_copy(update={"size_bytes": 1000})
    with pytest.raises(NetworkError) as info:
        download.pull(entry, tmp_path, opener=no_dns)
    assert str(info.value) == (
        "cannot reach huggingface.co: Name or service not known (check your connection, "
        "or copy the file and run `lamtui models add PATH`)"
    )
    assert list(tmp_path.iterdir()) == []


def test_pull_http_error(server: FakeServer, tmp_path: Path) -> None:
    server.status = 404
    with pytest.raises(NetworkError, match="HTTP 404"):
        download.pull(fake_entry(url_of(server)), tmp_path)


def test_progress_bar_without_a_terminal_prints_every_ten_percent() -> None:
    out = io.StringIO()
    bar = download.ProgressBar("fake", stream=out)
    for done in range(0, 1001, 5):
        bar(done, 1000)
    bar.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[-1].startswith("fake 100% [") and "MB/s" in lines[-1]


def test_progress_bar_on_a_terminal_redraws_in_place() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    bar = download.ProgressBar("fake", stream=out)
    bar(0, 10_000_000)
    bar(10_000_000, 10_000_000)
    bar.finish()
    text = out.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and "100%" in text and "ETA" in text


# --- the CLI ---------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["models", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, fragment: str) -> None:
    assert err.count("\n") == 1 and err.startswith("lamtui: error: ")
    assert fragment in err
    assert "Traceback" not in err


def write_user_catalog(entry: CatalogEntry) -> None:
    path = catalog.user_catalog_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["[[model]]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.model_dump().items()]
    path.write_text("\n".join(lines) + "\n")


def test_models_without_action_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0 and "pull" in out and "verify" in out


def test_list_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMTUI_MODEL_PATHS", str(tmp_path / "extra"))
    found = make_gguf(tmp_path / "extra" / "Found-It.gguf", chat=True)
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    document = json.loads(out)
    models = {m["name"]: m for m in document["models"]}
    gemma = models[BUNDLED]
    assert gemma["state"] == "bundled" and gemma["bundled"] is True
    assert gemma["prompt_style"] == "completion"
    for key in ("file", "source", "size_bytes", "sha256", "context", "recommended", "path"):
        assert key in gemma
    assert models["qwen2.5-3b"]["state"] == "missing"
    assert document["discovered"] == [
        {"name": "Found-It", "path": str(found), "size_bytes": found.stat().st_size,
         "origin": "LAMTUI_MODEL_PATHS"},
    ]  # fmt: skip


def test_list_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    snapshot = tmp_path / "hf" / "hub" / "models--a--b" / "snapshots" / "rev"
    make_gguf(snapshot / "From-HF.gguf")
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["NAME", "PARAMS", "SIZE", "STYLE", "STATE", "NOTES"]
    assert "qwen2.5-7b" in out and "recommended" in out
    assert "found on disk" in out and "From-HF" in out and "huggingface" in out


def test_path_and_verify_of_the_bundled_model(
    capsys: pytest.CaptureFixture[str], bundled_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMTUI_HOME", str(bundled_home))
    code, out, _ = run(capsys, "path", BUNDLED)
    assert code == 0
    assert out.strip() == str(get_paths().models_dir / "gemma-3-270m-q4_k_m.gguf")
    code, out, _ = run(capsys, "verify", BUNDLED)
    assert code == 0 and out.startswith(f"ok: '{BUNDLED}' matches its sha256")
    code, out, err = run(capsys, "pull", BUNDLED)
    assert code == 0 and "bundled" in err and out.strip().endswith(".gguf")


def test_path_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "path", "qwen2.5-3b")
    assert (code, out) == (2, "")
    assert_one_line_error(err, "model 'qwen2.5-3b' is not downloaded")
    assert "lamtui models pull qwen2.5-3b" in err
    code, _, err = run(capsys, "path", "no-such-model")
    assert code == 2
    assert_one_line_error(err, "unknown model 'no-such-model'")


def test_add_then_path_then_verify(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    gguf_file = make_gguf(tmp_path / "Mine.gguf", chat=True)
    code, out, _ = run(capsys, "add", str(gguf_file), "--name", "mine")
    assert code == 0 and "added 'mine' (chat" in out
    code, out, _ = run(capsys, "path", "mine")
    assert (code, out.strip()) == (0, str(gguf_file))
    code, out, _ = run(capsys, "verify", "mine")
    assert code == 0 and out.startswith("ok:")
    with gguf_file.open("ab") as fh:
        fh.write(b"tampered")
    code, _, err = run(capsys, "verify", "mine")
    assert code == 2
    assert_one_line_error(err, "sha256 mismatch for 'mine'")


def test_verify_a_path_without_a_published_hash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gguf_file = make_gguf(tmp_path / "loose.gguf")
    code, out, _ = run(capsys, "verify", str(gguf_file))
    digest = hashlib.sha256(gguf_file.read_bytes()).hexdigest()
    assert code == 0 and digest in out and "no published hash" in out


def test_add_rejects_a_non_gguf_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = tmp_path / "readme.txt"
    text.write_text("not a model, only words in a text file")
    code, _, err = run(capsys, "add", str(text))
    assert code == 2
    assert_one_line_error(err, "is not a GGUF model file")


def test_pull_from_a_local_server(capsys: pytest.CaptureFixture[str], server: FakeServer) -> None:
    write_user_catalog(fake_entry(url_of(server)))
    code, out, err = run(capsys, "pull", "fake")
    assert code == 0, err
    target = get_paths().models_dir / "fake.gguf"
    assert out.strip() == f"saved {target} (sha256 verified)"
    assert "downloading 'fake'" in err and "100%" in err
    assert target.read_bytes() == PAYLOAD
    code, out, _ = run(capsys, "pull", "fake")
    assert code == 0 and "already downloaded and verified" in out
    assert len(server.ranges) == 1


def test_pull_when_offline(capsys: pytest.CaptureFixture[str]) -> None:
    write_user_catalog(fake_entry(f"http://127.0.0.1:{closed_port()}/fake.gguf"))
    code, out, err = run(capsys, "pull", "fake")
    assert (code, out) == (2, "")
    assert_one_line_error(err.splitlines(keepends=True)[-1], "cannot reach 127.0.0.1")
    assert "lamtui models add PATH" in err


def test_pull_unknown_and_local_models(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "pull", "qwen3b")
    assert code == 2
    assert_one_line_error(err, "did you mean qwen2.5-3b")
    run(capsys, "add", str(make_gguf(tmp_path / "m.gguf")))
    code, _, err = run(capsys, "pull", "m")
    assert code == 2
    assert_one_line_error(err, "nothing to download")


def test_installed_command_in_a_subprocess(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "lamtui"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "lamtui.cli"]
    env = {**os.environ, "LAMTUI_HOME": str(tmp_path / "home-sub"), "HOME": str(tmp_path)}
    env.pop("LAMTUI_DEBUG", None)
    listed = subprocess.run(
        [*command, "models", "list", "--json"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert BUNDLED in {m["name"] for m in json.loads(listed.stdout)["models"]}
    failed = subprocess.run(
        [*command, "models", "path", "qwen2.5-7b"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr == (
        "lamtui: error: model 'qwen2.5-7b' is not downloaded "
        "(run `lamtui models pull qwen2.5-7b`)\n"
    )
