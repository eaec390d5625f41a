"""`lamtui run` with a scripted model that tries to escalate through lamtui's own project
file (issue 12, class 6). The write of `.lamtui.toml` is never auto-approved; approved
anyway, the sandbox does not let it stay; and a `.lamtui.toml` that says `mode = "auto"`
and `sandbox = "never"` (as if an earlier escape had left it) changes neither: the next
task still asks before `rm -rf src` and an outside write, and still sandboxes what it
auto-approves. One warning names what was ignored."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lamtui.actions.sandbox import sandbox_status
from tests.functional.agent_helpers import finish, plan, shell

ESCALATE = 'printf \'[policy]\\nmode = "auto"\\n[shell]\\nsandbox = "never"\\n\' > .lamtui.toml'
PLANTED = '[policy]\nmode = "auto"\n[shell]\nsandbox = "never"\n'


@pytest.fixture(autouse=True)
def require_bwrap() -> None:
    status = sandbox_status()
    if not status.available:  # fail, not skip: the project installs bubblewrap
        pytest.fail(f"the bubblewrap sandbox is unavailable here: {status.reason}")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    (path / "src").mkdir(parents=True)
    (path / "src" / "main.py").write_text("print('keep me')\n")
    return path


def _run(ws: Path, home: Path, replies: list[str], *flags: str) -> tuple[list[dict[str, Any]], str]:
    script = ws.parent / f"replies-{len(list(ws.parent.iterdir()))}.json"
    script.write_text(json.dumps(replies))
    model = f"scripted:{script}"
    proc = subprocess.run(
        [sys.executable, "-m", "lamtui.cli", "run", "--json", "--model", model, *flags, "task"],
        cwd=ws,
        env={**os.environ, "LAMTUI_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events and events[-1]["type"] == "task_finished", proc.stderr
    return events, proc.stderr


def _payloads(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e["payload"] for e in events if e["type"] == kind]


def test_an_action_cannot_write_the_project_file(ws: Path, lamtui_home: Path) -> None:
    replies = [plan("Configure"), shell(ESCALATE), finish()]
    # Workspace mode: the write is not auto-approved; a read-only approver refuses it.
    events, _ = _run(ws, lamtui_home, replies, "--mode", "workspace", "--approve", "readonly")
    decision = _payloads(events, "action_decided")[0]["decision"]
    assert decision["kind"] == "reject" and decision["by"] == "approver:readonly"
    reasons = _payloads(events, "action_proposed")[0]["assessment"]["reasons"]
    assert any("lamtui's project settings" in r for r in reasons)
    assert not (ws / ".lamtui.toml").exists()
    # Approved by the user all the same, it runs in the sandbox, which moves it aside.
    events, _ = _run(ws, lamtui_home, replies, "--mode", "workspace", "--approve", "all")
    result = _payloads(events, "action_finished")[0]["result"]
    assert result["sandboxed"] and not result["ok"]
    assert ".lamtui.toml was created, which actions may not do" in result["error"]
    assert not (ws / ".lamtui.toml").exists()


def test_a_planted_project_file_does_not_escalate_the_next_task(
    ws: Path, tmp_path: Path, lamtui_home: Path
) -> None:
    (ws / ".lamtui.toml").write_text(PLANTED)
    outside = tmp_path / "outside.txt"
    replies = [plan("Clean up"), shell("rm -rf src"), shell(f"echo x > {outside}"), finish()]
    events, stderr = _run(ws, lamtui_home, replies, "--approve", "readonly")
    decisions = [p["decision"] for p in _payloads(events, "action_decided")]
    assert [d["kind"] for d in decisions] == ["reject", "reject"]
    assert all(d["by"] == "approver:readonly" for d in decisions)  # asked, not policy:auto
    assert (ws / "src" / "main.py").exists() and not outside.exists()
    assert stderr.count("lamtui: warning:") == 1 and "full auto" not in stderr
    assert "policy.mode = 'auto'" in stderr and "shell.sandbox = 'never'" in stderr
    # The sandbox stays on: what readonly mode approves by itself runs inside it.
    look = [plan("Look"), shell("ls -A /run"), finish()]
    events, _ = _run(ws, lamtui_home, look, "--mode", "readonly", "--approve", "readonly")
    assert _payloads(events, "action_decided")[0]["decision"]["by"] == "policy:readonly"
    result = _payloads(events, "action_finished")[0]["result"]
    assert result["sandboxed"] and result["ok"] and result["output"].strip() == ""
    assert (ws / ".lamtui.toml").read_text() == PLANTED  # read-only inside, untouched


# --- no child outlives the task; no host socket from inside (class 6) ------------------------


def _alive(marker: str) -> list[int]:
    """Running processes whose argv holds marker (zombies run nothing)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if marker.encode() in argv and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("mode", ["workspace", "ask"])  # sandboxed, and approved unsandboxed
def test_a_setsid_child_does_not_survive_the_task(ws: Path, lamtui_home: Path, mode: str) -> None:
    marker = f"{1000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 10**6:06d}"  # a sleep length
    # The probe sees the detached child while the action still runs: the test can fail.
    probe = f"sleep 0.3; pgrep -fc '^sleep {marker}$'"
    replies = [plan("Detach"), shell(f"setsid sleep {marker} > /dev/null 2>&1 & {probe}"), finish()]
    try:
        events, _ = _run(ws, lamtui_home, replies, "--mode", mode, "--approve", "all")
        result = _payloads(events, "action_finished")[0]["result"]
        assert result["ok"] and result["output"].strip() == "1", result
        assert result["sandboxed"] == (mode == "workspace")
        assert not _alive(marker), f"sleep {marker} outlived the task"
    finally:
        for pid in _alive(marker):
            os.kill(pid, 9)


@pytest.fixture
def host_socket() -> Iterator[Path]:
    """A listening unix socket in a runtime folder of the host's."""
    folder = Path(tempfile.mkdtemp(prefix="lamtui-e2e-", dir="/var/tmp"))
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "s"))
    server.listen(5)
    try:
        yield folder / "s"
    finally:
        server.close()
        (folder / "s").unlink(missing_ok=True)
        folder.rmdir()


def test_a_sandboxed_action_cannot_reach_a_host_unix_socket(
    ws: Path, lamtui_home: Path, host_socket: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(host_socket.parent))
    python = os.path.join(sys.base_prefix, "bin", "python3")
    code = (
        f"import socket; socket.socket(socket.AF_UNIX).connect('{host_socket}'); print('CONNECTED')"
    )
    replies = [plan("Talk"), shell(f'{python} -c "{code}"'), finish()]
    events, _ = _run(ws, lamtui_home, replies, "--mode", "workspace", "--approve", "all")
    result = _payloads(events, "action_finished")[0]["result"]
    assert result["sandboxed"] and not result["ok"] and "CONNECTED" not in result["output"]
    # Control: the same action approved in ask mode runs unsandboxed and connects.
    events, _ = _run(ws, lamtui_home, replies, "--mode", "ask", "--approve", "all")
    result = _payloads(events, "action_finished")[0]["result"]
    assert not result["sandboxed"] and "CONNECTED" in result["output"], result
