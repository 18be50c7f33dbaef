"""Check a language model's answer against the paragraphs it cites, sentence by sentence.

A sentence may reach the user only if it cites passages that were given and every
number, date and proper name in it occurs in a paragraph it cites. Numbers are compared
by value (十五 = 15, 2017年 = 2017, 3万 = 30000), names verbatim; English names are
matched to the Chinese text through CC-CEDICT. The dictionary is read once per process,
on first use (:mod:`rag.cedict`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Sequence

from rag.cedict import dictionary, phrase
from rag.types import Claim, Verdict

# --- sentences and markers -------------------------------------------------------------

# [1]  [1,2]  [1][3]  【1】  ［1］  [1-2]  [段落1]  [Passage 1]; not [2017], a year.
_MARK = r"[\[【［]\s*(?:段落|passage\s*)?(\d{1,3}(?:\s*[-–—~～,，、]\s*\d{1,3})*)\s*[\]】］]"
MARKER = re.compile(_MARK, re.I)
# A sentence ends at 。！？；!? (or ". " in English), with any closing quotes and the
# markers written after it: "…合作。[1][2]" is one sentence.
_END = re.compile(
    r"(?:[。！？；!?]+|(?<!\bNo)(?<!\bMr)(?<!\bDr)(?<!\bSt)(?<!\be\.g)(?<!\bi\.e)\.(?=\s|$|[\[【［]))"  # not "No. 11"
    r"[”’」』）)\"']*"  # closing quotes
    r"(?:\s*" + _MARK.replace("(\\d", "(?:\\d", 1) + ")*",  # markers after the end
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[-*]\s+|[•·●▪]\s*|\d{1,2}(?:[.)]\s+|[、）])|[(（]\d{1,2}[)）]\s*|[一二三四五六七八九十]{1,2}、)")
_LABEL = re.compile(r"^\s*(?:回答|答案|答|answer)\s*[:：]\s*", re.I)
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def markers_of(text: str) -> tuple[int, ...]:
    """The passage numbers a text cites, in order, without repeats; ranges are expanded."""
    out: list[int] = []
    for m in MARKER.finditer(text):
        for part in re.split(r"\s*[,，、]\s*", m.group(1)):
            ends = [int(x) for x in re.split(r"\s*[-–—~～]\s*", part)]
            lo, hi = ends[0], ends[-1]
            numbers = range(lo, hi + 1) if lo <= hi <= lo + 20 else ends
            out.extend(n for n in numbers if n not in out)
    return tuple(out)


def sentences(output: str) -> list[str]:
    """The sentences of an output, markers attached; bullets, labels and empty pieces dropped."""
    pieces: list[str] = []
    for line in output.strip().splitlines():
        line = _BULLET.sub("", _LABEL.sub("", line), count=1)
        start = 0
        bounds = [m.end() for m in _END.finditer(line)]
        for end in bounds + ([len(line)] if not bounds or bounds[-1] < len(line) else []):
            piece, start = line[start:end].strip(), end
            if _CONTENT.search(MARKER.sub("", piece)):
                pieces.append(piece)
            elif pieces and MARKER.search(piece):  # markers on their own belong to the sentence before
                pieces[-1] += piece
    return pieces


def _mostly_latin(text: str) -> bool:
    """Mostly Latin script (more Latin letters than Chinese characters)."""
    return len(_LATIN.findall(text)) > len(_CJK.findall(text))


# --- refusals --------------------------------------------------------------------------

_REFUSAL = re.compile(
    r"没有找到|未找到|找不到|没有(?:提及|提到|涉及|说明|给出|包含|记载|列出)|(?:未|并未|均未)(?:提及|提到|涉及|说明|给出|包含|记载|列出|明确)"
    r"|没有明确(?:说明|提及|提到|给出|规定)|没有(?:相关|具体)?(?:的)?(?:信息|资料|答案|内容)|无(?:相关)?信息|无法(?:回答|确定|得知|判断)"
    r"|(?:文件|文档|段落|材料|资料|原文)(?:中|里)?(?:并)?(?:没有|未|无)"
    r"|\b(?:do|does|did)\s*(?:not|n't)\s+(?:contain|mention|say|state|specify|provide|include|give|address|discuss|cover|indicate)\b"
    r"|\bnot\s+(?:mentioned|specified|stated|provided|given|found|included|available|addressed|covered|indicated|contained)\b"
    r"|\bno\s+(?:information|mention|answer|details?|data|relevant)\b"
    r"|\b(?:cannot|can't|can not|unable to)\s+(?:be\s+)?(?:answer|answered|determine|determined|find|found|tell)\b",
    re.I,
)


def is_refusal(text: str) -> bool:
    """Whether a text says the documents do not contain, mention or answer what was asked."""
    return bool(_REFUSAL.search(unicodedata.normalize("NFKC", text).replace("’", "'")))


# --- normal form -----------------------------------------------------------------------


def fold(text: str) -> str:
    """NFKC, with no whitespace next to Chinese ("2017 年" = "2017年") and single spaces elsewhere."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))
    return re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text).strip()


# --- numbers and dates -----------------------------------------------------------------

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_SCALE = {"万": 10**4, "亿": 10**8, "千": 1000, "百": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
MEASURES = "届个对次项年月日号家所批名人位座条场期天周倍成轮支件种国省市"
_NUMBER = re.compile(
    r"(?P<ord>第)?(?:(?P<ar>(?<!\d)(?<!\d\.)(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?)"
    r"(?P<scale>(?: ?(?:万|亿|千|百|thousand\b|million\b|billion\b|trillion\b))*)"
    r"|(?P<cn>[零〇一二三四五六七八九十百千万亿两]+))"
    rf"(?P<pct>%)?(?P<unit>[{MEASURES}])?"
)
_UNITS = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = "second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split()
_TENTHS = "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
# "one" and "first" are left out for the reason a lone 一 is: mostly they are not counts.
_EN_WORDS = {w: i + 2 for i, w in enumerate(_UNITS)} | {w: i + 2 for i, w in enumerate(_ORDINALS)}
_EN_WORDS |= {w: 20 + 10 * i for i, w in enumerate(_TENS)} | {w: 20 + 10 * i for i, w in enumerate(_TENTHS)}
_EN_ONES = {"one": 1, "first": 1} | {w: v for w, v in _EN_WORDS.items() if v < 10}
_EN_NUMBER = re.compile(
    r"\b(?:" + "|".join(_TENS) + r")-(?:" + "|".join(_EN_ONES) + r")\b|\b(?:" + "|".join(sorted(_EN_WORDS, key=len, reverse=True)) + r")\b",
    re.I,
)
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?"
)


def parse_chinese_number(run: str) -> int | None:
    """The value of a Chinese numeral (十五 15, 一百零五 105, 三万 30000, 二〇一七 2017), or
    None for a run that is not one number (十三五, 五六, 三万五)."""
    if not run or any(ch not in _CN_DIGIT and ch not in _CN_UNIT and ch not in _CN_BIG for ch in run):
        return None
    if all(ch in _CN_DIGIT for ch in run):  # read digit by digit only where that is clearly meant
        if len(run) == 1 or len(run) >= 3 or "〇" in run or "零" in run:
            return int("".join(str(_CN_DIGIT[ch]) for ch in run))
        return None
    total, section, digit, zero = 0, 0, None, False
    last_unit, last_big, previous = 10**5, 10**9, None  # previous: the unit just before a digit
    for ch in run:
        if ch in _CN_DIGIT:
            if _CN_DIGIT[ch] == 0:
                zero = True
            elif digit is not None:
                return None
            else:
                digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            unit = _CN_UNIT[ch]
            if unit >= last_unit or (digit is None and (section or total)):
                return None
            section += (digit or 1) * unit
            digit, zero, last_unit, previous = None, False, unit, unit
        else:
            big = _CN_BIG[ch]
            if big >= last_big:
                return None
            total += (section + (digit or 0) or 1) * big
            section, digit, zero, last_unit, last_big, previous = 0, None, False, 10**5, big, big
    if digit is not None:
        if previous is not None and previous > 10 and not zero:
            return None  # 一百五, 三万五: colloquial shorthand, not read as one number here
        section += digit
    return total + section


@dataclass(frozen=True)
class _Number:
    values: tuple  # what it may be matched by: its value (and, in a paragraph, its unscaled digits)
    kind: str  # "values", "months" or "ordinals": the pool of a paragraph's numbers it is matched in
    literal: str | None = None  # a run that is no single number (十三五) must occur as written


def _number_match(m: re.Match, claim: str | None) -> _Number | None:
    """What a match of _NUMBER stands for; None when it is not a count (统一, 进一步, 百姓).

    ``claim`` is the text the match is in when that is a claim, None in a paragraph. In a
    claim a lone numeral counts only after 第 or as the first character of a word before a
    measure word (一个, not 统一对外), and 3万 is only 30000; in a paragraph 3万 is also 3.
    """
    kind = "ordinals" if m.group("ord") else "months" if m.group("unit") == "月" else "values"
    if m.group("ar"):
        value = Fraction(m.group("ar").replace(",", ""))
        scaled = value
        for word in re.findall(r"万|亿|千|百|[a-z]+", m.group("scale")):
            scaled *= _SCALE[word]
        return _Number((scaled,) if claim is not None else (scaled, value), kind)
    run = m.group("cn")
    if len(run) == 1 and not m.group("ord"):
        if not (m.group("unit") or m.group("pct")):
            return None
        if claim is not None and m.start("cn") not in _word_starts(claim):
            return None
    value = parse_chinese_number(run)
    if value is None:
        return _Number((), kind, run)
    return _Number((value,), kind)


@lru_cache(maxsize=256)
def _word_starts(text: str) -> frozenset[int]:
    import rjieba  # a Rust extension: fast to import, no cache files

    return frozenset(start for _, start, _ in rjieba.tokenize(text))


def _english_number(word: str) -> int:
    word = word.lower()
    if "-" in word:
        tens, ones = word.split("-")
        return _EN_WORDS[tens] + _EN_ONES[ones]
    return _EN_WORDS[word]


def _ordinal(word: str) -> bool:
    return word.lower().endswith(("th", "second", "third", "first"))


def _number_facts(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _NUMBER.finditer(text):
        if _number_match(m, text) is not None:
            out.append((m.start(), m.group(0)))
    out += [(m.start(), m.group(0)) for m in _EN_NUMBER.finditer(text)]
    out += [(m.start(), m.group(1)) for m in _MONTH.finditer(text)]
    return out


def _number_supported(fact: str, texts: Sequence[_Text]) -> bool | None:
    """Whether a number or date fact is supported; None when ``fact`` is not one."""
    if m := _MONTH.fullmatch(fact):
        return any(_MONTHS[m.group(1)[:3].lower()] in t.months for t in texts)
    if _EN_NUMBER.fullmatch(fact):
        pool = "ordinals" if _ordinal(fact) else "values"
        return any(_english_number(fact) in getattr(t, pool) for t in texts)
    m = _NUMBER.fullmatch(fact)
    if m is None:
        return None
    number = _number_match(m, claim=fact)
    if number is None:
        return None
    if number.literal:
        return any(number.literal in t.text for t in texts)
    return any(v in getattr(t, number.kind) for t in texts for v in number.values)


# --- names -----------------------------------------------------------------------------

_QUOTE = re.compile(r"《[^《》]+》|“[^“”]+”|\"[^\"]+\"|「[^「」]+」|『[^『』]+』")
_OPENERS = "《“\"「『"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’\-][A-Za-z0-9]+)*")
_CONNECTORS = frozenset({"of", "the", "for", "de"})
# Capitalised only because they open a sentence or are the pronoun I; never names.
_FUNCTION = frozenset(
    "the a an in on at by for from to of and but or it its this that these those there their they he she we i "
    "according as with both each all some under during after before since also yes no if while when where which "
    "what who how not such other most many more further besides meanwhile however therefore thus moreover "
    "additionally specifically overall together".split()
)
_ADMIN_SUFFIX = "省市县区州"


@lru_cache(maxsize=4096)
def _headwords_for(phrase: str) -> tuple[str, ...]:
    """Chinese headwords with a gloss that begins with these English words (whole words)."""
    entries = dictionary().glosses.get(phrase.split(" ", 1)[0], ())
    return tuple({h for g, h in entries if g == phrase or g.startswith(phrase + " ")})


def _glossed(phrase: str, texts: Sequence[_Text]) -> bool:
    return bool(phrase) and any(h in t.text for h in _headwords_for(phrase) for t in texts)


def _latin_in(phrase: str, texts: Sequence[_Text]) -> bool:
    pattern = re.compile(r"(?<![a-z])" + re.escape(phrase.lower()) + r"(?![a-z])")
    return any(pattern.search(t.text) for t in texts)


def _latin_supported(run: str, texts: Sequence[_Text]) -> bool:
    """An English name: in the text, the gloss of a Chinese word in it, or its pinyin; as a
    whole or word by word (ordinary English words such as Office or Provincial pass alone)."""
    if _latin_in(run, texts) or _glossed(phrase(run), texts) or _pinyin_in(run, texts):
        return True
    for word in re.split(r"[\s\-]+", re.sub(r"['’]s\b", "", run)):
        if not word or word.lower() in _CONNECTORS or word.lower() in dictionary().ordinary:
            continue
        if not (_latin_in(word, texts) or _glossed(phrase(word), texts) or _pinyin_in(word, texts)):
            return False
    return True


@lru_cache(maxsize=256)
def _syllables(text: str) -> tuple[str, ...]:
    """The toneless pinyin of a text's Chinese characters ("" where other text breaks them)."""
    from pypinyin import lazy_pinyin  # loads its dictionary on first use

    return tuple(lazy_pinyin(text, errors=lambda chars: [""]))


def _pinyin_in(name: str, texts: Sequence[_Text]) -> bool:
    """Whether a romanised name (Huagan, Lu Xinshe) spells two or more consecutive
    characters of a text in pinyin (华赣, 鹿心社)."""
    letters = re.sub(r"[^a-z]", "", name.lower())
    if len(letters) < 4:
        return False
    for t in texts:
        syllables = _syllables(t.text)
        for i, first in enumerate(syllables):
            if not first or not letters.startswith(first):
                continue
            spelled, j = first, i + 1
            while len(spelled) < len(letters) and j < len(syllables) and syllables[j]:
                spelled, j = spelled + syllables[j], j + 1
            if spelled == letters and j - i >= 2:
                return True
    return False


def _latin_runs(text: str) -> list[tuple[int, str]]:
    """Runs of capitalised words ("Ministry of Foreign Affairs"), minus function words,
    month names and number words, which are checked as what they are."""
    runs: list[list[re.Match]] = []
    current: list[re.Match] = []
    pending: list[re.Match] = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        adjacent = bool(current) and text[(pending or current)[-1].end() : m.start()] == " "
        if word[0].isupper() and not _MONTH.fullmatch(word) and not _EN_NUMBER.fullmatch(word):
            if adjacent:
                current += pending
            elif current:
                runs.append(current)
                current = []
            current.append(m)
            pending = []
        elif word in _CONNECTORS and adjacent:
            pending.append(m)
        else:
            if current:
                runs.append(current)
            current, pending = [], []
    if current:
        runs.append(current)
    first = _WORD.search(text)
    out = []
    for run in runs:
        # A capital that only opens the sentence (Total, Both) marks no name.
        if run[0].start() == first.start() and run[0].group(0).lower() in dictionary().ordinary:
            run = run[1:]
        while run and run[0].group(0).lower() in _FUNCTION:
            run = run[1:]
        while run and run[-1].group(0).lower() in _FUNCTION:
            run = run[:-1]
        if run and (len(run) > 1 or len(run[0].group(0)) > 1):  # a lone letter (A, N) is no name
            out.append((run[0].start(), text[run[0].start() : run[-1].end()]))
    return out


def _name_facts(text: str) -> list[tuple[int, str]]:
    english = _mostly_latin(text)
    out = [(m.start(), m.group(0)) for m in _QUOTE.finditer(text) if not english or _CJK.search(m.group(0))]
    proper = dictionary().proper
    import rjieba

    for run in re.finditer(r"[\u3400-\u9fff]+", text):
        out += [(run.start() + a, w) for w, a, _ in rjieba.tokenize(run.group(0)) if len(w) >= 2 and w in proper]
    return out + _latin_runs(text)


def _name_supported(fact: str, texts: Sequence[_Text]) -> bool:
    if fact[0] in _OPENERS:
        inner = fold(fact[1:-1]).lower()
        return any(inner in t.text for t in texts)
    if not _CJK.search(fact):
        return _latin_supported(fact, texts)
    name = fold(fact).lower()
    if any(name in t.text for t in texts):
        return True
    # 厦门市 is supported by 厦门: an administrative suffix adds nothing to the name.
    return name[-1] in _ADMIN_SUFFIX and len(name) >= 3 and any(name[:-1] in t.text for t in texts)


# --- cited paragraphs ------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """A cited paragraph, prepared for look-ups: folded lower-case text and its numbers."""

    text: str
    values: frozenset  # every number in it, by value
    months: frozenset  # the numbers that are months (5月, May, 2017-05-03)
    ordinals: frozenset  # the numbers that are ordinals (第五届, fifth)


@lru_cache(maxsize=1024)
def _prepare(text: str) -> _Text:
    folded = fold(text)
    pools: dict[str, set] = {"values": set(), "months": set(), "ordinals": set()}
    for m in _NUMBER.finditer(folded):
        number = _number_match(m, claim=None)
        if number is not None:
            pools["values"].update(number.values)
            pools[number.kind].update(number.values)
    for m in _EN_NUMBER.finditer(folded):
        pools["ordinals" if _ordinal(m.group(0)) else "values"].add(_english_number(m.group(0)))
    values, months = pools["values"] | pools["ordinals"], pools["months"]
    for m in _MONTH.finditer(folded):
        months.add(_MONTHS[m.group(1)[:3].lower()])
    for m in re.finditer(r"(?<!\d)\d{4}[-/.](\d{1,2})[-/.]\d{1,2}(?!\d)", folded):
        months.add(int(m.group(1)))
    return _Text(folded.lower(), frozenset(values), frozenset(months), frozenset(pools["ordinals"]))


# --- the verifier ----------------------------------------------------------------------

_ENUMERATOR = re.compile(r"[(（]\d{1,2}[)）]|[\u2460-\u2473]")  # (1) （2） ①: list numbering, not facts


def facts(sentence: str) -> tuple[str, ...]:
    """The checkable facts of a sentence: numbers, dates and names, in order of appearance."""
    text = fold(_ENUMERATOR.sub(" ", MARKER.sub(" ", sentence)))
    found = sorted(_number_facts(text) + _name_facts(text))
    return tuple(dict.fromkeys(f for _, f in found))


def supported(fact: str, texts: Sequence[str]) -> bool:
    """Whether any of ``texts`` contains ``fact`` (a number by value, a name verbatim)."""
    prepared = [_prepare(t) for t in texts]
    if fact[:1] not in _OPENERS:
        number = _number_supported(fact, prepared)
        if number is not None:
            return number
    return _name_supported(fact, prepared)


def check(sentence: str, paragraphs: Sequence[str]) -> Claim:
    """One sentence judged against the numbered paragraphs (``paragraphs[i]`` is [i+1])."""
    markers = markers_of(sentence)
    if is_refusal(sentence):
        return Claim(sentence, markers, problem="refusal")
    if not markers:
        return Claim(sentence, markers, problem="no citation")
    missing = [n for n in markers if not 1 <= n <= len(paragraphs)]
    if missing:
        return Claim(sentence, markers, problem=f"cites [{missing[0]}], which was not given")
    cited = [paragraphs[n - 1] for n in markers]
    unsupported = tuple(f for f in facts(sentence) if not supported(f, cited))
    problem = f"'{unsupported[0]}' is in none of the paragraphs it cites" if unsupported else None
    return Claim(sentence, markers, unsupported, problem)


def verify(output: str, paragraphs: Sequence[str]) -> Verdict:
    """Every sentence of a generated answer, judged; ``paragraphs[i]`` is passage [i+1]."""
    claims = tuple(check(s, paragraphs) for s in sentences(output))
    refusal = bool(claims) and all(c.problem == "refusal" for c in claims)
    return Verdict(claims, refusal)


def render(claims: Sequence[Claim]) -> str:
    """The kept sentences as answer text: Chinese joined with nothing, English with a space."""
    out = ""
    previous = None
    for claim in claims:
        if claim.problem is not None:
            continue
        if previous is not None:
            out += " " if _mostly_latin(previous.text) or _mostly_latin(claim.text) else ""
        out += claim.text
        previous = claim
    return out
