"""The packaged language model for real (llama.cpp, Qwen2.5-Coder-1.5B Q4_K_M): it answers
seed questions with citations that hold, and an unanswerable question is not answered.

Needs the optional extra (``make setup-llm``); CI installs it."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

SEED_QUESTIONS = [
    # (question, a fact the answer must hold, the cited document)
    ("2017年福建接手承办的友协工作交流会，是历届中的第几届？", "20", "000_"),
    ("福建2017年力争与哪些国家缔结省级友城？", "俄罗斯", "000_"),
    ("湖南“十三五”期间力争全省友好城市达到多少对？", "100", "002_"),
]


@pytest.fixture(scope="module")
def generative(seed_assistant):
    pytest.importorskip("llama_cpp", reason="the generative extra is not installed (make setup-llm)")
    from rag.assistant import Assistant

    assistant = Assistant(seed_assistant.settings.replace(mode="generative"), embedder=seed_assistant.embedder)
    assistant.warm_up()  # loads the packaged model: joined from its parts and checked on first use
    return assistant


@pytest.mark.parametrize("question,fact,doc", SEED_QUESTIONS)
def test_seed_questions_are_answered_with_citations_that_hold(generative, question, fact, doc) -> None:
    a = generative.answer(question)
    assert a.mode == "generative" and a.found, a
    assert a.citations and a.citations[0].doc.startswith(doc), a.citations
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", a.text)]
    assert markers and set(markers) == set(range(1, len(a.citations) + 1))
    for c in a.citations:
        assert c.quote in c.text
    if fact:
        assert fact in a.text, a.text
    # No number reaches the user that its citations do not hold.
    from rag.evaluation.metrics import unsupported_numbers

    # (a cited paragraph is its document title and section as well as its text)
    assert unsupported_numbers(a.text, [f"{c.title} {c.section}\n{c.text}" for c in a.citations]) == []


def test_an_unanswerable_question_is_not_answered(generative) -> None:
    a = generative.answer("福建省2017年外事经费预算是多少万元？")
    assert not a.found
    assert a.text.startswith("文件中没有找到")


def test_answers_repeat_whatever_was_asked_before(generative) -> None:
    """Each prompt starts from the saved state of its template's fixed part: the cache cut
    back after a question of the same language, restored after one of the other."""
    question = SEED_QUESTIONS[0][0]
    first = generative.answer(question).text
    assert generative.answer(question).text == first  # cut back
    english = generative.answer("How many international sister cities did Hunan aim to have by 2020?")
    assert english.found
    assert generative.answer(question).text == first  # restored
