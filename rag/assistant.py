"""The assistant: a corpus, its index, a retriever and the answer chain, built lazily."""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import replace
from typing import Any, Mapping, Sequence

from embeddings.base import Embedder
from rag.answering import Composer
from rag.chain import Step, build_chain, history_tuple
from rag.corpus import Corpus, load_corpus
from rag.errors import SettingsError
from rag.index import BuildReport, StoredIndex, open_index
from rag.question import check_question
from rag.retrieval import Filters, Retriever
from rag.settings import Settings
from rag.types import Answer, Mode, Passage

log = logging.getLogger("rag")


class Assistant:
    """Answers questions about one folder of documents.

    Construction is cheap; the corpus is read, the model loaded and the index opened (or
    built) on first use or by :meth:`warm_up`.
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self._embedder = embedder
        self._lock = threading.Lock()
        self._ready: tuple[Corpus, StoredIndex, Retriever, Composer, Any] | None = None
        self.build_report: BuildReport | None = None

    def warm_up(self, progress: bool = False) -> None:
        """Read the corpus, load the embedder, open or build the index."""
        with self._lock:
            if self._ready is not None:
                return
            s = self.settings
            corpus = load_corpus(s.docs_dir)
            embedder = self.embedder
            index, self.build_report = open_index(
                corpus, embedder, s.index_path, s.chunk_max_chars, s.approximate_above, progress
            )
            # Load the model now, not inside the first question; serving an index needs only
            # the question side of it (a fast numpy path for the packaged model).
            embedder.warm_up(kind="query" if self.build_report is None else None)
            _limit_threads(s.serve_threads)
            retriever = Retriever(
                index, embedder, fusion_depth=s.fusion_depth, rrf_k=s.rrf_k,
                dense_weight=s.dense_weight, lexical_weight=s.lexical_weight,
            )
            composer = Composer(retriever)
            self._ready = (corpus, index, retriever, composer, build_chain(retriever, composer))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from embeddings.factory import load_embedder

            self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def corpus(self) -> Corpus:
        return self._parts()[0]

    @property
    def index(self) -> StoredIndex:
        return self._parts()[1]

    @property
    def retriever(self) -> Retriever:
        return self._parts()[2]

    @property
    def composer(self) -> Composer:
        return self._parts()[3]

    def retrieve(self, question: str, k: int = 5, filters: Filters | Mapping[str, Any] | None = None) -> list[Passage]:
        """The ``k`` paragraphs that best match ``question``."""
        question = check_question(question, self.settings.max_question_chars)
        return self.retriever.retrieve(question, k, filters)

    def answer(
        self,
        question: str,
        *,
        history: Sequence[Any] | None = None,
        mode: Mode | str | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> Answer:
        """A short answer with citations, or ``found=False`` when the documents do not say."""
        question = check_question(question, self.settings.max_question_chars)
        chosen = _mode(mode, self.settings.mode)
        chain = self._parts()[4]
        step = Step(question, history_tuple(history), Filters.coerce(filters), self.settings.top_k)
        answer = chain.invoke(step)
        if chosen is Mode.GENERATIVE:
            return replace(answer, fallback="no language model is configured; this is the extractive answer")
        return answer

    def _parts(self) -> tuple[Corpus, StoredIndex, Retriever, Composer, Any]:
        if self._ready is None:
            self.warm_up()
        assert self._ready is not None
        return self._ready


def _limit_threads(threads: int) -> None:
    """Embedding a question needs one thread; torch's default grabs every core."""
    torch = sys.modules.get("torch")
    if torch is not None and threads > 0:
        torch.set_num_threads(threads)


def _mode(mode: Mode | str | None, default: Mode) -> Mode:
    if mode is None:
        return default
    try:
        return Mode(mode)
    except ValueError as exc:
        valid = ", ".join(m.value for m in Mode)
        raise SettingsError(f"unknown mode {mode!r}; choose one of: {valid}") from exc
