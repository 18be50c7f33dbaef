"""The hand-written question set: well-formed, balanced, and its gold evidence really is
in the paragraphs it names, as the reader numbers them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rag.corpus import Corpus, load_corpus
from rag.errors import RagError
from rag.evaluation.dataset import KINDS, Question, load_questions
from rag.text import normalize_for_match

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(ROOT / "seeds")


def test_the_set_is_large_enough_and_ids_are_unique(questions: list[Question]) -> None:
    assert len(questions) >= 150
    ids = [q.id for q in questions]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    assert all(q.question.strip() for q in questions)
    assert len({q.question for q in questions}) == len(questions)


def test_every_kind_is_in_both_splits(questions: list[Question]) -> None:
    seen = Counter((q.kind, q.split) for q in questions)
    missing = [(k, s) for k in KINDS for s in ("tune", "test") if not seen[(k, s)]]
    assert not missing


def test_about_a_tenth_is_unanswerable(questions: list[Question]) -> None:
    share = sum(1 for q in questions if not q.answerable) / len(questions)
    assert 0.08 <= share <= 0.15


def test_unanswerable_questions_have_no_evidence_and_no_answers(questions: list[Question]) -> None:
    for q in questions:
        if q.kind == "unanswerable":
            assert q.evidence == () and q.answers == (), q.id
        else:
            assert q.answerable, q.id
            assert q.answers and all(group and all(p.strip() for p in group) for group in q.answers), q.id


def test_gold_quotes_occur_in_every_listed_paragraph(questions: list[Question], corpus: Corpus) -> None:
    problems = []
    for q in questions:
        for e in q.evidence:
            doc = corpus.document(e.doc)
            assert doc.name == e.doc, f"{q.id}: {e.doc} is not a full file name"
            assert e.quote.strip() and e.paragraphs, q.id
            assert len(set(e.paragraphs)) == len(e.paragraphs), q.id
            for n in e.paragraphs:
                if not 1 <= n <= len(doc.paragraphs):
                    problems.append(f"{q.id}: {e.doc} has no paragraph {n}")
                elif e.quote not in doc.paragraph(n).text:
                    problems.append(f"{q.id}: {e.quote!r} is not in {e.doc} ¶{n}")
    assert not problems, "\n".join(problems)


def test_every_answer_group_is_supported_by_the_gold(questions: list[Question], corpus: Corpus) -> None:
    """A phrase of each group is in the gold paragraphs or in their document's label
    (which names the region when the text does not)."""
    problems = []
    for q in questions:
        if not q.answerable:
            continue
        gold = normalize_for_match("".join(
            corpus.document(e.doc).meta.label + "".join(corpus.document(e.doc).paragraph(n).text for n in e.paragraphs)
            for e in q.evidence
        ))
        for group in q.answers:
            if not any(normalize_for_match(p) in gold for p in group):
                problems.append(f"{q.id}: none of {group} is in its gold paragraphs")
    assert not problems, "\n".join(problems)


def test_kinds_are_what_they_say(questions: list[Question], corpus: Corpus) -> None:
    sources = {d.name: (corpus.root / d.name).read_text("utf-8").split("\n") for d in corpus.documents}
    for q in questions:
        assert bool(q.history) == (q.kind == "followup"), q.id
        if q.kind == "crossdoc":
            assert len(q.gold_documents) >= 2, q.id
        if q.kind == "english":
            letters = sum(ch.isascii() and ch.isalpha() for ch in q.question)
            assert letters >= 0.5 * len(q.question), q.id
        if q.kind == "pagebreak":
            # At least one quote crosses a page break: no single source line holds it.
            assert any(not any(e.quote in line for line in sources[e.doc]) for e in q.evidence), q.id


def test_a_malformed_line_is_reported_with_its_number(tmp_path: Path) -> None:
    good = QUESTIONS.read_text("utf-8").splitlines()[0]
    path = tmp_path / "q.jsonl"
    path.write_text(good + "\n\n" + json.dumps({"id": "x"}) + "\n", "utf-8")
    with pytest.raises(RagError, match="q.jsonl:3"):
        load_questions(path)
    row = json.loads(good) | {"kind": "trivia"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(RagError, match="trivia"):
        load_questions(path)
