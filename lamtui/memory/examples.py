"""Retrieval-augmented examples: the k corpus pairs nearest a request (BM25 over the
request text), shown to the trained LAM at training and at inference so it learns to
adapt the nearest example instead of copying it. A lexical index is instant to build
and query; embedding 40k pairs with the model would cost ~66 ms each."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from lamtui.memory.lexical import BM25Index

CORPUS_FILE = "retrieval.jsonl.gz"
# Below this BM25 score a pair shares too little with the request to help: showing no
# example beats showing a wrong one.
MIN_SCORE = 4.0


_SHIPPED: ExampleIndex | None = None


def shipped_index() -> ExampleIndex | None:
    """The corpus shipped with lamtui (loaded once per process), or None without it."""
    global _SHIPPED
    if _SHIPPED is None:
        try:
            _SHIPPED = ExampleIndex.load()
        except (OSError, ValueError):
            return None
    return _SHIPPED


_NAME = re.compile(r"""["'][^"']*["']|\S*[\d./_~*$]\S*""")


def intent(text: str) -> str:
    """The words that say what to do: names, paths, numbers and quoted strings are
    dropped, so "copy test.txt from dir1 to dir2" finds copying, not other tasks that
    happen to mention dir1 (measured: the nearest pair was a find -exec over dir1..dir4)."""
    return _NAME.sub(" ", text)


class ExampleIndex:
    """(request, command) pairs searchable by what the request asks for."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.index = BM25Index()
        for nl, cmd in pairs:
            self.index.add(str(len(self.pairs)), intent(nl))
            self.pairs.append((nl, cmd))

    def __len__(self) -> int:
        return len(self.pairs)

    def nearest(
        self,
        request: str,
        k: int = 2,
        exclude: Sequence[str] = (),
        min_score: float = MIN_SCORE,
    ) -> list[tuple[str, str]]:
        """The k best pairs, best first; pairs whose command is in `exclude` (the
        example's own answer during training) are skipped."""
        out: list[tuple[str, str]] = []
        for doc_id, score in self.index.top(intent(request), k + 8):
            if score < min_score:
                break
            nl, cmd = self.pairs[int(doc_id)]
            if cmd in exclude or nl == request:
                continue
            out.append((nl, cmd))
            if len(out) == k:
                break
        return out

    def save(self, path: Path) -> None:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            for nl, cmd in self.pairs:
                fh.write(json.dumps({"nl": nl, "cmd": cmd}, ensure_ascii=False) + "\n")

    @staticmethod
    def load(path: Path | None = None) -> ExampleIndex:
        """The shipped corpus (package data), or one written by `lamtui train data`."""
        source = path or Path(str(resources.files("lamtui.memory") / "data" / CORPUS_FILE))
        with gzip.open(source, "rt", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        return ExampleIndex((r["nl"], r["cmd"]) for r in rows)
