"""The question set: hand-written questions with gold paragraphs and key phrases."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

from rag.errors import RagError
from rag.text import normalize_for_match

if TYPE_CHECKING:
    from rag.corpus import Corpus

KINDS = (
    "number", "date", "name", "place", "fact", "list", "pagebreak", "crossdoc",
    "paraphrase", "english", "followup", "unanswerable",
)
Split = Literal["tune", "test"]


@dataclass(frozen=True)
class Evidence:
    """A quote that an answer needs, and the paragraphs of ``doc`` that hold it."""

    doc: str
    paragraphs: tuple[int, ...]  # resolved from the quote against the corpus as read (``resolve``)
    quote: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    history: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    answers: tuple[tuple[str, ...], ...]  # every group must match; any phrase of a group will do
    split: str
    note: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)

    @property
    def gold(self) -> frozenset[tuple[str, int]]:
        return frozenset((e.doc, n) for e in self.evidence for n in e.paragraphs)

    @property
    def gold_documents(self) -> frozenset[str]:
        return frozenset(e.doc for e in self.evidence)


def load_questions(path: Path) -> list[Question]:
    """Read and check the question set; raise RagError naming the first bad line."""
    out: list[Question] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = Question(
                id=row["id"],
                question=row["question"],
                kind=row["kind"],
                history=tuple(row.get("history") or ()),
                evidence=tuple(Evidence(e["doc"], tuple(e.get("paragraphs") or ()), e["quote"]) for e in row["evidence"]),
                answers=tuple(tuple(g) for g in row["answers"]),
                split=row["split"],
                note=row.get("note", ""),
            )
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise RagError(f"{path.name}:{number}: malformed question ({exc})") from exc
        if q.kind not in KINDS:
            raise RagError(f"{path.name}:{number}: kind {q.kind!r} is not one of {', '.join(KINDS)}")
        if q.split not in ("tune", "test"):
            raise RagError(f"{path.name}:{number}: split must be tune or test")
        out.append(q)
    return out


def resolve(questions: Sequence[Question], corpus: "Corpus") -> list[Question]:
    """The questions with each quote's gold paragraphs found in ``corpus`` as the reader
    numbers them (whitespace and width ignored), so that a change to the reader never leaves
    the gold stale. A quote that a paragraph break splits is gold in both paragraphs; a quote
    found nowhere is a RagError naming the question."""
    out, problems = [], []
    texts: dict[str, list[str]] = {}
    for q in questions:
        evidence = []
        for e in q.evidence:
            try:
                doc = corpus.document(e.doc)
            except RagError as exc:
                problems.append(f"{q.id}: {exc}")
                continue
            if doc.name not in texts:
                texts[doc.name] = [normalize_for_match(p.text) for p in doc.paragraphs]
            found = _paragraphs_holding(normalize_for_match(e.quote), texts[doc.name])
            if not found:
                problems.append(f"{q.id}: quote {e.quote!r} is in no paragraph of {doc.name}")
            evidence.append(replace(e, doc=doc.name, paragraphs=found))
        out.append(replace(q, evidence=tuple(evidence)))
    if problems:
        raise RagError("gold evidence not found:\n" + "\n".join(problems))
    return out


def _paragraphs_holding(quote: str, paragraphs: Sequence[str]) -> tuple[int, ...]:
    inside = tuple(i for i, t in enumerate(paragraphs, start=1) if quote in t)
    if inside or not quote:
        return inside
    for i in range(1, len(paragraphs)):  # across a paragraph break: the end of one and the start of the next
        a, b = paragraphs[i - 1], paragraphs[i]
        if quote in a + b:
            joined = a + b
            at = joined.find(quote)
            if at < len(a) < at + len(quote):
                return (i, i + 1)
    return ()
