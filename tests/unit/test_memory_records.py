"""Pure parts of memory: which trajectories become demonstrations, redaction, facts and
rejections, "remember ..." requests, the keyword index, the prompt block, seed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtui.contract.result import ActionResult
from lamtui.memory.disjoint import load_queries, near_duplicates, text_similarity
from lamtui.memory.lexical import BM25Index, tokens
from lamtui.memory.recall import MAX_TEXT_CHARS, Hit, render
from lamtui.memory.records import (
    Entry,
    entry_from_json,
    fact_entry,
    normalize,
    rejection_entry,
    task_entry,
)
from lamtui.memory.remember import is_remember_request
from lamtui.memory.seeds import check_expectation, load_seed_set
from lamtui.safety.redact import Redactor

REDACT = Redactor()
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4"


def _action(command: str, tool: str = "shell") -> dict[str, Any]:
    args = {"command": command} if tool == "shell" else {"path": command}
    return {"thought": "t", "tool": tool, "args": args, "status": "continue", "plan_update": None}


def _step(action: dict[str, Any], kind: str = "approve", ok: bool = True, **extra: Any) -> dict:
    return {
        "action": action,
        "decision": {"kind": kind, "by": "user"},
        "result": {"ok": ok, "exit_code": 0 if ok else 1},
        **extra,
    }


def _record(*steps: dict[str, Any], outcome: str = "finished", **extra: Any) -> dict[str, Any]:
    plan = {
        "goal": "g",
        "subtasks": [
            {
                "title": "g",
                "steps": [
                    {"title": "Find the logs", "status": "done"},
                    {"title": "Never reached", "status": "skipped"},
                ],
            }
        ],
    }
    return {
        "id": "20240101-x",
        "request": "count the errors in app.log",
        "outcome": outcome,
        "plans": [{"reason": "initial plan", "plan": plan}],
        "steps": list(steps),
        "summary": "3 errors",
        **extra,
    }


# -- task records --------------------------------------------------------------------


def test_finished_task_keeps_only_approved_successful_actions_as_run() -> None:
    edited = _action("grep -c ERROR app.log")
    record = _record(
        _step(_action("rm -rf /"), kind="reject"),
        _step(_action("grep ERROR missing.log"), ok=False),
        _step(_action("grep -c error app.log"), kind="edit", executed_action=edited),
        _step({"thought": "x", "tool": "finish", "args": {"summary": "s"}, "status": "finish",
               "plan_update": None}),
    )  # fmt: skip
    entry = task_entry(record, REDACT)
    assert entry is not None
    assert [a["args"]["command"] for a in entry.data["actions"]] == ["grep -c ERROR app.log"]
    assert entry.data["plan"] == ["Find the logs"]
    assert entry.id.startswith("task:") and entry.text == "count the errors in app.log"


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "failed"},
        {"outcome": "aborted"},
        {"result_rejected": True},
        {"feedback": {"result": "rejected"}},
        {"feedback": "bad"},
        {"request": "   "},
    ],
)
def test_tasks_that_must_not_be_learned(change: dict[str, Any]) -> None:
    record = _record(_step(_action("wc -l app.log")))
    record.update(change)
    assert task_entry(record, REDACT) is None


def test_task_without_any_executed_action_is_not_a_demonstration() -> None:
    assert task_entry(_record(_step(_action("ls"), kind="reject")), REDACT) is None


def test_secrets_never_reach_a_stored_task() -> None:
    record = _record(_step(_action(f"curl -H 'Authorization: {TOKEN}' api")))
    record["request"] = f"call the api with token={TOKEN}"
    entry = task_entry(record, REDACT)
    assert entry is not None
    dumped = json.dumps(entry.to_json()) + entry.lexical + json.dumps(entry.metadata())
    assert TOKEN not in dumped
    assert "[REDACTED]" in dumped


def test_rejection_and_fact_entries_are_redacted_and_normalised() -> None:
    rejection = rejection_entry(
        _action("docker ps"), "use podman, not docker", "list containers", REDACT
    )
    assert rejection is not None and rejection.kind == "rejection"
    assert "docker ps" in rejection.lexical and "podman" in rejection.lexical
    assert rejection_entry({"args": {}}, "no", "x", REDACT) is None
    fact = fact_entry(f"my github token is {TOKEN}", REDACT)
    assert fact is not None and TOKEN not in fact.text
    assert fact_entry("   ", REDACT) is None
    a, b = (
        fact_entry("Use podman, not Docker!", REDACT),
        fact_entry("use podman not docker", REDACT),
    )
    assert a is not None and b is not None and a.id == b.id


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80))
def test_normalize_ignores_case_punctuation_and_spacing(text: str) -> None:
    noisy = "  " + text.upper().replace(" ", " ,  ") + "!!"
    assert normalize(noisy) == normalize(text.lower())


def test_normalize_keeps_non_latin_words() -> None:
    assert normalize("Используй Podman!") == "используй podman"
    assert normalize("STRASSE") == normalize("straße")
    assert normalize("Use podman, not Docker.") == normalize("use podman not docker")
    assert normalize("edit app.log in ~/code/") == "edit app.log in ~/code/"


def test_export_lines_round_trip_and_bad_lines_are_refused() -> None:
    entry = task_entry(_record(_step(_action("wc -l app.log"))), REDACT)
    assert entry is not None
    back = entry_from_json(json.loads(json.dumps(entry.to_json())), REDACT)
    assert (back.id, back.kind, back.text, back.data["actions"]) == (
        entry.id, entry.kind, entry.text, entry.data["actions"],
    )  # fmt: skip
    for bad in (
        [],
        {"kind": "task", "text": "x", "data": {"actions": []}},
        {"kind": "nope", "text": "x", "data": {}},
        {"kind": "fact", "text": "", "data": {}},
    ):
        with pytest.raises(ValueError):
            entry_from_json(bad, REDACT)  # fmt: skip


def test_stored_metadata_round_trips() -> None:
    entry = fact_entry("my projects live in ~/code", REDACT)
    assert entry is not None
    again = Entry.from_stored(entry.id, entry.text, entry.metadata())
    assert again == entry


# -- "remember ..." --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_text", "fact"),
    [
        ("remember that my projects live in ~/code", "my projects live in ~/code"),
        ("Please remember: use podman, not docker.", "use podman, not docker"),
        ("remember to use podman instead of docker", "use podman instead of docker"),
        ("don't forget that the staging server is db2", "the staging server is db2"),
        ("keep in mind that I prefer tabs", "I prefer tabs"),
        ("do you remember my name?", None),
        ("remember what I told you about docker?", None),
        ("count the lines in remember.txt", None),
        ("remember", None),
        ("remember how we fixed the build", None),
    ],
)
def test_is_remember_request(request_text: str, fact: str | None) -> None:
    assert is_remember_request(request_text) == fact


@given(st.text(max_size=60))
def test_remembered_fact_is_always_part_of_the_request(text: str) -> None:
    request = "remember that " + text
    fact = is_remember_request(request)
    assert fact is None or fact in request


# -- keyword index ---------------------------------------------------------------------


def test_bm25_prefers_the_document_sharing_rare_words_and_forgets() -> None:
    index = BM25Index()
    index.add("a", "compress the logs folder with gzip")
    index.add("b", "list the files in the logs folder")
    index.add("c", "show git blame for a file")
    assert index.top("gzip my logs", 1)[0][0] == "a"
    assert index.top("who changed this line, git blame", 1)[0][0] == "c"
    index.remove("a")
    assert "a" not in index.scores("gzip logs") and len(index) == 2
    index.add("b", "replaced text about tar")
    assert index.top("tar", 1)[0][0] == "b" and "b" not in index.scores("folder")
    assert tokens("The files are RUNNING") == ["fil", "runn"]


# -- prompt block ----------------------------------------------------------------------


def test_rendered_block_is_compact_and_shows_actions_facts_and_warnings() -> None:
    task = task_entry(_record(_step(_action("grep -c ERROR app.log"))), REDACT)
    fact = fact_entry("use podman, not docker", REDACT)
    rejection = rejection_entry(_action("docker ps"), "use podman", "list containers", REDACT)
    assert task and fact and rejection
    hits = [Hit(e, 0.9, 5.0, 1.0) for e in (task, fact, rejection)]
    text = render(hits[:1] * 3, hits[1:2], hits[2:])
    assert '"command": "grep -c ERROR app.log"' in text
    assert "- use podman, not docker" in text
    assert "rejected `docker ps` (use podman)" in text
    assert len(text) <= MAX_TEXT_CHARS
    assert render([], [], []) == ""
    big = Hit(fact_entry("x" * 1900, REDACT), 0.9, 1.0, 1.0)  # type: ignore[arg-type]
    assert len(render([], [big], [])) <= MAX_TEXT_CHARS


# -- seeds file and expectations -------------------------------------------------------


def test_expectation_checker_reports_each_kind_of_mismatch(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("hello\n")
    (tmp_path / "f.txt").chmod(0o644)
    result = ActionResult(ok=True, output="alpha\nbeta\n", exit_code=0)
    assert check_expectation({"contains": ["beta"], "lines": 2, "equals": "alpha\nbeta"},
                             [result], tmp_path) == []  # fmt: skip
    problems = check_expectation(
        {
            "exit": 1, "contains": ["gamma"], "excludes": ["alpha"], "equals": "x", "lines": 3,
            "regex": "^z", "files": {"f.txt": "bye"}, "files_excluding": {"f.txt": "hello"},
            "exists": ["nope"], "absent": ["f.txt"], "modes": {"f.txt": "755"}, "links": ["f.txt"],
        },
        [result],
        tmp_path,
    )  # fmt: skip
    assert len(problems) == 12


def test_seed_file_problems_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "seeds.toml"
    cases = {
        'shell = "ls"\n': "no expectation",
        'shell = "ls"\nexpect = { typo = 1 }\n': "unknown expectation",
        "expect = { exit = 0 }\n": "no action",
        'shell = "ls"\nexpect = { exit = 0 }\n[[seed.action]]\ntool = "shell"\n': "either",
        'expect = { exit = 0 }\n[[seed.action]]\nthought = ""\ntool = "finish"\n'
        'args = { summary = "s" }\n': "invalid action",
        'expect = { exit = 0 }\n[[seed.action]]\nthought = ""\ntool = "ask_user"\n'
        'args = { question = "q" }\nstatus = "ask_user"\n': "cannot be demonstrated",
    }
    for body, message in cases.items():
        bad.write_text('version = 1\n[[seed]]\nid = "x"\ncategory = "c"\nrequest = "r"\n' + body)
        with pytest.raises(ValueError, match=message):
            load_seed_set(bad)


def test_shipped_seeds_are_valid_actions_with_plans() -> None:
    seed_set = load_seed_set()
    assert seed_set.version >= 1
    for seed in seed_set.seeds:
        assert seed.plan, seed.id
        record = seed.to_record()
        assert record["outcome"] == "finished" and record["actions"][0]["tool"] in (
            "shell", "read_file", "write_file", "edit_file", "list_dir",
        )  # fmt: skip


# -- disjointness detector (text part; embeddings in tests/e2e) --------------------------


def test_text_detector_catches_rewordings_but_not_different_tasks(tmp_path: Path) -> None:
    queries = tmp_path / "q.json"
    queries.write_text(
        json.dumps([{"query": "Count all the lines of all '*.c' files in /testbed"}])
    )
    jsonl = tmp_path / "q.jsonl"
    jsonl.write_text(json.dumps({"request": "show git blame for main.py"}) + "\n")
    loaded = load_queries([queries, jsonl])
    assert loaded[1] == "show git blame for main.py"
    seeds = [
        ("same", "count all lines of all *.c files in ~/src"),
        ("other", "compress the logs folder into a tarball"),
    ]
    found = near_duplicates(seeds, loaded)
    assert [f.seed for f in found] == ["same"]
    assert text_similarity("show git blame for main.py", "Show git blame for util.py") >= 1.0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"gold": "ls"}]))
    with pytest.raises(ValueError, match="no query"):
        load_queries([bad])
