"""Hybrid retrieval at paragraph level: dense (chunks and sentences) fused with BM25.

Dense retrieval finds paraphrases and English questions; BM25 finds exact numbers,
names and places. Their rankings are combined by reciprocal rank fusion. The lexical
ranking's weight shrinks with the share of the question's tokens that the corpus has
at all, so an English question is not ranked by the noise of a few stray matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

import numpy as np

from embeddings.base import Embedder
from rag.errors import RagError
from rag.filters import Filters
from rag.index import StoredIndex
from rag.bilingual import is_english, load_lexicon, translate_terms
from rag.layout import is_title_like
from rag.lexical import BM25, rounded_mean_length, tokenize
from rag.patterns import DAY_RE
from rag.question import profile
from rag.types import Document, Paragraph, Passage

from rag.stores import Layout, LocalStore, SearchStore

if TYPE_CHECKING:
    from rag.stores import StoreFactory
    from rag.question import QuestionProfile
    from rag.reading import Candidates

Strategy = Literal["hybrid", "dense", "lexical"]
STRATEGIES: tuple[str, ...] = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class Hit:
    """One ranked paragraph with the evidence behind its rank."""

    paragraph: Paragraph
    score: float  # fused
    dense: float  # cosine of the best chunk/sentence combination
    lexical: float  # BM25


@dataclass(frozen=True)
class Retrieval:
    question: str
    hits: tuple[Hit, ...]
    query_vector: np.ndarray | None
    sentence_scores: np.ndarray | None  # cosine of the question with every indexed sentence
    lexical_coverage: float


def lexical_text(doc: Document, p: Paragraph) -> str:
    """What BM25 sees of a paragraph: the document's region and title give it context."""
    return " ".join(filter(None, (doc.meta.region or "", doc.meta.label, p.section_path, p.text)))


class Retriever:
    """Ranks the paragraphs of an opened index for a question."""

    def __init__(
        self,
        index: StoredIndex,
        embedder: Embedder,
        *,
        strategy: Strategy = "hybrid",
        fusion_depth: int = 50,
        rrf_k: int = 60,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
        region_weight: float = 0.5,
        front_matter_factor: float = 0.5,
        store: "StoreFactory | None" = None,
    ) -> None:
        if strategy not in STRATEGIES:
            raise RagError(f"unknown retrieval strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
        self.index, self.embedder, self.strategy = index, embedder, strategy
        self.fusion_depth, self.rrf_k = fusion_depth, rrf_k
        self.dense_weight, self.lexical_weight = dense_weight, lexical_weight
        self.region_weight, self.front_matter_factor = region_weight, front_matter_factor
        self.documents = {d.name: d for d in index.documents}
        self.paragraphs: list[Paragraph] = [p for d in index.documents for p in d.paragraphs]
        self.position = {(p.doc, p.number): i for i, p in enumerate(self.paragraphs)}
        self._searchable = np.ones(len(self.paragraphs), dtype=bool)
        self._heading = np.array([p.is_heading for p in self.paragraphs], dtype=bool)
        # Letterheads, notice titles, signatures and date lines before the first heading.
        self._front = np.array([not p.section and is_title_like(p.text) for p in self.paragraphs], dtype=bool)
        # Signature dates and imprint lines ("2017年2月24日", "…2016年10月10日印发").
        self._dated = self._front & np.array([bool(DAY_RE.search(p.text)) for p in self.paragraphs], dtype=bool)
        self._region_names = _region_names(index.documents)
        self._doc_of = np.array([p.doc for p in self.paragraphs], dtype=object)
        self._chunk_paragraphs = [
            np.array([self.position[(c.doc, n)] for n in c.paragraphs], dtype=np.int64) for c in index.chunks
        ]
        self.sentence_paragraph = np.array(
            [self.position[(s.doc, s.paragraph)] for s in index.sentences], dtype=np.int64
        )
        paragraph_tokens = tuple(tuple(tokenize(lexical_text(self.documents[p.doc], p))) for p in self.paragraphs)
        self.bm25 = BM25.build(paragraph_tokens, avgdl=rounded_mean_length(paragraph_tokens))
        self.sentences_of: list[list[int]] = [[] for _ in self.paragraphs]
        for s, row in enumerate(self.sentence_paragraph):
            self.sentences_of[row].append(s)
        self.sentence_tokens = [frozenset(tokenize(s.text)) for s in index.sentences]
        self._lexicon: dict[str, tuple[str, ...]] | None = None
        self.sentence_row = {(s.doc, s.paragraph, s.index): i for i, s in enumerate(index.sentences)}
        self._identity = {
            d.name: frozenset(tokenize(f"{d.meta.region or ''} {d.meta.label} {d.meta.office or ''}"))
            for d in index.documents
        }
        self._all_identity = frozenset().union(*self._identity.values())
        layout = Layout(index, self.documents, tuple(self.paragraphs), tuple(self._chunk_paragraphs),
                        self.sentence_paragraph, paragraph_tokens, self.bm25, fusion_depth)
        self.store: SearchStore = (store or LocalStore)(layout)

    def identity_tokens(self, doc: str) -> frozenset[str]:
        """The words that name a document: its region, title and issuer."""
        return self._identity[doc]

    def lexical_query(self, question: str) -> str:
        """The question as BM25 and word overlap see it: an English question gets the
        corpus's Chinese words for its English words appended."""
        if not is_english(question):
            return question
        if self._lexicon is None:
            self._lexicon = load_lexicon(self.bm25.vocabulary)
        return " ".join([question, *translate_terms(question, self._lexicon)])

    def retrieve(self, question: str, k: int = 5, filters: Filters | Mapping[str, Any] | None = None) -> list[Passage]:
        return [self.passage(h) for h in self.search(question, k, filters).hits]

    def passage(self, hit: Hit) -> Passage:
        p = hit.paragraph
        return Passage(p.doc, self.documents[p.doc].meta.label, p.section_path, (p.number,), p.text, hit.score, p.lines,
                       p.page)

    def search(self, question: str, k: int = 5, filters: Filters | Mapping[str, Any] | None = None,
               asked: "QuestionProfile | None" = None) -> Retrieval:
        """The ``k`` best paragraphs, with the scores the answerer reuses; ``asked`` is the
        question's profile when the caller has read it already."""
        filters = Filters.coerce(filters)
        allowed = self._searchable.copy()
        if filters is not None:
            allowed &= np.array([filters.allows(self.documents[d]) for d in self._doc_of], dtype=bool)
        n = len(self.paragraphs)
        dense = np.full(n, -1.0, dtype=np.float32)
        query_vector = sentence_scores = None
        if self.strategy != "lexical":
            query_vector = self.embedder.embed_query(question)
            dense, sentence_scores = self.store.dense(query_vector, filters)
        tokens = tokenize(self.lexical_query(question))
        lexical = self.store.lexical(tokens, filters) if self.strategy != "dense" else np.zeros(n, np.float32)
        coverage = self.bm25.coverage(tokens)

        fused = np.zeros(n, dtype=np.float64)
        if self.strategy != "lexical":
            fused += self.dense_weight * self._rrf(dense, allowed & (dense > -1.0))
        if self.strategy != "dense":
            fused += self.lexical_weight * max(coverage, 0.05) * self._rrf(lexical, allowed & (lexical > 0))
        named = self.named_documents(question)
        if named and self.strategy == "hybrid":
            boost = np.array([d in named for d in self._doc_of], dtype=bool)
            fused += self.region_weight / (self.rrf_k + 1) * (boost & (fused > 0))
        # Headings and front matter (titles, letterheads, dates) answer only questions about
        # the document's structure or the document itself; elsewhere they yield to the body.
        asked = asked or profile(question)
        about = asked.about_document
        if not asked.section_parts:  # a question about a section's parts reads its headings
            fused = np.where(self._heading & ~self._front, fused * self.front_matter_factor, fused)
        fused = np.where(self._front, fused * (1.0 / self.front_matter_factor if about else self.front_matter_factor), fused)
        if about and asked.answer_type == "date":  # when was it issued: the dated lines answer
            fused = np.where(self._dated, fused / self.front_matter_factor, fused)
        candidates = np.flatnonzero(allowed & (fused > 0))
        order = candidates[np.argsort(-fused[candidates], kind="stable")]
        if len(named) > 1:  # a question about several documents sees the best of each first
            order = _each_document_first(order, self._doc_of, named)
        order = order[:k]
        if query_vector is not None:  # the reader weighs the sentences of these paragraphs
            self.store.exact_sentences(query_vector, [s for i in order for s in self.sentences_of[i]], sentence_scores)
        hits = tuple(Hit(self.paragraphs[i], float(fused[i]), float(dense[i]), float(lexical[i])) for i in order)
        return Retrieval(question, hits, query_vector, sentence_scores, coverage)

    def candidates(self, retrieval: Retrieval, profile: "QuestionProfile", paragraphs: int = 6) -> "Candidates":
        """The sentences of the best paragraphs (more for a cross-document question, and the
        front matter of the best document for a question about a document), with what the
        reader needs to know of them: its narrow view of this index."""
        from rag.reading import Candidates, SentenceView

        hits = list(retrieval.hits[: paragraphs * (2 if profile.cross_document else 1)])
        if profile.about_document and hits:
            seen = {(h.paragraph.doc, h.paragraph.number) for h in hits}
            doc = self.documents[hits[0].paragraph.doc]
            front = [Hit(p, hits[0].score, hits[0].dense, 0.0) for p in doc.paragraphs
                     if not p.section and (p.doc, p.number) not in seen and is_title_like(p.text)]
            if front and retrieval.query_vector is not None:
                rows = [s for h in front for s in self.sentences_of[self.position[(h.paragraph.doc, h.paragraph.number)]]]
                self.store.exact_sentences(retrieval.query_vector, rows, retrieval.sentence_scores)
            hits += front
        top = hits[0].score if hits else 1.0
        scores = retrieval.sentence_scores
        views = []
        for rank, hit in enumerate(hits):
            p = hit.paragraph
            row = self.position[(p.doc, p.number)]
            rows = self.sentences_of[row]
            identity = self.identity_tokens(p.doc)
            context = identity | frozenset(tokenize(p.section_path))
            paragraph_tokens = frozenset().union(*(self.sentence_tokens[s] for s in rows))
            previous = ""
            for s in rows:
                sentence = self.index.sentences[s]
                cosine = float(scores[s]) if scores is not None and len(scores) else max(hit.dense, 0.0)
                views.append(SentenceView(sentence, p, self.documents[p.doc].meta, rank, hit.score / top, cosine,
                                          self.sentence_tokens[s], paragraph_tokens, context, identity, previous))
                previous = sentence.text
        question = retrieval.question
        from rag.question import sub_questions

        weights = self.term_weights(question)
        return Candidates(
            question, tuple(views), weights, self.documents,
            frozenset(d.meta.region for d in self.documents.values() if d.meta.region),
            frozenset(self.named_documents(question)), retrieval.lexical_coverage, self.key_terms(question, weights),
            tuple((part, self.term_weights(part)) for part in sub_questions(question)),
        )

    def term_weights(self, question: str) -> dict[str, float]:
        """The question's distinct words with their IDF; a word the corpus lacks gets the
        highest IDF, so it counts against overlap (an English question matching only "2019"
        overlaps little)."""
        idf, vocab = self.bm25.idf, self.bm25.vocabulary
        top = float(idf.max()) if len(idf) else 1.0
        tokens = set(tokenize(self.lexical_query(question)))
        if is_english(question):  # its English words stand in the Chinese words they were mapped to
            tokens = {t for t in tokens if t in vocab}
        return {t: float(idf[vocab[t]]) if t in vocab else top for t in tokens if not t.startswith("#")}

    def key_terms(self, question: str, weights: Mapping[str, float] | None = None) -> frozenset[str]:
        """The question's rarest words that name no document: what a cross-document question is about."""
        weighted = weights if weights is not None else self.term_weights(question)
        content = {t: v for t, v in weighted.items() if t not in self._all_identity and t in self.bm25.vocabulary}
        if not content:
            return frozenset()
        top = max(content.values())
        return frozenset(t for t, v in content.items() if v >= top - 1e-6)

    def named_documents(self, question: str) -> set[str]:
        """Documents whose region the question names, in Chinese or in pinyin ("Xiamen's")."""
        lowered = question.lower()
        return {
            doc for doc, names in self._region_names.items()
            if any(n in question if _has_cjk(n) else re.search(rf"\b{n}\b", lowered) for n in names)
        }

    def _rrf(self, scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.zeros(len(scores), dtype=np.float64)
        rows = np.flatnonzero(mask)
        if len(rows) > self.fusion_depth:  # only the top of a long ranking is fused: select, then sort
            rows = rows[np.argpartition(-scores[rows], self.fusion_depth - 1)[: self.fusion_depth]]
        ranked = rows[np.argsort(-scores[rows], kind="stable")][: self.fusion_depth]
        out[ranked] = 1.0 / (self.rrf_k + np.arange(1, len(ranked) + 1))
        return out


def _each_document_first(order: np.ndarray, doc_of: np.ndarray, named: set[str]) -> np.ndarray:
    """Move the best paragraph of each named document to the front, keeping rank order."""
    firsts, seen = [], set()
    for i in order:
        if doc_of[i] in named and doc_of[i] not in seen:
            seen.add(doc_of[i])
            firsts.append(i)
    rest = [i for i in order if i not in set(firsts)]
    return np.array(firsts + rest, dtype=order.dtype)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _region_names(documents: Sequence[Document]) -> dict[str, tuple[str, ...]]:
    """Each document's region in Chinese and in pinyin, for matching questions in either."""
    from pypinyin import lazy_pinyin

    out: dict[str, tuple[str, ...]] = {}
    for d in documents:
        if d.meta.region:
            out[d.name] = (d.meta.region, "".join(lazy_pinyin(d.meta.region)).lower())
    return out


def paragraphs_of(passages: Sequence[Passage]) -> list[tuple[str, int]]:
    return [(p.doc, n) for p in passages for n in p.paragraphs]
