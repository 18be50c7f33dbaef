"""The shapes of Chinese text that question analysis and the reader share: numbers with
their counters, dates, years and five-year periods, places, names, and list markers.

One module, so that a question and the sentence answering it are read with the same
patterns (a number in 多少名志愿者 and in 志愿者300名 is one rule). Every pattern applies to
folded text (``rag.text.fold``: traditional characters read as simplified).
"""

from __future__ import annotations

import re

CJK = "\u3400-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
_LATIN_WORD = re.compile(r"[a-z]{2,}", re.I)

NUMERAL_CN = "〇零一二三四五六七八九十百千万两"
_NUMERAL = rf"[\d０-９{NUMERAL_CN}]"
# Counters a number is counted in, longest first so that 人次 is read whole.
COUNTERS = sorted(
    "个 对 批次 批 人次 名 人 家 项 次 小时 天 周年 年 届 国 所 场 期 座 位 余 倍 条 件 套 部 篇 类 组 种 张 份 "
    "个月 余人 余家 余项 万人 万人次 处 支 架 艘 辆 台 份 册 本 门 节 课 班 团 团组 期次 轮 站 片 区 县 市 省 "
    "大类 大 万元 亿元 元 美元 万美元 亿美元 欧元 平方米 平方公里 公里 千米 米 吨 万吨 户 页 字".split(),
    key=len, reverse=True,
)
MONEY_UNITS = ("亿美元", "万美元", "美元", "欧元", "亿元", "万元", "元")
NUMBER_RE = re.compile(
    rf"(?:{_NUMERAL}+(?:\.\d+)?\s*(?:余|多)?\s*(?:%|％|‰|亿|万|千|百)?\s*(?:{'|'.join(map(re.escape, COUNTERS))})"
    rf"|\d+(?:\.\d+)?\s*(?:%|％|‰)|\d+(?:\.\d+)?)"
)
PERCENT_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|‰)|百分之[\d一二三四五六七八九十点]+|[一二三四五六七八九]成")
MONEY_RE = re.compile(rf"{_NUMERAL}+(?:\.\d+)?\s*(?:余|多)?\s*(?:{'|'.join(MONEY_UNITS)})")
DATE_RE = re.compile(
    r"(?:\d{4}|XX)\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:\s*[至到—\-~]\s*\d{1,2}\s*日)?)?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*[至到—\-~]\s*\d{1,2}\s*日)?|\d{1,2}\s*月(?:[上中下]旬|底|初)?"
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}"
    rf"|[{NUMERAL_CN}]{{2,4}}年(?:[{NUMERAL_CN}]{{1,2}}月)?"
)
DAY_RE = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}")
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年?")
YEAR_ONLY_RE = re.compile(r"(?:19|20)\d{2}\s*年?")
FIVE_YEAR_RE = re.compile(r"十[一二三四五六七八九]?五")
LEVEL_RE = re.compile(r"(?<!副)[省市县区乡镇]级")
QUOTED_TITLE_RE = re.compile(r"《([^》]{2,80})》")
QUOTED_NAME_RE = re.compile(r"“([^”]{2,30})”|《([^》]{2,40})》|「([^」]{2,30})」")

# Words that name what kind of body an answer is (哪家医院, 哪个平台): the answer's name ends in them.
INSTITUTIONS = (
    "医院", "大学", "学院", "学校", "中学", "小学", "研究院", "研究所", "研究中心", "中心", "协会", "学会", "商会",
    "基金会", "公司", "集团", "企业", "银行", "平台", "基地", "园区", "产业园", "工业园", "特区", "港", "机场", "论坛",
    "博览会", "展览会", "交易会", "大会", "峰会", "会议", "活动", "节", "周", "展", "赛", "项目", "工程", "计划",
    "机制", "联盟", "组织", "委员会", "办公室", "领事馆", "大使馆", "总领事馆", "代表处", "办事处", "窗口", "网站",
    "应用", "系统", "品牌", "奖", "工作站", "服务站", "驿站", "馆", "报告", "报", "杂志", "频道", "栏目", "刊物",
)
# A body named by its kind in general (单位, 部门, 机构): its name ends like an office.
ORG_ENDINGS = (
    "办公室", "外办", "办", "局", "委", "委员会", "厅", "部", "处", "司", "署", "院", "会", "中心", "所", "馆",
    "公司", "集团", "银行", "政府", "大学", "学院", "学校", "医院", "协会", "组", "队", "站", "社",
)
GENERIC_ORGS = ("单位", "部门", "机构", "机关", "组织", "团体", "主体")

# Markers of a list: what introduces its items, and how items are counted off.
LIST_INTRO_RE = re.compile(r"(?:分别是|分别为|分别有|包括|包含|主要有|主要是|涵盖|即|有以下|如下|以下|为)\s*[:：]?|[:：]")
ORDINAL_ITEM_RE = re.compile(
    rf"(?:^|(?<=[。；;！？!?：:，,\s]))(?:[{NUMERAL_CN}]+是|第[{NUMERAL_CN}\d]+[，,、是]|首先|其次|再次|最后|[①-⑳])"
)
NUMBERED_ITEM_RE = re.compile(
    rf"(?:^|(?<=[。；;！？!?：:\s]))(?:[（(][{NUMERAL_CN}\d]{{1,3}}[）)]|\d{{1,2}}[、.．](?!\d)|[{NUMERAL_CN}]{{1,3}}、)"
)
# Counted lists the text announces: 三大品牌, 六项重点, 四个服务, 以下几个方面, 五方面工作.
ANNOUNCED_RE = re.compile(rf"([{NUMERAL_CN}\d]{{1,3}}|几)\s*(?:大|个|项|种|类|条|方面|件|点|批|位|家|所|座)")


def is_english(text: str) -> bool:
    """A question asked in English: fewer than two CJK characters and some Latin words."""
    return len(CJK_RE.findall(text)) < 2 and bool(_LATIN_WORD.search(text))


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_number(text: str) -> int | None:
    """The value of a small number written in digits or Chinese numerals (四 -> 4, 十二 -> 12)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current
