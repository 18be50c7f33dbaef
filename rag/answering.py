"""Composing an ``Answer`` from the reader's evidence: the extractive answer or the abstention."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag import english
from rag.abstention import AbstentionModel, load_model
from rag.patterns import is_english
from rag.question import QuestionProfile, profile
from rag.reading import Evidence, Pick, Weights, read
from rag.retrieval import Retrieval, Retriever
from rag.types import Answer, Citation, Mode, cite

NOT_FOUND_ZH = "文件中没有找到这个问题的答案。"
NOT_FOUND_EN = "The documents do not contain an answer to this question."
RELATED_ZH = "可能相关的段落："
RELATED_EN = "Possibly related passages:"
RETRIEVAL_DEPTH = 10  # passages an answer lists


VETOES = ("year_clash", "region_clash", "level_clash", "quoted_missing", "restated")


def vetoed(signals: dict[str, float]) -> bool:
    """A constraint of the question that the answering sentence contradicts rules it out, and
    so does a sentence that holds no value of the kind asked (a count, a date, a person …):
    it speaks of the thing asked about but does not give the attribute asked."""
    unfilled = signals.get("typed", 0.0) > 0 and signals.get("filled", 1.0) == 0.0
    return unfilled or any(signals.get(name, 0.0) > 0 for name in VETOES)


def unrelated(evidence: Evidence) -> bool:
    """A question none of whose words the answering paragraph, its section or its title
    has: the documents speak of something else (an English question's words count through
    the dictionary)."""
    s = evidence.signals
    if evidence.profile.english:
        return s.get("paragraph_words", 1.0) == 0.0
    return s.get("context", 1.0) == 0.0


@dataclass(frozen=True)
class Composer:
    """Turns a retrieval into an extractive answer, or an honest abstention."""

    retriever: Retriever
    weights: Weights = Weights()
    model: AbstentionModel = field(default_factory=load_model)
    related: int = 3

    def evidence(self, question: str, standalone: str, retrieval: Retrieval,
                 prof: QuestionProfile | None = None) -> Evidence:
        """What the reader found in the retrieved paragraphs for the (standalone) question."""
        prof = prof or profile(standalone)
        return read(prof, self.retriever.candidates(retrieval, prof, self.weights.paragraphs), self.weights)

    def confidence(self, evidence: Evidence) -> float:
        """The probability that the documents answer the question: 0 when they cannot (nothing
        found, a request to answer without the documents, or a sentence that contradicts what
        the question fixes: its year, its place, its level, a name it quotes), else the
        fitted model's."""
        if not evidence.picks or evidence.profile.off_documents or vetoed(evidence.signals) or unrelated(evidence):
            return 0.0
        return self.model.probability(evidence.signals)

    def compose(self, question: str, standalone: str, retrieval: Retrieval, evidence: Evidence | None = None) -> Answer:
        evidence = evidence or self.evidence(question, standalone, retrieval)
        passages = [self.retriever.passage(h) for h in retrieval.hits[:RETRIEVAL_DEPTH]]
        rewritten = standalone if standalone != question else None
        confidence = self.confidence(evidence)
        signals = dict(evidence.signals)
        if not evidence.picks or confidence < self.model.threshold:
            return self.abstain(question, evidence, retrieval, rewritten, confidence)
        picks = evidence.picks
        citations = [self.citation(p) for p in picks]
        several_docs = len({p.scored.sentence.doc for p in picks}) > 1
        if evidence.profile.english or is_english(question):  # an English follow-up too
            text = self._english(question, evidence, several_docs, citations)
        else:
            parts = []
            for i, pick in enumerate(picks, start=1):
                label = self._short_label(pick.scored.sentence.doc) + "：" if several_docs else ""
                parts.append(f"{label}{pick.snippet}[{i}]")
            text = "；".join(parts) if len(parts) > 1 else parts[0]
        return Answer(question, text, True, citations, passages, Mode.EXTRACTIVE.value, rewritten,
                      confidence=confidence, signals=signals)

    def _english(self, question: str, evidence: Evidence, several_docs: bool, citations: list[Citation]) -> str:
        """An English question's answer: a line per pick, the English rendering of its spans
        (checked against the cited paragraph) before the Chinese quote and its marker."""
        lines = []
        for i, (pick, c) in enumerate(zip(evidence.picks, citations), start=1):
            meta = self.retriever.documents[pick.scored.sentence.doc].meta
            label = english.region_label(meta.region, meta.title) if several_docs else ""
            lines.append(english.line(question, evidence.profile, pick, c.text, i, label))
        return "\n".join(lines)

    def abstain(self, question: str, evidence: Evidence, retrieval: Retrieval, rewritten: str | None,
                confidence: float = 0.0) -> Answer:
        """Say the documents do not answer, and list the closest passages as possibly related."""
        passages = [self.retriever.passage(h) for h in retrieval.hits[:RETRIEVAL_DEPTH]]
        citations = []
        scores = retrieval.sentence_scores
        for hit in retrieval.hits[: self.related]:
            row = self.retriever.position[(hit.paragraph.doc, hit.paragraph.number)]
            sentences = self.retriever.sentences_of[row]
            if not sentences:
                continue
            best = max(sentences, key=lambda s: float(scores[s]) if scores is not None and len(scores) else 0.0)
            sentence = self.retriever.index.sentences[best]
            citations.append(self._citation(sentence.doc, sentence.paragraph, sentence.text, None))
        head, intro = (NOT_FOUND_EN, RELATED_EN) if evidence.profile.english or is_english(question) else (NOT_FOUND_ZH, RELATED_ZH)
        lines = [head]
        if citations:
            lines.append(intro)
            lines += [f"[{i}] {c.title} › {c.section or '—'} ¶{c.paragraph}" for i, c in enumerate(citations, start=1)]
        return Answer(question, "\n".join(lines), False, citations, passages, Mode.EXTRACTIVE.value, rewritten,
                      confidence=confidence, signals=dict(evidence.signals))

    def citation(self, pick: Pick) -> Citation:
        s = pick.scored.sentence
        return self._citation(s.doc, s.paragraph, s.text, pick.span)

    def _citation(self, doc_name: str, number: int, quote: str, span: tuple[int, int] | None) -> Citation:
        doc = self.retriever.documents[doc_name]
        p = doc.paragraph(number)
        return cite(doc, p, quote, span)

    def _short_label(self, doc_name: str) -> str:
        meta = self.retriever.documents[doc_name].meta
        return meta.region or meta.title
