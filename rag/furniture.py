"""Web-page furniture: lines that came with a downloaded page, not with the document.

Each rule names why a line goes, so that what is removed can be listed and tested.
Only whole lines are removed, and only when they look like furniture as a whole; the one
exception is a page-information line with the title glued on after it (``[ 发布日期 ]
2021-09-10重庆市…决算情况说明``), whose title stays as content (``split_page_line``).
Lines are read in their folded (simplified) form, so 列印/打印 and 來源/来源 are one rule.
"""

from __future__ import annotations

import re

_BULLET = r"[-•·*\s]*"
_SEP = r"[>＞›»]"
# Names of the fields a government web page prints around an article.
PAGE_FIELDS = (
    "发布日期", "发布时间", "发表时间", "更新时间", "发文日期", "成文日期", "时间", "日期", "浏览次数", "浏览量",
    "点击数", "点击量", "阅读量", "阅读次数", "访问量", "信息来源", "来源", "作者", "责任编辑", "编辑", "字体", "字号",
    "索引号", "发文字号", "文号", "主题分类", "体裁分类", "题裁分类", "发布机构", "主题词", "关键词", "名称",
    "文章字数", "字数",
)
# Those that date the page or the document (not an event the text reports).
PAGE_DATE_FIELDS = ("发布日期", "发布时间", "发表时间", "更新时间", "发文日期", "成文日期", "录入时间", "印发日期")
_FIELD = "|".join(sorted(PAGE_FIELDS, key=len, reverse=True))
_FIELD_RE = re.compile(rf"(?:^|[\s\[【|｜\]】•·-])({_FIELD})\s*(?:[:：]|[\]】])")
# Controls of the page: font size, print, close, share, bookmark, accessibility, log-in.
_UI_RE = re.compile(
    r"(?:^|(?<=[\s\[【\]】|｜:：(（]))(?:字体|字号|打印本页|打印|关闭窗口|关闭|收藏|分享到|分享至|分享|"
    r"微信好友|新浪微博|QQ空间|扫一扫|返回顶部|无障碍|关怀版|登录|注册|[大中小](?:\s*[大中小]){2})(?=$|[\s\[【\]】|｜:：)）])"
)
_TIMESTAMP_DAY = r"(?:\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?|\d{1,2}[-./]\d{1,2}[-./]\d{4})"
_TIMESTAMP = r"(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("source line", re.compile(r"^\s*(?:来源|原文|原文链接|网址|链接|url|source)\s*[:：]\s*https?://\S+\s*$", re.I)),
    ("web address", re.compile(r"^\s*https?://\S+\s*$", re.I)),
    ("file size", re.compile(rf"^{_BULLET}\d+(?:\.\d+)?\s*(?:[KMG]i?B|字节)\s*\|?$", re.I)),
    ("upload date", re.compile(rf"^{_BULLET}\d{{4}}[-/.年]\d{{1,2}}[-/.月]\d{{1,2}}日?\s*(?:发布|上传|更新)\s*\|?$")),
    ("page count", re.compile(rf"^{_BULLET}\d{{1,4}}\s*页\s*\|?$")),
    (
        "download-site notice",
        re.compile(
            rf"^{_BULLET}(?:\d[、.．]\s*)?.*(?:本文档由用户上传|本站不保证|版权归属内容提供方|"
            r"侵权请联系|请仔细阅读内容确认后|下载后可编辑|文档贡献者|"
            # A site's customer-service contact, not a document's "网站客服热线" sentence.
            r"网站客服\s*(?:QQ|微信|电话)\s*[:：]?\s*\d).*$",
            re.I,
        ),
    ),
    (
        "breadcrumb",
        re.compile(
            rf"^\s*(?:(?:[\u4e00-\u9fff]{{0,4}}位置)\s*[:：]?\s*首页(?:\s*{_SEP}\s*[^>＞›»]{{1,20}})*"
            rf"|首页\s*(?:{_SEP}\s*[^>＞›»]{{1,20}}\s*)+|(?:{_SEP}\s*[^>＞›»]{{1,20}}\s*)+"
            rf"|(?:[\u4e00-\u9fff]{{0,4}}位置\s*[:：]?\s*)?(?:[^>＞›»。，,；;]{{1,12}}\s*{_SEP}\s*){{2,}}[^>＞›»。，,；;]{{0,12}})$"
        ),
    ),
    ("page number", re.compile(r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[/,，]?\s*共\s*\d{1,4}\s*页)?"
                               r"|P\.\s*\d{1,4}|Page\s+\d{1,4}(?:\s+-\s+.{0,60})?)\s*$", re.I)),
    ("page date", re.compile(rf"^{_BULLET}(?:(?:发布|发表|更新)?(?:时间|日期)\s*[:：]\s*)?{_TIMESTAMP}\s*$")),
    ("share prompt", re.compile(r"^.{0,20}(?:扫一扫|分享至朋友圈|分享到朋友圈).{0,30}$")),
    ("image file", re.compile(r"^\s*\S{1,40}\.(?:jpe?g|png|gif|bmp|webp)\s*$", re.I)),
    ("site links", re.compile(r"^\s*[\u4e00-\u9fff]{2,12}网(?:\s*[|｜]\s*[\u4e00-\u9fff]{2,12}网)+\s*$")),
    ("page controls", re.compile(r"^(?:\s|[|｜\[\]【】•·]|字体|字号|打印本页|打印|关闭窗口|关闭|收藏|分享到|分享至|分享|微信好友|"
                                 r"新浪微博|QQ空间|扫一扫|返回顶部|无障碍|关怀版|适老版|长者版|登录|注册|English|中文|繁体|简体|/|大\s*中\s*小|菜单|搜索|"
                                 # an accessibility toolbar's buttons, one a line
                                 r"页面|配色|辅助线|重置|读屏|指读|连读|大字幕|放大|缩小|语音|新媒体矩阵|支持\s*IPv6|IPv6)+$", re.I)),
    # A navigation bar: the home page and the site's sections, side by side.
    ("navigation", re.compile(r"^\s*(?:(?:网站)?首页|主页)(?:[\s|｜/·]+[\u4e00-\u9fff]{2,8}){3,}\s*$")),
    ("site name", re.compile(r"^\s*[\u4e00-\u9fff]{2,24}(?:门户网站|网站)\s*$")),
)
_STRAY_NUMBER = re.compile(r"^\s*\d{1,12}\s*$")
_GLUED_TITLE = re.compile(rf"^(.*?{_TIMESTAMP})\s*([\u4e00-\u9fff（(“].{{5,80}})$")
_GLUED_BODY = re.compile(rf"^(.{{0,40}}?(?:{_FIELD})\s*[:：]\s*{_TIMESTAMP})\s*([\u4e00-\u9fff（(“].{{20,}})$")


def furniture_reason(line: str) -> str | None:
    """Why ``line`` (folded) is furniture, or None when it is content."""
    for reason, pattern in _RULES:
        if pattern.match(line):
            return reason
    if is_page_information(line):
        return "page information"
    return None


def is_page_information(line: str) -> bool:
    """A line of the page's own fields and controls: two or more fields (发布日期, 来源,
    浏览次数 …), a control (字体, 打印, 分享), or one field with nothing after it."""
    if len(line) > 200:
        return False
    fields = {m.group(1) for m in _FIELD_RE.finditer(line)}
    if len(fields) >= 2 or _UI_RE.search(line):
        return True
    if fields <= {"来源", "信息来源"} and fields and len(line) <= 60 and re.search(rf"{_TIMESTAMP_DAY}\s*\d{{1,2}}:\d{{2}}", line):
        return True  # "2019年10月29日13:56  来源:东方今报"
    if len(fields) == 1:  # "- 来源:" or "[ 发布机构 ]" alone
        rest = _FIELD_RE.sub(" ", line)
        return not re.sub(r"[\s\[\]【】|｜:：•·\-]", "", rest)
    return False


def page_fields(line: str) -> dict[str, str]:
    """The fields of a page-information line, by name: {"发布日期": "2022-08-26 15:40", "来源": …}."""
    out: dict[str, str] = {}
    matches = list(_FIELD_RE.finditer(line))
    for m, nxt in zip(matches, matches[1:] + [None]):
        value = line[m.end(): nxt.start() if nxt else len(line)]
        value = _UI_RE.sub(" ", value)
        value = re.sub(r"[\[\]【】|｜]", " ", value).strip(" :：•·-")
        value = re.sub(r"\s+", " ", value).strip()
        if value:
            out.setdefault(m.group(1), value)
    return out


def split_page_line(line: str) -> tuple[str, str] | None:
    """A line of page fields with the document's title or first paragraph run on after them
    ("[ 发布日期 ] 2021-09-10重庆市…决算情况说明", "青岛政务网 发布日期 : 2022-11-28今年以来,…"):
    (the fields, the rest)."""
    m = _GLUED_TITLE.match(line) or _GLUED_BODY.match(line)
    if not m or _UI_RE.search(m.group(2)) or _FIELD_RE.search(m.group(2)):
        return None
    if not (is_page_information(line) or is_page_information(m.group(1)) or _FIELD_RE.search(m.group(1))):
        return None
    return m.group(1), m.group(2)


def is_stray_number(line: str) -> bool:
    """A bare number on its own line (a page counter or view count left by the page)."""
    return bool(_STRAY_NUMBER.match(line))
