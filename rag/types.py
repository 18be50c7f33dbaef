"""The project's records: one small frozen dataclass per concept.

Functions across the package return these, never bare dicts. Framework types
(LangChain documents, Gradio messages) are built from them only at the edges.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

SECTION_SEPARATOR = " › "


class Mode(str, Enum):
    """How an answer is composed."""

    EXTRACTIVE = "extractive"
    GENERATIVE = "generative"


@dataclass(frozen=True)
class DocumentMeta:
    """What the text itself says about a document; every field may be missing."""

    title: str
    office: str | None = None
    number: str | None = None  # 文号, e.g. 闽政外秘〔2017〕11号
    date: str | None = None  # ISO date of issue, e.g. 2017-02-24
    region: str | None = None  # 福建, 厦门, 湖南, 舟山, 江西 …
    period: str | None = None  # e.g. "2016-2020" or "2017"
    years: tuple[int, ...] = ()  # every year the document is about, for filters
    source: str | None = None  # the web address a saved page came from (its 来源: line)

    @property
    def label(self) -> str:
        """The title, with the region added when the title hides it (as in 省外事侨务办公室…)."""
        if self.region and self.region not in self.title:
            return f"{self.title}（{self.region}）"
        return self.title


@dataclass(frozen=True)
class Paragraph:
    """A citable paragraph: numbered 1..N in reading order within its document."""

    doc: str
    number: int
    text: str
    lines: tuple[int, int]  # first and last line in the source file, 1-based
    section: tuple[str, ...]  # headings above it, outermost first
    is_heading: bool = False
    page: int | None = None  # the page it starts on (paged formats: PDF, OFD)
    page_breaks: tuple[int, ...] = ()  # offsets in ``text`` where each next page begins

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.section)

    def page_at(self, offset: int) -> int | None:
        """The page on which the character at ``offset`` of the text stands."""
        if self.page is None:
            return None
        return self.page + sum(1 for b in self.page_breaks if b <= offset)


@dataclass(frozen=True)
class Removed:
    """A line kept out of the answerable text (web-page furniture), and why."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Section:
    """A run of paragraphs under one heading path."""

    doc: str
    path: tuple[str, ...]
    paragraphs: tuple[int, ...]

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class Document:
    """A document as read: metadata, numbered paragraphs and what was removed."""

    name: str  # file name, the key citations use
    meta: DocumentMeta
    paragraphs: tuple[Paragraph, ...]
    fingerprint: str  # SHA-256 of the raw file bytes
    encoding: str = "utf-8"
    removed: tuple[Removed, ...] = ()
    format: str = "text"  # text, pdf, docx, html, ofd
    pages: int | None = None  # for paged formats

    @property
    def title(self) -> str:
        return self.meta.title

    def paragraph(self, number: int) -> Paragraph:
        """The paragraph with this number (1-based)."""
        if not 1 <= number <= len(self.paragraphs):
            raise IndexError(number)
        return self.paragraphs[number - 1]

    def sections(self) -> tuple[Section, ...]:
        """Consecutive paragraphs grouped by their section path."""
        groups: list[Section] = []
        for p in self.paragraphs:
            if groups and groups[-1].path == p.section:
                last = groups[-1]
                groups[-1] = Section(self.name, last.path, last.paragraphs + (p.number,))
            else:
                groups.append(Section(self.name, p.section, (p.number,)))
        return tuple(groups)


@dataclass(frozen=True)
class Chunk:
    """A piece of one section, at paragraph or sentence boundaries, that fits the embedder."""

    id: str  # SHA-256 of ``embed_text``: vectors are keyed by it, so unchanged text is not re-embedded
    doc: str
    title: str
    section: tuple[str, ...]
    paragraphs: tuple[int, ...]
    text: str

    @property
    def embed_text(self) -> str:
        return embed_text(self.title, self.section, self.text)


def embed_text(title: str, section: tuple[str, ...], text: str) -> str:
    """What is embedded for a piece of text: its title and section path give it context;
    traditional characters are folded to simplified, as questions are asked."""
    from rag.text import fold

    context = SECTION_SEPARATOR.join((title,) + section)
    return fold(f"{context}\n{text}" if context else text)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a paragraph, split on 。！？；; ``start`` is its offset in the paragraph text."""

    doc: str
    paragraph: int
    index: int
    start: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A retrieved paragraph with where it stands and how well it matched."""

    doc: str
    title: str
    section: str
    paragraphs: tuple[int, ...]
    text: str
    score: float
    lines: tuple[int, int] = (0, 0)
    page: int | None = None  # the page the paragraph starts on (paged formats)

    @property
    def paragraph(self) -> int:
        return self.paragraphs[0]


@dataclass(frozen=True)
class Citation:
    """Where a claim of an answer comes from, down to the sentence."""

    doc: str
    title: str
    paragraph: int
    section: str
    lines: tuple[int, int]
    quote: str  # the exact sentence used; occurs verbatim in ``text``
    text: str  # the whole paragraph
    span: tuple[int, int] | None = None  # the answer (number, name) within ``quote``
    page: int | None = None  # the page on which the quote starts (None for formats without pages)
    format: str = "text"  # the cited document's format: text, pdf, docx, html, ofd

    @property
    def where(self) -> str:
        """"p. 3 ¶12" for a paged document, "¶12" otherwise."""
        return f"p. {self.page} ¶{self.paragraph}" if self.page is not None else f"¶{self.paragraph}"


def cite(doc: "Document", p: Paragraph, quote: str, span: tuple[int, int] | None = None) -> Citation:
    """The citation of ``quote`` in paragraph ``p`` of ``doc``, with the page it starts on."""
    at = p.text.find(quote)
    return Citation(doc.name, doc.meta.label, p.number, p.section_path, p.lines, quote, p.text, span,
                    p.page_at(max(at, 0)), doc.format)


@dataclass(frozen=True)
class Answer:
    """What ``rag.answer`` returns."""

    question: str
    text: str  # with [n] markers that index ``citations`` from 1
    found: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    mode: str = Mode.EXTRACTIVE.value
    rewritten: str | None = None  # the standalone question a follow-up became
    fallback: str | None = None  # generative mode: why the answer fell back, if it did
    removed: str | None = None  # generative mode: generated sentences the verifier removed, and why
    confidence: float | None = None  # the abstention model's probability that the documents answer it
    signals: dict[str, float] = field(default_factory=dict)  # the evidence that probability was read from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Claim:
    """One sentence of a generated answer and whether it may stand."""

    text: str  # the sentence as generated, markers included, whitespace trimmed
    markers: tuple[int, ...]  # the [n] numbers it cites, in order, deduplicated
    unsupported: tuple[str, ...] = ()  # facts (numbers, dates, names) that no cited paragraph contains
    problem: str | None = None  # None when the claim stands; else a short English reason


@dataclass(frozen=True)
class Verdict:
    """A generated answer checked sentence by sentence against the paragraphs it cites."""

    claims: tuple[Claim, ...]
    refusal: bool  # the output says the documents do not contain the answer

    @property
    def kept(self) -> tuple[Claim, ...]:
        """The claims that may reach the user."""
        return tuple(c for c in self.claims if c.problem is None)
