"""100 kB pasted into the real TUI in tmux without bracketed paste (one key event per
character, as a terminal without paste brackets sends it): the app stays responsive, the
input is cut at the request limit with one notice, and a later key press (enter) starts
the cut request. Before, this kept the app at full CPU for minutes (issue 13). A scripted
model keeps it fast; tmux runs on a private socket so no user session is touched."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lamtui.agent.prompts import MAX_REQUEST_CHARS
from lamtui.record.audit import read_audit
from tests.functional.agent_helpers import finish, plan

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

PASTE_CHARS = 100_000
# Generous: on an idle machine the paste is handled in a few seconds; on a loaded CI
# machine it may take longer. Before the fix it took more than three minutes.
PASTE_TIMEOUT = 120.0


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
    t = Tmux(f"lamtui-paste-{os.getpid()}")
    yield t
    t("kill-server")
    tmpdir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
    (tmpdir / t.socket).unlink(missing_ok=True)


def test_a_100_kb_paste_without_brackets_is_cut_and_the_app_stays_usable(
    tmp_path: Path, lamtui_home: Path, tmux: Tmux
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([plan("look"), finish("nothing to do")]))
    paste = tmp_path / "paste.txt"
    paste.write_text("x" * PASTE_CHARS)  # one line: a newline would press enter
    exit_file = tmp_path / "exit-code"
    q = shlex.quote
    command = (
        f"cd {q(str(workspace))} && LAMTUI_HOME={q(str(lamtui_home))} "
        f"LAMTUI_MEMORY_ENABLED=false {q(sys.executable)} -m lamtui.ui "
        f"--model {q('scripted:' + str(replies))}; code=$?; echo $code > {q(str(exit_file))}; "
        "echo lamtui exited with $code; sleep 60"
    )
    tmux("new-session", "-d", "-s", tmux.session, "-x", "100", "-y", "30", command)
    tmux.wait_for(lambda s: "What should I do?" in s, 30, "the input box")
    tmux.wait_for(lambda s: " ready (" in s, 30, "the scripted model")

    tmux("load-buffer", "-b", "big", str(paste))
    # No -p: tmux sends the text as typed, without bracketed-paste markers.
    tmux("paste-buffer", "-b", "big", "-t", tmux.session, "-d")
    tmux.wait_for(lambda s: "input too long" in s, PASTE_TIMEOUT, "the one notice of the cut")
    # Enter is read after every pasted key: its effect shows the app has caught up.
    tmux("send-keys", "-t", tmux.session, "Enter")
    tmux.wait_for(lambda s: "finished" in s, PASTE_TIMEOUT, "the pasted request to run")

    tmux("send-keys", "-t", tmux.session, "C-q")
    deadline = time.monotonic() + 30
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.exists(), f"lamtui did not quit after the paste:\n{tmux.screen()}"
    after = tmux.wait_for(lambda s: "lamtui exited with" in s, 10, "the shell after lamtui")
    assert exit_file.read_text().strip() == "0", after
    assert "Traceback" not in after

    started_records = [
        r for r in read_audit(lamtui_home / "data" / "audit.jsonl") if r["kind"] == "task_started"
    ]
    assert len(started_records) == 1  # one request, not one per chunk of the paste
    request = started_records[0]["request"]
    assert request == "x" * MAX_REQUEST_CHARS  # cut at the limit, nothing lost before it
