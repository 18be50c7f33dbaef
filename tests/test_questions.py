"""The hand-written question sets of every development corpus: well-formed, balanced, and
their gold evidence really is in the paragraphs the reader numbers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rag.corpus import Corpus, load_corpus
from rag.errors import RagError
from rag.evaluation.corpora import load_corpora
from rag.evaluation.dataset import Question, load_questions, resolve
from rag.text import normalize_for_match

CORPORA = {c.name: c for c in load_corpora()}


@pytest.fixture(scope="module", params=sorted(CORPORA))
def corpus_and_questions(request) -> tuple[str, Corpus, list[Question]]:
    c = CORPORA[request.param]
    corpus = load_corpus(c.docs)
    return c.name, corpus, resolve(load_questions(c.questions), corpus)


def test_the_development_corpora_include_the_seeds_and_documents_beyond_them() -> None:
    assert "seeds" in CORPORA and len(CORPORA) >= 2
    for c in CORPORA.values():
        assert c.docs.is_dir() and c.questions.is_file(), c.name


def test_each_set_is_large_enough_and_ids_are_unique(corpus_and_questions) -> None:
    name, _, questions = corpus_and_questions
    assert len(questions) >= 60, name
    ids = [q.id for q in questions]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    assert all(q.question.strip() for q in questions)
    assert len({q.question for q in questions}) == len(questions)


def test_answerable_unanswerable_and_list_questions_are_in_both_splits(corpus_and_questions) -> None:
    _, _, questions = corpus_and_questions
    seen = Counter((q.kind, q.split) for q in questions)
    for kind in ("unanswerable", "list", "english", "crossdoc"):
        assert seen[(kind, "tune")] >= 2 and seen[(kind, "test")] >= 2, kind


def test_near_misses_are_a_real_share_of_each_set(corpus_and_questions) -> None:
    _, _, questions = corpus_and_questions
    share = sum(1 for q in questions if not q.answerable) / len(questions)
    assert 0.12 <= share <= 0.35


def test_unanswerable_questions_have_no_evidence_and_no_answers(corpus_and_questions) -> None:
    _, _, questions = corpus_and_questions
    for q in questions:
        if q.kind == "unanswerable":
            assert q.evidence == () and q.answers == (), q.id
        else:
            assert q.answerable, q.id
            assert q.answers and all(group and all(p.strip() for p in group) for group in q.answers), q.id


def test_gold_quotes_occur_in_the_paragraphs_they_resolve_to(corpus_and_questions) -> None:
    _, corpus, questions = corpus_and_questions
    for q in questions:
        for e in q.evidence:
            doc = corpus.document(e.doc)
            assert doc.name == e.doc, f"{q.id}: {e.doc} is not a full file name"
            assert e.quote.strip() and e.paragraphs, q.id
            text = normalize_for_match("".join(doc.paragraph(n).text for n in e.paragraphs))
            assert normalize_for_match(e.quote) in text, q.id


def test_every_answer_group_is_supported_by_the_gold(corpus_and_questions) -> None:
    """A phrase of each group is in the gold paragraphs or in their document's label; English
    questions may give the answer in English only in other groups' alternatives."""
    _, corpus, questions = corpus_and_questions
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


def test_kinds_are_what_they_say(corpus_and_questions) -> None:
    _, _, questions = corpus_and_questions
    for q in questions:
        assert bool(q.history) == (q.kind == "followup"), q.id
        if q.kind == "crossdoc":
            assert len(q.gold_documents) >= 2, q.id
        if q.kind == "english":
            letters = sum(ch.isascii() and ch.isalpha() for ch in q.question)
            assert letters >= 0.5 * len(q.question), q.id


def test_pagebreak_quotes_cross_a_line_of_their_source() -> None:
    corpus = load_corpus(CORPORA["seeds"].docs)
    questions = load_questions(CORPORA["seeds"].questions)
    sources = {d.name: (corpus.root / d.name).read_text("utf-8").split("\n") for d in corpus.documents}
    for q in questions:
        if q.kind == "pagebreak":
            assert any(not any(e.quote in line for line in sources[e.doc]) for e in q.evidence), q.id


def test_a_quote_found_nowhere_names_its_question(tmp_path: Path) -> None:
    c = CORPORA["seeds"]
    row = json.loads(c.questions.read_text("utf-8").splitlines()[0])
    row["evidence"][0]["quote"] = "这句话不在任何文件里"
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(RagError, match=row["id"]):
        resolve(load_questions(path), load_corpus(c.docs))


def test_a_quote_split_by_a_paragraph_break_is_gold_in_both_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("一、总体情况\n\n全年接待外宾团组。\n\n共计三十批次。\n", "utf-8")
    row = {"id": "x1", "question": "来访团组共几批次？", "kind": "fact", "history": [], "split": "tune",
           "evidence": [{"doc": "a.txt", "quote": "外宾团组。共计三十批次"}], "answers": [["三十批次"]]}
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    (q,) = resolve(load_questions(path), load_corpus(tmp_path / "docs"))
    assert q.evidence[0].paragraphs == (2, 3)


def test_a_malformed_line_is_reported_with_its_number(tmp_path: Path) -> None:
    good = CORPORA["seeds"].questions.read_text("utf-8").splitlines()[0]
    path = tmp_path / "q.jsonl"
    path.write_text(good + "\n\n" + json.dumps({"id": "x"}) + "\n", "utf-8")
    with pytest.raises(RagError, match="q.jsonl:3"):
        load_questions(path)
    row = json.loads(good) | {"kind": "trivia"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(RagError, match="trivia"):
        load_questions(path)
