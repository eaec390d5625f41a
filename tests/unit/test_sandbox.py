"""The bubblewrap sandbox, for real (the project's set-up installs bwrap; no mocks)."""

from __future__ import annotations

import os
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from lamtui.actions import sandbox
from lamtui.actions.sandbox import bwrap_prefix, sandbox_status
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.contract.cancel import CancelToken
from lamtui.contract.result import ActionResult, OutputChunk
from lamtui.errors import LamtuiError


@pytest.fixture(autouse=True)
def require_bwrap() -> None:
    status = sandbox_status()
    if not status.available:  # fail, not skip: the project installs bubblewrap
        pytest.fail(f"the bubblewrap sandbox is unavailable here: {status.reason}")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws"  # under /tmp: also proves the workspace survives --tmpfs /tmp
    path.mkdir()
    return path


def _run(
    command: str, workspace: Path, cancel: CancelToken | None = None, **kw: bool
) -> ActionResult:
    options = ShellOptions(timeout=20, wrapper=bwrap_prefix(workspace, **kw))
    for item in run_shell(command, workspace, options, cancel):
        if not isinstance(item, OutputChunk):
            return item
    raise AssertionError("run_shell gave no result")


def test_status_reports_a_version() -> None:
    status = sandbox_status()
    assert status.available and status.reason == ""
    assert status.version[:1].isdigit()


def test_missing_bwrap_is_reported_in_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no bwrap on PATH
    sandbox_status.cache_clear()
    try:
        status = sandbox_status()
        assert not status.available and "bwrap is not installed" in status.reason
    finally:
        monkeypatch.undo()
        sandbox_status.cache_clear()


def test_broken_bwrap_is_reported_with_its_stderr(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\necho 'bwrap 9'; echo 'No permissions to create namespace' >&2; exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "_bwrap", lambda: str(fake))
    sandbox_status.cache_clear()
    try:
        status = sandbox_status()
        assert not status.available
        assert status.reason == (
            "bwrap cannot create namespaces here: No permissions to create namespace"
        )
    finally:
        monkeypatch.undo()
        sandbox_status.cache_clear()


def test_prefix_shape(ws: Path) -> None:
    args = bwrap_prefix(ws)
    assert args.index("--tmpfs") < args.index("--bind")  # workspace bound after the tmpfs
    assert ("--bind", str(ws), str(ws)) == args[args.index("--bind") : args.index("--bind") + 3]
    assert args[-2:] == ("--chdir", str(ws))
    assert "--share-net" not in args and "--share-net" in bwrap_prefix(ws, allow_network=True)
    with pytest.raises(LamtuiError):
        bwrap_prefix(Path("/"))


def test_output_and_exit_code_come_back(ws: Path) -> None:
    result = _run("echo hello; echo oops >&2; exit 3", ws)
    assert result.exit_code == 3 and not result.ok
    assert "hello" in result.output and "oops" in result.output


def test_workspace_is_writable_at_its_own_path(ws: Path) -> None:
    result = _run('pwd; echo data > made.txt; mkdir -p d && echo x > "$PWD/d/y"', ws)
    assert result.ok, result.output
    assert result.output.splitlines()[0] == str(ws)
    assert (ws / "made.txt").read_text() == "data\n" and (ws / "d" / "y").exists()


def test_extra_writable_path(ws: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    prefix = bwrap_prefix(ws, extra_writable=(extra, tmp_path / "missing"))
    options = ShellOptions(timeout=20, wrapper=prefix)
    results = list(run_shell(f"echo e > {extra}/f", ws, options))
    assert isinstance(results[-1], ActionResult) and results[-1].ok
    assert (extra / "f").read_text() == "e\n"


def test_root_filesystem_is_read_only(ws: Path) -> None:
    result = _run("echo x > /etc/lamtui-test", ws)
    assert not result.ok and "Read-only file system" in result.output
    assert not Path("/etc/lamtui-test").exists()


def test_home_outside_the_workspace_is_read_only(ws: Path) -> None:
    target = Path.home() / f"lamtui-sandbox-{uuid.uuid4().hex}"
    result = _run(f"echo x > {target}", ws)
    assert not result.ok and "Read-only file system" in result.output
    assert not target.exists()


def test_tmp_is_private(ws: Path) -> None:
    name = f"/tmp/lamtui-sandbox-{uuid.uuid4().hex}"
    result = _run(f"echo x > {name} && cat {name}", ws)
    assert result.ok and "x" in result.output
    assert not Path(name).exists()


@pytest.fixture
def listener() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    yield server.getsockname()[1]
    server.close()


def _connect(port: int) -> str:
    code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)"
    # The base interpreter, not the venv's: a checkout under /tmp is hidden by the
    # sandbox's private /tmp.
    python = os.path.join(sys.base_prefix, "bin", "python3")
    return f'{python} -c "{code}" && echo CONNECTED'


def test_no_network_by_default(ws: Path, listener: int) -> None:
    result = _run(_connect(listener), ws)
    assert not result.ok and "CONNECTED" not in result.output
    assert "Error" in result.output  # ConnectionRefusedError / OSError from the connect


def test_network_when_allowed(ws: Path, listener: int) -> None:
    result = _run(_connect(listener), ws, allow_network=True)
    assert result.ok and "CONNECTED" in result.output, result.output


def _sleepers(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_cancel_kills_the_sandboxed_process(ws: Path) -> None:
    marker = "987.654"  # a distinctive duration to find leftovers by
    cancel = CancelToken()
    timer = threading.Timer(0.5, cancel.cancel)
    timer.start()
    try:
        result = _run(f"sleep {marker} & sleep {marker}; echo never", ws, cancel)
    finally:
        timer.cancel()
    assert result.cancelled and not result.ok
    assert result.duration < 5
    psutil.wait_procs(_sleepers(marker), timeout=2)
    assert _sleepers(marker) == []


def test_timeout_kills_a_command_that_ignores_sigterm(ws: Path) -> None:
    marker = "876.543"
    options = ShellOptions(timeout=0.5, wrapper=bwrap_prefix(ws))
    command = f"trap '' TERM; sleep {marker} & wait; echo survived"
    result = [item for item in run_shell(command, ws, options) if isinstance(item, ActionResult)]
    assert result[0].timed_out and "survived" not in result[0].output
    psutil.wait_procs(_sleepers(marker), timeout=2)
    assert _sleepers(marker) == []


def test_a_normal_run_is_not_slowed_by_the_kill_grace(ws: Path) -> None:
    result = _run("true", ws)
    assert result.ok and result.duration < 1.5  # run_shell's SIGTERM grace is 2 s
