"""InterCode's three-part judgement: same changed paths, same contents, same output.

The output part is InterCode's TF-IDF cosine, reimplemented after scikit-learn's
TfidfVectorizer defaults (lowercase, smooth idf, sublinear tf off, l2 norm) fitted on just
the two outputs — with one deliberate difference: single characters are tokens too.
scikit-learn's default pattern drops them, which makes "3" and "" the same output (both
have no tokens), so an agent that printed nothing would pass every task whose answer is a
single digit. Outputs with no word characters at all are compared as text.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from lamtui.eval.suite import Evidence, Verdict

_TOKEN = re.compile(r"(?u)\b\w+\b")
OUTPUT_TOLERANCE = 1e-6  # cosine of identical bags can land a hair under 1.0


def _tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def tfidf_cosine(a: str, b: str) -> float:
    """Cosine of the two outputs' TF-IDF vectors, fitted on the pair. Two outputs without
    tokens are equal (1.0) when their text is (whitespace aside); one without tokens
    matches nothing (0.0)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta and not tb:
        return 1.0 if a.split() == b.split() else 0.0
    if not ta or not tb:
        return 0.0
    # Smooth idf over 2 documents: ln(3 / (1 + df)) + 1.
    idf = {t: math.log(3 / (1 + (t in ta) + (t in tb))) + 1 for t in ta.keys() | tb.keys()}
    va = {t: n * idf[t] for t, n in ta.items()}
    vb = {t: n * idf[t] for t, n in tb.items()}
    dot = sum(w * vb.get(t, 0.0) for t, w in va.items())
    norm = math.sqrt(sum(w * w for w in va.values())) * math.sqrt(sum(w * w for w in vb.values()))
    return min(1.0, dot / norm)


def _file_reasons(agent: dict[str, str], gold: dict[str, str]) -> list[str]:
    reasons: list[str] = []
    for path in sorted(agent.keys() | gold.keys()):
        a, g = agent.get(path), gold.get(path)
        if a == g:
            continue
        if a is None:
            reasons.append(f"the gold command {g} {path}; the agent did not")
        elif g is None:
            reasons.append(f"the agent {a} {path}; the gold command did not")
        else:
            reasons.append(f"the gold command {g} {path}; the agent {a} it")
    return reasons


def three_part_score(agent: Evidence, gold: Evidence) -> Verdict:
    """InterCode's parts: (1) the same paths changed the same way, (2) every path both
    changed has the same content, (3) the outputs' TF-IDF cosine is 1. Success = all three."""
    reasons = _file_reasons(agent.changes, gold.changes)
    files_ok = not reasons

    both = sorted(agent.changes.keys() & gold.changes.keys())
    differing = [p for p in both if agent.hashes.get(p) != gold.hashes.get(p)]
    reasons += [f"{p} differs from the gold command's result" for p in differing]
    hashes_ok = not differing

    similarity = tfidf_cosine(agent.output, gold.output)
    output_ok = similarity >= 1 - OUTPUT_TOLERANCE
    if not output_ok:
        reasons.append(f"the output differs from the gold output (similarity {similarity:.2f})")

    return Verdict(
        success=files_ok and hashes_ok and output_ok,
        parts={"files": files_ok, "hashes": hashes_ok, "output": similarity},
        reasons=reasons,
    )
