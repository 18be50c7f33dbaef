"""Web-page furniture: lines that came with a downloaded page, not with the document.

Each rule names why a line goes, so that what is removed can be listed and tested.
Only whole lines are removed, and only when they look like furniture as a whole.
"""

from __future__ import annotations

import re

_BULLET = r"[-•·*\s]*"
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("file size", re.compile(rf"^{_BULLET}\d+(?:\.\d+)?\s*(?:[KMG]i?B|字节)$", re.I)),
    ("upload date", re.compile(rf"^{_BULLET}\d{{4}}[-/.年]\d{{1,2}}[-/.月]\d{{1,2}}日?\s*(?:发布|上传|更新)$")),
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
    ("breadcrumb", re.compile(r"^\s*(?:首页|当前位置[:：]?\s*首页|您的位置[:：]?)\s*(?:[>＞›»/]\s*[^>＞›»/]{1,20}\s*)+$")),
    ("page number", re.compile(r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[/,，]?\s*共\s*\d{1,4}\s*页)?)\s*$")),
)
_STRAY_NUMBER = re.compile(r"^\s*\d{1,12}\s*$")


def furniture_reason(line: str) -> str | None:
    """Why ``line`` is furniture, or None when it is content."""
    for reason, pattern in _RULES:
        if pattern.match(line):
            return reason
    return None


def is_stray_number(line: str) -> bool:
    """A bare number on its own line (a page counter or view count left by the page)."""
    return bool(_STRAY_NUMBER.match(line))
