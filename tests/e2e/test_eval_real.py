"""`lamtui eval ... --json` end to end with the real bundled model, in a real process:
the harness loads the GGUF, runs tasks in sandboxes and reports. A 270M base model
solves little, so this asserts the run and its records, not a success rate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lamtui.lam.base import Backend

pytestmark = pytest.mark.real_model


def _eval(real_home: Path, tmp_path: Path, *argv: str) -> dict[str, Any]:
    env = {**os.environ, "LAMTUI_HOME": str(real_home)}
    proc = subprocess.run(
        [sys.executable, "-m", "lamtui.cli", "eval", *argv, "--json", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _check_run(run: dict[str, Any], backend: Backend, tasks: int) -> None:
    meta, summary = run["meta"], run["summary"]
    assert meta["model"] == backend.info.model
    assert len(meta["model_sha256"]) == 64 and meta["lamtui_version"]
    assert summary["tasks"] == tasks == len(run["tasks"])
    assert summary["ran"] + summary["skipped"] == tasks
    ran = [t for t in run["tasks"] if t["status"] != "skipped"]
    assert all(t["status"] in ("passed", "failed") for t in ran), [t["reasons"] for t in ran]
    assert all(t["model_calls"] >= 1 and t["completion_tokens"] > 0 for t in ran)
    assert summary["invalid_action_rate"] is not None and summary["invalid_action_rate"] < 0.5
    assert summary["tokens_per_second"] and summary["tokens_per_second"] > 0


def test_eval_builtin_runs_on_the_bundled_model(
    real_backend: Backend, real_home: Path, tmp_path: Path
) -> None:
    run = _eval(real_home, tmp_path, "builtin", "--limit", "2", "--max-steps", "2")
    _check_run(run, real_backend, 2)
    assert (tmp_path / "report.md").exists()


def test_eval_intercode_runs_on_the_bundled_model_with_memory(
    real_backend: Backend, real_home: Path, tmp_path: Path
) -> None:
    run = _eval(
        real_home,
        tmp_path,
        *("intercode-bash", "--split", "fs_1", "--limit", "2", "--max-steps", "2"),
        *("--memory", "on"),
    )
    _check_run(run, real_backend, 2)
    assert run["meta"]["memory"] is True
    judged = [t for t in run["tasks"] if t["status"] != "skipped"]
    assert all(t["first_action_success"] is not None for t in judged)
    assert all({"files", "hashes", "output"} <= set(t["parts"]) for t in judged)
