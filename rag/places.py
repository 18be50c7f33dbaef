"""Chinese places: provinces (a fixed gazetteer) and cities and counties (from CC-CEDICT).

A city is named without its 市 as often as with it (佛山:奋力推动…, 温州外事宝), so a regex
on 市 misses most of them. CC-CEDICT glosses every prefecture-level city and county with
where it lies (/Foshan prefecture-level city in Guangdong/): those entries are the
gazetteer. Only words CC-CEDICT gives as proper names count, so 东方 (also /the East/)
is no place, and neither is 和平 (a county as 和平县, /peace/ alone).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

# Provincial-level divisions.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
    "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
_PROVINCES_EN = (
    "Beijing|Tianjin|Shanghai|Chongqing|Hebei|Shanxi|Liaoning|Jilin|Heilongjiang|Jiangsu|Zhejiang|Anhui|Fujian|"
    "Jiangxi|Shandong|Henan|Hubei|Hunan|Guangdong|Hainan|Sichuan|Guizhou|Yunnan|Shaanxi|Gansu|Qinghai|Taiwan|"
    "Inner Mongolia|Guangxi|Tibet|Ningxia|Xinjiang"
)
_GLOSS = re.compile(
    rf"^[A-Z][^/]{{0,40}}?\b(city|county|district|municipality|autonomous prefecture|league|banner)\b[^/]*?\b({_PROVINCES_EN})\b"
)
_PROVINCE_EN = dict(zip(_PROVINCES_EN.split("|"), ("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 "
                                                   "江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 "
                                                   "内蒙古 广西 西藏 宁夏 新疆").split()))
_SUFFIXES = ("市", "县", "自治州", "州", "盟")


@dataclass(frozen=True)
class Place:
    name: str  # as written without its suffix: 佛山, 石家庄
    kind: str  # "province", "city", "county", "district"
    province: str  # the province it lies in (itself for a province)


GAZETTEER_FILE = "places.json"


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """Every province, and every city and county CC-CEDICT places in a province, by name: read
    from the package's ``data/places.json`` (what ``build_gazetteer`` derives from CC-CEDICT,
    saved by ``python -m rag.derived``; parsing CC-CEDICT on every start would cost a cold
    ``rag ask`` about a second), or derived now when that file is missing."""
    from importlib import resources

    try:
        rows = json.loads((resources.files("rag") / "data" / GAZETTEER_FILE).read_text("utf-8"))
        # [name, kind, province], or [written form, kind, province, name] for a place that is
        # one only with its suffix (包头市).
        return {r[0]: Place(r[3] if len(r) > 3 else r[0], r[1], r[2]) for r in rows}
    except (OSError, ValueError, IndexError, TypeError):
        return build_gazetteer()


def build_gazetteer() -> dict[str, Place]:
    """The gazetteer derived from CC-CEDICT's glosses."""
    from rag.cedict import _HEAD, _text, proper_names

    proper = proper_names()
    words = {m.group(1) for m in _HEAD.finditer(_text())}
    out: dict[str, Place] = {}
    for m in _HEAD.finditer(_text()):
        word, gloss = m.group(1), m.group(3)
        g = _GLOSS.match(gloss)
        if not g or not 2 <= len(word) <= 5:
            continue
        if word not in proper:
            # A city or county whose name is also a common word (包头 /headband/): a place
            # only where it is written with its suffix (包头市), never alone.
            suffix = {"city": "市", "county": "县"}.get(_kind(g.group(1)))
            if suffix and g.group(1) != "district" and not word.endswith(_SUFFIXES):
                out.setdefault(word + suffix, Place(word, _kind(g.group(1)), _PROVINCE_EN[g.group(2)]))
            continue
        kind = _kind(g.group(1))
        province = _PROVINCE_EN[g.group(2)]
        name = word
        for suffix in _SUFFIXES:  # 张家界市 -> 张家界; two characters stay whole (沙县)
            if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                name = word[: -len(suffix)]
                break
        if (kind == "district" and name != word) or (name != word and name in words and name not in proper):
            continue  # 和平县 is a county, but 和平 is /peace/
        out.setdefault(name, Place(name, kind, province))
    for p in PROVINCES:
        out[p] = Place(p, "province", p)
    return out


def _kind(gloss_word: str) -> str:
    return {"municipality": "city", "league": "city", "banner": "county", "autonomous prefecture": "city"}.get(
        gloss_word, gloss_word)


def places_in(text: str) -> list[tuple[int, int, Place]]:
    """The Chinese places ``text`` names, left to right, longest name first at each point; a
    name that starts inside a word (哪项城市建设 holds 项城 only by accident) is no place."""
    table = gazetteer()
    found: list[tuple[int, int, Place]] = []
    i, n = 0, len(text)
    while i < n:
        for size in (5, 4, 3, 2):  # the longest name standing at i
            name = text[i: i + size]
            if len(name) == size and name in table:
                found.append((i, i + size, table[name]))
                i += size
                break
        else:
            i += 1
    if not found:
        return found
    starts = _word_starts(text)
    return [(a, b, p) for a, b, p in found if a in starts]


def _word_starts(text: str) -> set[int]:
    import rjieba

    starts, at = {0}, 0
    for word in rjieba.cut(text):
        at += len(word)
        starts.add(at)
    return starts


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Place]:
    """The gazetteer by place name: a place keyed by its written form (包头市) is 包头 here too."""
    table = gazetteer()
    out = {p.name: p for p in table.values()}
    out.update((key, p) for key, p in table.items() if key == p.name)  # a name's own row wins
    return out


_ADMIN_SUFFIX = re.compile(r"(?:(?:壮族|回族|维吾尔)?自治区|特别行政区|省|市)$")


def place_named(name: str) -> Place | None:
    """The place of this name, written with or without its suffix (包头, 包头市, 广西壮族自治区),
    or None where the gazetteer knows none."""
    table = _by_name()
    return table.get(name) or table.get(_ADMIN_SUFFIX.sub("", name)) if name else None


def lies_in(inner: str, outer: str) -> bool:
    """Whether the city or county ``inner`` lies in the province ``outer`` (岳阳 in 湖南省,
    包头 in 内蒙古自治区)."""
    known, province = place_named(inner), place_named(outer)
    return (known is not None and province is not None and known.kind != "province"
            and province.kind == "province" and known.province == province.name)


def most_specific(text: str) -> str | None:
    """The most specific place ``text`` names: the first city or county before a province."""
    found = places_in(text)
    local = [p for _, _, p in found if p.kind != "province" and p.province not in _SPECIAL]
    if local:
        return local[0].name
    provinces = [p for _, _, p in found if p.name not in _SPECIAL] or [p for _, _, p in found]
    return provinces[0].name if provinces else None


_SPECIAL = ("香港", "澳门", "台湾")  # named as partners as often as as the issuer's own region


# Official one-character abbreviations (简称) of provinces and of the cities documents write
# that way (在京举行, 在榕举办, 来穗): a place is mentioned by them only where a place stands.
ABBREVIATIONS = {
    "北京": "京", "天津": "津", "上海": "沪", "重庆": "渝", "河北": "冀", "山西": "晋", "辽宁": "辽", "吉林": "吉",
    "黑龙江": "黑", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽", "江西": "赣", "山东": "鲁", "河南": "豫",
    "湖北": "鄂", "湖南": "湘", "广东": "粤", "海南": "琼", "四川": "川", "贵州": "黔", "云南": "滇", "陕西": "陕",
    "甘肃": "甘", "青海": "青", "内蒙古": "蒙", "广西": "桂", "西藏": "藏", "宁夏": "宁", "新疆": "新",
    "香港": "港", "澳门": "澳", "广州": "穗", "福州": "榕", "厦门": "厦", "杭州": "杭", "南京": "宁", "成都": "蓉",
    "长沙": "长", "济南": "济", "郑州": "郑", "武汉": "汉", "宁波": "甬", "深圳": "深",
}
_AT = r"(?:在|赴|来|抵|到|访|离)"
_ACT = r"(?:举行|举办|召开|开幕|访问|考察|期间)"


def abbreviation_spans(text: str) -> list[tuple[int, int, str]]:
    """Places written by their one-character abbreviation where a place stands: after 在/赴/来
    and before an act (在榕举办, 赴京参加 …): (start, end, place)."""
    out = []
    for place, abbr in ABBREVIATIONS.items():
        # 赴/抵/来/到/访 take a place, whatever follows (赴穗相关活动); 在 only before an act (在京举行)
        for m in re.finditer(rf"(?<=[赴抵来到访]){abbr}|(?<=在){abbr}(?={_ACT}|[，,。、])", text):
            out.append((m.start(), m.end(), place))
    return out


def mentions(text: str, place: str) -> bool:
    """Whether ``text`` speaks of ``place``: by name, or by its abbreviation where a place stands."""
    return place in text or any(p == place for _, _, p in abbreviation_spans(text))
