"""tfidf_cosine, the file-system diff and InterCode's three-part score, without any shell."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from lamtui.eval.fsdiff import changes, hashes_of, snapshot
from lamtui.eval.scoring import tfidf_cosine, three_part_score
from lamtui.eval.suite import ROOT_TOKEN, Evidence

# --- tfidf_cosine -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("hello world", "hello world", 1.0),
        ("world hello\nhello", "Hello HELLO world", 1.0),  # a bag of tokens, case-folded
        ("", "", 1.0),
        ("a b c", "", 0.0),  # one-character words are tokens (unlike sklearn's default):
        ("3\n", "", 0.0),  # an agent that printed nothing must not match a one-digit answer
        ("3", "4", 0.0),
        ("3\n", " 3", 1.0),
        ("---\n", "---", 1.0),  # no word characters: compared as text
        ("---", "+++", 0.0),
        ("12 files", "", 0.0),
        ("", "12 files", 0.0),
        ("alpha beta", "gamma delta", 0.0),
    ],
)
def test_tfidf_cosine_table(a: str, b: str, expected: float) -> None:
    assert tfidf_cosine(a, b) == pytest.approx(expected)


def test_tfidf_cosine_matches_sklearn_formula() -> None:
    # sklearn: idf = ln((1 + n) / (1 + df)) + 1 with n = 2; "hello" is in both, the rest
    # in one, so the cosine is 1 / (1 + idf_rare**2).
    rare = math.log(3 / 2) + 1
    assert tfidf_cosine("hello world", "hello there") == pytest.approx(1 / (1 + rare**2))


def test_tfidf_cosine_counts_repeats() -> None:
    assert tfidf_cosine("ok ok ok fail", "ok fail") < 1 - 1e-3


# --- fsdiff --------------------------------------------------------------------------------


def _tree(root: Path) -> None:
    (root / "d" / "sub").mkdir(parents=True)
    (root / "d" / "a.txt").write_text("alpha\n")
    (root / "run.sh").write_text("echo hi\n")
    (root / "run.sh").chmod(0o755)
    (root / "link").symlink_to("d/a.txt")


def test_snapshot_lists_files_dirs_and_links(tmp_path: Path) -> None:
    _tree(tmp_path)
    snap = snapshot(tmp_path)
    assert set(snap) == {"d", "d/sub", "d/a.txt", "run.sh", "link"}
    assert snap["d"].startswith("dir:")
    assert snap["link"] == "link:d/a.txt"
    assert snap["run.sh"].endswith(":0755")
    assert snap["d/a.txt"].startswith("file:")


def test_snapshot_does_not_follow_links_out_of_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "secret").mkdir(parents=True)
    (outside / "secret" / "f").write_text("x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "escape").symlink_to(outside)
    assert snapshot(root) == {"escape": f"link:{outside}"}


def test_changes_added_modified_deleted(tmp_path: Path) -> None:
    _tree(tmp_path)
    before = snapshot(tmp_path)
    (tmp_path / "d" / "a.txt").write_text("changed\n")
    (tmp_path / "run.sh").chmod(0o644)  # permissions alone count as a modification
    (tmp_path / "d" / "sub").rmdir()
    (tmp_path / "new.txt").write_text("")
    after = snapshot(tmp_path)
    diff = changes(before, after)
    assert diff == {
        "d/a.txt": "modified",
        "d/sub": "deleted",
        "new.txt": "added",
        "run.sh": "modified",
    }
    hashes = hashes_of(after, diff)
    assert set(hashes) == {"d/a.txt", "new.txt", "run.sh"}  # deleted paths have none
    assert changes(after, after) == {}


def test_adding_a_file_does_not_modify_its_directory(tmp_path: Path) -> None:
    _tree(tmp_path)
    before = snapshot(tmp_path)
    (tmp_path / "d" / "b.txt").write_text("b")
    assert changes(before, snapshot(tmp_path)) == {"d/b.txt": "added"}


def test_same_content_at_different_roots_hashes_the_same(tmp_path: Path) -> None:
    # A file listing absolute paths must hash the same in twin sandboxes.
    twins = [tmp_path / "one", tmp_path / "twin-two"]
    for root in twins:
        root.mkdir()
        (root / "list.txt").write_text(f"{root}/a\n{root}/b\n")
    a, b = (snapshot(root) for root in twins)
    assert a == b
    (twins[1] / "list.txt").write_text(f"{twins[1]}/a\n")
    assert snapshot(twins[1]) != a


def test_snapshot_keeps_access_times(tmp_path: Path) -> None:
    _tree(tmp_path)
    target = tmp_path / "d" / "a.txt"
    os.utime(target, (1_000_000_000, 1_000_000_000))
    snapshot(tmp_path)
    assert target.stat().st_atime == 1_000_000_000


def test_snapshot_skips_fifos_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    assert snapshot(tmp_path)["pipe"].startswith("other:")


# --- three_part_score ----------------------------------------------------------------------


def _evidence(
    changes: dict[str, str] | None = None, hashes: dict[str, str] | None = None, output: str = ""
) -> Evidence:
    return Evidence(Path("/x"), changes or {}, hashes or {}, output)


def test_identical_evidence_succeeds() -> None:
    ev = _evidence({"a.txt": "modified"}, {"a.txt": "file:1:0644"}, f"{ROOT_TOKEN}/a.txt 3")
    verdict = three_part_score(ev, ev)
    assert verdict.success
    assert verdict.parts == {"files": True, "hashes": True, "output": pytest.approx(1.0)}
    assert verdict.reasons == []


def test_missing_deletion_fails_files() -> None:
    gold = _evidence({"testbed/a.txt": "deleted"})
    verdict = three_part_score(_evidence(), gold)
    assert not verdict.success
    assert verdict.parts["files"] is False
    assert verdict.parts["hashes"] is True
    assert verdict.reasons == ["the gold command deleted testbed/a.txt; the agent did not"]


def test_extra_and_different_kind_changes_are_reported() -> None:
    agent = _evidence({"x": "added", "y": "modified"}, {"x": "h", "y": "h"})
    gold = _evidence({"y": "deleted"})
    verdict = three_part_score(agent, gold)
    assert verdict.parts["files"] is False
    assert "the agent added x; the gold command did not" in verdict.reasons
    assert "the gold command deleted y; the agent modified it" in verdict.reasons


def test_different_content_fails_hashes_only() -> None:
    agent = _evidence({"out.txt": "added"}, {"out.txt": "file:aaa:0644"})
    gold = _evidence({"out.txt": "added"}, {"out.txt": "file:bbb:0644"})
    verdict = three_part_score(agent, gold)
    assert not verdict.success
    assert verdict.parts["files"] is True
    assert verdict.parts["hashes"] is False
    assert verdict.reasons == ["out.txt differs from the gold command's result"]


def test_different_output_fails_output_only() -> None:
    verdict = three_part_score(_evidence(output="7 files"), _evidence(output="12 files"))
    assert not verdict.success
    assert verdict.parts["files"] is True and verdict.parts["hashes"] is True
    assert 0 < verdict.parts["output"] < 1
    assert verdict.reasons[0].startswith("the output differs from the gold output")


def test_output_in_another_order_still_succeeds() -> None:
    verdict = three_part_score(_evidence(output="b.txt\na.txt\n"), _evidence(output="a.txt b.txt"))
    assert verdict.success
