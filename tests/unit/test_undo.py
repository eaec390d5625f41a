"""The undo store: snapshots before actions, post-action manifests, and safe restores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lamtui.actions import files
from lamtui.actions.undo import RestoreReport, SnapshotReport, UndoStore, list_undoable, undo
from lamtui.errors import LamtuiError
from lamtui.paths import get_paths

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    path.mkdir()
    return path


def _write(path: Path, text: str, mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mode is not None:
        path.chmod(mode)
    return path


def _step_dir(task: str, step: int) -> Path:
    return get_paths().undo_dir / task / f"step-{step}"


# ----------------------------------------------------------------- file tools


def test_write_file_then_undo_restores_bytes_mode_and_mtime(ws: Path) -> None:
    target = _write(ws / "a.txt", "old\x00bytes\n", mode=0o640)
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    store = UndoStore("t1", ws)
    report = store.before_file_write(1, Path("a.txt"))  # relative: inside the workspace
    assert report.saved == ["a.txt"] and report.describe() == "undo: kept 1 file"
    assert files.write_file("a.txt", "new", ws).ok
    store.after_action(1)

    result = undo()
    assert result.restored == ["a.txt"] and not result.skipped
    assert target.read_bytes() == b"old\x00bytes\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert result.describe() == "undo: restored 1"


def test_edit_file_then_undo(ws: Path) -> None:
    target = _write(ws / "code.py", "x = 1\ny = 2\n")
    store = UndoStore("t1", ws)
    store.before_file_write(1, target)
    assert files.edit_file("code.py", "y = 2", "y = 3", ws).ok
    store.after_action(1)
    assert undo("t1").restored == ["code.py"]
    assert target.read_text() == "x = 1\ny = 2\n"


def test_created_file_and_its_new_directories_are_deleted(ws: Path) -> None:
    store = UndoStore("t1", ws)
    report = store.before_file_write(1, ws / "new" / "sub" / "f.txt")
    assert report.saved == ["new/sub/f.txt"]  # the missing parents are kept, not listed
    assert files.write_file("new/sub/f.txt", "hello", ws).ok
    store.after_action(1)
    result = undo()
    assert result.deleted == ["new/sub/f.txt", "new/sub/", "new/"]
    assert list(ws.iterdir()) == []


def test_created_file_changed_afterwards_is_not_deleted(ws: Path) -> None:
    store = UndoStore("t1", ws)
    store.before_file_write(1, ws / "f.txt")
    files.write_file("f.txt", "by the task", ws)
    store.after_action(1)
    (ws / "f.txt").write_text("edited by the user later")
    result = undo()
    assert result.deleted == [] and result.skipped == [("f.txt", "changed since the task")]
    assert (ws / "f.txt").read_text() == "edited by the user later"


def test_modified_file_changed_again_is_left_unless_already_back(ws: Path) -> None:
    a = _write(ws / "a.txt", "a0")
    b = _write(ws / "b.txt", "b0")
    store = UndoStore("t1", ws)
    store.before_shell(1, [a, b])
    a.write_text("a1")
    b.write_text("b1")
    store.after_action(1)
    a.write_text("a2 by the user")  # changed again: must not be overwritten
    b.write_text("b0")  # already back at the previous state: nothing to do, no complaint
    result = undo()
    assert result.restored == [] and result.skipped == [("a.txt", "changed since the task")]
    assert a.read_text() == "a2 by the user" and b.read_text() == "b0"


def test_file_deleted_by_the_task_is_recreated(ws: Path) -> None:
    target = _write(ws / "keep.txt", "precious", mode=0o600)
    store = UndoStore("t1", ws)
    store.before_shell(1, [target])
    target.unlink()
    store.after_action(1)
    assert undo().recreated == ["keep.txt"]
    assert target.read_text() == "precious" and target.stat().st_mode & 0o777 == 0o600


# ---------------------------------------------------------------------- shell


def test_shell_with_explicit_paths(ws: Path) -> None:
    conf = _write(ws / "conf.txt", "v1")
    _write(ws / "out" / "a.txt", "a")
    _write(ws / "out" / "keep.txt", "keep")
    outside_scope = _write(ws / "other.txt", "other")
    store = UndoStore("t1", ws)
    report = store.before_shell(1, [Path("out"), conf])
    assert sorted(report.saved) == ["conf.txt", "out/a.txt", "out/keep.txt"]
    # what `sed -i … conf.txt; rm out/a.txt; mkdir -p out/new; echo > out/new/c` would do
    conf.write_text("v2")
    (ws / "out" / "a.txt").unlink()
    _write(ws / "out" / "new" / "c.txt", "c")
    outside_scope.write_text("changed outside the snapshot")
    store.after_action(1)

    result = undo()
    assert result.restored == ["conf.txt"]
    assert result.recreated == ["out/a.txt"]
    assert result.deleted == ["out/new/c.txt", "out/new/"]
    assert conf.read_text() == "v1" and (ws / "out" / "a.txt").read_text() == "a"
    assert not (ws / "out" / "new").exists()
    assert outside_scope.read_text() == "changed outside the snapshot"  # not in scope


def test_whole_workspace_create_modify_delete(ws: Path) -> None:
    _write(ws / "mod.txt", "before")
    _write(ws / "gone" / "g.txt", "g")
    _write(ws / ".git" / "HEAD", "ref: main")
    store = UndoStore("t1", ws)
    report = store.before_shell(1, [])
    assert sorted(report.saved) == ["gone/g.txt", "mod.txt"]  # .git/ left out
    (ws / "mod.txt").write_text("after")
    (ws / "gone" / "g.txt").unlink()
    (ws / "gone").rmdir()
    _write(ws / "made" / "m.txt", "m")
    (ws / ".git" / "HEAD").write_text("ref: other")
    store.after_action(1)
    _write(ws / "later.txt", "made by the user after the task")

    result = undo()
    assert result.restored == ["mod.txt"]
    assert result.recreated == ["gone/", "gone/g.txt"]
    assert result.deleted == ["made/m.txt", "made/"]
    assert result.skipped == []  # later.txt is none of the task's business: not even looked at
    assert (ws / "mod.txt").read_text() == "before" and (ws / "gone" / "g.txt").exists()
    assert (ws / "later.txt").exists() and not (ws / "made").exists()
    assert (ws / ".git" / "HEAD").read_text() == "ref: other"  # .git is not managed


def test_size_limits_skip_with_a_reason_and_restore_nothing_wrongly(ws: Path) -> None:
    big = _write(ws / "big.iso", "x" * 5000)
    small = _write(ws / "small.txt", "s")
    store = UndoStore("t1", ws, max_bytes=1000)
    report = store.before_shell(1, [big, small])
    assert report.saved == ["small.txt"]
    assert report.skipped == [("big.iso", "too large (5 KB > 1000 bytes limit)")]
    assert report.describe() == "undo: kept 1 file; skipped big.iso (too large)"
    big.write_text("y" * 10)
    small.write_text("t")
    store.after_action(1)

    _write(ws / "huge.bin", "h" * 2000)
    whole = store.before_shell(2, [])
    assert whole.saved == [] and whole.skipped[0][0] == "workspace"
    assert whole.skipped == [("workspace", "too large (over the 1000 bytes limit)")]
    store.after_action(2)

    result = undo()
    assert result.restored == ["small.txt"]
    assert result.skipped == [
        ("workspace", "not kept before the action: too large (over the 1000 bytes limit)"),
        ("big.iso", "not kept before the action: too large (5 KB > 1000 bytes limit)"),
    ]
    assert big.read_text() == "y" * 10  # no copy was kept, so it stays as it is


def test_file_count_limit(ws: Path) -> None:
    for i in range(6):
        _write(ws / "d" / f"{i}.txt", str(i))
    report = UndoStore("t1", ws, max_files=5).before_shell(1, [ws / "d"])
    assert report.saved == []
    assert report.skipped == [("d", "too many files (over the 5 file limit)")]


# ---------------------------------------------------------------- multi-step


def _three_steps(ws: Path) -> UndoStore:
    store = UndoStore("t1", ws)
    store.before_file_write(1, ws / "a.txt")
    files.write_file("a.txt", "v1", ws)
    store.after_action(1)
    store.before_file_write(2, ws / "a.txt")
    files.edit_file("a.txt", "v1", "v2", ws)
    store.after_action(2)
    store.before_file_write(3, ws / "b.txt")
    files.write_file("b.txt", "b", ws)
    store.after_action(3)
    return store


def test_all_steps_are_undone_newest_first(ws: Path) -> None:
    assert _three_steps(ws).steps() == [1, 2, 3]
    result = undo()
    assert result.deleted == ["b.txt", "a.txt"] and result.restored == ["a.txt"]
    assert list(ws.iterdir()) == []


def test_one_step_is_refused_while_a_later_step_touched_the_same_file(ws: Path) -> None:
    _three_steps(ws)
    with pytest.raises(LamtuiError, match=r"later step\(s\) 2 changed the same files"):
        undo("t1", step=1)
    assert undo("t1", step=3).deleted == ["b.txt"]  # independent of the others: fine
    assert undo("t1", step=2).restored == ["a.txt"]
    assert (ws / "a.txt").read_text() == "v1"
    assert undo("t1", step=1).deleted == ["a.txt"]
    with pytest.raises(LamtuiError, match="no undo data for step 9"):
        undo("t1", step=9)


def test_undo_twice_is_a_no_op(ws: Path) -> None:
    _three_steps(ws)
    undo()
    (ws / "a.txt").write_text("the user starts again")
    second = undo()
    assert second == RestoreReport(skipped=[("t1", "already undone")])
    assert (ws / "a.txt").read_text() == "the user starts again"
    assert undo("t1", step=2).restored == []


def test_nothing_to_undo_is_an_error() -> None:
    with pytest.raises(LamtuiError, match="nothing to undo"):
        undo()
    with pytest.raises(LamtuiError, match="no undo data for task nope"):
        undo("nope")


def test_corrupt_manifest_is_skipped_not_fatal(ws: Path) -> None:
    _three_steps(ws)
    _step_dir("t1", 3).joinpath("manifest.json").write_text('{"format": 1, "pre": ')
    _step_dir("t1", 2).joinpath("manifest.json").unlink()
    result = undo()
    assert ("step-2", "no complete undo record (interrupted or damaged); ignored") in (
        result.skipped
    )
    assert [path for path, _ in result.skipped] == ["step-2", "step-3", "a.txt"]
    assert result.deleted == []  # a.txt is at v2, not what step 1 left: not deleted
    assert (ws / "b.txt").exists()


def test_interrupted_action_restores_what_existed_and_leaves_new_files(ws: Path) -> None:
    keep = _write(ws / "k.txt", "k")
    store = UndoStore("t1", ws)
    store.before_shell(1, [])
    keep.write_text("changed")
    _write(ws / "new.txt", "n")  # no after_action: lamtui died during the command
    result = undo()
    assert result.restored == ["k.txt"] and result.deleted == []
    assert keep.read_text() == "k"
    # A file that appeared may not be the step's: never deleted without proof.
    assert (ws / "new.txt").exists()
    assert any(path == "step 1" for path, _ in result.skipped)


def test_list_undoable_newest_last(ws: Path) -> None:
    first = UndoStore("older", ws)
    first.before_file_write(1, ws / "x.txt")
    first.after_action(1)
    _three_steps(ws)
    tasks = list_undoable()
    assert [t["task_id"] for t in tasks] == ["older", "t1"]
    t1 = tasks[1]
    assert [s["step"] for s in t1["steps"]] == [1, 2, 3] and t1["pending"] == [1, 2, 3]
    assert t1["files"] == 3 and t1["workspace"] == str(ws)
    json.dumps(tasks)  # the CLI prints it as JSON
    undo("t1", step=3)
    assert list_undoable()[1]["pending"] == [1, 2]


# ------------------------------------------------------------------- symlinks


def test_symlink_is_kept_as_a_link_and_never_followed(ws: Path, tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside.txt", "outside")
    (ws / "link").symlink_to(outside)
    store = UndoStore("t1", ws)
    report = store.before_shell(1, [])
    assert report.saved == ["link"]
    (ws / "link").unlink()
    (ws / "link").write_text("a regular file now")
    store.after_action(1)
    assert undo().restored == ["link"]
    assert os.readlink(ws / "link") == str(outside)
    assert outside.read_text() == "outside"


def test_write_through_a_symlink_to_outside_is_reported(ws: Path, tmp_path: Path) -> None:
    (ws / "link").symlink_to(_write(tmp_path / "outside.txt", "outside"))
    report = UndoStore("t1", ws).before_file_write(1, ws / "link")
    expected = ("link", "a symlink to outside the workspace; its target is not kept")
    assert report.skipped == [expected]


def test_write_through_a_symlink_inside_keeps_the_target(ws: Path) -> None:
    real = _write(ws / "real.txt", "real")
    (ws / "alias").symlink_to("real.txt")
    store = UndoStore("t1", ws)
    assert store.before_file_write(1, ws / "alias").saved == ["alias", "real.txt"]
    files.write_file("alias", "through the link", ws)
    store.after_action(1)
    assert undo().restored == ["real.txt"] and real.read_text() == "real"


def test_directory_swapped_for_a_symlink_is_restored_without_writing_outside(
    ws: Path, tmp_path: Path
) -> None:
    _write(ws / "d" / "f.txt", "inside")
    elsewhere = tmp_path / "elsewhere"
    victim = _write(elsewhere / "f.txt", "must stay")
    store = UndoStore("t1", ws)
    store.before_shell(1, [ws / "d"])
    (ws / "d" / "f.txt").unlink()
    (ws / "d").rmdir()
    (ws / "d").symlink_to(elsewhere)
    store.after_action(1)
    result = undo()
    assert result.restored == ["d/"] and result.recreated == ["d/f.txt"]
    assert (ws / "d").is_dir() and not (ws / "d").is_symlink()
    assert (ws / "d" / "f.txt").read_text() == "inside" and victim.read_text() == "must stay"


# ---------------------------------------------------------------- crash safety

_SNAPSHOT_SCRIPT = """
import sys, time
from pathlib import Path
from lamtui.actions import undo as u

original = u.UndoStore._store_blob
count = 0

def slow(self, path):
    global count
    count += 1
    if count == 25:
        print("halfway", flush=True)
    time.sleep(0.005)
    return original(self, path)

u.UndoStore._store_blob = slow
u.UndoStore("t1", Path(sys.argv[1])).before_shell(2, [])
print("finished", flush=True)
"""


def test_sigkill_mid_snapshot_leaves_the_store_loadable(ws: Path) -> None:
    store = UndoStore("t1", ws)
    store.before_file_write(1, ws / "a.txt")
    files.write_file("a.txt", "from step 1", ws)
    store.after_action(1)
    for i in range(300):
        _write(ws / "tree" / f"{i:03}.bin", f"{i}" * 500)

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SNAPSHOT_SCRIPT, str(ws)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "halfway"
    finally:
        proc.kill()
        proc.wait()
    assert "finished" not in proc.stdout.read()
    assert not _step_dir("t1", 2).joinpath("manifest.json").exists()

    assert store.steps() == [1]
    assert [t["pending"] for t in list_undoable()] == [[1]]
    result = undo()
    assert result.deleted == ["a.txt"] and not (ws / "a.txt").exists()
    assert (ws / "tree" / "000.bin").exists()  # never created by a recorded step


def test_describe_truncates_long_skip_lists() -> None:
    report = SnapshotReport(skipped=[(f"f{i}", "too large (9 MB > 1 MB limit)") for i in range(7)])
    text = report.describe()
    assert text.startswith("undo: skipped f0 (too large), f1 (too large)")
    assert text.endswith("and 2 more")


def test_later_step_too_large_to_snapshot_blocks_undoing_an_earlier_step_alone(ws: Path) -> None:
    store = UndoStore("t1", ws, max_bytes=100)
    store.before_file_write(1, ws / "a.txt")
    files.write_file("a.txt", "v1", ws)
    store.after_action(1)
    _write(ws / "big.bin", "b" * 500)
    assert store.before_shell(2, []).skipped  # the whole workspace did not fit
    store.after_action(2)
    with pytest.raises(LamtuiError, match=r"later step\(s\) 2"):
        undo("t1", step=1)


def test_damaged_blob_is_not_restored(ws: Path) -> None:
    target = _write(ws / "a.txt", "original")
    store = UndoStore("t1", ws)
    store.before_file_write(1, target)
    target.write_text("new")
    store.after_action(1)
    for blob in (get_paths().undo_dir / "t1" / "blobs").iterdir():
        blob.write_text("tampered")
    result = undo()
    assert result.skipped == [("a.txt", "the kept copy is damaged; left as it is")]
    assert target.read_text() == "new" and [p.name for p in ws.iterdir()] == ["a.txt"]


def test_mode_change_is_undone_and_store_inside_workspace_is_not_snapshotted(
    ws: Path,
) -> None:
    script = _write(ws / "run.sh", "echo hi", mode=0o644)
    store = UndoStore("t1", ws, root=ws / ".lamtui-undo")
    assert store.before_shell(1, []).saved == ["run.sh"]
    script.chmod(0o755)
    store.after_action(1)
    assert undo(root=ws / ".lamtui-undo").restored == ["run.sh"]
    assert script.stat().st_mode & 0o777 == 0o644


def test_a_step_number_used_again_after_undo_starts_afresh(ws: Path) -> None:
    store = UndoStore("t1", ws)
    store.before_file_write(1, ws / "a.txt")
    files.write_file("a.txt", "one", ws)
    store.after_action(1)
    undo()
    _write(ws / "a.txt", "user")
    store.before_file_write(1, ws / "a.txt")
    files.write_file("a.txt", "two", ws)
    store.after_action(1)
    assert undo().restored == ["a.txt"] and (ws / "a.txt").read_text() == "user"


# ------------------------------------------------- shell targets as bash expands them


def _run_shell_step(store: UndoStore, step: int, command: str, ws: Path) -> SnapshotReport:
    """What the agent does for a shell action: the classifier's targets, the snapshot,
    bash, the record after it."""
    from lamtui.safety.risk import classify_command

    targets = [Path(p) for p in classify_command(command, ws).writes]
    report = store.before_shell(step, targets)
    subprocess.run(["bash", "-c", command], cwd=ws, check=True)
    store.after_action(step)
    return report


def test_sed_in_place_over_a_glob_is_undone(ws: Path) -> None:
    a = _write(ws / "src" / "a.py", "a = 'a'\n")
    b = _write(ws / "src" / "b.py", "b = 'a'\n")
    other = _write(ws / "src" / "c.txt", "a\n")
    report = _run_shell_step(UndoStore("t1", ws), 1, "sed -i 's/a/b/' src/*.py", ws)
    assert report.complete and sorted(report.saved) == ["src/a.py", "src/b.py"]
    assert a.read_text() == "b = 'a'\n" and b.read_text() == "b = 'b'\n"
    result = undo()
    assert sorted(result.restored) == ["src/a.py", "src/b.py"] and not result.skipped
    assert a.read_text() == "a = 'a'\n" and b.read_text() == "b = 'a'\n"
    assert other.read_text() == "a\n"


def test_sed_backups_are_undone_with_the_edit(ws: Path) -> None:
    conf = _write(ws / "d" / "app.conf", "port=1\n")
    old = _write(ws / "d" / "app.conf.orig", "an older backup\n")  # overwritten by sed
    report = _run_shell_step(UndoStore("t1", ws), 1, "sed -i.orig s/1/2/ d/app.conf", ws)
    assert report.complete and sorted(report.saved) == ["d/app.conf", "d/app.conf.orig"]
    assert old.read_text() == "port=1\n"
    _run_shell_step(UndoStore("t1", ws), 2, "cd d && sed -i'bak_*' s/2/3/ app.conf", ws)
    assert (ws / "d" / "bak_app.conf").exists()
    undo()
    assert not (ws / "d" / "bak_app.conf").exists()  # created by step 2: deleted
    undo()
    assert conf.read_text() == "port=1\n" and old.read_text() == "an older backup\n"


def test_braces_and_globs_in_a_subdirectory_after_cd(ws: Path) -> None:
    x = _write(ws / "d" / "x.conf", "x\n")
    y = _write(ws / "d" / "y.conf", "y\n")
    command = "cd d && sed -i 's/$/!/' {x,y}.conf && touch new{1..2}.txt"
    report = _run_shell_step(UndoStore("t1", ws), 1, command, ws)
    assert report.complete, report
    assert x.read_text() == "x!\n" and (ws / "d" / "new2.txt").exists()
    result = undo()
    assert sorted(result.restored) == ["d/x.conf", "d/y.conf"]
    assert sorted(result.deleted) == ["d/new1.txt", "d/new2.txt"]
    assert x.read_text() == "x\n" and y.read_text() == "y\n"


def test_redirection_over_an_existing_file_is_undone(ws: Path) -> None:
    _write(ws / "x", "b\na\n")
    out = _write(ws / "out.txt", "precious\n")
    report = _run_shell_step(UndoStore("t1", ws), 1, "sort x > out.txt", ws)
    assert report.complete and report.saved == ["out.txt"]
    assert out.read_text() == "a\nb\n"
    assert undo().restored == ["out.txt"] and out.read_text() == "precious\n"


def test_glob_redirection_target_is_expanded(ws: Path) -> None:
    log = _write(ws / "only.log", "keep\n")
    report = _run_shell_step(UndoStore("t1", ws), 1, "echo over > *.log", ws)
    assert "only.log" in report.saved and log.read_text() == "over\n"
    assert undo().restored == ["only.log"] and log.read_text() == "keep\n"


def test_a_target_that_cannot_be_placed_is_reported(ws: Path) -> None:
    _write(ws / "a.py", "a\n")
    store = UndoStore("t1", ws)
    for step, target in enumerate(["$f", f"{ws}/{{}}", "<input>"], 1):
        report = store.before_shell(step, [Path(target)])
        assert not report.complete and report.saved == [], target
        store.after_action(step)


def test_a_glob_naming_too_many_files_is_reported(ws: Path) -> None:
    for i in range(6):
        _write(ws / f"{i}.txt", str(i))
    report = UndoStore("t1", ws, max_files=5).before_shell(1, [ws / "*.txt"])
    assert report.skipped == [("*.txt", "names more than 5 files")]


def test_a_pattern_matching_a_link_keeps_what_it_points_to(ws: Path) -> None:
    real = _write(ws / "data" / "real.txt", "real\n")
    (ws / "alias.txt").symlink_to("data/real.txt")
    report = _run_shell_step(UndoStore("t1", ws), 1, "echo over | tee *.txt", ws)
    assert report.complete and "data/real.txt" in report.saved
    assert real.read_text() == "over\n"
    assert undo().restored == ["data/real.txt"] and real.read_text() == "real\n"


def test_a_pattern_reaching_outside_through_a_link_is_reported(ws: Path, tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside" / "t.conf", "outside\n")
    (ws / "evil.conf").symlink_to(outside)
    (ws / "linkdir").symlink_to(tmp_path / "outside")
    store = UndoStore("t1", ws)
    for step, command in enumerate(["echo x > *.conf", "echo x > link*/t.conf"], 1):
        report = _run_shell_step(store, step, command, ws)
        assert not report.complete and report.unsafe, command
        assert report.unsafe[0][0] == str(outside)
        assert "outside the workspace" in report.describe()
    assert outside.read_text() == "x\n"
    assert undo().restored == [str(outside)]  # kept all the same, so undo can put it back
    assert outside.read_text() == "outside\n"


def test_a_hard_linked_target_is_not_all_undoable(ws: Path, tmp_path: Path) -> None:
    other = _write(tmp_path / "elsewhere.txt", "shared\n")
    os.link(other, ws / "h.txt")
    report = UndoStore("t1", ws).before_shell(1, [ws / "h.txt"])
    assert report.saved == ["h.txt"] and not report.complete
    assert report.unsafe == [("h.txt", "2 hard links; its other names cannot be put back")]
