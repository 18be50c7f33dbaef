"""The evaluation gate: the default mode on the test split stays above its floors."""

from __future__ import annotations

import dataclasses

import pytest

from rag.evaluation.dataset import load_questions
from rag.evaluation.gate import load_thresholds, violations
from rag.evaluation.runner import DEFAULT_QUESTIONS, Scores, assistant_pipeline, run, score


def _scores(**values: float) -> Scores:
    base = {f.name: 1.0 for f in dataclasses.fields(Scores) if f.type in ("float", float)}
    base.update(n=10, answerable=9, false_refusal=0.0, extra={})
    base.update(values)
    return Scores(**base)


def test_violations_name_each_metric_below_its_floor_or_above_its_ceiling() -> None:
    thresholds = {"floors": {"recall_at_5": 0.9, "answer_accuracy": 0.8}, "ceilings": {"false_refusal": 0.05}}
    assert violations(_scores(), thresholds) == []
    found = violations(_scores(recall_at_5=0.5, false_refusal=0.2), thresholds)
    assert len(found) == 2
    assert "recall_at_5 0.500 is below its floor 0.900" in found[0]
    assert "false_refusal" in found[1]


def test_thresholds_file_names_real_metrics() -> None:
    thresholds = load_thresholds()
    names = {f.name for f in dataclasses.fields(Scores)}
    assert set(thresholds["floors"]) <= names and set(thresholds.get("ceilings", {})) <= names
    assert thresholds["split"] == "test"


@pytest.fixture(scope="module")
def test_split():
    thresholds = load_thresholds()
    return [q for q in load_questions(DEFAULT_QUESTIONS) if q.split == thresholds["split"]]


@pytest.mark.slow
def test_default_mode_meets_the_floors(seed_assistant, test_split) -> None:
    scores = score(run(assistant_pipeline(seed_assistant), test_split))
    print("\n" + "\n".join(f"{k}: {v}" for k, v in dataclasses.asdict(scores).items()))
    assert violations(scores, load_thresholds()) == []


@pytest.mark.slow
def test_gate_fails_when_retrieval_is_crippled(seed_assistant, test_split) -> None:
    """Shown once: BM25 alone with a fusion depth of one paragraph falls below the floors."""
    scores = score(run(assistant_pipeline(seed_assistant, strategy="lexical", fusion_depth=1), test_split))
    found = violations(scores, load_thresholds())
    assert any(v.startswith("recall_at_5") for v in found), found
