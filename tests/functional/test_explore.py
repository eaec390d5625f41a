"""`lamtui train explore` without a real model: pool tasks run through the real harness
(sandboxes, the gate, the checker) with a scripted LAM that solves the tasks its adapter
"knows", and a stand-in trainer that writes an adapter file and its manifest. The real
model and real training steps are in tests/e2e/test_explore_real.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lamtui.cli import main
from lamtui.lam.adapters import entry_adapter, read_manifest, set_default
from lamtui.lam.base import Backend, GenerationRequest
from lamtui.lam.catalog import ResolvedModel, get_entry
from lamtui.lam.scripted import ScriptedBackend
from lamtui.train import explore_state as store
from lamtui.train.explore import ExploreOptions, Explorer, TrainRequest, new_state
from lamtui.train.explore_report import chart, reports_of
from lamtui.train.harvest import to_example
from lamtui.train.manifest import data_hash, write_manifest
from lamtui.train.pool import PoolTask, generate_pool, validation_slice
from tests.functional.agent_helpers import finish, plan
from tests.gguf_files import make_gguf

ENTRY = "gemma3-270m-lam"
VALIDATION = 4
TASKS = {t.spec.request: t for t in [*generate_pool(9), *validation_slice(VALIDATION)]}


def _action(tool: str, args: dict[str, str]) -> str:
    return json.dumps(
        {"thought": "", "tool": tool, "args": args, "status": "continue", "plan_update": None}
    )


def _reply(solves: Callable[[PoolTask], bool], request: GenerationRequest) -> str:
    """The reference solution of the task in the prompt when this adapter solves it;
    otherwise a plan and a finish that do nothing."""
    messages = request.messages
    at = max(i for i, m in enumerate(messages) if m.role == "user" and _task(m.content))
    task = _task(messages[at].content)
    assert task is not None
    done = sum(1 for m in messages[at + 1 :] if m.role == "assistant")
    steps = list(task.actions) if solves(task) else []
    if done == 0:
        return plan("do it")
    if done <= len(steps):
        return _action(steps[done - 1].tool, steps[done - 1].args)
    return finish(task.summary if steps else "done")


def _task(text: str) -> PoolTask | None:
    return next((t for r, t in TASKS.items() if r in text), None)


class FakeLam:
    """Adapters whose skill is a set of tasks; training writes an adapter whose skill is
    `trained_skill`, or is interrupted (Ctrl+C) while `interrupt` is set."""

    def __init__(self, base_sha: str, skills: dict[str, Callable[[PoolTask], bool]]) -> None:
        self.base_sha = base_sha
        self.skills = skills
        self.opened: list[str] = []
        self.trained: list[TrainRequest] = []
        self.interrupt_training = False
        self.interrupt_after: int | None = None  # generations before a Ctrl+C

    def open(self, adapter: Path) -> Backend:
        self.opened.append(adapter.stem)
        skill = self.skills["candidate" if adapter.stem.startswith("explore-") else "start"]

        def reply(request: GenerationRequest) -> str:
            if self.interrupt_after is not None:
                if self.interrupt_after == 0:
                    self.interrupt_after = None
                    raise KeyboardInterrupt
                self.interrupt_after -= 1
            return _reply(skill, request)

        return ScriptedBackend([reply] * 400)

    def train(self, request: TrainRequest) -> Path:
        self.trained.append(request)
        if self.interrupt_training:
            self.interrupt_training = False
            raise KeyboardInterrupt
        adapter = make_gguf(request.out / f"{request.name}.gguf", name="adapter")
        manifest = {
            "name": request.name,
            "base": {"file": "base.gguf", "sha256": self.base_sha},
            "data": {"path": str(request.data), "sha256": data_hash(request.data)},
            "init": request.init.name,
            "recipe": request.recipe,
            "prompt": "lam",
            "scores": {},
        }
        write_manifest(adapter, manifest)
        return adapter


def _every(task: PoolTask) -> bool:
    return True


def _nothing(task: PoolTask) -> bool:
    return False


def _first_validation(n: int) -> Callable[[PoolTask], bool]:
    """Solves every training task and the first n validation tasks."""
    chosen = {t.id for t in validation_slice(VALIDATION)[:n]}
    return lambda task: task.part == "train" or task.id in chosen


@pytest.fixture
def start(tmp_path: Path) -> ResolvedModel:
    """A start adapter that is the default of gemma3-270m-lam, on a stand-in base."""
    base = make_gguf(tmp_path / "models" / "base.gguf")
    adapter = make_gguf(tmp_path / "models" / "start.gguf", name="adapter")
    write_manifest(
        adapter,
        {"name": "start", "base": {"file": "base.gguf", "sha256": "ab" * 32}, "prompt": "lam",
         "recipe": {"rank": 16, "top_layers": 8}},
    )  # fmt: skip
    set_default(ENTRY, adapter, by="test")
    return ResolvedModel("start", base, None, "lam", sha256="ab" * 32, adapter=adapter)


def _run(
    start: ResolvedModel, lam: FakeLam, options: ExploreOptions | None = None
) -> tuple[store.ExploreState, list[str], list[dict[str, Any]]]:
    said: list[str] = []
    reports: list[dict[str, Any]] = []
    state = store.unfinished() or new_state(
        options or ExploreOptions(rounds=1, tasks=3, validation=VALIDATION, max_steps=4),
        start,
        ENTRY,
    )
    store.save(state)
    done = Explorer(state, lam, said.append, reports.append).run()
    return done, said, reports


def test_a_round_learns_from_verified_tasks_and_promotes_a_better_adapter(
    start: ResolvedModel,
) -> None:
    lam = FakeLam("ab" * 32, {"start": _first_validation(1), "candidate": _first_validation(3)})
    state, _said, reports = _run(start, lam)
    assert state.status == "finished" and state.stopped == "1 round done"
    first = state.rounds[0]
    assert (first.attempted, first.verified, first.added) == (3, 3, 3)
    assert first.kept and first.promoted
    # Trained once, from the start adapter, on the three verified trajectories.
    (request,) = lam.trained
    assert request.init == start.adapter and not request.resume
    assert request.recipe["rank"] == 16 and request.recipe["top_layers"] == 8
    lines = (request.data / "train.jsonl").read_text().splitlines()
    examples = [json.loads(line) for line in lines]
    assert len(examples) == 3 and {e["source"] for e in examples} == {"explore"}
    for e in examples:  # rendered in the agent's own protocol, at a stable working folder
        roles = [m["role"] for m in e["messages"]]
        assert roles[:2] == ["user", "assistant"] and "lamtui-eval" not in json.dumps(e)
    # The candidate became the default; its manifest holds its lineage and scores.
    candidate = Path(first.candidate)
    assert entry_adapter(get_entry(ENTRY)) == candidate.resolve()
    manifest = read_manifest(candidate)
    lineage = manifest["lineage"]
    assert lineage["parent"]["name"] == "start" and lineage["parent"]["score"]["passed"] == 1
    assert lineage["data_added"] == {"attempted": 3, "verified": 3, "added": 3}
    assert lineage["promoted"] is True and manifest["scores"]["pool-validation"] == "3/4 (75.0%)"
    # Reports: the baseline, then the round, as JSON objects and as a chart.
    assert [r["event"] for r in reports] == ["baseline", "round"]
    assert reports[1]["validation_success"] == 0.75 and reports[1]["promoted"] is True
    assert set(reports[1]["seconds"]) >= {"attempt", "train", "validate", "total"}
    shown = chart(reports_of(state))
    assert "start" in shown and "3/4  75.0%" in shown and "kept, default" in shown


def test_replay_mixes_an_earlier_dataset_into_the_explored_examples(
    start: ResolvedModel, tmp_path: Path
) -> None:
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    old = [{"id": f"old-{i}", "source": "template", "kind": "shell", "meta": {},
            "messages": [{"role": "user", "content": f"q{i}"},
                         {"role": "assistant", "content": "{}"}]} for i in range(5)]  # fmt: skip
    (earlier / "train.jsonl").write_text("".join(json.dumps(e) + "\n" for e in old))
    lam = FakeLam("ab" * 32, {"start": _first_validation(0), "candidate": _first_validation(1)})
    options = ExploreOptions(rounds=1, tasks=3, validation=VALIDATION, replay=2,
                             replay_data=str(earlier))  # fmt: skip
    _run(start, lam, options)
    (request,) = lam.trained
    lines = [json.loads(line) for line in (request.data / "train.jsonl").open()]
    assert [e["source"] for e in lines].count("explore") == 3
    assert [e["source"] for e in lines].count("template") == 2
    card = json.loads((request.data / "card.json").read_text())
    assert card["by_source"] == {"explore": 3, "template": 2}


def test_no_verified_trajectories_says_so_and_trains_nothing(start: ResolvedModel) -> None:
    lam = FakeLam("ab" * 32, {"start": _nothing, "candidate": _every})
    state, said, _reports = _run(start, lam)
    assert lam.trained == []
    first = state.rounds[0]
    assert (first.attempted, first.verified, first.added) == (3, 0, 0)
    assert "no new verified trajectories" in state.stopped
    assert any("nothing trained" in line for line in said)
    assert entry_adapter(get_entry(ENTRY)) == start.adapter.resolve()  # type: ignore[union-attr]


def test_promotion_is_refused_when_the_score_falls(start: ResolvedModel) -> None:
    lam = FakeLam("ab" * 32, {"start": _first_validation(2), "candidate": _first_validation(1)})
    state, _said, _reports = _run(start, lam, ExploreOptions(rounds=3, tasks=3, validation=4))
    first = state.rounds[0]
    assert not first.kept and not first.promoted and "worse: 1/4" in first.reason
    assert len(state.rounds) == 1 and state.stopped.startswith("round 1: worse")
    assert entry_adapter(get_entry(ENTRY)) == start.adapter.resolve()  # type: ignore[union-attr]
    assert state.current["adapter"] == str(start.adapter.resolve())  # type: ignore[union-attr]
    # Kept beside the default, with its scores.
    manifest = read_manifest(Path(first.candidate))
    assert manifest["scores"]["pool-validation"] == "1/4 (25.0%)"
    assert manifest["lineage"]["kept"] is False and manifest["lineage"]["promoted"] is False


def test_an_interrupted_round_leaves_the_default_and_resumes(start: ResolvedModel) -> None:
    lam = FakeLam("ab" * 32, {"start": _first_validation(0), "candidate": _first_validation(2)})
    lam.interrupt_training = True
    with pytest.raises(KeyboardInterrupt):
        _run(start, lam)
    state = store.unfinished()
    assert state is not None and state.rounds[0].phase == "train"
    assert entry_adapter(get_entry(ENTRY)) == start.adapter.resolve()  # type: ignore[union-attr]
    # Interrupted again, in the middle of the candidate's validation.
    opened = len(lam.opened)
    lam.interrupt_after = 5  # the first validation task's plan, action(s), finish...
    with pytest.raises(KeyboardInterrupt):
        _run(start, lam)
    state = store.unfinished()
    assert state is not None and state.rounds[0].phase == "validate"
    partial = store.lines(state.round_dir(1) / "validation.jsonl")
    assert 1 <= len(partial) < VALIDATION
    assert entry_adapter(get_entry(ENTRY)) == start.adapter.resolve()  # type: ignore[union-attr]
    # Resumed: the attempts are not run again, the validation goes on where it stopped.
    done, _said, _reports = _run(start, lam)
    assert lam.opened[opened:] == [Path(state.rounds[0].candidate).stem] * 2
    assert len(store.lines(done.round_dir(1) / "attempts.jsonl")) == 3
    assert len(store.lines(done.round_dir(1) / "validation.jsonl")) == VALIDATION
    assert done.status == "finished" and done.rounds[0].promoted
    assert entry_adapter(get_entry(ENTRY)) == Path(done.rounds[0].candidate).resolve()


class SampledOnlyLam(FakeLam):
    """The start adapter solves a task only when it samples (a try after the greedy one)."""

    def open(self, adapter: Path) -> Backend:
        if adapter.stem.startswith("explore-"):
            return super().open(adapter)
        self.opened.append(adapter.stem)
        temperatures: list[float] = []

        def reply(request: GenerationRequest) -> str:
            temperatures.append(request.temperature)
            return _reply(lambda task: request.temperature > 0, request)

        self.temperatures = temperatures
        return ScriptedBackend([reply] * 400)


def test_a_task_failed_greedily_is_verified_by_a_sampled_try(start: ResolvedModel) -> None:
    lam = SampledOnlyLam("ab" * 32, {"start": _nothing, "candidate": _first_validation(1)})
    options = ExploreOptions(rounds=1, tasks=3, validation=VALIDATION, tries=2, temperature=0.7)
    state, said, _reports = _run(start, lam, options)
    first = state.rounds[0]
    assert (first.attempted, first.verified, first.added) == (3, 3, 3)
    lines = store.lines(state.round_dir(1) / "attempts.jsonl")
    assert [line["tries"] for line in lines] == [2, 2, 2]
    assert any("after 2 tries (verified, added)" in line for line in said)
    # Greedy first, then sampled at the asked temperature (the validation is greedy).
    assert lam.temperatures[0] == 0.0 and 0.7 in lam.temperatures


def test_patience_keeps_exploring_after_a_round_without_gain(start: ResolvedModel) -> None:
    lam = FakeLam("ab" * 32, {"start": _first_validation(2), "candidate": _first_validation(1)})
    options = ExploreOptions(rounds=3, tasks=3, validation=VALIDATION, patience=2)
    state, _said, _reports = _run(start, lam, options)
    assert [r.kept for r in state.rounds] == [False, False]
    assert state.stopped.startswith("round 2: worse")
    # Round 2 trains from the unchanged start on both rounds' examples.
    assert [r.init for r in lam.trained] == [start.adapter, start.adapter]
    second = (lam.trained[1].data / "train.jsonl").read_text().splitlines()
    assert len(second) == 6


def test_secrets_are_redacted_from_explore_examples() -> None:
    canary = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    record = {
        "id": "t1",
        "request": "print the token file",
        "workspace": "/tmp/lamtui-eval-x-123/agent",
        "environment": {"cwd": "/tmp/lamtui-eval-x-123/agent", "listing": ["token.txt"]},
        "outcome": "finished",
        "summary": f"the token is {canary}",
        "steps": [
            {
                "step_title": "print it",
                "action": {"tool": "shell", "args": {"command": "cat token.txt"}},
                "decision": {"kind": "approve", "by": "gate"},
                "observation": f"token={canary}",
                "result": {"ok": True},
            },
            {"action": {"tool": "finish", "args": {"summary": f"the token is {canary}"}}},
        ],
    }
    example = to_example("read-token-1", record)
    assert example is not None
    text = json.dumps(example.to_dict())
    assert canary not in text and "lamtui-eval-x-123" not in text
    assert example.source == "explore"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rounds", "0"], "at least 1"),
        (["--tasks", "0"], "at least 1"),
        (["--tries", "0"], "at least 1"),
        (["--patience", "0"], "at least 1"),
        (["--temperature", "0"], "--temperature must be positive"),
        (["--templates", "no-such-template"], "no template 'no-such-template'"),
    ],
)
def test_bad_explore_options_are_one_clear_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "explore", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_second_explore_at_the_same_time_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with store.exclusive():
        assert main(["train", "explore", "--rounds", "1"]) == 2
    err = capsys.readouterr().err
    assert "another lamtui train explore is running" in err and "Traceback" not in err
