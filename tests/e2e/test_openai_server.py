"""The OpenAI-compatible backend against a real server: llama-cpp-python's own
(`python -m llama_cpp.server`) on loopback with the bundled model."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lamtui.contract.schema import action_schema, parse_action
from lamtui.errors import ModelError
from lamtui.lam.openai import OpenAIBackend
from tests.helpers import action_messages, generate_structured

pytestmark = pytest.mark.real_model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(bundled_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    # The server logs a lot (grammars included): a file, not a pipe nobody drains.
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            # lamtui's loader settings (no AMX weight repacking, which crashes llama.cpp
            # 0.3.36 on AMX CPUs), then the stock server.
            "from lamtui.lam.llamacpp import avoid_amx_repacking; avoid_amx_repacking(); "
            "import runpy, sys; sys.argv[0] = 'llama_cpp.server'; "
            "runpy.run_module('llama_cpp.server', run_name='__main__')",
            "--model",
            str(bundled_model_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--verbose",
            "False",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError("server did not start within 120 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode is not None


def test_structured_request_through_server(server_url: str) -> None:
    backend = OpenAIBackend(server_url)  # the single model the server hosts
    try:
        for request in ("list the files here", "how much disk space is left?"):
            result = generate_structured(
                backend,
                action_messages(request, "Workspace: /home/user/project"),
                action_schema(),
                parse_action,
                max_retries=2,
            )
            assert result.value.tool in {
                "shell",
                "list_dir",
                "read_file",
                "finish",
                "ask_user",
                "write_file",
                "edit_file",
            }
            parse_action(result.raw)
        assert result.stats.completion_tokens > 0
    finally:
        backend.close()


def test_unreachable_server_is_a_clear_model_error() -> None:
    port = _free_port()  # nothing listens here
    with pytest.raises(ModelError, match="cannot reach the model server"):
        OpenAIBackend(f"http://127.0.0.1:{port}")
