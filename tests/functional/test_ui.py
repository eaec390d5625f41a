"""The Textual app driven by Pilot, with a scripted model: plan tree, the gate (approve,
reject with reason, edit, always allow, quit), cancelling, questions, load failures,
history, past tasks, bounded output and palette commands."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from rich.syntax import Syntax
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Log, Static, TextArea

from lamtui.config import load_settings
from lamtui.errors import ModelError
from lamtui.lam.scripted import ScriptedBackend
from lamtui.record.audit import read_audit
from lamtui.safety.rules import load_saved_rules
from lamtui.ui.app import LamtuiApp
from lamtui.ui.commands import palette_entries
from lamtui.ui.screens.gate import GateScreen
from lamtui.ui.screens.output import OutputScreen
from lamtui.ui.screens.tasks import TasksScreen
from lamtui.ui.widgets.plan_tree import PlanView
from tests.functional.agent_helpers import act, finish, plan, shell

Scenario = Callable[[LamtuiApp, Pilot[Any]], Awaitable[None]]


def make_app(
    workspace: Path, replies: list[str] | None = None, token_delay: float = 0.0, **kw: Any
) -> tuple[LamtuiApp, ScriptedBackend]:
    backend = ScriptedBackend(list(replies or []), token_delay=token_delay)
    app = LamtuiApp(
        workspace,
        load_settings(cwd=workspace),
        backend_factory=lambda: backend,
        live_stats=False,
        **kw,
    )
    return app, backend


def drive(app: LamtuiApp, scenario: Scenario, size: tuple[int, int] = (100, 30)) -> None:
    """Run the scenario, then wait for the app's threads (asyncio.run joins the executor)."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await scenario(app, pilot)

    asyncio.run(main())


async def until(pilot: Pilot[Any], check: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        await pilot.pause(0.02)


async def request(app: LamtuiApp, pilot: Pilot[Any], text: str) -> None:
    await until(pilot, lambda: app.backend is not None or app.load_state == "failed")
    await pilot.click("#prompt")
    app.prompt.value = text
    await pilot.press("enter")


async def gate(app: LamtuiApp, pilot: Pilot[Any]) -> GateScreen:
    await until(pilot, lambda: isinstance(app.screen, GateScreen))
    screen = app.screen
    assert isinstance(screen, GateScreen)
    return screen


async def edited_gate(app: LamtuiApp, pilot: Pilot[Any]) -> GateScreen:
    """The gate opened again for the user's own edit (ask mode runs nothing unasked)."""
    await until(pilot, lambda: isinstance(app.screen, GateScreen) and app.screen.proposal.edited)
    screen = app.screen
    assert isinstance(screen, GateScreen)
    return screen


async def finished(app: LamtuiApp, pilot: Pilot[Any], count: int = 1) -> str:
    await until(pilot, lambda: len(app.tasks) >= count and not app._task_running)
    return list(app.tasks.values())[count - 1].outcome


def log_text(app: LamtuiApp) -> str:
    return "\n".join(strip.text for strip in app.action_log.lines)


def tree_text(view: PlanView) -> str:
    return view.plain()


def static_text(widget: Static) -> str:
    content = widget.content
    if isinstance(content, Syntax):
        return content.code
    if isinstance(content, Text):
        return content.plain
    return str(content)


# -- plan tree ---------------------------------------------------------------------


def test_plan_appears_and_updates_with_revisions(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    replies = [
        plan("list the files", "count them", goal="survey the folder"),
        act("list_dir", path="."),
        shell(
            "wc -l a.txt",
            plan_update=["count lines with wc", "report"],
            thought="wc is simpler than counting by hand",
        ),
        finish("listed"),
    ]
    app, _ = make_app(tmp_path, replies)
    seen: dict[str, str] = {}

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "survey the folder")
        first = await gate(app, pilot)
        seen["first"] = tree_text(app.plan_view)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, GateScreen) and app.screen is not first)
        seen["second"] = tree_text(app.plan_view)
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"
        seen["after"] = tree_text(app.plan_view)
        seen["log"] = log_text(app)

    drive(app, scenario)
    first = seen["first"]
    assert "survey the folder" in first
    assert "○ list the files" in first and "○ count them" in first
    assert "Revisions" not in first
    second = seen["second"]
    assert "✓ list the files #1" in second  # done, with its action number
    assert "~ count them" in second  # revised away, still visible
    assert "Revisions" in second and "#1: wc is simpler than counting by hand" in second
    assert "- count them" in second and "+ count lines with wc" in second
    assert "✓ count lines with wc" in seen["after"]
    assert "plan revised: wc is simpler" in seen["log"]


# -- the gate ----------------------------------------------------------------------


def test_approve_runs_the_command(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("create it"), shell("touch made.txt"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "create made.txt")
        screen = await gate(app, pilot)
        assert "touch made.txt" in static_text(screen.query_one("#gate-preview Static", Static))
        assert "workspace_write" in static_text(screen.query_one("#gate-risk", Static))
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"
        assert "✓ approved by user" in log_text(app)
        assert "→ ok, exit 0" in log_text(app)

    drive(app, scenario)
    assert (tmp_path / "made.txt").exists()


def test_reject_with_reason_reaches_the_model(tmp_path: Path) -> None:
    replies = [plan("clean up"), shell("rm -rf build"), finish("gave up", status="fail")]
    app, backend = make_app(tmp_path, replies)
    (tmp_path / "build").mkdir()

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "clean up")
        screen = await gate(app, pilot)
        await pilot.press("n")
        assert screen.query_one("#gate-reason", Input).has_focus
        await pilot.press(*"keep build")  # typed into the reason box, not read as y/n/e/a
        await pilot.press("enter")
        await finished(app, pilot)
        assert "rejected by user: keep build" in log_text(app)

    drive(app, scenario)
    assert (tmp_path / "build").is_dir()
    assert "The user rejected this action: keep build" in backend.requests[-1].messages[-1].content


def test_edit_then_approve_runs_the_edited_command(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("create it"), shell("touch wrong.txt"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "create a file")
        screen = await gate(app, pilot)
        await pilot.press("e")
        field = screen.query_one("#gate-edit-command", Input)
        assert field.has_focus and field.value == "touch wrong.txt"
        field.value = ""
        await pilot.press(*"touch right.txt", "enter")
        again = await edited_gate(app, pilot)
        assert "workspace_write" in static_text(again.query_one("#gate-risk", Static))
        assert "touch right.txt" in static_text(again.query_one("#gate-preview Static", Static))
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"
        assert "runs instead: $ touch right.txt" in log_text(app)

    drive(app, scenario)
    assert (tmp_path / "right.txt").exists()
    assert not (tmp_path / "wrong.txt").exists()


def test_invalid_edit_is_refused_in_place(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("create it"), shell("touch x.txt"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "create a file")
        screen = await gate(app, pilot)
        await pilot.press("e")
        screen.query_one("#gate-edit-command", Input).value = ""
        await pilot.press("enter")  # an empty command is not a valid action
        error = screen.query_one("#gate-error", Static)
        assert error.display and "not valid" in static_text(error)
        assert app.screen is screen
        await pilot.press("escape")  # back to the choice, then approve the original
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"

    drive(app, scenario)
    assert (tmp_path / "x.txt").exists()


def test_always_allow_shows_and_writes_the_rule(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("look"), shell("ls -la"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "look around")
        screen = await gate(app, pilot)
        assert "allow 'ls'" in static_text(screen.query_one("#gate-rule", Static))
        assert load_saved_rules() == []
        await pilot.press("a")
        assert await finished(app, pilot) == "finished"
        assert "saved rule allow 'ls'" in log_text(app)

    drive(app, scenario)
    assert [(r.kind, r.pattern) for r in load_saved_rules()] == [("allow", "ls")]


def test_file_write_gate_shows_the_diff(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("old line\n")
    replies = [
        plan("update notes"),
        act("edit_file", path="notes.txt", search="old line", replace="new line"),
        finish(),
    ]
    app, _ = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "update the notes")
        screen = await gate(app, pilot)
        diff = static_text(screen.query_one("#gate-preview Static", Static))
        assert "-old line" in diff and "+new line" in diff
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"

    drive(app, scenario)
    assert (tmp_path / "notes.txt").read_text() == "new line\n"


def test_quitting_with_the_gate_open_rejects(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("create it"), shell("touch never.txt"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "create a file")
        await gate(app, pilot)
        await pilot.press("ctrl+q")

    drive(app, scenario)  # returns only once the worker thread has ended
    assert not (tmp_path / "never.txt").exists()
    decisions = [r for r in read_audit() if r["kind"] == "decision"]
    assert [d["decision"]["kind"] for d in decisions] == ["reject"]
    assert decisions[0]["decision"]["by"] == "approver:tui"
    finished_records = [r for r in read_audit() if r["kind"] == "task_finished"]
    assert finished_records and finished_records[0]["outcome"] == "aborted"


def test_escape_in_the_gate_rejects(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, [plan("do"), shell("touch no.txt"), finish("ok")])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "do it")
        await gate(app, pilot)
        await pilot.press("escape")
        await finished(app, pilot)

    drive(app, scenario)
    assert not (tmp_path / "no.txt").exists()
    assert "The user rejected this action" in backend.requests[-1].messages[-1].content


# -- cancelling ------------------------------------------------------------------


def test_ctrl_c_cancels_generation(tmp_path: Path) -> None:
    slow_plan = plan("one", goal="a goal long enough to stream for a while " * 8)
    app, _ = make_app(tmp_path, [slow_plan, finish()], token_delay=0.05)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "plan slowly")
        await until(pilot, lambda: app.activity.tail)  # tokens are streaming
        started = time.monotonic()
        await pilot.press("ctrl+c")
        assert await finished(app, pilot) == "aborted"
        assert time.monotonic() - started < 2.0
        assert "■ aborted: cancelled by the user" in log_text(app)
        assert app.is_running  # one ctrl+c cancels; it does not quit

    drive(app, scenario)


def _sleepers(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_ctrl_c_kills_the_running_command(tmp_path: Path) -> None:
    marker = "sleep 37.4821"
    app, _ = make_app(tmp_path, [plan("wait"), shell(marker), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "wait a while")
        await gate(app, pilot)
        await pilot.press("y")
        await until(pilot, lambda: _sleepers(marker))
        await pilot.press("ctrl+c")
        assert await finished(app, pilot) == "aborted"
        assert "cancelled" in log_text(app)

    drive(app, scenario)
    deadline = time.monotonic() + 5
    while _sleepers(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _sleepers(marker) == []


def test_second_ctrl_c_quits(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.backend is not None)
        await pilot.press("ctrl+c")  # nothing runs: quit
        await until(pilot, lambda: not app.is_running)

    drive(app, scenario)


# -- questions, load failures, history -----------------------------------------------


def test_ask_user_is_answered_in_the_input_box(tmp_path: Path) -> None:
    replies = [
        plan("ask which file"),
        act("ask_user", status="ask_user", question="Which file should I read?"),
        finish(),
    ]
    app, backend = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "read a file")
        await until(pilot, lambda: app.prompt.question)
        assert app.prompt.has_focus
        assert app.prompt.placeholder == "Which file should I read?"
        await pilot.press(*"notes.txt", "enter")
        assert await finished(app, pilot) == "finished"
        assert not app.prompt.question
        assert "answer: notes.txt" in log_text(app)

    drive(app, scenario)
    assert "The user answered: notes.txt" in backend.requests[-1].messages[-1].content
    assert len(app.tasks) == 1  # the answer did not start a new task


def test_model_load_failure_is_a_clear_message(tmp_path: Path) -> None:
    def broken() -> ScriptedBackend:
        raise ModelError("unknown model 'nonesuch' (see `lamtui models list`)")

    app = LamtuiApp(tmp_path, load_settings(cwd=tmp_path), backend_factory=broken, live_stats=False)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.load_state == "failed")
        assert "model not loaded: unknown model 'nonesuch'" in log_text(app)
        assert "model not loaded" in static_text(app.activity)
        assert app.status.info.load_state == "failed"
        await request(app, pilot, "do something")
        assert log_text(app).count("model not loaded: unknown model 'nonesuch'") == 2
        assert "Traceback" not in log_text(app)
        assert app.tasks == {}
        await pilot.press(*"still typing")
        assert app.prompt.value == "still typing"  # the app stays usable

    drive(app, scenario)


def test_request_typed_while_loading_starts_when_ready(tmp_path: Path) -> None:
    backend = ScriptedBackend([plan("x"), finish("done early")])

    def slow() -> ScriptedBackend:
        time.sleep(0.5)
        return backend

    app = LamtuiApp(tmp_path, load_settings(cwd=tmp_path), backend_factory=slow, live_stats=False)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await pilot.pause(0.05)
        assert app.backend is None and app.prompt.has_focus  # interactive before the model
        app.prompt.value = "quick one"
        await pilot.press("enter")
        assert await finished(app, pilot) == "finished"

    drive(app, scenario)


def test_input_history_with_up_and_down(tmp_path: Path) -> None:
    app = LamtuiApp(
        tmp_path,
        load_settings(cwd=tmp_path),
        backend_factory=lambda: (_ for _ in ()).throw(ModelError("no model")),
        live_stats=False,
    )

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.load_state == "failed")
        for text in ("one", "two"):
            await pilot.press(*text, "enter")
        await pilot.press(*"dr")
        await pilot.press("up")
        assert app.prompt.value == "two"
        await pilot.press("up", "up")
        assert app.prompt.value == "one"
        await pilot.press("down")
        assert app.prompt.value == "two"
        await pilot.press("down")
        assert app.prompt.value == "dr"

    drive(app, scenario)


# -- past tasks, output, palette ---------------------------------------------------


def test_past_task_can_be_reopened(tmp_path: Path) -> None:
    replies = [plan("first"), shell("echo one-output"), finish("first done")]
    replies += [plan("second"), finish("second done")]
    app, _ = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "the first task")
        await gate(app, pilot)
        await pilot.press("y")
        await finished(app, pilot, 1)
        await request(app, pilot, "the second task")
        await finished(app, pilot, 2)
        assert "one-output" not in log_text(app)
        first = next(iter(app.tasks))
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, TasksScreen))
        await pilot.press("down", "enter")  # newest first: the second row is the first task
        await until(pilot, lambda: app.viewed == first)
        text = log_text(app)
        assert "the first task" in text and "│ one-output" in text
        assert "first" in tree_text(app.plan_view)
        assert "(past task)" in str(app.action_log.border_title)

    drive(app, scenario)


def test_long_output_is_bounded_and_full_output_opens(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("count"), shell("seq 1 20000"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "count to 20000")
        await gate(app, pilot)
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"
        text = log_text(app)
        assert "│ 1\n" in text and "│ 200\n" in text and "│ 201\n" not in text
        assert "│ 20000" in text  # the tail
        assert "lines not shown (ctrl+o: full output)" in text
        assert len(app.action_log.lines) < 400
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, OutputScreen))
        log = app.screen.query_one(Log)
        await until(pilot, lambda: log.line_count >= 20000)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, OutputScreen))

    drive(app, scenario)


async def palette(pilot: Pilot[Any], app: LamtuiApp, text: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause(0.1)
    await pilot.press(*text)
    await pilot.pause(0.3)  # the palette searches asynchronously
    await pilot.press("enter")
    await pilot.pause(0.1)


async def run_entry(pilot: Pilot[Any], app: LamtuiApp, title: str) -> None:
    """Run a palette entry's callback directly (typing into the palette is slow)."""
    entry = next(e for e in palette_entries(app) if e[0].startswith(title))
    entry[2]()
    await pilot.pause(0.05)


def test_palette_changes_the_policy_mode(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("look"), shell("ls"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.backend is not None)
        await palette(pilot, app, "readonly")
        assert app.policy_mode == "readonly"
        assert app.status.info.policy == "readonly"
        await request(app, pilot, "look")  # ls is read-only: no gate in readonly mode
        assert await finished(app, pilot) == "finished"
        assert "approved by policy:readonly" in log_text(app)

    drive(app, scenario)


def test_palette_undo_export_and_memory(tmp_path: Path, lamtui_home: Path) -> None:
    app, _ = make_app(tmp_path, [plan("create"), shell("touch undo-me.txt"), finish()])
    notes: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        original = app.notify

        def capture(message: str, **kw: Any) -> None:
            notes.append(message)
            original(message, **kw)

        app.notify = capture  # type: ignore[method-assign]
        await request(app, pilot, "make a file")
        await gate(app, pilot)
        await pilot.press("y")
        await finished(app, pilot)
        assert (tmp_path / "undo-me.txt").exists()
        await run_entry(pilot, app, "Undo last task")
        await until(pilot, lambda: any(n.startswith("undo:") for n in notes))
        await run_entry(pilot, app, "Export trajectories")
        await until(pilot, lambda: any(n.startswith("exported") for n in notes))
        await run_entry(pilot, app, "Show memory items")
        await run_entry(pilot, app, "Forget memory items")
        await run_entry(pilot, app, "Show audit log")
        await until(pilot, lambda: app.screen.__class__.__name__ == "AuditScreen")
        table = app.screen.query_one("#audit-table")
        await until(pilot, lambda: table.row_count > 0)  # type: ignore[attr-defined]
        await pilot.press("escape")

    drive(app, scenario)
    assert not (tmp_path / "undo-me.txt").exists()
    assert any("undo: deleted 1" in n for n in notes)
    # Memory is off in tests: both entries say so and name the command that forgets.
    memory_notes = [n for n in notes if "memory is off or unavailable" in n]
    assert len(memory_notes) == 2 and all("lamtui memory forget" in n for n in memory_notes)
    export = next(n for n in notes if n.startswith("exported"))
    path = Path(export.split(" to ", 1)[1])
    assert path.is_relative_to(lamtui_home) and path.exists()
    count = int(export.split()[1])
    assert count > 0 and len(path.read_text().splitlines()) == count


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_layout_fits_small_and_large_terminals(tmp_path: Path, size: tuple[int, int]) -> None:
    app, _ = make_app(tmp_path, [plan("x"), shell("echo hi"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "say hi")
        screen = await gate(app, pilot)
        dialog = screen.query_one("#gate-dialog")
        assert dialog.region.height <= size[1] and dialog.region.width <= size[0]
        keys = screen.query_one("#gate-keys", Static)
        assert keys.region.height >= 1  # the key hints are on screen, not cut off
        await pilot.press("y")
        await finished(app, pilot)
        for widget in (app.plan_view, app.action_log, app.prompt, app.status):
            assert widget.region.width > 0 and widget.region.height > 0

    drive(app, scenario, size=size)


def test_ctrl_c_with_the_gate_open_cancels_and_closes_it(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [plan("create it"), shell("touch never.txt"), finish()])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "create a file")
        await gate(app, pilot)
        await pilot.press("ctrl+c")
        assert await finished(app, pilot) == "aborted"
        assert not isinstance(app.screen, GateScreen)
        assert "rejected by approver:tui: the task was cancelled" in log_text(app)
        assert app.is_running

    drive(app, scenario)
    assert not (tmp_path / "never.txt").exists()


def test_edit_file_content_in_the_gate(tmp_path: Path) -> None:
    replies = [plan("write"), act("write_file", path="out.txt", content="draft\n"), finish()]
    app, _ = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "write a file")
        screen = await gate(app, pilot)
        assert "+draft" in static_text(screen.query_one("#gate-preview Static", Static))
        await pilot.press("e")
        area = screen.query_one("#gate-edit-content", TextArea)
        assert area.has_focus and area.text == "draft\n"
        area.text = "final text\n"
        await pilot.press("ctrl+s")
        again = await edited_gate(app, pilot)
        assert "+final text" in static_text(again.query_one("#gate-preview Static", Static))
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"

    drive(app, scenario)
    assert (tmp_path / "out.txt").read_text() == "final text\n"


def test_edit_file_every_argument_in_the_gate(tmp_path: Path) -> None:
    (tmp_path / "a.ini").write_text("port = 80\n")
    (tmp_path / "b.ini").write_text("host = old\n")
    replies = [
        plan("edit"),
        act("edit_file", path="a.ini", search="port = 80", replace="port = 8080"),
        finish(),
    ]
    app, _ = make_app(tmp_path, replies)

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "change the config")
        screen = await gate(app, pilot)
        await pilot.press("e")
        path = screen.query_one("#gate-edit-path", Input)
        search = screen.query_one("#gate-edit-search", TextArea)
        replace = screen.query_one("#gate-edit-replace", TextArea)
        assert replace.has_focus  # the text most often changed
        assert (path.value, search.text, replace.text) == ("a.ini", "port = 80", "port = 8080")
        path.value, search.text, replace.text = "b.ini", "host = old", "host = new"
        await pilot.press("ctrl+s")
        again = await edited_gate(app, pilot)  # shown as the edit it is: b.ini, its diff
        assert "edit b.ini" in static_text(again.query_one("#gate-action", Static))
        diff = static_text(again.query_one("#gate-preview Static", Static))
        assert "-host = old" in diff and "+host = new" in diff
        await pilot.press("y")
        assert await finished(app, pilot) == "finished"
        assert "edited: edit b.ini" in log_text(app)

    drive(app, scenario)
    assert (tmp_path / "b.ini").read_text() == "host = new\n"
    assert (tmp_path / "a.ini").read_text() == "port = 80\n"


def test_switch_model_loads_in_the_background(tmp_path: Path) -> None:
    other = tmp_path / "other-model.json"
    other.write_text(json.dumps([plan("x"), finish("done by the other model")]))
    app, first = make_app(tmp_path, [])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app.backend is first)
        await run_entry(pilot, app, "Policy mode: workspace")  # entries exist for each mode
        app.switch_model(f"scripted:{other}")  # what the palette's model entries call
        await until(pilot, lambda: app.backend is not first and app.load_state == "ready")
        assert app.status.info.model == "scripted:other-model.json"
        await request(app, pilot, "anything")
        assert await finished(app, pilot) == "finished"
        assert "done by the other model" in log_text(app)

    drive(app, scenario)


def test_palette_lists_catalog_models(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, [])

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        titles = [title for title, _, _ in palette_entries(app)]
        assert "Switch model: gemma3-270m" in titles
        for mode in ("ask", "readonly", "workspace"):
            assert f"Policy mode: {mode}" in titles

    drive(app, scenario)


def test_memory_used_is_shown_in_the_log_and_the_status_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real Chroma store (model-free embedder): the first task is remembered, the
    second, similar one shows what was recalled."""
    from lamtui.config import MemorySettings
    from lamtui.memory import session
    from lamtui.memory.embedding import HashingEmbeddingFunction
    from lamtui.memory.store import MemoryStore

    def open_store(settings: Any, **kw: Any) -> MemoryStore:
        return MemoryStore.open(
            MemorySettings(), None, embedding_function=HashingEmbeddingFunction(), seed=False
        )

    monkeypatch.setenv("LAMTUI_MEMORY_ENABLED", "true")
    monkeypatch.setattr(session, "open_memory", open_store)
    (tmp_path / "notes.txt").write_text("a\nb\n")
    replies = [plan("count"), shell("wc -l notes.txt"), finish("2 lines")]
    app, _ = make_app(tmp_path, replies * 2, policy_mode="readonly")

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        await request(app, pilot, "count the lines of notes.txt")
        assert await finished(app, pilot) == "finished"
        assert "remembered this task" in log_text(app)
        assert app.status.info.memory == "0"
        await request(app, pilot, "count the lines in notes.txt")
        assert await finished(app, pilot, 2) == "finished"
        assert "memory: 1 item(s) recalled" in log_text(app)
        assert "task: count the lines of notes.txt" in log_text(app)
        assert app.status.info.memory == "1"

    drive(app, scenario)
