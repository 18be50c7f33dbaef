"""Small text helpers shared by reading, chunking and answering."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


@lru_cache(maxsize=1)
def _converter():
    import opencc  # OpenCC's compiled tables: traditional to simplified

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    out = _converter().convert(ch)
    return out if len(out) == 1 else ch


def fold(text: str) -> str:
    """``text`` in simplified characters, character for character, so that offsets into the
    folded text are offsets into the original (quotes stay verbatim in the original).
    Matching, tokenizing and the patterns read the folded form; 國際 matches 国际."""
    if text.isascii():
        return text
    out = _converter().convert(text)
    if len(out) == len(text):
        return out
    return "".join(_fold_char(ch) for ch in text)  # a phrase rule changed the length: per character
