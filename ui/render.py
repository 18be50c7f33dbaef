"""Pure rendering for the chat page: an ``Answer`` becomes chat Markdown, a sources panel,
copyable text; a ``Document`` becomes the reader view. No Gradio, no I/O.

Every piece of document text is HTML-escaped here, and chat text is Markdown-escaped, so a
document can never inject markup into the page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Sequence

from rag.errors import IndexStateError, ModelError, QuestionError, RagError
from rag.patterns import is_english
from rag.types import Answer, Citation, Document

MARKER = re.compile(r"\[(\d+)\]")
QUOTE_LINE = re.compile(r"^“.*”\s*(?:\[\d+\])+$")  # an English answer's Chinese quote with its marker
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")
NOT_FOUND_NOTE = "文件中没有找到这个问题的答案 · The documents do not contain the answer to this question."
SEARCHING = "🔎 正在检索文件… · Searching the documents…"
GENERIC_ERROR = "Something went wrong while answering; the error was logged. Please try again. · 出现意外错误，请重试。"


@dataclass(frozen=True)
class SourceCard:
    """One entry of the sources panel: a citation, or a retrieved passage shown as one."""

    number: int  # 1-based, as in the answer's [n] markers
    citation: Citation


def source_cards(answer: Answer) -> list[SourceCard]:
    """What the sources panel lists: the citations, else (not found, nothing cited) the top passages.

    Args:
        answer: the answer to list sources for.
    Returns:
        The cards numbered from 1, in the order the answer cites them.
    """
    if answer.citations:
        cites = list(answer.citations)
    else:
        cites = [
            Citation(p.doc, p.title, p.paragraph, p.section, p.lines, "", p.text, None, p.page)
            for p in answer.passages[:3]
        ]
    return [SourceCard(i, c) for i, c in enumerate(cites, start=1)]


def escape_markdown(text: str) -> str:
    """Text that Markdown shows literally: ASCII punctuation backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def chat_markdown(answer: Answer) -> str:
    """The assistant's chat message: the answer with its [n] markers, and any notes.

    Args:
        answer: the answer to show.
    Returns:
        Markdown with a little inline HTML (the markers as superscripts).
    """
    parts = []
    english = is_english(answer.question)
    for line in answer.text.split("\n"):
        pieces = MARKER.split(line)  # text, number, text, number, …
        out = "".join(escape_markdown(p) if i % 2 == 0 else f'<sup class="cite">[{p}]</sup>' for i, p in enumerate(pieces))
        # An English answer's Chinese quote stands beneath its English lead, as a quote.
        parts += [f"> {out}", ""] if english and QUOTE_LINE.match(line) else [out]
    text = "\n".join(parts).strip("\n")
    notes = []
    if answer.rewritten:
        notes.append(f"↪ 理解为 · understood as: {escape_markdown(answer.rewritten)}")
    if answer.fallback:
        notes.append(f"ℹ️ 注意 · note: {escape_markdown(answer.fallback)}")
    if answer.removed:
        notes.append(f"✂️ 已删除无依据的句子 · removed as unsupported: {escape_markdown(answer.removed)}")
    if notes:
        text += "\n\n" + "\n".join(f"*{n}*" for n in notes)
    return text


def reveal_steps(text: str, steps: int = 4) -> list[str]:
    """Growing prefixes of ``text`` for showing an answer progressively; the last is ``text``.

    A cut never falls inside a ``[n]`` marker.

    Args:
        text: the full text.
        steps: how many prefixes at most.
    Returns:
        Non-empty, strictly growing prefixes, ending with the whole text.
    """
    if not text:
        return [text]
    inside = set()
    for m in MARKER.finditer(text):
        inside.update(range(m.start() + 1, m.end()))
    cuts = []
    for k in range(1, steps):
        cut = round(len(text) * k / steps)
        while cut in inside:
            cut += 1
        if 0 < cut < len(text) and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    return [text[:c] for c in cuts] + [text]


def highlight(text: str, quote: str, span: tuple[int, int] | None) -> str:
    """``text`` as HTML with ``quote`` in ``<mark>`` and ``span`` (within ``quote``) in ``<strong>``.

    Args:
        text: a paragraph.
        quote: a sentence of it (may be empty, or absent from the text: then nothing is marked).
        span: the answer's (start, end) within ``quote``, or None.
    Returns:
        Escaped HTML.
    """
    at = text.find(quote) if quote else -1
    if at < 0:
        return html.escape(text)
    return html.escape(text[:at]) + _marked(quote, span) + html.escape(text[at + len(quote):])


def _marked(quote: str, span: tuple[int, int] | None) -> str:
    if span is None or not 0 <= span[0] < span[1] <= len(quote):
        return f"<mark>{html.escape(quote)}</mark>"
    a, b = span
    return (
        f"<mark>{html.escape(quote[:a])}<strong>{html.escape(quote[a:b])}</strong>"
        f"{html.escape(quote[b:])}</mark>"
    )


def excerpt(text: str, quote: str, span: tuple[int, int] | None, context: int = 90) -> str:
    """Like :func:`highlight`, but only ``context`` characters either side of the quote.

    Args:
        text: a paragraph.
        quote: the cited sentence.
        span: the answer within the quote, or None.
        context: characters kept before and after the quote.
    Returns:
        Escaped HTML, with … where text was cut.
    """
    at = text.find(quote) if quote else -1
    if at < 0:
        short = text if len(text) <= 2 * context else text[: 2 * context] + "…"
        return html.escape(short)
    start, end = max(0, at - context), min(len(text), at + len(quote) + context)
    head = ("…" if start > 0 else "") + text[start:at]
    tail = text[at + len(quote): end] + ("…" if end < len(text) else "")
    return html.escape(head) + _marked(quote, span) + html.escape(tail)


def lines_label(lines: tuple[int, int]) -> str:
    """``L24–26``, or ``L24`` for one line."""
    a, b = lines
    return f"L{a}" if a == b else f"L{a}–{b}"


def sources_html(answer: Answer | None) -> str:
    """The sources panel: one clickable card per cited paragraph, or the not-found notice.

    Args:
        answer: the answer shown, or None before any question.
    Returns:
        HTML; each card carries ``data-index`` (0-based) for the click handler.
    """
    if answer is None:
        return '<div class="sources empty">提问后，引用的段落显示在这里。<br>Cited paragraphs appear here after you ask a question.</div>'
    cards = source_cards(answer)
    head = []
    if not answer.found:
        head.append(f'<div class="not-found" role="status">{html.escape(NOT_FOUND_NOTE)}</div>')
        if cards:
            head.append('<div class="sources-head">可能相关 · Possibly related</div>')
    elif cards:
        head.append(f'<div class="sources-head">来源 · Sources ({len(cards)})</div>')
    items = [_card_html(card) for card in cards]
    hint = '<div class="sources-hint">点击来源查看原文 · Click a source to open it in the reader.</div>' if cards else ""
    body = f'<ol class="source-list">{"".join(items)}</ol>' if items else ""
    return f'<div class="sources">{"".join(head)}{body}{hint}</div>'


def _card_html(card: SourceCard) -> str:
    c = card.citation
    where = [c.section or "—", c.where, lines_label(c.lines), c.doc]
    return (
        f'<li class="source" data-index="{card.number - 1}" role="button" tabindex="0" '
        f'title="Open ¶{c.paragraph} in the reader">'
        f'<div class="source-title"><span class="n">[{card.number}]</span> {html.escape(c.title)}</div>'
        f'<div class="source-where">{" · ".join(html.escape(w) for w in where)}</div>'
        f'<div class="source-text">{excerpt(c.text, c.quote, c.span)}</div>'
        "</li>"
    )


def reader_html(document: Document | None, paragraph: int | None = None, quote: str = "", span: tuple[int, int] | None = None) -> str:
    """The whole document, every paragraph numbered, ``paragraph`` highlighted with its quote.

    Args:
        document: the document to show, or None for the empty reader.
        paragraph: the 1-based number of the paragraph to highlight, if any.
        quote: the cited sentence within that paragraph (marked), if any.
        span: the answer within the quote (emphasised), if any.
    Returns:
        HTML; the highlighted paragraph has class ``hl`` and id ``para-<n>``.
    """
    if document is None:
        return '<div class="reader empty">点击来源，在此阅读原文。<br>Click a source to read it here, in its document.</div>'
    m = document.meta
    pages = f"{document.pages} pages" if document.pages else None
    facts = [f for f in (m.office, m.number, m.date, m.region, document.format.upper() if document.format != "text" else None,
                         pages, document.name) if f]
    rows = []
    for p in document.paragraphs:
        cls = "para" + (" heading" if p.is_heading else "") + (" hl" if p.number == paragraph else "")
        text = highlight(p.text, quote, span) if p.number == paragraph else html.escape(p.text)
        rows.append(
            f'<div class="{cls}" id="para-{p.number}" data-paragraph="{p.number}">'
            f'<span class="pn">¶{p.number}</span><span class="pl">{_page_label(p)}{lines_label(p.lines)}</span>'
            f'<div class="pt">{text}</div></div>'
        )
    return (
        f'<div class="reader"><div class="reader-head"><div class="reader-title">{html.escape(document.title)}</div>'
        f'<div class="reader-meta">{" · ".join(html.escape(f) for f in facts)}</div></div>'
        f'<div class="reader-body">{"".join(rows)}</div></div>'
    )


def _page_label(p) -> str:
    """"p. 3 · " for a paragraph of a paged document (PDF, OFD), nothing otherwise."""
    return f"p. {p.page} · " if p.page is not None else ""


def copy_text(answer: Answer) -> str:
    """The answer as plain text with numbered sources, for pasting elsewhere.

    Args:
        answer: the answer to copy.
    Returns:
        Question, answer and one entry per source (title › section ¶n, lines, file, quote).
    """
    lines = [f"问 Q: {answer.question}", f"答 A: {answer.text}"]
    cards = source_cards(answer)
    if cards:
        lines += ["", "来源 Sources:" if answer.found else "可能相关 Possibly related:"]
        for card in cards:
            c = card.citation
            a, b = c.lines
            where = f"lines {a}–{b}" if a != b else f"line {a}"
            lines.append(f"[{card.number}] {c.title} › {c.section or '—'} {c.where} ({where}, {c.doc})")
            if c.quote:
                lines.append(f"    “{c.quote}”")
    return "\n".join(lines)


def error_message(exc: BaseException) -> str:
    """A friendly sentence for an error: the library's own words for a RagError, else a generic one."""
    if isinstance(exc, QuestionError):
        return f"请检查问题 · Please check your question: {exc}"
    if isinstance(exc, IndexStateError):
        return f"文件索引不可用 · The document index cannot be used: {exc}. Rebuild it with `rag index`."
    if isinstance(exc, ModelError):
        return f"模型无法加载 · The model could not be loaded: {exc}"
    if isinstance(exc, RagError):
        return f"无法回答 · Cannot answer: {exc}"
    return GENERIC_ERROR


def notice_html(message: str | None) -> str:
    """A notice box for an error message, or nothing."""
    if not message:
        return ""
    return f'<div class="notice" role="alert">{html.escape(message)}</div>'


def intro_markdown(count: int) -> str:
    """The page's heading, with how many documents answers come from."""
    return (f"## 政府文件问答 · Government documents assistant\n"
            f"Answers come only from the {count} documents loaded, each with its document and "
            f"paragraph. 仅根据已载入的 {count} 份文件回答，并注明出处。")


UPLOAD_TYPES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm", ".ofd")
UPLOAD_LIMIT_MB = 50


def library_html(infos: Sequence[Any], root: str = "") -> str:
    """The library's documents as a table: title, issuer, date, region, format, pages,
    paragraphs and page furniture removed."""
    if not infos:
        return '<div class="library empty">文件库为空。上传文件即可提问。<br>The library is empty: upload a document to ask about it.</div>'
    rows = []
    for i in infos:
        pages = str(i.pages) if i.pages else "—"
        rows.append(
            f'<tr data-doc="{html.escape(i.name)}"><td class="t">{html.escape(i.title)}<div class="f">{html.escape(i.name)}</div></td>'
            f"<td>{html.escape(i.issuer or '—')}</td><td>{html.escape(i.date or '—')}</td><td>{html.escape(i.region or '—')}</td>"
            f"<td>{html.escape(i.format.upper())}</td><td>{pages}</td><td>{i.paragraphs}</td><td>{i.furniture}</td></tr>"
        )
    head = ("<tr><th>文件 Document</th><th>发文机关 Issuer</th><th>日期 Date</th><th>地区 Region</th><th>格式 Format</th>"
            "<th>页 Pages</th><th>段 ¶</th><th>去除 Furniture</th></tr>")
    where = f'<div class="library-root">{html.escape(root)}</div>' if root else ""
    return (f'<div class="library"><div class="library-count">{len(infos)} documents · 共 {len(infos)} 份</div>{where}'
            f'<table class="library-table">{head}{"".join(rows)}</table></div>')


def library_report_html(report: Any) -> str:
    """What became of each uploaded file, and how the index was updated."""
    items = []
    for a in getattr(report, "added", ()):
        cls = {"added": "ok", "duplicate": "same", "refused": "bad"}[a.status]
        label = {"added": "已添加 added", "duplicate": "已存在 already there", "refused": "未添加 refused"}[a.status]
        items.append(f'<li class="{cls}"><b>{label}</b> {html.escape(a.message)}</li>')
    for name in getattr(report, "removed", ()):
        items.append(f'<li class="ok"><b>已移除 removed</b> {html.escape(name)}</li>')
    if getattr(report, "changed", False):
        items.append(f'<li class="note">索引已更新 index updated: {report.embedded} passages embedded, '
                     f"{report.reused} reused, {report.seconds:.1f} s</li>")
    return f'<ul class="library-report">{"".join(items)}</ul>' if items else ""
