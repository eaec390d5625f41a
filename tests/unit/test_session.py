"""lamtui.session is the composition root: the only place that constructs the Agent, and
the one that decides where a task's records go."""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path
from typing import get_args

import pytest

import lamtui
from lamtui.agent import events
from lamtui.agent.events import AgentEvent, Event
from lamtui.agent.loop import AgentOptions
from lamtui.lam.scripted import ScriptedBackend
from lamtui.paths import get_paths
from lamtui.record.trajectory import load_trajectories
from lamtui.safety.policy import Policy
from lamtui.session import agent_options, default_sinks, new_agent, settings_from_args
from tests.functional.agent_helpers import ScriptedApprover, finish, plan, shell

ROOT = Path(lamtui.__file__).parent
CONSTRUCTION = re.compile(r"(?<![\w.])Agent\(")


def test_the_agent_is_constructed_in_session_only() -> None:
    found = [
        (path.relative_to(ROOT).as_posix(), n)
        for path in sorted(ROOT.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CONSTRUCTION.search(line) and not line.lstrip().startswith(("#", "class "))
    ]
    assert [where for where, _ in found] == ["session.py"], found


def test_agent_event_is_every_event_class() -> None:
    concrete = {
        cls
        for _, cls in inspect.getmembers(events, inspect.isclass)
        if issubclass(cls, Event) and cls is not Event
    }
    assert set(get_args(AgentEvent)) == concrete
    assert len(concrete) == 15


def test_settings_from_args_folds_the_flags_in(tmp_path: Path) -> None:
    args = argparse.Namespace(
        model="m", base_url="http://x", max_steps=3, timeout=7.0, memory="off"
    )
    settings = settings_from_args(args, tmp_path)
    assert settings.model.base_url == "http://x" and settings.model.remote_model == "m"
    assert settings.agent.max_steps == 3 and settings.shell.timeout == 7.0
    assert not settings.memory.enabled
    options = agent_options(settings, "readonly")
    assert options.max_steps == 3 and options.shell_timeout == 7.0
    assert options.policy.mode == "readonly"


def test_default_sinks_follow_record_and_undo() -> None:
    on = default_sinks(AgentOptions(), str)
    assert on.audit is not None and on.undo is not None and on.rules is not None
    assert on.trajectories is not None and on.trajectories.keep
    off = default_sinks(AgentOptions(record=False, undo=False), str)
    assert off.audit is None and off.undo is None
    # Still built (memory learns a finished task from its record), never written.
    assert off.trajectories is not None and not off.trajectories.keep


def test_new_agent_records_through_its_sinks(tmp_path: Path, lamtui_home: Path) -> None:
    replies = [plan("Write"), shell("echo hi > a.txt"), finish("wrote a.txt")]
    agent = new_agent(
        ScriptedBackend(replies), ScriptedApprover(), tmp_path, AgentOptions(policy=Policy("ask"))
    )
    done = list(agent.run("write a.txt"))[-1]
    assert isinstance(done, events.TaskFinished) and done.outcome == "finished"
    assert [t["id"] for t in load_trajectories()] == [done.trajectory_id]
    assert get_paths().audit_log.is_file()
    assert (get_paths().undo_dir / done.task_id).is_dir()


@pytest.mark.parametrize("record", [True, False])
def test_without_sinks_nothing_is_written(tmp_path: Path, lamtui_home: Path, record: bool) -> None:
    from lamtui.agent.sinks import TaskSinks

    replies = [plan("Write"), shell("echo hi > a.txt"), finish("wrote a.txt")]
    options = AgentOptions(policy=Policy("ask"), record=record)
    agent = new_agent(
        ScriptedBackend(replies), ScriptedApprover(), tmp_path, options, sinks=TaskSinks()
    )
    done = list(agent.run("write a.txt"))[-1]
    assert isinstance(done, events.TaskFinished) and done.outcome == "finished"
    assert done.trajectory_id == ""
    assert (tmp_path / "a.txt").read_text() == "hi\n"
    written = [p for p in lamtui_home.rglob("*") if p.is_file() and "outputs" not in p.parts]
    assert written == []
