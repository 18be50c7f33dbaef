"""Reading one document into numbered, citable paragraphs with section paths."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rag.errors import DocumentError
from rag.furniture import furniture_reason, is_stray_number, split_page_line
from rag.headings import MAX_HEADING_CHARS, Heading, parse_heading, strip_emphasis
from rag.formats import MAX_FILE_BYTES, SUFFIXES, Extracted, SourceLine, extract
from rag.layout import TITLE_RE, continues, is_title_like, starts_block
from rag.metadata import extract_metadata
from rag.text import compact, fold
from rag.types import Document, Paragraph, Removed



def read_document(path: Path | str) -> Document:
    """Read a document of any supported format; raise DocumentError naming the file when
    it cannot be read (undecodable, encrypted, scanned, damaged, too large …)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # said before reading it: a 200 MB file is not read into memory
            raise DocumentError(f"{path.name}: {size / 2**20:.0f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit a file, skipped")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    extracted = extract(path, data)
    return parse_lines(path.name, extracted, hashlib.sha256(data).hexdigest())


def parse_document(name: str, text: str, fingerprint: str = "", encoding: str = "utf-8") -> Document:
    """Turn a document's text into paragraphs, sections and metadata."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return parse_lines(name, Extracted("text", tuple(SourceLine(t) for t in lines), None, encoding), fingerprint)


def parse_lines(name: str, extracted: Extracted, fingerprint: str = "") -> Document:
    """Turn a document's lines, as its format gave them, into paragraphs, sections and metadata."""
    lines = extracted.lines
    content, removed = _content_lines(lines)
    blocks = _join_blocks(content, lines)
    # In a paged format metadata reads whole paragraphs (a line the page wrapped is no title
    # of its own); elsewhere a line is what its author ended, as the title lines are.
    head = [(b.first, b.text) for b in blocks] if extracted.pages is not None else content
    meta = extract_metadata(head, "\n".join(t for _, t in head), Path(name).stem, removed)
    paragraphs = _paragraphs(name, blocks, meta.title, lines)
    return Document(name, meta, tuple(paragraphs), fingerprint, extracted.encoding, tuple(removed),
                    extracted.format, extracted.pages)


def _content_lines(lines: Sequence[SourceLine]) -> tuple[list[tuple[int, str]], list[Removed]]:
    """Stripped non-blank lines with their 1-based numbers, less the furniture."""
    content: list[tuple[int, str]] = []
    removed: list[Removed] = []
    for number, source in enumerate(lines, start=1):
        line = source.text.strip().strip("\ufeff\u200b").strip()
        if not line:
            continue
        if source.furniture:  # the layout says so: a running header or footer
            removed.append(Removed(number, line, source.furniture))
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


def _join_blocks(content: list[tuple[int, str]], source: Sequence[SourceLine]) -> list[_Block]:
    """Group lines into paragraphs, joining what a page break or wrap split.
    A line the format says starts a paragraph does; a line the layout ran to the right
    margin goes on into the next one unless that one is a heading."""
    blocks: list[_Block] = []
    last_line = ""
    last_number = 0
    for number, line in content:
        here = source[number - 1]
        joined = False
        if blocks and not here.starts and here.heading is None:
            wrapped = source[last_number - 1].full and not starts_block(line) and parse_heading(line.strip()) is None
            joined = wrapped or continues(blocks[-1].text, last_line, line)
        if joined:
            block = blocks[-1]
            sep = " " if re.match(r"[A-Za-z0-9]", line) and re.search(r"[A-Za-z0-9]$", block.text) else ""
            block.marks.append((len(block.text) + len(sep), number))
            block.text += sep + line
            block.last = number
        else:
            blocks.append(_Block(number, number, line, [(0, number)]))
        last_line = line
        last_number = number
    return blocks


@dataclass
class _Block:
    """A paragraph being put together: its first and last line, its text, and where in the
    text each of its lines begins."""

    first: int
    last: int
    text: str
    marks: list[tuple[int, int]]


def _paragraphs(name: str, blocks: list[_Block], title: str, source: Sequence[SourceLine]) -> list[Paragraph]:
    out: list[Paragraph] = []
    stack: list[tuple[int, str]] = []
    for number, block in enumerate(blocks, start=1):
        raw = block.text
        text = strip_emphasis(raw)
        heading = parse_heading(raw)
        styled = source[block.first - 1].heading
        if styled is not None and heading is None and is_title_like(text):
            styled = 0  # a styled line naming the document or its issuer is its title, not a section
        if heading is None and styled is not None and styled > 0 and len(text) <= MAX_HEADING_CHARS:
            heading = Heading(styled - 1, text, run_in=False)  # a Word heading style: Heading 1 is the top level
        is_heading = heading is not None and not heading.run_in
        if heading is not None:
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            stack.append((heading.level, heading.title))
        elif _is_title_line(text, title) or styled == 0:
            is_heading = True
        page, breaks = _pages(block, source, raw != text)
        out.append(Paragraph(name, number, text, (block.first, block.last), tuple(t for _, t in stack), is_heading,
                             page, breaks))
    return out


def _pages(block: _Block, source: Sequence[SourceLine], shifted: bool) -> tuple[int | None, tuple[int, ...]]:
    """The page a paragraph starts on and the offsets in its text where each next page begins."""
    first = source[block.first - 1].page
    if first is None:
        return None, ()
    breaks = []
    page = first
    for offset, number in block.marks:
        here = source[number - 1].page
        if here is not None and here != page:
            breaks.extend([offset] * (here - page))  # a page with nothing of the paragraph counts too
            page = here
    return first, (() if shifted else tuple(breaks))


def _is_title_line(text: str, title: str) -> bool:
    """The document's title line (the title may carry the issuer in front of it)."""
    line = compact(text)
    return line == title or (len(line) >= 6 and title.endswith(line) and bool(TITLE_RE.search(line)))
