"""Where the ranking searches run, behind one contract: in this process (FAISS and numpy,
the default) or on a Milvus server (``RAG_STORE=milvus``, see ``rag.milvus``).

A store answers three searches over the paragraphs of an opened index: dense (chunks and
sentences), lexical (BM25 over the project's own tokens), and the exact cosine of chosen
sentences. The retriever fuses what they return in one way whichever store ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Mapping, Protocol, Sequence

import numpy as np

from rag.filters import Filters
from rag.index import StoredIndex
from rag.lexical import BM25
from rag.settings import STORES
from rag.types import Document, Paragraph

StoreName = Literal["faiss", "milvus"]
# Above this many chunks the dense search looks at the nearest chunks only.
EXHAUSTIVE_CHUNKS = 5_000


@dataclass(frozen=True, eq=False)
class Layout:
    """The opened index laid out by paragraph: what every store searches and maps back to."""

    index: StoredIndex
    documents: Mapping[str, Document]
    paragraphs: tuple[Paragraph, ...]
    chunk_paragraphs: tuple[np.ndarray, ...]  # per chunk: the rows of its paragraphs
    sentence_paragraph: np.ndarray  # per sentence: the row of its paragraph
    paragraph_tokens: tuple[tuple[str, ...], ...]  # what BM25 sees of each paragraph
    bm25: BM25
    fusion_depth: int

    def chunk_depth(self) -> int:
        total = len(self.index.chunks)
        return total if total <= EXHAUSTIVE_CHUNKS else min(total, max(4 * self.fusion_depth, 200))


class SearchStore(Protocol):
    """The searches a retriever needs; scores are per paragraph row (and per sentence row)."""

    name: str

    def dense(self, query_vector: np.ndarray, filters: Filters | None) -> tuple[np.ndarray, np.ndarray]:
        """Per paragraph: the mean of its best chunk's and best sentence's cosine (-1 where
        nothing was found); per sentence: its cosine, or a floor below every one found."""
        ...

    def lexical(self, tokens: Sequence[str], filters: Filters | None) -> np.ndarray:
        """Per paragraph: its BM25 score for the tokens (0 where nothing matched or where it
        falls below the fusion depth)."""
        ...

    def exact_sentences(self, query_vector: np.ndarray, rows: Sequence[int], scores: np.ndarray) -> None:
        """Put the exact cosine of the sentences ``rows`` into ``scores`` (the reader weighs them)."""
        ...


StoreFactory = Callable[[Layout], SearchStore]


def combine_dense(layout: Layout, chunk_best: np.ndarray, sentence_best: np.ndarray) -> np.ndarray:
    """A paragraph's dense score: the mean of its best chunk's and best sentence's cosine; a
    paragraph no chunk search reached counts the lowest chunk cosine that was found."""
    floor = chunk_best[chunk_best > -1.0].min() if (chunk_best > -1.0).any() else 0.0
    chunk_part = np.where(chunk_best > -1.0, chunk_best, floor)
    return np.where(sentence_best > -1.0, (chunk_part + sentence_best) / 2, chunk_best).astype(np.float32)


class LocalStore:
    """The default: exact inner product over every sentence, FAISS over the chunks, BM25 in
    numpy. Filters are applied by the retriever's mask, after scoring."""

    name = "faiss"

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def dense(self, query_vector: np.ndarray, filters: Filters | None) -> tuple[np.ndarray, np.ndarray]:
        layout, index = self.layout, self.layout.index
        n = len(layout.paragraphs)
        chunk_best = np.full(n, -1.0, dtype=np.float32)
        depth = layout.chunk_depth()
        if depth:
            scores, ids = index.chunk_index.search(query_vector[None, :].astype(np.float32), depth)
            for s, i in zip(scores[0], ids[0]):
                if i >= 0:
                    rows = layout.chunk_paragraphs[i]
                    chunk_best[rows] = np.maximum(chunk_best[rows], s)
        sentence_scores = index.sentence_vectors @ query_vector if len(index.sentences) else np.zeros(0, np.float32)
        if not len(sentence_scores):
            return chunk_best, sentence_scores
        sentence_best = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(sentence_best, layout.sentence_paragraph, sentence_scores.astype(np.float32))
        return combine_dense(layout, chunk_best, sentence_best), sentence_scores

    def lexical(self, tokens: Sequence[str], filters: Filters | None) -> np.ndarray:
        return self.layout.bm25.scores(tokens)

    def exact_sentences(self, query_vector: np.ndarray, rows: Sequence[int], scores: np.ndarray) -> None:
        return None  # every sentence was scored exactly


def store_factory(settings: object) -> StoreFactory:
    """The store the settings name (``store``: faiss or milvus)."""
    from rag.errors import SettingsError

    name = getattr(settings, "store", "faiss")
    if name == "faiss":
        return LocalStore
    if name == "milvus":
        from rag.milvus import MilvusConfig, MilvusStore

        config = MilvusConfig.from_settings(settings)
        return lambda layout: MilvusStore.open(config, layout)
    raise SettingsError(f"unknown store {name!r}; choose one of: {', '.join(STORES)}")
