"""The builtin evaluation suite without a model: every task's reference solution passes
its checks, doing nothing fails them, plausible wrong solutions fail, and the data is
valid and disjoint from the memory seeds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lamtui.errors import LamtuiError
from lamtui.eval.builtin import BuiltinSuite, data_file
from lamtui.eval.suite import ROOT_TOKEN, EvalTask, Evidence, Verdict
from lamtui.memory.disjoint import load_queries, near_duplicates
from lamtui.memory.seeds import load_seeds

SUITE = BuiltinSuite()
TASKS = {task.id: task for task in SUITE.tasks()}


def _run(commands: list[str], root: Path, summary: str = "") -> Evidence:
    """Run commands as an agent would (bash, from the root) and collect the evidence."""
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
    output = outputs[-1] if outputs else ""
    return Evidence(root, {}, {}, output, code, summary, outputs)


def _attempt(task_id: str, commands: list[str], root: Path, summary: str = "") -> Verdict:
    task = TASKS[task_id]
    SUITE.setup(task, root)
    return SUITE.judge(task, _run(commands, root, summary), None)


def _solution(task: EvalTask) -> list[str]:
    return list(task.data["solution"])


# --- every task -------------------------------------------------------------------------


@pytest.mark.parametrize("task_id", list(TASKS))
def test_reference_solution_passes(task_id: str, tmp_path: Path) -> None:
    task = TASKS[task_id]
    SUITE.setup(task, tmp_path)
    evidence = _run(_solution(task), tmp_path)
    assert evidence.exit_code == 0, evidence.output
    verdict = SUITE.judge(task, evidence, None)
    assert verdict.success, verdict.reasons
    assert verdict.parts and all(verdict.parts.values())


@pytest.mark.parametrize("task_id", list(TASKS))
def test_doing_nothing_fails(task_id: str, tmp_path: Path) -> None:
    verdict = _attempt(task_id, [], tmp_path)
    assert not verdict.success
    assert verdict.reasons


@pytest.mark.parametrize("task_id", list(TASKS))
def test_gold_command_is_the_single_solution_command(task_id: str, tmp_path: Path) -> None:
    task = TASKS[task_id]
    solution = _solution(task)
    expected = solution[0] if len(solution) == 1 else None
    assert SUITE.gold_command(task, tmp_path) == expected == task.gold
    assert SUITE.request(task, tmp_path) == task.query


# --- plausible wrong solutions ----------------------------------------------------------

WRONG: list[tuple[str, list[str], str]] = [
    # (task, commands, a word of the expected reason)
    ("count-failed-ssh-from-ip", ["grep -c 203.0.113.7 logs/auth.log"], "'4'"),
    ("count-failed-ssh-from-ip", ["grep -c 'Failed password' logs/auth.log"], "'4'"),
    ("count-out-of-stock", ["grep -c ': 0' data/inventory.json"], "'3'"),
    ("count-requirements", ["grep -vc '^#' requirements.txt"], "'6'"),
    ("count-webservers", ["grep -c web inventory.ini"], "'3'"),
    ("count-backup-days", ["grep -c 'finished OK' logs/backup.log"], "'4'"),
    ("find-invoice-callers", ["grep -rl parse_invoice ."], "docs/billing.md"),
    ("find-invoice-callers", ["grep -rl parse_ src"], "tax.py"),
    ("find-tab-indented", ["grep -l \"$(printf '\\t')\" lib/*.py"], "fmt.py"),
    ("find-missing-shebang", ["grep -L '#!' bin/*.sh"], "notes.sh"),
    (
        "archive-which-backup-has-file",
        ['for f in backups/*.tar.gz; do tar -tzf "$f" | grep -q invoices.db && echo "$f"; done'],
        "wed.tar.gz",
    ),
    ("summarize-slowest-endpoint", ["sort -t, -k2 -n data/latency.csv | tail -n 1"], "search"),
    ("summarize-top-customer", ["sort -t, -k3 -n data/sales.csv | tail -n 1"], "Dana"),
    ("summarize-sensor-period", ["head -n 1 logs/sensor.log"], "21:45"),
    (
        "edit-ini-flake8-line-length",
        ["sed -i 's/max-line-length = 88/max-line-length = 120/' setup.cfg"],
        "pycodestyle",
    ),
    (
        "edit-env-db-host",
        ["sed -i -e 's/^DB_HOST=.*/DB_HOST=db.internal/' -e '/debug/Id' .env"],
        "LOG_LEVEL",
    ),
    (
        "edit-json-feature-flags",
        [
            'sed -i \'s/"beta_search": true,/"beta_search": false, "dark_mode": on,/\' '
            "config/app.json"
        ],
        "no longer parses",
    ),
    (
        "edit-json-feature-flags",
        ['sed -i \'s/"beta_search": true/"beta_search": 0/\' config/app.json'],
        "beta_search",
    ),
    (
        "edit-toml-requests-minimum",
        ["""sed -i 's/"requests.*"/"requests>=2.32"/' pyproject.toml"""],
        "dev",
    ),
    (
        "edit-yaml-worker-scale",
        ["sed -i -e 's/replicas: 2/replicas: 5/' -e 's/256Mi/512Mi/g' k8s/worker.yaml"],
        "256Mi",
    ),
    (
        "edit-json-allowed-hosts",
        [
            """python3 -c "import json; p='config/security.json'; d=json.load(open(p)); """
            """d['allowed_hosts']=['staging.example.com']; json.dump(d, open(p, 'w'))" """
        ],
        "www.example.com",
    ),
    (
        "rename-spaces-to-underscores",
        ['for f in scans/*" "*; do cp "$f" "${f// /_}"; done'],
        "should not exist",
    ),
    (
        "rename-spaces-to-underscores",
        ['for f in scans/*" "*; do mv "$f" "${f// /_}"; done', ": > scans/car_insurance.txt"],
        "car_insurance.txt line 1",
    ),
    (
        "rename-zero-pad-chapters",
        ['cd book && for f in chapter*.md; do n=${f//[^0-9]/}; mv "$f" "chapter0$n.md"; done'],
        "chapter10.md was removed",
    ),
    (
        "rename-date-prefix",
        ['for f in notes/*; do mv "$f" "notes/2024-06-01_$(basename "$f")"; done'],
        "sketch",
    ),
    ("fix-backup-spaces", ["mkdir -p backup && cp docs/* backup/"], "exited with 1"),
    ("fix-moved-config-path", ["mkdir -p config && cp conf/test.ini config/"], "conf/test.ini"),
    (
        "fix-renamed-json-key",
        ["""sed -i 's/timeout_seconds/timeout/' config/service.json"""],
        "service.json was changed",
    ),
    (
        "fix-sum-string-concat",
        ["sed -i 's/total=$total+$n/total=$total$n/' scripts/sum.sh"],
        "'sum=108'",
    ),
    ("fix-site-output-dir", ["mkdir public && bash build_site.sh"], "exited with 1"),
    (
        "report-reorder-list",
        ["awk -F, 'NR > 1 && $3 <= $4 { print $1 }' data/stock.csv > reorder.txt"],
        "reorder.txt",
    ),
    (
        "report-failed-jobs",
        ["grep failed logs/jobs.log | sed -E 's/.*job=([^ ]+).*/\\1/' > failed_jobs.txt"],
        "failed_jobs.txt",
    ),
    (
        "report-orders-summary-json",
        ["""echo '{"total_orders": 5, "total_revenue": "342.50"}' > summary.json"""],
        "total_revenue",
    ),
    (
        "report-sales-by-region",
        [
            "mkdir -p report && awk -F, 'NR > 1 { t[$2] += $3 } "
            'END { for (r in t) print r "," t[r] }\' data/sales.csv | sort '
            "> report/sales_by_region.csv"
        ],
        "line 1",
    ),
    ("text-version-sort", ["sort releases.txt > releases_sorted.txt"], "line 2"),
    (
        "text-haproxy-active-settings",
        ["grep -v '^#' config/haproxy.cfg | grep -v '^$' > config/haproxy.min.cfg"],
        "syslog",
    ),
    ("text-csv-to-tsv", ["mv data/measurements.csv data/measurements.tsv"], "was removed"),
    (
        "text-redact-emails",
        [
            "sed -i -E 's/[a-z._+-]+@[a-z.-]+/[redacted]/g' data/contacts.txt "
            "&& cp data/contacts.txt data/contacts_redacted.txt"
        ],
        "was changed",
    ),
    ("archive-gzip-week-old-logs", ["gzip logs/*.log"], "should not exist"),
    (
        "archive-gzip-week-old-logs",
        ["find logs -name '*.log' -mtime +7 -exec gzip -k {} +"],
        "logs/api.log should not",
    ),
    (
        "archive-unpack-flat",
        ["mkdir -p deploy && tar -xzf releases/site-1.4.tar.gz -C deploy"],
        "deploy/site-1.4 should not",
    ),
    (
        "archive-one-tarball-per-project",
        ["mkdir -p archives && tar -czf archives/alpha.tar.gz projects"],
        "beta.tar.gz",
    ),
    (
        "archive-release-removed-files",
        [
            "comm -13 <(tar -tzf releases/app-1.0.tar.gz | sort) "
            "<(tar -tzf releases/app-1.1.tar.gz | sort)"
        ],
        "legacy.py",
    ),
    ("perm-ssh-key-too-open", ["chmod 600 keys/*"], "deploy_key.pub has mode 600"),
    ("perm-ssh-key-too-open", ["chmod 400 keys/deploy_key"], "expected 600"),
    ("perm-git-hooks", ["chmod +x .githooks/*"], "README.md is executable"),
    ("perm-setgid-shared", ["chmod 2777 shared"], "expected 2775"),
    ("perm-sticky-scratch", ["chmod 777 uploads/tmp"], "expected 1777"),
    ("perm-migrate-group-only", ["chmod 755 tools/migrate.sh"], "expected 750"),
]


@pytest.mark.parametrize(
    ("task_id", "commands", "reason"), WRONG, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)]
)
def test_wrong_solution_fails(
    task_id: str, commands: list[str], reason: str, tmp_path: Path
) -> None:
    verdict = _attempt(task_id, commands, tmp_path)
    assert not verdict.success
    assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_hardcoded_script_output_is_a_known_blind_spot(tmp_path: Path) -> None:
    """A `run` check sees what the script prints, not how: printing the right total passes.
    Kept as a test so the limitation is deliberate, not discovered."""
    hardcoded = """sed -i 's/echo "sum=$total"/echo sum=108/' scripts/sum.sh"""
    verdict = _attempt("fix-sum-string-concat", [hardcoded], tmp_path)
    assert verdict.success


def test_wrong_solutions_cover_every_split() -> None:
    assert {TASKS[task_id].split for task_id, _, _ in WRONG} == set(SUITE.splits)


# --- answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "success"),
    [
        ("There are 4 failed attempts.", True),
        ("4", True),
        ("Found 14 failed attempts.", False),  # 4 inside another number
        ("Version 2.4.1 of the log", False),
        ("On 2024-06-04 there were none", False),
        ("Counted 4.5 on average", False),
        ("", False),
    ],
)
def test_answer_is_a_whole_token_of_the_summary(
    summary: str, success: bool, tmp_path: Path
) -> None:
    verdict = _attempt("count-failed-ssh-from-ip", [], tmp_path, summary)
    assert verdict.success is success, verdict.reasons


def test_answer_none_looks_only_at_the_final_answer(tmp_path: Path) -> None:
    """Looking around first (listing every file) is fine when the last command answers."""
    commands = ["grep -rl parse_invoice .", "grep -rl parse_invoice src"]
    assert _attempt("find-invoice-callers", commands, tmp_path).success


def test_multiword_answers_match_across_whitespace(tmp_path: Path) -> None:
    summary = "It is the\n2024-05-01T06:00:00 to 2024-05-03T21:45:00 window"
    assert _attempt("summarize-sensor-period", [], tmp_path, summary).success


# --- setup --------------------------------------------------------------------------------


def test_setup_applies_modes_mtimes_and_prepare(tmp_path: Path) -> None:
    SUITE.setup(TASKS["perm-sticky-scratch"], tmp_path / "a")
    assert (tmp_path / "a" / "uploads" / "tmp").stat().st_mode & 0o7777 == 0o755
    SUITE.setup(TASKS["archive-gzip-week-old-logs"], tmp_path / "b")
    ages = {p.name: p.stat().st_mtime for p in (tmp_path / "b" / "logs").iterdir()}
    assert ages["api.log"] < ages["worker.log"] < ages["cron.log"] < ages["access.log"]
    SUITE.setup(TASKS["archive-unpack-flat"], tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["releases"]


def test_setup_keeps_crlf_and_tabs(tmp_path: Path) -> None:
    SUITE.setup(TASKS["text-tabs-to-spaces"], tmp_path)
    assert b"\n\tif value" in (tmp_path / "src" / "util.py").read_bytes()


# --- the suite and its data ---------------------------------------------------------------


def test_size_splits_and_ids() -> None:
    tasks = SUITE.tasks()
    assert len(tasks) >= 45
    assert len({t.id for t in tasks}) == len(tasks)
    assert SUITE.name == "builtin" and all(t.suite == "builtin" for t in tasks)
    assert SUITE.splits == tuple(dict.fromkeys(t.split for t in tasks))
    for split in SUITE.splits:
        assert len(SUITE.tasks(split)) >= 4, split
    assert sum(len(SUITE.tasks(s)) for s in SUITE.splits) == len(tasks)


def test_unknown_split_is_an_error() -> None:
    with pytest.raises(LamtuiError, match="no split 'nope'"):
        SUITE.tasks("nope")


def test_requests_are_no_near_duplicates_of_memory_seeds() -> None:
    seeds = [(seed.id, seed.request) for seed in load_seeds()]
    assert near_duplicates(seeds, [t.query for t in SUITE.tasks()]) == []


def test_load_queries_reads_the_suite_file() -> None:
    assert load_queries([data_file()]) == [t.query for t in SUITE.tasks()]


GOOD_TASK = """
[[task]]
id = "t1"
split = "count"
request = "how many?"
solution = ["echo 1"]
[task.files]
"a.txt" = "x"
[task.check]
answer = "1"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_TASK.replace('answer = "1"', 'answr = "1"'), "task 't1': check.answr"),
        (GOOD_TASK.replace('answer = "1"', ""), "task 't1': check: Value error, the task has no"),
        (GOOD_TASK.replace('"a.txt" = "x"', '"/etc/a.txt" = "x"'), "must be relative"),
        (GOOD_TASK.replace('"a.txt" = "x"', '"../a.txt" = "x"'), "must be relative"),
        (GOOD_TASK + '[task.modes]\n"b.txt" = "644"\n', "not in files or dirs"),
        (GOOD_TASK + '[task.modes]\n"a.txt" = "rw-"\n', "octal"),
        (GOOD_TASK.replace('answer = "1"', 'unchanged = ["b.txt"]'), "not one of the task's"),
        (
            GOOD_TASK.replace(
                'answer = "1"', 'config = [{ path = "a.yaml", key = "k", value = 1 }]'
            ),
            "use a .json",
        ),
        (
            GOOD_TASK.replace('answer = "1"', 'config = [{ path = "a.json", key = "k" }]'),
            "give one of value",
        ),
        (GOOD_TASK.replace('solution = ["echo 1"]', "solution = []"), "task 't1': solution"),
        (GOOD_TASK + GOOD_TASK, "duplicate task ids ['t1']"),
        (GOOD_TASK.replace('id = "t1"\n', ""), "task #1: id"),
        ("[[task]\n", "cannot read"),
    ],
)
def test_invalid_data_names_the_task(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "suite.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LamtuiError) as info:
        BuiltinSuite(path)
    assert message in str(info.value)


def test_failing_prepare_command_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "suite.toml"
    path.write_text(
        GOOD_TASK.replace('solution = ["echo 1"]', 'solution = ["echo 1"]\nprepare = ["false"]'),
        encoding="utf-8",
    )
    suite = BuiltinSuite(path)
    (tmp_path / "box").mkdir()
    with pytest.raises(LamtuiError, match="task t1: setup command failed: false"):
        suite.setup(suite.tasks()[0], tmp_path / "box")
