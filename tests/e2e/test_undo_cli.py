"""`lamtui run --mode workspace` then `lamtui undo`, with a scripted model (issue 12,
class 4): `sed -i … src/*.py` and `sort x > out.txt` run unasked because undo holds what
they overwrite, and `lamtui undo` puts every file back. A file holding a stored secret
is never copied into the undo store, so the action over it is asked about instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.functional.agent_helpers import finish, plan, shell

CANARY = "canary-Zq9xK2mW7vB4nR8t"


def _lamtui(
    home: Path, cwd: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "lamtui.cli", *args],
        cwd=cwd,
        env={**os.environ, "LAMTUI_HOME": str(home), **(env or {})},
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _run(
    home: Path, ws: Path, replies: list[str], approve: str, **env: str
) -> list[dict[str, Any]]:
    script = ws.parent / "replies.json"
    script.write_text(json.dumps(replies))
    proc = _lamtui(
        home, ws, "run", "--approve", approve, "--mode", "workspace", "--json",
        "--model", f"scripted:{script}", "do the edits", env=env,
    )  # fmt: skip
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _decisions(events: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {
        e["payload"]["step"]: e["payload"]["decision"]
        for e in events
        if e["type"] == "action_decided"
    }


def test_sed_over_a_glob_and_a_redirection_are_undone(tmp_path: Path, lamtui_home: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    originals = {
        "src/a.py": "value = 'a'\n",
        "src/b.py": "name = 'alpha'\n",
        "x": "pear\napple\n",
        "out.txt": "precious output\n",
    }
    for name, text in originals.items():
        (ws / name).write_text(text)
    replies = [plan("Edit"), shell("sed -i 's/a/b/' src/*.py"), shell("sort x > out.txt"),
               finish()]  # fmt: skip
    events = _run(lamtui_home, ws, replies, "all")
    decisions = _decisions(events)
    assert [d["by"] for d in decisions.values()] == ["policy:workspace"] * 2, decisions
    assert (ws / "src" / "a.py").read_text() == "vblue = 'a'\n"
    assert (ws / "out.txt").read_text() == "apple\npear\n"

    proc = _lamtui(lamtui_home, ws, "undo", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert sorted(report["restored"]) == ["out.txt", "src/a.py", "src/b.py"], report
    assert report["skipped"] == [] and report["deleted"] == []
    for name, text in originals.items():
        assert (ws / name).read_text() == text, name


def test_a_stored_secret_never_reaches_the_undo_store(tmp_path: Path, lamtui_home: Path) -> None:
    env = {"LAMTUI_SECRETS_BACKEND": "file"}
    ws = tmp_path / "ws"
    ws.mkdir()
    assert (
        _lamtui(lamtui_home, ws, "secrets", "set", "TOKEN", stdin=CANARY, env=env).returncode == 0
    )
    (ws / "settings.ini").write_text(f"TOKEN={CANARY}\n")
    (ws / "notes.txt").write_text("draft\n")
    replies = [plan("Edit"), shell("sed -i 's/draft/final/' notes.txt"),
               shell("sed -i 's/TOKEN/KEY/' settings.ini"), finish()]  # fmt: skip
    # readonly: the approver says yes only to read-only actions, so a question is a no.
    events = _run(lamtui_home, ws, replies, "readonly", **env)
    decisions = _decisions(events)
    assert decisions[1]["by"] == "policy:workspace" and decisions[1]["kind"] == "approve"
    assert decisions[2]["kind"] == "reject", decisions  # asked, not run unasked
    proposed = [e["payload"] for e in events if e["type"] == "action_proposed"]
    assert "stored secret" in proposed[1]["assessment"]["reasons"][0]
    assert (ws / "settings.ini").read_text() == f"TOKEN={CANARY}\n"
    for path in (lamtui_home / "data" / "undo").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path

    report = json.loads(_lamtui(lamtui_home, ws, "undo", "--json", env=env).stdout)
    assert report["restored"] == ["notes.txt"] and (ws / "notes.txt").read_text() == "draft\n"


def test_undo_list_is_a_table_for_people_and_json_lines_for_machines(
    tmp_path: Path, lamtui_home: Path
) -> None:
    import re
    import time

    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    for name in ("a.py", "b.py", "c.py", "d.py"):
        (ws / "src" / name).write_text("a = 1\n")
    (ws / "x").write_text("pear\napple\n")
    replies = [plan("Edit"), shell("sed -i 's/a/b/' src/*.py"), shell("sort x > out.txt"),
               finish()]  # fmt: skip
    before = time.time()
    _run(lamtui_home, ws, replies, "all")

    table = _lamtui(lamtui_home, ws, "undo", "--list")
    assert table.returncode == 0, table.stderr
    text = table.stdout
    assert not text.lstrip().startswith("{")  # not JSON
    lines = text.splitlines()
    head = lines[0]
    task_id = head.split()[0]
    # Local time, as a person reads it (the task ran a moment ago).
    stamp = re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", head)
    assert stamp is not None, text
    assert stamp.group(0)[:13] in {
        time.strftime("%Y-%m-%d %H", time.localtime(t)) for t in (before, time.time())
    }
    assert "2 of 2 steps not undone" in head
    assert f"in {ws.resolve()}" in text
    step1 = next(line for line in lines if line.strip().startswith("step 1"))
    step2 = next(line for line in lines if line.strip().startswith("step 2"))
    # What changed: counted, the first few named, the rest summed up.
    assert "4 paths: src/a.py, src/b.py, src/c.py, +1 more" in step1, step1
    assert "1 path: out.txt" in step2, step2
    assert re.search(r"\d\d:\d\d:\d\d", step1)

    machine = _lamtui(lamtui_home, ws, "undo", "--list", "--json")
    assert machine.returncode == 0, machine.stderr
    rows = [json.loads(line) for line in machine.stdout.splitlines()]  # JSON lines
    assert [r["task_id"] for r in rows] == [task_id]
    steps = rows[0]["steps"]
    assert steps[0]["changed"] == ["src/a.py", "src/b.py", "src/c.py", "src/d.py"]
    assert steps[1]["changed"] == ["out.txt"] and rows[0]["pending"] == [1, 2]
    assert isinstance(rows[0]["updated"], float)  # epoch seconds for machines

    assert _lamtui(lamtui_home, ws, "undo").returncode == 0
    after = _lamtui(lamtui_home, ws, "undo", "--list").stdout
    assert "all undone" in after.splitlines()[0] and after.count("undone") >= 3
