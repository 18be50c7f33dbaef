"""The evaluation metrics, each against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.evaluation.metrics import (
    answer_correct,
    citation_precision,
    citation_recall,
    document_recall,
    evidence_recall,
    mean,
    ndcg,
    percentile,
    reciprocal_rank,
)

A1, A2, A3, A5, A7, A8 = ("a", 1), ("a", 2), ("a", 3), ("a", 5), ("a", 7), ("a", 8)
B2, B3 = ("b", 2), ("b", 3)
C1, C3, C9 = ("c", 1), ("c", 3), ("c", 9)

RANKED = [A1, A8, B2, C1, A5]
# Four evidence items; the second and third each hold in either of two paragraphs.
EVIDENCE = [[A1], [A7, A8], [B2, B3], [C9]]


@pytest.mark.parametrize(("k", "expected"), [(0, 0.0), (1, 0.25), (2, 0.5), (3, 0.75), (5, 0.75), (10, 0.75)])
def test_evidence_recall_at_k(k: int, expected: float) -> None:
    assert evidence_recall(RANKED, EVIDENCE, k) == pytest.approx(expected)


def test_evidence_recall_counts_an_item_once_however_many_of_its_paragraphs_are_found() -> None:
    assert evidence_recall([A7, A8], [[A7, A8], [C9]], 2) == pytest.approx(0.5)
    assert evidence_recall([A7, A8], [[A7, A8]], 2) == 1.0


def test_evidence_recall_without_evidence_or_ranking() -> None:
    assert evidence_recall(RANKED, [], 5) == 0.0
    assert evidence_recall([], EVIDENCE, 5) == 0.0


@pytest.mark.parametrize(
    ("ranked", "gold", "expected"),
    [
        ([A1, B2, C3], {A1}, 1.0),
        ([A1, B2, C3], {C3}, 1 / 3),
        ([A1, B2, C3, A5], {B2, A5}, 0.5),  # the first gold one counts
        ([A1, B2], {C9}, 0.0),
        ([], {A1}, 0.0),
    ],
)
def test_reciprocal_rank(ranked, gold, expected: float) -> None:
    assert reciprocal_rank(ranked, gold) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranked", "gold", "k", "expected"),
    [
        ([A1, A2], {A1, A2}, 10, 1.0),
        # Gold at ranks 1 and 3: (1 + 1/log2 4) / (1 + 1/log2 3).
        ([A1, B2, A2], {A1, A2}, 10, (1 + 0.5) / (1 + 1 / math.log2(3))),
        ([B2, A1], {A1}, 10, 1 / math.log2(3)),
        ([B2, C1, A1], {A1}, 2, 0.0),  # beyond the cut-off
        # More gold than k: the ideal list is only k long.
        ([A1, A2], {A1, A2, A3}, 2, 1.0),
        ([A1], {A1, A2}, 10, 1 / (1 + 1 / math.log2(3))),
        ([A1, A2], set(), 10, 0.0),
    ],
)
def test_ndcg(ranked, gold, k: int, expected: float) -> None:
    assert ndcg(ranked, gold, k) == pytest.approx(expected)


keys = st.tuples(st.sampled_from("abc"), st.integers(1, 6))


@settings(max_examples=200, deadline=None)
@given(st.lists(keys, unique=True, max_size=12), st.sets(keys, max_size=6), st.integers(1, 12))
def test_ndcg_is_between_zero_and_one_and_one_only_for_an_ideal_ranking(ranked, gold, k) -> None:
    value = ndcg(ranked, gold, k)
    assert 0.0 <= value <= 1.0 + 1e-12
    # Ideal: the first min(|gold|, k) places are all gold.
    m = min(len(gold), k)
    ideal = bool(gold) and len(ranked) >= m and all(key in gold for key in ranked[:m])
    assert (value == pytest.approx(1.0)) == ideal


def test_citation_precision() -> None:
    assert citation_precision([A1, A2, B2], {A1, B2}) == pytest.approx(2 / 3)
    assert citation_precision([A1], {A1}) == 1.0
    assert citation_precision([C9], {A1}) == 0.0
    assert citation_precision([], {A1}) == 0.0  # nothing cited is not precise


def test_citation_recall() -> None:
    assert citation_recall([A1, C3], EVIDENCE) == pytest.approx(1 / 4)
    assert citation_recall([A8, B3, C9], EVIDENCE) == pytest.approx(3 / 4)  # either paragraph of an item will do
    assert citation_recall([A8, A7], EVIDENCE) == pytest.approx(1 / 4)  # one item, however often cited
    assert citation_recall([], EVIDENCE) == 0.0
    assert citation_recall([A1], []) == 0.0


def test_document_recall() -> None:
    assert document_recall([A1, A2, B2], {"a", "c"}) == pytest.approx(0.5)
    assert document_recall([A1, B2, C1], {"a", "b", "c"}) == 1.0
    assert document_recall([], {"a"}) == 0.0
    assert document_recall([A1], set()) == 0.0


@pytest.mark.parametrize(
    ("text", "groups", "expected"),
    [
        ("邀请5至8名高层次外国专家学者", [["5至8", "5到8", "5-8"]], True),
        ("邀请5到8名专家", [["5至8", "5到8"]], True),  # any phrase of a group
        ("争取召开闽港合作会议第三次会议、闽澳合作会议第二次会议", [["第三次"], ["第二次"]], True),
        ("争取召开闽港合作会议第三次会议", [["第三次"], ["第二次"]], False),  # every group
        ("用好 53 国 144 小时过境免签政策", [["53国"], ["144小时"]], True),  # spaces are layout
        ("用好５３国１４４小时过境免签政策", [["53"], ["144小时"]], True),  # full-width digits fold
        ("修订apec商务旅行卡实施细则", [["APEC"]], True),  # case
        ("力争与俄罗斯缔结省级友城", [["印度"]], False),
        ("", [["印度"]], False),
    ],
)
def test_answer_correct(text: str, groups, expected: bool) -> None:
    assert answer_correct(text, groups) is expected


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4], 0, 1.0),
        ([1, 2, 3, 4], 100, 4.0),
        ([10, 20, 30, 40, 50], 95, 48.0),  # position 3.8: 40 + 0.8 * 10
        ([3, 1, 2], 50, 2.0),  # the input need not be sorted
        ([7], 95, 7.0),
        ([], 50, 0.0),
    ],
)
def test_percentile(values, q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1e4), min_size=1, max_size=30), st.floats(0, 100))
def test_percentile_agrees_with_numpy_linear_interpolation(values, q: float) -> None:
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), rel=1e-9, abs=1e-9)


def test_mean() -> None:
    assert mean([1.0, 2.0]) == 1.5
    assert mean(x for x in (0.0, 1.0, 1.0, 0.0)) == 0.5  # any iterable, consumed once
    assert mean([]) == 0.0
