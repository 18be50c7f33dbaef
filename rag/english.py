"""English answers to English questions, rendered from the Chinese spans the reader found,
with no language model: numbers, ranges, percentages, dates and ordinals by rule, places
and names through CC-CEDICT's glosses, pinyin where the dictionary has none.

Every rendering keeps the Chinese it was made from beside it in brackets, and the answer
quotes the Chinese sentence, so a reader can check each word; a span with no rendering
(an organisation CC-CEDICT does not list, a clause) stays Chinese with a note that says so.
Nothing is translated that the rules cannot read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING

from rag import patterns as P
from rag.cedict import _text as cedict_text
from rag.text import fold
from rag.verify import parse_chinese_number

if TYPE_CHECKING:
    from rag.candidates import Pick
    from rag.question import QuestionProfile

CJK = P.CJK_RE  # the package's one pattern for Chinese characters
CJK_REF = re.compile(r"\s*[\u3400-\u9fff]")

# --- numbers ---------------------------------------------------------------------------

_CN_NUM = "零〇一二三四五六七八九十百千两"
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|[{_CN_NUM}]+"
_APPROX = {"约": "about", "大约": "about", "近": "nearly", "将近": "nearly", "接近": "nearly",
           "超过": "more than", "逾": "more than", "达": "", "共": "", "累计": "", "总计": "", "合计": ""}
_AFTER = {"以上": "more than", "余": "more than", "多": "more than", "左右": "about", "以下": "up to",
          "以内": "within", "内": "within"}
_RANGE = "至到~～—–-"
_NUMBER = re.compile(
    rf"(?P<pre>{'|'.join(sorted(_APPROX, key=len, reverse=True))})?"
    rf"(?P<ord>第)?(?P<a>{_NUM})\s*(?:[{_RANGE}]\s*(?P<b>{_NUM}))?\s*(?P<scale>万亿|万|亿|千|百)?"
    r"(?P<more>余|多)?\s*(?P<pct>%|％|‰)?"
)
_CURRENCY = (("美元", "US dollars"), ("欧元", "euros"), ("港元", "Hong Kong dollars"),
             ("港币", "Hong Kong dollars"), ("日元", "yen"), ("英镑", "pounds sterling"), ("元", "yuan"))
# Measure words whose English is fixed whatever is counted; the rest (个 名 批 项 …) take the
# noun the question counts, or stay bare.
_MEASURES = (("个百分点", "percentage points"), ("平方公里", "square kilometres"), ("公里", "kilometres"),
             ("周年", "years"), ("个月", "months"), ("小时", "hours"), ("分钟", "minutes"), ("人次", "person-times"),
             ("万人", "people"), ("年", "years"), ("天", "days"), ("日", "days"), ("周", "weeks"), ("倍", "times"),
             ("吨", "tonnes"), ("人", "people"), ("国", "countries"))
_SCALES = {"百": Decimal(100), "千": Decimal(1000), "万": Decimal(10**4), "亿": Decimal(10**8), "万亿": Decimal(10**12)}
# A vague count (数十个, 几十万, 上百个) states no number to render.
_VAGUE = re.compile(rf"[数几]\s*[十百千万]|上[百千万]|成[百千万]")
_PERCENT_WORDS = re.compile(rf"百分之([\d.]+|[{_CN_NUM}点]+)|([一二三四五六七八九])成(?![百千万])")


def _value(run: str) -> Decimal | None:
    if re.fullmatch(r"[\d,.]+", run):
        try:
            return Decimal(run.replace(",", ""))
        except InvalidOperation:
            return None
    n = parse_chinese_number(run)
    return Decimal(n) if n is not None else None


def format_number(value: Decimal) -> str:
    """205 -> 205; 35000 -> 35,000; 232010000000 -> 232.01 billion; 1.5e6 -> 1.5 million."""
    for size, word in ((Decimal(10**12), "trillion"), (Decimal(10**9), "billion"), (Decimal(10**6), "million")):
        if abs(value) >= size:
            return f"{_plain(value / size)} {word}"
    if value == value.to_integral_value():
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    return _plain(value)


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return f"{whole}.{frac}" if frac else whole


def ordinal(n: int) -> str:
    """1 -> 1st, 2 -> 2nd, 11 -> 11th, 23 -> 23rd."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def render_number(span: str, noun: str | None = None) -> str | None:
    """A count, an amount or a share in English: 205批次 -> 205 (with the question's noun,
    "205 batches of visitors"); 5至8名 -> 5 to 8; 2320.1亿美元 -> 232.01 billion US dollars;
    80%以上 -> more than 80%; 3年左右 -> about 3 years; 第五届 -> the 5th. None when the span
    holds no number."""
    if _VAGUE.search(span):
        return None
    words = _PERCENT_WORDS.search(span)
    if words:  # 百分之三十五 -> 35%, 四成 -> 40%
        if words.group(2):
            return f"{parse_chinese_number(words.group(2)) * 10}%"
        run = words.group(1)
        value = _value(run) if "点" not in run else None
        return f"{format_number(value)}%" if value is not None else None
    m = _NUMBER.search(span)
    if not m:
        return None
    a, b = _value(m.group("a")), _value(m.group("b")) if m.group("b") else None
    if a is None:
        return None
    if m.group("ord"):
        return f"the {ordinal(int(a))}" if a == a.to_integral_value() else None
    rest = span[m.end():].strip()
    scale = _SCALES.get(m.group("scale") or "", Decimal(1))
    unit = ""
    for chinese, english in _CURRENCY:
        if rest.startswith(chinese):
            unit, rest = english, rest[len(chinese):]
            break
    else:
        if rest.startswith("万") and not m.group("scale"):  # 3万人: the scale was left to the unit
            scale, rest = Decimal(10**4), rest[1:]
        for chinese, english in _MEASURES:
            if rest.startswith(chinese):
                unit, rest = english, rest[len(chinese):]
                break
        else:
            unit = noun or ""
            rest = re.sub(r"^(?!以上|左右|以下|以内|余|多)[\u4e00-\u9fff]{1,2}?(?=以上|左右|以下|以内|余|多|$)", "", rest)
    after = next((e for c, e in _AFTER.items() if rest.startswith(c) or (m.group("more") and c == m.group("more"))), "")
    before = _APPROX.get(m.group("pre") or "", "") or after
    number = format_number(a * scale)
    if b is not None:
        number = f"{number} to {format_number(b * scale)}"
    if m.group("pct"):
        number += "‰" if m.group("pct") == "‰" else "%"
        unit = "" if unit in ("", noun) else unit
    return " ".join(x for x in (before, number, unit) if x)


# --- dates -----------------------------------------------------------------------------

MONTHS = ("January February March April May June July August September October November December").split()
_YEAR = r"(?:\d{4}|[〇零一二三四五六七八九]{4})"
_DATE = re.compile(
    rf"(?:(?P<y>{_YEAR})\s*年)?\s*(?:(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*月)?"
    rf"\s*(?:(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[日号])?"
    rf"(?:\s*[{_RANGE}]\s*(?P<d2>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[日号])?"
    r"(?P<part>上中旬|中下旬|上旬|中旬|下旬|初|中(?![\u4e00-\u9fff])|底|末)?"
)
_PART = {"上旬": "early", "初": "early", "中旬": "mid-", "中": "mid-", "下旬": "late", "底": "end of", "末": "end of",
         "上中旬": "early-to-mid", "中下旬": "mid-to-late"}


def _int(run: str) -> int | None:
    return int(run) if run.isdigit() else parse_chinese_number(run)  # 二〇一九 is read digit by digit


def render_date(span: str) -> str | None:
    """A date in English: 2019年3月5日 -> 5 March 2019; 1997年11月 -> November 1997;
    9月8日 -> 8 September; 2012年 -> 2012; 11月下旬 -> late November; 2021—2023年 -> 2021 to 2023."""
    years = re.fullmatch(rf"\s*({_YEAR})\s*年?\s*[{_RANGE}]\s*({_YEAR})\s*年?\s*", span)
    if years:
        return f"{_int(years.group(1))} to {_int(years.group(2))}"
    for m in _DATE.finditer(span):
        if not (m.group("y") or m.group("m")):
            continue
        y = _int(m.group("y")) if m.group("y") else None
        mo = _int(m.group("m")) if m.group("m") else None
        d = _int(m.group("d")) if m.group("d") else None
        if mo is not None and not 1 <= mo <= 12 or d is not None and not 1 <= d <= 31:
            return None
        d2 = _int(m.group("d2")) if m.group("d2") else None
        words = []
        if d is not None:
            words.append(f"{d} to {d2}" if d2 is not None and d2 > d else str(d))
        if mo is not None:
            words.append(MONTHS[mo - 1])
        if y is not None:
            words.append(str(y))
        text = " ".join(words)
        part = _PART.get(m.group("part") or "")
        if part and mo is not None and d is None:
            text = f"{part}{'' if part.endswith('-') else ' '}{text}"  # mid-March, late November
        elif part and mo is None and y is not None:
            text = {"early": f"early {y}", "mid-": f"mid-{y}", "late": f"late {y}"}.get(part, f"the end of {y}")
        return text
    return None


# --- names -----------------------------------------------------------------------------

_ENTRY = re.compile(r"^\S+ (\S+) \[([^\]]*)\] /(.*)/\s*$", re.M)
_POINTER = re.compile(r"^(?:surname |variant of|old variant of|see |used in|abbr\. for|CL:|Taiwan pr\.|also written)")
_CAPITALS = re.compile(r"[A-Z][\w'’.\-]*(?:\s+(?:(?:of|and|the|de|du|la|upon|on|al|el)\s+)?[A-Z][\w'’.\-]*)*")
_SUFFIX = {"省": "Province", "市": "City", "州": "State", "县": "County", "区": "District", "港": "Port", "岛": "Island"}


@dataclass(frozen=True)
class Gloss:
    english: str
    proper: bool


@lru_cache(maxsize=1)
def glosses() -> dict[str, Gloss]:
    """Each CC-CEDICT headword's English: a proper name's own words (厦门 -> Xiamen, 尼斯 ->
    Nice), else the first sense up to its first comma; parsed once per process."""
    out: dict[str, Gloss] = {}
    for m in _ENTRY.finditer(cedict_text()):
        word = m.group(1)
        if not CJK.match(word):
            continue
        for sense in m.group(3).split("/"):
            sense = CJK_REF.split(sense, maxsplit=1)[0].strip()  # a cross-reference (聯合王國|联合王国[…]) ends it
            if not sense or _POINTER.match(sense):
                continue
            name = _CAPITALS.match(re.sub(r"^the\s+", "", sense))
            if name and m.group(2)[:1].isupper() and _names_only(sense, name.group()):
                out[word] = Gloss(name.group().rstrip(".,"), True)  # a proper name wins over a word
                break
            if word not in out:
                common = re.split(r"[,;(]", sense, maxsplit=1)[0].strip()
                if common:
                    out[word] = Gloss(common, False)
            break
    return out


# What may follow a name in its gloss and still describe the place it names
# (/Fuzhou prefecture-level city …/, /Xiamen or Amoy, …/), where /Beijing opera/ is a thing.
_DESCRIBES = re.compile(r"(?:or |prefecture|county|city|district|province|capital|municipality|subprovincial|autonomous"
                        r"|town|township|village|river|lake|mountain|island|region|state|port|banner|league|in )")


def _names_only(sense: str, name: str) -> bool:
    head = re.split(r"[,;(]", re.sub(r"^the\s+", "", sense), maxsplit=1)[0].strip()
    rest = head[len(name):].strip() if head.startswith(name) else head
    return not rest or bool(_DESCRIBES.match(rest))


def pinyin(chinese: str, name: bool = True) -> str:
    """The toneless pinyin of a Chinese run, capitalised as a name: 西宫 -> Xigong."""
    from pypinyin import lazy_pinyin

    syllables = [s for s in lazy_pinyin(chinese, v_to_u=True, errors=lambda chars: [chars]) if s.strip()]
    text = "".join(syllables)
    return text[:1].upper() + text[1:] if name else text


def render_person(span: str) -> str:
    """A person's name: CC-CEDICT's spelling where it lists the person (习近平 -> Xi Jinping),
    else pinyin, family name first (张晓明 -> Zhang Xiaoming)."""
    known = glosses().get(span)
    if known and known.proper:
        return known.english
    if len(span) <= 1:
        return pinyin(span)
    return f"{pinyin(span[0])} {pinyin(span[1:])}"


def _name_parts(span: str) -> list[str]:
    """The proper names a place's span is written from, outermost first (法国尼斯 -> France,
    Nice). After the first name, a further
    one is read only where the names CC-CEDICT lists cover the rest of the span; otherwise
    the rest is one name the dictionary lacks, spelled in pinyin with its administrative
    suffix in English (墨西哥金塔纳罗奥州 -> Mexico, Jintanaluoao State, not Jinta)."""
    from rag.places import place_named

    first = _longest_name(span, 0)
    if first is None:
        return _known_cover(span) or [_spelled(span)]
    english, i = first
    rest = span[i:]
    if not rest:
        return [english]
    if rest in _SUFFIX:
        return [f"{english} {_SUFFIX[rest]}"]
    cover = _known_cover(rest)
    if cover:
        return [english] + cover
    county = place_named(span[:i])
    if county is not None and county.kind in ("county", "district"):
        return [_spelled(span)]  # a county opens no foreign name: 金塔那罗奥州 is one name
    return [english, _spelled(rest)]


def _longest_name(span: str, i: int) -> tuple[str, int] | None:
    table = glosses()
    for j in range(len(span), i + 1, -1):
        g = table.get(span[i:j])
        if g and g.proper:
            return g.english, j
    return None


def _known_cover(span: str) -> list[str] | None:
    """The span as consecutive names CC-CEDICT lists (a lone suffix may end it), or None."""
    parts, i = [], 0
    while i < len(span):
        if span[i:] in _SUFFIX and parts:
            parts[-1] = f"{parts[-1]} {_SUFFIX[span[i:]]}"
            break
        found = _longest_name(span, i)
        if found is None:
            return None
        parts.append(found[0])
        i = found[1]
    return parts


def _spelled(run: str) -> str:
    if len(run) > 1 and run[-1] in _SUFFIX:
        return f"{pinyin(run[:-1])} {_SUFFIX[run[-1]]}"
    return pinyin(run)


def render_place(span: str) -> str | None:
    """A place: 厦门 -> Xiamen; 法国尼斯 -> Nice, France; 宿务市 -> Cebu City; the part of a
    name the dictionary lacks in pinyin (日本西宫市 -> Xigong City, Japan). None for a span
    no part of which is a known name: the reader's span may be no place at all."""
    span = span.strip()
    if not CJK.search(span):
        return span or None
    table = glosses()
    whole = table.get(span)
    if whole and whole.proper:
        return whole.english
    from rag.places import place_named

    parts = _name_parts(span)
    if _longest_name(span, 0) is None and not _known_cover(span) and place_named(re.sub("[省市县区州]$", "", span)) is None:
        return None  # it opens with no name the dictionary or the gazetteer knows
    return ", ".join(reversed(parts))


def render_org(span: str) -> str | None:
    """An organisation CC-CEDICT lists whole (外交部 -> Ministry of Foreign Affairs), or a
    place and a body it lists (福建 + 社会科学院); None otherwise: no word-by-word guess."""
    table = glosses()
    whole = table.get(span)
    if whole:
        return whole.english if whole.proper or whole.english[:1].isupper() else whole.english.title()
    for i in range(len(span) - 2, 1, -1):
        head, body = table.get(span[:i]), table.get(span[i:])
        if head and head.proper and body and len(span) - i >= 2:
            english = body.english if body.english[:1].isupper() else body.english.title()
            return f"{head.english} {english}"
    return None


def render_docnumber(span: str) -> str | None:
    """A document number: 闽政外秘〔2017〕11号 -> No. 11 of 2017."""
    m = re.search(r"[〔\[［(（](\d{4})[〕\]］)）]\s*(\d+)\s*号", span)
    return f"No. {m.group(2)} of {m.group(1)}" if m else None


# --- the question's counted noun ------------------------------------------------------

_NOUN_END = frozenset(
    "did do does is are was were has have had will would can could should shall may might in at on from to by "
    "with for during under within after before since that which who whom how what when where according as per".split()
)


def counted_nouns(question: str) -> list[str | None]:
    """What an English question counts, one per "how many": "How many batches of foreign
    visitors did …" -> ["batches of foreign visitors"] (at most four words, up to the verb,
    a preposition or the next question word; a word in -ed after the noun is the verb)."""
    out: list[str | None] = []
    for m in re.finditer(r"\bhow many\s+([A-Za-z][A-Za-z' \-]*)", question, re.I):
        words: list[str] = []
        for w in m.group(1).split():
            if w.lower() in _NOUN_END or len(words) == 4 or (words and w.lower().endswith("ed")):
                break
            words.append(w)
        while words and words[-1].lower() in ("of", "the", "a", "and", "or"):
            words.pop()
        out.append(" ".join(words) or None)
    return out


def counted_noun(question: str) -> str | None:
    """The first thing an English question counts (see ``counted_nouns``)."""
    nouns = counted_nouns(question)
    return nouns[0] if nouns else None


# --- a span of a kind ----------------------------------------------------------------

def render(span: str, kind: str, question: str = "", noun: str | None = None) -> str | None:
    """The English of an answer span of a slot kind, or None when the rules cannot read it;
    a count takes ``noun`` (what the question counts), by default its first."""
    span = fold(unicodedata.normalize("NFKC", span)).strip()  # 萬 -> 万, full-width ３．５ -> 3.5
    if not span:
        return None
    if not CJK.search(span) and kind not in ("count", "money", "percent", "date"):
        return span
    if kind in ("count", "money", "percent"):
        return render_number(span, (noun or counted_noun(question)) if kind == "count" else None)
    if kind == "date":
        return render_date(span)
    if kind == "person":
        return render_person(span) if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", span) else None
    if kind == "place":
        return render_place(span)
    if kind == "org":
        return render_org(span)
    if kind == "docnumber":
        return render_docnumber(span)
    return render_org(span) if kind == "name" else None


_OPEN = {"“": "”", "「": "」", "《": "》", "(": ")", "（": "）", "[": "]", "『": "』", "【": "】"}


def english_only(text: str) -> bool:
    """Whether a text is English outside its quotes and brackets, where Chinese may stand
    (quotes nest: a quoted sentence holds quotes of its own)."""
    closing: list[str] = []
    for ch in text:
        if ch == '"':  # an ASCII quote opens or closes
            if closing and closing[-1] == '"':
                closing.pop()
            else:
                closing.append('"')
        elif ch in _OPEN:
            closing.append(_OPEN[ch])
        elif closing and ch == closing[-1]:
            closing.pop()
        elif not closing and CJK.match(ch):
            return False
    return True


# --- the answer ----------------------------------------------------------------------

NO_RENDERING = "In the documents' words (no English rendering):"


Item = tuple[int, str]  # (slot index, Chinese span)


def spans(pick: "Pick", profile: "QuestionProfile", question: str = "") -> list[list[Item]]:
    """The answer spans a pick shows, in groups of which the answer gives the first that
    renders: for a list, each value of the snippet that fills a slot is a group of its own;
    else each slot the question asks is one group: its values in the snippet nearest first
    to what the question names (Cannes -> 戛纳 in a sentence listing several cities with
    their dates), then the span the reader shows first."""
    from rag.slots import fills

    sentence = pick.scored.sentence.text
    at = sentence.find(pick.snippet)
    lo, hi = (at, at + len(pick.snippet)) if at >= 0 else (0, len(sentence))
    found = [f for f in fills(sentence, profile) if lo <= f.start and f.end <= hi]
    if profile.wants_list:
        return [[x] for x in dict.fromkeys((f.slot, sentence[f.start:f.end]) for f in found)]
    span = pick.span
    if not found:
        return [[(0, sentence[span[0]:span[1]])]] if span else []
    anchors = [m.start() for name in named_in(question) for m in re.finditer(re.escape(name), sentence)]

    def order(f) -> tuple:
        near = min((abs(f.start - x) for x in anchors), default=0)
        return near, not (span and f.start < span[1] and span[0] < f.end), f.start

    groups = []
    for i in range(len(profile.slots) or 1):
        mine = sorted((f for f in found if f.slot == i), key=order)
        if mine:
            groups.append((mine[0].start, list(dict.fromkeys((i, sentence[f.start:f.end]) for f in mine))))
    return [g for _, g in sorted(groups, key=lambda g: g[0])]


@lru_cache(maxsize=1)
def _by_english() -> dict[str, tuple[str, ...]]:
    """Proper names by their English (lower case): cannes -> (戛纳,)."""
    out: dict[str, list[str]] = {}
    for word, g in glosses().items():
        if g.proper and len(word) >= 2:
            out.setdefault(g.english.lower(), []).append(word)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=256)  # asked for every sentence an English question's slots are read in
def named_in(question: str) -> tuple[str, ...]:
    """The Chinese of the proper names an English question names (Cannes -> 戛纳), through
    CC-CEDICT: every run of capitalised words, and each word of it alone."""
    table = _by_english()
    out: list[str] = []
    for run in re.findall(r"[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)*", question):
        words = run.split()
        for phrase in [run] + (words if len(words) > 1 else []):
            key = phrase.lower()
            for w in table.get(key, ()) + (table.get(key[:-1], ()) if key.endswith("s") else ()):
                if w not in out:
                    out.append(w)  # BRICS also finds /BRIC/'s 金砖
    return tuple(out)


_SUFFIX_WORDS = frozenset(_SUFFIX.values())
_FIGURES = frozenset({"count", "money", "percent", "date", "docnumber"})


@lru_cache(maxsize=256)
def stated_numbers(question: str) -> frozenset[str]:
    """The numbers an English question states, as digits: "within five years", "35th" -> 5, 35."""
    from rag.verify import _EN_NUMBER, _english_number

    stated = set(re.findall(r"\d+(?:\.\d+)?", question.replace(",", "")))
    stated |= {str(_english_number(w.group())) for w in _EN_NUMBER.finditer(question)}
    return frozenset(stated)


def _asked_already(english: str, kind: str, question: str) -> bool:
    """Whether a rendering only repeats what the question itself names: its place or name
    (Cebu City for a question about Cebu City; Mexico for "which Mexican state"), or for a
    count a number the question states ("within five years" -> 5 years)."""
    if kind in ("count", "money", "percent"):
        m = re.search(r"\d[\d,]*(?:\.\d+)?", english)
        return bool(m) and m.group().replace(",", "") in stated_numbers(question)
    head = next((w for w in re.findall(r"[A-Za-z][\w'’\-]*", english) if w not in _SUFFIX_WORDS), "")
    if len(head) < 3 or not head[0].isupper():
        return False
    head = head.lower()
    stem = head[: max(4, len(head) - 1)]  # Mexico -> Mexic(an), Israel -> Israe(li), Japan -> Japa(nese)
    return any(w == head or (w.startswith(stem) and len(w) <= len(head) + 3)
               for w in (x.lower() for x in re.findall(r"[A-Za-z][\w'’\-]*", question)))


def lead(question: str, profile: "QuestionProfile", groups: list[list[Item]], paragraph: str) -> str | None:
    """The short English answer of a pick's spans: from each group the first span that
    renders, is not what the question itself names, and that the cited paragraph bears out
    (a figure or date by value, as the answer verifier checks one; a name by its Chinese
    span); each rendering is followed by its Chinese in brackets. A count takes the noun its own "how many"
    counts. A span with no rendering is left to the quote. None when nothing is left."""
    from rag.verify import facts, supported

    kinds = [sl.kind for sl in profile.slots] or ["other"]
    counts = [i for i, k in enumerate(kinds) if k == "count"]
    nouns = counted_nouns(question)
    shown: list[str] = []
    for group in groups:
        for slot, chinese in group:
            kind = kinds[slot] if slot < len(kinds) else "other"
            noun = nouns[counts.index(slot)] if slot in counts and counts.index(slot) < len(nouns) else None
            english = render(chinese, kind, question, noun)
            if not english or _asked_already(english, kind, question):
                continue
            # A name is the dictionary's gloss or the pinyin of a span the paragraph holds; a
            # figure or a date is rendered by rule, and checked by value (South Africa is no
            # claim about Africa).
            if kind in _FIGURES and any(not supported(f, [paragraph]) for f in facts(english)):
                continue
            if kind not in _FIGURES and fold(chinese) not in fold(paragraph):
                continue
            text = english if english == chinese else f"{english} ({chinese})"
            if text not in shown:
                shown.append(text)
                break
    if not shown:
        return None
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def region_label(region: str | None, title: str) -> str:
    """How an English answer names the document a part comes from: its region in English
    (厦门 -> Xiamen (厦门)), else its title, quoted."""
    if region:
        english = render_place(region)
        if english and english != region:
            return f"{english} ({region})"
    return f"“{title}”"


def line(question: str, profile: "QuestionProfile", pick: "Pick", paragraph: str, marker: int,
         label: str = "") -> str:
    """One part of an English answer: the English lead on a line, and beneath it the
    Chinese quote it comes from with its citation marker; when no span renders, a note in
    place of the lead."""
    head = lead(question, profile, spans(pick, profile, question), paragraph)
    prefix = f"{label}: " if label else ""
    return f"{prefix}{head or NO_RENDERING}\n“{pick.snippet.strip()}” [{marker}]"
