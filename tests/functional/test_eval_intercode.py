"""The InterCode-Bash suite: loading, fixtures, root rewriting, skips, and gold commands run
for real in twin sandboxes (inside bwrap, so a wrong command cannot touch this machine)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lamtui.actions.sandbox import bwrap_prefix, sandbox_status
from lamtui.errors import LamtuiError
from lamtui.eval.fsdiff import changes, hashes_of, snapshot
from lamtui.eval.intercode import (
    CURATED_SKIPS,
    InterCodeSuite,
    _check_member,
    command_words,
    rewrite,
    skip_reason,
)
from lamtui.eval.scoring import three_part_score
from lamtui.eval.suite import ROOT_TOKEN, EvalTask, Evidence

SUITE = InterCodeSuite()
ROOT = Path("/tmp/sbx-1")
# A bare fixture root where a path starts: what rewriting must leave none of.
BARE = re.compile(r"(?:^|[\s'\"=(<>#:@,;|`])/(testbed|system|workspace|backup|index\.html)\b")

needs_bwrap = pytest.mark.skipif(
    not sandbox_status().available, reason="gold commands run only inside bwrap"
)


def task(task_id: str) -> EvalTask:
    return next(t for t in SUITE.tasks() if t.id == task_id)


# --- loading -------------------------------------------------------------------------------


def test_loads_all_200_tasks_in_four_splits() -> None:
    sizes = {split: len(SUITE.tasks(split)) for split in SUITE.splits}
    assert sizes == {"fs_1": 60, "fs_2": 53, "fs_3": 60, "fs_4": 27}
    every = SUITE.tasks()
    assert len(every) == 200
    assert len({t.id for t in every}) == 200
    first = every[0]
    assert (first.id, first.split, first.suite) == ("fs_1-01", "fs_1", "intercode-bash")
    assert first.query.startswith("Calculate a list of duplicate md5 sum hashes")
    assert first.gold == "md5sum /testbed/*.java | awk '{print $1}' | sort | uniq -d"
    assert SUITE.tasks("fs_4")[-1].id == "fs_4-27"


def test_unknown_split_is_an_error() -> None:
    with pytest.raises(LamtuiError, match="unknown InterCode split 'fs_9'"):
        SUITE.tasks("fs_9")


# --- setup ---------------------------------------------------------------------------------


def test_setup_extracts_with_mtimes_and_modes(tmp_path: Path) -> None:
    SUITE.setup(task("fs_1-01"), tmp_path)
    recent = tmp_path / "testbed" / "recent.txt"
    assert datetime.fromtimestamp(recent.stat().st_mtime, UTC).year == 2023
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "testbed" / "dir1" / "subdir1" / "shellscript1.sh").stat().st_mode & 0o111


def test_setup_keeps_unusual_permissions(tmp_path: Path) -> None:
    SUITE.setup(task("fs_3-10"), tmp_path)
    assert (tmp_path / "workspace/dir1/all.txt").stat().st_mode & 0o777 == 0o777
    assert (tmp_path / "workspace/dir1/readonly.txt").stat().st_mode & 0o777 == 0o400
    assert (tmp_path / "backup" / "file.txt").is_file()


def test_setup_fs_4_has_no_fixture(tmp_path: Path) -> None:
    SUITE.setup(task("fs_4-07"), tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "kind", "linkname", "message"),
    [
        ("../evil", tarfile.REGTYPE, "", "outside the sandbox"),
        ("/etc/evil", tarfile.REGTYPE, "", "outside the sandbox"),
        ("testbed/l", tarfile.SYMTYPE, "../../etc/passwd", "points outside"),
        ("testbed/l", tarfile.SYMTYPE, "/etc/passwd", "points outside"),
        ("testbed/h", tarfile.LNKTYPE, "../x", "points outside"),
        ("testbed/dev", tarfile.CHRTYPE, "", "not a file"),
    ],
)
def test_escaping_members_are_refused(
    tmp_path: Path, name: str, kind: bytes, linkname: str, message: str
) -> None:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, linkname
    with pytest.raises(LamtuiError, match=message):
        _check_member(member, str(tmp_path))


def test_members_inside_are_accepted(tmp_path: Path) -> None:
    member = tarfile.TarInfo("testbed/l")
    member.type, member.linkname = tarfile.SYMTYPE, "../index.html"
    _check_member(member, str(tmp_path))  # no error


# --- rewriting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/testbed", "/tmp/sbx-1/testbed"),
        ("find /testbed/x -name y", "find /tmp/sbx-1/testbed/x -name y"),
        ('ls "/testbed"', 'ls "/tmp/sbx-1/testbed"'),
        ("grep -r x '/system/folder1'", "grep -r x '/tmp/sbx-1/system/folder1'"),
        ("cat /index.html", "cat /tmp/sbx-1/index.html"),
        ("in the /workspace.", "in the /tmp/sbx-1/workspace."),
        ("-C /backup", "-C /tmp/sbx-1/backup"),
        ("comm <(ls /testbed/dir1)", "comm <(ls /tmp/sbx-1/testbed/dir1)"),
        ("sed 's#/testbed/dir1/##'", "sed 's#/tmp/sbx-1/testbed/dir1/##'"),
        (
            "x=/system; y=/system:/backup",
            "x=/tmp/sbx-1/system; y=/tmp/sbx-1/system:/tmp/sbx-1/backup",
        ),
        ("cd $(echo /system)", "cd $(echo /tmp/sbx-1/system)"),
        # not a fixture root where a path starts
        ("/foo/system", "/foo/system"),
        ("/testbedx", "/testbedx"),
        ("/backup1.tar", "/backup1.tar"),
        ("/index.htmlx", "/index.htmlx"),
        ("http://x/system", "http://x/system"),
        ("http://system", "http://system"),
        ("~/workspace", "~/workspace"),
        ("$HOME/testbed", "$HOME/testbed"),
        ("testbed/dir1", "testbed/dir1"),
        ("the testbed directory", "the testbed directory"),
        ("/testbed-old", "/testbed-old"),
    ],
)
def test_rewrite_table(text: str, expected: str) -> None:
    assert rewrite(text, ROOT) == expected


def test_rewrite_refuses_roots_that_need_quoting() -> None:
    with pytest.raises(LamtuiError, match="quoted"):
        rewrite("/testbed", Path("/tmp/my sandbox"))


@pytest.mark.parametrize("item", SUITE.tasks(), ids=lambda t: t.id)
def test_every_query_and_gold_is_fully_rewritten(item: EvalTask) -> None:
    for original, rewritten in (
        (item.query, SUITE.request(item, ROOT)),
        (item.gold, SUITE.gold_command(item, ROOT)),
    ):
        assert original is not None and rewritten is not None
        assert not BARE.search(rewritten), rewritten
        # every bare root became exactly one rooted path; nothing else changed
        assert rewritten.count(f"{ROOT}/") == len(BARE.findall(original))
        assert rewritten.replace(str(ROOT), "") == original


# --- skips ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("cd $(which python | xargs dirname)", ["cd", "which", "xargs", "dirname"]),
        ("ls -ald `which c++`", ["ls", "which"]),
        ("comm -23 <(sort a | uniq) <(sort b) | head -1", ["comm", "sort", "uniq", "sort", "head"]),
        ("find . \\( -name a.out -o -name '*.o' \\) -exec rm {} \\;", ["find", "rm"]),
        ("find . -print0 | xargs -0 -I{} cp -R {} /t", ["find", "xargs", "cp"]),
        ("find . | xargs -n 1 -P 4 gzip", ["find", "xargs", "gzip"]),
        ("find . | xargs", ["find", "xargs", "echo"]),
        ('echo $(date) "1" | tee -a f', ["echo", "date", "tee"]),
        ("a=$(dig +short g | head -n 1) && echo $a", ["dig", "head", "echo"]),
        ("find . -exec sh -c 'mv \"$0\" x' {} \\;", ["find", "sh", "mv"]),
        ("sudo rm -rf x", ["sudo", "rm"]),
        ("sed 's/^/$(hostname): /' f", ["sed"]),  # single-quoted: not a substitution
        ("grep -v -c '^$' f | wc -l", ["grep", "wc"]),
    ],
)
def test_command_words(command: str, words: list[str]) -> None:
    assert command_words(command) == words


def test_skip_reasons() -> None:
    assert skip_reason("curl http://example.com -o x") == "needs the network (curl)"
    assert skip_reason("echo x | sudo tee /f") == "needs root (sudo)"
    assert skip_reason("ls | no-such-program-here") == (
        "needs `no-such-program-here`, which is not installed here"
    )
    assert skip_reason("find /system -name x | xargs -0 -n1 /system") == ""  # a fixture dir
    assert skip_reason("find . -name '*.c' -exec wc -l {} \\;") == ""


def test_skipped_tasks_per_split() -> None:
    for split, network in (("fs_2", {"fs_2-50"}), ("fs_4", {"fs_4-02", "fs_4-13", "fs_4-20"})):
        skipped = {t.id for t in SUITE.tasks(split) if t.skip.startswith("needs the network")}
        assert skipped == network
    assert task("fs_1-46").skip == "writes outside the sandbox (/backup1.tar)"
    assert set(CURATED_SKIPS) <= {t.id for t in SUITE.tasks() if t.skip}
    for tool, task_id in (("tree", "fs_2-03"), ("cal", "fs_4-24"), ("rename", "fs_2-10")):
        assert bool(task(task_id).skip) == (shutil.which(tool) is None)
    runnable = [t for t in SUITE.tasks() if not t.skip]
    assert len(runnable) >= 150  # skipping is the exception


# --- running gold commands in twin sandboxes -----------------------------------------------


def run(item: EvalTask, root: Path, command: str | None = None) -> Evidence:
    """Set up `root`, run the (rewritten gold) command in bwrap, collect the evidence."""
    root.mkdir(parents=True)
    SUITE.setup(item, root)
    before = snapshot(root)
    command = command if command is not None else SUITE.gold_command(item, root)
    assert command is not None
    proc = subprocess.run(
        [*bwrap_prefix(root), "bash", "-c", command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=60,
    )
    after = snapshot(root)
    diff = changes(before, after)
    output = proc.stdout.decode(errors="replace").replace(str(root), ROOT_TOKEN)
    return Evidence(root, diff, hashes_of(after, diff), output, proc.returncode)


def twins(
    item: EvalTask, tmp_path: Path, agent_command: str | None = None
) -> tuple[Evidence, Evidence]:
    # Different path lengths on purpose: nothing may depend on where a sandbox lives.
    agent_root, gold_root = tmp_path / "agent", tmp_path / "gold-twin"
    command = rewrite(agent_command, agent_root) if agent_command is not None else None
    return run(item, agent_root, command), run(item, gold_root)


SAMPLES = [
    "fs_1-01", "fs_1-09", "fs_1-16", "fs_1-48", "fs_1-55",
    "fs_2-06", "fs_2-13", "fs_2-44", "fs_2-47",
    "fs_3-08", "fs_3-30", "fs_3-39", "fs_3-59",
    "fs_4-07", "fs_4-09", "fs_4-21",
]  # fmt: skip


@needs_bwrap
@pytest.mark.parametrize("task_id", SAMPLES)
def test_gold_matches_its_twin(task_id: str, tmp_path: Path) -> None:
    item = task(task_id)
    assert not item.skip
    agent, gold = twins(item, tmp_path, item.gold)
    verdict = SUITE.judge(item, agent, gold)
    assert verdict.success, verdict.reasons
    assert "agent" not in agent.output and "gold-twin" not in gold.output


@needs_bwrap
def test_gold_that_deletes_shows_real_changes(tmp_path: Path) -> None:
    item = task("fs_1-48")  # deletes old files in testbed/.../tmp
    agent, gold = twins(item, tmp_path, item.gold)
    assert gold.changes == {"testbed/dir3/subdir1/subsubdir1/tmp/tmp.txt": "deleted"}
    assert three_part_score(agent, gold).success


@needs_bwrap
def test_doing_nothing_fails_on_files(tmp_path: Path) -> None:
    verdict = SUITE.judge(task("fs_1-48"), *twins(task("fs_1-48"), tmp_path, "true"))
    assert not verdict.success
    assert verdict.parts["files"] is False
    assert verdict.reasons == [
        "the gold command deleted testbed/dir3/subdir1/subsubdir1/tmp/tmp.txt; the agent did not"
    ]


@needs_bwrap
def test_deleting_in_a_read_only_task_fails_on_files(tmp_path: Path) -> None:
    item = task("fs_1-21")  # count lines of *.c files
    verdict = SUITE.judge(item, *twins(item, tmp_path, "rm /testbed/hello.c; echo 3"))
    assert verdict.parts["files"] is False
    assert "the agent deleted testbed/hello.c; the gold command did not" in verdict.reasons


@needs_bwrap
def test_wrong_content_fails_on_hashes(tmp_path: Path) -> None:
    item = task("fs_2-44")  # concatenate all .txt files into folder3/temp/empty.txt
    agent_cmd = "echo wrong > /system/folder3/temp/empty.txt"
    verdict = SUITE.judge(item, *twins(item, tmp_path, agent_cmd))
    assert verdict.parts["files"] is True
    assert verdict.parts["hashes"] is False
    assert "system/folder3/temp/empty.txt differs from the gold command's result" in (
        verdict.reasons
    )
    assert not verdict.success


@needs_bwrap
def test_wrong_output_fails_on_output(tmp_path: Path) -> None:
    item = task("fs_1-21")
    verdict = SUITE.judge(item, *twins(item, tmp_path, "echo 999"))
    assert verdict.parts["files"] is True and verdict.parts["hashes"] is True
    assert verdict.parts["output"] < 1
    assert not verdict.success


def test_judge_without_gold_fails() -> None:
    ev = Evidence(Path("/x"), {}, {}, "")
    verdict = SUITE.judge(task("fs_1-01"), ev, None)
    assert not verdict.success
    assert "no gold" in verdict.reasons[0]


@needs_bwrap
def test_every_runnable_gold_matches_its_twin(tmp_path: Path) -> None:
    """What justifies the skip list: every task not skipped has a gold command that runs
    here without touching anything outside its sandbox and reproduces in a twin."""
    failures = []
    for item in SUITE.tasks():
        if item.skip:
            continue
        agent, gold = twins(item, tmp_path / item.id, item.gold)
        verdict = three_part_score(agent, gold)
        if not verdict.success or "Read-only file system" in gold.output:
            failures.append(f"{item.id}: {verdict.reasons or gold.output[:200]}")
    assert failures == []
