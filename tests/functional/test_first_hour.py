"""What a new user hits in the first hour: interrupts and broken surroundings give one
line and a clear exit code, never a traceback or a prompt that keeps reading.

Each case runs the real `lamtui` entry point in a subprocess (a pty where a terminal is
needed) with a scripted model, so no GGUF is loaded."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.functional.agent_helpers import finish, plan, shell

LAMTUI = [sys.executable, "-m", "lamtui.cli"]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMTUI_")}
    return {**env, "LAMTUI_HOME": str(home), "LAMTUI_MEMORY_ENABLED": "false"}


def _lamtui(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LAMTUI, *args],
        cwd=cwd,
        env={**_env(home), "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _one_error_line(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("lamtui: error: ")
    for needle in needles:
        assert needle.lower() in lines[0].lower()


@pytest.fixture
def gone(tmp_path: Path) -> Path:
    """A folder to start in; _in_deleted_folder removes it once the shell is inside."""
    folder = tmp_path / "gone"
    folder.mkdir()
    return folder


def _in_deleted_folder(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # cd in, delete the folder, then run: the process starts in a folder that is gone.
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    return subprocess.run(
        ["sh", "-c", script, "sh", str(folder), *LAMTUI, *args],
        env={**_env(home), "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["run", "list files", "--approve", "never", "--model", "scripted:/nonexistent"],
        ["doctor"],
        ["policy", "explain", "ls"],
        [],  # the app
    ],
)
def test_deleted_current_folder_is_one_line(gone: Path, tmp_path: Path, args: list[str]) -> None:
    proc = _in_deleted_folder(gone, tmp_path / "home", *args)
    _one_error_line(proc, "current folder", "deleted")


def test_deleted_current_folder_with_cwd_still_runs(gone: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    script = tmp_path / "replies.json"
    script.write_text(json.dumps([plan("x"), finish("ok")]))
    proc = _in_deleted_folder(
        gone, tmp_path / "home", "run", "hi", "--approve", "never", "--cwd", str(ws),
        "--model", f"scripted:{script}",
    )  # fmt: skip
    assert "current folder" not in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("where", ["user", "project", "rules", "catalog"])
def test_non_utf8_config_is_one_line(tmp_path: Path, where: str) -> None:
    home, ws = tmp_path / "home", tmp_path / "ws"
    (home / "config").mkdir(parents=True)
    ws.mkdir()
    target = {
        "user": home / "config" / "config.toml",
        "project": ws / ".lamtui.toml",
        "rules": home / "config" / "rules.toml",
        "catalog": home / "config" / "models.toml",
    }[where]
    target.write_bytes(b'# caf\xe9 in latin-1\n[model]\nname = "x"\n')
    if where == "catalog":
        args = ["models", "list"]
    else:
        args = ["run", "hi", "--approve", "never", "--model", "scripted:/nonexistent"]
    proc = _lamtui(ws, home, *args)
    _one_error_line(proc, str(target), "UTF-8")


# -- Ctrl+C at the approval prompt ---------------------------------------------------


def _read_until(fd: int, needle: bytes, seen: bytearray, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return needle in seen
            if not chunk:
                break
            seen.extend(chunk)
    return needle in seen


def test_ctrl_c_at_the_approval_prompt_cancels_it(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    script = tmp_path / "replies.json"
    # A change (asks in ask mode); more replies than needed: nothing may use them.
    replies = [plan("make it"), shell("touch made.txt"), shell("touch made2.txt")]
    script.write_text(json.dumps(replies * 3))
    pid, fd = pty.fork()
    if pid == 0:  # the child: lamtui on a terminal
        os.chdir(ws)
        env = {**_env(tmp_path / "home"), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        args = ["run", "make a file", "--approve", "ask", "--model", f"scripted:{script}"]
        os.execve(sys.executable, [*LAMTUI, *args], env)
    seen = bytearray()
    try:
        assert _read_until(fd, b"run it?", seen, 60), seen.decode(errors="replace")
        os.kill(pid, signal.SIGINT)
        _read_until(fd, b"\x00never", seen, 10)  # read everything until it exits
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"the prompt kept reading after Ctrl+C:\n{seen.decode(errors='replace')}")
    finally:
        os.close(fd)
    text = seen.decode(errors="replace")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3, text  # aborted
    assert "aborted" in text
    assert text.count("run it?") == 1  # not asked again
    assert "Traceback" not in text
    assert not (ws / "made.txt").exists()


# -- the app: what it cannot work with stops it before the first frame ----------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--model", "/nope.gguf"], "model file not found: /nope.gguf"),
        (["--model", "scripted:/nope.json"], "model file not found: /nope.json"),
        (["--cwd", "/nonexistent-folder"], "--cwd /nonexistent-folder is not a directory"),
        (["--model", "/nope.gguf", "--cwd", "."], "model file not found"),
    ],
)
def test_app_refuses_what_it_cannot_use_before_starting(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    proc = _lamtui(tmp_path, tmp_path / "home", *args)
    _one_error_line(proc, needle)


def test_app_with_a_bad_config_file_exits_2_before_the_ui(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("[model]\nnmae = 'x'\n")
    proc = _lamtui(tmp_path, home)
    _one_error_line(proc, "unknown setting 'model.nmae'")
