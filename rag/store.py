"""Reading and writing an index directory: JSON, JSONL, .npy and FAISS files, never pickle.

Layout::

    manifest.json     format version, embedder id and fingerprint, dimension, chunking,
                      corpus fingerprint, per-file SHA-256 checksums
    documents.jsonl   documents with metadata and numbered paragraphs
    chunks.jsonl      chunks in the order of the FAISS index
    chunks.faiss      chunk vectors (exact inner product, or HNSW for large corpora)
    sentences.jsonl   sentences of every paragraph
    vectors.npy       every vector, keyed by content hash in vector_keys.json
    vector_keys.json
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from rag.errors import IndexStateError
from rag.types import Chunk, Document, DocumentMeta, Paragraph, Removed, Sentence

FORMAT_VERSION = 4  # 3: the manifest records how the documents were read; 4: formats and pages
MANIFEST = "manifest.json"
DATA_FILES = ("documents.jsonl", "chunks.jsonl", "chunks.faiss", "sentences.jsonl", "vectors.npy", "vector_keys.json")


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model_id: str
    model_fingerprint: str
    dimension: int
    chunk_max_chars: int
    corpus_fingerprint: str
    documents: dict[str, str]  # file name -> SHA-256 of its bytes
    index_type: str
    counts: dict[str, int]
    checksums: dict[str, str] = field(default_factory=dict)
    reading_fingerprint: str = ""  # how the documents were read: changes when the reader does

    @classmethod
    def from_json(cls, data: Any) -> "Manifest":
        """A manifest from parsed JSON; IndexStateError when fields are missing, unknown or of the wrong type."""
        if not isinstance(data, dict):
            raise IndexStateError(f"manifest is not a JSON object but {type(data).__name__}")
        try:
            manifest = cls(**data)
        except TypeError as exc:
            raise IndexStateError(f"manifest has unexpected fields: {exc}") from exc
        for f in fields(cls):
            expected = _FIELD_TYPES[f.name]
            value = getattr(manifest, f.name)
            if not isinstance(value, expected) or isinstance(value, bool):
                raise IndexStateError(f"manifest field {f.name} is not a {expected.__name__}")
        return manifest


_FIELD_TYPES: dict[str, type] = {
    "format_version": int, "model_id": str, "model_fingerprint": str, "dimension": int, "chunk_max_chars": int,
    "corpus_fingerprint": str, "documents": dict, "index_type": str, "counts": dict, "checksums": dict,
    "reading_fingerprint": str,
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_jsonl(path: Path, records: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexStateError(f"{path.name} is unreadable: {exc}") from exc


def document_from_json(d: dict[str, Any]) -> Document:
    meta = DocumentMeta(**{**d["meta"], "years": tuple(d["meta"]["years"])})
    paragraphs = tuple(
        Paragraph(p["doc"], p["number"], p["text"], tuple(p["lines"]), tuple(p["section"]), p["is_heading"],
                  p["page"], tuple(p["page_breaks"]))
        for p in d["paragraphs"]
    )
    removed = tuple(Removed(**r) for r in d["removed"])
    return Document(d["name"], meta, paragraphs, d["fingerprint"], d["encoding"], removed, d["format"], d["pages"])


def chunk_from_json(d: dict[str, Any]) -> Chunk:
    return Chunk(d["id"], d["doc"], d["title"], tuple(d["section"]), tuple(d["paragraphs"]), d["text"])


def sentence_from_json(d: dict[str, Any]) -> Sentence:
    return Sentence(d["doc"], d["paragraph"], d["index"], d["start"], d["text"])


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    try:
        return Manifest.from_json(json.loads(path.read_text("utf-8")))
    except FileNotFoundError as exc:
        raise IndexStateError("no index yet") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexStateError(f"manifest is unreadable: {exc}") from exc


def verify_checksums(directory: Path, manifest: Manifest, names: Iterable[str] = DATA_FILES) -> None:
    """Detect a truncated or altered file before anything is loaded from it."""
    for name in names:
        path = directory / name
        if not path.is_file():
            raise IndexStateError(f"{name} is missing")
        if manifest.checksums.get(name) != sha256_file(path):
            raise IndexStateError(f"{name} is corrupt (checksum mismatch)")


def write_manifest(directory: Path, manifest: Manifest) -> None:
    checksums = {name: sha256_file(directory / name) for name in DATA_FILES}
    data = asdict(manifest) | {"checksums": checksums}
    (directory / MANIFEST).write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")


def load_vectors(directory: Path) -> dict[str, np.ndarray]:
    keys = json.loads((directory / "vector_keys.json").read_text("utf-8"))
    vectors = np.load(directory / "vectors.npy", allow_pickle=False)
    if len(keys) != len(vectors):
        raise IndexStateError("vector_keys.json and vectors.npy disagree")
    return dict(zip(keys, vectors))


def save_vectors(directory: Path, table: dict[str, np.ndarray], dimension: int) -> None:
    keys = list(table)
    matrix = np.stack([table[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, dimension), np.float32)
    np.save(directory / "vectors.npy", matrix, allow_pickle=False)
    (directory / "vector_keys.json").write_text(json.dumps(keys), "utf-8")


def replace_directory(built: Path, target: Path) -> None:
    """Put ``built`` in place of ``target`` by renames, so a reader never sees half an index."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(built, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
