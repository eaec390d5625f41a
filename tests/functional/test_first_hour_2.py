"""Issue 13, the rest of the first hour: a cancel is an abort even when it lands on the
third failure in a row (the agent and the app), the plan's goal is what the user asked
(not the goal of a recalled demonstration), `lamtui run --json` prints model tokens only
with --stream-tokens, and the printed summary counts the actions that ran."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lamtui.agent.approval import Proposal
from lamtui.agent.events import (
    ActionFinished,
    Decision,
    Event,
    PlanUpdated,
    TaskFinished,
    TaskStarted,
)
from lamtui.agent.loop import AgentOptions
from lamtui.console import EventPrinter
from lamtui.contract.cancel import CancelToken
from lamtui.contract.result import ActionResult
from lamtui.contract.risk import Assessment
from lamtui.lam.scripted import ScriptedBackend
from lamtui.safety.policy import Policy
from lamtui.session import new_agent
from lamtui.ui.app import LamtuiApp
from lamtui.ui.screens.gate import GateScreen
from tests.functional.agent_helpers import ScriptedApprover, finish, plan, shell
from tests.functional.test_ui import drive, finished, gate, make_app, request, until

TWO_FAILURES_THEN = [
    plan("try", "try again", "and again"),
    shell("false"),
    shell("test -e nothing-here"),
    shell("touch third.txt"),
    finish("done"),
]


def _outcome(events: list[Event]) -> TaskFinished:
    last = events[-1]
    assert isinstance(last, TaskFinished)
    return last


# -- a cancel on the third failure in a row is an abort ------------------------------


@pytest.mark.parametrize("decision", ["reject", "approve"])
def test_a_cancel_deciding_the_third_failing_action_aborts(tmp_path: Path, decision: str) -> None:
    """The approver is where a cancel lands (the TUI releases its gate with a rejection;
    an approval already given sees its command killed): either way the third failure in
    a row must not turn the user's cancel into 'gave_up'."""
    cancel = CancelToken()

    def cancel_now(proposal: Proposal) -> Decision:
        cancel.cancel()
        if decision == "reject":
            return Decision("reject", by="approver:tui", reason="the task was cancelled")
        return Decision("approve", by="test")

    approver = ScriptedApprover(decisions=[Decision("approve", by="test")] * 2 + [cancel_now])
    agent = new_agent(
        ScriptedBackend(list(TWO_FAILURES_THEN)),
        approver,  # type: ignore[arg-type]
        tmp_path,
        AgentOptions(policy=Policy("ask"), max_failures=3),
        cancel,
    )
    events = list(agent.run("make third.txt"))
    results = [e.result for e in events if isinstance(e, ActionFinished)]
    assert [r.ok for r in results[:2]] == [False, False]  # two real failures first
    assert len(approver.seen) == 3
    done = _outcome(events)
    assert done.outcome == "aborted", done.summary
    assert "gave up" not in done.summary
    assert not (tmp_path / "third.txt").exists()


def test_without_a_cancel_three_failures_still_give_up(tmp_path: Path) -> None:
    """The control: the same task where the third action simply fails gives up."""
    replies = [plan("try"), shell("false"), shell("test -e a"), shell("test -e b"), finish()]
    approver = ScriptedApprover()
    agent = new_agent(
        ScriptedBackend(replies),
        approver,  # type: ignore[arg-type]
        tmp_path,
        AgentOptions(policy=Policy("ask"), max_failures=3),
    )
    done = _outcome(list(agent.run("check things")))
    assert done.outcome == "gave_up" and "3 failed" in done.summary


def test_ctrl_c_at_the_third_failing_actions_gate_aborts_in_the_app(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, list(TWO_FAILURES_THEN))

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "make third.txt")
        screen = await gate(app, pilot)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, GateScreen) and app.screen is not screen)
        second = app.screen
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, GateScreen) and app.screen is not second)
        await pilot.press("ctrl+c")  # the cancel rejects the third: a third failure in a row
        assert await finished(app, pilot) == "aborted"
        assert app.is_running  # the first ctrl+c cancels, it does not quit

    drive(app, scenario)
    assert not (tmp_path / "third.txt").exists()


# -- the plan's goal is the user's request -------------------------------------------


def test_the_plan_goal_is_the_request_not_a_recalled_demos(tmp_path: Path) -> None:
    demo_goal = "Add notes.txt to a new uncompressed tar archive"
    copied = {"goal": demo_goal, "subtasks": [{"title": "rename", "steps": ["rename it"]}]}
    replies = [json.dumps(copied), shell("mv a.txt b.txt"), finish("renamed")]
    (tmp_path / "a.txt").write_text("a\n")
    agent = new_agent(
        ScriptedBackend(replies),
        ScriptedApprover(),  # type: ignore[arg-type]
        tmp_path,
        AgentOptions(policy=Policy("ask")),
    )
    events = list(agent.run("rename a.txt to b.txt"))
    plans = [e.plan for e in events if isinstance(e, PlanUpdated)]
    assert plans and all(p["goal"] == "rename a.txt to b.txt" for p in plans)
    assert all(demo_goal not in json.dumps(p) for p in plans)
    assert _outcome(events).outcome == "finished"


def test_the_apps_plan_tree_heads_with_the_request(tmp_path: Path) -> None:
    copied = {"goal": "Add notes.txt to a new tar archive", "subtasks": [
        {"title": "rename", "steps": ["rename the file"]}]}  # fmt: skip
    replies = [json.dumps(copied), finish("nothing")]
    app, _ = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "rename notes.txt to old-notes.txt")
        await finished(app, pilot)
        first = app.plan_view.plain().splitlines()[0]
        assert first == "rename notes.txt to old-notes.txt"
        assert "tar archive" not in app.plan_view.plain()

    drive(app, scenario)


# -- lamtui run: tokens only when asked, the summary counts what ran -----------------


def _run_cli(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([plan("look"), shell("echo hi"), finish("said hi")]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMTUI_")}
    env |= {
        "LAMTUI_HOME": str(tmp_path / "home"),
        "LAMTUI_MEMORY_ENABLED": "false",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    return subprocess.run(
        [sys.executable, "-m", "lamtui.cli", "run", "say hi", "--approve", "readonly",
         "--model", f"scripted:{replies}", *extra],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _types(proc: subprocess.CompletedProcess[str]) -> list[str]:
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line)["type"] for line in proc.stdout.splitlines()]


def test_run_json_prints_model_tokens_only_with_stream_tokens(tmp_path: Path) -> None:
    plain = _types(_run_cli(tmp_path, "--json"))
    assert "model_token" not in plain
    for kind in ("task_started", "plan_updated", "action_proposed", "action_decided",
                 "output_chunk", "action_finished", "task_finished"):  # fmt: skip
        assert kind in plain, (kind, plain)
    streamed = _types(_run_cli(tmp_path, "--json", "--stream-tokens"))
    tokens = streamed.count("model_token")
    assert tokens > 10  # the scripted model streams a few characters per token
    assert [t for t in streamed if t != "model_token"] == plain  # nothing else changes


def test_stream_tokens_without_json_is_one_clear_error(tmp_path: Path) -> None:
    proc = _run_cli(tmp_path, "--stream-tokens")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--stream-tokens needs --json" in lines[0], proc.stderr


def test_the_printed_summary_counts_actions_that_ran(tmp_path: Path) -> None:
    out = io.StringIO()
    printer = EventPrinter(out)
    result = ActionResult(ok=True, output="hi\n", exit_code=0, duration=0.01)
    for event in (
        TaskStarted("t", request="say hi", workspace=str(tmp_path), model="m", environment={}),
        ActionFinished("t", step=1, result=result),
        # steps counts the model's finish step too (2): the line must not say 2.
        TaskFinished("t", outcome="finished", summary="said hi", steps=2, duration=0.5),
    ):
        printer(event)
    last = out.getvalue().strip().splitlines()[-1]
    assert last == "finished: said hi (1 action run, 0.5s)"

    proc = _run_cli(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "(1 action run," in proc.stderr and "2 actions" not in proc.stderr


def test_a_ctrl_c_just_before_the_prompt_still_cancels_it() -> None:
    """Ctrl+C landing after the proposal is printed but before the prompt reads (the
    signal handler cannot raise into a read that has not started) must not leave the
    prompt waiting for a line: the prompt sees the cancel and gives up at once."""
    from lamtui.agent.approval import PROMPT_CANCELLED_REASON
    from lamtui.console import TerminalApprover
    from lamtui.contract.schema import Action

    cancel = CancelToken()
    out = io.StringIO()
    approver = TerminalApprover(io.StringIO("y\n"), out, cancelled=lambda: cancel.cancelled)
    action = Action.model_validate(json.loads(shell("touch made.txt")))
    proposal = Proposal("t", 1, "make it", action, Assessment("ask", "workspace_write", ()), "")
    cancel.cancel()  # the Ctrl+C came first
    decision = approver.decide(proposal)
    assert decision.kind == "reject" and decision.reason == PROMPT_CANCELLED_REASON
    assert "run it?" not in out.getvalue()  # it never asked
    assert not approver.asking
