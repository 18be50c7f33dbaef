"""Rewriting a follow-up question into a standalone one, without a language model.

"那湖南呢？" after "福建2017年力争与哪些国家缔结省级友城？" becomes
"湖南2017年力争与哪些国家缔结省级友城？": a place or year in the follow-up replaces
the one of the same kind in the earlier question. Other follow-ups that lean on the
earlier turn ("它定了多少？", "What about overseas Chinese work?") are joined to
the earlier question, which gives retrieval the topic the pronoun stands for.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from rag.places import PROVINCES

# English names of provincial-level divisions, so "What about Hunan?" can substitute too.
_PINYIN = {
    "beijing": "北京", "tianjin": "天津", "shanghai": "上海", "chongqing": "重庆", "hebei": "河北",
    "shanxi": "山西", "liaoning": "辽宁", "jilin": "吉林", "heilongjiang": "黑龙江", "jiangsu": "江苏",
    "zhejiang": "浙江", "anhui": "安徽", "fujian": "福建", "jiangxi": "江西", "shandong": "山东",
    "henan": "河南", "hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "hainan": "海南",
    "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南", "shaanxi": "陕西", "gansu": "甘肃",
    "qinghai": "青海", "taiwan": "台湾", "inner mongolia": "内蒙古", "guangxi": "广西", "tibet": "西藏",
    "ningxia": "宁夏", "xinjiang": "新疆", "hong kong": "香港", "macau": "澳门", "macao": "澳门",
}
_PLACE = "(?:" + "|".join(sorted(PROVINCES, key=len, reverse=True)) + r")(?:省|市)?|[\u4e00-\u9fff]{2,3}市"
_PLACE_RE = re.compile(_PLACE)
_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*年?")
_ELLIPSIS_RE = re.compile(r"^(?:那么?|那|而|还有|另外)?\s*(.{1,20}?)\s*(?:呢|怎么样|如何)[？?。！]*$")
_WHAT_ABOUT_RE = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)[?.!]*$", re.I)
# Words that point back at an earlier turn (以上 only where it is not "or more": 500万元以上).
_ANAPHORA_RE = re.compile(
    r"它|其|该|这个|那个|这些|那些|此项|上述|(?<![\d０-９万亿千百十元人个家名项次%％])以上|前述|这(?:里面|当中|之中)|他们|它们|这项|这一|^那|呢[？?]?$|^(?:and|also)\b|\b(?:it|its|they|their|them|that|this|those|these)\b",
    re.I,
)


def previous_questions(history: Sequence[Any] | None) -> list[str]:
    """The user's earlier questions from a history given as (question, answer) pairs,
    role/content messages, or plain strings."""
    out: list[str] = []
    for turn in history or ():
        if isinstance(turn, str):
            out.append(turn)
        elif isinstance(turn, dict):
            if turn.get("role") == "user" and isinstance(turn.get("content"), str):
                out.append(turn["content"])
        elif isinstance(turn, (tuple, list)) and turn and isinstance(turn[0], str):
            out.append(turn[0])
    return [q.strip() for q in out if q and q.strip()]


def rewrite(question: str, history: Sequence[Any] | None) -> str:
    """A standalone form of ``question`` given the conversation so far."""
    earlier = previous_questions(history)
    if not earlier or not is_follow_up(question):
        return question
    previous = earlier[-1]
    focus = _focus(question)
    if focus:
        swapped = _substitute(previous, focus)
        if swapped != previous:
            return swapped
    return f"{previous.rstrip('？?。.!！')}；{question}"


def is_follow_up(question: str) -> bool:
    q = question.strip()
    cjk = sum(1 for ch in q if "\u4e00" <= ch <= "\u9fff")
    short = (cjk and cjk <= 6) or (not cjk and len(q.split()) <= 4)
    return bool(_ANAPHORA_RE.search(q) or _ELLIPSIS_RE.match(q) or _WHAT_ABOUT_RE.match(q) or short)


def _focus(question: str) -> str | None:
    """The new subject of an elliptical follow-up: "那湖南呢" -> "湖南"."""
    m = _ELLIPSIS_RE.match(question.strip()) or _WHAT_ABOUT_RE.match(question.strip())
    if not m:
        return None
    focus = m.group(1).strip()
    return _PINYIN.get(focus.lower(), focus)


def _is_place(text: str) -> bool:
    """A province, a …市, or a short proper name (舟山, 厦门) as CC-CEDICT knows it."""
    if _PLACE_RE.fullmatch(text):
        return True
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", text):
        return False
    from rag.cedict import proper_names

    return text in proper_names()


def _place_in(previous: str) -> re.Match | tuple[int, int] | None:
    m = _PLACE_RE.search(previous)
    if m:
        return m.span()
    from rag.question import proper_name_spans

    spans = proper_name_spans(previous)
    return spans[0] if spans else None


def _substitute(previous: str, focus: str) -> str:
    """Replace the place or year of ``previous`` by ``focus`` when they are of one kind."""
    if not re.search(r"[\u4e00-\u9fff]", previous):  # an English question: swap the English place name
        english = {v: k for k, v in _PINYIN.items()}.get(focus)
        if english:
            for name in _PINYIN:
                m = re.search(rf"\b{name}\b", previous, re.I)
                if m:
                    return previous[: m.start()] + english.title() + previous[m.end():]
        return previous
    if _is_place(focus):
        span = _place_in(previous)
        if span:
            return previous[: span[0]] + focus + previous[span[1]:]
        return previous
    if _YEAR_RE.fullmatch(focus):
        m = _YEAR_RE.search(previous)
        if m:
            replacement = focus + ("年" if m.group(0).endswith("年") and not focus.endswith("年") else "")
            return previous[: m.start()] + replacement + previous[m.end():]
    return previous
