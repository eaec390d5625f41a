"""`lamtui train explore` with the real bundled model: a round of 3 pool tasks, real
training steps in a `lamtui train` child process, and the new adapter loaded by
llama-cpp-python on the quantized base for the validation slice.

The shipped 270M adapter solves almost no pool task by itself (measured: 0 of the ~30
tried while writing this), so one test is all real and accepts either outcome of its
attempts, and the other lets the start adapter answer the three training tasks with
their reference solutions (everything else — the harness, the checker, the harvest,
training, the candidate's validation, the promotion guard — is real), so that real
training always runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lamtui.cli import main
from lamtui.config import ModelSettings
from lamtui.contract.cancel import CancelToken
from lamtui.lam.adapters import entry_adapter, read_manifest, shipped_adapter_dir
from lamtui.lam.base import Backend, GenerationRequest, StreamItem
from lamtui.lam.catalog import get_entry, resolve_model
from lamtui.lam.scripted import ScriptedBackend
from lamtui.train import explore_state as store
from lamtui.train.explore import ExploreOptions, Explorer, new_state
from lamtui.train.explore_lam import LocalLam
from lamtui.train.pool import PoolTask, generate_pool
from tests.functional.agent_helpers import finish, plan

pytestmark = pytest.mark.real_model

ENTRY = "gemma3-270m-lam"
SHIPPED = shipped_adapter_dir() / "lamtui-gemma3-270m-lam.gguf"


@pytest.fixture
def home(real_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh LAMTUI_HOME that shares the session's assembled bundled model."""
    home = tmp_path / "home"
    models = home / "data" / "models"
    models.mkdir(parents=True)
    for found in (real_home / "data" / "models").glob("*.gguf"):
        (models / found.name).symlink_to(found)
    monkeypatch.setenv("LAMTUI_HOME", str(home))
    yield home


def _action(step: Any) -> str:
    return json.dumps(
        {"thought": "", "tool": step.tool, "args": step.args, "status": "continue",
         "plan_update": None}
    )  # fmt: skip


class KnowsTheTrainingTasks:
    """The real model, except that on the three training tasks the start adapter answers
    with their reference solutions."""

    def __init__(self, real: Backend, tasks: list[PoolTask]) -> None:
        self.real = real
        self.info = real.info
        self.tasks = tasks

    def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> Iterator[StreamItem]:
        messages = request.messages
        at, task = next(
            (
                (i, t)
                for i, m in enumerate(messages)
                for t in self.tasks
                if m.role == "user" and f"Request: {t.spec.request}" in m.content
            ),
            (0, None),
        )
        if task is None:
            yield from self.real.stream(request, cancel)
            return
        done = sum(1 for m in messages[at + 1 :] if m.role == "assistant")
        steps = list(task.actions)
        reply = (
            plan("do it") if done == 0 else _action(steps[done - 1]) if done <= len(steps)
            else finish(task.summary)
        )  # fmt: skip
        yield from ScriptedBackend([reply]).stream(request, cancel)

    def close(self) -> None:
        self.real.close()


class StartKnowsTasks(LocalLam):
    def __init__(self, base: Path, tasks: list[PoolTask]) -> None:
        super().__init__(ModelSettings(), base, lambda _text: None)
        self.tasks = tasks

    def open(self, adapter: Path) -> Backend:
        real = super().open(adapter)
        return KnowsTheTrainingTasks(real, self.tasks) if adapter == SHIPPED.resolve() else real


def test_an_explore_round_trains_validates_and_guards_the_default(home: Path) -> None:
    started = time.monotonic()
    options = ExploreOptions(
        rounds=1, tasks=3, validation=1, max_steps=2, task_timeout=30, epochs=2, lr=2e-4
    )
    start = resolve_model(ENTRY)
    assert start.adapter == SHIPPED
    state = new_state(options, start, ENTRY)
    store.save(state)
    tasks = generate_pool(3, options.seed)
    said: list[str] = []
    reports: list[dict[str, Any]] = []
    lam = StartKnowsTasks(start.path, tasks)
    done = Explorer(state, lam, said.append, reports.append).run()
    seconds = time.monotonic() - started
    first = done.rounds[0]
    assert (first.attempted, first.verified, first.added) == (3, 3, 3), said
    assert first.phase == "done" and done.status == "finished"
    candidate = Path(first.candidate)
    manifest = read_manifest(candidate)
    # Real training steps, from the shipped adapter's weights, on the explored examples.
    assert manifest["init"] == SHIPPED.name and manifest["steps"] >= 1
    assert manifest["recipe"]["top_layers"] == 8 and manifest["recipe"]["rank"] == 16
    data = [json.loads(line) for line in (Path(manifest["data"]["path"]) / "train.jsonl").open()]
    assert len(data) == 3 and {e["source"] for e in data} == {"explore"}
    # The candidate ran on the validation slice in llama.cpp, every task judged.
    validation = store.lines(done.round_dir(1) / "validation.jsonl")
    # (a 270M model may spend the task's whole budget on one plan: judged as failed)
    assert len(validation) == 1 and {v["status"] for v in validation} <= {"passed", "failed"}
    score, before = first.score, done.start["score"]
    assert score is not None and score["completed"] and before["completed"]
    # Promoted exactly when it beat the shipped adapter; kept beside it otherwise.
    assert first.promoted == first.kept == (score["rate"] > before["rate"])
    assert manifest["lineage"]["parent"]["path"] == str(SHIPPED.resolve())
    assert manifest["lineage"]["data_added"] == {"attempted": 3, "verified": 3, "added": 3}
    expected = candidate.resolve() if first.promoted else SHIPPED
    assert entry_adapter(get_entry(ENTRY)) == expected
    # Switching by hand and rolling back are one command each.
    assert main(["models", "use", candidate.stem]) == 0
    assert entry_adapter(get_entry(ENTRY)) == candidate.resolve()
    assert main(["models", "use", ENTRY]) == 0
    assert entry_adapter(get_entry(ENTRY)) == SHIPPED
    print(f"explore round (3 tasks, 1 validation task x 2, training): {seconds:.0f} s")
    print(json.dumps(reports[-1]))


def test_explore_cli_round_with_the_real_model_alone(home: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "lamtui.cli", "train", "explore", "--rounds", "1",
         "--tasks", "3", "--validation", "1", "--max-steps", "2", "--task-timeout", "30",
         "--epochs", "2", "--json"],
        env={**os.environ, "LAMTUI_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in events] == ["baseline", "round", "done"]
    baseline, round_, end = events
    assert baseline["validation"]["completed"] and baseline["validation"]["tasks"] == 1
    assert round_["attempted"] == 3 and round_["verified"] >= round_["added"]
    if round_["added"] == 0:  # what the shipped adapter usually does: nothing to learn
        assert round_["reason"] == "no new verified trajectories: nothing trained"
        assert "nothing trained" in proc.stderr and round_["adapter"] is None
    else:
        assert Path(round_["adapter"]).is_file() and round_["validation"]["completed"]
    assert end["run"]
    assert end["stopped"] == "1 round done" or end["stopped"].startswith("round 1: ")
    print(f"explore CLI round (3 tasks, 1 validation task): {time.monotonic() - started:.0f} s")
