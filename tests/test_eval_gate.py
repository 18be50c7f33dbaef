"""The evaluation gate: the default mode on each corpus's test split stays above its floors."""

from __future__ import annotations

import dataclasses

import pytest

from rag.evaluation.corpora import load_corpora
from rag.evaluation.dataset import load_questions, resolve
from rag.evaluation.gate import load_thresholds, violations
from rag.evaluation.runner import Scores, assistant_pipeline, run, score

CORPORA = {c.name: c for c in load_corpora()}


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


def test_every_corpus_has_floors_on_real_metrics() -> None:
    thresholds = load_thresholds()
    names = {f.name for f in dataclasses.fields(Scores)}
    assert thresholds["split"] == "test"
    assert set(thresholds["corpora"]) == set(CORPORA)
    for corpus, gate in thresholds["corpora"].items():
        assert set(gate["floors"]) <= names and set(gate.get("ceilings", {})) <= names, corpus
        for metric in ("answer_accuracy", "refusal", "list_accuracy", "first_citation", "recall_at_5"):
            assert metric in gate["floors"], (corpus, metric)
        assert "false_refusal" in gate["ceilings"], corpus


def _test_split(assistant, corpus: str) -> list:
    questions = resolve(load_questions(CORPORA[corpus].questions), assistant.corpus)
    return [q for q in questions if q.split == load_thresholds()["split"]]


@pytest.fixture(scope="module")
def corpus_assistants(seed_assistant):
    from rag.assistant import Assistant

    out = {"seeds": seed_assistant}
    for name, c in CORPORA.items():
        if name != "seeds":
            a = Assistant(seed_assistant.settings.replace(docs_dir=c.docs), embedder=seed_assistant.embedder)
            a.warm_up()
            out[name] = a
    return out


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_default_mode_meets_the_floors_of_each_corpus(corpus_assistants, corpus: str) -> None:
    assistant = corpus_assistants[corpus]
    scores = score(run(assistant_pipeline(assistant), _test_split(assistant, corpus)))
    print(f"\n{corpus}: " + ", ".join(f"{k} {v:.3f}" for k, v in dataclasses.asdict(scores).items()
                                      if isinstance(v, float)))
    assert violations(scores, load_thresholds()["corpora"][corpus]) == []


@pytest.mark.slow
def test_gate_fails_when_retrieval_is_crippled(seed_assistant) -> None:
    """Shown once: BM25 alone with a fusion depth of one paragraph falls below the floors."""
    split = _test_split(seed_assistant, "seeds")
    scores = score(run(assistant_pipeline(seed_assistant, strategy="lexical", fusion_depth=1), split))
    found = violations(scores, load_thresholds()["corpora"]["seeds"])
    assert any(v.startswith("recall_at_5") for v in found), found


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_the_milvus_store_gives_the_same_figures(corpus_assistants, milvus_uri, corpus: str) -> None:
    """RAG_STORE=milvus: every figure of the test split within 0.01 of the in-process store
    (the latencies aside: a server is a round trip away)."""
    from rag.assistant import Assistant

    local = corpus_assistants[corpus]
    remote = Assistant(local.settings.replace(store="milvus", milvus_uri=milvus_uri), embedder=local.embedder)
    remote.warm_up()
    assert remote.retriever.store.name == "milvus"
    split = _test_split(local, corpus)
    a = dataclasses.asdict(score(run(assistant_pipeline(local), split)))
    b = dataclasses.asdict(score(run(assistant_pipeline(remote), split)))
    apart = {k: (a[k], b[k]) for k in a
             if isinstance(a[k], float) and not k.startswith("latency") and abs(a[k] - b[k]) > 0.01}
    assert apart == {}
