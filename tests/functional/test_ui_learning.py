""" "Learn from my approvals" in the app (issue 15, item 5), driven by Pilot with a real
child process: the palette's counts come from a real scripted session's trajectory file;
the training child is a small fake trainer (TRAIN_ARGV is the one thing replaced) that
prints the real trainers' progress lines and writes an adapter and its manifest."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList
from textual.content import Content
from textual.pilot import Pilot

import lamtui.ui.app as app_module
import lamtui.ui.learn_child as learn_child
from lamtui.lam.adapters import entry_adapter, manifest_path, read_defaults, shipped_adapter_dir
from lamtui.lam.catalog import get_entry
from lamtui.ui.app import LamtuiApp
from lamtui.ui.commands import palette_entries
from lamtui.ui.learn_child import TrainingChild
from lamtui.ui.learning import NOTHING_NEW_NOTICE
from lamtui.ui.screens.confirm import ConfirmScreen
from tests.functional.agent_helpers import (
    finish,
    plan,
    rejection_and_edit_session,
    shell,
)
from tests.functional.test_ui import drive, finished, make_app, request, until

ENTRY = "gemma3-270m-lam"

FAKE_TRAINER = r"""
import json, signal, sys, time
from pathlib import Path

signal.signal(signal.SIGINT, signal.default_int_handler)  # as lamtui train does

out, manifest_file, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
say = lambda text: print(text, file=sys.stderr, flush=True)
(out / "started").write_text(str(sys.stdin.read()))  # stdin is /dev/null: ""
say("1 new approved trajectories and 2 new preference pairs since the last training")
try:
    if mode == "fail":
        say("lamtui: the training stack is missing: pip install 'lamtui[train]'")
        sys.exit(2)
    steps, pause = (4, 0.4) if mode != "slow" else (10_000, 0.05)
    for i in range(1, steps + 1):
        if mode == "dpo":
            say(f"dpo step {i}/{steps} loss {0.7 / i:.3f} margin {0.1 * i:.3f}")
        else:
            filled = 24 * i // steps
            say(f"[{'#' * filled}{'.' * (24 - filled)}] step {i}/{steps} loss {1.5 / i:.3f} "
                f"250 tok/s ETA {0.1 * (steps - i):.1f} min")
        time.sleep(pause)
except KeyboardInterrupt:  # what the real trainer does: save, say so, exit 3
    (out / "checkpoint").write_text("saved")
    say("interrupted: checkpoint saved at step 1; --resume goes on from it")
    sys.exit(3)
adapter = out / "lamtui-user.gguf"
adapter.write_bytes(b"GGUF")
manifest = {"name": "lamtui-user", "base": {"file": "base.gguf", "sha256": "0" * 64},
            "method": mode, "method_reason": "a test's choice"}
if len(sys.argv) > 4:  # a real adapter to hand back (the shipped one, renamed)
    adapter.write_bytes(Path(sys.argv[4]).read_bytes())
    shipped = json.loads(Path(sys.argv[4] + ".json").read_text())
    manifest = {**shipped, **manifest, "base": shipped["base"]}  # its base: the bundled one
if mode == "dpo":
    manifest["preference"] = {"before": {"accuracy": 0.5, "gap": -0.12},
                              "after": {"accuracy": 1.0, "gap": 0.34}}
else:
    manifest.update(val_loss=0.8, val_losses=[[0, 1.2], [4, 0.8]])
manifest_file.write_text(json.dumps(manifest))
print("method: " + mode + " (a test's choice)")
print(f"adapter: {adapter} (beside the current default, which is unchanged)")
"""


async def _confirm_body(app: LamtuiApp, pilot: Pilot[Any]) -> str:
    """The confirm screen's text, once it is pushed *and* composed (a screen can be the
    current one a frame before its widgets are mounted)."""
    await until(
        pilot,
        lambda: isinstance(app.screen, ConfirmScreen) and bool(app.screen.query("#confirm-body")),
    )
    return str(app.screen.query_one("#confirm-body").render())


def _fake(
    monkeypatch: pytest.MonkeyPatch, out: Path, mode: str, real_adapter: Path | None = None
) -> Path:
    script = out / "fake_trainer.py"
    out.mkdir(parents=True, exist_ok=True)
    script.write_text(FAKE_TRAINER)
    adapter = out / "lamtui-user.gguf"
    argv = [sys.executable, str(script), str(out), str(manifest_path(adapter)), mode]
    argv += [str(real_adapter)] if real_adapter is not None else []
    monkeypatch.setattr(learn_child, "TRAIN_ARGV", argv)
    return adapter


def _capture(app: LamtuiApp, notes: list[str]) -> None:
    original = app.notify

    def capture(message: str, **kw: Any) -> None:
        notes.append(message)
        original(message, **kw)

    app.notify = capture  # type: ignore[method-assign]


def _drawn(app: LamtuiApp, lines: list[str]) -> list[str]:
    """Every progress line the learn panel draws (polling could miss one on a busy machine)."""
    panel = app.learn_panel
    show = panel.show_progress

    def record(progress: learn_child.Progress) -> None:
        show(progress)
        lines.append(panel.text)

    panel.show_progress = record  # type: ignore[method-assign]
    return lines


async def _counted(app: LamtuiApp, pilot: Pilot[Any]) -> str:
    app.learn_summary()
    await until(pilot, lambda: "since the last training" in app.learn_summary())
    return app.learn_summary()


def test_counts_progress_and_no_keeps_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    rejection_and_edit_session(workspace)
    adapter = _fake(monkeypatch, tmp_path / "out", "sft")
    defaults = read_defaults()
    app, _ = make_app(workspace)
    notes: list[str] = []
    drawn: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        _capture(app, notes)
        _drawn(app, drawn)
        counts = await _counted(app, pilot)
        assert counts.startswith("1 new approved trajectories and 2 rejections")
        entry = next(e for e in palette_entries(app, counts) if e[0] == "Learn from my approvals")
        assert entry[1] == counts
        # The real palette shows it as the entry's help, and enter starts the training.
        await pilot.press("ctrl+p")
        await pilot.pause(0.1)
        await pilot.press(*"Learn from")
        commands = app.screen.query_one(CommandList)

        def first() -> str:
            prompt = commands.get_option_at_index(0).prompt if commands.option_count else ""
            return prompt.plain if isinstance(prompt, Content) else str(prompt)

        await until(pilot, lambda: first().startswith("Learn from my approvals"))
        assert first() == f"Learn from my approvals\n{counts}"
        await pilot.press("enter")
        await until(pilot, lambda: app.learning)
        app.learn_from_approvals()  # a second start while it runs: a notice
        assert any("already running" in n for n in notes)
        # Typing stays possible while it trains (the UI thread only draws a line).
        app.prompt.focus()
        await pilot.press("h", "i")
        assert app.prompt.value == "hi"
        await until(pilot, lambda: any("step 2/4" in line for line in drawn))
        body = await _confirm_body(app, pilot)
        assert "validation loss 1.2000 -> 0.8000" in body and "lamtui-user" in body
        assert not app.learn_panel.display  # the progress line is gone
        await pilot.press("n")
        await until(pilot, lambda: any("default model is unchanged" in n for n in notes))

    drive(app, scenario)
    second = next(line for line in drawn if "step 2/4" in line)
    assert "250 tok/s" in second and "loss 0.750" in second and "ETA 0.2 min" in second
    assert (tmp_path / "out" / "started").read_text() == ""  # stdin was /dev/null
    assert adapter.is_file()
    assert read_defaults() == defaults  # "no": the default is unchanged


def test_dpo_figures_and_a_failed_yes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    rejection_and_edit_session(workspace)
    _fake(monkeypatch, tmp_path / "out", "dpo")
    app, _ = make_app(workspace)
    notes: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        _capture(app, notes)
        drawn = _drawn(app, [])
        await _counted(app, pilot)
        app.learn_from_approvals()
        await until(pilot, lambda: any("step 3/4" in line for line in drawn))
        third = next(line for line in drawn if "step 3/4" in line)
        assert "(DPO)" in third and "ETA" in third  # estimated from the steps so far
        body = await _confirm_body(app, pilot)
        assert "preference accuracy 0.500 -> 1.000, gap -0.120 -> 0.340" in body
        await pilot.press("y")  # its base is no catalog model's: refused, with the reason
        await until(pilot, lambda: any("was not switched" in n for n in notes))

    drive(app, scenario)
    assert read_defaults() == {}


@pytest.mark.real_model
def test_yes_makes_it_the_default_and_the_app_loads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "yes" runs `lamtui models use` on the new adapter (here a copy of the shipped one,
    a real adapter on the bundled base), and the app loads the catalog model that now
    means it, with llama.cpp."""
    rejection_and_edit_session(tmp_path)
    shipped = shipped_adapter_dir() / "lamtui-gemma3-270m-lam.gguf"
    adapter = _fake(monkeypatch, tmp_path / "out", "sft", shipped)
    app, backend = make_app(tmp_path)
    assert app.settings is not None and app.settings.model.name == ENTRY
    notes: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        _capture(app, notes)
        await until(pilot, lambda: app.backend is backend)
        app.learn_from_approvals()
        await _confirm_body(app, pilot)
        await pilot.press("y")
        await until(pilot, lambda: any("now uses lamtui-user" in n for n in notes))
        await until(pilot, lambda: app.backend is not backend and app.load_state == "ready", 120)

    try:
        drive(app, scenario)
    finally:
        app.close_backend()
    assert read_defaults()[ENTRY]["adapter"] == str(adapter.resolve())
    assert entry_adapter(get_entry(ENTRY)) == adapter.resolve()


def test_a_failed_child_is_one_error_with_its_last_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rejection_and_edit_session(tmp_path)
    _fake(monkeypatch, tmp_path / "out", "fail")
    app, _ = make_app(tmp_path)
    notes: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        _capture(app, notes)
        app.learn_from_approvals()
        await until(pilot, lambda: any("training failed" in n for n in notes))
        await pilot.pause(0.2)

    drive(app, scenario)
    failed = [n for n in notes if "training failed" in n]
    assert len(failed) == 1
    assert failed[0].endswith("lamtui: the training stack is missing: pip install 'lamtui[train]'")


def test_a_task_that_ends_updates_the_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "LEARN_COUNT_DELAY", 600.0)  # no count but these two
    app, _ = make_app(tmp_path, [plan("look"), shell("ls"), finish("listed")], policy_mode="auto")

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        assert (await _counted(app, pilot)).startswith("0 new approved trajectories")
        await request(app, pilot, "list the folder")
        assert await finished(app, pilot) == "finished"
        # Counted again when the task ended, before the palette asks.
        await until(pilot, lambda: app._learn_counts.startswith("1 new approved trajectories"))

    drive(app, scenario)


def test_nothing_new_is_a_notice_and_no_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(monkeypatch, tmp_path / "out", "sft")
    app, _ = make_app(tmp_path)
    notes: list[str] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        _capture(app, notes)
        assert (await _counted(app, pilot)).startswith("0 new approved trajectories and 0")
        app.learn_from_approvals()
        await until(pilot, lambda: any(NOTHING_NEW_NOTICE in n for n in notes))
        await pilot.pause(0.3)
        assert not app.learning

    drive(app, scenario)
    assert not (tmp_path / "out" / "started").exists()  # no child was started
    assert sum(NOTHING_NEW_NOTICE in n for n in notes) == 1


def test_quitting_interrupts_the_child_which_saves_its_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rejection_and_edit_session(tmp_path)
    _fake(monkeypatch, tmp_path / "out", "slow")
    app, _ = make_app(tmp_path)
    pids: list[int] = []
    children: list[TrainingChild] = []

    async def scenario(app: LamtuiApp, pilot: Pilot[Any]) -> None:
        app.learn_from_approvals()
        await until(pilot, lambda: "/10000  loss" in app.learn_panel.text)
        assert app._learn_child is not None
        pids.append(app._learn_child.proc.pid)
        children.append(app._learn_child)
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pids[0]) == min(19, ours + 10)  # below the UI
        await pilot.press("ctrl+q")

    drive(app, scenario)
    child = children[0] if children else None
    assert (tmp_path / "out" / "checkpoint").read_text() == "saved"
    assert child is not None and child.proc.returncode == 3  # it stopped itself: not killed
    assert not Path(f"/proc/{pids[0]}").exists() or _zombie(pids[0])


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_the_product_command_is_the_real_trainer() -> None:
    argv = learn_child.TRAIN_ARGV
    assert argv[1:] == ["-m", "lamtui.cli", "train", "--from-trajectories"]
    assert json.dumps(argv)  # plain strings: no test double


def test_the_real_trainer_as_a_child_with_nothing_new(tmp_path: Path) -> None:
    """The product's own command, as the app starts it: with no trajectories it says so
    and exits 0, which the app reads as "nothing new"."""
    lines: list[str] = []
    results: list[learn_child.ChildResult] = []
    child = learn_child.TrainingChild(lambda text, _: lines.append(text), results.append, tmp_path)
    child.thread.join(timeout=120)
    assert results and results[0].code == 0, lines
    assert results[0].nothing_new and results[0].adapter is None and not results[0].stopped
    assert any(line.startswith("0 new approved trajectories") for line in lines)
