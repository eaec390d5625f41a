"""Preference pairs (issue 15, phase 4) from a real scripted session: the real Agent, the
real gate, real shell runs, the real trajectory file, then train.preferences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtui.agent.events import Decision
from lamtui.record.jsonl import ReadReport
from lamtui.record.trajectory import load_trajectories, trajectories_file
from lamtui.safety.secrets import SecretStore
from lamtui.train.preferences import (
    MIN_PAIRS_FOR_PREFERENCE,
    PreferencePair,
    choose_method,
    pairs_from_trajectories,
    write_pairs,
)
from tests.functional.agent_helpers import (
    ScriptedApprover,
    act,
    finish,
    plan,
    rejection_and_edit_session,
    run_agent,
    shell,
)

CANARY = "canary-7f3a9c1e5b"


def test_a_rejection_and_an_edit_make_two_pairs(tmp_path: Path) -> None:
    rejection_and_edit_session(tmp_path)
    pairs = list(pairs_from_trajectories())
    by_kind = {pair.kind: pair for pair in pairs}
    assert sorted(by_kind) == ["edit", "next"] and len(pairs) == 2
    nxt, edit = by_kind["next"], by_kind["edit"]
    assert json.loads(nxt.rejected)["args"]["command"] == "cat big.txt"
    assert json.loads(nxt.chosen)["args"]["command"] == "head -n 5 big.txt"
    assert nxt.reason == "do not cat huge files; use head"
    assert json.loads(edit.rejected)["args"]["command"] == "ls -la"
    assert json.loads(edit.chosen)["args"]["command"] == "ls -1"
    # The prompt is the conversation up to the proposal: it ends on a user turn, and the
    # edit's prompt holds the earlier rejection (with its reason) as the model saw it.
    assert nxt.prompt[-1].role == "user" and edit.prompt[-1].role == "user"
    assert "cat big.txt" not in "".join(m.content for m in nxt.prompt)
    later = "".join(m.content for m in edit.prompt)
    assert "head -n 5 big.txt" in later
    # Written and read back as the same pairs.
    out = tmp_path / "pairs.jsonl"
    assert write_pairs(pairs + pairs, out) == 2
    again = [PreferencePair.from_dict(json.loads(line)) for line in out.read_text().splitlines()]
    assert again == pairs


def test_a_gate_denial_is_not_a_preference(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    replies = [plan("Hook"), act("write_file", path=".git/hooks/x", content="x"), shell("ls"),
               finish("done")]  # fmt: skip
    run_agent(replies, tmp_path, ScriptedApprover())
    steps = next(iter(load_trajectories()))["steps"]
    assert steps[0]["decision"]["by"] == "gate"  # the premise: the gate denied it
    assert list(pairs_from_trajectories()) == []


def test_a_corrupt_line_is_skipped_and_counted(tmp_path: Path) -> None:
    rejection_and_edit_session(tmp_path)
    with trajectories_file().open("a") as handle:
        handle.write("{not json\n")
    rejection_and_edit_session(tmp_path)  # a second task: its pairs are its own
    report = ReadReport()
    pairs = list(pairs_from_trajectories(report=report))
    assert len(pairs) == 4 and report.skipped == 1


def test_the_canary_secret_is_in_no_pair(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(f"token {CANARY}\n" * 400)
    approver = ScriptedApprover([Decision("reject", by="user", reason=f"not {CANARY}")])
    replies = [
        plan("Show"),
        shell(f"grep -c {CANARY} big.txt"),
        shell("head -n 2 big.txt"),
        finish("shown"),
    ]
    run_agent(replies, tmp_path, approver)
    store = SecretStore("file")
    store.set("TOKEN", CANARY)  # added after the session: redacted again when pairs are built
    out = tmp_path / "pairs.jsonl"
    pairs = list(pairs_from_trajectories(redactor=store.redactor()))
    assert pairs and write_pairs(pairs, out) == len(pairs)
    assert CANARY not in out.read_text()


def test_the_method_follows_the_number_of_pairs() -> None:
    assert choose_method(MIN_PAIRS_FOR_PREFERENCE)[0] == "dpo"
    method, why = choose_method(3)
    assert method == "sft" and "only 3" in why
    # --min-pairs moves the threshold both ways: fewer pairs than the default can be DPO.
    assert choose_method(12, min_pairs=12) == ("dpo", "12 preference pairs (at least 12)")
    assert choose_method(MIN_PAIRS_FOR_PREFERENCE, min_pairs=40)[0] == "sft"


def test_what_is_new_since_the_last_training(tmp_path: Path) -> None:
    from lamtui.errors import LamtuiError
    from lamtui.train.from_user import LearnJob, collect, learn, mark_used, summary

    nothing = collect()
    with pytest.raises(LamtuiError, match="nothing to learn"):
        learn(LearnJob(tmp_path / "no.gguf", tmp_path / "out", None), nothing, print)
    assert not (tmp_path / "out").exists()  # did nothing
    rejection_and_edit_session(tmp_path)
    data = collect()
    assert (data.new_examples, data.new_pairs, len(data.new_ids)) == (1, 2, 1)
    assert "1 new approved trajectories and 2 new preference pairs" in summary(data)
    mark_used(data.new_ids)
    again = collect()
    assert not again.anything_new and len(again.pairs) == 2 and len(again.examples) == 1
    with pytest.raises(LamtuiError, match="nothing to learn"):
        learn(LearnJob(tmp_path / "no.gguf", tmp_path / "out", None), again, print)


def test_train_from_trajectories_with_nothing_new_says_so_and_trains_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lamtui.cli import main
    from lamtui.paths import get_paths

    out = tmp_path / "out"
    assert main(["train", "--from-trajectories", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "nothing new to learn" in captured.out and not out.exists()
    assert not (get_paths().data_dir / "train").exists()
    assert main(["train", "--from-trajectories", "--min-pairs", "0"]) == 2
    assert "--min-pairs must be at least 1" in capsys.readouterr().err
    for flag in ("--epochs", "--lr"):
        assert main(["train", "--from-trajectories", flag, "0"]) == 2
        assert "--epochs and --lr must be positive" in capsys.readouterr().err


def test_train_takes_ctrl_c_even_when_started_with_sigint_ignored() -> None:
    """A background start (`&`, the app, explore) may inherit SIGINT ignored; training
    must still turn it into KeyboardInterrupt, which saves its checkpoint."""
    import signal

    from lamtui.cli import main

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert main(["train", "--from-trajectories"]) == 0  # nothing new: returns at once
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
