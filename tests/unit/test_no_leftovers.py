"""No child outlives a shell action, and a secret's value never shows in argv (issue 12,
classes 6 and 7). For real: processes are looked for in /proc by a unique argument, and
each "cannot" has a control run that shows it can without the fix."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from lamtui.actions.sandbox import bwrap_prefix, sandbox_status
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.agent.events import ActionFinished
from lamtui.agent.loop import AgentOptions
from lamtui.contract.result import ActionResult
from lamtui.lam.scripted import ScriptedBackend
from lamtui.safety.policy import Policy
from lamtui.safety.secrets import SecretStore
from lamtui.session import new_agent
from tests.functional.agent_helpers import ScriptedApprover, finish, plan, shell


def _run(
    command: str, ws: Path, prefix: tuple[str, ...] = (), private: bool = False
) -> ActionResult:
    """Run command unsandboxed (or under `prefix`)."""
    options = ShellOptions(timeout=20, wrapper=prefix, private=private)
    results = [item for item in run_shell(command, ws, options) if isinstance(item, ActionResult)]
    return results[-1]


# --- no child outlives the action, unsandboxed ----------------------------------------------


def _alive(marker: str) -> list[int]:
    """Processes whose argv holds marker (zombies excluded: they run nothing)."""
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


def _gone(marker: str, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(marker):
            return True
        time.sleep(0.05)
    return False


def _marker() -> str:
    return f"{1000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 10**6:06d}"  # a sleep length


def test_a_setsid_child_does_not_outlive_a_finished_action(tmp_path: Path) -> None:
    marker = _marker()
    # The detached child holds the output pipe open: it must not hold the action until
    # its timeout (20 s) either. ok means it ended by itself, not by the timeout.
    result = _run(f"setsid sleep {marker} & sleep 0.3; echo finished", tmp_path)
    assert result.ok and not result.timed_out and "finished" in result.output
    assert _gone(marker), f"sleep {marker} survived the action"


def test_a_double_forked_child_does_not_outlive_a_timeout(tmp_path: Path) -> None:
    marker = _marker()
    command = f"(setsid nohup sleep {marker} > /dev/null 2>&1 &) ; trap '' TERM; sleep {marker}"
    options = ShellOptions(timeout=0.5)
    result = next(i for i in run_shell(command, tmp_path, options) if isinstance(i, ActionResult))
    assert result.timed_out
    assert _gone(marker), f"sleep {marker} survived the timeout"


def test_no_child_survives_a_sigkill_of_lamtui(tmp_path: Path) -> None:
    marker = _marker()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from lamtui.actions.shell import ShellOptions, run_shell\n"
        f"cmd = 'setsid sleep {marker} > /dev/null 2>&1 & echo started; sleep {marker}'\n"
        "for item in run_shell(cmd, Path('.'), ShellOptions(timeout=60)):\n"
        "    print(getattr(item, 'text', ''), flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        assert proc.stdout is not None and "started" in proc.stdout.readline()
        deadline = time.monotonic() + 5
        while len(_alive(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_alive(marker)) == 2  # both sleeps run: the test can fail
        proc.kill()
        proc.wait(timeout=10)
        assert _gone(marker), f"sleep {marker} survived lamtui's SIGKILL"
    finally:
        for pid in _alive(marker):
            os.kill(pid, 9)


def test_exit_codes_and_signals_pass_through_the_supervisor(tmp_path: Path) -> None:
    assert _run("exit 7", tmp_path).exit_code == 7
    assert _run("kill -TERM $$", tmp_path).exit_code == -15
    assert _run("nonexistent-command-xyz", tmp_path).exit_code == 127


# --- a secret's value never shows in argv ---------------------------------------------------


def _cmdlines_with(value: str) -> list[str]:
    hits = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if value.encode() in argv:
                hits.append(argv.replace(b"\0", b" ").decode(errors="replace"))
    return hits


@pytest.mark.parametrize("sandboxed", [False, True])
def test_a_private_command_keeps_its_text_out_of_argv(tmp_path: Path, sandboxed: bool) -> None:
    value = f"canary-{uuid.uuid4().hex}"
    command = f"v='{value}'; echo \"len=${{#v}}\"; env | grep -c LAMTUI_COMMAND; sleep 1.5"
    seen: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.extend(_cmdlines_with(value))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert not sandboxed or sandbox_status().available, sandbox_status().reason
        prefix = bwrap_prefix(tmp_path) if sandboxed else ()
        result = _run(command, tmp_path, prefix=prefix, private=True)
    finally:
        stop.set()
        watcher.join()
    assert result.ok, result.output
    assert f"len={len(value)}" in result.output
    assert result.output.splitlines()[1] == "0"  # children do not inherit the command
    assert seen == [], seen
    # The control: without private, the value is right there in bash's argv.
    thread = threading.Thread(target=_run, args=(f": '{value}'; sleep 1", tmp_path, ()))
    thread.start()
    time.sleep(0.5)
    assert _cmdlines_with(value)
    thread.join()


def test_the_agent_passes_substituted_secrets_outside_argv(tmp_path: Path) -> None:
    value = f"canary-{uuid.uuid4().hex}"
    store = SecretStore("file")
    store.set("tok", value)
    command = "test -n '{{secret:tok}}' && sleep 1.5 && echo has-secret"
    options = AgentOptions(policy=Policy("readonly"))
    agent = new_agent(
        ScriptedBackend([plan("Use it"), shell(command), finish()]),
        ScriptedApprover(),
        tmp_path,
        options,
        secrets=store,
    )
    seen: list[str] = []
    events: list[object] = []
    runner = threading.Thread(target=lambda: events.extend(agent.run("use the token")))
    runner.start()
    while runner.is_alive():
        seen.extend(_cmdlines_with(value))
        time.sleep(0.05)
    runner.join()
    results = [e.result for e in events if isinstance(e, ActionFinished)]
    assert results and results[0].ok and "has-secret" in results[0].output
    assert seen == []


def test_a_detached_child_gets_sigterm_before_sigkill(tmp_path: Path) -> None:
    # A setsid'd child is outside the process group run_shell signals; the supervisor
    # still gives it its SIGTERM and a moment to clean up.
    marker = _marker()
    inner = f"trap 'echo cleaned > {tmp_path}/cleaned; exit' TERM; sleep {marker} & wait"
    command = f'setsid bash -c "{inner}" & sleep {marker}'
    options = ShellOptions(timeout=0.5)
    result = next(i for i in run_shell(command, tmp_path, options) if isinstance(i, ActionResult))
    assert result.timed_out
    assert _gone(marker)
    assert (tmp_path / "cleaned").read_text() == "cleaned\n"


def test_a_setsid_child_does_not_outlive_a_sandboxed_action(tmp_path: Path) -> None:
    assert sandbox_status().available, sandbox_status().reason
    marker = _marker()
    command = f"setsid sleep {marker} > /dev/null 2>&1 & sleep 0.3; ls /proc | grep -c '^[0-9]'"
    result = _run(command, tmp_path, prefix=bwrap_prefix(tmp_path))
    assert result.ok and not result.timed_out
    assert int(result.output.split()[-1]) < 10  # its own PID namespace: only its processes
    assert _gone(marker), f"sleep {marker} survived the sandboxed action"
