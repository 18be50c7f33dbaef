"""The document library: the documents folder, added to and removed from safely.

A file is added by copying it into the folder under a safe name (its own file name, with
any folder part, ``..`` and control characters dropped), after it has been read: a file
that cannot be read is refused with the reason and nothing is written. The same content
added twice is one document. Adding or removing then re-indexes (only new text is
embedded: vectors are keyed by content) and the assistant swaps to the new index whole.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from rag.corpus import Corpus
from rag.errors import DocumentError, NotFoundError, RagError
from rag.formats import MAX_FILE_BYTES, SUFFIXES, UNSUPPORTED, extract
from rag.reader import parse_lines
from rag.types import Document


@dataclass(frozen=True)
class DocumentInfo:
    """What ``rag docs`` lists of a document."""

    name: str
    title: str
    issuer: str | None
    date: str | None
    region: str | None
    period: str | None
    format: str
    pages: int | None
    paragraphs: int
    furniture: int  # lines removed as page furniture (navigation, running headers …)
    bytes: int

    @classmethod
    def of(cls, doc: Document, root: Path) -> "DocumentInfo":
        path = root / doc.name
        size = path.stat().st_size if path.is_file() else 0
        m = doc.meta
        return cls(doc.name, m.title, m.office, m.date, m.region, m.period, doc.format, doc.pages,
                   len(doc.paragraphs), len(doc.removed), size)


@dataclass(frozen=True)
class Added:
    """What became of one file offered to the library."""

    source: str  # the name it was offered under
    name: str | None = None  # its name in the library (None when refused)
    status: str = "added"  # added, duplicate, refused
    message: str = ""


@dataclass(frozen=True)
class LibraryReport:
    added: tuple[Added, ...] = ()
    removed: tuple[str, ...] = ()
    embedded: int = 0  # texts embedded for the new index
    reused: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.removed) or any(a.status == "added" for a in self.added)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_name(name: str) -> str:
    """A file name that stays inside the library: the last part of ``name`` only, without
    control characters, separators or characters file systems refuse; never hidden, never
    empty. RagError when nothing usable is left."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    base = _UNSAFE.sub("", base).strip().lstrip(".").strip()
    if not base or base in (".", "..") or not Path(base).suffix:
        raise RagError(f"{name!r}: not a usable file name (it needs a name and a suffix such as .pdf)")
    stem, suffix = Path(base).stem[:120], Path(base).suffix.lower()
    return stem + suffix


def check_suffix(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix in UNSUPPORTED:
        raise DocumentError(f"{name}: {UNSUPPORTED[suffix]}")
    if suffix not in SUFFIXES:
        raise DocumentError(f"{name}: unsupported file type {suffix or '(no suffix)'}; readable: {', '.join(SUFFIXES)}")


def add_files(root: Path, corpus: Corpus | None, files: Iterable[tuple[str, Path]]) -> list[Added]:
    """Copy each readable (name, path) into ``root``; what happened to each, in order.

    A file is read before it is copied; the copy is written beside its final name and
    renamed into place, so a reader of the folder never sees half a file."""
    root.mkdir(parents=True, exist_ok=True)
    by_hash = {d.fingerprint: d.name for d in (corpus.documents if corpus else ())}
    taken = {p.name for p in root.iterdir()} if root.is_dir() else set()
    out: list[Added] = []
    for offered, path in files:
        try:
            name = safe_name(offered)
            check_suffix(name)
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise DocumentError(f"{name}: {size / 2**20:.0f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit a file")
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest in by_hash:
                out.append(Added(offered, by_hash[digest], "duplicate", f"{name}: already in the library as {by_hash[digest]}"))
                continue
            doc = parse_lines(name, extract(Path(name), data), digest)  # read as it will be, before copying
            if not doc.paragraphs:
                raise DocumentError(f"{name}: no text, not added")
            name = _free_name(name, taken)
            _write_atomically(root / name, data)
        except (RagError, OSError) as exc:
            message = str(exc) if isinstance(exc, RagError) else f"{offered}: cannot be read ({exc})"
            out.append(Added(offered, None, "refused", message))
            continue
        taken.add(name)
        by_hash[digest] = name
        out.append(Added(offered, name, "added", f"{name}: {len(doc.paragraphs)} paragraphs"
                         + (f", {doc.pages} pages" if doc.pages else "")))
    return out


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``stem-2.suffix`` … when another document has it."""
    if name not in taken:
        return name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while f"{stem}-{n}{suffix}" in taken:
        n += 1
    return f"{stem}-{n}{suffix}"


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".adding-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_files(root: Path, corpus: Corpus, names: Sequence[str]) -> list[str]:
    """Delete the documents named (file name or unique prefix) from ``root``; their names."""
    removed = []
    root = root.resolve()
    for name in names:
        doc = corpus.document(name)
        path = (root / doc.name).resolve()
        if path.parent != root and root not in path.parents:
            raise NotFoundError(f"{doc.name} is not in the library folder {root}")
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise RagError(f"{doc.name}: cannot be removed ({exc.strerror})") from exc
        removed.append(doc.name)
    return removed


class library_lock:
    """An exclusive lock on the library folder across processes (a lock file beside the
    documents, hidden from the reader): two changes at once are made one after the other."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / ".rag-library.lock"
        self._file = None

    def __enter__(self) -> "library_lock":
        import fcntl

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a+")
        except OSError as exc:
            raise RagError(f"the library folder {self.path.parent} cannot be written ({exc.strerror})") from exc
        fcntl.flock(self._file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
