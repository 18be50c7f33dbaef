"""What a question asks for: the kind of answer, whether it wants a list, its language.

Checks on input (empty, too long, undecodable) also live here, so that every entry
point refuses the same things with the same words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from rag.errors import QuestionError
from rag.people import asks_for_person

AnswerType = Literal["number", "date", "name", "place", "other"]

_NUMBER_Q = re.compile(r"多少|(?<![哪这那])几(?![乎])|数量|比例|百分之|规模|金额|多长时间|多久|多长|how (many|much|long)|what (number|percentage|share|proportion)|number of|percent", re.I)
_DATE_Q = re.compile(r"何时|什么时候|什么时间|哪天|哪一天|哪年|哪一年|几月|几号|日期|when\b|what (date|day|year|month)|which (year|month|day)", re.I)
_PLACE_Q = re.compile(r"哪里|何地|哪个(国家|城市|省|州|地区|地方)|哪些(国家|城市|省|州|地区|地方)|哪国|where\b|which (country|countries|city|cities|province|provinces|state|region|regions)", re.I)
_NAME_Q = re.compile(r"谁|哪位|哪个|哪些|什么|何种|名称|叫什么|哪家|who\b|whom\b|which\b|what\b|name", re.I)
_LIST_Q = re.compile(r"哪些|有哪|包括|分别|列举|哪几|都有|各有|what are|which .*(s|ies)\b|list|name the|what .* (areas|fields|countries|cities|measures|tasks|events)", re.I)
_CROSS_Q = re.compile(r"哪些(文件|文档|地方|地区|省|市|规划|计划)|哪(两|几)份|(都|均)(提到|提及|有|出现)|分别|相比|比较|对比|哪个(更|多)|compare|both|which documents|each of", re.I)
_NUMERAL = r"[\d０-９一二三四五六七八九十百千万两]"
NUMBER_RE = re.compile(rf"{_NUMERAL}+(?:\.\d+)?\s*(?:%|％|亿|万|千|百)?\s*(?:美元|元|个|对|批次|批|人次|名|人|家|项|次|小时|天|周年|年|届|国|所|场|期|座|位|余|倍|条|件|套|部|篇|多|大|类|组)|\d+(?:\.\d+)?%?")
DATE_RE = re.compile(r"(?:\d{4}|XX)\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(?:[上中下]旬|底|初)?|\d{4}-\d{1,2}-\d{1,2}")
# A place name with its suffix; 国 not in 国际/国家/国内/国外 ("合作国际…" names no country).
_PLACE_RE = re.compile(r"[\u4e00-\u9fff]{1,5}(?:省|市|州|国(?![际家内外])|县|区|岛|港|湾)|[\u4e00-\u9fff]{2,4}(?:大使馆|领事馆)")
_NAME_RE = re.compile(r"《[^》]{2,40}》|“[^”]{2,30}”|[\u4e00-\u9fff]{2,12}(?:会|节|论坛|大会|中心|协会|学校|中学|大学|基地|平台|项目|计划|活动|机制|园区|办公室|委员会)")


_UNIT_Q = re.compile(r"(?:多少|(?<![哪这那])几)\s*(个|对|批次|批|人次|名|人|家|项|次|小时|天|周年|年|届|国|所|场|期|座|位|倍|条|件|种|组|张|份|篇|期|万|亿|%)")
# Questions about the document itself: its title, number, date of issue, issuer.
_META_Q = re.compile(r"标题|题目|全称|文号|落款|印发|发文|签发|成文|哪个(单位|机关|部门)(印发|发布|制定)|title|document number|issued|issuing", re.I)
_PERSON_RE = re.compile(r"(?:部长|书记|省长|市长|主任|大使|总领事|总理|主席|会长|局长|厅长)[\u4e00-\u9fff]{2,3}|[\u4e00-\u9fff]{2,3}(?:书记|省长|市长|部长|副省长|主任)")


_YEAR_ONLY = re.compile(r"(?:19|20)\d{2}\s*年?")
DAY_Q = re.compile(r"哪天|哪一天|几号|几月几日|什么日子|which day|what date|what day", re.I)
YEAR_Q = re.compile(r"哪年|哪一年|which year|what year", re.I)
DAY_RE = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}")
YEAR_IN_QUESTION = re.compile(r"((?:19|20)\d{2})\s*年?")


@dataclass(frozen=True)
class QuestionProfile:
    answer_type: AnswerType
    wants_list: bool
    cross_document: bool
    english: bool
    unit: str | None = None  # the unit a number question asks in: 多少天 -> 天
    about_document: bool = False  # asks for the title, number, date or issuer of a document
    person: bool = False  # asks who someone is: the answer must name a person


def check_question(question: object, max_chars: int) -> str:
    """The question, cleaned, or a QuestionError saying what is wrong with it."""
    if isinstance(question, bytes):
        try:
            question = question.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QuestionError("the question is not valid UTF-8 text") from exc
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", question) if ch.isprintable() or ch in "\n\t")
    cleaned = cleaned.replace("\ufffd", "").strip()
    if not cleaned:
        raise QuestionError("the question is empty; ask something about the documents")
    if len(cleaned) > max_chars:
        raise QuestionError(
            f"the question is {len(cleaned):,} characters long; the limit is {max_chars:,}. "
            "Ask a shorter question."
        )
    return cleaned


def profile(question: str) -> QuestionProfile:
    """Classify a question by the kind of answer it expects."""
    english = sum(1 for ch in question if "\u4e00" <= ch <= "\u9fff") < 2
    if _DATE_Q.search(question) and not re.search(r"多少年|几年|多长时间|多久|how long", question, re.I):
        kind: AnswerType = "date"
    elif _NUMBER_Q.search(question):
        kind = "number"
    elif _PLACE_Q.search(question):
        kind = "place"
    elif _NAME_Q.search(question):
        kind = "name"
    else:
        kind = "other"
    unit = _UNIT_Q.search(question)
    person = kind == "name" and asks_for_person(question)
    return QuestionProfile(
        kind, bool(_LIST_Q.search(question)), bool(_CROSS_Q.search(question)), english,
        unit.group(1) if unit and kind == "number" else None, bool(_META_Q.search(question)), person,
    )


# Counters that stand in for one another: 多少位 is answered by 8名, 多少批 by 205批次.
_UNIT_GROUPS = ("位名人", "批次", "份篇件部", "家所个项")
_GENERIC_UNITS = "个种"


def has_unit(text: str, unit: str, question: str = "") -> bool:
    """Whether ``text`` has a number counted in ``unit`` or a unit that stands in for it
    (105个, 652天, 30余批, 8名 for 多少位); a generic counter (个) takes any number. A number
    the question itself gives ("100名…中，日语人才多少名") is not an answer to it."""
    asked = re.sub(r"\s+", "", question)
    if unit in _GENERIC_UNITS:
        return any(re.sub(r"\s+", "", text[a:b]) not in asked for a, b in type_spans(text, "number"))
    group = next((g for g in _UNIT_GROUPS if unit in g), unit)
    units = "|".join(re.escape(u) for u in {unit, *group})
    found = re.finditer(rf"(?:\d|[一二三四五六七八九十百千两])+\s*(?:\.\d+)?\s*(?:余|多)?\s*(?:{units})", text)
    return any(not asked or re.sub(r"\s+", "", m.group()) not in asked for m in found)



def type_spans(text: str, answer_type: AnswerType) -> list[tuple[int, int]]:
    """Where in ``text`` something of the asked-for kind stands (numbers, dates, places, names)."""
    pattern = {"number": NUMBER_RE, "date": DATE_RE, "place": _PLACE_RE, "name": _NAME_RE}.get(answer_type)
    if pattern is None:
        return []
    spans = [m.span() for m in pattern.finditer(text)]
    if answer_type == "number":  # a year is a date, not the count asked for
        spans = [(a, b) for a, b in spans if not _YEAR_ONLY.fullmatch(text[a:b])]
    if answer_type == "name":
        spans += [m.span() for m in _PERSON_RE.finditer(text)]
    if answer_type == "place":  # countries and cities have no suffix to match: 俄罗斯, 宿务
        spans += [s for s in proper_name_spans(text) if not any(a <= s[0] and s[1] <= b for a, b in spans)]
    return sorted(spans)


def proper_name_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has words that CC-CEDICT gives as proper names."""
    import rjieba

    from rag.cedict import proper_names

    names = proper_names()
    out, at = [], 0
    for word in rjieba.cut(text):
        if len(word) >= 2 and word in names:
            out.append((at, at + len(word)))
        at += len(word)
    return out


def sub_questions(question: str) -> list[str]:
    """The parts of a question that asks several things ("几大类…？多少项…？")."""
    parts = [p.strip() for p in re.split(r"[？?；;]|，(?:又|还|以及|并且)", question) if p.strip()]
    return [p for p in parts if sum(1 for ch in p if "\u4e00" <= ch <= "\u9fff") >= 4] if len(parts) > 1 else []
