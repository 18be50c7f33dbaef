"""Questions that ask for a person, and whether a sentence names one.

"塞尔维亚前总理叫什么名字？" is not answered by "…塞尔维亚前总理、美国国会议员等来访": the
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
    r"\bwho (?:is|was|are|were|visited|led|attended|delivered|gave|spoke|headed)\b|\bwhat (?:is|was) (?:the|his|her) name\b"
    r"|\bname of the\b[\w\s-]*\b(?:princess|prince|king|queen|president|premier|prime minister|minister|secretary"
    r"|mayor|governor|ambassador|consul|chairman|chairwoman|director|leader|official|expert|scholar|person)\b",
    re.I,
)
# Characters a name does not start with: particles, conjunctions, punctuation-like words.
_NOT_NAME_START = set("的、，,。；：等和与及在是为对将把被从向以于之其也都而并或率到访各共")
# A name written before its title (胡昌升书记) does not end like an office or a place does.
_NOT_NAME_END = set("委省市部国党政府前副级区县局厅院会办处馆团组司家亚州岛方界")
_AFTER = re.compile(rf"(?:{_T})([\u4e00-\u9fff·]{{2,4}})")
_BEFORE = re.compile(r"([\u4e00-\u9fff·]{2,3})(?=书记|省长|市长|部长|主席|主任|大使|总理|会长)")
_BEFORE_ETC = re.compile(rf"([\u4e00-\u9fff·]{{2,4}})等[\u4e00-\u9fff]{{0,6}}(?:{_T})")


def asks_for_person(question: str) -> bool:
    """Whether the question asks who someone is (their name), not what or which body."""
    return bool(_PERSON_Q_ZH.search(question) or _PERSON_Q_EN.search(question))


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


def names_person(text: str, question: str = "") -> bool:
    """Whether ``text`` names a person the question does not already name, and speaks of the
    office the question describes them by."""
    titles = asked_titles(question)
    if titles and not any(t in text for t in titles):
        return False
    asked = re.sub(r"\s+", "", question)
    for m in _AFTER.finditer(text):
        name = m.group(1)
        if name[0] not in _NOT_NAME_START and name[:2] not in asked:
            return True
    for m in _BEFORE.finditer(text):
        name = m.group(1)
        if name[-1] not in _NOT_NAME_END and not set(name) & _NOT_NAME_START and name[-2:] not in asked:
            return True
    for m in _BEFORE_ETC.finditer(text):
        name = m.group(1)
        if not set(name) & _NOT_NAME_START and name[-2:] not in asked:
            return True
    return any(p in text and p not in asked for p in names().people)
