"""The typed step record keeps the trajectory's JSON shape; TaskFinished counts the actions
that ran (not the model's finish, not a rejected proposal)."""

from __future__ import annotations

from pathlib import Path

from lamtui.agent.events import Decision, TaskFinished
from lamtui.agent.task import StepRecord
from lamtui.contract.result import ActionResult
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.record.trajectory import load_trajectories
from tests.functional.agent_helpers import ScriptedApprover, finish, plan, run_agent, shell

ACTION = Action.model_validate(
    {
        "thought": "look",
        "tool": "shell",
        "args": {"command": "ls"},
        "status": "continue",
        "plan_update": None,
    }
)


def test_unset_fields_are_left_out_and_typed_ones_become_dicts() -> None:
    record = StepRecord(1, "look", 3, "{}", 1, ACTION, 0.5, {"completion_tokens": 4})
    assert record.to_dict() == {
        "n": 1,
        "step_title": "look",
        "prompt_messages": 3,
        "raw_output": "{}",
        "attempts": 1,
        "action": ACTION.model_dump(mode="json"),
        "model_seconds": 0.5,
        "tokens": {"completion_tokens": 4},
    }
    record.assessment = Assessment("auto", "read_only", ("lists files",))
    record.decision = Decision("approve", by="policy:ask")
    record.result = ActionResult(ok=True, output="a\n", exit_code=0)
    record.observation = ""
    data = record.to_dict()
    assert data["assessment"]["risk"] == "read_only" and data["decision"]["kind"] == "approve"
    assert data["result"]["ok"] is True and data["observation"] == ""
    assert "executed_action" not in data and "skipped" not in data


def test_the_trajectory_steps_keep_their_keys(tmp_path: Path, lamtui_home: Path) -> None:
    events, _ = run_agent([plan("Look"), shell("ls"), finish("looked")], tmp_path)
    assert isinstance(events[-1], TaskFinished) and events[-1].outcome == "finished"
    (trajectory,) = load_trajectories()
    ran, done = trajectory["steps"]
    assert set(ran) == {
        "n", "step_title", "prompt_messages", "raw_output", "attempts", "action",
        "model_seconds", "tokens", "assessment", "decision", "executed_action",
        "observation", "result",
    }  # fmt: skip
    assert ran["executed_action"] == ran["action"] and ran["result"]["ok"] is True
    assert done["action"]["tool"] == "finish" and done["decision"]["by"] == "model"


def test_finished_counts_actions_that_ran(tmp_path: Path) -> None:
    approver = ScriptedApprover(
        decisions=[Decision("reject", by="user", reason="no"), Decision("approve", by="test")]
    )
    replies = [plan("Write"), shell("echo a > a.txt"), shell("echo b > b.txt"), finish("b")]
    events, _ = run_agent(replies, tmp_path, approver)
    done = events[-1]
    assert isinstance(done, TaskFinished) and done.outcome == "finished"
    assert done.steps == 1  # the rejected proposal and the finish did not run
