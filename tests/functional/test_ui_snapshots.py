"""Snapshots (pytest-textual-snapshot) of the main screen, the gate with a diff, and a
finished task, at 80x24. Content is pinned: a fixed workspace path, hand-built events with
fixed ids, times and durations, and no live CPU/RAM numbers. Update with
`pytest tests/functional/test_ui_snapshots.py --snapshot-update` after checking the SVGs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from lamtui.agent.approval import Proposal
from lamtui.agent.events import (
    ActionDecided,
    ActionFinished,
    ActionProposed,
    Decision,
    Event,
    OutputChunk,
    PlanUpdated,
    TaskFinished,
    TaskStarted,
    TokenStats,
)
from lamtui.config import MemorySettings, Settings
from lamtui.contract.result import ActionResult
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.lam.scripted import ScriptedBackend
from lamtui.ui.app import LamtuiApp
from lamtui.ui.approver import CLOSED, Reply
from lamtui.ui.messages import GateRequested
from lamtui.ui.screens.gate import GateScreen

WORKSPACE = Path("/home/user/project")
TASK = "20250101-120000-abc123"
TS = 1_735_732_800.0
DIFF = """--- a/notes.txt
+++ b/notes.txt
@@ -1,3 +1,3 @@
 # Notes
-helo world
+hello world
 see you
"""


def _plan(statuses: tuple[str, str, str], revised: bool = False) -> dict[str, Any]:
    steps = [
        {"title": "read notes.txt", "status": statuses[0], "actions": [1]},
        {"title": "fix the typo", "status": statuses[1], "actions": [2]},
        {"title": "check the result", "status": statuses[2], "actions": []},
    ]
    status = "done" if statuses[1] == "done" else "running"
    subtasks: list[dict[str, Any]] = [{"title": "fix the notes", "status": status, "steps": steps}]
    revisions: list[dict[str, Any]] = []
    if revised:
        subtasks.append(
            {
                "title": "Revision 1",
                "status": "done",
                "steps": [{"title": "show the file", "status": "done", "actions": [3]}],
            }
        )
        revisions.append(
            {
                "number": 1,
                "reason": "cat shows the whole file",
                "removed": ["check the result"],
                "added": ["show the file"],
            }
        )
    return {"goal": "fix the typo in notes.txt", "subtasks": subtasks, "revisions": revisions}


def _action(tool: str, thought: str, **args: str) -> Action:
    return Action(thought=thought, tool=tool, args=args, status="continue", plan_update=None)  # type: ignore[arg-type]


EDIT = _action(
    "edit_file", "the second line has a typo", path="notes.txt", search="helo", replace="hello"
)
EDIT_ASSESSMENT = Assessment(
    verdict="ask",
    risk="workspace_write",
    reasons=("writes notes.txt (in the workspace)",),
    segments=(),
    paths=("notes.txt",),
    rule="",
)


def events_until_gate() -> list[Event]:
    read = _action("read_file", "look at the file first", path="notes.txt")
    return [
        TaskStarted(
            TASK, request="fix the typo in notes.txt", workspace=str(WORKSPACE), model="scripted",
            environment={}, ts=TS,
        ),
        PlanUpdated(TASK, plan=_plan(("pending", "pending", "pending")), reason="initial plan"),
        TokenStats(
            TASK, phase="plan", prompt_tokens=812, prompt_tokens_evaluated=812,
            completion_tokens=64, prompt_seconds=0.4, generation_seconds=1.5,
            tokens_per_second=42.7, ts=TS,
        ),
        ActionProposed(
            TASK, step=1, step_title="read notes.txt", action=read,
            assessment=Assessment(verdict="auto", risk="read_only",
                                  reasons=("reads notes.txt (in the workspace)",), segments=()),
            ts=TS,
        ),
        ActionDecided(TASK, step=1, decision=Decision("approve", by="policy:readonly"), ts=TS),
        ActionFinished(
            TASK, step=1, result=ActionResult(ok=True, output="# Notes\nhelo world\nsee you\n",
                                              duration=0.01), ts=TS,
        ),
        PlanUpdated(TASK, plan=_plan(("done", "pending", "pending")), reason="step 1 done"),
        ActionProposed(
            TASK, step=2, step_title="fix the typo", action=EDIT, assessment=EDIT_ASSESSMENT,
            preview=DIFF, ts=TS,
        ),
    ]  # fmt: skip


def events_finished() -> list[Event]:
    cat = _action("shell", "cat shows the whole file", command="cat notes.txt")
    return [
        *events_until_gate(),
        ActionDecided(TASK, step=2, decision=Decision("approve", by="user"), ts=TS),
        ActionFinished(
            TASK, step=2, result=ActionResult(ok=True, duration=0.02,
                                              files_changed=["notes.txt"]), ts=TS,
        ),
        PlanUpdated(TASK, plan=_plan(("done", "done", "pending")), reason="step 2 done"),
        PlanUpdated(
            TASK, plan=_plan(("done", "done", "revised"), revised=True),
            reason="revised: cat shows the whole file", ts=TS,
        ),
        ActionProposed(
            TASK, step=3, step_title="show the file", action=cat,
            assessment=Assessment(verdict="ask", risk="read_only",
                                  reasons=("cat reads notes.txt",), segments=()),
            ts=TS,
        ),
        ActionDecided(TASK, step=3, decision=Decision("reject", by="user", reason="not needed"),
                      ts=TS),
        ActionProposed(
            TASK, step=4, step_title="show the file", action=cat,
            assessment=Assessment(verdict="ask", risk="read_only",
                                  reasons=("cat reads notes.txt",), segments=()),
            ts=TS,
        ),
        ActionDecided(TASK, step=4, decision=Decision("approve", by="user"), ts=TS),
        OutputChunk(TASK, step=4, text="# Notes\nhello world\n", ts=TS),
        OutputChunk(TASK, step=4, text="see you\n", ts=TS),
        ActionFinished(TASK, step=4, result=ActionResult(ok=True, output="", exit_code=0,
                                                         duration=0.01), ts=TS),
        PlanUpdated(TASK, plan=_plan(("done", "done", "revised"), revised=True),
                    reason="task finished", ts=TS),
        TaskFinished(TASK, outcome="finished", summary="fixed the typo in notes.txt", steps=5,
                     duration=4.2, ts=TS),
    ]  # fmt: skip


def make_app() -> LamtuiApp:
    backend = ScriptedBackend([])
    # Memory off: it would open in the background after the model, so what the status bar
    # says (loading or on) would depend on timing.
    settings = Settings(memory=MemorySettings(enabled=False))
    return LamtuiApp(WORKSPACE, settings, backend_factory=lambda: backend, live_stats=False)


async def _loaded(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, LamtuiApp)
    while app.backend is None:
        await pilot.pause(0.01)
    await pilot.pause()


def test_main_screen(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_loaded)


def test_gate_with_a_diff(snap_compare: Any) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await _loaded(pilot)
        app = pilot.app
        assert isinstance(app, LamtuiApp)
        app.apply_events(events_until_gate())
        # The path the approver takes: a message; the app pushes the gate itself.
        proposal = Proposal(TASK, 2, "fix the typo", EDIT, EDIT_ASSESSMENT, DIFF)
        app.post_message(GateRequested(proposal, Reply(CLOSED)))
        while not isinstance(app.screen, GateScreen):
            await pilot.pause(0.01)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=before)


def test_finished_task(snap_compare: Any) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await _loaded(pilot)
        app = pilot.app
        assert isinstance(app, LamtuiApp)
        app.apply_events(events_finished())
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=before)
