"""`./dev start` in a user's folder opens the app on that folder, not on lamtui's clone
(issue 13). The real `dev` script runs from a copy of the clone whose set-up is already
done (so nothing is installed), and its `.venv/bin/lamtui` is the real entry point; the
app runs in tmux with a scripted model, so no GGUF is loaded."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_tui_paste import Tmux, tmux  # noqa: F401  (tmux: the fixture)
from tests.functional.agent_helpers import finish, plan

REPO = Path(__file__).resolve().parents[2]


def _clone(tmp_path: Path) -> Path:
    """A stand-in clone: the real dev script, a set-up stamp that matches, and a venv
    whose python is this one and whose lamtui runs this checkout."""
    clone = tmp_path / "clone"
    bin_dir = clone / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(REPO / "dev", clone / "dev")
    pyproject = REPO / "pyproject.toml"
    shutil.copy2(pyproject, clone / "pyproject.toml")
    digest = hashlib.sha256(pyproject.read_bytes()).hexdigest()
    (clone / ".venv" / ".lamtui-setup").write_text(digest + "\n")
    (bin_dir / "python").symlink_to(sys.executable)
    lamtui = bin_dir / "lamtui"
    lamtui.write_text(
        "#!/bin/sh\n"
        f"PYTHONPATH={shlex.quote(str(REPO))} exec {shlex.quote(sys.executable)} "
        '-m lamtui.cli "$@"\n'
    )
    lamtui.chmod(lamtui.stat().st_mode | stat.S_IXUSR)
    return clone


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMTUI_")}
    return {
        **env,
        "LAMTUI_HOME": str(home),
        "LAMTUI_MEMORY_ENABLED": "false",
        "LAMTUI_NO_APT": "1",  # never apt-get from a test
        "PYTHON": sys.executable,
    }


def test_dev_start_run_works_on_the_callers_folder(tmp_path: Path, lamtui_home: Path) -> None:
    clone = _clone(tmp_path)
    folder = tmp_path / "my project"
    folder.mkdir()
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([plan("look"), finish("nothing to do")]))
    proc = subprocess.run(
        [str(clone / "dev"), "start", "run", "look", "--json", "--approve", "never",
         "--model", f"scripted:{replies}"],
        cwd=folder, env=_env(lamtui_home), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "installing dependencies" not in proc.stderr  # set-up was skipped, as meant
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    started = next(e for e in events if e["type"] == "task_started")
    assert Path(started["payload"]["workspace"]) == folder.resolve()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_dev_start_opens_the_app_on_the_callers_folder(
    tmp_path: Path,
    lamtui_home: Path,
    tmux: Tmux,  # noqa: F811
) -> None:
    clone = _clone(tmp_path)
    folder = tmp_path / "my-project"
    folder.mkdir()
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([plan("look"), finish("nothing to do")]))
    # The tmux server has this process's environment; these are what the test sets.
    names = ("LAMTUI_HOME", "LAMTUI_MEMORY_ENABLED", "LAMTUI_NO_APT", "PYTHON")
    env = " ".join(f"{k}={shlex.quote(_env(lamtui_home)[k])}" for k in names)
    command = (
        f"cd {shlex.quote(str(folder))} && env {env} {shlex.quote(str(clone / 'dev'))} start "
        f"--model {shlex.quote('scripted:' + str(replies))}; echo dev exited with $?; sleep 60"
    )
    tmux("new-session", "-d", "-s", tmux.session, "-x", "160", "-y", "30", command)
    screen = tmux.wait_for(lambda s: "workspace: " in s, 60, "the app's first log line")
    line = next(x for x in screen.splitlines() if "workspace: " in x)
    assert f"workspace: {folder.resolve()}" in line, screen
    assert str(clone) not in line
    tmux("send-keys", "-t", tmux.session, "C-q")
    tmux.wait_for(lambda s: "dev exited with 0" in s, 30, "the app to quit")
