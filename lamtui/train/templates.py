"""Everyday tasks generated from templates, with varied names and contents, so the LAM
also learns the file tools and multi-step tasks (read → edit), and to state the answer
it observed. Each is run for real in a scratch workspace: observations are genuine."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lamtui.actions import files
from lamtui.agent import prompts
from lamtui.contract.result import ActionResult
from lamtui.train.builders import BUILDERS
from lamtui.train.examples import Example, Turn, conversation, cwd_for
from lamtui.train.grounding import listing, run_sandboxed


def _run(tool: str, args: dict[str, str], root: Path) -> ActionResult | None:
    if tool == "shell":
        return run_sandboxed(args["command"], root)
    return files.run_file_tool(tool, args, root)


def _summary(request: str, tool: str, result: ActionResult) -> str:
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    if tool == "shell" and lines and len(lines) <= 3:
        return "; ".join(lines)
    if tool in ("read_file", "list_dir") and lines:
        return "; ".join(lines[:5])[:200]
    return f"Done: {request}."


def generate(count: int, seed: int = 0) -> Iterator[Example]:
    """`count` template tasks, each run for real in its own scratch folder."""
    base = Path(tempfile.mkdtemp(prefix="lamtui-tmpl-"))
    try:
        for i in range(count):
            r = random.Random(seed * 100003 + i)
            build = BUILDERS[i % len(BUILDERS)]
            root = base / f"t{i}"
            root.mkdir()
            request, steps = build(r, root)
            entries = listing(root)
            cwd = cwd_for(request + str(i))
            turns: list[Turn] = []
            last: ActionResult | None = None
            for title, thought, tool, args in steps:
                last = _run(tool, args, root)
                if last is None or not last.ok:
                    break
                text = last.observation().replace(str(root), cwd)
                turns.append(Turn(title, thought, tool, args, observation=text))
            else:
                assert last is not None
                summary = _summary(request, steps[-1][2], last)
                messages = conversation(
                    request, prompts.workspace_line(cwd, entries), (), turns, summary
                )
                yield Example(
                    f"template-{build.__name__}-{i}",
                    "template",
                    "multi" if len(turns) > 1 else turns[0].tool,
                    messages,
                    {"template": build.__name__},
                )
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def worked_pairs(count: int, seed: int = 1) -> list[tuple[str, str]]:
    """(request, command) pairs of the one-command templates, for the retrieval corpus:
    at inference a plain request ("copy a.txt from x to y") then finds a worked example
    of its own kind to adapt, which the command corpora rarely hold."""
    pairs: list[tuple[str, str]] = []
    base = Path(tempfile.mkdtemp(prefix="lamtui-pairs-"))
    try:
        for i in range(count):
            r = random.Random(seed * 100003 + i)
            root = base / f"p{i}"
            root.mkdir()
            request, steps = BUILDERS[i % len(BUILDERS)](r, root)
            if len(steps) == 1 and steps[0][2] == "shell":
                pairs.append((request, steps[0][3]["command"]))
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return pairs
