"""What a question asks: read once into a ``QuestionProfile`` that travels down the chain.

The profile says what kind of answer is wanted and of what: the **slot** (a count of 志愿者
in 名, the person holding 秘书长, an institution of the kind 医院, the date of an event),
the constraints the answer must meet (years, five-year periods, places, administrative
levels, a quoted document), whether a list is wanted and how long it is (哪四种 -> 4),
whether it asks about a document itself, and its language. Every pattern comes from
``rag.patterns``.

Checks on input (empty, too long, undecodable) also live here, so that every entry
point refuses the same things with the same words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rag import patterns as P
from rag.errors import QuestionError
from rag.people import asked_post, asks_for_office, asks_for_person
from rag.text import fold

AnswerType = Literal["number", "date", "name", "place", "other"]
SlotKind = Literal["count", "money", "percent", "date", "person", "place", "org", "name", "docnumber", "other"]
TYPED: frozenset[str] = frozenset({"count", "money", "percent", "date", "person", "place", "org", "docnumber"})


@dataclass(frozen=True)
class Slot:
    """What a question asks of its focus."""

    kind: SlotKind
    focus: str = ""  # what it asks about: 志愿者, 友好城市, 秘书长 ("" when unread)
    unit: str | None = None  # the counter of a count: 多少名 -> 名
    category: str | None = None  # the kind of body or place: 医院, 单位, 国家
    granularity: Literal["day", "month", "year", "any"] = "any"  # for dates: 哪天, 几月, 哪年, 何时
    event: str = ""  # for places: the act the place is asked of (举办, 召开, 开幕), "" when none
    post: str = ""  # for who holds a post: the post by its head (组长, 副组长), "" when none
    countable: bool = False  # a count of things ("how many"), never a sum or a share


@dataclass(frozen=True)
class QuestionProfile:
    answer_type: AnswerType
    wants_list: bool
    cross_document: bool
    english: bool
    unit: str | None = None  # the unit a number question asks in: 多少天 -> 天
    about_document: bool = False  # asks for the title, number, date or issuer of a document
    person: bool = False  # asks who someone is: the answer must name a person
    text: str = ""
    slots: tuple[Slot, ...] = ()
    list_count: int | None = None  # 哪四种 -> 4; 五项措施是什么 -> 5
    section_parts: bool = False  # asks for the parts of a section or plan (its sub-headings)
    years: tuple[int, ...] = ()
    periods: tuple[str, ...] = ()  # 十三五
    places: tuple[str, ...] = ()  # Chinese places named (provinces, cities, counties)
    levels: tuple[str, ...] = ()  # 省级, 县级
    quoted_titles: tuple[str, ...] = ()  # 《…》 the question quotes
    off_documents: bool = False  # asks to be answered without the documents
    shared: bool = False  # asks what several documents have in common (均写到哪项协定)

    @property
    def slot(self) -> Slot:
        return self.slots[0] if self.slots else Slot("other")

    @property
    def typed(self) -> bool:
        """The answer is a thing of a kind a sentence can be checked for (a count, a date …)."""
        return any(s.kind in TYPED for s in self.slots)


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


# --- the kinds of question ------------------------------------------------------------

_DURATION = re.compile(r"多少年|几年|多长时间|多久|多长|how long", re.I)
_DATE_Q = re.compile(r"何时|什么时候|什么时间|哪天|哪一天|哪几天|哪年|哪一年|几月|几号|日期|起止|when\b|what (date|day|year|month)"
                     r"|which (year|month|day)|in what year", re.I)
_DAY_Q = re.compile(r"哪天|哪一天|哪几天|几号|几月几日|什么日子|日期|起止|which day|what date|what day", re.I)
_MONTH_Q = re.compile(r"几月份?|哪个月|哪一?月|which month|what month|in what month", re.I)
_YEAR_Q = re.compile(r"哪年|哪一年|which year|what year|in what year", re.I)
_NUMBER_Q = re.compile(r"多少|(?<![哪这那])几(?![乎])|数量|比例|百分之|规模|金额|多少钱|how (many|much)"
                       r"|what (number|percentage|share|proportion|amount)|number of|percent", re.I)
# A sum is also asked by its noun's head: money words end in 金, 费 or 款 (奖金, 事业费, 捐款).
_MONEY_Q = re.compile(r"多少钱|资金|经费|预算|金额|投资额|投资|拨款|补贴|资助|总额|费用|支出|收入|多少(?:万|亿)?元|多少美元"
                      r"|[\u4e00-\u9fff][金费款](?:共|总共|合计|总计)?(?:是|为|有|达)?多少"
                      r"|how much money|budget|funding|fund|cost|spend|spent|investment|expenditure|revenue|\bvalue\b", re.I)
_PERCENT_Q = re.compile(r"比例|比重|百分之|占比|百分比|增长率|增幅|增速|增长(?:了)?多少|提高(?:了)?多少|下降(?:了)?多少"
                        r"|what (percentage|share|proportion)|percent|growth rate|by how much", re.I)
_PLACE_Q = re.compile(r"哪里|何地|何处|在哪(?![家所个些一])|(?:在|位于|设在)什么(地方|地点)|哪[个座](国家|城市|省|州|地区|地方|县|区|国|场馆|会场|场地|地点|展馆|酒店|宾馆)"
                      r"|哪些(国家|城市|省|州|地区|地方)|哪国|哪(?:几|些|[两三四五六七八九十\d]{1,3})\s*(?:对|个|座)?\s*(?:国际)?(友好城市|友城)"
                      r"|哪(?:两|三|四|五|几)(?:个)?(国家|城市|地)|where\b|which (country|countries|city|cities|province"
                      r"|provinces|state|region|regions)|in which (country|city|province)", re.I)
_NAME_Q = re.compile(r"叫什么|名称|名字|称为|称号|主题|口号|什么名|何名|what is the name|what was the name|called", re.I)
_ORG_Q = re.compile(
    rf"(?:哪个|哪家|哪所|哪一|什么|何种|哪些|由哪)\s*({'|'.join(sorted(P.INSTITUTIONS + P.GENERIC_ORGS, key=len, reverse=True))})"
)
# An English question's asked kind, after which/what and up to three words that narrow it
# (which two BRICS countries, at which Japanese city, what review procedure): the kind is
# given the Chinese word a Chinese question would use, so that one slot reading serves both.
_EN_KIND_Q = re.compile(r"\b(?:which|what)\s+(?:[\w'’-]+\s+){0,3}?(countries|country|cities|city|provinces|province"
                        r"|states|state|regions|region|ports?|organi[sz]ations?|institutions?|departments?|units?"
                        r"|offices?|agenc(?:y|ies)|bod(?:y|ies)|compan(?:y|ies)|enterprises?|hospitals?"
                        r"|universit(?:y|ies)|schools?|platforms?|cent(?:er|re)s?|associations?|banks?|parks?|bases?"
                        r"|forums?|officials|leaders?|persons?|people|ministers?|experts?)\b", re.I)  # (official: an adjective as often)
_EN_KINDS = {
    "countr": ("place", "国家"), "cit": ("place", "城市"), "province": ("place", "省"), "state": ("place", "州"),
    "region": ("place", "地区"), "port": ("org", "港"), "organi": ("org", None), "institution": ("org", None),
    "department": ("org", "部门"), "unit": ("org", "单位"), "office": ("org", "办公室"), "agenc": ("org", None),
    "bod": ("org", None), "compan": ("org", "公司"), "enterprise": ("org", "企业"), "hospital": ("org", "医院"),
    "universit": ("org", "大学"), "school": ("org", "学校"), "platform": ("org", "平台"), "cent": ("org", "中心"),
    "association": ("org", "协会"), "bank": ("org", "银行"), "park": ("org", "园区"), "base": ("org", "基地"),
    "forum": ("org", "论坛"), "official": ("person", None), "leader": ("person", None), "person": ("person", None),
    "people": ("person", None), "minister": ("person", None), "expert": ("person", None),
}


_EN_EDITION_Q = re.compile(r"\b(?:which|what) (?:edition|ordinal)\b|\bhow many(?:th)? (?:edition|session) (?:was|is|will)\b", re.I)


def _english_kind(part: str) -> Slot | None:
    """The slot of an English question that asks for a thing of a kind (which two BRICS
    countries → places of the kind 国家; which institution → a body; which officials → people)."""
    if _EN_EDITION_Q.search(part):
        return Slot("count", "", "第")  # which edition of the forum: 第几届, an ordinal
    m = _EN_KIND_Q.search(part)
    if not m or _NUMBER_Q.search(part):
        return None
    word = m.group(1).lower()
    kind, category = next(v for k, v in _EN_KINDS.items() if word.startswith(k))
    if kind == "place":
        return Slot("place", category=category)
    if kind == "person":
        return Slot("person", "")
    return Slot("org", category=category)
_LIST_Q = re.compile(r"哪些|有哪|包括|分别|列举|哪几|都有|各有|几个方面|哪(?:两|三|四|五|六|七|八|九|十|\d)+(?:个|项|种|类|条|家|所|位|名|座|方面|大|件|点|批|国)"
                     r"|what are|which .*(s|ies)\b|\blist\b|name the|what .* (areas|fields|countries|cities|measures|tasks"
                     r"|events|aspects|priorities|services|functions|divisions|items|steps|goals)", re.I)
_CROSS_Q = re.compile(r"哪些(文件|文档|地方|地区|省|市|规划|计划)|哪(两|几)份|(都|均)(提到|提及|有|出现)|分别|相比|比较|对比"
                      r"|哪个(更|多)|各自|compare|both|which documents|each of", re.I)
_META_Q = re.compile(r"标题|题目|全称|文号|落款|印发|发文|签发|成文|作者|署名|哪个(单位|机关|部门)(印发|发布|制定)"
                     r"|title|document number|issued|issuing|author", re.I)
# Which places' documents (哪个城市的外事规划, 哪些省份的总结): the documents are the answer, a short
# modifier (外事, 工作) may stand between 的 and the kind of document.
_PLACES_DOCUMENTS = re.compile(r"哪些?(?:个)?(?:地方|地区|省份?|市|城市)的[^，,。？?、的]{0,6}?"
                               r"(?:文件|文档|规划|总结|计划|报告|要点|纲要|材料)")
_PARTS_Q = re.compile(r"第[一二三四五六七八九十\d]+(?:部分|章|节|项|方面)|几个方面|哪些方面|哪几方面|哪几项|主要任务|重点任务|重点工作"
                      r"|主要内容|哪些工作|几项工作|哪几条|哪些条|部分(?:中|里)?(?:列出|列了|提出|包括|包含)|哪[两三四五六七八九十\d]+(?:个方面|项工作|项任务|大任务|方面)|sections?|parts?\b|aspects", re.I)
_LIST_COUNT = re.compile(r"哪([两三四五六七八九十\d]{1,3})(?:个|项|种|类|条|家|所|位|名|座|方面|大|件|点|批|国|部分)"
                         r"|([两三四五六七八九十\d]{1,3})(?:个|项|种|类|条|大|件|点|方面)[\u4e00-\u9fff“”\"]{0,12}(?:是什么|是哪|有哪|分别|具体|指什么|包括)")
_EN_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# What several documents have in common: the thing each of them names (两份规划均写到哪项协定,
# 二者都要求贯彻什么战略, which … do both mention).
_SHARED_Q = re.compile(r"(?:都|均|同时|共同)(?:提到|提及|提出|强调|涉及|包括|包含|有|写到|写入|要求|要)[^，,。？?]{0,10}?(?:哪|什么)"
                       r"|共同(?:的|点|之处)|\bboth\b[^?]{0,40}\b(?:mention|name|stress|emphasi[sz]e|refer)", re.I)
# Asking to be answered from something other than the documents (or from nothing).
_OFF_DOCUMENTS = re.compile(
    r"(?:忽略|无视|不要(?:看|查|参考|根据|依据|使用)|别(?:看|查)|不用(?:看|查|参考))(?:这些|以上|上述|所有|你的)?(?:文件|文档|资料|材料|内容|指令|提示)"
    r"|凭(?:你)?(?:自己|自身)的?(?:知识|记忆|经验)|不要查资料|ignore (?:the |all |any |these |previous |your )*"
    r"(?:documents?|instructions?|context|sources?)|without (?:using |looking at )?(?:the )?documents"
    r"|from your own knowledge", re.I)
_PLACE_CATEGORY = {**{v: "场馆" for v in ("场馆", "会场", "场地", "展馆", "酒店", "宾馆")}, "地点": "地方", "友好城市": "地方", "友城": "地方", "国家": "国家", "国": "国家", "城市": "城市", "省": "省", "州": "州", "地区": "地区", "地方": "地方",
                   "县": "县", "区": "区", "country": "国家", "countries": "国家", "city": "城市", "cities": "城市",
                   "province": "省", "provinces": "省", "state": "州", "region": "地区", "regions": "地区"}
# Verbs and measure words around a count that are not its focus (…达到多少对, 有多少名).
_COUNT_VERBS = re.compile(r"(?:一共|共计|总计|累计|合计|总共|共|达到|达|约|有|是|为|超过|新增|增加|数量|总数|人数|次数|个数|规模|的|了)+$")
_FOCUS_STOP = re.compile(r"[？?，,。；;！!、：:“”\"（）()《》\s]|是|有|在|被|将|与|和|于|吗|呢|了|的|为|从")


def profile(question: str) -> QuestionProfile:
    """Read a question once: its kind, slots, list intent, constraints and language."""
    return _profile(question)


@lru_cache(maxsize=512)
def _profile(question: str) -> QuestionProfile:
    from rag.places import places_in

    q = fold(question)
    english = P.is_english(q)
    shared = bool(_SHARED_Q.search(q))
    slots = tuple(s for part in _parts(q) for s in _slots(part, english))
    slots = tuple(s for s in slots if s.kind != "other") or slots[:1]
    kind = _legacy_type(q, slots)
    first = slots[0] if slots else Slot("other")
    count = _list_count(q, english)
    wants_list = bool(_LIST_Q.search(q)) or count is not None
    return QuestionProfile(
        answer_type=kind,
        wants_list=wants_list,
        cross_document=_cross(q) or shared,
        english=english,
        unit=first.unit if first.kind == "count" else None,
        about_document=bool(_META_Q.search(q)),
        person=any(s.kind == "person" for s in slots),
        text=question,
        slots=slots,
        list_count=count,
        section_parts=wants_list and bool(_PARTS_Q.search(q)),
        years=_years(q),
        periods=tuple(sorted(set(P.FIVE_YEAR_RE.findall(q)))),
        places=tuple(dict.fromkeys(p.name for _, _, p in places_in(q))),
        levels=tuple(sorted(set(P.LEVEL_RE.findall(q)))),
        quoted_titles=tuple(P.QUOTED_TITLE_RE.findall(q)),
        off_documents=bool(_OFF_DOCUMENTS.search(q)),
        shared=shared,
    )


_RELATIVE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?[^，,。？?；;]{0,10}?的?(前一年|上一年|上年|后一年|下一年|次年|第二年)")


def _years(q: str) -> tuple[int, ...]:
    """The years a question asks about; a year named as the reference of a relative one
    (2018年工作要点的前一年, 2016年的次年) stands for the year it points to."""
    years = {int(y) for y in P.YEAR_RE.findall(q)}
    for m in _RELATIVE_YEAR.finditer(q):
        base = int(m.group(1))
        years.discard(base)
        years.add(base - 1 if m.group(2) in ("前一年", "上一年", "上年") else base + 1)
    return tuple(sorted(years))


def _cross(q: str) -> bool:
    """Whether the question asks across documents: 哪些文件, 都提到, 相比 …; 分别 only when it
    names two or more places (湖南和江西分别…), not for two things of one document."""
    from rag.places import places_in

    cues = [m.group() for m in _CROSS_Q.finditer(q)]
    if any(c != "分别" for c in cues) or _PLACES_DOCUMENTS.search(q):
        return True
    places = {p.name: p for _, _, p in places_in(q)}
    # Two places neither of which lies in the other (佛山 and 石家庄, not 福建 and 厦门): two documents.
    apart = any(a.province != b.province or (a.kind == b.kind == "province" and a.name != b.name)
                for a in places.values() for b in places.values() if a.name != b.name
                and a.name != b.province and b.name != a.province)
    return apart or (bool(cues) and len(places) >= 2)


def _parts(q: str) -> list[str]:
    """The parts of a question that asks several things (…多少家？比重是多少？)."""
    parts = [p for p in re.split(r"[？?；;]|，(?:又|还|以及|并且|其中)", q) if p.strip()]
    return parts or [q]


def _slots(part: str, english: bool) -> list[Slot]:
    """The slots of one part of a question; a part with two counts (与多少个国家…建立了多少对…)
    has two."""
    if english:
        asks = _EN_FURTHER_ASK.split(part)
        if len(asks) > 1:  # "how many projects …, and what was their total investment?"
            return [slot for piece in asks for slot in _slots(piece, english)]
    first = _slot(part, english)
    if english and first.kind == "count" and first.unit != "第":
        asks = [m.start() for m in re.finditer(r"\bhow many\b", part, re.I)]
        pieces = [part[a: b] for a, b in zip(asks, asks[1:] + [len(part)])] or [part]
        return [Slot("count", "", _english_unit(piece), countable=bool(re.search(r"\bhow many\b", piece, re.I)))
                for piece in pieces]
    if first.kind != "count" or english:
        return [first]
    counts = list(re.finditer(r"多少|(?<![哪这那])几(?![乎])", part))
    if len(counts) < 2:
        return [first]
    out = []
    for i, m in enumerate(counts):
        piece = part[counts[i - 1].end() if i else 0: counts[i + 1].start() if i + 1 < len(counts) else len(part)]
        unit = _unit(piece)
        out.append(Slot("count", _focus_count(piece, unit), unit))
    return out


# An English question that asks a second thing after "and" (… and what was …, … and when …).
_EN_FURTHER_ASK = re.compile(r",?\s+and\s+(?=(?:how much|by how much|what|which|when|where|who|whom|in (?:what|which))\b)", re.I)

_DOC_NUMBER_Q = re.compile(r"文号|发文字号|发文号|文件编号|文件字号|document number", re.I)


# An event asked where it is held (在哪一座城市举办, 在何地开幕): the place answers where it
# is the event's. (Where a thing lies, 位于/设在, and who hosts, 由哪个城市承办, are read otherwise.)
_PLACE_EVENT = re.compile(r"(?<=在)[^，,。？?]{0,8}?(?:哪|什么地方|何地|何处)[^，,。？?]{0,8}?(举办|举行|召开|开幕)")


def _slot(part: str, english: bool) -> Slot:
    if _OFF_DOCUMENTS.search(part):
        return Slot("other")
    if _DOC_NUMBER_Q.search(part):
        return Slot("docnumber")  # 闽政外秘〔2017〕11号: a document's number, not a count
    listed = _listed_bodies(part)
    if listed is not None:
        return listed
    kind = _english_kind(part) if english and not _DATE_Q.search(part) else None
    if kind is not None:
        return kind
    if _LIST_COUNT.search(part) and not _NUMBER_Q.search(_LIST_COUNT.sub("", part)):
        m = _PLACE_Q.search(part)
        category = next((_PLACE_CATEGORY.get(g.lower()) for g in m.groups() if g), None) if m else None
        if category:
            return Slot("place", category=category)  # 哪两个城市: the items are places
        return Slot("other")  # 两个平台分别是什么: the items themselves are the answer
    if _PLACES_DOCUMENTS.search(part):
        return Slot("other")  # which places' documents say X: the documents are the answer, not a place in them
    if asks_for_person(part):
        office = asks_for_office(part)
        return Slot("person", _focus_person(part), category="office" if office else None,
                    post=asked_post(part) if office else "")
    if _DATE_Q.search(part) and not _DURATION.search(part):
        grain = ("day" if _DAY_Q.search(part) else "month" if _MONTH_Q.search(part)
                 else "year" if _YEAR_Q.search(part) else "any")
        return Slot("date", part, granularity=grain)  # the whole part: the act the date belongs to
    if english and _MONEY_Q.search(part) and re.search(r"\bwhat (?:is|was|were|are)\b", part, re.I):
        return Slot("money", "")  # "What was the total budget …": a sum, as 预算是多少 is
    if _NUMBER_Q.search(part):
        if _PERCENT_Q.search(part):
            return Slot("percent", _focus_count(part, None))
        unit = _unit(part)
        # English counts things with "how many" and sums with "how much" (how many
        # investment events is a count).
        counted = english and re.search(r"\bhow many\b", part, re.I) and not re.search(
            r"\bhow many (?:[a-z]+ )?(?:yuan|dollars|euros|pounds|yen)\b", part, re.I)
        if (unit in P.MONEY_UNITS or _MONEY_Q.search(part)) and unit not in ("个", "项", "次", "名", "人", "家", "对") \
                and not counted:
            return Slot("money", _focus_count(part, unit), unit)
        return Slot("count", _focus_count(part, unit), unit)
    m = _ORG_Q.search(part)
    if m and not (m.group(1) in ("中心",) and _PLACE_Q.search(part)):
        if re.search(r"哪些|有哪|哪几", part) and m.group(1) not in P.GENERIC_ORGS + P.ORG_ENDINGS:
            return Slot("name", category=m.group(1))  # 哪些活动: the events themselves are the answer
        return Slot("org", category=m.group(1))
    m = _PLACE_Q.search(part)
    if m:
        category = next((_PLACE_CATEGORY.get(g.lower()) for g in m.groups() if g), None)
        event = _PLACE_EVENT.search(part)
        return Slot("place", category=category, event=event.group(1) if event else "")
    if _NAME_Q.search(part):
        return Slot("name")
    return Slot("other")


# Bodies a list names (哪几家企业, 3个组织各叫什么, 分别是哪几家): each item is a name of that kind.
_BODIES = ("企业", "公司", "集团", "银行", "医院", "大学", "高校", "学校", "协会", "商会", "组织", "机构", "单位", "部门")
_BODY = "|".join(_BODIES)
_LISTED_BODIES = re.compile(rf"哪(?:几|些)\s*(?:个|家|所)?\s*({_BODY})|哪[两三四五六七八九十\d]{{1,3}}\s*(?:个|家|所)\s*[\u4e00-\u9fff]{{0,6}}?({_BODY})"
                            rf"|({_BODY})\s*(?:分别|各自)\s*(?:是|叫|为|有)?\s*(?:什么|哪)|(?:分别|各自)?是?哪(?:几|些|[两三四五六七八九十\d]{{1,3}})家")


def _listed_bodies(part: str) -> Slot | None:
    """A question for the names of several bodies (哪几家企业, 三个组织各叫什么): an org slot."""
    m = _LISTED_BODIES.search(part)
    if not m:
        return None
    category = next((g for g in m.groups() if g), None) or next((b for b in _BODIES if b in part[: m.start()]), "单位")
    # A counted list (哪3个组织, 3家企业分别是): its names stand with what the question says the
    # bodies did (签署意向书的, 申请审批权的).
    counted = bool(re.search(rf"[两三四五六七八九十\d]\s*(?:个|家|所)", part))
    focus = _plain(part[: m.start()] + part[m.end():]) if counted else ""
    return Slot("org", focus=focus, category=category)


_UNIT_Q = re.compile(rf"(?:多少|(?<![哪这那])几)\s*({'|'.join(map(re.escape, P.COUNTERS))}|%)")


# What an English count counts, as the counter a Chinese text counts it in (delegations 批,
# people 人, person-visits 人次, times 次, days 天); None where the noun has no one counter.
_EN_COUNTERS = (
    (r"delegations?|groups?|batch(?:es)?|teams?", "批"), (r"person[- ]?(?:times|visits|trips)", "人次"),
    (r"people|persons|participants|guests|attendees|volunteers|experts|talents|journalists|students|teachers", "人"),
    (r"times|sessions|rounds|editions", "次"), (r"days", "天"), (r"hours", "小时"), (r"years", "年"),
    (r"months", "个月"), (r"weeks", "周"),
)
_EN_COUNTED = re.compile(r"\bhow many\s+(?:[a-z-]+\s+){0,2}?(" + "|".join(f"(?:{w})" for w, _ in _EN_COUNTERS) + r")\b", re.I)


def _english_unit(part: str) -> str | None:
    """The counter of an English count (how many incoming delegations -> 批), or None."""
    m = _EN_COUNTED.search(part)
    if not m:
        return None
    return next(c for w, c in _EN_COUNTERS if re.fullmatch(w, m.group(1), re.I))


def _unit(part: str) -> str | None:
    if re.search(r"第几|排第|位列第", part):
        return "第"  # an ordinal is asked for: 排第几 is answered by 第四
    m = _UNIT_Q.search(part)
    if m:
        return m.group(1)
    m = re.search(r"多少\s*(万|亿)\s*(元|美元)", part)
    return m.group(1) + m.group(2) if m else None


def _focus_count(part: str, unit: str | None) -> str:
    """What is counted: the words after 多少+counter (多少名志愿者), else those before the count
    (友城数量达到多少对)."""
    m = re.search(r"(?:多少|(?<![哪这那])几)", part)
    if not m:
        return ""
    after = _focus_after(part, m.end() + (len(unit) if unit and part[m.end():].lstrip().startswith(unit) else 0))
    if len(after) >= 2:
        return _plain(after)
    before = _COUNT_VERBS.sub("", part[: m.start()])
    return _plain(re.split(r"[，,、：:；;（）()\s]", before)[-1][-8:])


def _plain(focus: str) -> str:
    """A focus without the time constraints the profile reads on their own (years, periods, levels)."""
    focus = P.FIVE_YEAR_RE.sub("", P.YEAR_RE.sub("", focus))
    return re.sub(r"期间|时期|年度|全年|今年|去年|上半年|下半年|(?<!副)[省市县区]级", "", focus)


def _focus_after(part: str, at: int) -> str:
    rest = part[at:].lstrip()
    rest = rest[1:] if rest.startswith("的") else rest  # 多少位的来访嘉宾: the noun follows 的
    stop = _FOCUS_STOP.search(rest)
    return rest[: stop.start() if stop else len(rest)][:8]


def _focus_person(part: str) -> str:
    from rag.people import TITLES

    return next((t for t in TITLES if t in part), "")


def _legacy_type(q: str, slots: tuple[Slot, ...]) -> AnswerType:
    kind = slots[0].kind if slots else "other"
    return {"count": "number", "money": "number", "percent": "number", "date": "date", "person": "name",
            "place": "place", "org": "name", "name": "name", "docnumber": "name"}.get(kind, "other")  # type: ignore[return-value]


def _list_count(q: str, english: bool) -> int | None:
    m = _LIST_COUNT.search(q)
    if m:
        return P.cn_number(m.group(1) or m.group(2))
    if english:
        m = re.search(r"\b(?:which|what|the|name)\s+(two|three|four|five|six|seven|eight|nine|ten)\b", q, re.I)
        if m:
            return _EN_NUMBERS[m.group(1).lower()]
    return None


def sub_questions(question: str) -> list[str]:
    """The parts of a question that asks several things ("几大类…？多少项…？")."""
    parts = [p.strip() for p in re.split(r"[？?；;]|，(?:又|还|以及|并且)", question) if p.strip()]
    return [p for p in parts if sum(1 for ch in p if "\u4e00" <= ch <= "\u9fff") >= 4] if len(parts) > 1 else []


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
