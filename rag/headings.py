"""Section headings of Chinese government documents.

The numbering hierarchy is conventional: 第一部分 > 第一章 > 第一节 > 一、 > （一） > 1、/1. > （1）,
with articles and numbered tasks (第三条, 第10项) below whatever stands above them.
A heading either stands alone on its line ("一、拓展对外交往渠道",
"（一）完善机构机制，进一步提升外事能力建设。") or is run in: the heading is the
first sentence and the paragraph goes on ("(五) 搭建平台。全力发展…",
"1. **顺利完成机构改革任务。**根据…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM_CN = "一二三四五六七八九十百零〇两"

# (level, pattern of the enumerator at the start of a line); full- and half-width forms,
# traditional characters too (第十節, 第10項). Only the order of levels matters: a heading
# closes every open heading of its level or below.
_ENUMERATORS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第[{_NUM_CN}\d]+(?:部分|篇|编|編)\s*[:：]?\s*")),
    (1, re.compile(rf"^第[{_NUM_CN}\d]+章\s*[:：]?\s*")),
    (2, re.compile(rf"^第[{_NUM_CN}\d]+[节節]\s*[:：]?\s*")),
    (3, re.compile(rf"^[{_NUM_CN}]+\s*[、．.]\s*")),
    (4, re.compile(rf"^[（(]\s*[{_NUM_CN}]+\s*[）)]\s*")),
    (5, re.compile(r"^[0-9０-９]{1,2}\s*(?:[、，,]|[.．](?![0-9０-９]))\s*")),
    (6, re.compile(r"^[（(]\s*[0-9０-９]{1,2}\s*[）)]\s*")),
    # Articles and numbered tasks: 第三条, 第10項：
    (7, re.compile(rf"^第[{_NUM_CN}\d]+[条條项項]\s*[:：]?\s*")),
)
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+")
_RUN_IN_END = re.compile(r"[。！？!?]")
# Whole-line headings are short; a longer line without a full stop is a body line.
MAX_HEADING_CHARS = 60


@dataclass(frozen=True)
class Heading:
    level: int
    title: str  # the heading as it appears in section paths
    run_in: bool  # True when body text follows the heading on the same paragraph


def strip_emphasis(text: str) -> str:
    """Remove Markdown emphasis markers (``**bold**``), which are layout, not content."""
    return text.replace("**", "").replace("__", "")


def enumerator(text: str) -> tuple[int, re.Match[str]] | None:
    """The heading level and enumerator match at the start of ``text``, if any."""
    md = _MARKDOWN_HEADING.match(text)
    if md:
        return len(md.group(1)) - 1, md
    for level, pattern in _ENUMERATORS:
        m = pattern.match(text)
        if m and len(text) > m.end():
            return level, m
    return None


def parse_heading(text: str) -> Heading | None:
    """Recognise a heading at the start of a paragraph, or return None."""
    found = enumerator(text)
    if found is None:
        return None
    level, m = found
    body = strip_emphasis(text[m.end():]).strip()
    prefix = "" if m.group(0).startswith("#") else m.group(0).strip()
    stop = _RUN_IN_END.search(body)
    if stop is None:
        if len(text) > MAX_HEADING_CHARS:
            return None
        return Heading(level, _join(prefix, body), run_in=False)
    head, rest = body[: stop.start()], body[stop.end():].strip()
    if not head or len(head) > MAX_HEADING_CHARS:
        return None
    return Heading(level, _join(prefix, head), run_in=bool(rest))


def _join(prefix: str, title: str) -> str:
    # Keep the enumerator as written: "（一）服务…" and "(五) 搭建平台" both occur.
    if prefix and prefix[-1] in "、，,．.":
        return prefix + title
    sep = "" if not prefix or prefix[-1] in "）)" else " "
    return f"{prefix}{sep}{title}" if prefix else title
