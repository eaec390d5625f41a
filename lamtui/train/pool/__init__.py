"""The exploration task pool (issue 15, phase 3): tasks the LAM attempts on its own,
judged by the builtin suite's checker, so its verified successes can become training data.

Data card
---------
What a task is: a `lamtui.eval.builtin.TaskSpec` (files, dirs, modes, mtimes, request,
reference shell solution, declarative checks), the same shape as the builtin suite's
tasks, plus a reference solution in the agent's own tools (`PoolTask.actions`, with the
finish summary that carries the answer when a file tool found it). `PoolSuite` runs them
through `lamtui.eval.runner.TaskRunner` like any suite.

Templates: 59, in 10 categories (the tasks' splits).
  find (9)       find-ext-anywhere, find-word-in-files, find-largest (list_dir),
                 find-newest, find-empty-files, find-duplicate-content, find-definition,
                 find-config-setting, find-executables
  list (2)       list-subfolders, list-count-entries (list_dir)
  count (9)      count-log-level, count-csv-matches, count-ext-in-tree,
                 count-distinct-values, count-word-occurrences, count-nonblank-lines,
                 sum-column, max-row, count-json-list (read_file)
  read (5)       read-ini-value, read-json-nested, read-line-n, read-md-owner (read_file),
                 last-log-time
  write (4)      write-lines, write-ini, write-json, write-readme (write_file)
  edit (8)       edit-ini-key, edit-py-constant (read → edit), rename-function
                 (read → write), edit-json-key, tick-checklist, remove-env-setting,
                 fix-csv-cell (edit_file), append-line
  organise (7)   move-by-extension, lowercase-names, delete-by-pattern, make-folders,
                 archive-folder, flatten-folder, change-extension
  permissions (2) chmod-by-extension, chmod-private
  report (7)     distinct-sorted, extract-column, filter-log, json-to-csv (read → write),
                 concat-files, tail-to-file, split-by-group
  multi (6)      count-to-file (count → write), write-script (write → chmod → run),
                 backup-then-edit (copy → edit), level-report (count → write),
                 replace-in-tree (find → transform → verify), extremes-json (read → write)
Every tool of the agent is used by some reference: shell, read_file, write_file,
edit_file, list_dir; 10 templates take 2 or 3 steps.

How many: each template gives at least 1,000 distinct training tasks for a seed (59,000
in all); `generate_pool(2000)` is the size the tests hold to (2,000 distinct requests +
fixtures, about 34 per template). What varies: file and folder names (projects, stems,
suffixes, people, items, cities), folder depth (0 to 4 levels), how many files and
decoys, the contents and their format (txt, csv, json, ini/cfg/conf, .env, log in
three line styles, py, md, yaml, sh), the numbers asked for, and the wording (two or
three phrasings per template).

Parts: a task's part, train or validation, is a function of its content (one in ten
fingerprints is validation), so no training pool, whatever its seed, holds a validation
task. `validation_slice()` is the fixed slice: the first VALIDATION_SIZE validation tasks
of VALIDATION_SEED, round-robin over the templates.

Checks that check: every reference solution passes, doing nothing fails, and so does
printing the whole fixture (a number to count never shows in the files already; a value
to read off a file comes with decoy values that must not be in the answer).

Disjointness: no request is near a builtin or InterCode-Bash request, and no reference
command is a gold command (train.decontam and memory.disjoint's criteria;
tests/functional/test_explore_pool.py).
"""

from lamtui.train.pool.generate import (
    DEFAULT_SEED,
    VALIDATION_SEED,
    VALIDATION_SIZE,
    PoolTask,
    fingerprint,
    generate_pool,
    one_per_template,
    templates,
    validation_slice,
)
from lamtui.train.pool.suite import PoolSuite

__all__ = [
    "DEFAULT_SEED",
    "VALIDATION_SEED",
    "VALIDATION_SIZE",
    "PoolSuite",
    "PoolTask",
    "fingerprint",
    "generate_pool",
    "one_per_template",
    "templates",
    "validation_slice",
]
