"""Reading the formats documents arrive in — text, PDF, Word, saved web pages, OFD — into lines.

Every format yields the same thing: the document's lines in reading order, each knowing
its page (PDF, OFD), whether it is known to start a paragraph (a Word paragraph, an HTML
block), the heading level its style gives (Word), whether the page layout ran it to the
right margin (a PDF line that wrapped: the paragraph goes on), and whether the layout
marks it as furniture (a running header or footer). ``rag.reader`` turns those lines into
paragraphs, sections and metadata exactly as it does for a text file, so every format is
cited, shown and searched the same way.

Libraries, chosen by measurement on CJK documents (see the issue's closing note):
pypdfium2 for PDF (exact text, fastest, clear errors for encrypted files), python-docx for
Word (heading styles, tables in order), selectolax for HTML (the article block, in order,
with no navigation leaking in), ofdkit for OFD (GB/T 33190, standard library only).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rag.decoding import decode
from rag.errors import DocumentError

TEXT_SUFFIXES = (".txt", ".md")
SUFFIXES = TEXT_SUFFIXES + (".pdf", ".docx", ".html", ".htm", ".ofd")
# Formats people have that cannot be read here: each gets a message saying what to do.
UNSUPPORTED = {
    ".doc": "legacy Word .doc is not read; save it as .docx or PDF",
    ".wps": "WPS .wps is not read; save it as .docx or PDF",
    ".rtf": "RTF is not read; save it as .docx, PDF or text",
    ".xls": "spreadsheets are not read", ".xlsx": "spreadsheets are not read", ".et": "spreadsheets are not read",
    ".ppt": "slides are not read", ".pptx": "slides are not read",
    ".jpg": "images are not read (no text layer: OCR them first)", ".jpeg": "images are not read (no text layer: OCR them first)",
    ".png": "images are not read (no text layer: OCR them first)", ".tif": "images are not read (no text layer: OCR them first)",
    ".tiff": "images are not read (no text layer: OCR them first)",
}
MAX_FILE_BYTES = 50 * 1024 * 1024
# A Word file is a zip: more than this, unpacked, is a zip bomb rather than a document.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class SourceLine:
    """One line of a document as its format gives it."""

    text: str
    page: int | None = None  # 1-based page, for paged formats
    starts: bool = False  # the format says a paragraph starts here (a Word paragraph, an HTML block)
    heading: int | None = None  # the heading level a style gives (Word "Heading 2" -> 2)
    full: bool = False  # a PDF/OFD line that runs to the right margin: the paragraph goes on
    furniture: str | None = None  # why the layout marks it as not the document's (running header)


@dataclass(frozen=True)
class Extracted:
    """A document's lines, with what its format says about it."""

    format: str  # text, pdf, docx, html, ofd
    lines: tuple[SourceLine, ...]
    pages: int | None = None
    encoding: str = "utf-8"


def format_of(path: Path) -> str | None:
    """The format a file is read as, by its suffix (None when it is not read at all)."""
    suffix = path.suffix.lower()
    return {".txt": "text", ".md": "text", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html",
            ".ofd": "ofd"}.get(suffix)


def extract(path: Path, data: bytes) -> Extracted:
    """The lines of the file at ``path`` whose bytes are ``data``; DocumentError naming the
    file when it cannot be read."""
    name = path.name
    if not data:
        raise DocumentError(f"{name}: empty file (0 bytes), skipped")
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError(f"{name}: {len(data) / 2**20:.0f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit a file, skipped")
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED:
        raise DocumentError(f"{name}: {UNSUPPORTED[suffix]}")
    fmt = format_of(path)
    if fmt is None:
        raise DocumentError(f"{name}: unsupported file type {suffix or '(no suffix)'}; "
                            f"readable: {', '.join(SUFFIXES)}")
    if fmt == "text":
        text, encoding = decode(data, name)
        return Extracted("text", tuple(SourceLine(t) for t in _split_lines(text)), None, encoding)
    reader = {"pdf": _pdf, "docx": _docx, "html": _html, "ofd": _ofd}[fmt]
    return reader(name, data)


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- PDF ---------------------------------------------------------------------------------

def _pdf(name: str, data: bytes) -> Extracted:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise DocumentError(f"{name}: not a PDF file (no %PDF header), skipped")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise DocumentError(f"{name}: encrypted PDF (it needs a password), skipped") from exc
        raise DocumentError(f"{name}: damaged or truncated PDF ({exc}), skipped") from exc
    try:
        measured: list[list[tuple[str, float]]] = []
        chars = 0
        control = 0
        width = 0.0
        for page in pdf:
            textpage = page.get_textpage()
            lines = _pdf_page_lines(textpage)
            width = max(width, page.get_width())
            chars += textpage.count_chars()
            control += sum(1 for t, _ in lines for ch in t if ord(ch) < 32 and ch not in "\t")
            measured.append(lines)
            textpage.close()
            page.close()
    finally:
        pdf.close()
    if chars == 0:
        raise DocumentError(f"{name}: no text layer (a scanned PDF? OCR it first), skipped")
    if control > 0.1 * chars:
        raise DocumentError(f"{name}: the PDF's text layer cannot be read (its fonts map to no characters), skipped")
    margin = _right_margin([r for lines in measured for _, r in lines if r > 0], width)
    em = max(8.0, width / 60)
    pages = [[(t, margin is not None and r > 0 and margin - r <= 1.5 * em) for t, r in lines] for lines in measured]
    return _paged("pdf", pages)


def _pdf_page_lines(textpage) -> list[tuple[str, float]]:
    """A page's lines, each with where its last character ends (0 when unknown)."""
    text = textpage.get_text_range()
    raw_lines = text.replace("\r\n", "\n").split("\n")
    if len(text) != textpage.count_chars():  # characters and boxes do not line up: no layout
        return [(t, 0.0) for t in raw_lines]
    out: list[tuple[str, float]] = []
    at = 0
    for line in raw_lines:
        end = at + len(line)
        out.append((line, textpage.get_charbox(end - 1)[2] if line.strip() else 0.0))
        at = end + 2  # the \r\n pdfium puts between lines
    return out


def _right_margin(rights: list[float], width: float) -> float | None:
    """Where the text column ends: the right edge most lines reach (the lines that wrapped),
    not the widest line (a header or a URL may stand out further)."""
    if len(rights) < 3:
        return None
    em = max(8.0, width / 60)
    upper = sorted(rights)[len(rights) // 3:]
    best = max(upper, key=lambda r: (sum(1 for x in rights if abs(x - r) <= em / 2), r))
    support = sum(1 for x in rights if abs(x - best) <= em / 2)
    return best if support >= 2 else None


def _paged(fmt: str, pages: list[list[tuple[str, bool]]]) -> Extracted:
    """Lines of every page; a line that stands at the top or bottom of most pages (digits
    aside: page numbers change) is a running header or footer."""
    edges: dict[str, int] = {}
    for lines in pages:
        seen = {_edge_key(t) for t, _ in _edge_lines(lines)}
        for key in seen:
            edges[key] = edges.get(key, 0) + 1
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = {k for k, n in edges.items() if n >= threshold and k}
    out: list[SourceLine] = []
    for number, lines in enumerate(pages, start=1):
        edge = {id(x) for x in _edge_lines(lines)}
        top = [x for x in lines if x[0].strip()][:3]
        for item in lines:
            text, full = item
            reason = None
            if id(item) in edge and _edge_key(text) in repeated and len(pages) > 1:
                reason = "running header" if any(item is t for t in top) else "running footer"
            out.append(SourceLine(text, number, full=full, furniture=reason))
    return Extracted(fmt, tuple(out), len(pages))


def _edge_lines(lines: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    body = [x for x in lines if x[0].strip()]
    return body[:3] + body[-3:] if len(body) > 6 else body


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _check_package(name: str, data: bytes, kind: str) -> None:
    """A Word or OFD file is a zip: it must open as one and not unpack past the limit (a zip bomb)."""
    import io

    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile as exc:
        raise DocumentError(f"{name}: not a valid {kind} file (damaged or truncated), skipped") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(f"{name}: unpacks to {unpacked / 2**20:.0f} MB (a zip bomb?), skipped")


# --- Word --------------------------------------------------------------------------------

def _docx(name: str, data: bytes) -> Extracted:
    import io

    if data.startswith(_OLE_MAGIC):
        raise DocumentError(f"{name}: a legacy Word .doc saved as .docx; save it as .docx or PDF")
    _check_package(name, data, "Word")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DocumentError(f"{name}: not a valid Word file ({exc}), skipped") from exc
    except Exception as exc:  # lxml errors on damaged XML parts
        raise DocumentError(f"{name}: not a valid Word file ({type(exc).__name__}: {exc}), skipped") from exc
    lines: list[SourceLine] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells))  # merged cells repeat
                text = " | ".join(c for c in cells if c)
                if text:
                    lines.append(SourceLine(text, starts=True))
            continue
        text = block.text.strip()
        if text:
            for piece in text.split("\n"):  # a soft line break inside a paragraph
                if piece.strip():
                    lines.append(SourceLine(piece.strip(), starts=True, heading=_style_level(block)))
    return Extracted("docx", tuple(lines))


def _style_level(paragraph) -> int | None:
    """The heading level of a Word paragraph's style: Heading 1 / 标题 1 -> 1, Title -> 0."""
    ppr = paragraph._p.pPr  # the style id, read directly: resolving style names is slow
    style = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else ""
    try:
        name = paragraph.style.name if style else ""
    except (KeyError, AttributeError):
        name = ""
    for label in (style, name):
        m = re.match(r"(?i)^(?:heading|标题)\s*([1-9])$", label or "")
        if m:
            return int(m.group(1))
        if (label or "").lower() == "title":
            return 0
    return None


# --- saved web pages -----------------------------------------------------------------------

_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "select", "input")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "pre", "blockquote", "dt", "dd"}
_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_PAGE_DATE = re.compile(r"(?:发布|发表|更新|成文)(?:日期|时间)\s*[:：]?\s*(\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)")


def _html(name: str, data: bytes) -> Extracted:
    from selectolax.lexbor import LexborHTMLParser

    text, encoding = _html_text(data, name)
    tree = LexborHTMLParser(text)
    page_text = tree.body.text(separator="\n") if tree.body is not None else ""
    date = _PAGE_DATE.search(page_text)
    title_node = tree.css_first("title")
    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    container = _article(tree)
    lines: list[SourceLine] = []
    heading = _page_heading(tree, container)
    if heading:
        lines.append(SourceLine(heading, starts=True))
    elif title_node is not None and title_node.text(strip=True):
        lines.append(SourceLine(title_node.text(strip=True), starts=True))
    if date:  # the page's date line: furniture, read as the document's date
        lines.append(SourceLine(f"发布日期：{date.group(1)}", starts=True))
    if container is not None:
        for node in _blocks(container):
            level = _HEADING_TAGS.get(node.tag)
            block = _node_text(node)
            if not block or (level is not None and block == heading):
                continue
            for piece in block.split("\n"):
                if piece.strip():
                    lines.append(SourceLine(piece.strip(), starts=True))
    if not any(line.text for line in lines[1 if heading else 0:]):
        raise DocumentError(f"{name}: a web page without article text, skipped")
    return Extracted("html", tuple(lines), None, encoding)


def _html_text(data: bytes, name: str) -> tuple[str, str]:
    """The page's text in the encoding its <meta charset> declares, else as detected."""
    head = data[:4096].decode("ascii", "ignore")
    m = re.search(r"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", head, re.I)
    if m:
        encoding = m.group(1).lower()
        encoding = "gb18030" if encoding in ("gb2312", "gbk", "gb18030") else encoding
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, name)


def _article(tree):
    """The element whose own paragraphs hold the most text: the article, not the page around it."""
    best, best_score = None, 0
    for node in tree.css("body *"):
        if node.tag in _BLOCK_TAGS:
            continue
        score = sum(len(child.text(strip=True)) for child in node.iter() if child.tag in ("p", "tr", "li", "h2", "h3"))
        if score > best_score:
            best, best_score = node, score
    if best is None or best_score < 20:
        return tree.body
    return best


def _page_heading(tree, container) -> str | None:
    """The article's headline: an <h1> of the article, else the page's first <h1> long
    enough to be a title (a site logo's short one aside)."""
    inside = [h.text(strip=True) for h in (container.css("h1") if container is not None else [])]
    heads = [h for h in inside if h] or [h.text(strip=True) for h in tree.css("h1") if len(h.text(strip=True)) >= 6]
    return heads[0] if heads else None


def _blocks(container):
    """The block elements of the article in document order, outermost only (a <p> inside an
    <li> is read once)."""
    out = []
    for node in container.iter(include_text=False):
        out.extend(_outer_blocks(node))
    return out or [container]


def _outer_blocks(node):
    if node.tag in _BLOCK_TAGS:
        return [node]
    found = []
    for child in node.iter(include_text=False):
        found.extend(_outer_blocks(child))
    if not found and node.text(strip=True) and node.tag in ("div", "span", "td", "section", "article", "font", "center"):
        return [node]  # text straight in a <div>: a block of its own
    return found


def _node_text(node) -> str:
    if node.tag == "tr":
        cells = [c.text(separator=" ", strip=True) for c in node.css("td, th")]
        return " | ".join(c for c in cells if c)
    for br in node.css("br"):
        br.replace_with("\n")
    return re.sub(r"[ \t\u00a0\u3000]+", " ", node.text(separator="")).strip()


# --- OFD -----------------------------------------------------------------------------------

def _ofd(name: str, data: bytes) -> Extracted:
    import io

    import ofdkit

    _check_package(name, data, "OFD")
    try:
        document = ofdkit.open(io.BytesIO(data))
        pages = [[(t, False) for t in _split_lines(page.text())] for page in document.pages]
    except ofdkit.OFDError as exc:
        raise DocumentError(f"{name}: not a readable OFD file ({exc}), skipped") from exc
    except Exception as exc:  # damaged XML inside the package
        raise DocumentError(f"{name}: not a readable OFD file ({type(exc).__name__}: {exc}), skipped") from exc
    if not any(t.strip() for lines in pages for t, _ in lines):
        raise DocumentError(f"{name}: no text in the OFD file (scanned pages? OCR them first), skipped")
    return _paged("ofd", pages)
