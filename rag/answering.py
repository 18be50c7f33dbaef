"""Composing an ``Answer`` from retrieval: the extractive answer and the abstention."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from rag.extractive import Pick, Scored, Weights, choose, key_terms, score_sentences, snippet, support
from rag.question import QuestionProfile, profile, sub_questions
from rag.retrieval import Retrieval, Retriever
from rag.types import Answer, Citation, Mode

NOT_FOUND_ZH = "文件中没有找到这个问题的答案。"
NOT_FOUND_EN = "The documents do not contain an answer to this question."
RELATED_ZH = "可能相关的段落："
RELATED_EN = "Possibly related passages:"
RETRIEVAL_DEPTH = 10  # passages an answer lists
# Fitted on the tune split by `rag eval --calibrate`; see eval/thresholds.json for the gate.
DEFAULT_SUPPORT_THRESHOLD = 1.2865


class Evidence(NamedTuple):
    profile: QuestionProfile
    scored: list[Scored]  # the retrieved paragraphs' sentences, best first
    support: float  # compared with the abstention threshold


@dataclass(frozen=True)
class Composer:
    """Turns a retrieval into an extractive answer, or an honest abstention."""

    retriever: Retriever
    weights: Weights = Weights()
    threshold: float = DEFAULT_SUPPORT_THRESHOLD
    related: int = 3

    def evidence(self, question: str, standalone: str, retrieval: Retrieval) -> Evidence:
        """The question's profile and the retrieved sentences, scored, with their support."""
        prof = profile(question)
        if prof.answer_type == "other" and standalone != question:  # "那湖南呢？" asks what the last question asked
            prof = profile(standalone)
        scored = score_sentences(standalone, prof, retrieval, self.retriever, self.weights)
        value = support(scored, standalone, prof, self.retriever) if scored else float("-inf")
        return Evidence(prof, scored, value)

    def compose(self, question: str, standalone: str, retrieval: Retrieval, evidence: Evidence | None = None) -> Answer:
        prof, scored, value = evidence or self.evidence(question, standalone, retrieval)
        passages = [self.retriever.passage(h) for h in retrieval.hits[:RETRIEVAL_DEPTH]]
        rewritten = standalone if standalone != question else None
        if not scored or value < self.threshold:
            return self.abstain(question, prof, retrieval, rewritten)
        chosen = choose(scored, prof, self.weights, key_terms(standalone, self.retriever), self.retriever)
        for part in sub_questions(question):  # a question that asks several things
            best = score_sentences(part, profile(part), retrieval, self.retriever, self.weights)[:1]
            chosen += [c for c in best if all(c.sentence != x.sentence for x in chosen)]
        picks = [snippet(c, standalone, prof, self.retriever, self.weights.snippet_chars) for c in chosen]
        citations = [self.citation(p) for p in picks]
        several_docs = len({p.scored.sentence.doc for p in picks}) > 1
        parts = []
        for i, pick in enumerate(picks, start=1):
            label = self._short_label(pick.scored.sentence.doc) + "：" if several_docs else ""
            parts.append(f"{label}{pick.snippet}[{i}]")
        text = "；".join(parts) if len(parts) > 1 else parts[0]
        return Answer(question, text, True, citations, passages, Mode.EXTRACTIVE.value, rewritten)

    def abstain(self, question: str, prof: QuestionProfile, retrieval: Retrieval, rewritten: str | None) -> Answer:
        """Say the documents do not answer, and list the closest passages as possibly related."""
        passages = [self.retriever.passage(h) for h in retrieval.hits[:RETRIEVAL_DEPTH]]
        citations = []
        for hit in retrieval.hits[: self.related]:
            row = self.retriever.position[(hit.paragraph.doc, hit.paragraph.number)]
            sentences = self.retriever.sentences_of[row]
            if not sentences:
                continue
            best = max(sentences, key=lambda s: float(retrieval.sentence_scores[s]) if retrieval.sentence_scores is not None and len(retrieval.sentence_scores) else 0.0)
            sentence = self.retriever.index.sentences[best]
            citations.append(self._citation(sentence.doc, sentence.paragraph, sentence.text, None))
        head, intro = (NOT_FOUND_EN, RELATED_EN) if prof.english else (NOT_FOUND_ZH, RELATED_ZH)
        lines = [head]
        if citations:
            lines.append(intro)
            lines += [f"[{i}] {c.title} › {c.section or '—'} ¶{c.paragraph}" for i, c in enumerate(citations, start=1)]
        return Answer(question, "\n".join(lines), False, citations, passages, Mode.EXTRACTIVE.value, rewritten)

    def citation(self, pick: Pick) -> Citation:
        s = pick.scored.sentence
        return self._citation(s.doc, s.paragraph, s.text, pick.span)

    def _citation(self, doc_name: str, number: int, quote: str, span: tuple[int, int] | None) -> Citation:
        doc = self.retriever.documents[doc_name]
        p = doc.paragraph(number)
        return Citation(doc.name, doc.meta.label, p.number, p.section_path, p.lines, quote, p.text, span)

    def _short_label(self, doc_name: str) -> str:
        meta = self.retriever.documents[doc_name].meta
        return meta.region or meta.title
