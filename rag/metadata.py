"""Document metadata from the text itself: title, office, number, date, region, period."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Sequence

from rag.furniture import page_fields
from rag.layout import DATE_RE, DOC_NUMBER_RE, ISO_DATE_RE, OFFICE_RE, TITLE_RE, is_date_line
from rag.places import Place, gazetteer, most_specific, place_named
from rag.text import SENTENCE_END, compact, fold
from rag.types import DocumentMeta, Removed

_FIVE_YEAR = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_YEAR_RANGE_RE = re.compile(r"((?:19|20)\d{2})\s*[-—–~至到]\s*((?:19|20)\d{2})")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_COVER_ENDINGS = ("通知", "文件")
_HEAD_LINES = 40  # metadata lives in the front matter


def extract_metadata(
    lines: Sequence[tuple[int, str]], body: str, fallback_title: str, removed: Sequence[Removed] = ()
) -> DocumentMeta:
    """``lines`` are (line number, text) of the content lines in order; ``body`` is all text;
    ``removed`` the page furniture, whose source line and page fields (发布日期, 来源) say
    where the page came from, when it was posted and who posted it."""
    head = [text for _, text in lines[:_HEAD_LINES]]
    fields: dict[str, str] = {}
    for r in removed:
        if r.reason in ("page information", "page date"):
            for k, v in page_fields(fold(r.text)).items():
                fields.setdefault(k, v)
    source = next((m.group(0) for r in removed if r.reason in ("source line", "web address")
                   for m in [re.search(r"https?://\S+", r.text)] if m), None)
    office = _office(head) or _issuer_field(fields)
    title = _title(head, office) or fallback_title
    number = next((m.group(0) for t in head for m in [DOC_NUMBER_RE.search(t)] if m), None)
    date = _date(head) or _page_date(fields, removed)
    # Without a year in the title, a document dated in a year speaks of that year or, as an
    # annual report or yearbook does, of the year before.
    years = _years(title) or ((int(date[:4]) - 1, int(date[:4])) if date else ())
    return DocumentMeta(
        title=title,
        office=office,
        number=re.sub(r"\s+", "", number) if number else None,
        date=date,
        region=_region(title, office, head, body) or _region_of_address(source),
        period=_period(years),
        years=years,
        source=source,
    )


def _issuer_field(fields: dict[str, str]) -> str | None:
    """The page's 来源 or 发布机构 when it names an office (市外办), not a newspaper or site."""
    for key in ("发布机构", "信息来源", "来源"):
        value = fields.get(key, "").split(" ")[0]
        if 3 <= len(value) <= 30 and OFFICE_RE.search(value):
            return compact(value)
    return None


def _page_date(fields: dict[str, str], removed: Sequence[Removed]) -> str | None:
    for key in ("成文日期", "发文日期", "发布日期", "发布时间", "发表时间", "日期", "时间"):
        if key in fields:
            iso = _iso(fields[key])
            if iso:
                return iso
    for r in removed:
        if r.reason == "page date":
            iso = _iso(r.text)
            if iso:
                return iso
    return None


def _title(head: list[str], office: str | None) -> str | None:
    """The title: a line that ends like one (…工作要点, …年度报告) before the first body line;
    else the page's headline; else such a line after a cover letter (关于印发…的通知 …
    then the document itself); else the title a cover notice quotes (关于印发《…》的通知)."""
    head = _joined_title_lines(head)
    candidates = [i for i, t in enumerate(head) if _title_like(t)]
    first_body = next((i for i, t in enumerate(head) if len(t) > 60), len(head))
    before = [i for i in candidates if i < first_body]
    if before:
        chosen = before[-1] if len(before) < 3 else _last_before_body(head, before)
    else:
        quoted = next((m.group(1) for t in head[:_FIRST_LINES] if len(t) <= 90
                       for m in [re.search(r"关于(?:印发|转发).{0,3}《([^》]{4,60})》.{0,4}通知$", t)] if m), None)
        if quoted:
            return compact(quoted)
        headline = _headline(head)
        if headline:
            return headline
        if not candidates:
            return _self_named(head)
        chosen = candidates[-1] if len(candidates) < 3 else _last_before_body(head, candidates)
    title = compact(head[chosen])
    # A title that starts with its year names no issuer; users cite it with the issuer.
    if office and re.match(r"^\d{4}", title):
        title = compact(office) + title
    return title


# A document that opens by naming itself: 现编制完成《…年度报告》, 特制定《…》, 形成《…》如下.
_SELF_NAMED = re.compile(r"(?:现|特|特此)?(?:编制完成|编制|制定|形成|发布|公布|印发)(?:了|出)?《([^》]{6,60}(?:报告|年报|规划|计划|方案|要点|总结|说明|意见|办法))》")


def _self_named(head: list[str]) -> str | None:
    """The title a document's opening paragraph gives itself, where no line is a title."""
    for t in head[:2]:
        m = _SELF_NAMED.search(t)
        if m:
            return compact(m.group(1))
    return None


def _enumerator(line: str):
    from rag.headings import enumerator

    return enumerator(line.strip())


def _title_like(line: str) -> bool:
    t = line.strip()
    return (len(t) <= 60 and bool(TITLE_RE.search(fold(t))) and not t.endswith(_COVER_ENDINGS)
            and not t.startswith(("关于印发", "关于转发", "印发")) and ":" not in t and "：" not in t
            and not t.startswith(("•", "-")) and _enumerator(t) is None)


_FIRST_LINES = 8  # a page's headline stands within its first lines
_SENTENCE_MARKS = re.compile(rf"[{SENTENCE_END}，,]")


def _joined_title_lines(head: list[str]) -> list[str]:
    """The head with a title that a line break split put back on one line: a short line
    that is no title on its own, followed by one that ends like a title
    (关于友城工作推动区域性国际中心城市 / 建设情况的专项工作报告)."""
    out, i = [], 0
    while i < len(head):
        a = head[i]
        b = head[i + 1] if i + 1 < len(head) else ""
        opening = a.startswith("关于") or OFFICE_RE.search(a) or a.endswith(("的", "和", "与", "及", "、"))
        if (b and opening and len(a) + len(b) <= 60 and not TITLE_RE.search(fold(a)) and TITLE_RE.search(fold(b))
                and not _SENTENCE_MARKS.search(a + b) and not re.search(r"\d{4}\s*年\s*\d{1,2}\s*月", a)
                and _enumerator(b) is None):
            out.append(a + b)
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _headline(head: list[str]) -> str | None:
    """A headline without a genre word (奋力开创外事工作新局面, 市外办): the first short
    line of the page that is no sentence, heading, date or field."""
    from rag.layout import is_doc_number_line

    for t in head[:3]:
        line = t.strip()
        if (2 <= len(line) <= 40 and not _SENTENCE_MARKS.search(line) and not _enumerator(line)
                and not is_doc_number_line(line) and re.sub(r"\s", "", line) not in ("目录", "正文")
                and not is_date_line(line) and not re.search(r"[|｜]", line) and not line[0].isdigit()
                and not line.endswith(_COVER_ENDINGS + ("网", "网站", "门户")) and not re.search(r"[:：]\s*$", line)
                and not line.startswith(("(", "（"))):
            return compact(line)
    return None


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
        m = re.match(r"^(.{3,24}(?:办公室|委员会|人民政府|厅|局))(?=\s*(?:\d|XX|关于|[(（]))", t)
        if m and TITLE_RE.search(fold(t)):
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


def _region(title: str, office: str | None, head: list[str], body: str) -> str | None:
    """Where the document is from: the place its title or issuer names, else the place a
    line of the page names as its issuer (X市外办, X市外事工作, 中共X市委), when
    one place does so most. Never a place merely mentioned in the text (a city's report that
    speaks of 香港 is not from 香港): unknown instead, and unknown clashes with nothing."""
    for source in (title, office or ""):
        found = most_specific(fold(source))
        if found:
            return found
    unnamed = _unnamed_level(title, office) or _self_level(fold(body))
    if unnamed:  # 省外侨办…工作总结: the province (or city) the text speaks of most
        mentions = Counter(p.name for _, _, p in _places(fold(body)) if (p.kind == "province") == (unnamed == "省")
                           and p.name not in ("香港", "澳门", "台湾"))
        if mentions:
            (name, n), *rest = mentions.most_common(2)
            if n >= 2 and (not rest or n >= 2 * rest[0][1]):
                return name
    text = fold(body)
    counts = Counter(p.name for _, end, p in _places(text) if _ISSUER_RE.match(text, end))
    first = fold("".join(head[:3]))
    for _, end, p in _places(first):
        if _ISSUER_RE.match(first, end):
            counts[p.name] += 2  # an issuer in the first lines of the page
    if not counts:
        return None
    # A tie between a city and a county goes to the city (江门's party congress over the
    # government of 台山, one of its counties, in the same report); any other tie is unknown.
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], _level(place_named(kv[0]))))
    (name, n), *rest = ranked
    if n >= 2 and (not rest or n > rest[0][1] or _city_over_its_county(name, rest[0][0])):
        return name
    return None


def _city_over_its_county(city: str, county: str) -> bool:
    """Whether ``city`` is a city and ``county`` a county or district of the same province."""
    a, b = place_named(city), place_named(county)
    return a is not None and b is not None and _level(a) == 1 and _level(b) == 2 and a.province == b.province


def _level(place: "Place | None") -> int:
    """0 for a province, 1 for a city, 2 for a county or district (or an unknown place)."""
    return {"province": 0, "city": 1}.get(place.kind, 2) if place is not None else 2


def _region_of_address(url: str | None) -> str | None:
    """The place a government page's web address spells in pinyin (rd.sanya.gov.cn,
    www.hunan.gov.cn), for a page whose text names no issuer: a whole label, or a part of one
    between hyphens, that is the pinyin of exactly one place (shanxi is 山西 and 陕西:
    neither). Other sites host pages of any place (chengdu.example.com), so only gov.cn."""
    m = re.match(r"https?://([^/:?#]+)", url or "")
    if not m or not m.group(1).lower().endswith(".gov.cn"):
        return None
    table = _pinyin_places()
    found = [table[w] for label in m.group(1).lower().split(".") for w in label.split("-")
             if len(w) >= 4 and len(table.get(w, ())) == 1]
    places = [next(iter(f)) for f in found]
    local = [p for p in places if p.kind != "province"]
    return (local or places)[0].name if places else None


@lru_cache(maxsize=1)
def _pinyin_places() -> dict[str, frozenset]:
    from pypinyin import lazy_pinyin

    out: dict[str, set] = {}
    for place in gazetteer().values():
        out.setdefault("".join(lazy_pinyin(place.name)), set()).add(place)
    return {k: frozenset(v) for k, v in out.items()}


# (not 日本市场, 全市场: a market is no city)
_SELF_CITY = re.compile(r"(?:我市|全市|(?<!日)本市|市委外办|市外办|市政府外办|市友协|市外侨办|市外事办)(?!场)")
_SELF_PROVINCE = re.compile(r"我省|全省|本省|省委外办|省外办|省政府外办|省友协|省外侨办|省外事办")


def _self_level(body: str) -> str | None:
    """市 or 省 when the text speaks of its own city or province by level alone (我市, 市外办,
    全省…) at least twice and more often than of the other level; else None."""
    city, province = len(_SELF_CITY.findall(body)), len(_SELF_PROVINCE.findall(body))
    if max(city, province) < 2 or city == province:
        return None
    return "市" if city > province else "省"


def _unnamed_level(title: str, office: str | None) -> str | None:
    """省 or 市 when the issuer is named by its level alone (省外侨办…, 市外办…)."""
    for text in (office or "", title):
        m = re.match(r"^(?:中共)?([省市])(?:委|人民政府|政府)?(?:外|侨|港澳)", text)
        if m:
            return m.group(1)
    return None


def _places(text: str):
    from rag.places import places_in

    return places_in(text)


# A place as the issuer or subject of the document's own work: X市外办,
# X市外事工作, X外事系统, 中共X市委, 省外办 of a province, X年鉴 (a place's yearbook).
_ISSUER_RE = re.compile(
    r"(?:省|市|县|自治区)?(?:人民政府|政府|委员会|市委|省委|县委)?"
    r"(?:外事(?:办公室|办)|外办|外侨办|外事(?:侨务办公室|工作|系统)|人民政府外事|委外办|外事委员会|[市省]人民政府|人民政府"
    r"|市委|省委|县委|市政府|省政府|人大常委会|第[一二三四五六七八九十]+次党代会|年鉴)"
)


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
