"""The reader's records: what it reads (``Candidates`` of ``SentenceView``s, exported by the
retriever) and what it makes of them (``Scored`` sentences, ``Pick``s of the answer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from rag.types import Document, DocumentMeta, Paragraph, Sentence

# The context overlap assumed for a question that shares no word with the corpus (English).
NEUTRAL_CONTEXT = 0.75


@dataclass(frozen=True)
class Weights:
    """How the sentence score combines its parts."""

    dense: float = 2.0
    overlap: float = 0.6
    # An English question's words meet the sentence through dictionary glosses, a looser net
    # than a Chinese question's own words (fitted on the tune splits: eval/fit_weight.py).
    english_overlap: float = 0.45
    context: float = 0.3
    kind: float = 0.3  # fills the question's slot
    unit: float = 0.15  # fills a count in the counter asked for
    front: float = 0.3  # penalty: a title, letterhead or date line, unless the question is about the document
    rank: float = 0.25
    time_frame: float = 0.3  # penalty: the paragraph is about another period or year section than asked
    quoted: float = 0.3  # the paragraph holds every name the question quotes (“中国·福建周”)
    list_margin: float = 0.12  # a list answer takes sentences within this of the best
    max_sentences: int = 4
    paragraphs: int = 6  # how many retrieved paragraphs are read
    snippet_chars: int = 160
    list_chars: int = 320  # a list answer shows up to this much of its enumeration


@dataclass(frozen=True)
class SentenceView:
    """A candidate sentence with what the retriever knows of it."""

    sentence: Sentence
    paragraph: Paragraph
    meta: DocumentMeta
    rank: int  # its paragraph's retrieval rank (0 = best)
    fused: float  # its paragraph's fused score, relative to the best paragraph's
    cosine: float  # the sentence's cosine with the question
    tokens: frozenset[str]
    paragraph_tokens: frozenset[str]
    context_tokens: frozenset[str]  # its section path and the words naming its document
    identity: frozenset[str]  # the words naming its document (region, title, issuer)
    previous: str = ""  # the sentence before it in its paragraph


@dataclass(frozen=True)
class Candidates:
    """What the reader reads: candidate sentences, best paragraphs first, and the corpus facts
    the rules need."""

    question: str
    sentences: tuple[SentenceView, ...]
    weights: Mapping[str, float]  # the question's words -> IDF in the corpus
    documents: Mapping[str, Document]
    regions: frozenset[str] = frozenset()  # regions the corpus's documents are about
    named: frozenset[str] = frozenset()  # documents whose region the question names
    coverage: float = 1.0  # share of the question's words that the corpus has at all
    key_terms: frozenset[str] = frozenset()  # the question's rarest words that name no document
    parts: tuple[tuple[str, Mapping[str, float]], ...] = ()  # each part of a question that asks several things, with its word weights


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    view: SentenceView
    score: float
    cosine: float
    overlap: float  # IDF-weighted share of the question's words in the sentence
    context: float  # the same over the sentence with its paragraph, section and title
    typed: bool  # fills the question's slot (True when the question has no typed slot)
    fill: float = 1.0  # share of the question's typed slots it fills


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the answer, the part of it shown, and the answer span in it."""

    scored: Scored
    snippet: str  # a contiguous part of the sentence
    span: tuple[int, int] | None  # within the sentence
