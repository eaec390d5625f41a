"""A small in-memory BM25 index. The embedding of a 270M base model confuses tasks that
share a sentence shape; exact words (gzip, blame, inode, csv) tell them apart, so recall
fuses both scores (measured in benchmarks/bench_memory.py)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

K1 = 1.2
B = 0.75
_WORD = re.compile(r"[a-z0-9]+")
_STOP_TEXT = (
    "a an the of in on to for and or is are be it this that these those i me my we you your "
    "with without by from at as do does did how what which who where when show list print "
    "give get make tell please there here any all each every some into out up just only than "
    "then so can could would should will not no yes its their them they one"
)
STOPWORDS = frozenset(_STOP_TEXT.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "edly", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


@dataclass
class BM25Index:
    postings: dict[str, dict[str, int]] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)
    words: dict[str, set[str]] = field(default_factory=dict)  # doc -> its distinct words
    total_length: int = 0

    def __len__(self) -> int:
        return len(self.lengths)

    def add(self, doc_id: str, text: str) -> None:
        if doc_id in self.lengths:
            self.remove(doc_id)
        words = tokens(text)
        for word, count in Counter(words).items():
            self.postings.setdefault(word, {})[doc_id] = count
        self.lengths[doc_id] = len(words)
        self.words[doc_id] = set(words)
        self.total_length += len(words)

    def remove(self, doc_id: str) -> None:
        length = self.lengths.pop(doc_id, None)
        if length is None:
            return
        self.total_length -= length
        for word in self.words.pop(doc_id, set()):
            docs = self.postings.get(word, {})
            docs.pop(doc_id, None)
            if not docs:
                self.postings.pop(word, None)

    def scores(self, query: str) -> dict[str, float]:
        """BM25 score of every document sharing a word with the query."""
        n = len(self.lengths)
        if not n:
            return {}
        average = max(self.total_length / n, 1e-9)
        out: dict[str, float] = {}
        for word in set(tokens(query)):
            docs = self.postings.get(word)
            if not docs:
                continue
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for doc_id, tf in docs.items():
                norm = K1 * (1 - B + B * self.lengths[doc_id] / average)
                out[doc_id] = out.get(doc_id, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
        return out

    def top(self, query: str, k: int) -> list[tuple[str, float]]:
        ranked = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return ranked[:k]
