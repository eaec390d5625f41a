"""The file tools open exactly the path the gate checked: no symlink, `..`, hard link or
`.git` alias walks out, and lamtui's own files are never written (issue 12, classes 5-6).

Each escape is tried twice: at the gate (never auto-approved, in workspace mode and in
full-auto) and at the executor directly (refused even though nothing asked it), and
every test checks that the file outside is byte-for-byte unchanged.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamtui.actions import files
from lamtui.contract.result import ActionResult
from lamtui.contract.risk import Assessment
from lamtui.contract.schema import Action
from lamtui.paths import get_paths
from lamtui.safety.paths import check_path
from lamtui.safety.policy import Policy, assess

SECRET = "outside-secret-7f3k\n"
HOOK = "#!/bin/sh\necho original hook\n"


@dataclass
class Layout:
    root: Path  # holds both
    ws: Path
    outside: Path

    def tree(self) -> dict[str, bytes | str]:
        """Everything under root except lamtui's home: file bytes and link targets."""
        state: dict[str, bytes | str] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d != "lamtui-home"]
            for name in dirnames + filenames:
                path = Path(dirpath) / name
                key = str(path.relative_to(self.root))
                if path.is_symlink():
                    state[key] = "-> " + os.readlink(path)
                elif path.is_file():
                    state[key] = path.read_bytes()
                else:
                    state[key] = "dir"
        return state


def make_layout(base: Path) -> Layout:
    ws, outside = base / "ws", base / "outside"
    (ws / "a" / "b").mkdir(parents=True)
    (ws / ".git" / "hooks").mkdir(parents=True)
    (ws / ".git" / "hooks" / "pre-commit").write_text(HOOK)
    (ws / "notes.txt").write_text("inside\n")
    outside.mkdir()
    (outside / "x").write_text(SECRET)
    (outside / "victim.txt").write_text(SECRET)
    (ws / "d").symlink_to("a/b")  # lexically d/.. is ws, really it is ws/a
    (ws / "lo").symlink_to(outside)  # leads out
    (ws / "g").symlink_to(".git")  # an alias of .git
    (ws / "hook").symlink_to(".git/hooks/pre-commit")
    (ws / "alias").symlink_to("notes.txt")  # stays inside: writes may follow it
    os.link(outside / "victim.txt", ws / "h")  # the same inode, outside and inside
    return Layout(base, ws, outside)


@pytest.fixture
def lay(tmp_path: Path) -> Layout:
    return make_layout(tmp_path)


def action(tool: str, **args: str) -> Action:
    return Action(thought="", tool=tool, args=args, status="continue", plan_update=None)


def gate(act: Action, ws: Path, mode: str = "workspace") -> Assessment:
    return assess(act, Policy(mode), ws)  # type: ignore[arg-type]


def run(act: Action, ws: Path) -> ActionResult:
    return files.run_file_tool(act.tool, act.args, ws)


def assert_refused_everywhere(act: Action, lay: Layout) -> str:
    """Denied by the gate in every mode, refused by the executor with the same reason,
    and nothing on disk changed."""
    before = lay.tree()
    for mode in ("readonly", "workspace", "auto"):
        verdict = gate(act, lay.ws, mode)
        assert verdict.verdict == "deny", (mode, act.args, verdict)
    reason = gate(act, lay.ws).reasons[0]
    result = run(act, lay.ws)
    assert not result.ok, act.args
    assert result.error == f"refused: {reason}"
    assert SECRET.strip() not in result.output
    assert lay.tree() == before
    return reason


ESCAPES = [
    # symlink + `..`: the check and the write used to see different paths
    action("write_file", path="d/../../outside/x", content="pwned"),
    action("edit_file", path="d/../../outside/x", search="outside", replace="pwned"),
    action("read_file", path="d/../../outside/x"),
    action("list_dir", path="d/../../outside"),
    action("write_file", path="d/../../outside/new.txt", content="pwned"),
    action("write_file", path="a/../d/../../outside/x", content="pwned"),
    # a link that leads out, for every tool
    action("write_file", path="lo/x", content="pwned"),
    action("write_file", path="lo/new.txt", content="pwned"),
    action("edit_file", path="lo/x", search="outside", replace="pwned"),
    action("read_file", path="lo/x"),
    action("list_dir", path="lo"),
    action("list_dir", path="lo/."),
    # .git through an alias, and directly
    action("write_file", path="g/hooks/pre-commit", content="#!/bin/sh\nevil\n"),
    action("edit_file", path="g/hooks/pre-commit", search="original", replace="evil"),
    action("write_file", path="g/hooks/post-checkout", content="evil"),
    action("write_file", path="hook", content="evil"),
    action("write_file", path=".git/hooks/pre-commit", content="evil"),
    action("write_file", path="./a/../.git/config", content="evil"),
    action("write_file", path=".GIT/config", content="evil"),
    # a hard link to a file outside
    action("write_file", path="h", content="pwned"),
    action("edit_file", path="h", search="outside", replace="pwned"),
]


@pytest.mark.parametrize("act", ESCAPES, ids=lambda a: f"{a.tool}:{a.args['path']}")
def test_escape_is_refused_by_gate_and_executor(lay: Layout, act: Action) -> None:
    assert_refused_everywhere(act, lay)
    assert (lay.outside / "x").read_text() == SECRET
    assert (lay.outside / "victim.txt").read_text() == SECRET
    assert (lay.ws / ".git" / "hooks" / "pre-commit").read_text() == HOOK
    assert not (lay.outside / "new.txt").exists() and not (lay.ws / "outside").exists()


def test_the_messages_say_why(lay: Layout) -> None:
    def why(tool: str, path: str, **extra: str) -> str:
        return assert_refused_everywhere(action(tool, path=path, **extra), lay)

    assert "ambiguous" in why("write_file", "d/../../outside/x", content="x")
    assert "leads outside the workspace" in why("read_file", "lo/x")
    assert ".git" in why("write_file", "g/hooks/pre-commit", content="x")
    assert "hard links" in why("write_file", "h", content="x")


def test_lamtui_project_file_is_never_written(lay: Layout) -> None:
    (lay.ws / "sub").mkdir()
    (lay.ws / "cfg").symlink_to(".lamtui.toml")
    for path in (".lamtui.toml", "sub/.lamtui.toml", "cfg", "./.LAMTUI.toml"):
        reason = assert_refused_everywhere(
            action("write_file", path=path, content='[policy]\nmode = "auto"\n'), lay
        )
        assert "project settings" in reason
    assert not (lay.ws / ".lamtui.toml").exists()
    (lay.ws / ".lamtui.toml").write_text('[policy]\nmode = "readonly"\n')
    assert_refused_everywhere(
        action("edit_file", path=".lamtui.toml", search="readonly", replace="auto"), lay
    )
    assert (lay.ws / ".lamtui.toml").read_text() == '[policy]\nmode = "readonly"\n'


def test_lamtui_config_and_data_dirs_are_never_written(lay: Layout) -> None:
    paths = get_paths()
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir):
        folder.mkdir(parents=True, exist_ok=True)
    paths.audit_log.write_text('{"kind": "real"}\n')
    paths.config_file.write_text('[policy]\nmode = "readonly"\n')
    (lay.ws / "dd").symlink_to(paths.data_dir)
    targets = [
        str(paths.audit_log),
        str(paths.config_file),
        str(paths.undo_dir / "t1" / "manifest.json"),  # does not exist yet
        str(paths.cache_dir / "x"),
        os.path.relpath(paths.audit_log, lay.ws),  # relative, with `..`
    ]
    for target in targets:
        reason = assert_refused_everywhere(action("write_file", path=target, content="x"), lay)
        assert "lamtui's own" in reason
    assert_refused_everywhere(action("write_file", path="dd/audit.jsonl", content="x"), lay)
    assert_refused_everywhere(
        action("edit_file", path=str(paths.config_file), search="readonly", replace="auto"), lay
    )
    assert paths.audit_log.read_text() == '{"kind": "real"}\n'
    assert paths.config_file.read_text() == '[policy]\nmode = "readonly"\n'
    assert not paths.undo_dir.exists()


def test_plain_writes_still_work_and_land_where_the_gate_said(lay: Layout) -> None:
    for path, where in [
        ("new.txt", lay.ws / "new.txt"),
        ("a/b/deep/er/new.txt", lay.ws / "a/b/deep/er/new.txt"),
        ("a/../top.txt", lay.ws / "top.txt"),
        ("d/in-b.txt", lay.ws / "a/b/in-b.txt"),  # an inside link, no `..` after it
        ("alias", lay.ws / "notes.txt"),
        (str(lay.ws / "abs.txt"), lay.ws / "abs.txt"),
    ]:
        act = action("write_file", path=path, content=f"wrote {path}")
        assessed = gate(act, lay.ws)
        assert assessed.verdict == "auto" and assessed.risk == "workspace_write", path
        assert assessed.paths == (str(where),)
        result = run(act, lay.ws)
        assert result.ok, result.error
        assert where.read_text() == f"wrote {path}"
        assert result.files_changed == [str(where.relative_to(lay.ws))]
    assert (lay.ws / "alias").is_symlink()
    edit = action("edit_file", path="alias", search="wrote", replace="edited")
    assert gate(edit, lay.ws).verdict == "auto" and run(edit, lay.ws).ok
    assert (lay.ws / "notes.txt").read_text() == "edited alias"
    assert (lay.outside / "x").read_text() == SECRET


def test_an_approved_outside_write_opens_the_path_shown(lay: Layout) -> None:
    """Outside the workspace the gate asks; if the user approves, the file written is
    the one the question named, never one reached through a link."""
    act = action("write_file", path="../outside/approved.txt", content="ok")
    assessed = gate(act, lay.ws)
    assert assessed.verdict == "ask" and assessed.risk == "outside_write"
    assert assessed.paths == (str(lay.outside / "approved.txt"),)
    assert run(act, lay.ws).ok and (lay.outside / "approved.txt").read_text() == "ok"
    # The same place through a link from outside: refused, whatever was approved.
    (lay.root / "out-link").symlink_to(lay.outside)
    via = action("write_file", path=str(lay.root / "out-link" / "x"), content="pwned")
    assert_refused_everywhere(via, lay)
    assert (lay.outside / "x").read_text() == SECRET


def test_reads_and_listings_inside_still_work(lay: Layout) -> None:
    assert run(action("read_file", path="alias"), lay.ws).output == "inside\n"
    assert run(action("read_file", path="d/../b/../../notes.txt"), lay.ws).ok is False
    listed = run(action("list_dir", path="."), lay.ws)
    assert listed.ok and "link       lo -> " + str(lay.outside) in listed.output
    assert "dir        a/" in listed.output
    assert run(action("list_dir", path="d"), lay.ws).ok  # into a/b through an inside link
    assert gate(action("read_file", path="alias"), lay.ws, "readonly").verdict == "auto"


def test_a_directory_swapped_for_a_link_after_the_check_is_refused(lay: Layout) -> None:
    (lay.ws / "sub").mkdir()
    (lay.ws / "sub" / "x").write_text("inside")
    act = action("write_file", path="sub/x", content="pwned")
    assert gate(act, lay.ws).verdict == "auto"
    (lay.ws / "sub" / "x").unlink()
    (lay.ws / "sub").rmdir()
    (lay.ws / "sub").symlink_to(lay.outside)  # what a racing process could do
    result = run(act, lay.ws)
    assert not result.ok and "leads outside the workspace" in result.error
    assert (lay.outside / "x").read_text() == SECRET


def test_a_file_hard_linked_after_the_check_is_refused(lay: Layout) -> None:
    target = lay.ws / "late.txt"
    target.write_text("inside")
    act = action("edit_file", path="late.txt", search="inside", replace="pwned")
    assert gate(act, lay.ws).verdict == "auto"
    os.link(target, lay.outside / "late-link.txt")
    result = run(act, lay.ws)
    assert not result.ok and "hard links" in result.error
    assert (lay.outside / "late-link.txt").read_text() == "inside"


def test_fifos_and_devices_are_refused_without_hanging(lay: Layout) -> None:
    os.mkfifo(lay.ws / "pipe")
    for act in (
        action("write_file", path="pipe", content="x"),
        action("edit_file", path="pipe", search="a", replace="b"),
    ):
        assert "not a regular file" in assert_refused_everywhere(act, lay)
    read = run(action("read_file", path="pipe"), lay.ws)
    assert not read.ok and "not a regular file" in read.error
    assert_refused_everywhere(action("write_file", path="/dev/null", content="x"), lay)


def test_the_diff_preview_never_shows_what_a_refused_write_reaches(lay: Layout) -> None:
    for path in ("lo/x", "h", "d/../../outside/x", "g/hooks/pre-commit"):
        assert files.preview_before(path, lay.ws) is None, path
    assert files.preview_before("notes.txt", lay.ws) == "inside\n"
    assert files.preview_before("brand-new.txt", lay.ws) == ""


def test_check_path_is_the_walk(lay: Layout) -> None:
    assert check_path("d/x", lay.ws).resolved == lay.ws / "a" / "b" / "x"
    assert check_path("lo/x", lay.ws).problem and not check_path("lo/x", lay.ws).inside
    assert check_path("g/hooks", lay.ws).in_git_dir
    assert not check_path("h", lay.ws).problem  # reading a hard-linked file is fine
    assert check_path("h", lay.ws, write=True).problem
    assert check_path("new/../x", lay.ws).problem  # `..` out of what does not exist
    assert check_path("notes.txt/x", lay.ws).problem
    loop = lay.ws / "loop"
    loop.symlink_to("loop")
    assert "symbolic links" in check_path("loop/x", lay.ws).problem


PARTS = st.sampled_from(
    ["..", ".", "a", "b", "d", "lo", "g", "h", "hook", "alias", ".git", "hooks", "outside",
     "x", "new.txt", "pre-commit"]
)  # fmt: skip


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(parts=st.lists(PARTS, min_size=1, max_size=6), absolute=st.booleans())
def test_a_write_changes_only_the_file_the_gate_named(
    tmp_path: Path, parts: list[str], absolute: bool
) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as base:
        lay = make_layout(Path(base))
        raw = "/".join(parts)
        if absolute:
            raw = str(lay.ws / raw)
        act = action("write_file", path=raw, content="written")
        assessed = gate(act, lay.ws)
        named = Path(assessed.paths[0])
        if assessed.verdict != "deny" and lay.root not in named.parents:
            return  # an approvable write outside this test's folder: not tried for real
        before = lay.tree()
        result = run(act, lay.ws)
        after = lay.tree()
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        assert (lay.ws / ".git" / "hooks" / "pre-commit").read_text() == HOOK
        if assessed.verdict == "deny" or not result.ok:
            assert not result.ok and changed == set(), (raw, changed)
            return
        written = str(named.relative_to(lay.root))
        assert written in changed, (raw, changed)
        # Only the named file, and the folders made for it, changed.
        assert all(written == k or written.startswith(k + "/") for k in changed), changed
        assert named.read_text() == "written"
        if assessed.verdict == "auto":
            assert lay.ws in named.parents and ".git" not in named.relative_to(lay.ws).parts
