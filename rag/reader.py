"""Reading one document into numbered, citable paragraphs with section paths."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rag.decoding import decode
from rag.errors import DocumentError
from rag.furniture import furniture_reason, is_stray_number, split_page_line
from rag.headings import parse_heading, strip_emphasis
from rag.layout import TITLE_RE, continues
from rag.metadata import extract_metadata
from rag.text import compact, fold
from rag.types import Document, Paragraph, Removed

SUFFIXES = (".txt", ".md")


def read_document(path: Path | str) -> Document:
    """Read a .txt or .md file; raise DocumentError when it cannot be decoded."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    text, encoding = decode(data, path.name)
    return parse_document(path.name, text, hashlib.sha256(data).hexdigest(), encoding)


def parse_document(name: str, text: str, fingerprint: str = "", encoding: str = "utf-8") -> Document:
    """Turn a document's text into paragraphs, sections and metadata."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    content, removed = _content_lines(lines)
    blocks = _join_blocks(content)
    meta = extract_metadata(content, "\n".join(t for _, t in content), Path(name).stem, removed)
    paragraphs = _paragraphs(name, blocks, meta.title)
    return Document(name, meta, tuple(paragraphs), fingerprint, encoding, tuple(removed))


def _content_lines(lines: list[str]) -> tuple[list[tuple[int, str]], list[Removed]]:
    """Stripped non-blank lines with their 1-based numbers, less the furniture."""
    content: list[tuple[int, str]] = []
    removed: list[Removed] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip().strip("\ufeff\u200b").strip()
        if not line:
            continue
        folded = fold(line)
        glued = split_page_line(folded)
        if glued is not None:  # page fields with the title after them: the title stays
            cut = len(glued[0])
            removed.append(Removed(number, line[:cut].strip(), "page information"))
            content.append((number, line[cut:].strip()))
            continue
        reason = furniture_reason(folded)
        if reason:
            removed.append(Removed(number, line, reason))
        else:
            content.append((number, line))
    # A bare number closing the file is a counter the page left behind, not content.
    if content and is_stray_number(content[-1][1]):
        number, line = content.pop()
        removed.append(Removed(number, line, "stray trailing number"))
    removed.sort(key=lambda r: r.line)
    return content, removed


def _join_blocks(content: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """Group lines into paragraphs, joining what a page break or wrap split: (first, last, text)."""
    blocks: list[tuple[int, int, str]] = []
    last_line = ""
    for number, line in content:
        if blocks and continues(blocks[-1][2], last_line, line):
            first, _, text = blocks[-1]
            sep = " " if re.match(r"[A-Za-z0-9]", line) and re.search(r"[A-Za-z0-9]$", text) else ""
            blocks[-1] = (first, number, text + sep + line)
        else:
            blocks.append((number, number, line))
        last_line = line
    return blocks


def _paragraphs(name: str, blocks: list[tuple[int, int, str]], title: str) -> list[Paragraph]:
    out: list[Paragraph] = []
    stack: list[tuple[int, str]] = []
    for number, (first, last, raw) in enumerate(blocks, start=1):
        text = strip_emphasis(raw)
        heading = parse_heading(raw)
        is_heading = heading is not None and not heading.run_in
        if heading is not None:
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            stack.append((heading.level, heading.title))
        elif _is_title_line(text, title):
            is_heading = True
        out.append(Paragraph(name, number, text, (first, last), tuple(t for _, t in stack), is_heading))
    return out


def _is_title_line(text: str, title: str) -> bool:
    """The document's title line (the title may carry the issuer in front of it)."""
    line = compact(text)
    return line == title or (len(line) >= 6 and title.endswith(line) and bool(TITLE_RE.search(line)))
