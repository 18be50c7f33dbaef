"""The search store on a Milvus server (Milvus Lite, Standalone, Distributed or Zilliz Cloud,
reached by URI and token through ``pymilvus.MilvusClient``).

Three collections per corpus: ``<name>_chunks`` and ``<name>_sentences`` hold the dense
vectors (exact search up to ``approximate_above`` rows, HNSW above), ``<name>_paragraphs``
holds each paragraph's BM25 weights over the project's own tokens as a sparse vector, so
that an inner-product search gives the same scores as the in-process BM25 (the query side
carries the IDF). Every row also has its document, region and years, so filters run on
the server. Rows are keyed by a hash of their content and place: opening the store
inserts what the index has and the server lacks, and deletes what it no longer has.

The local index stays the record of what was read and embedded (paragraph texts for the
reader, the vector cache for re-embedding nothing); the server does the searching.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from rag.errors import StoreError
from rag.filters import Filters
from rag.stores import Layout, combine_dense

log = logging.getLogger("rag")
FORMAT = 1
SENTENCE_DEPTH = 2_000  # nearest sentences asked of the server per question
_BATCH = 1_000
_CONNECT_ATTEMPTS = 3
_HNSW = {"M": 32, "efConstruction": 80}
_HNSW_EF = 128
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")
_MANIFEST = "rag.manifest"  # the collection property that records what made it


@dataclass(frozen=True)
class MilvusConfig:
    uri: str = "http://127.0.0.1:19530"
    token: str = field(default="", repr=False)  # kept out of logs and reprs
    collection: str = ""  # prefix of the three collections; default derived from corpus and model
    approximate_above: int = 20_000
    timeout: float = 10.0
    corpus_key: str = ""  # what names the corpus across updates: its folder

    @classmethod
    def from_settings(cls, settings: Any) -> "MilvusConfig":
        from pathlib import Path

        return cls(settings.milvus_uri, settings.milvus_token, settings.milvus_collection,
                   settings.approximate_above, corpus_key=str(Path(settings.docs_dir).resolve()))


def default_collection(corpus_key: str, model_fingerprint: str) -> str:
    """A collection prefix for a corpus folder and an embedder: one per pair, stable across updates."""
    return "rag_" + hashlib.sha256(f"{corpus_key}\0{model_fingerprint}".encode()).hexdigest()[:16]


def term_id(token: str) -> int:
    """A token's dimension in the sparse vectors (CRC-32: stable, no vocabulary to keep)."""
    return zlib.crc32(token.encode("utf-8"))


class MilvusStore:
    """Dense and lexical search on a Milvus server for one opened index."""

    name = "milvus"

    def __init__(self, config: MilvusConfig, layout: Layout, client: Any, prefix: str) -> None:
        self.config, self.layout, self.client, self.prefix = config, layout, client, prefix
        index = layout.index
        self._chunk_row = {_chunk_key(c.doc, c.id): i for i, c in enumerate(index.chunks)}
        self._sentence_keys = [_sentence_key(layout, i) for i in range(len(index.sentences))]
        self._sentence_row = {k: i for i, k in enumerate(self._sentence_keys)}
        self._avgdl = layout.bm25.avgdl
        self._paragraph_row = {_paragraph_key(layout, i, self._avgdl): i for i in range(len(layout.paragraphs))}
        self.last_sync: dict[str, tuple[int, int]] = {}  # (inserted, deleted) per collection when opened

    def __repr__(self) -> str:
        return f"MilvusStore(uri={self.config.uri!r}, collections={self.prefix}_*)"

    @classmethod
    def open(cls, config: MilvusConfig, layout: Layout) -> "MilvusStore":
        """Connect, create or check the collections, and bring them in line with the index."""
        client = connect(config)
        prefix = config.collection or default_collection(config.corpus_key, layout.index.manifest.model_fingerprint)
        if not _NAME_RE.fullmatch(prefix):
            raise StoreError(f"invalid Milvus collection name {prefix!r}: letters, digits and underscores, "
                             "not starting with a digit")
        store = cls(config, layout, client, prefix)
        with _errors(config):
            store.last_sync = store.sync()
        return store

    # --- keeping the server in line with the index ------------------------------------------

    def sync(self) -> dict[str, tuple[int, int]]:
        """Insert the rows the server lacks and delete those the index no longer has;
        (inserted, deleted) per collection."""
        started = time.perf_counter()
        layout, index = self.layout, self.layout.index
        dim = index.manifest.dimension
        report = {}
        # Vectors and weights are made only for the rows the server lacks.
        report["chunks"] = self._sync_one(
            "chunks", "dense", self._chunk_row,
            lambda i: {"vec": index.chunk_index.reconstruct(i).tolist(), **_where(layout, index.chunks[i].doc)}, dim)
        report["sentences"] = self._sync_one(
            "sentences", "dense", self._sentence_row,
            lambda i: {"vec": index.sentence_vectors[i].astype(np.float32).tolist(),
                       **_where(layout, index.sentences[i].doc)}, dim)
        tokens = layout.paragraph_tokens
        report["paragraphs"] = self._sync_one(  # a paragraph without tokens has nothing to match
            "paragraphs", "sparse", {k: i for k, i in self._paragraph_row.items() if tokens[i]},
            lambda i: {"sparse": _weights(tokens[i], self._avgdl), **_where(layout, layout.paragraphs[i].doc)}, dim)
        changed = {k: v for k, v in report.items() if v != (0, 0)}
        if changed:
            log.warning("Milvus %s: %s in %.1f s", self.config.uri,
                        "; ".join(f"{k} +{a} -{d}" for k, (a, d) in changed.items()), time.perf_counter() - started)
        return report

    def _sync_one(self, kind: str, vector: str, wanted: dict[str, int], row_of, dim: int) -> tuple[int, int]:
        name = f"{self.prefix}_{kind}"
        manifest = self._manifest(kind, vector, dim, len(wanted))
        self._ensure(name, vector, dim, manifest)
        present = set(self._keys(name))
        missing = [k for k in wanted if k not in present]
        extra = [k for k in present if k not in wanted]
        for part in _batches(extra, _BATCH):
            self.client.delete(name, ids=part)
        for part in _batches(missing, _BATCH):
            self.client.insert(name, [{"key": k, **row_of(wanted[k])} for k in part])
        if missing or extra:
            self.client.flush(name)
        return len(missing), len(extra)

    def _manifest(self, kind: str, vector: str, dim: int, rows: int) -> dict[str, Any]:
        m = self.layout.index.manifest
        out: dict[str, Any] = {"format": FORMAT, "kind": kind, "model_id": m.model_id,
                               "model_fingerprint": m.model_fingerprint}
        if vector == "dense":
            out |= {"dimension": dim, "index": "hnsw" if self._approximate(rows) else "flat"}
        else:
            out |= {"tokens": "rag.lexical", "term_id": "crc32"}
        return out

    def _approximate(self, rows: int) -> bool:
        """Whether a dense collection of ``rows`` vectors is searched by HNSW rather than exactly."""
        return rows > self.config.approximate_above

    def _ensure(self, name: str, vector: str, dim: int, manifest: dict[str, Any]) -> None:
        """Create the collection, or recreate it when it was made by another model or format."""
        if self.client.has_collection(name):
            found = _read_manifest(self.client.describe_collection(name).get("properties") or {})
            if found == manifest:
                self.client.load_collection(name)  # a restarted server holds it released
                return
            reason = _difference(found, manifest)
            log.warning("Milvus collection %s is rebuilt: %s", name, reason)
            self.client.drop_collection(name)
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, max_length=64, is_primary=True)
        schema.add_field("doc", DataType.VARCHAR, max_length=1024)
        schema.add_field("region", DataType.VARCHAR, max_length=256)
        schema.add_field("years", DataType.ARRAY, element_type=DataType.INT64, max_capacity=64)
        params = self.client.prepare_index_params()
        if vector == "dense":
            schema.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
            if manifest["index"] == "hnsw":
                params.add_index("vec", index_type="HNSW", metric_type="IP", params=_HNSW)
            else:
                params.add_index("vec", index_type="FLAT", metric_type="IP")
        else:
            schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        self.client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong",
                                      properties={_MANIFEST: json.dumps(manifest, sort_keys=True)})

    def _keys(self, name: str) -> Iterator[str]:
        quiet = logging.getLogger("pymilvus")  # Milvus Lite has no server-side timestamp to pin the scan to
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        iterator = self.client.query_iterator(name, batch_size=_BATCH * 4, filter="", output_fields=["key"])
        try:
            while True:
                batch = iterator.next()
                if not batch:
                    return
                yield from (r["key"] for r in batch)
        finally:
            iterator.close()
            quiet.setLevel(level)

    # --- searching -------------------------------------------------------------------------

    def dense(self, query_vector: np.ndarray, filters: Filters | None) -> tuple[np.ndarray, np.ndarray]:
        layout = self.layout
        n = len(layout.paragraphs)
        q = query_vector.astype(np.float32).tolist()
        expr = filters.expression() if filters is not None else ""
        chunk_best = np.full(n, -1.0, dtype=np.float32)
        for key, score in self._search("chunks", "vec", q, layout.chunk_depth(), expr):
            i = self._chunk_row.get(key)
            if i is not None:
                rows = layout.chunk_paragraphs[i]
                chunk_best[rows] = np.maximum(chunk_best[rows], score)
        total = len(layout.index.sentences)
        found = self._search("sentences", "vec", q, min(total, SENTENCE_DEPTH), expr) if total else []
        rows = np.array([self._sentence_row[k] for k, _ in found if k in self._sentence_row], dtype=np.int64)
        values = np.array([s for k, s in found if k in self._sentence_row], dtype=np.float32)
        # A sentence the server did not return scores below every one it did.
        floor = float(values.min()) - 1e-3 if len(values) else -1.0
        sentence_scores = np.full(total, floor, dtype=np.float32)
        sentence_scores[rows] = values
        sentence_best = np.full(n, -1.0, dtype=np.float32)
        if len(rows):
            np.maximum.at(sentence_best, layout.sentence_paragraph[rows], values)
        return combine_dense(layout, chunk_best, sentence_best), sentence_scores

    def lexical(self, tokens: Sequence[str], filters: Filters | None) -> np.ndarray:
        bm25 = self.layout.bm25
        out = np.zeros(len(self.layout.paragraphs), dtype=np.float32)
        query: dict[int, float] = {}
        for term, qtf in Counter(tokens).items():
            t = bm25.vocabulary.get(term)
            if t is not None:
                query[term_id(term)] = query.get(term_id(term), 0.0) + float(bm25.idf[t]) * (1.0 + math.log(qtf))
        if not query:
            return out
        expr = filters.expression() if filters is not None else ""
        for key, score in self._search("paragraphs", "sparse", query, self.layout.fusion_depth, expr):
            row = self._paragraph_row.get(key)
            if row is not None and score > 0:
                out[row] = score
        return out

    def exact_sentences(self, query_vector: np.ndarray, rows: Sequence[int], scores: np.ndarray) -> None:
        keys = [self._sentence_keys[r] for r in dict.fromkeys(rows)]
        if not keys:
            return
        with _errors(self.config):
            found = self.client.get(f"{self.prefix}_sentences", ids=keys, output_fields=["vec"])
        q = query_vector.astype(np.float32)
        for record in found:
            row = self._sentence_row.get(record["key"])
            if row is not None:
                scores[row] = float(np.asarray(record["vec"], dtype=np.float32) @ q)

    def _search(self, kind: str, field_name: str, query: Any, limit: int, expr: str) -> list[tuple[str, float]]:
        if limit <= 0:
            return []
        params: dict[str, Any] = {"metric_type": "IP", "params": {}}
        index = self.layout.index
        if field_name == "vec" and self._approximate(len(index.chunks if kind == "chunks" else index.sentences)):
            params["params"] = {"ef": max(_HNSW_EF, limit)}
        with _errors(self.config):
            result = self.client.search(f"{self.prefix}_{kind}", data=[query], anns_field=field_name,
                                        limit=min(limit, 16_384), filter=expr, output_fields=["key"],
                                        search_params=params)
        return [(hit["entity"]["key"] if "entity" in hit else hit["id"], float(hit["distance"])) for hit in result[0]]

    def drop(self) -> None:
        """Remove this corpus's collections from the server."""
        with _errors(self.config):
            for kind in ("chunks", "sentences", "paragraphs"):
                if self.client.has_collection(f"{self.prefix}_{kind}"):
                    self.client.drop_collection(f"{self.prefix}_{kind}")


def connect(config: MilvusConfig) -> Any:
    """A client for the server at ``config.uri``; StoreError naming the URI when it is down."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise StoreError("the Milvus store needs pymilvus: pip install -e '.[milvus]'") from exc
    # A connection of its own (not pymilvus's shared one, whose recovery after a long idle
    # spell can fail once), tried again briefly: a busy server may refuse a first attempt.
    for attempt in range(_CONNECT_ATTEMPTS):
        try:
            with _errors(config):
                client = MilvusClient(uri=config.uri, token=config.token, timeout=config.timeout, dedicated=True)
                client.list_collections()  # fails now, with the URI, rather than inside a question
            return client
        except StoreError:
            if attempt == _CONNECT_ATTEMPTS - 1:
                raise
            time.sleep(1.0)


@contextmanager
def _errors(config: MilvusConfig) -> Iterator[None]:
    """Turn the client's exceptions into a StoreError that names the server (not the token)."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        message = str(exc).replace(config.token, "***") if config.token else str(exc)
        raise StoreError(f"the Milvus server at {config.uri} failed: {message}") from exc


def _chunk_key(doc: str, chunk_id: str) -> str:
    return hashlib.sha256(f"chunk\0{doc}\0{chunk_id}".encode()).hexdigest()[:64]


def _where(layout: Layout, doc: str) -> dict[str, Any]:
    meta = layout.documents[doc].meta
    return {"doc": doc, "region": meta.region or "", "years": [int(y) for y in meta.years][:64]}


def _where_key(layout: Layout, doc: str) -> str:
    meta = layout.documents[doc].meta
    return f"{doc}\0{meta.region or ''}\0{','.join(str(y) for y in meta.years)}"


def _sentence_key(layout: Layout, row: int) -> str:
    s = layout.index.sentences[row]
    text = f"sentence\0{_where_key(layout, s.doc)}\0{s.paragraph}\0{s.index}\0{s.text}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _paragraph_key(layout: Layout, row: int, avgdl: float) -> str:
    p = layout.paragraphs[row]
    tokens = " ".join(layout.paragraph_tokens[row])
    text = f"paragraph\0{_where_key(layout, p.doc)}\0{p.number}\0{avgdl:.4f}\0{tokens}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _weights(tokens: Sequence[str], avgdl: float, k1: float = 1.2, b: float = 0.75) -> dict[int, float]:
    """One paragraph's BM25 document-side weights (tf saturation and length normalisation
    by ``avgdl``, as ``rag.lexical.BM25``) keyed by term id. The mean length is part of every
    paragraph's key, so weights are rewritten when it moves (``rounded_mean_length``)."""
    norm = k1 * (1 - b + b * len(tokens) / avgdl)
    weights: dict[int, float] = {}
    for term, tf in Counter(tokens).items():
        t = term_id(term)
        weights[t] = weights.get(t, 0.0) + tf * (k1 + 1) / (tf + norm)
    return weights


def _read_manifest(properties: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(properties.get(_MANIFEST) or "{}")
    except (TypeError, json.JSONDecodeError):
        return {}


def _difference(found: dict[str, Any], wanted: dict[str, Any]) -> str:
    keys = sorted(set(found) | set(wanted))
    changed = [f"{k} {found.get(k)!r} -> {wanted.get(k)!r}" for k in keys if found.get(k) != wanted.get(k)]
    return ", ".join(changed) or "no manifest"


def _batches(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])
