"""Questions that ask for a person, and whether a sentence names one.

"那位来访的某国前议长是谁？" is not answered by "…某国前议长、某国国会议员等来访": the
sentence describes the person in the question's own words and names nobody. A person is
named in these documents next to a title (市委书记胡昌升, 胡昌升书记, 部长王毅), before 等
and a title (塚本幸司等民间友好人士), or as a person CC-CEDICT knows (汤显祖).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.bilingual import is_english
from rag.cedict import dictionary, names, phrase

# Titles and descriptions of people, longest first so that 副书记 is read whole.
TITLES = sorted(
    "书记 副书记 省长 副省长 市长 副市长 部长 副部长 部长助理 主席 副主席 总理 首相 总统 国王 王子 公主 "
    "主任 副主任 大使 总领事 领事 参赞 会长 局长 厅长 院长 校长 议长 议员 秘书长 董事长 总裁 专家 学者 "
    "人士 人物 之父 之母 领导人 官员 使节".split(),
    key=len, reverse=True,
)
_T = "|".join(TITLES)
_PERSON_Q_ZH = re.compile(rf"({_T})(?:是谁|叫什么名字|叫什么|的名字|的姓名|姓名)|哪位({_T}|历史|外国|外宾|领导)")
# Descriptions too loose to look for in the answer: any named person may be the one.
_GENERIC = frozenset("人士 人物 专家 学者 官员 领导人 之父 之母 历史 外国 外宾 领导".split())
_PERSON_Q_EN = re.compile(
    # "who" opening a question or a clause of one asks for a person, whatever its verb
    # (who heads, who signed); after a noun it only relates (the official who led …).
    r"(?:^|[,;:?]\s*|\band\s+|\bwith\s+|\bto\s+|\bby\s+)(?:whom|who)\b"
    r"|\bwho (?:is|was|are|were|visited|led|attended|delivered|gave|spoke|headed)\b|\bwhat (?:is|was) (?:the|his|her) name\b"
    r"|\bname of the\b[\w\s-]*\b(?:princess|prince|king|queen|president|premier|prime minister|minister|secretary"
    r"|mayor|governor|ambassador|consul|chairman|chairwoman|director|leader|official|expert|scholar|person)\b",
    re.I,
)
# Characters a name does not start with: particles, conjunctions, punctuation-like words.
_NOT_NAME_START = set("的、，,。；：等和与及在是为对将把被从向以于之其也都而并或率到访各共")
# A name written before its title (胡昌升书记) does not end like an office or a place does.
_NOT_NAME_END = set("委省市部国党政府前副级区县局厅院会办处馆团组司家亚州岛方界")
# A title and its holder's name, sometimes set apart by a space (主任 张三, in a by-line).
_AFTER = re.compile(rf"(?:{_T})[ \u3000]?([\u4e00-\u9fff·]{{2,4}})")
# A name that opens the name of a doctrine (…新时代中国特色社会主义思想, …外交思想) is no
# mention of the person: it does not say who did or held anything. The doctrine's qualifier
# follows the name at once and is a noun phrase: a verb between them (指出要解放思想, 强调以…
# 思想为指导) makes the name the speaker's.
_DOCTRINE = re.compile(r"(?:同志)?(?:(?!指出|强调|表示|提出|要求|要|以|为|在|对|说|解放|坚持)[^，,。；;、：:（(\s“”]){0,12}?思想")
# A name of any origin between its title and what the person did (国家主席本扬到访, 市长卡尔一行).
_AFTER_ACTING = re.compile(rf"(?:{_T})([\u4e00-\u9fff·]{{2,6}}?)(?=到访|访问|来访|出席|率团|率领|会见|会谈|一行|等人|致辞|表示)")
_BEFORE = re.compile(r"([\u4e00-\u9fff·]{2,3})(?=书记|省长|市长|部长|主席|主任|大使|总理|会长)")
_BEFORE_ETC = re.compile(rf"([\u4e00-\u9fff·]{{2,4}})等[\u4e00-\u9fff]{{0,6}}(?:{_T})")


# 谁 asks for a person wherever it stands (由谁率领, 是谁作的报告), but not in 谁家/谁的; 由谁担任
# is answered by an office as often as by a name (see ``office_spans``).
_WHO_ZH = re.compile(r"(?<![对向])谁(?![家的])|哪位")
_OFFICE_Q = re.compile(r"谁(?:来)?(?:担任|兼任|出任)")
# Offices a post is held by ex officio (组长由市长担任, 由分管副市长兼任).
_OFFICES = re.compile(rf"(?:(?:常务|分管|主要|主管)?(?:{_T})|(?:主要|分管|主管)?(?:领导|负责人|负责同志))")


def asks_for_office(question: str) -> bool:
    """Whether the question asks who holds a post (由谁担任): a name or an office answers it."""
    return bool(_OFFICE_Q.search(question))


_POST_Q = re.compile(r"(?:的)?((?:(?!的|分别|各自|和|与|及|、)[\u4e00-\u9fff]){2,4}?)(?:一职)?(?:分别|各自|都)?由谁(?:来)?(?:担任|兼任|出任)")


def asked_post(question: str) -> str:
    """The post a question asks who holds, by its head (组长 of 领导小组组长由谁担任, 副组长
    kept whole: it is another post), or "" when it names none."""
    m = _POST_Q.search(re.sub(r"\s+", "", question))
    if not m:
        return ""
    post = m.group(1)
    return post[-3:] if len(post) >= 3 and post[-3] == "副" else post[-2:]


def office_spans(text: str, question: str, post: str = "") -> list[tuple[int, int]]:
    """Offices ``text`` names that the question does not, in a clause that speaks of the
    ``post`` asked about (市长 in 组长由市长担任; not the 书记 of 总书记 in a clause about
    something else)."""
    asked = re.sub(r"\s+", "", question)
    spans = [m.span() for m in _OFFICES.finditer(text)
             if m.group() not in asked and m.group() not in _GENERIC and of_the_post(text, *m.span(), post)]
    # Whoever stands between 由 and 担任 holds the post, office or name (由陈秋雄同志担任).
    spans += [m.span(1) for m in _HELD_BY.finditer(text) if m.group(1) not in asked and of_the_post(text, *m.span(1), post)]
    return spans


def of_the_post(text: str, a: int, b: int, post: str) -> bool:
    """Whether the span's clause speaks of ``post`` (组长 in 组长由市长担任 and in 组长：市长张三,
    not in 副组长由…担任); any span does when no post is asked about."""
    if not post:
        return True
    start = max((text.rfind(c, 0, a) for c in "，,。；;"), default=-1) + 1
    ends = [i for i in (text.find(c, b) for c in "，,。；;") if i >= 0]
    clause = text[start: min(ends, default=len(text))]
    return re.search(("" if post.startswith("副") else "(?<!副)") + re.escape(post), clause) is not None


_HELD_BY = re.compile(r"由([\u4e00-\u9fff·]{2,10}?)(?:同志)?(?:担任|兼任|出任)")


def asks_for_person(question: str) -> bool:
    """Whether the question asks who someone is (their name), not what or which body."""
    return bool(_PERSON_Q_ZH.search(question) or _PERSON_Q_EN.search(question) or _WHO_ZH.search(question))


@lru_cache(maxsize=256)  # asked once per scored sentence of a question
def asked_titles(question: str) -> frozenset[str]:
    """The offices the question knows its person by (总理; "prime minister" is 总理 or 首相),
    which the answering sentence must speak of: 本扬, 国家主席, is no answer about a 公主."""
    found = {t for m in _PERSON_Q_ZH.finditer(question) for t in m.groups() if t}
    if is_english(question):
        words = f" {phrase(question)} "
        found = {t for t, glosses in _english_titles().items() if any(f" {g} " in words for g in glosses)}
    return frozenset(found - _GENERIC)


@lru_cache(maxsize=1)
def _english_titles() -> dict[str, frozenset[str]]:
    """Each specific title's English glosses in CC-CEDICT (公主: princess)."""
    out: dict[str, set[str]] = {}
    for entries in dictionary().glosses.values():
        for gloss, word in entries:
            if word in TITLES and word not in _GENERIC:
                out.setdefault(word, set()).add(gloss)
    return {t: frozenset(g) for t, g in out.items()}


# Common surnames (a fixed list, as in any Chinese name recogniser): a name written after its
# title starts with one (市长张三 names 张三; 秘书长出席会议 names nobody).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
    "贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷"
    "詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农"
    "司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝"
)


def _name_after_title(text: str, m: re.Match) -> tuple[int, int] | None:
    """The name a match of a title followed by characters holds: a surname and one or two
    characters, cut where the words after it begin (市长张三出席 -> 张三)."""
    import rjieba

    a = m.start(1)
    if text[a] not in SURNAMES:
        return None
    words = rjieba.cut(text[a: a + 6])
    first = words[0] if words else ""
    if 2 <= len(first) <= 3:
        return a, a + len(first)
    if len(first) == 1 and len(words) > 1 and 1 <= len(words[1]) <= 2 and words[1][0] not in _NOT_NAME_START:
        return a, a + 1 + len(words[1])
    return None


def person_spans(text: str, question: str = "") -> list[tuple[int, int]]:
    """Where ``text`` names a person the question does not already name, when it speaks of
    the office the question describes them by (none otherwise)."""
    titles = asked_titles(question)
    if titles and not any(_holds_title(text, t) for t in titles):
        return []
    asked = re.sub(r"\s+", "", question)
    out = []
    for m in _AFTER.finditer(text):
        span = _name_after_title(text, m)
        if span and text[span[0]: span[1]][:2] not in asked and (not titles or any(
                _holds_title(text[: span[0]][-12:], t) for t in titles)):
            out.append(span)
    for m in _AFTER_ACTING.finditer(text):
        name = m.group(1)
        if name[:2] not in asked and not set(name[0]) & _NOT_NAME_START and name not in TITLES and (not titles or any(
                _holds_title(text[: m.start(1)][-12:], t) for t in titles)):
            out.append(m.span(1))
    for m in _BEFORE.finditer(text):
        name = m.group(1)
        if titles and not any(text.startswith(t, m.end(1)) for t in titles):
            continue  # 胡昌升书记 names a 书记, not the 主任 asked about
        if name[-1] not in _NOT_NAME_END and not set(name) & _NOT_NAME_START and name[-2:] not in asked \
                and not _after_an_ordinal(text, m.start(1)):
            out.append(m.span(1))
    for m in _BEFORE_ETC.finditer(text):
        name = m.group(1)
        if not set(name) & _NOT_NAME_START and name[-2:] not in asked:
            out.append(m.span(1))
    for p in names().people:
        at = text.find(p)
        # A known person answers for the office asked about only when named with it
        # (习近平总书记 is no answer about a 主任 the sentence mentions further on).
        if at >= 0 and p not in asked and (not titles or any(
                _holds_title(text[max(0, at - 8): at + len(p) + 8], t) for t in titles)):
            out.append((at, at + len(p)))
    if not titles:  # no office asked about: a name that acts (沈裕谋在总结…时指出, 张涛介绍)
        for m in _ACTING.finditer(text):
            if text[m.start()] in SURNAMES and m.group(1)[:2] not in asked and not _common_word(m.group(1)):
                out.append(m.span(1))
    known = [s for s in out if text[s[0]: s[1]] in names().people]
    # A name read before a title that starts inside a known name (近平总 in 习近平总书记) is none.
    out = [s for s in set(out) if s in known or not any(k[0] < s[0] < k[1] for k in known)]
    return sorted(s for s in out if not _DOCTRINE.match(text, s[1]))


def _after_an_ordinal(text: str, start: int) -> bool:
    """Whether a name read before a title opens right after an ordinal's number (第五届轮值会长:
    届轮值 describes the post, it names nobody)."""
    return text[start] in "届次期批任轮" and bool(re.search(r"第[\d〇一二三四五六七八九十百]+$", text[:start]))


_ACTING = re.compile(r"(?:^|(?<=[，,。；;、：:“\s]))([\u4e00-\u9fff]{2,3}?)(?=在.{0,30}?(?:时|中|上)?(?:指出|强调|表示|说)|指出|强调|表示|介绍|透露|率团|率队|带队|主持|出席|致辞|讲话|作.{0,4}报告)")


def _common_word(word: str) -> bool:
    import rjieba

    return rjieba.has_word(word) and word not in names().people


def _holds_title(text: str, title: str) -> bool:
    """Whether ``text`` names the office ``title`` itself: 副主任 is not the 主任 asked about."""
    return any(title.startswith("副") or not text[:m.start()].endswith("副")
               for m in re.finditer(re.escape(title), text))


def names_person(text: str, question: str = "") -> bool:
    """Whether ``text`` names a person the question does not already name, and speaks of the
    office the question describes them by."""
    return bool(person_spans(text, question))
