"""Small text helpers shared by reading, chunking and answering."""

from __future__ import annotations

import re
import unicodedata

# Sentence-final marks in Chinese and Western text. A closing quote or bracket that
# follows one belongs to the same sentence (…服务。” starts no new sentence).
SENTENCE_END = "。！？!?；;"
_CLOSERS = "”’」』）)》】"
_SENTENCE_RE = re.compile(rf"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{_CLOSERS}]*|$)")

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# A space between two CJK characters, or between CJK and a digit, is layout, not content
# ("2017 年" is "2017年").
_LAYOUT_SPACE_RE = re.compile(rf"(?<=[{_CJK}\d])[ \u3000\t]+(?=[{_CJK}])|(?<=[{_CJK}])[ \u3000\t]+(?=[\d])")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Split on 。！？；(and ASCII !?;) keeping the mark; returns (offset, sentence) pairs.

    Offsets index ``text``; leading whitespace of a sentence is skipped, so each
    sentence occurs verbatim at its offset.
    """
    out: list[tuple[int, str]] = []
    for m in _SENTENCE_RE.finditer(text):
        raw = m.group(0)
        if not raw.strip():
            continue
        lead = len(raw) - len(raw.lstrip())
        out.append((m.start() + lead, raw.strip()))
    return out


def compact(text: str) -> str:
    """Drop layout spaces between CJK characters and digits ("2017 年" -> "2017年")."""
    return _LAYOUT_SPACE_RE.sub("", text)


def normalize_for_match(text: str) -> str:
    """A loose form for comparing strings: NFKC, no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def is_cjk(ch: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", ch))
