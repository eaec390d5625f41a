"""`lamtui train data` on a small sample of the corpora: real bash -n, gate and
sandboxed runs; the dataset, the data card and the retrieval corpus are written; every
example is in the agent's protocol; nothing is near an evaluation task."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from lamtui.actions.sandbox import sandbox_status
from lamtui.cli import main
from lamtui.contract.schema import parse_action, parse_plan
from lamtui.memory.examples import ExampleIndex
from lamtui.train.build import BuildOptions, build, read_examples, shape
from lamtui.train.corpus import concrete_tldr
from lamtui.train.decontam import Decontaminator, eval_items
from lamtui.train.templates import generate


def test_tldr_placeholders_become_names_the_request_mentions() -> None:
    made = concrete_tldr(
        "Copy a file to another location", "cp {{path/to/file}} {{path/to/directory}}"
    )
    assert made is not None
    request, command, files, dirs = made
    assert "{{" not in command and files and dirs
    assert files[0] in request and dirs[0] in request
    assert concrete_tldr("Show help", "tool {{[-h|--help]}}") == ("Show help", "tool -h", [], [])
    assert concrete_tldr("odd", "x {{a weird, thing!}}") is None


def test_near_identical_find_one_liners_share_a_shape() -> None:
    a = shape("find . -name '*.txt' -exec rm {} \\;")
    b = shape('find . -name "*.log" -exec rm {} \\;')
    assert a == b != shape("grep -c error app.log")


def test_data_build_on_a_sample(tmp_path: Path) -> None:
    out = tmp_path / "data"
    options = BuildOptions(out=out, max_pairs=40, templates=17, include_user=False, scan_limit=600)
    card = build(options)
    train = list(read_examples(out / "train.jsonl"))
    val = list(read_examples(out / "val.jsonl"))
    assert card["examples"] == {"train": len(train), "val": len(val)}
    assert card["by_source"]["template"] >= 15 and card["by_source"]["memory"] == 200
    assert card["dropped"]  # the checks drop something from any real sample
    for example in train + val:
        roles = [m.role for m in example.messages]
        assert roles[0] == "user" and roles[1] == "assistant"
        parse_plan(example.messages[1].content)
        for m in example.messages[3::2]:
            if m.role == "assistant":
                parse_action(m.content)
    observed = [e for e in train if e.meta.get("observed")]
    if sandbox_status().available:
        assert observed, "commands that run should give real observations"
        assert any("Observation: exit code 0" in m.content for e in observed for m in e.messages)
    with gzip.open(out / "retrieval.jsonl.gz", "rt") as fh:
        assert sum(1 for _ in fh) > 40
    assert json.loads((out / "card.json").read_text())["licences"]["tldr"].startswith("CC-BY")


def test_nothing_shipped_or_generated_is_near_an_evaluation_task() -> None:
    clean = Decontaminator.from_suites()
    items = eval_items()
    assert len(items) > 250
    # The check itself works: every evaluation request is caught.
    assert all(clean.reason(q, "") for q, _ in items[:40] if q)
    shipped = ExampleIndex.load()
    near = [(nl, cmd) for nl, cmd in shipped.pairs if clean.reason(nl, cmd)]
    assert near == []
    generated = [e.messages[0].content.split("\n", 1)[0] for e in generate(60)]
    assert [g for g in generated if clean.reason(g.removeprefix("Request: "), "")] == []


@pytest.mark.parametrize("flag", ["--max-pairs", "--templates"])
def test_negative_sizes_are_refused(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "data", flag, "-1"]) == 2
    assert "cannot be negative" in capsys.readouterr().err
