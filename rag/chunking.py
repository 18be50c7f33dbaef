"""Chunking by section: a chunk never spans two sections and fits the embedder's window."""

from __future__ import annotations

import hashlib

from rag.text import split_sentences
from rag.types import Chunk, Document, embed_text

# 400 Chinese characters stay well under e5's 512-token window with the title and
# section path in front (XLM-R pieces average more than one character in Chinese).
DEFAULT_MAX_CHARS = 400


def chunk_document(doc: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Pack each section's paragraphs into chunks of at most ``max_chars`` characters.

    A long section splits at paragraph boundaries; a paragraph longer than the limit
    splits at sentence boundaries (。！？；), and a sentence longer than that is cut.
    """
    chunks: list[Chunk] = []
    for section in doc.sections():
        pieces = [
            (n, piece)
            for n in section.paragraphs
            for piece in _pieces(doc.paragraph(n).text, max_chars)
        ]
        group: list[tuple[int, str]] = []
        for number, piece in pieces:
            if group and _size(group) + 1 + len(piece) > max_chars:
                chunks.append(_chunk(doc, section.path, group))
                group = []
            group.append((number, piece))
        if group:
            chunks.append(_chunk(doc, section.path, group))
    return chunks


def _pieces(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    out: list[str] = []
    current = ""
    # Sentences as slices of the text, spaces after a full stop included, so that the
    # pieces of a paragraph put together give the paragraph back.
    starts = [0] + [start for start, _ in split_sentences(text)][1:]
    for a, b in zip(starts, starts[1:] + [len(text)]):
        for part in _cut(text[a:b], max_chars):
            if current and len(current) + len(part) > max_chars:
                out.append(current)
                current = ""
            current += part
    if current:
        out.append(current)
    return out


def _cut(sentence: str, max_chars: int) -> list[str]:
    return [sentence[i : i + max_chars] for i in range(0, len(sentence), max_chars)] or [sentence]


def _size(group: list[tuple[int, str]]) -> int:
    return sum(len(p) for _, p in group) + len(group) - 1


def _chunk(doc: Document, path: tuple[str, ...], group: list[tuple[int, str]]) -> Chunk:
    text = "\n".join(p for _, p in group)
    numbers = tuple(dict.fromkeys(n for n, _ in group))
    label = doc.meta.label
    key = hashlib.sha256(embed_text(label, path, text).encode("utf-8")).hexdigest()
    return Chunk(key, doc.name, label, path, numbers, text)
