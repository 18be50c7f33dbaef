"""What an answer shows of a chosen sentence: the clauses that carry the answer."""

from __future__ import annotations

import re
from typing import Mapping

from rag import slots
from rag.candidates import Pick, Scored
from rag.lexical import tokenize
from rag.question import QuestionProfile


def _first_sentence(text: str) -> str:
    from rag.text import split_sentences

    sentences = split_sentences(text)
    return sentences[0][1] if sentences else text


def _window(c: Scored, a: int, b: int, max_chars: int) -> Pick:
    """The clauses of the sentence around ``a:b`` (an enumeration), whole if it fits."""
    text = c.sentence.text
    if len(text) <= max_chars:
        return Pick(c, text, None)
    clauses = _clauses(text)
    lo = next(i for i, (x, y) in enumerate(clauses) if y > a)
    hi = next((i for i, (x, y) in enumerate(clauses) if y >= b), len(clauses) - 1)
    while lo > 0 and clauses[hi][1] - clauses[lo - 1][0] <= max_chars and lo > hi - 1 and a - clauses[lo][0] < 2:
        lo -= 1
    start, end = clauses[lo][0], clauses[hi][1]
    if end - start > max_chars:
        end = start + max_chars
    return Pick(c, text[start:end].rstrip("，,：:"), None)


def _clauses(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^，,：:；;]+[，,：:；;]?", text)]


def snippet(c: Scored, profile: QuestionProfile, weights: Mapping[str, float], max_chars: int) -> Pick:
    """The clauses of the sentence that carry the answer, and the answer span in it."""
    text = c.sentence.text
    clauses = _clauses(text) or [(0, len(text))]
    fills = slots.fills(text, profile)
    spans = [(f.start, f.end) for f in fills]
    typed_bonus = max(2.0, 0.3 * sum(weights.values()))

    def value(a: int, b: int) -> float:
        part = set(tokenize(text[a:b]))
        typed = any(a <= s < b for s, _ in spans)
        return sum(v for t, v in weights.items() if t in part) + (typed_bonus if typed else 0.0)

    if len(text) <= max_chars or len(clauses) <= 1:
        start, end = 0, len(text)
    else:
        best = max(range(len(clauses)), key=lambda i: value(*clauses[i]))
        lo = hi = best
        typed = [i for i, (a, b) in enumerate(clauses) if any(a <= s < b for s, _ in spans)]
        if typed:  # the window must hold the answer itself, not only the words around it
            t = min(typed, key=lambda i: abs(i - best))
            lo, hi = (min(t, best), max(t, best))
            if clauses[hi][1] - clauses[lo][0] > max_chars:
                lo = hi = t
        while True:
            options = [i for i in (lo - 1, hi + 1) if 0 <= i < len(clauses)]
            options = [i for i in options if clauses[max(hi, i)][1] - clauses[min(lo, i)][0] <= max_chars]
            if not options:
                break
            i = max(options, key=lambda j: value(*clauses[j]))
            if value(*clauses[i]) <= 0 and clauses[hi][1] - clauses[lo][0] >= 40:
                break
            lo, hi = min(lo, i), max(hi, i)
        start, end = clauses[lo][0], clauses[hi][1]
    shown = text[start:end].rstrip("，,：:")
    inside = [s for s in spans if start <= s[0] and s[1] <= start + len(shown)]
    span = max(inside, key=lambda s: value(*_clause_of(s[0], clauses)), default=None) if inside else None
    return Pick(c, shown, span)


def _clause_of(offset: int, clauses: list[tuple[int, int]]) -> tuple[int, int]:
    return next((c for c in clauses if c[0] <= offset < c[1]), (offset, offset + 1))
