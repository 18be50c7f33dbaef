"""The assistant: a corpus, its index, a retriever and the answer chain, built lazily."""

from __future__ import annotations

import logging
import sys
import queue
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from embeddings.base import Embedder
from rag.answering import Composer
from rag.chain import Generation, Step, build_chain, history_tuple
from rag.corpus import Corpus, load_corpus
from rag.errors import SettingsError
from rag.generative import load_template, render_prompt
from rag.index import BuildReport, StoredIndex, open_index
from rag.library import DocumentInfo, LibraryReport, add_files, library_lock, remove_files
from rag.question import check_question
from rag.retrieval import Filters, Retriever
from rag.stores import store_factory
from rag.llm import Generator
from rag.settings import Settings
from rag.types import Answer, Mode, Passage

log = logging.getLogger("rag")


class Assistant:
    """Answers questions about one folder of documents.

    Construction is cheap; the corpus is read, the model loaded and the index opened (or
    built) on first use or by :meth:`warm_up`.
    """

    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None, generator: Generator | None = None
    ) -> None:
        self.settings = settings or Settings.from_env()
        self._embedder = embedder
        self._generator = generator
        self._generator_lock = threading.Lock()
        self._lock = threading.Lock()
        self._library_lock = threading.Lock()  # one change to the library at a time
        self._ready: tuple[Corpus, StoredIndex, Retriever, Composer, Any] | None = None
        self.build_report: BuildReport | None = None

    def warm_up(self, progress: bool = False) -> None:
        """Read the corpus, load the embedder, open or build the index."""
        with self._lock:
            if self._ready is not None:
                return
            self._ready = self._build(progress)
        if self.settings.mode is Mode.GENERATIVE:
            # Load the language model and read its prompts' fixed parts now, not inside the first question.
            generator = self.generator_for_chain()
            prime = getattr(generator, "prime", None)
            if prime is not None:
                for english in (False, True):
                    prime(render_prompt(load_template(self.settings.prompts_dir, english), [], ""), english)

    def _build(self, progress: bool = False, progress_callback: Callable[[float, str], None] | None = None
               ) -> tuple[Corpus, StoredIndex, Retriever, Composer, Any]:
        """Read the corpus and open (or build, or update) its index: the parts answering uses."""
        s = self.settings
        corpus = load_corpus(s.docs_dir)
        embedder = self.embedder
        index, self.build_report = open_index(
            corpus, embedder, s.index_path, s.chunk_max_chars, s.approximate_above, progress, progress_callback
        )
        # Load the model now, not inside the first question; serving an index needs only
        # the question side of it (a fast numpy path for the packaged model).
        embedder.warm_up(kind="query" if self.build_report is None else None)
        _limit_threads(s.serve_threads)
        retriever = Retriever(
            index, embedder, fusion_depth=s.fusion_depth, rrf_k=s.rrf_k,
            dense_weight=s.dense_weight, lexical_weight=s.lexical_weight, store=store_factory(s),
        )
        composer = Composer(retriever)
        generation = Generation(
            self.generator_for_chain,
            lambda english: load_template(s.prompts_dir, english),
            s.llm_context_chars,
        )
        return corpus, index, retriever, composer, build_chain(retriever, composer, generation)

    # --- the document library -------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """Every document of the library, with its metadata."""
        return [DocumentInfo.of(d, self.settings.docs_dir) for d in self.corpus.documents]

    def add_documents(self, paths: Sequence[str | Path] | Sequence[tuple[str, str | Path]],
                      progress: Callable[[float, str], None] | None = None) -> LibraryReport:
        """Copy readable files into the library and re-index; paths, or (name, path) pairs
        for uploads whose temporary path hides the user's file name. A file that cannot
        be read is refused with its reason; the others are added."""
        pairs = [(str(p[0]), Path(p[1])) if isinstance(p, tuple) else (Path(p).name, Path(p)) for p in paths]
        with self._library_lock, library_lock(self.settings.docs_dir):
            corpus = self._ready[0] if self._ready is not None else _corpus_or_none(self.settings.docs_dir)
            added = add_files(self.settings.docs_dir, corpus, pairs)
            report = LibraryReport(tuple(added))
            if report.changed or self._ready is None:
                report = self._swap(report, progress)
            return report

    def remove_document(self, doc: str) -> LibraryReport:
        """Delete a document (file name or unique prefix) from the library and re-index."""
        with self._library_lock, library_lock(self.settings.docs_dir):
            removed = remove_files(self.settings.docs_dir, self.corpus, [doc])
            return self._swap(LibraryReport(removed=tuple(removed)), None)

    def reload(self, progress: Callable[[float, str], None] | None = None) -> LibraryReport:
        """Read the folder again (files added or removed by hand) and swap to its index."""
        with self._library_lock:
            return self._swap(LibraryReport(), progress)

    def _swap(self, report: LibraryReport, progress: Callable[[float, str], None] | None) -> LibraryReport:
        """Build the parts of the library as it is now and swap them in whole: a question
        being answered finishes on the old index, the next one uses the new."""
        import dataclasses
        import time

        started = time.perf_counter()
        parts = self._build(progress_callback=progress)
        self._ready = parts
        built = self.build_report
        return dataclasses.replace(report, embedded=built.embedded if built else 0, reused=built.reused if built else 0,
                                   seconds=time.perf_counter() - started)

    def generator_for_chain(self) -> Generator:
        """The language model of the generative mode, loaded on first use."""
        with self._generator_lock:
            if self._generator is None:
                from rag.llm import load_generator

                self._generator = load_generator(self.settings)
            return self._generator

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

    def langchain_retriever(self, k: int = 5, filters: Filters | Mapping[str, Any] | None = None):
        """The hybrid retriever (on this assistant's store) as a LangChain ``BaseRetriever``."""
        from rag.lc_retriever import HybridRetriever

        self.warm_up()
        return HybridRetriever(retriever=self.retriever, k=k, filters=filters)

    def answer(
        self,
        question: str,
        *,
        history: Sequence[Any] | None = None,
        mode: Mode | str | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> Answer:
        """A short answer with citations, or ``found=False`` when the documents do not say."""
        return self._invoke(question, history, mode, filters, None)

    def stream(
        self,
        question: str,
        *,
        history: Sequence[Any] | None = None,
        mode: Mode | str | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Iterator[str | Answer]:
        """Like :meth:`answer`, but yields the verified part of a generated answer (a string,
        growing sentence by sentence) while the model writes, then the final ``Answer``.

        Only sentences that passed verification are ever yielded, numbered as in the final
        answer; the extractive mode yields the ``Answer`` alone. ``on_token`` sees the raw,
        unverified tokens (for measuring, never for showing).
        """
        from rag.generative import Draft, finish

        chosen = _mode(mode, self.settings.mode)
        if chosen is not Mode.GENERATIVE:
            yield self.answer(question, history=history, mode=chosen, filters=filters)
            return
        pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
        output: list[str] = []

        def work() -> None:
            try:
                made = self._invoke(question, history, chosen, filters, lambda t: pieces.put(("token", t)),
                                    lambda found: pieces.put(("sources", tuple(found))))
                pieces.put(("answer", made))
            except BaseException as exc:  # handed to the caller's thread
                pieces.put(("error", exc))

        worker = threading.Thread(target=work, name="rag-generate", daemon=True)
        worker.start()
        shown = ""
        sources: tuple = ()
        composer = self.composer
        empty = Answer(question, "", False)
        while True:
            kind, value = pieces.get()
            if kind == "sources":
                sources = value
            elif kind == "token":
                if on_token is not None:
                    on_token(value)
                output.append(value)
                partial = finish(Draft("".join(output), sources, empty, None, 0.0), composer, complete=False)
                if partial.found and partial.text != shown:
                    shown = partial.text
                    yield shown
            elif kind == "error":
                raise value
            else:
                yield value
                return

    def _invoke(self, question, history, mode, filters, on_token=None, on_sources=None) -> Answer:
        question = check_question(question, self.settings.max_question_chars)
        chosen = _mode(mode, self.settings.mode)
        chain = self._parts()[4]
        step = Step(question, history_tuple(history), Filters.coerce(filters), self.settings.top_k, chosen,
                    on_token, on_sources)
        return chain.invoke(step)

    def _parts(self) -> tuple[Corpus, StoredIndex, Retriever, Composer, Any]:
        if self._ready is None:
            self.warm_up()
        assert self._ready is not None
        return self._ready


def _corpus_or_none(root: Path) -> Corpus | None:
    """The folder's corpus, or None when it holds no readable document yet (an empty library)."""
    from rag.errors import CorpusError

    try:
        return load_corpus(root)
    except CorpusError:
        return None


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
