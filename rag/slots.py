"""Answer slots: whether a sentence holds what the question asks, bound to what it asks about.

A sentence answers a count only with a number in the counter asked for (or one that
stands in for it: 8名 for 多少位) standing near the thing counted (志愿者300名, 新缔结友城3对);
a date question with a date the question does not give; a who-question with a person
named with the office asked about; an institution question with a name of that kind
(…医院, …中心) that the question does not already say. A sentence that mentions the focus
without filling the slot does not answer: that is what a near miss looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag import patterns as P
from rag.furniture import PAGE_DATE_FIELDS
from rag.question import QuestionProfile, Slot
from rag.text import fold

# Counters that stand in for one another: 多少位 is answered by 8名, 多少批 by 205批次.
# Counters that stand in for one another; 个 is the general counter (多少个 is answered by
# 家, 项, 国, 对 … too), while 人次 is not 批次 and 名 is not 人次.
_UNIT_GROUPS = (
    ("位", "名", "人", "余人"), ("批次", "批"), ("份", "篇", "件", "部", "册", "本"),
    ("个", "家", "所", "项", "座", "处", "大", "大类", "类", "种", "国", "对", "支", "条", "组"),
    ("次", "场", "届", "期", "轮"), ("天", "日"), ("年", "周年"), ("人次", "万人次"),
)


@dataclass(frozen=True)
class Fill:
    """A value in a sentence that fills a slot: where it stands and which slot."""

    start: int
    end: int
    slot: int  # index into the profile's slots


def fills(text: str, profile: QuestionProfile) -> list[Fill]:
    """Every value of ``text`` that fills one of the question's slots, bound to its focus
    (read once per sentence and question: scoring, choosing, snippets and signals all ask)."""
    return list(_fills(text, profile))


@lru_cache(maxsize=8192)
def _fills(text: str, profile: QuestionProfile) -> tuple[Fill, ...]:
    folded = fold(text)
    asked = re.sub(r"\s+", "", fold(profile.text))
    if profile.english:  # what an English question names counts in its Chinese (BRICS: 金砖)
        from rag.english import named_in

        asked += "|" + "|".join(named_in(profile.text))
    out = []
    for i, slot in enumerate(profile.slots):
        for a, b in candidates(folded, slot, profile, asked):
            if bound(folded, a, b, slot):
                out.append(Fill(a, b, i))
    return tuple(out)


def filled(text: str, profile: QuestionProfile) -> bool:
    """Whether ``text`` fills the question's first typed slot (True when no slot is typed)."""
    typed = [i for i, s in enumerate(profile.slots) if s.kind in _CHECKED]
    if not typed:
        return True
    got = {f.slot for f in fills(text, profile)}
    return typed[0] in got


def filled_share(text: str, profile: QuestionProfile) -> float:
    """The share of the question's typed slots that ``text`` fills (1.0 when none is typed)."""
    typed = [i for i, s in enumerate(profile.slots) if s.kind in _CHECKED]
    if not typed:
        return 1.0
    got = {f.slot for f in fills(text, profile)}
    return sum(i in got for i in typed) / len(typed)


_CHECKED = frozenset({"count", "money", "percent", "date", "person", "place", "org", "name", "docnumber"})


def candidates(folded: str, slot: Slot, profile: QuestionProfile, asked: str) -> list[tuple[int, int]]:
    """Spans of ``folded`` of the slot's kind that the question does not itself give."""
    if slot.kind == "person":
        from rag.people import office_spans, person_spans

        found = person_spans(folded, profile.text)
        if slot.category != "office":
            return found
        from rag.people import of_the_post

        # Who holds a post: a name or an office in a clause about that post, or between 由 and 担任.
        return [s for s in found if of_the_post(folded, *s, slot.post)] + office_spans(folded, profile.text, slot.post)
    spans = _typed_spans(folded, slot)
    out = []
    for a, b in spans:
        piece = re.sub(r"\s+", "", folded[a:b])
        if not piece or piece in asked:
            continue
        if slot.kind in ("place", "org", "name") and len(piece) >= 3 and piece[-3:] in asked and piece[:2] not in asked:
            continue  # (a match may start too early: "举办第二届江西省" is 江西省)
        if slot.kind in ("org", "name") and _named_in_question(piece, asked):
            continue  # "建立X省某某培训基地" for a question about that 培训基地: the body asked about, not its answer
        if slot.kind in ("place", "org", "name") and not profile.wants_list and _beside_the_asked(folded, a, b, asked):
            continue  # "与甲国最大港、乙国第二大港建立联系" does not name the port asked about: it lists another
        if slot.kind in ("org", "place") and _COUNTED.search(piece):
            continue  # "3家世界500强企业", "两个城市": things counted, not named
        if slot.kind == "date" and not profile.about_document and _PAGE_DATE_LABEL.search(folded[max(0, a - 12): a]):
            continue  # "发布日期 : 2022-11-28": when the page was posted, not when anything happened
        if slot.kind in ("count", "money", "percent") and not folded[:a].strip() and folded[b : b + 1] in ("、", ".", "．"):
            continue  # a list number opening the text ("3、")
        if slot.kind == "count" and profile.english and counter_of(piece) in _TIME_COUNTERS and _stated(piece, profile.text):
            continue  # "during their 35th anniversary", "within five years": the question's own span of time
        out.append((a, b))
    return out


def _stated(piece: str, question: str) -> bool:
    from rag.english import stated_numbers
    from rag.verify import parse_chinese_number

    m = re.match(rf"(\d+(?:\.\d+)?)|([{P.NUMERAL_CN}]+)", piece)
    if not m:
        return False
    value = m.group(1) or str(parse_chinese_number(m.group(2)))
    return value in stated_numbers(question)


_ITEM_BREAK = re.compile(r"[，,。；;：:、和与及（）()]")


def _beside_the_asked(folded: str, a: int, b: int, asked: str) -> bool:
    """Whether the span is an item of a 、-enumeration next to an item the question itself
    names: a sibling of the thing asked about, not its name (与 and 和 also join partners:
    "福州附中与美国某中学交流" names the school asked for)."""
    before, after = folded[:a], folded[b:]
    neighbours = []
    if before[-1:] == "、":
        neighbours.append(_ITEM_BREAK.split(before[:-1])[-1])
    if after[:1] == "、":
        neighbours.append(_ITEM_BREAK.split(after[1:])[0])
    return any(len(n) >= 4 and re.sub(r"\s+", "", n) in asked for n in neighbours)


_PAGE_DATE_LABEL = re.compile(rf"(?:{'|'.join(PAGE_DATE_FIELDS)})\s*[:：\]】]\s*$")


def _named_in_question(piece: str, asked: str) -> bool:
    """Whether the name ends in four or more characters of the question, half of it or more."""
    n = next((k for k in range(len(piece), 3, -1) if piece[-k:] in asked), 0)
    return n >= 4 and 2 * n >= len(piece)


_COUNTED = re.compile(rf"[\d{P.NUMERAL_CN}几数多]+\s*(?:家|个|所|座|对|批|类)")


def _typed_spans(folded: str, slot: Slot) -> list[tuple[int, int]]:
    kind = slot.kind
    if kind == "count":
        return _counts(folded, slot.unit, slot.countable)
    if kind == "money":
        return [m.span() for m in P.MONEY_RE.finditer(folded)]
    if kind == "percent":
        return [m.span() for m in P.PERCENT_RE.finditer(folded)]
    if kind == "date":
        spans = [m.span() for m in P.DATE_RE.finditer(folded)]
        if slot.granularity == "day":
            return [(a, b) for a, b in spans if P.DAY_RE.search(folded[a:b])]
        if slot.granularity == "month":  # 几月: a month, with or without its day
            return [(a, b) for a, b in spans if "月" in folded[a:b] or P.DAY_RE.search(folded[a:b])]
        if slot.granularity == "year":  # 哪一年: a year (3月5日 alone does not say which)
            return [(a, b) for a, b in spans if "年" in folded[a:b] or re.match(r"\d{4}", folded[a:b])]
        return spans
    if kind == "place":
        return place_spans(folded, slot.category)
    if kind == "org":
        return org_spans(folded, slot.category)
    if kind == "name":
        return name_spans(folded)
    if kind == "docnumber":
        from rag.layout import DOC_NUMBER_RE

        return [m.span() for m in DOC_NUMBER_RE.finditer(folded)]
    return []


_ORDINAL = re.compile(rf"第[\d{P.NUMERAL_CN}]+(?:{'|'.join(map(re.escape, P.COUNTERS))})?")


def _counts(folded: str, unit: str | None, countable: bool = False) -> list[tuple[int, int]]:
    if unit == "第":  # 排第几 / 第几届: an ordinal
        return [m.span() for m in _ORDINAL.finditer(folded)]
    spans = [m.span() for m in P.NUMBER_RE.finditer(folded) if not P.YEAR_ONLY_RE.fullmatch(m.group().strip())]
    # 两市, 两国, 两岸 are "both cities …", not a count of them.
    spans = [(a, b) for a, b in spans if not _BOTH.fullmatch(re.sub(r"\s+", "", folded[a:b]))]
    if not unit:
        # A count asked without its unit is still no date (11月) and no document's number
        # (〔2019〕14号); a count of things (how many) is no sum of money and no share either.
        return [(a, b) for a, b in spans if counter_of(folded[a:b]) not in _NOT_COUNTS
                and folded[b:b + 1] not in _NOT_COUNTS
                and not (countable and (P.MONEY_RE.match(folded, a) or P.PERCENT_RE.match(folded, a)))]
    units = {unit}.union(*(g for g in _UNIT_GROUPS if unit in g))
    return [(a, b) for a, b in spans if counter_of(folded[a:b]) in units]


_TIME_COUNTERS = frozenset({"年", "周年", "个月", "月", "天", "日", "小时", "周", "届", "次"})
_BOTH = re.compile(r"两[市省国县区地岸]")
_NOT_COUNTS = frozenset({"月", "日", "号", "时"})
_COUNTER = re.compile(rf"^[\s\d０-９.{P.NUMERAL_CN}]+(?:余|多)?\s*(?:%|％|‰|亿|万|千|百)?\s*")


def counter_of(number: str) -> str:
    """The counter a number is counted in: 205批次 -> 批次, 3 对 -> 对, 25国 -> 国."""
    return _COUNTER.sub("", re.sub(r"\s+", "", number))


def bound(folded: str, a: int, b: int, slot: Slot) -> bool:
    """Whether the value at ``a:b`` speaks of the slot's focus: a word of the focus stands in
    its clause (志愿者300名; not 邀请专家5名 for a count of 志愿者). The focus of a who-, when-
    or which-question is the sentence's subject, which retrieval reads, so those are bound."""
    if slot.kind == "date":
        return _same_event(folded, a, b, slot)
    if slot.kind == "org" and slot.focus:
        return _named_with(folded, a, b, slot)
    if slot.kind == "place" and slot.event:
        return _where_it_happens(folded, a, b)
    if slot.kind not in ("count", "money", "percent") or not slot.focus:
        return True
    terms = focus_terms(slot.focus)
    if slot.unit == "第":  # a rank (位列第四) speaks of what its sentence ranks
        return True
    if not any(_speaks_of(folded, term) for term in terms):
        # The sentence words the focus otherwise (培训翻译20名 for a count of 口译人员): the value in
        # the counter asked for is the answer's candidate; whether it answers is for support.
        return slot.kind != "count" or slot.unit is not None
    start, end = _clause(folded, a, b)
    if any(_speaks_of(folded[start:end], term) for term in terms):
        return True
    if a - start <= 2 and start > 0:  # a clause that opens with the value (…，共3对) speaks of the one before it
        before, _ = _clause(folded, start - 1, start - 1)
        return any(_speaks_of(folded[before:start], term) for term in terms)
    return False


def _speaks_of(text: str, term: str) -> bool:
    """Whether ``text`` holds ``term`` or, for a two-character term, the word it abbreviates:
    a Chinese abbreviation keeps the first character of each part (友城 for 友好城市, 外办 for
    外事办公室), so its characters stand in order a few apart."""
    if term in text:
        return True
    return len(term) == 2 and re.search(re.escape(term[0]) + r"[\u4e00-\u9fff]{1,3}?" + re.escape(term[1]), text) is not None


_AT_PLACE = re.compile(r"(?:在|于|赴|到|来|抵|由)\s*$")
_LISTED_AFTER = re.compile(r"[、和及]\s*$")  # a further place of a list (在南昌、赣州…)
_HOSTS = re.compile(r"\s*(?:市|省)?(?:主办|承办|举办|举行|召开|开幕|协办|牵头)")


def _where_it_happens(folded: str, a: int, b: int) -> bool:
    """A place answers where an event is held when it stands as the place of an act (在长沙召开,
    在南昌、赣州等地举办, 由长春主办, 长春承办), not as a place named in passing (贡献烟台力量,
    与甲国、乙国签署 …: a further place of a list only where the list follows 在/于/赴)."""
    if _AT_PLACE.search(folded[max(0, a - 3): a]) or _HOSTS.match(folded, b):
        return True
    start, _ = _clause(folded, a, b)
    return bool(_LISTED_AFTER.search(folded[max(0, a - 3): a]) and re.search(r"[在于赴到]", folded[start:a]))


def _named_with(folded: str, a: int, b: int, slot: Slot) -> bool:
    """A body named in a list answers when its clause, or the one before it, speaks of what
    the question says the bodies did (与A协会、B商会签署意向书): not a body named in passing
    in another clause of the sentence (…邀请意大利商会代表建言献策)."""
    terms = [t for t in focus_terms(slot.focus) if t != slot.category and not (slot.category or "\0").endswith(t)]
    if not terms:
        return True
    start, end = _clause(folded, a, b)
    before, _ = _clause(folded, start - 1, start - 1) if start > 0 else (start, start)
    window = folded[before:end]
    return any(t in window for t in terms)


# Acts a date belongs to; one of a group stands for another (召开 / 举行 / 举办).
_EVENTS = (("召开", "举行", "举办", "开幕", "闭幕", "开展", "启动"), ("签署", "签订", "缔结", "结好", "建立"),
           ("成立", "挂牌", "组建", "揭牌", "设立"), ("访问", "出访", "来访", "访", "考察"),
           ("印发", "发布", "出台", "公布", "颁布"), ("开通", "开业", "通航", "投入使用", "建成", "竣工"))


def _same_event(folded: str, a: int, b: int, slot: Slot) -> bool:
    """A date answers for the act the question asks about: a question for when something was
    召开 is not answered by the date something was 挂牌成立 (the clause speaks of another act)."""
    asked = [g for g in _EVENTS if any(v in slot.focus for v in g)]
    if not asked:
        return True
    start, end = _clause(folded, a, b)
    window = folded[max(0, start - 1): min(len(folded), end + 40)]
    said = [g for g in _EVENTS if any(v in window for v in g)]
    return not said or any(g in said for g in asked)


_CLAUSE_END = re.compile(r"[，,；;。！？!?：:|｜\n]")


def _clause(folded: str, a: int, b: int) -> tuple[int, int]:
    """The clause (between commas, semicolons, colons, full stops) holding ``a:b``."""
    starts = [m.end() for m in _CLAUSE_END.finditer(folded, 0, a)]
    after = _CLAUSE_END.search(folded, b)
    return (starts[-1] if starts else 0), (after.start() if after else len(folded))


def focus_terms(focus: str) -> list[str]:
    """The words a focus is recognised by: its words, and its character pairs where the
    words are unknown (金塔纳罗奥州); a sentence speaks of them in full too (``_speaks_of``)."""
    from rag.lexical import STOPWORDS, tokenize

    words = [t for t in tokenize(focus) if len(t) >= 2 and t not in STOPWORDS and not t[0].isdigit()]
    if not words:
        words = [focus[i: i + 2] for i in range(len(focus) - 1)]
    return words


_PLACE_SUFFIX = re.compile(rf"[{P.CJK}]{{2,5}}?(?:省|(?<!城)市|州|国(?![际家内外务企有营])|县)")
_ZONE = re.compile(rf"[{P.CJK}]{{2,6}}?(新区|高新区|开发区|经开区|自贸试验区|综合试验区|实验区)")
def _zone(folded: str, m: re.Match) -> tuple[int, int] | None:
    """A development zone's name: the word before its suffix (组织红谷滩新区 -> 红谷滩新区), not a
    verb or a determiner before it (推进各类开发区 names none)."""
    import rjieba

    words = rjieba.cut(folded[m.start(): m.start(1)])
    name = words[-1] if words else ""
    if len(name) < 2 or _NOT_A_PLACE_NAME.search(name) or name[0] in "我本该全各此其每":
        return None
    return m.start(1) - len(name), m.end()


_EMBASSY = re.compile(rf"[{P.CJK}]{{2,6}}(?:大使馆|领事馆|总领事馆)")


# What a name before 市/县/省 does not hold or start with: another level (以省促市, 市州; 州
# only at its start, for 光州市 and 全州市 are names), a
# determiner or a modifier of places in general (其他市, 各县, 沿线国).
_NOT_A_PLACE_NAME = re.compile(r"[省市县]|^州|^(?:其他|其它|各|以|全(?!州)|本|该|每|有关|相关|周边|所有|部分|这些|那些|多个|一些|重点|沿线"
                               r"|兄弟|友好|国内|国外|境外|外国|结好|新增|城市)")


def _names_a_place(piece: str) -> bool:
    """Whether a word ending in 市/县/省/州/国 is a place's name, not a description of places."""
    # A determiner right before the suffix (推动本市, 支持我省) makes it a deictic, not a name.
    if len(piece) < 2 or _NOT_A_PLACE_NAME.search(piece[:-1]):
        return False
    return piece[-2] not in "我本该全各此其每" or _known_name_ending(piece[:-1])


def _known_name_ending(stem: str) -> bool:
    """Whether the characters before a place suffix end in a name the dictionary or the
    gazetteer knows (熊本 in 日本熊本市), so that its last character is no determiner."""
    from rag.cedict import proper_names
    from rag.places import place_named

    return any(stem[i:] in proper_names() or place_named(stem[i:]) for i in range(max(0, len(stem) - 4), len(stem) - 1))


_VENUE = re.compile(rf"[{P.CJK}A-Za-z0-9·]{{2,16}}?(?:会议中心|展览中心|中心|博物馆|展馆|场馆|酒店|宾馆|饭店|大厦|广场|剧院|大剧院|礼堂|会堂|体育场|大楼|会议室|报告厅|厅)")
_DEICTIC = re.compile(r"^(?:我|本|该|全|各|外|两|此|其|他|省|市|县)(?:省|市|县|州|国)$")


_MUNICIPALITIES = ("北京", "上海", "天津", "重庆", "香港", "澳门")  # provincial-level, and cities (在沪, 在京)
_CONTINENTS = frozenset({"亚洲", "欧洲", "非洲", "美洲", "北美洲", "南美洲", "拉丁美洲", "拉美", "大洋洲", "南极洲"})

# Bodies a foreign name may open (美国林肯中学): the name is then no place of its own.
_BODY_NAMED = ("中学", "小学", "大学", "学院", "学校", "医院", "公司", "集团", "银行", "研究院", "研究所", "协会", "商会", "基金会")


def place_spans(folded: str, category: str | None = None) -> list[tuple[int, int]]:
    """Places: Chinese places of the gazetteer, words with a place suffix, and the proper
    names CC-CEDICT knows (俄罗斯, 宿务). 我省, 本市, 全国 name no place. A question for a
    country takes a foreign name or one ending in 国; one for a city, a city, county or
    foreign name, not a province."""
    from rag.places import gazetteer, places_in
    from rag.question import proper_name_spans

    if category == "场馆":  # a venue is a building's name, not the city it stands in
        return _outer([_trim(folded, *m.span()) for m in _VENUE.finditer(folded)])
    table = gazetteer()
    spans = [(a, b) for a, b, p in places_in(folded)
             if category not in ("国家",) and not (category == "城市" and p.kind == "province")]
    # 省级, 县级 name a level, not a place ending in 省 or 县 (印度缔结省级友城).
    spans += [s for m in _PLACE_SUFFIX.finditer(folded) for s in [_trim(folded, *m.span())]
              if _names_a_place(folded[s[0]:s[1]]) and folded[m.end():m.end() + 1] != "级"]
    if category in (None, "地方", "地区"):  # where: an embassy, or a development zone (红谷滩新区, 长沙高新区)
        spans += [m.span() for m in _EMBASSY.finditer(folded)]
        spans += [z for m in _ZONE.finditer(folded) if (z := _zone(folded, m))]
    from rag.cedict import names

    people = names().people  # 习近平 is a proper name, and no place
    spans += [s for s in proper_name_spans(folded) if folded[s[0]:s[1]] not in table and folded[s[0]:s[1]] not in people]
    from rag.places import PROVINCES, abbreviation_spans

    spans += [(a, b) for a, b, p in abbreviation_spans(folded) if category != "国家"
              and not (category == "城市" and p in PROVINCES and p not in _MUNICIPALITIES)]  # 来闽 is Fujian, no city
    out = []
    for a, b in spans:
        piece = folded[a:b]
        if _DEICTIC.match(piece) or (len(piece) < 2 and (a, b) not in
                                       {(x, y) for x, y, _ in abbreviation_spans(folded)}):
            continue
        if category == "国家" and not (piece.endswith("国") or piece not in table):
            continue
        if category == "城市" and piece.endswith(("省", "国")):
            continue
        if category in ("城市", "国家") and piece in _CONTINENTS:
            continue  # 欧洲, 大洋洲: a continent is neither a city nor a country
        if piece not in table and folded.startswith(_BODY_NAMED, b):
            continue  # 林肯中学, 丰田公司: a foreign name that names a body, not a place
        out.append((a, b))
    return _outer(out)


def org_spans(folded: str, category: str | None) -> list[tuple[int, int]]:
    """Names of bodies: words ending in the kind asked for (…医院), or, for a body in general
    (单位, 部门), in the endings offices have (…外办, …局, …委员会)."""
    endings = P.ORG_ENDINGS if category in P.GENERIC_ORGS or category is None else _BODY_ENDINGS.get(category, (category,))
    if category and category.isascii():  # an English question: any named body
        endings = P.ORG_ENDINGS + P.INSTITUTIONS
    alternatives = "|".join(sorted(map(re.escape, set(endings)), key=len, reverse=True))
    pattern = re.compile(rf"[“《]?[{P.CJK}A-Za-z0-9·\-—“”《》]{{1,20}}(?:{alternatives})[”》]?")
    spans = [_trim(folded, *m.span()) for m in pattern.finditer(folded)]
    spans += [m.span() for m in P.QUOTED_NAME_RE.finditer(folded)]
    if category in ("企业", "公司", "集团"):  # firms go by their own names (西门子, 华为)
        from rag.question import proper_name_spans

        spans += proper_name_spans(folded)
    return _outer(spans)


# What the names of a kind of body end in, where that is not the kind's own word.
_BODY_ENDINGS = {
    "高校": ("大学", "学院", "学校"), "学校": ("大学", "学院", "学校", "中学", "小学"),
    "企业": ("公司", "集团", "企业", "银行", "控股", "股份", "航空", "港务"), "公司": ("公司", "集团", "控股", "股份"),
}


def name_spans(folded: str) -> list[tuple[int, int]]:
    """Names: quoted (“温州外事宝”, 《…》) or ending in the kind of thing they name (…论坛)."""
    alternatives = "|".join(sorted(map(re.escape, P.INSTITUTIONS), key=len, reverse=True))
    spans = [m.span() for m in P.QUOTED_NAME_RE.finditer(folded)]
    spans += [m.span() for m in re.finditer(rf"[{P.CJK}A-Za-z0-9]{{2,16}}(?:{alternatives})", folded)]
    spans += [m.span() for m in re.finditer(r"[A-Z][A-Za-z0-9&\-]{1,20}", folded)]
    return _outer(spans)


_LEAD = re.compile(r".*[在于由向与和及、对从经将把被给为是到赴]")


def _trim(folded: str, a: int, b: int) -> tuple[int, int]:
    """A name without the words before it that a greedy match took in (交流活动在市第一人民医院)."""
    m = _LEAD.match(folded, a, b - 2)
    return (m.end(), b) if m and m.end() < b - 1 else (a, b)


def _outer(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans, each kept only where no longer span holds it."""
    ordered = sorted(set(spans), key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int]] = []
    for a, b in ordered:
        if out and a >= out[-1][0] and b <= out[-1][1]:
            continue
        out.append((a, b))
    return out
