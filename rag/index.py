"""Building, updating and opening the persisted index of a corpus.

``open_index`` returns an index that matches the corpus and the embedder, building or
updating it when it does not: a changed document re-embeds only its changed chunks and
sentences (vectors are keyed by content hash), and the new index replaces the old one
by renames, so an interrupted build never leaves a broken index behind.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from embeddings.base import Embedder
from rag import store
from rag.chunking import chunk_document
from rag.corpus import Corpus
from rag.errors import IndexStateError
from rag.store import FORMAT_VERSION, Manifest
from rag.text import fold, split_sentences
from rag.types import Chunk, Document, Sentence

log = logging.getLogger("rag")
HNSW_M = 32
HNSW_EF_SEARCH = 128


@dataclass(frozen=True)
class StoredIndex:
    """An opened index: what was indexed and the vectors that go with it."""

    manifest: Manifest
    documents: tuple[Document, ...]
    chunks: tuple[Chunk, ...]
    chunk_index: object  # faiss.Index over the chunk vectors, in chunk order
    sentences: tuple[Sentence, ...]
    sentence_vectors: np.ndarray  # (len(sentences), dimension)


@dataclass(frozen=True)
class BuildReport:
    reason: str
    embedded: int  # texts embedded now
    reused: int  # vectors taken from the previous index
    seconds: float


def sentence_key(sentence: Sentence) -> str:
    return hashlib.sha256(("sentence\0" + fold(sentence.text)).encode("utf-8")).hexdigest()


def corpus_sentences(documents: Sequence[Document]) -> list[Sentence]:
    return [
        Sentence(p.doc, p.number, i, start, text)
        for d in documents
        for p in d.paragraphs
        for i, (start, text) in enumerate(split_sentences(p.text))
    ]


def open_index(
    corpus: Corpus,
    embedder: Embedder,
    directory: Path,
    chunk_max_chars: int,
    approximate_above: int = 20_000,
    progress: bool = False,
    on_progress: Callable[[float, str], None] | None = None,
) -> tuple[StoredIndex, BuildReport | None]:
    """Open the index in ``directory``; (re)build it first when it is missing, stale or corrupt.
    Builds are serialised by a lock file beside the index: a second process waits for the
    first (saying who holds the lock) and then finds the index built."""
    reason = _stale_reason(directory, corpus, embedder, chunk_max_chars)
    report = None
    if reason:
        with build_lock(directory):
            reason = _stale_reason(directory, corpus, embedder, chunk_max_chars)  # another may have built it
            if reason:
                log.warning("building index in %s: %s", directory, reason)
                report = build_index(corpus, embedder, directory, chunk_max_chars, approximate_above, reason,
                                     progress, on_progress)
    try:
        return _load(directory), report
    except IndexStateError as exc:  # damaged between the check and the load
        log.warning("index unusable (%s); rebuilding", exc)
        report = build_index(corpus, embedder, directory, chunk_max_chars, approximate_above, str(exc), progress)
        return _load(directory), report


class build_lock:
    """An exclusive lock on building the index in ``directory`` (a file beside it holding the
    builder's process id). Waiting for another builder is logged with its pid."""

    def __init__(self, directory: Path) -> None:
        self.path = directory.parent / f"{directory.name}.lock"
        self._file = None

    def __enter__(self) -> "build_lock":
        import fcntl
        import os

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "another process"
            log.warning("the index in %s is being built by %s; waiting for it (lock file %s)",
                        self.path.parent, holder, self.path)
            fcntl.flock(self._file, fcntl.LOCK_EX)
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"pid {os.getpid()}")
        self._file.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _stale_reason(directory: Path, corpus: Corpus, embedder: Embedder, chunk_max_chars: int) -> str | None:
    try:
        m = store.read_manifest(directory)
        store.verify_checksums(directory, m)
    except IndexStateError as exc:
        return str(exc)
    if m.format_version != FORMAT_VERSION:
        return f"index format {m.format_version} is not the current {FORMAT_VERSION}"
    if m.model_id != embedder.model_id or m.model_fingerprint != embedder.fingerprint:
        before, after = m.model_id, embedder.model_id
        if before == after:  # same model name, other weights or settings
            before, after = m.model_fingerprint, embedder.fingerprint
        return f"embedding model changed ({before} -> {after})"
    if m.chunk_max_chars != chunk_max_chars:
        return f"chunk size changed ({m.chunk_max_chars} -> {chunk_max_chars})"
    if m.corpus_fingerprint != corpus.fingerprint:
        now = {d.name: d.fingerprint for d in corpus.documents}
        added = sorted(set(now) - set(m.documents))
        removed = sorted(set(m.documents) - set(now))
        changed = sorted(n for n in set(now) & set(m.documents) if now[n] != m.documents[n])
        parts = [f"{label}: {', '.join(names)}" for label, names in
                 (("added", added), ("removed", removed), ("changed", changed)) if names]
        return "documents changed (" + "; ".join(parts or ["order"]) + ")"
    if m.reading_fingerprint != corpus.reading_fingerprint:
        return "the documents are read differently now (the reader changed)"
    return None


def build_index(
    corpus: Corpus,
    embedder: Embedder,
    directory: Path,
    chunk_max_chars: int,
    approximate_above: int = 20_000,
    reason: str = "requested",
    progress: bool = False,
    on_progress: Callable[[float, str], None] | None = None,
) -> BuildReport:
    """Embed what is new, write a complete index beside ``directory``, then swap it in."""
    started = time.perf_counter()
    chunks = [c for d in corpus.documents for c in chunk_document(d, chunk_max_chars)]
    sentences = corpus_sentences(corpus.documents)
    previous = _previous_vectors(directory, embedder)
    wanted = {c.id: c.embed_text for c in chunks} | {sentence_key(s): fold(s.text) for s in sentences}
    missing = [k for k in wanted if k not in previous]
    table = {k: previous[k] for k in wanted if k in previous}
    table.update(zip(missing, _embed(embedder, [wanted[k] for k in missing], progress, on_progress=on_progress)))

    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        chunk_matrix = _matrix(table, [c.id for c in chunks], embedder.dimension)
        index, index_type = make_faiss_index(chunk_matrix, approximate_above)
        import faiss

        faiss.write_index(index, str(tmp / "chunks.faiss"))
        store.write_jsonl(tmp / "documents.jsonl", corpus.documents)
        store.write_jsonl(tmp / "chunks.jsonl", chunks)
        store.write_jsonl(tmp / "sentences.jsonl", sentences)
        store.save_vectors(tmp, table, embedder.dimension)
        manifest = Manifest(
            FORMAT_VERSION, embedder.model_id, embedder.fingerprint, embedder.dimension, chunk_max_chars,
            corpus.fingerprint, {d.name: d.fingerprint for d in corpus.documents}, index_type,
            {"documents": len(corpus.documents), "chunks": len(chunks), "sentences": len(sentences)},
            reading_fingerprint=corpus.reading_fingerprint,
        )
        store.write_manifest(tmp, manifest)
        store.replace_directory(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildReport(reason, len(missing), len(wanted) - len(missing), time.perf_counter() - started)


def make_faiss_index(matrix: np.ndarray, approximate_above: int) -> tuple[object, str]:
    """Exact inner product for small corpora, HNSW above ``approximate_above`` vectors."""
    import faiss

    dimension = matrix.shape[1]
    if len(matrix) > approximate_above:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH
        kind = "hnsw"
    else:
        index = faiss.IndexFlatIP(dimension)
        kind = "flat"
    if len(matrix):
        index.add(np.ascontiguousarray(matrix, dtype=np.float32))
    return index, kind


def _previous_vectors(directory: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of the current index, if they were made by this same embedder."""
    try:
        m = store.read_manifest(directory)
        if (m.model_fingerprint, m.dimension) != (embedder.fingerprint, embedder.dimension):
            return {}
        # Vectors are reused only when intact: an altered vectors.npy still loads.
        store.verify_checksums(directory, m, ("vectors.npy", "vector_keys.json"))
        return store.load_vectors(directory)
    except (IndexStateError, OSError, ValueError):
        return {}


def _embed(embedder: Embedder, texts: list[str], progress: bool, batch: int = 32,
           on_progress: Callable[[float, str], None] | None = None) -> list[np.ndarray]:
    if not texts:
        return []
    from tqdm import tqdm

    out: list[np.ndarray] = []
    with tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress) as bar:
        for i in range(0, len(texts), batch):
            part = embedder.embed_documents(texts[i : i + batch])
            out.extend(part)
            bar.update(len(part))
            if on_progress is not None:
                on_progress(len(out) / len(texts), f"embedding {len(out)}/{len(texts)} new passages")
    return out


def _matrix(table: dict[str, np.ndarray], keys: list[str], dimension: int) -> np.ndarray:
    if not keys:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.stack([table[k] for k in keys]).astype(np.float32)


def _load(directory: Path) -> StoredIndex:
    import faiss

    manifest = store.read_manifest(directory)
    store.verify_checksums(directory, manifest)
    documents = tuple(store.document_from_json(d) for d in store.read_jsonl(directory / "documents.jsonl"))
    chunks = tuple(store.chunk_from_json(d) for d in store.read_jsonl(directory / "chunks.jsonl"))
    sentences = tuple(store.sentence_from_json(d) for d in store.read_jsonl(directory / "sentences.jsonl"))
    try:
        chunk_index = faiss.read_index(str(directory / "chunks.faiss"))
    except RuntimeError as exc:
        raise IndexStateError(f"chunks.faiss is unreadable: {exc}") from exc
    if chunk_index.ntotal != len(chunks):
        raise IndexStateError("chunks.faiss does not match chunks.jsonl")
    vectors = store.load_vectors(directory)
    try:
        sentence_vectors = _matrix(vectors, [sentence_key(s) for s in sentences], manifest.dimension)
    except KeyError as exc:
        raise IndexStateError("a sentence vector is missing") from exc
    return StoredIndex(manifest, documents, chunks, chunk_index, sentences, sentence_vectors)
