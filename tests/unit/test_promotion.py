"""Guarded promotion: an adapter becomes the default only after a completed evaluation on
the same slice that beats the default's; a falling or equal score, an incomplete
evaluation, another slice, or a default switched meanwhile keep the default as it is.
`lamtui models use` switches by hand (rolling back is the same command) and `lamtui
models lineage` shows base → adapter → adapter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtui.cli import main
from lamtui.lam import adapters
from lamtui.lam.adapters import entry_adapter, set_default, shipped_adapter_dir
from lamtui.lam.catalog import entry_path, get_entry
from lamtui.train.manifest import write_manifest
from lamtui.train.promotion import SliceScore, decide, promote
from tests.gguf_files import make_gguf

ENTRY = "gemma3-270m-lam"
SHIPPED = shipped_adapter_dir() / "lamtui-gemma3-270m-lam.gguf"


def _score(passed: int, judged: int = 10, completed: bool = True, slice_: str = "s") -> SliceScore:
    return SliceScore(slice_, 10, judged, passed, completed)


def _adapter(folder: Path, name: str, **manifest: object) -> Path:
    path = make_gguf(folder / f"{name}.gguf", name="adapter")
    write_manifest(
        path, {"name": name, "base": {"file": "b.gguf", "sha256": "ab" * 32}, **manifest}
    )
    return path


def test_decide_needs_a_completed_evaluation_that_beats_the_default() -> None:
    assert decide(_score(5), _score(3)).promote
    assert not decide(_score(5, completed=False), _score(3)).promote  # interrupted
    assert not decide(None, _score(3)).promote  # never evaluated
    assert not decide(_score(5), None).promote  # nothing measured to beat
    assert not decide(_score(5), _score(3, completed=False)).promote
    falls = decide(_score(2), _score(3))
    assert not falls.promote and falls.reason.startswith("worse: 2/10")
    assert not decide(_score(3), _score(3)).promote  # no gain is not better
    assert not decide(_score(5, slice_="a"), _score(3, slice_="b")).promote
    assert not decide(_score(0, judged=0), _score(0, judged=0)).promote


def test_promotion_without_a_completed_evaluation_never_happens(tmp_path: Path) -> None:
    entry = get_entry(ENTRY)
    candidate = _adapter(tmp_path, "cand")
    before = entry_adapter(entry)
    assert before == SHIPPED
    for score in (None, _score(9, completed=False)):
        verdict = promote(entry, candidate, score, SHIPPED, _score(1))
        assert not verdict.promote and "did not complete" in verdict.reason
    assert entry_adapter(entry) == SHIPPED and not adapters.default_file().exists()


def test_promotion_is_refused_when_the_score_falls(tmp_path: Path) -> None:
    entry = get_entry(ENTRY)
    candidate = _adapter(tmp_path, "cand")
    verdict = promote(entry, candidate, _score(2), SHIPPED, _score(4))
    assert not verdict.promote and "worse" in verdict.reason
    assert entry_adapter(entry) == SHIPPED


def test_a_better_completed_evaluation_promotes_and_the_catalog_follows(tmp_path: Path) -> None:
    entry = get_entry(ENTRY)
    candidate = _adapter(tmp_path, "cand")
    verdict = promote(entry, candidate, _score(6), SHIPPED, _score(4))
    assert verdict.promote
    assert entry_adapter(entry) == candidate.resolve() == entry_path(entry)
    recorded = adapters.read_defaults()[ENTRY]
    assert recorded["score"]["passed"] == 6 and recorded["replaced"] == "shipped"
    # A second candidate measured against the shipped adapter, not the default now.
    other = _adapter(tmp_path, "other")
    stale = promote(entry, other, _score(9), SHIPPED, _score(4))
    assert not stale.promote and "no longer" in stale.reason
    assert entry_adapter(entry) == candidate.resolve()


def test_a_promoted_adapter_that_was_deleted_falls_back_to_the_shipped_one(
    tmp_path: Path,
) -> None:
    candidate = _adapter(tmp_path, "cand")
    set_default(ENTRY, candidate)
    candidate.unlink()
    assert entry_adapter(get_entry(ENTRY)) == SHIPPED
    adapters.default_file().write_text("{torn")
    assert entry_adapter(get_entry(ENTRY)) == SHIPPED


def test_models_lineage_shows_base_adapter_adapter(
    tmp_path: Path, lamtui_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = lamtui_home / "data" / "train" / "explore" / "r" / "round-001" / "train"
    parent = {"name": SHIPPED.stem, "path": str(SHIPPED), "score": _score(1).to_dict()}
    child = _adapter(
        runs,
        "explore-r-r1",
        scores={"pool-validation": "3/10 (30.0%)"},
        lineage={"parent": parent, "round": 1, "kept": True, "promoted": True,
                 "data_added": {"attempted": 20, "verified": 4, "added": 4}},
    )  # fmt: skip
    beside = {"parent": {**parent, "path": str(child)}, "round": 2, "kept": False,
              "data_added": {"attempted": 20, "verified": 1, "added": 1}}  # fmt: skip
    _adapter(runs, "explore-r-r2", scores={"pool-validation": "2/10 (20.0%)"}, lineage=beside)
    set_default(ENTRY, child)
    assert main(["models", "lineage"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index(
        next(line for line in out if line.endswith(SHIPPED.stem + "  validation 1/10 (10.0%)"))
    )
    assert "explore-r-r1  +4 examples (4 verified of 20 attempted)  validation 3/10" in out[at + 1]
    assert out[at + 1].endswith("kept  DEFAULT of gemma3-270m-lam")
    assert out[at + 2].startswith("      └─ explore-r-r2  +1 examples")
    assert "kept beside" in out[at + 2]
    assert main(["models", "lineage", "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)["lineage"]
    shipped = next(n for n in tree if n["adapter"] == SHIPPED.stem)
    assert shipped["children"][0]["default_of"] == [ENTRY]
    assert shipped["children"][0]["children"][0]["adapter"] == "explore-r-r2"


def test_models_use_switches_and_rolls_back_in_one_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "use", "no-such-adapter"]) == 2
    assert "no adapter named" in capsys.readouterr().err
    assert main(["models", "use", ENTRY]) == 0  # already the shipped one: says so
    assert entry_adapter(get_entry(ENTRY)) == SHIPPED
    out = capsys.readouterr().out
    assert "shipped adapter" in out
