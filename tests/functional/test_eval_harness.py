"""The evaluation harness end to end with the scripted backend: real sandboxes, real
subprocesses (under bwrap where it works), the real agent and gate. A script that
follows the gold command must score 100 %, a wrong one 0 % — through InterCode's root
rewriting and three-part scoring, and through the builtin suite's checks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lamtui.cli import main
from lamtui.eval.intercode import InterCodeSuite
from lamtui.eval.metrics import summarize
from lamtui.eval.registry import get_suite
from lamtui.eval.runner import EvalOptions, TaskResult, TaskRunner
from lamtui.eval.suite import EvalTask, Suite
from lamtui.lam.base import GenerationRequest
from lamtui.lam.scripted import ScriptedBackend
from tests.functional.agent_helpers import finish, plan, shell
from tests.helpers import run_tasks

WORKSPACE = re.compile(r"Workspace: (\S+) \(")


def _root(request: GenerationRequest) -> Path:
    # The last one: the few-shot examples before the task have workspaces of their own.
    found = [m for msg in request.messages for m in WORKSPACE.findall(msg.content)]
    assert found, "no workspace in the prompt"
    return Path(found[-1])


def gold_following(suite: Suite, tasks: list[EvalTask]) -> ScriptedBackend:
    """Per task: a plan, the gold command for the sandbox the agent is in, finish."""
    replies: list[Any] = []
    for task in tasks:

        def act(request: GenerationRequest, task: EvalTask = task) -> str:
            command = suite.gold_command(task, _root(request))
            assert command is not None
            return shell(command)

        replies += [plan("do it"), act, finish("done")]
    return ScriptedBackend(replies)


def wrong(tasks: list[EvalTask], command: str = "echo nothing to see") -> ScriptedBackend:
    replies: list[Any] = []
    for _ in tasks:
        replies += [plan("do it"), shell(command), finish("done")]
    return ScriptedBackend(replies)


def run(suite: Suite, tasks: list[EvalTask], backend: ScriptedBackend) -> list[TaskResult]:
    runner = TaskRunner(suite, backend, EvalOptions(max_steps=3, task_timeout=60))
    return run_tasks(runner, tasks)


def _pick(suite: Suite, ids: list[str]) -> list[EvalTask]:
    by_id = {t.id: t for t in suite.tasks()}
    return [by_id[i] for i in ids]


def _runnable(suite: Suite, split: str, count: int, where: Callable[[EvalTask], bool]) -> list[str]:
    return [t.id for t in suite.tasks(split) if not t.skip and t.gold and where(t)][:count]


@pytest.fixture(scope="module")
def intercode() -> InterCodeSuite:
    return InterCodeSuite()


def _intercode_sample(suite: InterCodeSuite) -> list[str]:
    """Tasks that read, and tasks that change files, across the fixture splits."""
    changes = re.compile(r"\b(rm|mv|cp|mkdir|touch|chmod|tee|gzip|tar)\b|>")
    rooted = re.compile(r"(?<![\w.])/(testbed|system|workspace|backup)\b")

    def reads(t: EvalTask) -> bool:
        return bool(rooted.search(t.gold or "")) and not changes.search(t.gold or "")

    def writes(t: EvalTask) -> bool:
        return bool(rooted.search(t.gold or "")) and bool(changes.search(t.gold or ""))

    ids = _runnable(suite, "fs_1", 2, reads)
    ids += _runnable(suite, "fs_2", 1, reads)
    ids += _runnable(suite, "fs_3", 1, writes)
    ids += _runnable(suite, "fs_1", 1, writes)
    assert len(ids) == 5
    return ids


def test_a_gold_following_script_scores_100_percent_on_intercode(
    intercode: InterCodeSuite,
) -> None:
    tasks = _pick(intercode, _intercode_sample(intercode))
    results = run(intercode, tasks, gold_following(intercode, tasks))
    assert [r.status for r in results] == ["passed"] * len(tasks), [r.reasons for r in results]
    assert all(r.first_action_success for r in results)
    for task, result in zip(tasks, results, strict=True):
        # The agent ran the rewritten gold: the sandbox path, never the container's root.
        assert "lamtui-eval-" in result.commands[0] and task.gold
        assert result.commands[0] != task.gold
        assert result.parts["files"] and result.parts["hashes"] and result.parts["output"] > 0.99
    summary = summarize(results)
    assert summary["task_success_rate"] == 1.0 and summary["step_success_rate"] == 1.0
    assert summary["invalid_action_rate"] == 0.0 and summary["avg_steps"] == 1.0


def test_a_wrong_script_scores_0_percent_and_says_which_part_failed(
    intercode: InterCodeSuite,
) -> None:
    tasks = _pick(intercode, _intercode_sample(intercode))
    results = run(intercode, tasks, wrong(tasks))
    assert [r.status for r in results] == ["failed"] * len(tasks)
    assert not any(r.first_action_success for r in results)
    assert all(r.parts["output"] < 1.0 for r in results)
    # The tasks whose gold changes files also fail on the file comparison.
    assert not results[-1].parts["files"] and not results[-2].parts["files"]
    assert summarize(results)["task_success_rate"] == 0.0


def test_the_agent_cannot_touch_the_gold_twin_or_anything_outside_its_sandbox(
    intercode: InterCodeSuite, tmp_path: Path
) -> None:
    victim = tmp_path / "outside.txt"
    victim.write_text("keep me")
    tasks = _pick(intercode, _intercode_sample(intercode)[:1])
    results = run(intercode, tasks, wrong(tasks, f"rm -f {victim}; echo done"))
    assert victim.read_text() == "keep me"
    assert results[0].status == "failed"


def test_skipped_tasks_are_reported_and_never_counted(intercode: InterCodeSuite) -> None:
    skipped = [t for t in intercode.tasks() if t.skip]
    assert skipped, "fs_4 has tasks that need the network"
    results = run(intercode, skipped[:2], wrong(skipped[:2]))
    assert [r.status for r in results] == ["skipped", "skipped"]
    assert all(r.reasons and r.reasons[0] == t.skip for r, t in zip(results, skipped, strict=False))
    summary = summarize(results)
    assert summary["ran"] == 0 and summary["skipped"] == 2
    assert summary["task_success_rate"] is None


def test_builtin_suite_scores_a_correct_and_a_wrong_agent() -> None:
    suite = get_suite("builtin")
    tasks = [t for t in suite.tasks() if t.gold][:3]
    assert len(tasks) == 3
    good = run(suite, tasks, gold_following(suite, tasks))
    assert [r.status for r in good] == ["passed"] * 3, [r.reasons for r in good]
    bad = run(suite, tasks, wrong(tasks, "true"))
    assert [r.status for r in bad] == ["failed"] * 3
    assert all(r.reasons for r in bad)


def test_a_task_that_runs_too_long_is_cut_off_and_counted_as_a_timeout(
    intercode: InterCodeSuite,
) -> None:
    tasks = _pick(intercode, _intercode_sample(intercode)[:1])
    runner = TaskRunner(intercode, wrong(tasks, "sleep 30"), EvalOptions(task_timeout=1.5))
    (result,) = run_tasks(runner, tasks)
    assert result.timed_out and result.status == "failed"
    assert result.duration < 20
    assert summarize([result])["timeouts"] == 1


def test_lamtui_eval_cli_writes_json_markdown_and_compares_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = InterCodeSuite().tasks("fs_1")[:2]
    replies = tmp_path / "replies.jsonl"
    lines = []
    for _ in tasks:
        lines += [plan("x"), shell("ls"), finish("done")]
    replies.write_text("\n".join(json.dumps(line) for line in lines))
    out = tmp_path / "run"
    argv = ["eval", "intercode-bash", "--split", "fs_1", "--limit", "2", "--json"]
    code = main([*argv, "--out", str(out), "--model", f"scripted:{replies}"])
    assert code == 0
    run_data = json.loads(capsys.readouterr().out)
    summary = run_data["summary"]
    assert summary["tasks"] == 2 and summary["ran"] + summary["skipped"] == 2
    assert summary["passed"] == 0  # `ls` answers none of them
    assert run_data["meta"]["lamtui_version"] and run_data["meta"]["model"].startswith("scripted")
    assert [t["id"] for t in run_data["tasks"]] == [t.id for t in tasks]
    assert (out / "results.json").exists()
    assert "| all |" in (out / "report.md").read_text()
    assert main(["eval", "compare", str(out), str(out)]) == 0
    chart = capsys.readouterr().out
    assert "task success" in chart and chart.count("A =") == 1 and "B =" in chart


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "intercode-bash", "--split", "fs_9"], "fs_9"),
        (["eval", "intercode-bash", "--limit", "0"], "--limit"),
        (["eval", "intercode-bash", "--seed-split", "fs_1"], "--memory on"),
        (["eval", "builtin", "--max-steps", "0"], "--max-steps"),
        (["eval", "compare", "/nonexistent/run"], "cannot read"),
    ],
)
def test_bad_eval_arguments_give_one_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_gold_demonstrations_for_the_memory_ablation_are_valid_memories(
    intercode: InterCodeSuite,
) -> None:
    from lamtui.eval.memory import demonstration
    from lamtui.memory.records import task_entry

    tasks = [t for t in intercode.tasks("fs_1") if t.gold]
    entries = [task_entry(r, str) for t in tasks if (r := demonstration(intercode, t))]
    assert len(entries) == len(tasks) and all(entries)
    first = entries[0]
    assert first is not None
    # Written relative to the working directory, as every sandbox lives elsewhere.
    assert "./testbed" in first.data["actions"][0]["args"]["command"]
    assert " /testbed" not in first.data["actions"][0]["args"]["command"]


def test_a_task_whose_gold_does_nothing_visible_is_skipped_not_passed(
    intercode: InterCodeSuite,
) -> None:
    """`cd somewhere` prints nothing and changes no file: an agent that does nothing
    would match it, so it is reported as skipped (never as passed)."""
    tasks = _pick(intercode, ["fs_4-08", "fs_2-30"])
    assert tasks[0].gold and tasks[0].gold.startswith("cd ")
    backend = wrong(tasks, "true")
    results = run(intercode, tasks, backend)
    assert [r.status for r in results] == ["skipped", "skipped"]
    assert "no observable effect" in results[0].reasons[0]
    assert backend.remaining == len(tasks) * 3  # the model was never asked


def test_lamtuis_own_stop_message_is_not_taken_as_the_agents_answer() -> None:
    """count-backup-days' answer is 4; an agent stopped at a 4-action budget gets the
    summary "stopped at the step budget (4)" from lamtui, which must not pass it."""
    suite = get_suite("builtin")
    (task,) = _pick(suite, ["count-backup-days"])
    backend = ScriptedBackend([plan("look"), *[shell(f"echo try {n}") for n in "abcd"]])
    runner = TaskRunner(suite, backend, EvalOptions(max_steps=4, task_timeout=60))
    (result,) = run_tasks(runner, [task])
    assert result.outcome == "budget" and result.steps == 4
    assert result.status == "failed"


def test_a_timed_out_tasks_first_action_replay_stays_within_its_budget(
    intercode: InterCodeSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lamtui.eval.runner as runner_module

    timeouts: list[float] = []
    real = runner_module._run_action

    def spy(action: Any, root: Path, timeout: float, sandboxed: bool) -> list[str]:
        timeouts.append(timeout)
        return real(action, root, timeout, sandboxed)

    monkeypatch.setattr(runner_module, "_run_action", spy)
    tasks = _pick(intercode, _intercode_sample(intercode)[:1])
    options = EvalOptions(task_timeout=1.5, shell_timeout=30)
    result = TaskRunner(intercode, wrong(tasks, "sleep 30"), options).run(tasks[0])
    assert result.timed_out and timeouts
    assert timeouts[0] <= runner_module.REPLAY_FLOOR  # not the 30 s shell timeout
    assert result.first_action_success is False
