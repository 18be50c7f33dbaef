"""Document metadata from the text itself: title, office, number, date, region, period."""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from rag.layout import DATE_RE, DOC_NUMBER_RE, ISO_DATE_RE, OFFICE_RE, TITLE_RE, is_date_line
from rag.text import compact
from rag.types import DocumentMeta

# Provincial-level divisions: a gazetteer, not a list tuned to any corpus.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
    "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
_PROVINCE_RE = re.compile("(" + "|".join(sorted(PROVINCES, key=len, reverse=True)) + r")(?:省|市|自治区|特别行政区)?")
_CITY_RE = re.compile(r"([\u4e00-\u9fff]{2,3}?)市")
_FIVE_YEAR = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_YEAR_RANGE_RE = re.compile(r"((?:19|20)\d{2})\s*[-—–~至到]\s*((?:19|20)\d{2})")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_COVER_ENDINGS = ("通知", "文件")
_HEAD_LINES = 40  # metadata lives in the front matter


def extract_metadata(lines: Sequence[tuple[int, str]], body: str, fallback_title: str) -> DocumentMeta:
    """``lines`` are (line number, text) of the content lines in order; ``body`` is all text."""
    head = [text for _, text in lines[:_HEAD_LINES]]
    office = _office(head)
    title = _title(head, office) or fallback_title
    number = next((m.group(0) for t in head for m in [DOC_NUMBER_RE.search(t)] if m), None)
    years = _years(title)
    return DocumentMeta(
        title=title,
        office=office,
        number=re.sub(r"\s+", "", number) if number else None,
        date=_date(head),
        region=_region(title, office, number, body),
        period=_period(years),
        years=years,
    )


def _title(head: list[str], office: str | None) -> str | None:
    candidates = [
        i for i, t in enumerate(head)
        if len(t) <= 60 and TITLE_RE.search(t) and not t.endswith(_COVER_ENDINGS)
        and not t.startswith("关于") and ":" not in t and "：" not in t and not t.startswith(("•", "-"))
    ]
    if not candidates:
        quoted = next((m.group(1) for t in head for m in [re.search(r"印发.{0,3}《([^》]{4,60})》", t)] if m), None)
        return compact(quoted) if quoted else None
    title = compact(head[candidates[-1] if len(candidates) < 3 else _last_before_body(head, candidates)])
    # A title that starts with its year names no issuer; users cite it with the issuer.
    if office and re.match(r"^\d{4}", title):
        title = compact(office) + title
    return title


def _last_before_body(head: list[str], candidates: list[int]) -> int:
    """The title line nearest before the first long body line (later repeats are footers)."""
    first_body = next((i for i, t in enumerate(head) if len(t) > 60), len(head))
    before = [i for i in candidates if i < first_body]
    return before[-1] if before else candidates[0]


def _office(head: list[str]) -> str | None:
    for t in head:  # letterhead: "福建省人民政府外事办公室文件"
        m = re.fullmatch(r"(.{4,30}?)\s*文件", t)
        if m and OFFICE_RE.search(m.group(1)):
            return compact(m.group(1))
    for a, b in zip(head, head[1:]):  # signature: an office line above the date line
        if len(a) <= 30 and OFFICE_RE.search(a) and is_date_line(b):
            return compact(a)
    for t in head:
        m = re.search(r"(?:发布机构|发文机关|发文单位)\s*[:：]\s*(\S.{1,30})$", t)
        if m:
            return compact(m.group(1).strip())
    for t in head:  # an issuer at the start of the title: "省外事侨务办公室XX年工作总结…"
        m = re.match(r"^(.{3,20}?(?:办公室|委员会|人民政府|厅|局))", t)
        if m and TITLE_RE.search(t):
            return compact(m.group(1))
    return None


def _date(head: list[str]) -> str | None:
    for t in head:
        if is_date_line(t):
            return _iso(t)
    for t in head:
        m = re.search(r"(?:发文日期|成文日期|印发日期)\s*[:：]\s*(.+)$", t)
        if m:
            return _iso(m.group(1))
    return None


def _iso(text: str) -> str | None:
    m = DATE_RE.search(text) or ISO_DATE_RE.search(text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _region(title: str, office: str | None, number: str | None, body: str) -> str | None:
    for source in (title, office or ""):
        found = _place_in(source)
        if found:
            return found
    counts = Counter(m.group(1) for m in _PROVINCE_RE.finditer(body))
    if counts:
        name, n = counts.most_common(1)[0]
        if n >= 2:
            return name
    return None


def _place_in(text: str) -> str | None:
    """The most specific place an issuer or title names: a city before its province."""
    province = _PROVINCE_RE.search(text)
    rest = _PROVINCE_RE.sub("", text)
    city = _CITY_RE.search(rest)
    if city and city.group(1) not in PROVINCES:
        return city.group(1)
    return province.group(1) if province else None


def years_named(text: str) -> tuple[int, ...]:
    """Every year a text names: 2017年, 2016-2020, and the years of a five-year plan (十二五)."""
    return _years(text)


def _years(title: str) -> tuple[int, ...]:
    years: set[int] = set()
    for name, (a, b) in _FIVE_YEAR.items():
        if name in title:
            years.update(range(a, b + 1))
    for m in _YEAR_RANGE_RE.finditer(title):
        years.update(range(int(m.group(1)), int(m.group(2)) + 1))
    years.update(int(m.group(1)) for m in _YEAR_RE.finditer(title))
    return tuple(sorted(years))


def _period(years: tuple[int, ...]) -> str | None:
    if not years:
        return None
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
