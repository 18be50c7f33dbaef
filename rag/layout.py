"""What a line looks like: title, date, document number, office, or the cut end of a page.

These shapes decide two things: where a paragraph that a page break cut in two is
joined back, and which lines give a document its metadata.
"""

from __future__ import annotations

import re

from rag.headings import enumerator, parse_heading
from rag.text import SENTENCE_END

# Names of document genres that end a title line.
_GENRE = r"(?:要点|规划|纲要|计划|总结|方案|意见|报告|年报|预算|决算|公报|简报|纪要|说明|办法|通知|决定|条例|规定|细则|公告|通报|批复|函|文件|安排|规则)"
TITLE_RE = re.compile(rf"{_GENRE}\s*(?:[（(][^（()）]{{1,20}}[）)])?$")
OFFICE_RE = re.compile(r"(?:办公室|委员会|人民政府|领导小组|小组|厅|局|委|办|部|处|中心)$")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
_BULLET_RE = re.compile(r"^[•·●◆■▪\-*]\s*")
_TERMINAL = SENTENCE_END + "：:…"
_PAIRS = ("《》", "“”", "（）", "()", "〔〕", "【】", "「」")
MAX_TITLE_CHARS = 60


def is_date_line(line: str) -> bool:
    s = line.strip()
    return bool(DATE_RE.fullmatch(s) or ISO_DATE_RE.fullmatch(s))


def is_doc_number_line(line: str) -> bool:
    return bool(DOC_NUMBER_RE.fullmatch(line.strip()))


def is_title_like(line: str) -> bool:
    """A short line that names a document, an office, a date or a document number."""
    s = line.strip()
    if len(s) > MAX_TITLE_CHARS:
        return False
    if is_date_line(s) or is_doc_number_line(s):
        return True
    if TITLE_RE.search(s):
        return True
    if len(s) <= 30 and OFFICE_RE.search(s):
        return True
    # An imprint line: "中共湖南省委外事工作领导小组办公室 2016年10月10日印发".
    return bool(DATE_RE.search(s) and re.search(r"(?:印发|发布|印)$", s))


def starts_block(line: str) -> bool:
    """A line that must start a new paragraph: a heading, a list bullet, a date."""
    s = line.strip()
    return bool(enumerator(s) or _BULLET_RE.match(s) or is_date_line(s) or _CONTENTS_RE.match(s))


_CONTENTS_RE = re.compile(r"^(?:目\s*录|正\s*文)$")  # a table of contents' own heading stands alone


def unbalanced(text: str) -> bool:
    """True when a bracket or quote is opened and not closed: the sentence goes on."""
    return any(text.count(o) > text.count(c) for o, c in _PAIRS)


def continues(paragraph: str, last_line: str, next_line: str) -> bool:
    """Whether ``next_line`` continues the paragraph that ends with ``last_line``.

    A page break (or a hard wrap) leaves a paragraph's end without sentence-final
    punctuation; a heading, a title or a signature line also lacks it, so those never
    continue into the next line.
    """
    if starts_block(next_line):
        return False
    last = last_line.rstrip()
    if not last or last[-1] in _TERMINAL:
        return False
    if unbalanced(paragraph):
        return True
    # A short label of the page (新闻详情) does not run on into a title or a heading.
    if len(last) <= 8 and (is_title_like(next_line) or parse_heading(next_line.strip()) is not None):
        return False
    if last[-1] in "）)":
        return False
    heading = parse_heading(last_line.strip())
    if heading is not None and not heading.run_in:
        return False
    if _BULLET_RE.match(last_line.strip()) or is_title_like(last):
        return False
    return True
