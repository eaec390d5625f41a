"""Bad input gets one clear line on stderr, a non-zero exit code and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lamtui.paths import get_paths


def _lamtui(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lamtui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def _one_clear_line(proc: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert proc.returncode == code, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("lamtui: error:") and text in lines[-1], lines
    assert "Traceback" not in proc.stderr


def test_non_gguf_and_truncated_models(tmp_path: Path) -> None:
    bogus = tmp_path / "model.gguf"
    bogus.write_text("not a model")
    _one_clear_line(
        _lamtui("run", "--approve", "never", "--model", str(bogus), "x"), 2, "not a GGUF model"
    )
    truncated = tmp_path / "cut.gguf"
    truncated.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x01" * 30)
    _one_clear_line(
        _lamtui("run", "--approve", "never", "--model", str(truncated), "x"),
        2,
        "truncated or corrupt",
    )
    _one_clear_line(
        _lamtui("run", "--approve", "never", "--model", str(tmp_path / "no.gguf"), "x"),
        2,
        "not found",
    )


def test_unreachable_server_and_bad_config(tmp_path: Path) -> None:
    _one_clear_line(
        _lamtui("run", "--approve", "never", "--base-url", "http://127.0.0.1:9", "x"),
        2,
        "cannot reach the model server",
    )
    config = get_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[model]\nthreads = 'many'\n")
    _one_clear_line(_lamtui("policy", "explain", "ls"), 2, "model.threads")
    config.write_text("[modle]\nname = 'x'\n")
    _one_clear_line(_lamtui("policy", "explain", "ls"), 2, "unknown setting 'modle'")


def test_empty_and_huge_requests(tmp_path: Path) -> None:
    _one_clear_line(_lamtui("run", "--approve", "never", "  "), 2, "the request is empty")
    _one_clear_line(_lamtui("run", "--approve", "never", "x" * 100_000), 2, "100,000 characters")
    _one_clear_line(_lamtui("run", "--cwd", str(tmp_path / "nope"), "x"), 2, "is not a directory")
    _one_clear_line(_lamtui("run", "x", cwd=tmp_path), 2, "--approve ask needs a terminal")


def test_usage_errors_and_debug_traceback(tmp_path: Path) -> None:
    proc = _lamtui("run")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    bogus = tmp_path / "m.gguf"
    bogus.write_text("x")
    debug = _lamtui("--debug", "run", "--approve", "never", "--model", str(bogus), "x")
    assert debug.returncode != 0 and "Traceback" in debug.stderr
