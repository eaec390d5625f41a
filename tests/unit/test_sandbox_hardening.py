"""The sandbox as a fence (issue 12, class 6): what it hides, what it binds read-only, which
actions run in it, and that no child outlives an action, sandboxed or not. For real: bwrap
is installed here (no mocks), and every "cannot" has a control showing that it can without
the fence."""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lamtui.actions.sandbox import (
    bwrap_prefix,
    control_paths,
    layout,
    nested_control_paths,
    sandbox_status,
)
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.agent.events import ActionFinished, Notice
from lamtui.agent.loop import AgentOptions
from lamtui.commands import doctor
from lamtui.contract.result import ActionResult
from lamtui.lam.scripted import Reply, ScriptedBackend
from lamtui.paths import get_paths
from lamtui.safety.policy import Policy
from lamtui.safety.rules import rules_from_lists
from lamtui.session import new_agent
from tests.functional.agent_helpers import ScriptedApprover, finish, plan, shell

# The base interpreter: a venv under /tmp would be hidden by the sandbox's private /tmp.
PYTHON = os.path.join(sys.base_prefix, "bin", "python3")


@pytest.fixture(autouse=True)
def require_bwrap() -> None:
    status = sandbox_status()
    if not status.available:  # fail, not skip: the project installs bubblewrap
        pytest.fail(f"the bubblewrap sandbox is unavailable here: {status.reason}")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder with credential stores in it."""
    path = tmp_path / "home"
    for folder in (".ssh", ".aws", ".gnupg", ".config/gh"):
        (path / folder).mkdir(parents=True)
    (path / ".ssh" / "id_rsa").write_text("PRIVATE KEY\n")
    (path / ".aws" / "credentials").write_text("aws_secret=1\n")
    (path / ".config" / "gh" / "hosts.yml").write_text("token: gho_x\n")
    (path / ".netrc").write_text("machine x password hunter2\n")
    (path / ".npmrc").write_text("//registry.npmjs.org/:_authToken=npm_tok\n")
    monkeypatch.setenv("HOME", str(path))
    return path


def _run(
    command: str,
    ws: Path,
    prefix: tuple[str, ...] | None = None,
    private: bool = False,
    forbid_creating: tuple[Path, ...] = (),
) -> ActionResult:
    """Run command in the sandbox for ws (or under `prefix`; () runs it unsandboxed)."""
    options = ShellOptions(
        timeout=20,
        wrapper=bwrap_prefix(ws) if prefix is None else prefix,
        private=private,
        forbid_creating=forbid_creating,
    )
    results = [item for item in run_shell(command, ws, options) if isinstance(item, ActionResult)]
    return results[-1]


# --- what the sandbox hides ----------------------------------------------------------------


def test_credential_stores_and_lamtui_data_are_empty_inside(home: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    data = get_paths().data_dir
    data.mkdir(parents=True)
    (data / "audit.jsonl").write_text("{}\n")
    command = (
        "cat ~/.ssh/id_rsa ~/.aws/credentials ~/.config/gh/hosts.yml ~/.netrc ~/.npmrc"
        f" {data}/audit.jsonl;"
        " find ~/.ssh ~/.config /run -mindepth 1 | wc -l"
    )
    inside = _run(command, ws)
    assert "PRIVATE KEY" not in inside.output and "hunter2" not in inside.output
    assert "gho_x" not in inside.output and "aws_secret" not in inside.output
    assert "npm_tok" not in inside.output
    assert "{}" not in inside.output
    assert inside.output.splitlines()[-1].strip() == "0"  # nothing listed at all
    outside = _run(command, ws, prefix=())  # the control: the same command unsandboxed
    assert "PRIVATE KEY" in outside.output and "hunter2" in outside.output
    assert "npm_tok" in outside.output


def test_workspace_inside_a_hidden_folder_stays_visible_and_writable(home: Path) -> None:
    ws = home / ".config" / "project"
    ws.mkdir()
    (ws / "notes.txt").write_text("mine\n")
    result = _run("cat notes.txt && echo new > made.txt && ls -A ~/.config", ws)
    assert result.ok, result.output
    assert "mine" in result.output and (ws / "made.txt").read_text() == "new\n"
    assert "gh" not in result.output.split()  # the rest of ~/.config stays hidden
    args = bwrap_prefix(ws)
    assert args.index(str(home / ".config")) < args.index("--bind")  # tmpfs, then workspace


def test_hidden_folders_inside_the_workspace_stay_hidden(home: Path) -> None:
    # The workspace is the home folder itself: ~/.ssh is inside it, and still hidden.
    result = _run("cat .ssh/id_rsa; ls -A .ssh | wc -l; echo x > .ssh/planted", home)
    assert "PRIVATE KEY" not in result.output
    assert not (home / ".ssh" / "planted").exists()  # a write there lands in the tmpfs
    args = bwrap_prefix(home)
    assert args.index("--bind") < args.index(str(home / ".ssh"))


def test_layout_lists_only_what_exists(home: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    hidden = layout(ws).hidden
    assert "/run" in hidden and str(home / ".ssh") in hidden and str(home / ".netrc") in hidden
    assert str(home / ".kube") not in hidden  # absent: bwrap would need a mount point
    assert layout(ws).read_only == ()


@pytest.fixture
def unix_server(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A listening unix socket in the folder request.param names ("run" or "xdg")."""
    base = Path("/run") if request.param == "run" else Path("/var/tmp")
    try:
        folder = Path(tempfile.mkdtemp(prefix="lamtui-test-", dir=base))
    except OSError as exc:
        pytest.skip(f"cannot make a folder under {base}: {exc.strerror}")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "s"))
    server.listen(5)
    server.settimeout(0.3)
    try:
        yield folder / "s"
    finally:
        server.close()
        (folder / "s").unlink(missing_ok=True)
        folder.rmdir()


def _connect_command(path: Path) -> str:
    code = (
        f"import socket; s=socket.socket(socket.AF_UNIX); s.connect('{path}'); print('CONNECTED')"
    )
    return f'{PYTHON} -c "{code}"'


@pytest.mark.parametrize("unix_server", ["run", "xdg"], indirect=True)
def test_a_host_unix_socket_is_unreachable_from_inside(
    unix_server: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(unix_server.parent))
    ws = tmp_path / "ws"
    ws.mkdir()
    inside = _run(_connect_command(unix_server), ws)
    assert not inside.ok and "CONNECTED" not in inside.output
    assert "FileNotFoundError" in inside.output  # the folder is an empty tmpfs in there
    network = _run(_connect_command(unix_server), ws, prefix=bwrap_prefix(ws, allow_network=True))
    assert "CONNECTED" not in network.output  # a network action does not get it either
    outside = _run(_connect_command(unix_server), ws, prefix=())
    assert outside.ok and "CONNECTED" in outside.output, outside.output


# --- lamtui's control files ----------------------------------------------------------------


def test_nested_repositories_and_project_files_are_read_only_inside(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    hooks = ws / "vendor" / "lib" / ".git" / "hooks"
    hooks.mkdir(parents=True)
    (ws / "sub").mkdir()
    (ws / "sub" / ".lamtui.toml").write_text("")
    (ws / "node_modules" / "x" / ".git").mkdir(parents=True)  # skipped: not walked
    assert set(nested_control_paths(ws)) == {hooks.parent, ws / "sub" / ".lamtui.toml"}
    attack = "printf '#!/bin/sh\\n' > vendor/lib/.git/hooks/pre-commit"
    assert not _run(attack, ws).ok and not (hooks / "pre-commit").exists()
    assert not _run("echo 'mode = \"auto\"' > sub/.lamtui.toml", ws).ok
    assert _run("echo fine > vendor/lib/notes.txt", ws).ok  # the rest stays writable
    control = _run(attack, ws, prefix=())  # unsandboxed, the write lands: the test can fail
    assert control.ok and (hooks / "pre-commit").exists()


def test_project_file_and_git_are_read_only_inside(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".git" / "hooks").mkdir(parents=True)
    (ws / ".lamtui.toml").write_text('[policy]\nmode = "readonly"\n')
    attacks = [
        "printf '[policy]\\nmode = \"auto\"\\n' > .lamtui.toml",
        "rm -f .lamtui.toml; echo x > .lamtui.toml",
        "mv .lamtui.toml old.toml",
        "printf '#!/bin/sh\\n' > .git/hooks/pre-commit",
        "mv .git old-git",
        "rm -rf .git",
    ]
    for attack in attacks:
        result = _run(attack, ws)
        assert not result.ok, attack
    assert (ws / ".lamtui.toml").read_text() == '[policy]\nmode = "readonly"\n'
    assert not (ws / ".git" / "hooks" / "pre-commit").exists()
    assert not (ws / "old-git").exists() and not (ws / "old.toml").exists()
    assert _run("echo fine > other.txt", ws).ok  # the rest of the workspace is writable
    assert set(layout(ws).read_only) == {str(ws / ".lamtui.toml"), str(ws / ".git")}


def test_control_files_an_action_creates_are_moved_aside(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = _run(
        "printf 'mode = 1' > .lamtui.toml; mkdir -p .git/hooks; echo done",
        ws,
        forbid_creating=control_paths(ws),
    )
    assert "done" in result.output and not result.ok
    assert ".lamtui.toml was created" in result.error and ".git was created" in result.error
    assert not (ws / ".lamtui.toml").exists() and not (ws / ".git").exists()
    aside = sorted(p.name for p in ws.iterdir())
    assert len(aside) == 2 and all(".rejected-" in name for name in aside)  # kept, not lost


def test_a_symlinked_git_is_bound_where_it_really_is(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "a" / "b" / "hooks").mkdir(parents=True)
    (ws / ".git").symlink_to("a/b")
    assert not _run("echo x > .git/hooks/pre-commit", ws).ok
    assert not (ws / "a" / "b" / "hooks" / "pre-commit").exists()


# --- which actions run in the sandbox -------------------------------------------------------


def _agent_results(
    ws: Path, commands: list[str], mode: str, sandbox: str = "auto"
) -> tuple[list[ActionResult], list[str]]:
    replies: list[Reply] = [plan("Look"), *(shell(c) for c in commands), finish()]
    options = AgentOptions(policy=Policy(mode), sandbox=sandbox, max_failures=10)  # type: ignore[arg-type]
    agent = new_agent(ScriptedBackend(replies), ScriptedApprover(), ws, options)
    events = list(agent.run("please look"))
    results = [e.result for e in events if isinstance(e, ActionFinished)]
    notices = [e.message for e in events if isinstance(e, Notice)]
    return results, notices


def test_readonly_mode_runs_auto_approved_actions_in_the_sandbox(tmp_path: Path) -> None:
    results, _ = _agent_results(tmp_path, ["ls -A /run | wc -l", "echo x > f.txt"], "readonly")
    auto, asked = results
    assert auto.sandboxed and auto.output.strip().endswith("0")  # /run is empty in there
    assert not asked.sandboxed  # the user approved a write: it runs as approved


def test_ask_mode_sandboxes_what_an_allow_rule_approves(tmp_path: Path) -> None:
    replies: list[Reply] = [plan("Look"), shell("ls -A /run"), finish()]
    rules = tuple(rules_from_lists(allow=["ls"], ask=[], deny=[]))
    options = AgentOptions(policy=Policy("ask", rules=rules))
    events = list(
        new_agent(ScriptedBackend(replies), ScriptedApprover(), tmp_path, options).run("x")
    )
    assert [e.result.sandboxed for e in events if isinstance(e, ActionFinished)] == [True]


@pytest.mark.parametrize(("mode", "sandbox"), [("auto", "auto"), ("readonly", "never")])
def test_full_auto_and_sandbox_never_run_unsandboxed(
    tmp_path: Path, mode: str, sandbox: str
) -> None:
    results, _ = _agent_results(tmp_path, ["ls"], mode, sandbox)
    assert not results[0].sandboxed


def test_without_bwrap_readonly_actions_still_run_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", f"{tmp_path / 'empty'}:/usr/bin:/bin")
    monkeypatch.setattr("lamtui.actions.sandbox._bwrap", lambda: None)
    sandbox_status.cache_clear()
    try:
        results, notices = _agent_results(tmp_path, ["ls"], "readonly")
    finally:
        monkeypatch.undo()
        sandbox_status.cache_clear()
    assert results[0].ok and not results[0].sandboxed
    assert any("runs unsandboxed" in n and "bwrap is not installed" in n for n in notices)


def test_sandbox_always_without_bwrap_runs_no_shell_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lamtui.actions.sandbox._bwrap", lambda: None)
    sandbox_status.cache_clear()
    try:
        results, notices = _agent_results(tmp_path, ["touch made.txt"], "workspace", "always")
    finally:
        monkeypatch.undo()
        sandbox_status.cache_clear()
    assert results == [] and not (tmp_path / "made.txt").exists()  # fail closed
    assert any("not run: shell.sandbox is 'always'" in n for n in notices), notices


# --- doctor ----------------------------------------------------------------------------------


def test_doctor_reports_what_the_sandbox_hides_and_binds(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    monkeypatch.chdir(ws)
    report = doctor.checks()["sandbox"]
    assert report["ok"] and report["readonly_mode_sandboxed"] is True
    assert "/run" in report["hides"] and str(home / ".ssh") in report["hides"]
    assert str(home / ".config") in report["hides"]
    assert report["read_only"] == [str(ws / ".git")]
    assert report["moved_aside_if_created"] == [".lamtui.toml"]
    assert "readonly and ask mode too" in report["detail"]
    doctor.handle(type("Args", (), {"json": False})())  # type: ignore[arg-type]
    text = capsys.readouterr().out
    assert "hides (empty): /run" in text and f"read-only here: {ws / '.git'}" in text
    doctor.handle(type("Args", (), {"json": True})())  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)["sandbox"]["hides"] == report["hides"]


def test_doctor_says_when_readonly_actions_are_not_sandboxed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = get_paths().config_file
    user.parent.mkdir(parents=True)
    user.write_text('[shell]\nsandbox = "never"\n')
    monkeypatch.chdir(tmp_path)
    report = doctor.checks()["sandbox"]
    assert not report["ok"] and report["readonly_mode_sandboxed"] is False
    assert report["hides"] == [] and "nothing is sandboxed" in report["detail"]


@pytest.mark.parametrize("stray", ["/usr", "/", "home"])
def test_a_stray_runtime_dir_never_hides_the_system(
    stray: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home) if stray == "home" else stray)
    hidden = layout(tmp_path).hidden
    assert stray not in hidden and str(home) not in hidden
    own = tmp_path / "runtime"
    own.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(own))
    assert str(own) in layout(tmp_path).hidden


def test_programs_kept_under_run_stay_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on NixOS, where $PATH holds /run/current-system/sw/bin.
    try:
        folder = Path(tempfile.mkdtemp(prefix="lamtui-test-", dir="/run"))
    except OSError as exc:
        pytest.skip(f"cannot make a folder under /run: {exc.strerror}")
    try:
        (folder / "bin").mkdir()
        tool = folder / "bin" / "lamtui-test-tool"
        tool.write_text("#!/bin/sh\necho tool-ran\n")
        tool.chmod(0o755)
        (folder / "secret").write_text("hidden\n")
        monkeypatch.setenv("PATH", f"{folder / 'bin'}:{os.environ['PATH']}")
        result = _run(f"lamtui-test-tool; cat {folder}/secret; echo x > {tool}", tmp_path)
        assert "tool-ran" in result.output and "hidden" not in result.output
        assert tool.read_text().startswith("#!/bin/sh")  # read-only in there
    finally:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        folder.rmdir()
