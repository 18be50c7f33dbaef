"""Evaluation metrics as small pure functions over paragraph keys ``(doc, number)``."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Iterable, Sequence

from rag.text import normalize_for_match

Key = tuple[str, int]


def evidence_recall(ranked: Sequence[Key], evidence: Sequence[Iterable[Key]], k: int) -> float:
    """Share of evidence items with at least one of their paragraphs in the top ``k``."""
    if not evidence:
        return 0.0
    top = set(ranked[:k])
    return sum(1 for item in evidence if top & set(item)) / len(evidence)


def reciprocal_rank(ranked: Sequence[Key], gold: set[Key]) -> float:
    for i, key in enumerate(ranked, start=1):
        if key in gold:
            return 1.0 / i
    return 0.0


def ndcg(ranked: Sequence[Key], gold: set[Key], k: int = 10) -> float:
    """Binary-relevance nDCG@k."""
    if not gold:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 1) for i, key in enumerate(ranked[:k], start=1) if key in gold)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal


def citation_precision(cited: Sequence[Key], gold: set[Key]) -> float:
    """Share of cited paragraphs that are gold; 0 when nothing is cited."""
    if not cited:
        return 0.0
    return sum(1 for key in cited if key in gold) / len(cited)


def citation_recall(cited: Sequence[Key], evidence: Sequence[Iterable[Key]]) -> float:
    """Share of evidence items that some citation points at."""
    return evidence_recall(list(cited), evidence, len(cited)) if cited else 0.0


def document_recall(cited: Sequence[Key], gold_documents: set[str]) -> float:
    """For cross-document questions: share of the gold documents cited at all."""
    if not gold_documents:
        return 0.0
    return len({doc for doc, _ in cited} & gold_documents) / len(gold_documents)


def answer_correct(text: str, groups: Sequence[Sequence[str]]) -> bool:
    """True when every key-phrase group has a phrase in ``text`` (loose: NFKC, no spaces, case)."""
    norm = normalize_for_match(text)
    return all(any(normalize_for_match(p) in norm for p in group) for group in groups)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


_MARKER = re.compile(r"[\[【［]\s*\d+(?:\s*[-–,，、]\s*\d+)*\s*[\]】］]")
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CHINESE = re.compile(r"[〇零一二三四五六七八九十百千万亿两]{2,}")


_SCALED = re.compile(r"(\d+(?:\.\d+)?)(?:\s*(?:thousand|million|billion|trillion)\b)?")


def _by_value(number: str, cited_texts: Sequence[str]) -> bool:
    """An English rendering's number (232.01 billion, 35000) that a paragraph gives in
    Chinese units (2320.1亿, 3.5万), compared by value as the answer verifier does."""
    from rag.verify import supported

    return supported(number, list(cited_texts))


def unsupported_numbers(answer: str, cited_texts: Sequence[str]) -> list[str]:
    """Numbers in ``answer`` (markers aside) that none of the cited paragraphs (with their
    document titles and sections) has: Arabic numbers compared as whole numbers, or by value
    where a paragraph writes them with 万 or 亿; runs of Chinese numerals as text."""
    text = unicodedata.normalize("NFKC", _MARKER.sub(" ", answer)).replace(",", "")
    cited = unicodedata.normalize("NFKC", "\n".join(cited_texts)).replace(",", "")
    have = set(_ARABIC.findall(cited))
    out = [m.group(1) for m in _SCALED.finditer(text) if m.group(1) not in have and not _by_value(m.group(), cited_texts)]
    out += [n for n in _CHINESE.findall(text) if n not in cited]
    return out
