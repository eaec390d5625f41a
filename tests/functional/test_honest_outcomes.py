"""Issue 13, "an outcome is true" and "the user's words count": a failing pipeline stage
fails the action, a task whose actions failed does not finish (nor is remembered, nor
learned from), a rejected action is never shown again, and an approved action either
runs or says why not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.agent.events import (
    ActionDecided,
    ActionFinished,
    ActionProposed,
    Decision,
    Event,
    Notice,
    TaskFinished,
)
from lamtui.agent.loop import AgentOptions
from lamtui.config import MemorySettings
from lamtui.contract.result import ActionResult
from lamtui.lam.scripted import ScriptedBackend
from lamtui.memory import MemoryStore
from lamtui.memory.embedding import HashingEmbeddingFunction
from lamtui.record.audit import read_audit
from lamtui.record.trajectory import chat_examples, load_trajectories
from lamtui.safety.policy import Policy
from lamtui.session import new_agent
from lamtui.train.trajectories import from_trajectory
from tests.functional.agent_helpers import ScriptedApprover, finish, plan, run_agent, shell


def _result(command: str, cwd: Path, private: bool = False) -> ActionResult:
    last = list(run_shell(command, cwd, ShellOptions(private=private)))[-1]
    assert isinstance(last, ActionResult)
    return last


def _finished(events: list[Event]) -> TaskFinished:
    last = events[-1]
    assert isinstance(last, TaskFinished)
    return last


def _proposed(events: list[Event]) -> list[str]:
    return [e.action.args.get("command", "") for e in events if isinstance(e, ActionProposed)]


# -- a failing pipeline stage marks the action failed --------------------------------


@pytest.mark.parametrize("private", [False, True])
def test_a_failing_pipeline_stage_fails_the_action_and_is_named(
    tmp_path: Path, private: bool
) -> None:
    result = _result("grep ERROR logs/app.log | sort | uniq -c", tmp_path, private)
    assert not result.ok and result.exit_code == 2
    assert "No such file or directory" in result.output
    assert "lamtui: pipeline failed: stage 1 exited 2" in result.output
    middle = _result("echo a | false | cat", tmp_path, private)
    assert not middle.ok and middle.exit_code == 1
    assert "stage 2 exited 1" in middle.output and "stage 1" not in middle.output
    both = _result("(exit 3) | (exit 4) | true", tmp_path, private)
    assert not both.ok and "stage 1 exited 3; stage 2 exited 4" in both.output


@pytest.mark.parametrize("private", [False, True])
def test_a_writer_cut_off_by_a_reader_that_stopped_is_not_a_failure(
    tmp_path: Path, private: bool
) -> None:
    # `yes` dies of SIGPIPE (141) once head has its line: the pipeline did its job.
    result = _result("yes | head -n 1", tmp_path, private)
    assert result.ok and result.exit_code == 0 and "pipeline failed" not in result.output
    # ...but a later failure still counts, and so does the reader's own failure.
    assert not _result("yes | head -n 1; false", tmp_path, private).ok
    assert not _result("yes | head -n 1 | (exit 5)", tmp_path, private).ok
    # A pipeline whose failure was handled does not fail the command.
    handled = _result("grep x nope.txt | sort || echo none", tmp_path, private)
    assert handled.ok and "none" in handled.output


def test_a_failing_pipeline_stage_fails_the_agent_step(tmp_path: Path) -> None:
    replies = [plan("Sort the errors"), shell("grep ERROR nope.log | sort"), finish()]
    events, _ = run_agent(replies, tmp_path, policy=Policy("readonly"))
    result = next(e.result for e in events if isinstance(e, ActionFinished))
    assert not result.ok and result.exit_code == 2
    assert _finished(events).outcome == "failed"


# -- a task whose only action failed ends failed, exits non-zero, is not remembered ----


@pytest.fixture
def store() -> Iterator[MemoryStore]:
    opened = MemoryStore.open(
        MemorySettings(), None, embedding_function=HashingEmbeddingFunction(), seed=False
    )
    yield opened
    opened.close()


def test_a_task_whose_only_action_failed_is_failed_and_not_remembered(
    tmp_path: Path, store: MemoryStore
) -> None:
    request = "count the lines in config.ini"
    replies = [plan("Count"), shell("grep -c ERROR logs/app.log"), finish("counted them")]
    agent = new_agent(
        ScriptedBackend(replies),
        ScriptedApprover(),
        tmp_path,
        AgentOptions(policy=Policy("readonly")),
        memory=store,
    )
    events = list(agent.run(request))
    done = _finished(events)
    assert done.outcome == "failed"
    assert "exited 2" in done.summary and "counted them" in done.summary
    assert not any(isinstance(e, Notice) and "remembered" in e.message for e in events)
    assert not [i for i in store.recall(request).items if i.get("kind") == "task"]
    record = list(load_trajectories())[-1]
    assert record["outcome"] == "failed"
    assert from_trajectory(record) is None


def test_a_later_success_after_a_failure_still_finishes(tmp_path: Path) -> None:
    replies = [plan("Count"), shell("cat nope.txt"), shell("echo 3"), finish("3 lines")]
    events, _ = run_agent(replies, tmp_path, policy=Policy("readonly"))
    assert _finished(events).outcome == "finished"
    assert _finished(events).summary == "3 lines"


def test_a_task_whose_every_action_was_rejected_did_not_finish(tmp_path: Path) -> None:
    approver = ScriptedApprover(default=Decision("reject", by="user", reason="no"))
    replies = [plan("Delete"), shell("rm -f a.txt"), finish("deleted")]
    events, _ = run_agent(replies, tmp_path, approver)
    assert _finished(events).outcome == "gave_up"
    assert "no action ran" in _finished(events).summary


def test_lamtui_run_exits_non_zero_when_the_only_action_failed(
    tmp_path: Path, lamtui_home: Path
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    script = tmp_path / "replies.json"
    replies = [plan("Count"), shell("grep -c ERROR logs/app.log"), finish("counted")]
    script.write_text(json.dumps(replies))
    proc = subprocess.run(
        [sys.executable, "-m", "lamtui.cli", "run", "--approve", "readonly", "--memory", "off",
         "--json", "--model", f"scripted:{script}", "count the lines in config.ini"],
        cwd=ws,
        env={**os.environ, "LAMTUI_HOME": str(lamtui_home)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr
    last = json.loads(proc.stdout.splitlines()[-1])
    assert last["type"] == "task_finished" and last["payload"]["outcome"] == "failed"


# -- an identical re-proposal after a rejection is never shown to the user -------------


def test_an_identical_reproposal_is_sent_back_to_the_model_not_the_user(tmp_path: Path) -> None:
    approver = ScriptedApprover([Decision("reject", by="user", reason="use ls -la instead")])
    replies = [
        plan("List files"),
        shell("ls"),
        shell("  ls\t"),  # the same action once whitespace is normalised
        shell("ls -la"),
        finish(),
    ]
    events, backend = run_agent(replies, tmp_path, approver)
    assert _proposed(events) == ["ls", "ls -la"]
    assert [p.action.args["command"] for p in approver.seen] == ["ls", "ls -la"]
    prompts = [m.content for r in backend.requests for m in r.messages if m.role == "user"]
    assert any("use ls -la instead" in p and "already rejected" in p for p in prompts)
    assert _finished(events).outcome == "finished"


def test_the_model_that_keeps_reproposing_a_rejected_action_gives_up_saying_why(
    tmp_path: Path,
) -> None:
    approver = ScriptedApprover([Decision("reject", by="user", reason="not that file")])
    replies = [plan("Delete"), *[shell("rm  notes.txt") for _ in range(6)]]
    events, backend = run_agent(replies, tmp_path, approver, max_repeats=3, max_failures=9)
    assert _proposed(events) == ["rm  notes.txt"]
    assert len(approver.seen) == 1
    done = _finished(events)
    assert done.outcome == "gave_up"
    assert "rm notes.txt" in done.summary or "rm  notes.txt" in done.summary
    assert "rejected" in done.summary and "not that file" in done.summary
    assert backend.remaining == 6 - 1 - 3  # one shown, three refused, then it stopped


def test_the_rejection_reason_is_in_the_next_prompt(tmp_path: Path) -> None:
    approver = ScriptedApprover([Decision("reject", by="user", reason="keep the backups")])
    replies = [plan("Clean"), shell("rm -f *.bak"), shell("ls"), finish()]
    _events, backend = run_agent(replies, tmp_path, approver)
    after = backend.requests[2].messages[-1].content
    assert "keep the backups" in after and "Do not propose it again" in after


# -- an approved action either runs or produces a recorded notice ----------------------


def test_an_approved_action_that_is_not_run_says_so_and_is_recorded(tmp_path: Path) -> None:
    replies = [plan("Count"), shell("cat nope.txt"), shell("cat nope.txt"), finish("done")]
    events, _ = run_agent(replies, tmp_path, policy=Policy("readonly"))
    approved = [e.step for e in events if isinstance(e, ActionDecided) and e.decision.approved]
    ran = {e.step for e in events if isinstance(e, ActionFinished)}
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert approved == [1, 2] and ran == {1}
    assert any("step 2 not run" in m and "already failed" in m for m in notices)
    task_id = _finished(events).task_id
    skipped = [r for r in read_audit() if r.get("kind") == "skipped" and r["task_id"] == task_id]
    assert len(skipped) == 1 and skipped[0]["step"] == 2
    assert _finished(events).outcome == "failed"
    record = list(load_trajectories())[-1]
    assert "not run" in record["steps"][1]["skipped"]


def test_the_successful_export_never_includes_a_step_that_did_not_run(tmp_path: Path) -> None:
    replies = [plan("Count"), shell("cat nope.txt"), shell("cat nope.txt"), finish("done")]
    run_agent(replies, tmp_path, policy=Policy("readonly"))
    record = list(load_trajectories())[-1]
    exported = list(chat_examples(record, include="successful"))
    labels = [json.loads(e["messages"][-1]["content"])["tool"] for e in exported]
    assert labels == ["finish"]  # neither the failed step nor the one that never ran
    never_ran = {**record, "steps": [{**record["steps"][1], "decision": {"kind": "approve"}}]}
    assert "result" not in never_ran["steps"][0]
    assert list(chat_examples(never_ran, include="successful")) == []
