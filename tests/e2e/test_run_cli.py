"""`lamtui run --approve never --json` with the real bundled model: a planning dry run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lamtui.contract.schema import Action, parse_plan
from lamtui.lam.base import Backend

pytestmark = pytest.mark.real_model


def test_dry_run_prints_plan_and_valid_actions(
    real_backend: Backend, real_home: Path, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "src").mkdir()
    env = {**os.environ, "LAMTUI_HOME": str(real_home)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lamtui.cli",
            "run",
            "--approve",
            "never",
            "--json",
            "list the files here",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode in (0, 1), proc.stderr  # finished or gave up: no crash, no usage
    assert "Traceback" not in proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert types[0] == "task_started" and types[-1] == "task_finished"
    plan = next(e["payload"]["plan"] for e in events if e["type"] == "plan_updated")
    assert plan["goal"] and plan["subtasks"]
    proposed = [e["payload"]["action"] for e in events if e["type"] == "action_proposed"]
    assert proposed, "the model proposed no action"
    for action in proposed:
        Action.model_validate(action)  # schema-valid
    decisions = [e["payload"]["decision"] for e in events if e["type"] == "action_decided"]
    assert decisions and all(
        d["kind"] == "reject" and d["by"] == "approver:never" for d in decisions
    )
    assert not any(e["type"] == "action_finished" for e in events)  # nothing ran
    assert any(e["type"] == "token_stats" for e in events)
    # The raw plan in the trajectory parses as the schema's plan.
    traj = (real_home / "data" / "trajectories" / "trajectories.jsonl").read_text()
    record = json.loads(traj.splitlines()[-1])
    parse_plan(record["model_calls"][0]["raw_output"])
