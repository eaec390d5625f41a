"""The real TUI (`python -m lamtui.ui`, what `lamtui` runs) in a tmux terminal with the
bundled model: it becomes interactive, plans, opens the gate, takes a rejection, and quits
with exit code 0. tmux runs on a private socket so no user session is touched."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lamtui.lam.base import Backend
from lamtui.record.audit import read_audit

pytestmark = [
    pytest.mark.real_model,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Tmux:
    def __init__(self, name: str) -> None:
        self.socket = name
        self.session = name

    def __call__(self, *args: str) -> str:
        proc = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        return proc.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self("send-keys", "-t", self.session, *keys)

    def wait_for(self, check: Callable[[str], bool], timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}:\n{screen}")


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    t = Tmux(f"lamtui-e2e-{os.getpid()}")
    yield t
    t("kill-server")
    tmpdir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
    (tmpdir / t.socket).unlink(missing_ok=True)  # kill-server may leave the socket file


def test_tui_plans_gates_rejects_and_quits_cleanly(
    real_backend: Backend, real_home: Path, tmp_path: Path, tmux: Tmux
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "notes.txt").write_text("hello\n")
    exit_file = tmp_path / "exit-code"
    q = shlex.quote
    # Textual draws on stderr, so nothing is redirected; the pane stays open after lamtui
    # exits so that what it printed last (a traceback, if any) can be read.
    command = (
        f"cd {q(str(workspace))} && LAMTUI_HOME={q(str(real_home))} "
        f"{q(sys.executable)} -m lamtui.ui; code=$?; echo $code > {q(str(exit_file))}; "
        "echo lamtui exited with $code; sleep 60"
    )
    tmux("new-session", "-d", "-s", tmux.session, "-x", "100", "-y", "30", command)

    tmux.wait_for(lambda s: "What should I do?" in s, 30, "the input box")
    tmux.wait_for(lambda s: " ready (" in s, 120, "the model to load")  # the activity line
    tmux.keys("list the files here", "Enter")
    screen = tmux.wait_for(lambda s: "Approve step" in s, 180, "the plan and the gate")
    assert "no task yet" not in screen  # the plan tree shows the plan
    assert "y approve" in screen and "n reject" in screen

    tmux.keys("n")
    tmux.wait_for(lambda s: "reason (optional" in s, 10, "the reason box")
    tmux.keys("Enter")  # reject without a reason
    tmux.wait_for(lambda s: "rejected by user" in s, 30, "the rejection in the action log")

    tmux.keys("C-q")
    deadline = time.monotonic() + 30
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.exists(), f"lamtui did not exit:\n{tmux.screen()}"
    after = tmux.wait_for(lambda s: "lamtui exited with" in s, 10, "the shell after lamtui")
    assert exit_file.read_text().strip() == "0", after
    assert "Traceback" not in after and "Error" not in after

    decisions = [
        r["decision"]
        for r in read_audit(real_home / "data" / "audit.jsonl")
        if r["kind"] == "decision" and r["decision"]["by"] in ("user", "approver:tui")
    ]
    assert decisions and decisions[0]["kind"] == "reject"
    assert sorted(p.name for p in workspace.iterdir()) == ["notes.txt"]  # nothing ran
