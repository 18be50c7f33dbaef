"""Whole lists: enumerations read to their end, and the parts of a section.

Government documents list things in a few ways: items after 分别是/包括/：separated by 、 or
；, quoted names side by side (“优质外事”“诚信外事”“经济外事”), ordinals run into the text
(一是…二是…三是…), numbered items ((1)…(2)…, 1.…2.…), and sections whose parts are
sub-headings. A list answer gives every item; a sentence that only announces the items
(重点抓好以下三项工作：) is followed to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import patterns as P
from rag.headings import parse_heading
from rag.text import fold, split_sentences
from rag.types import Document, Paragraph


@dataclass(frozen=True)
class Enumeration:
    """Items found in one text: each item's span, and the span of the whole enumeration."""

    items: tuple[tuple[int, int], ...]
    start: int
    end: int

    def texts(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.items]


_ITEM_SPLIT = re.compile(r"[、；;]|(?<=[”」》])\s*(?=[“「《])")
_QUOTED_RUN = re.compile(r"(?:[“「《][^”」》]{1,20}[”」》][、，,和及与]?\s*){2,}")
_AND = re.compile(r"(?:以及|和|与|及)")
_SENTENCE_MARK = re.compile(r"[。！？!?]")


def enumeration(text: str) -> Enumeration | None:
    """The longest enumeration in ``text`` (a sentence or a paragraph), or None."""
    folded = fold(text)
    found = [e for e in (_ordinals(folded), _numbered(folded), _introduced(folded), _quoted(folded), _runs(folded)) if e]
    return max(found, key=lambda e: (len(e.items), e.end - e.start), default=None)


def _ordinals(t: str) -> Enumeration | None:
    """一是…；二是…；三是… : each item is its marker's first clause."""
    return _marked(t, P.ORDINAL_ITEM_RE, min_body=0)


def _numbered(t: str) -> Enumeration | None:
    """(1)…(2)… or 1.…2.… inside one text: each item is its marker's first clause."""
    return _marked(t, P.NUMBERED_ITEM_RE, min_body=2)


def _marked(t: str, marker: re.Pattern[str], min_body: int) -> Enumeration | None:
    """Items that each open with a marker and run to the end of their first clause."""
    items = []
    for m in marker.finditer(t):
        stop = re.search(r"[，,。；;！？!?]", t[m.end():])
        end = m.end() + (stop.start() if stop else len(t) - m.end())
        if end - m.end() >= min_body:
            items.append((m.start(), end))
    return Enumeration(tuple(items), items[0][0], items[-1][1]) if len(items) >= 2 else None


def _introduced(t: str) -> Enumeration | None:
    """Items after 分别是/包括/：up to the end of the sentence, split at 、 or ；(or at ，
    when every part is short)."""
    best = None
    for m in P.LIST_INTRO_RE.finditer(t):
        end_m = _SENTENCE_MARK.search(t, m.end())
        end = end_m.start() if end_m else len(t)
        body = t[m.end():end]
        items = _split(body, m.end(), allow_commas=True)
        if len(items) >= 2 and (best is None or len(items) > len(best.items)):
            best = Enumeration(tuple(items), items[0][0], items[-1][1])
    return best


def _quoted(t: str) -> Enumeration | None:
    best = None
    for m in _QUOTED_RUN.finditer(t):
        items = tuple(q.span() for q in re.finditer(r"[“「《][^”」》]{1,20}[”」》]", m.group())
                      ) if m else ()
        items = tuple((m.start() + a, m.start() + b) for a, b in items)
        if len(items) >= 2 and (best is None or len(items) > len(best.items)):
            best = Enumeration(items, items[0][0], items[-1][1])
    return best


def _runs(t: str) -> Enumeration | None:
    """A run of short phrases joined by 、 (and a last 和/及): 俄罗斯、印度和巴西."""
    best = None
    for clause in re.finditer(r"[^，,。；;：:！？!?]+", t):
        body = clause.group()
        if "、" not in body:
            continue
        items = _split(body, clause.start(), allow_commas=False)
        short_pair = len(items) == 2 and items[0][1] - items[0][0] <= 8  # 东苇路、天苇路已取得批复
        if len(items) >= 3 or (len(items) == 2 and (_AND.search(body) or short_pair)):
            if best is None or len(items) > len(best.items):
                best = Enumeration(tuple(items), items[0][0], items[-1][1])
    return best


def _split(body: str, offset: int, allow_commas: bool) -> list[tuple[int, int]]:
    parts = [(m.start(), m.end()) for m in re.finditer(r"[^、；;]+", body)]
    if allow_commas and len(parts) < 2:
        commas = [(m.start(), m.end()) for m in re.finditer(r"[^，,]+", body)]
        if len(commas) >= 2 and all(b - a <= 16 for a, b in commas):
            parts = commas
    if len(parts) >= 2:  # the last item may end in 和/及 X: 俄罗斯、印度和巴西
        a, b = parts[-1]
        m = _AND.search(body, a, b)
        if m and 1 <= m.start() - a <= 12 and b - m.end() >= 1:
            parts[-1:] = [(a, m.start()), (m.end(), b)]
    out = []
    for a, b in parts:
        piece = body[a:b]
        lead = len(piece) - len(piece.lstrip(" 　“"))
        a += lead
        if b - a >= 1:
            out.append((offset + a, offset + b))
    return out


def announced(text: str) -> int | None:
    """How many items ``text`` announces will follow, or 0 when it introduces items without
    counting them (…以下几个方面：); None when it announces none."""
    folded = fold(text).rstrip()
    if not (folded.endswith(("：", ":")) or re.search(r"以下|如下|下列", folded)):
        return None
    m = P.ANNOUNCED_RE.search(folded)
    return P.cn_number(m.group(1)) if m and m.group(1) != "几" else 0


def following_items(doc: Document, paragraph: Paragraph, limit: int = 12) -> list[Paragraph]:
    """The paragraphs that carry the items a paragraph introduces: its sub-headings (the
    parts of its section), else the numbered or ordinal paragraphs that follow it."""
    children = sub_headings(doc, paragraph)
    if children:
        return children[:limit]
    out = []
    for p in doc.paragraphs[paragraph.number:]:
        if len(p.section) < len(paragraph.section) or (p.is_heading and p.section == paragraph.section[:len(p.section)]
                                                        and len(p.section) <= len(paragraph.section) and p.section != paragraph.section):
            break
        if starts_item(p.text):
            out.append(p)
        elif out:
            continue  # the body of the last item
        if len(out) >= limit:
            break
    return out


def sibling_items(doc: Document, paragraph: Paragraph) -> list[Paragraph]:
    """The run of item paragraphs ``paragraph`` belongs to: the paragraphs of its section (or,
    for a heading, of its parent section) that open with the same kind of item marker."""
    kind = _marker_kind(paragraph.text)
    if kind is None:
        return []
    parent = paragraph.section[:-1] if paragraph.is_heading or parse_heading(paragraph.text) else paragraph.section
    out = []
    for p in doc.paragraphs:
        inside = p.section[: len(parent)] == parent and len(p.section) <= len(parent) + 1
        if inside and _marker_kind(p.text) == kind and p.number not in {q.number for q in out}:
            out.append(p)
        elif out and not inside:
            break
    return out


def _marker_kind(text: str) -> str | None:
    """The kind of item marker a paragraph opens with: 是 (一是), （一）, 一、, 1. …"""
    folded = fold(text.strip())
    m = P.ORDINAL_ITEM_RE.match(folded)
    if m:
        return "ordinal" + ("是" if m.group().endswith("是") else "")
    m = P.NUMBERED_ITEM_RE.match(folded) or re.match(r"^第[一二三四五六七八九十\d]+[条项章节部分]", folded)
    if m:
        return re.sub(r"[一二三四五六七八九十百〇零两\d]+", "N", m.group())
    return None


def sub_headings(doc: Document, paragraph: Paragraph) -> list[Paragraph]:
    """The headings one level below the section ``paragraph`` opens or stands in."""
    path = paragraph.section
    if not path:
        return []
    depth = len(path)
    out = []
    for p in doc.paragraphs[paragraph.number - 1:]:
        if len(p.section) < depth or p.section[:depth] != path:
            if out or p.number > paragraph.number:
                break
            continue
        if len(p.section) == depth + 1 and p.section[-1] not in {q.section[-1] for q in out}:
            out.append(_heading_paragraph(doc, p))
    return out


def _heading_paragraph(doc: Document, p: Paragraph) -> Paragraph:
    """The paragraph that opens ``p``'s section (the heading line itself)."""
    for q in doc.paragraphs[: p.number][::-1]:
        if q.section != p.section:
            break
        p = q
    return p


def starts_item(text: str) -> bool:
    """Whether a paragraph opens with an item marker: 一是, 第一, (一), 1., ①."""
    folded = fold(text.strip())
    return bool(P.ORDINAL_ITEM_RE.match(folded) or P.NUMBERED_ITEM_RE.match(folded) or parse_heading(folded))


def item_label(text: str) -> str:
    """What a list answer shows of an item paragraph: its heading (first clause or sentence)."""
    heading = parse_heading(text)
    if heading is not None:
        return heading.title
    sentences = split_sentences(text)
    first = sentences[0][1] if sentences else text
    m = re.match(r"[^，,；;。]*", first)
    label = m.group(0) if m and len(m.group(0)) >= 4 else first
    return label if len(label) <= 80 else label[:80]
