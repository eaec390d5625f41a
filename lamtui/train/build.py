"""`lamtui train data`: the dataset and its data card.

Sources: NL2Bash and tldr-pages (package data), the shipped memory demonstrations, the
user's own finished and approved trajectories, and their rejections with reasons. Every
pair is checked (bash -n, the gate, installed programs), decontaminated against both
evaluation suites, near-duplicate command shapes are capped, and what can run safely is
run under bubblewrap for a real observation. Output: train.jsonl, val.jsonl, card.json
and the retrieval corpus the trained LAM is shown examples from."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamtui.agent import prompts
from lamtui.errors import LamtuiError
from lamtui.memory.examples import ExampleIndex
from lamtui.train import templates
from lamtui.train.corpus import SOURCES, Pair, load_pairs
from lamtui.train.decontam import Decontaminator
from lamtui.train.examples import (
    Example,
    Turn,
    answer_summary,
    conversation,
    cwd_for,
    program,
    rng_for,
)
from lamtui.train.grounding import gate_check, make_workspace, run_sandboxed, syntax_ok
from lamtui.train.trajectories import from_seeds, from_trajectories

SHAPE_CAP = 2  # at most this many pairs with the same command shape
EXAMPLE_RATE = 0.75  # share of examples shown retrieved examples (the rest: none)
VAL_SHARE = 0.03
Progress = Callable[[str], None]


@dataclass
class BuildOptions:
    out: Path
    max_pairs: int = 8000
    templates: int = 1500
    trajectories: Path | None = None  # the user's trajectories.jsonl (None: the default)
    include_user: bool = True
    run: bool = True  # ground with real sandboxed runs
    seed: int = 0
    scan_limit: int = 0  # read only the first N corpus pairs (0: all; tests use a sample)


@dataclass
class Card:
    counts: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    decontaminated: int = 0
    examples: list[str] = field(default_factory=list)

    def to_dict(self, lengths: list[int], train: int, val: int) -> dict[str, Any]:
        lengths = sorted(lengths)

        def pct(p: float) -> int:
            return lengths[min(len(lengths) - 1, int(p * len(lengths)))] if lengths else 0

        return {
            "examples": {"train": train, "val": val},
            "by_source": dict(self.counts),
            "by_kind": dict(self.kinds),
            "dropped": dict(self.dropped),
            "decontaminated": self.decontaminated,
            "chars_per_example": {"p50": pct(0.5), "p90": pct(0.9), "max": pct(1.0)},
            "licences": {"nl2bash": "MIT", "tldr": "CC-BY-4.0 (tldr-pages team and contributors)"},
            "sample_ids": self.examples[:5],
        }


def shape(command: str) -> str:
    """A command with its quoted strings, names and numbers blanked: near-identical
    `find . -name X -exec ...` one-liners share one shape."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "S", command)
    text = re.sub(r"\b\d+\b", "N", text)
    text = re.sub(r"(?<=\s)[\w./~-]*[./][\w./~-]*", "P", text)
    return re.sub(r"\s+", " ", text).strip()


def select_pairs(options: BuildOptions, card: Card, progress: Progress) -> list[Pair]:
    """Checked, decontaminated, shape-capped pairs (all of them: the retrieval corpus)."""
    clean = Decontaminator.from_suites()
    shapes: Counter[str] = Counter()
    seen: set[str] = set()
    kept: list[Pair] = []
    probe = Path(tempfile.mkdtemp(prefix="lamtui-gate-"))
    try:
        pairs = load_pairs()
        if options.scan_limit:
            pairs = itertools.islice(pairs, options.scan_limit)
        for n, pair in enumerate(pairs):
            if n % 5000 == 0:
                progress(f"checking pairs: {n:,} read, {len(kept):,} kept")
            key = re.sub(r"\s+", " ", pair.cmd)
            if key in seen:
                card.dropped["duplicate"] += 1
                continue
            seen.add(key)
            if len(pair.cmd) > 200 or len(pair.nl) > 300:
                card.dropped["too long"] += 1
                continue
            if shapes[shape(pair.cmd)] >= SHAPE_CAP:
                card.dropped["near-duplicate shape"] += 1
                continue
            if clean.reason(pair.nl, pair.cmd):
                card.decontaminated += 1
                continue
            check = gate_check(pair.cmd, probe)
            if check.missing:
                card.dropped["program missing here"] += 1
                continue
            if not check.ok:
                card.dropped[f"gate: {check.risk}"] += 1
                continue
            if not syntax_ok(pair.cmd):
                card.dropped["bash -n fails"] += 1
                continue
            shapes[shape(pair.cmd)] += 1
            kept.append(pair)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    return kept


def ground(pair: Pair, index: ExampleIndex, run: bool) -> Example:
    """The pair as a whole task in the LAM's protocol, observed for real when it runs."""
    r = rng_for(pair.id)
    examples = index.nearest(pair.nl, 2, exclude=[pair.cmd]) if r.random() < EXAMPLE_RATE else []
    cwd = cwd_for(pair.id)
    root = Path(tempfile.mkdtemp(prefix="lamtui-ground-"))
    try:
        entries = make_workspace(root, pair)
        result = run_sandboxed(pair.cmd, root) if run else None
        observation = summary = None
        if result is not None:
            summary = answer_summary(result)
            if summary is not None:
                observation = result.observation().replace(str(root), cwd)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    title = prompts.short_title(pair.nl)
    turn = Turn(title, f"Use {program(pair.cmd)}.", "shell", {"command": pair.cmd}, observation)
    messages = conversation(
        pair.nl, prompts.workspace_line(cwd, entries), examples, [turn], summary
    )
    return Example(pair.id, pair.source, "shell", messages, {"observed": observation is not None})


def _request(example: Example) -> str:
    return example.messages[0].content.split("\n", 1)[0].removeprefix("Request: ")


def _commands(example: Example) -> list[str]:
    """The shell commands the example teaches: its own answer is never its example."""
    out = []
    for message in example.messages:
        if message.role == "assistant":
            args = json.loads(message.content).get("args") or {}
            if "command" in args:
                out.append(str(args["command"]))
    return out


def _with_examples(example: Example, index: ExampleIndex) -> Example:
    """Template and memory tasks get retrieved examples like every other task."""
    r = rng_for(example.id)
    first = example.messages[0].content
    request = first.split("\n", 1)[0].removeprefix("Request: ")
    if r.random() >= EXAMPLE_RATE:
        return example
    shown = index.nearest(request, 2, exclude=_commands(example))
    if not shown:
        return example
    workspace = first.split("\n")[1]
    head = prompts.lam_task_messages(request, workspace, shown)
    return Example(
        example.id, example.source, example.kind, head + example.messages[1:], example.meta
    )


def build(options: BuildOptions, progress: Progress = lambda _: None) -> dict[str, Any]:
    card = Card()
    pairs = select_pairs(options, card, progress)
    if not pairs:
        raise LamtuiError("no training pairs survived the checks", "see the dropped counts")
    options.out.mkdir(parents=True, exist_ok=True)
    # Template phrasings are decontaminated like the corpora ("show the disk usage of
    # old" is close to an InterCode request).
    clean = Decontaminator.from_suites()
    worked = [
        (nl, cmd)
        for nl, cmd in templates.worked_pairs(options.templates // 2, options.seed + 1)
        if not clean.reason(nl, cmd)
    ]
    index = ExampleIndex([*((p.nl, p.cmd) for p in pairs), *worked])
    index.save(options.out / "retrieval.jsonl.gz")
    progress(f"{len(pairs):,} pairs kept; the retrieval corpus has {len(index):,}")
    rng = rng_for(f"select-{options.seed}")
    chosen = rng.sample(pairs, min(options.max_pairs, len(pairs)))
    examples: list[Example] = []
    for n, pair in enumerate(chosen):
        if n % 500 == 0:
            progress(f"grounding: {n:,} of {len(chosen):,}")
        examples.append(ground(pair, index, options.run))
    examples.extend(
        _with_examples(e, index)
        for e in templates.generate(options.templates, options.seed)
        if not clean.reason(_request(e), "")
    )
    examples.extend(_with_examples(e, index) for e in from_seeds())
    if options.include_user:
        examples.extend(from_trajectories(options.trajectories))
    return write(options.out, examples, card, options.seed)


def _split(examples: list[Example], seed: int) -> tuple[list[Example], list[Example]]:
    rng = rng_for(f"split-{seed}")
    order = list(examples)
    rng.shuffle(order)
    n_val = max(1, int(len(order) * VAL_SHARE)) if len(order) > 10 else 0
    # User data always trains: it is what the user taught.
    val = [e for e in order if e.source in SOURCES or e.source == "template"][:n_val]
    ids = {e.id for e in val}
    return [e for e in order if e.id not in ids], val


def write(out: Path, examples: list[Example], card: Card, seed: int = 0) -> dict[str, Any]:
    if not examples:
        raise LamtuiError("the dataset is empty")
    out.mkdir(parents=True, exist_ok=True)
    train, val = _split(examples, seed)
    for name, part in (("train.jsonl", train), ("val.jsonl", val)):
        tmp = out / (name + ".part")
        with tmp.open("w", encoding="utf-8") as fh:
            for example in part:
                fh.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")
        tmp.replace(out / name)
    for e in examples:
        card.counts[e.source] += 1
        card.kinds[e.kind] += 1
    card.examples = [e.id for e in examples]
    lengths = [sum(len(m.content) for m in e.messages) for e in examples]
    data = card.to_dict(lengths, len(train), len(val))
    (out / "card.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def read_examples(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Example.from_dict(json.loads(line))
