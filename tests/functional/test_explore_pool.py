"""The exploration task pool without a model: it is deterministic from a seed, large and
varied enough (>= 40 templates, >= 2,000 distinct tasks), covers every tool, every
template's reference solution passes its checker (as shell commands and as agent
actions) while doing nothing fails it, it is disjoint from both evaluation suites, its
validation slice is stable and apart from training, and TaskRunner runs its tasks."""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from lamtui.actions import files as file_tools
from lamtui.contract.schema import Action
from lamtui.errors import LamtuiError
from lamtui.eval.builtin import BuiltinSuite, data_file, load_specs
from lamtui.eval.runner import EvalOptions, TaskRunner
from lamtui.eval.suite import ROOT_TOKEN, EvalTask, Evidence, Verdict
from lamtui.lam.scripted import ScriptedBackend
from lamtui.memory.disjoint import load_queries, near_duplicates
from lamtui.train.decontam import Decontaminator
from lamtui.train.pool import (
    VALIDATION_SIZE,
    PoolSuite,
    PoolTask,
    fingerprint,
    generate_pool,
    one_per_template,
    templates,
    validation_slice,
)
from tests.functional.agent_helpers import finish, plan

POOL = generate_pool(2000)
VALIDATION = validation_slice()
TOOLS = {"shell", "read_file", "write_file", "edit_file", "list_dir"}
FIRSTS = one_per_template()
_FIRST_IDS = {t.id for t in FIRSTS}
SAMPLE = random.Random(15).sample([t for t in POOL if t.id not in _FIRST_IDS], 30)
SUITE = PoolSuite([*FIRSTS, *SAMPLE])
EVAL_TASKS = {t.id: t for t in SUITE.tasks()}


def _run(commands: list[str], root: Path) -> tuple[list[str], int | None]:
    outputs: list[str] = []
    code: int | None = None
    for command in commands:
        proc = subprocess.run(
            ["bash", "-c", command],
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        outputs.append((proc.stdout + proc.stderr).replace(str(root), ROOT_TOKEN))
        code = proc.returncode
    return outputs, code


def _judge(task: PoolTask, root: Path, outputs: list[str], summary: str) -> Verdict:
    evidence = Evidence(root, {}, {}, outputs[-1] if outputs else "", None, summary, outputs)
    return SUITE.judge(_eval_task(task), evidence, None)


def _eval_task(task: PoolTask) -> EvalTask:
    return EVAL_TASKS[task.id]


def _act(task: PoolTask, root: Path) -> list[str]:
    """The reference actions as the agent runs them: only shell output is a command
    output; what a file tool shows reaches the checker through the summary alone."""
    outputs: list[str] = []
    for step in task.actions:
        if step.tool == "shell":
            outputs += _run([step.args["command"]], root)[0]
        else:
            result = file_tools.run_file_tool(step.tool, step.args, root)
            assert result.ok, (step, result.error)
    return outputs


# --- size, variety, determinism -------------------------------------------------------


def test_the_same_seed_gives_the_same_pool_and_another_seed_another() -> None:
    def dump(tasks: list[PoolTask]) -> list[str]:
        return [json.dumps([t.spec.model_dump(), t.actions, t.summary, t.part]) for t in tasks]

    first, again = generate_pool(300, seed=7), generate_pool(300, seed=7)
    assert dump(first) == dump(again)
    assert dump(generate_pool(120, seed=7)) == dump(first[:120])  # a prefix, not a reshuffle
    other = {t.id for t in generate_pool(300, seed=8)}
    assert len(other & {t.id for t in first}) < 30


def test_at_least_40_templates_and_2000_distinct_varied_tasks() -> None:
    assert len(templates()) >= 40
    assert len(POOL) == 2000
    assert len({fingerprint(t.spec) for t in POOL}) == 2000
    assert len({t.id for t in POOL}) == 2000
    assert len({t.spec.request for t in POOL}) >= 1950
    per_template = Counter(t.template for t in POOL)
    assert set(per_template) == {t.name for t in templates()}
    assert min(per_template.values()) >= 25
    # Formats, depth and counts vary.
    suffixes = {PurePosixPath(p).suffix for t in POOL for p in t.spec.files}
    assert {".txt", ".csv", ".json", ".ini", ".log", ".py", ".md"} <= suffixes
    depths = Counter(len(PurePosixPath(p).parts) for t in POOL for p in t.spec.files)
    assert {1, 2, 3, 4, 5} <= set(depths)
    sizes = {len(t.spec.files) for t in POOL}
    assert len(sizes) >= 8
    # One template's tasks differ in names and answers, not only in wording.
    counts = [t.spec.check.answer for t in POOL if t.template == "count-log-level"]
    assert len(set(counts)) >= 8


def test_the_data_card_counts_what_is_there() -> None:
    import lamtui.train.pool as pool

    card = pool.__doc__ or ""
    assert f"Templates: {len(templates())}," in card
    categories = Counter(t.category for t in templates())
    for category, count in categories.items():
        assert f"{category} ({count})" in card
    assert all(t.name in card for t in templates())


def test_every_tool_is_covered_and_multi_step_tasks_exist() -> None:
    used = {tool for t in FIRSTS for tool in t.tools}
    assert used == TOOLS
    multi = [t for t in FIRSTS if len(t.actions) >= 2]
    assert len(multi) >= 8
    assert any(set(t.tools) == {"shell", "write_file"} for t in multi)  # count → write
    assert any(set(t.tools) == {"read_file", "edit_file"} for t in multi)  # read → edit
    assert any(len(t.actions) >= 3 for t in multi)  # find → transform → verify
    for task in POOL:  # every step fits the agent's output contract
        for step in task.actions:
            Action(thought="", tool=step.tool, args=step.args, status="continue", plan_update=None)


@pytest.mark.parametrize("bad", [{"count": -1}, {"count": 3, "part": "test"}])
def test_bad_pool_arguments_give_one_clear_error(bad: dict[str, object]) -> None:
    with pytest.raises(LamtuiError):
        generate_pool(**bad)  # type: ignore[arg-type]


# --- every template's solutions pass; doing nothing fails ------------------------------


@pytest.mark.parametrize("task", [*FIRSTS, *SAMPLE], ids=lambda t: t.id)
def test_reference_solutions_pass_and_doing_nothing_fails(task: PoolTask, tmp_path: Path) -> None:
    eval_task = _eval_task(task)
    by_shell, by_actions, nothing = (tmp_path / n for n in ("shell", "actions", "nothing"))
    for root in (by_shell, by_actions, nothing):
        root.mkdir()
        SUITE.setup(eval_task, root)
    outputs, code = _run(task.spec.solution, by_shell)
    assert code == 0, outputs
    verdict = _judge(task, by_shell, outputs, "")
    assert verdict.success, verdict.reasons
    assert verdict.parts and all(verdict.parts.values())
    verdict = _judge(task, by_actions, _act(task, by_actions), task.summary)
    assert verdict.success, verdict.reasons
    verdict = _judge(task, nothing, [], "")
    assert not verdict.success and verdict.reasons
    # Printing the whole fixture (every path, every file) answers nothing by chance.
    dump = "\n".join([*task.spec.files, *task.spec.dirs, *task.spec.files.values()])
    assert not _judge(task, nothing, [dump], "").success


# --- plausible wrong solutions fail -----------------------------------------------------


def _first(template: str, where: Callable[[PoolTask], bool] = lambda t: True) -> PoolTask:
    return next(t for t in POOL if t.template == template and where(t))


def _sub(old: str, new: str) -> Callable[[list[str]], list[str]]:
    def change(solution: list[str]) -> list[str]:
        assert old in solution[0], (old, solution)
        return [solution[0].replace(old, new), *solution[1:]]

    return change


WRONG: list[tuple[PoolTask, Callable[[list[str]], list[str]], str]] = [
    # (task, the reference solution made wrong, the check that must catch it)
    (_first("count-nonblank-lines"), lambda s: [s[0].replace("grep -c .", "wc -l <")], "answer"),
    (
        _first("count-word-occurrences", lambda t: bool(t.spec.check.answer_none)),
        lambda s: [s[0].replace("grep -ow", "grep -cw").replace(" | wc -l", "")],
        "answer",
    ),
    (_first("find-ext-anywhere"), lambda s: [s[0].split(" -name ")[0]], "answer_none"),
    (_first("find-largest"), _sub(" | head -n 1", ""), "answer_none"),
    (_first("replace-in-tree"), lambda s: [re.sub(r"--include='[^']*' ", "", s[0])], "unchanged"),
    (_first("delete-by-pattern"), lambda s: [re.sub(r"'\*\.(\w+)'", r"'*.\1*'", s[0])], "exists"),
    (_first("edit-ini-key"), lambda s: [re.sub(r"'/\^.*?/ s/", "'s/", s[0])], "config"),
    (_first("chmod-by-extension"), _sub("/*.sh", "/*"), "not_executable"),
    (_first("backup-then-edit"), lambda s: s[::-1], "file_equals"),
    (
        _first("concat-files"),
        lambda s: [re.sub(r"\$\(ls (\S+)\.txt[^)]*\)", r"\1", s[0])],
        "file_equals",
    ),
    (_first("tail-to-file"), _sub("tail -n", "head -n"), "file_equals"),
]


@pytest.mark.parametrize(("task", "wrong", "kind"), WRONG, ids=[w[0].template for w in WRONG])
def test_plausible_wrong_solutions_fail(
    task: PoolTask, wrong: Callable[[list[str]], list[str]], kind: str, tmp_path: Path
) -> None:
    suite = PoolSuite([task])
    (eval_task,) = suite.tasks()
    suite.setup(eval_task, tmp_path)
    commands = wrong(list(task.spec.solution))
    assert commands != task.spec.solution
    outputs, _ = _run(commands, tmp_path)
    evidence = Evidence(tmp_path, {}, {}, outputs[-1], None, "", outputs)
    verdict = suite.judge(eval_task, evidence, None)
    assert not verdict.success, commands
    assert verdict.parts[kind] is False, (commands, verdict.parts)


# --- disjoint from the evaluation suites ----------------------------------------------


def _eval_query_files() -> list[Path]:
    folder = data_file().parent / "intercode_bash"
    return [data_file(), *sorted(folder.glob("nl2bash_fs_*.json"))]


def test_no_pool_task_is_near_an_evaluation_task() -> None:
    clean = Decontaminator.from_suites()
    assert clean.reason(load_specs()[0].request, "")  # the check catches a real one
    near = [
        (t.id, why)
        for t in [*POOL, *VALIDATION]
        for command in ["", *t.spec.solution]
        if (why := clean.reason(t.spec.request, command))
    ]
    assert near == []
    # The memory seeds' criteria, on one task per template, against every query file.
    queries = load_queries(_eval_query_files())
    assert len(queries) > 250
    assert near_duplicates([(t.id, t.spec.request) for t in FIRSTS], queries) == []


# --- the validation slice -------------------------------------------------------------


def test_the_validation_slice_is_stable_and_apart_from_any_training_pool() -> None:
    again = validation_slice()
    assert [t.id for t in again] == [t.id for t in VALIDATION]
    assert len(VALIDATION) == VALIDATION_SIZE
    assert {t.part for t in VALIDATION} == {"validation"}
    assert {t.part for t in POOL} == {"train"}
    held = {fingerprint(t.spec) for t in VALIDATION}
    for seed in (0, 1, 15):  # whatever seed the training pool is drawn with
        assert held.isdisjoint(fingerprint(t.spec) for t in generate_pool(600, seed=seed))
    assert len({t.template for t in VALIDATION}) >= 40


# --- through the evaluation harness ---------------------------------------------------


def _replies(task: PoolTask) -> list[str]:
    steps = [
        json.dumps(
            {
                "thought": "",
                "tool": s.tool,
                "args": s.args,
                "status": "continue",
                "plan_update": None,
            }
        )
        for s in task.actions
    ]
    return [plan("do it"), *steps, finish(task.summary)]


def test_task_runner_runs_pool_tasks_end_to_end() -> None:
    chosen = [
        next(t for t in FIRSTS if t.template == name)
        for name in ("edit-ini-key", "read-ini-value", "list-subfolders", "count-to-file")
    ]
    suite = PoolSuite(chosen)
    tasks = suite.tasks()
    assert [t.suite for t in tasks] == ["pool"] * 4
    assert [t.data["template"] for t in tasks] == [t.template for t in chosen]
    good = ScriptedBackend([r for t in chosen for r in _replies(t)])
    options = EvalOptions(max_steps=4, task_timeout=60)
    results = [TaskRunner(suite, good, options).run(t) for t in tasks]
    assert [r.status for r in results] == ["passed"] * 4, [r.reasons for r in results]
    assert good.remaining == 0
    idle = ScriptedBackend([r for _ in chosen for r in (plan("x"), finish("done"))])
    results = [TaskRunner(suite, idle, options).run(t) for t in tasks]
    assert [r.status for r in results] == ["failed"] * 4
    assert all(r.reasons for r in results)


def test_pool_suite_refuses_unknown_splits_and_duplicate_ids() -> None:
    with pytest.raises(LamtuiError, match="pool suite has no split"):
        SUITE.tasks("nonexistent")
    with pytest.raises(LamtuiError, match="duplicate task ids"):
        PoolSuite([FIRSTS[0], FIRSTS[0]])
    specs = load_specs()
    assert [t.id for t in BuiltinSuite.from_specs(specs).tasks()] == [s.id for s in specs]
