"""A folder of documents, read in name order; what cannot be read is skipped and named."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rag.errors import CorpusError, DocumentError, NotFoundError
from rag.formats import SUFFIXES, UNSUPPORTED
from rag.reader import read_document
from rag.types import Document

log = logging.getLogger("rag")


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    root: Path
    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Changes when any document is added, removed or edited."""
        h = hashlib.sha256()
        for d in self.documents:
            h.update(f"{d.name}\0{d.fingerprint}\n".encode())
        return h.hexdigest()

    @cached_property
    def reading_fingerprint(self) -> str:
        """Changes when the documents are read differently (paragraphs, sections, metadata),
        as when the reader itself changes: an index of the old reading is stale."""
        import json
        from dataclasses import asdict

        h = hashlib.sha256()
        for d in self.documents:
            h.update(json.dumps(asdict(d), ensure_ascii=False, sort_keys=True).encode())
        return h.hexdigest()

    def document(self, name: str) -> Document:
        """The document of this file name (or unique prefix of it, such as ``001``, or the
        same name with another suffix)."""
        exact = [d for d in self.documents if d.name == name]
        # The same document in another format answers to its old name (001_x.txt is 001_x.pdf).
        stem = [d for d in self.documents if Path(d.name).stem == Path(name).stem]
        found = exact or [d for d in self.documents if d.name.startswith(name)] or stem
        if len(found) == 1:
            return found[0]
        names = ", ".join(d.name for d in self.documents)
        if not found:
            raise NotFoundError(f"no document {name!r}; documents: {names}")
        raise NotFoundError(f"{name!r} matches several documents: {', '.join(d.name for d in found)}")


def load_corpus(root: Path | str) -> Corpus:
    """Read every document under ``root`` (.txt, .md, .pdf, .docx, .html, .ofd; recursively, in
    path order); files that cannot be read are skipped, each with its reason."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"documents folder not found: {root}")
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() not in SUFFIXES:
            if path.suffix.lower() in UNSUPPORTED:  # a document, in a format not read: say so
                skipped.append(Skipped(str(path.relative_to(root)), f"{path.name}: {UNSUPPORTED[path.suffix.lower()]}"))
                log.warning("%s: %s", path.name, UNSUPPORTED[path.suffix.lower()])
            continue
        try:
            doc = read_document(path)
        except DocumentError as exc:
            log.warning("%s", exc)
            skipped.append(Skipped(str(path.relative_to(root)), str(exc)))
            continue
        if not doc.paragraphs:
            skipped.append(Skipped(str(path.relative_to(root)), f"{path.name}: no text, skipped"))
            continue
        documents.append(doc)
    if not documents:
        reasons = "; ".join(s.reason for s in skipped[:5])
        raise CorpusError(f"no readable document ({', '.join(SUFFIXES)}) in {root}" + (f": {reasons}" if reasons else ""))
    return Corpus(root, tuple(documents), tuple(skipped))
