"""Question answering with exact citations over folders of Chinese government documents.

The public API::

    import rag
    a = rag.answer("福建2017年力争与哪些国家缔结省级友城？")
    a.text, a.found, a.citations          # answer with [n] markers, cited paragraphs
    rag.retrieve("APEC商务旅行卡", k=5)    # ranked paragraphs
    rag.add_documents(["plan.pdf"])        # the library: add, list, remove (re-indexed at once)
    rag.documents(); rag.remove_document("plan.pdf")

Both use a default :class:`rag.assistant.Assistant` built on first call from the
``RAG_*`` settings (the seed documents, the packaged embedding model); nothing is
loaded at import time.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from rag.errors import RagError
from rag.types import Answer, Citation, Document, Mode, Paragraph, Passage

if TYPE_CHECKING:
    from rag.assistant import Assistant

__all__ = [
    "Answer", "Citation", "Document", "Mode", "Paragraph", "Passage", "RagError",
    "answer", "retrieve", "default_assistant", "add_documents", "documents", "remove_document",
]

_lock = threading.Lock()
_default: "Assistant | None" = None


def default_assistant() -> "Assistant":
    """The process-wide assistant behind :func:`answer` and :func:`retrieve`, made on first use."""
    global _default
    with _lock:
        if _default is None:
            from rag.assistant import Assistant

            _default = Assistant()
        return _default


def answer(
    question: str,
    *,
    history: Sequence[Any] | None = None,
    mode: Mode | str | None = None,
    filters: Mapping[str, Any] | None = None,
) -> Answer:
    """Answer ``question`` from the documents, citing document and paragraph."""
    return default_assistant().answer(question, history=history, mode=mode, filters=filters)


def retrieve(question: str, k: int = 5, filters: Mapping[str, Any] | None = None) -> list[Passage]:
    """The ``k`` paragraphs that best match ``question``."""
    return default_assistant().retrieve(question, k, filters)


def add_documents(paths: Sequence[Any]) -> Any:
    """Copy the readable files among ``paths`` into the library and re-index (only their new
    text is embedded); a ``LibraryReport`` says what became of each file."""
    return default_assistant().add_documents(paths)


def documents() -> list[Any]:
    """The library's documents (``DocumentInfo``: title, issuer, date, region, format, pages …)."""
    return default_assistant().documents()


def remove_document(doc: str) -> Any:
    """Delete a document (its file name, or a unique prefix) from the library and re-index."""
    return default_assistant().remove_document(doc)
