"""Fitting the abstention threshold on the tune split only."""

from __future__ import annotations

from typing import Sequence

from rag.evaluation.runner import Record


# The false-refusal budget on the tune split: well under the 0.05 ceiling, because a
# threshold fitted to the edge of a small tune split overshoots on questions it has not seen.
MAX_FALSE_REFUSAL = 0.025


def best_threshold(
    answerable: Sequence[float], unanswerable: Sequence[float], max_false_refusal: float = MAX_FALSE_REFUSAL
) -> float:
    """The threshold that refuses the most unanswerable questions while refusing at most
    ``max_false_refusal`` of the answerable ones (ties: the lowest such threshold), moved
    to the middle of the gap between that value and the next lower one."""
    candidates = sorted(set(answerable) | set(unanswerable))
    best, best_refused = min(candidates, default=0.0), -1
    for t in candidates:
        false_refusal = sum(v < t for v in answerable) / max(len(answerable), 1)
        if false_refusal > max_false_refusal:
            break
        refused = sum(v < t for v in unanswerable)
        if refused > best_refused:
            best, best_refused = t, refused
    # Sit in the middle of the gap below the chosen value, not on the edge of a tune point.
    below = [v for v in candidates if v < best]
    return (max(below) + best) / 2 if below else best


def calibrate(records: Sequence[Record]) -> str:
    ans = [r.outcome.support for r in records if r.question.answerable and r.outcome.support is not None]
    una = [r.outcome.support for r in records if not r.question.answerable and r.outcome.support is not None]
    t = best_threshold(ans, una)
    refusal = sum(v < t for v in una) / max(len(una), 1)
    false_refusal = sum(v < t for v in ans) / max(len(ans), 1)
    return (f"support threshold {t:.4f} on the tune split: refusal {refusal:.2f} of {len(una)} unanswerable, "
            f"false refusal {false_refusal:.2f} of {len(ans)} answerable")
