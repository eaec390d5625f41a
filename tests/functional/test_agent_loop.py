"""End-to-end runs of the LAM cycle with the scripted backend in a temp workspace."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psutil
import pytest

from lamtui.agent.events import (
    ActionDecided,
    ActionFinished,
    ActionProposed,
    AskUser,
    Decision,
    ModelRetry,
    OutputChunk,
    PlanUpdated,
    TaskFinished,
    UserAnswered,
)
from lamtui.agent.loop import AgentOptions
from lamtui.contract.schema import Action, parse_action
from lamtui.lam.scripted import ScriptedBackend
from lamtui.record.trajectory import chat_examples, load_trajectories
from lamtui.safety.policy import Policy
from lamtui.session import new_agent
from tests.functional.agent_helpers import (
    ScriptedApprover,
    act,
    finish,
    plan,
    run_agent,
    shell,
)


def _finished(events: list) -> TaskFinished:
    last = events[-1]
    assert isinstance(last, TaskFinished)
    return last


def _last_user(backend: ScriptedBackend, call: int) -> str:
    return backend.requests[call].messages[-1].content


def test_multi_step_task(tmp_path: Path) -> None:
    replies = [
        plan("Write the greeting", "Read it back"),
        shell("echo hello > greeting.txt"),
        act("read_file", path="greeting.txt"),
        finish("wrote and checked greeting.txt"),
    ]
    events, backend = run_agent(replies, tmp_path)
    done = _finished(events)
    assert done.outcome == "finished" and done.steps == 2  # the actions that ran, not the finish
    assert (tmp_path / "greeting.txt").read_text() == "hello\n"
    results = [e.result for e in events if isinstance(e, ActionFinished)]
    assert [r.ok for r in results] == [True, True]
    assert "hello" in results[1].output
    # The model saw the read's output in its next prompt.
    assert "hello" in _last_user(backend, 3)
    final_plan = [e for e in events if isinstance(e, PlanUpdated)][-1].plan
    statuses = [s["status"] for sub in final_plan["subtasks"] for s in sub["steps"]]
    assert statuses == ["done", "done"]
    # Prompts only grow: each call's messages extend the previous call's.
    for before, after in zip(backend.requests, backend.requests[1:], strict=False):
        assert after.messages[: len(before.messages)] == before.messages


def test_failing_step_triggers_replan(tmp_path: Path) -> None:
    replies = [
        plan("Show the config", "Summarise it"),
        shell("cat missing.conf"),
        shell("ls", plan_update=["Look for the config", "Summarise it"]),
        finish("there is no config"),
    ]
    events, backend = run_agent(replies, tmp_path)
    assert _finished(events).outcome == "finished"
    failed = next(e.result for e in events if isinstance(e, ActionFinished))
    assert not failed.ok and failed.exit_code == 1
    assert "This step failed. Revise the remaining steps" in _last_user(backend, 2)
    revisions = [e for e in events if isinstance(e, PlanUpdated) and "revised" in e.reason]
    assert len(revisions) == 1
    plan_after = revisions[0].plan
    assert plan_after["revisions"][0]["added"] == ["Look for the config", "Summarise it"]
    assert any(s["status"] == "revised" for sub in plan_after["subtasks"] for s in sub["steps"])


def test_rejection_reason_reaches_the_model(tmp_path: Path) -> None:
    approver = ScriptedApprover([Decision("reject", reason="use ls -la instead")])
    replies = [plan("List files"), shell("ls"), shell("ls -la"), finish()]
    events, backend = run_agent(replies, tmp_path, approver)
    decided = [e.decision for e in events if isinstance(e, ActionDecided)]
    assert decided[0].kind == "reject" and decided[1].kind == "approve"
    assert "The user rejected this action: use ls -la instead" in _last_user(backend, 2)
    assert len([e for e in events if isinstance(e, ActionFinished)]) == 1


def test_edit_before_approve_runs_the_edited_command(tmp_path: Path) -> None:
    def edit(proposal):  # type: ignore[no-untyped-def]
        edited = Action.model_validate(
            {**proposal.action.model_dump(), "args": {"command": "echo edited > e.txt"}}
        )
        return Decision("edit", edited=edited)

    approver = ScriptedApprover([edit])
    replies = [plan("Write a file"), shell("echo original > o.txt"), finish()]
    _events, backend = run_agent(replies, tmp_path, approver)
    assert (tmp_path / "e.txt").read_text() == "edited\n"
    assert not (tmp_path / "o.txt").exists()
    assert "the user edited the action" in _last_user(backend, 2)
    record = list(load_trajectories())[-1]
    assert record["steps"][0]["executed_action"]["args"]["command"] == "echo edited > e.txt"


def test_ask_user_answer_goes_to_the_model(tmp_path: Path) -> None:
    approver = ScriptedApprover(answers=["the blue one"])
    replies = [
        plan("Pick the file"),
        act("ask_user", status="ask_user", question="Which one?"),
        finish("picked the blue one"),
    ]
    events, backend = run_agent(replies, tmp_path, approver)
    assert any(isinstance(e, AskUser) and e.question == "Which one?" for e in events)
    assert any(isinstance(e, UserAnswered) and e.answer == "the blue one" for e in events)
    assert "The user answered: the blue one" in _last_user(backend, 2)
    assert _finished(events).outcome == "finished"


def test_step_budget_stops_the_task(tmp_path: Path) -> None:
    replies = [plan("Loop"), *[shell(f"echo {i}") for i in range(10)]]
    events, backend = run_agent(replies, tmp_path, max_steps=3)
    done = _finished(events)
    assert done.outcome == "budget" and done.steps == 3
    assert backend.remaining == 10 - 3


def test_repeated_failing_action_is_not_rerun_and_gives_up(tmp_path: Path) -> None:
    replies = [plan("Try"), shell("cat nope"), shell("cat nope"), shell("cat nope"), finish()]
    events, _ = run_agent(replies, tmp_path, max_failures=3)
    assert _finished(events).outcome == "gave_up"
    # Executed once; the two repeats were refused without running.
    assert len([e for e in events if isinstance(e, ActionFinished)]) == 1


def test_invalid_model_output_is_retried_and_never_executed(tmp_path: Path) -> None:
    replies = [plan("List"), '{"tool": "rm -rf /"}', act("rm", command="x"), shell("ls"), finish()]
    events, _ = run_agent(replies, tmp_path)
    assert len([e for e in events if isinstance(e, ModelRetry)]) == 2
    proposed = [e.action for e in events if isinstance(e, ActionProposed)]
    assert [a.args for a in proposed] == [{"command": "ls"}]


def test_model_that_never_produces_valid_output_ends_with_error(tmp_path: Path) -> None:
    events, _ = run_agent([plan("x"), "no", "no", "no"], tmp_path, max_retries=2)
    done = _finished(events)
    assert done.outcome == "error" and "invalid output" in done.summary


def test_approver_exception_means_reject(tmp_path: Path) -> None:
    def boom(proposal):  # type: ignore[no-untyped-def]
        raise RuntimeError("the UI went away")

    replies = [plan("Write"), shell("touch x"), finish()]
    events, _ = run_agent(replies, tmp_path, ScriptedApprover([boom]))
    decision = next(e.decision for e in events if isinstance(e, ActionDecided))
    assert decision.kind == "reject" and "the UI went away" in decision.reason
    assert not (tmp_path / "x").exists()


def test_readonly_policy_auto_approves_reads_only(tmp_path: Path) -> None:
    approver = ScriptedApprover(default=Decision("reject", reason="asked"))
    replies = [plan("Look"), shell("ls -la"), shell("touch new.txt"), finish()]
    events, _ = run_agent(replies, tmp_path, approver, policy=Policy("readonly"))
    decided = [e.decision for e in events if isinstance(e, ActionDecided)]
    assert decided[0].kind == "approve" and decided[0].by == "policy:readonly"
    assert decided[1].kind == "reject" and len(approver.seen) == 1
    assert not (tmp_path / "new.txt").exists()


def test_cancel_during_command_leaves_no_orphans(tmp_path: Path) -> None:
    marker = "31.7"  # a distinctive sleep length to find the processes by
    replies = [plan("Wait"), shell(f"sleep {marker} & sleep {marker}; echo never"), finish()]
    backend = ScriptedBackend(replies)
    agent = new_agent(backend, ScriptedApprover(), tmp_path, AgentOptions(policy=Policy("ask")))
    events = []
    for event in agent.run("wait a bit"):
        events.append(event)
        if isinstance(event, PlanUpdated) and event.reason.endswith("running"):
            threading.Timer(0.5, agent.cancel.cancel).start()
    assert _finished(events).outcome == "aborted"
    result = next(e.result for e in events if isinstance(e, ActionFinished))
    assert result.cancelled and not result.ok
    time.sleep(0.2)
    leftovers = [
        p
        for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"] and marker in " ".join(p.info["cmdline"])
    ]
    assert leftovers == []


def test_output_is_streamed_and_bounded(tmp_path: Path) -> None:
    replies = [plan("Count"), shell("seq 1 100000"), finish()]
    events, backend = run_agent(replies, tmp_path)
    chunks = [e for e in events if isinstance(e, OutputChunk)]
    assert len(chunks) >= 1
    result = next(e.result for e in events if isinstance(e, ActionFinished))
    assert "lines omitted" in result.output and len(result.output) < 5000
    assert Path(result.output_path).stat().st_size == result.output_bytes
    assert len(_last_user(backend, 2)) < 6000  # the model sees the bounded view


def test_trajectory_is_recorded_and_exports_valid_chat_jsonl(tmp_path: Path) -> None:
    approver = ScriptedApprover([Decision("reject", reason="not that")])
    replies = [
        plan("Write", "Check"),
        shell("rm -rf /tmp/nothing"),
        act("write_file", path="a.txt", content="x"),
        act("read_file", path="a.txt"),
        finish("ok"),
    ]
    events, _ = run_agent(replies, tmp_path, approver)
    record = list(load_trajectories())[-1]
    assert record["id"] == _finished(events).task_id
    assert record["outcome"] == "finished"
    assert [s["decision"]["kind"] for s in record["steps"]] == [
        "reject",
        "approve",
        "approve",
        "approve",
    ]
    step = record["steps"][1]
    assert step["raw_output"] and step["tokens"]["completion_tokens"] > 0
    assert step["assessment"]["risk"] == "workspace_write"
    examples = list(chat_examples(record))
    # The rejected step is not a training example; approved + successful ones are.
    assert len(examples) == 3
    for example in examples:
        line = json.dumps(example)
        parsed = json.loads(line)
        last = parsed["messages"][-1]
        assert last["role"] == "assistant"
        action = parse_action(last["content"])
        assert json.loads(action.to_json()) == json.loads(last["content"])
        assert parsed["messages"][0]["role"] == "system"


def test_trajectories_cli_list_show_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lamtui.cli import main

    replies = [
        plan("Write", "Read"),
        act("write_file", path="a.txt", content="x"),
        act("read_file", path="a.txt"),
        finish("ok"),
    ]
    events, _ = run_agent(replies, tmp_path)
    task_id = _finished(events).task_id
    out = tmp_path / "sft.jsonl"
    assert main(["trajectories", "export", "--format", "chat-jsonl", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 3  # two approved, successful actions + the finish
    for line in lines:
        example = json.loads(line)
        parse_action(example["messages"][-1]["content"])
    assert main(["trajectories", "list"]) == 0
    assert task_id in capsys.readouterr().out
    assert main(["trajectories", "show", task_id[:18]]) == 0
    assert "write_file" in capsys.readouterr().out
