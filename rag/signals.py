"""The named evidence abstention is decided on, read off the reader's lead sentence."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from rag import patterns as P
from rag import slots
from rag.candidates import Candidates, Scored, SentenceView
from rag.clashes import Clashes
from rag.lexical import tokenize
from rag.question import QuestionProfile
from rag.text import fold

SIGNALS = ("cosine", "overlap", "context", "typed", "filled", "focus", "local", "missing_known", "year_clash", "region_clash",
           "level_clash", "english", "coverage", "cosine_en", "coverage_en", "margin", "list_short",
           "typed_local", "typed_context", "untyped_overlap", "quoted_missing", "missing_name", "english_uncovered")


def signals(profile: QuestionProfile, candidates: Candidates, lead: Scored | None, found: Clashes | None,
            scored: Sequence[Scored], complete: bool = True) -> dict[str, float]:
    """The named evidence abstention is decided on, about the lead sentence."""
    english = float(profile.english)
    if lead is None:
        return {name: 0.0 for name in SIGNALS} | {"english": english, "coverage": candidates.coverage,
                                                  "coverage_en": english * candidates.coverage}
    others = [c.cosine for c in scored if c.sentence.doc != lead.sentence.doc or c.sentence.paragraph != lead.sentence.paragraph]
    found_signals = {
        "cosine": lead.cosine,
        "overlap": lead.overlap,
        "context": lead.context,
        "typed": float(profile.typed),
        "filled": lead.fill if profile.typed else 0.0,
        "focus": focus_share(profile, lead, candidates.weights),
        "local": local_support(profile, lead, candidates),
        "missing_known": missing_known(lead, candidates),
        "year_clash": float(bool(found and found.year)),
        "region_clash": float(bool(found and found.region)),
        "level_clash": float(bool(found and found.level)),
        "english": english,
        "coverage": candidates.coverage,
        "cosine_en": english * lead.cosine,
        "coverage_en": english * candidates.coverage,
        "margin": lead.cosine - (max(others) if others else 0.0),
        "list_short": float(not complete),
    }
    found_signals |= _interactions(profile, lead, found_signals["local"])
    found_signals["quoted_missing"] = float(quoted_missing(profile, lead))
    found_signals["restated"] = float(restated(profile, lead) or next_missing(profile, lead))
    found_signals["missing_name"] = float(missing_name(profile, lead, candidates))
    found_signals["english_uncovered"] = english * (1.0 - candidates.coverage)
    return found_signals


_SUFFIXES = "市州县省国岛港区"
_NAME_SUFFIX = re.compile(rf"[{P.CJK}]{{2,6}}?(?:市|州|县|省|国|岛|港|区)")


def missing_name(profile: QuestionProfile, lead: Scored, candidates: Candidates) -> bool:
    """The question names a place or a proper name (英国黑池市, 波普拉德) that the corpus knows but
    the lead's paragraph, section and title do not: the sentence is about another one."""
    from rag.cedict import proper_names
    from rag.places import lies_in, mentions

    v = lead.view
    text = fold(v.paragraph.text + v.paragraph.section_path + v.meta.title)
    q = fold(profile.text)
    if profile.english:  # the names it writes (Africa: 非洲), not every gloss of its words (cooperation: 经合)
        from rag.english import named_in

        names = set(named_in(profile.text))
    else:
        names = {m.group() for m in _NAME_SUFFIX.finditer(q)}
        names |= {t for t in candidates.weights if len(t) >= 2 and t in proper_names()}
    # The province a document's city lies in is no other place (湖南 asked, a 岳阳 report that says 全省).
    names = {n for n in names if n not in v.identity and not lies_in(v.meta.region or "", n)
             and not any(n in (d.meta.region or "\0") or (d.meta.region or "\0") in n for d in candidates.documents.values())}
    known = [n for n in names if n in candidates.weights and candidates.weights[n] < max(candidates.weights.values())]
    # A name written without its administrative suffix still counts (厦门 for 厦门市); a bare
    # two-character name must stand whole (南非 does not mention 非洲).
    return any(not mentions(text, n) and (n[:-1] if len(n) >= 3 and n[-1] in _SUFFIXES else n) not in text
               for n in known)


def quoted_names(profile: QuestionProfile) -> list[str]:
    """The names a question quotes (“中国·福建周”, 《…规划》), three characters or more."""
    return [re.sub(r"\s+", "", n) for m in re.finditer(r"“([^”]{3,30})”|《([^》]{3,60})》", fold(profile.text))
            for n in m.groups() if n]


def _holds_names(v: SentenceView, names: Sequence[str]) -> bool:
    """Whether the paragraph (with its section and title) holds every quoted name, as written
    or nearly (four in five of its character pairs: users quote from memory)."""
    text = _comparable(v.paragraph.text + v.paragraph.section_path + v.meta.title)
    names = [_comparable(n) for n in names]

    def near(name: str) -> bool:
        if name in text:
            return True
        pairs = [name[i: i + 2] for i in range(len(name) - 1)]
        return bool(pairs) and sum(p in text for p in pairs) >= 0.8 * len(pairs)

    return all(near(n) for n in names)


def _comparable(text: str) -> str:
    """Folded, without spaces, full-width forms as half-width: （城区） is (城区)."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", fold(text)))


# A question for the name of a thing it describes (…的那座山的名称是什么): the description.
_DESCRIBED = re.compile(r"([\u4e00-\u9fff]{3,14}?)[，,]?(?:叫什么名字|叫什么|的名称是什么|名称是什么|的名字是什么|名字是什么|是什么名字)")


def restated(profile: QuestionProfile, lead: Scored) -> bool:
    """A question for the name of a thing it describes, answered by a sentence that describes
    the thing in the question's own words and gives no name (与某国第一大港建立联系 for the
    name of that port): the documents mention it but do not say what it is called."""
    if not any(s.kind == "name" for s in profile.slots):
        return False
    asked = re.sub(r"\s+", "", fold(profile.text))
    m = _DESCRIBED.search(asked)
    if not m:
        return False
    described = _antecedent(asked[: m.start()], m.group(1).split("的")[-1])
    text = re.sub(r"\s+", "", fold(lead.sentence.text))
    return len(described) >= 3 and described in text and not slots.fills(lead.sentence.text, profile)


# The next occurrence of an event (下一届, 下次, the next session), and words that speak of one.
_NEXT_Q = re.compile(r"下一?届|下一?次|下一轮|\bnext (?:session|edition|meeting|conference|forum)\b", re.I)
_NEXT = re.compile(r"下一?届|下一?次|下一轮|明年|来年|下一年|下年度|接办|轮值")


def next_missing(profile: QuestionProfile, lead: Scored) -> bool:
    """A question about the next occurrence of an event (下届会议轮到哪里办) answered by a
    sentence (with the one before it) that speaks of no next one: it reports this one."""
    return bool(_NEXT_Q.search(profile.text)) and not _NEXT.search(lead.view.previous + lead.sentence.text)


_DEMONSTRATIVE = re.compile(r"^(?:这个|这一|这家|这座|那个|该|此)([\u4e00-\u9fff]{1,4})$")


def _antecedent(before: str, described: str) -> str:
    """What a demonstrative description (这个港口, 该机构) refers to: the nearest phrase of the
    question before it that ends in the same kind's word (与某国大港签了协议，这个港口…
    -> 某国大港); the description itself otherwise."""
    m = _DEMONSTRATIVE.match(described)
    if not m:
        return described
    found = re.findall(rf"(?:与|同|和|跟|在|的|了)([\u4e00-\u9fff]{{2,10}}?{re.escape(m.group(1)[0])})", before)
    return found[-1] if found else described


def quoted_missing(profile: QuestionProfile, lead: Scored) -> bool:
    """A question about one thing quotes a name that neither the lead sentence's paragraph nor
    its document's title holds: the sentence speaks of something else. (A question across
    documents, or of several parts, may quote a name of one document only.)"""
    if profile.cross_document or len(_parts_of(profile)) > 1:
        return False
    names = quoted_names(profile)
    return bool(names) and not _holds_names(lead.view, names)


def _parts_of(profile: QuestionProfile) -> list[str]:
    from rag.question import sub_questions

    return sub_questions(profile.text)


def _interactions(profile: QuestionProfile, lead: Scored, local: float) -> dict[str, float]:
    """Signals that mean something only for one kind of question (a linear model cannot
    form these products itself)."""
    typed = float(profile.typed)
    return {"typed_local": typed * local, "typed_context": typed * lead.context, "untyped_overlap": (1 - typed) * lead.overlap}


def focus_share(profile: QuestionProfile, lead: Scored, weights: Mapping[str, float]) -> float:
    """For a count, sum or share: the IDF-weighted share of the words of what is counted
    that the lead sentence has (1 for other questions)."""
    focus = [t for s in profile.slots if s.kind in ("count", "money", "percent") and s.focus for t in slots.focus_terms(s.focus)]
    if not focus:
        return 1.0
    text = fold(lead.sentence.text)
    top = max(weights.values(), default=1.0)
    total = sum(weights.get(t, top) for t in focus)
    return sum(weights.get(t, top) for t in focus if t in text) / (total or 1.0)


def local_support(profile: QuestionProfile, lead: Scored, candidates: Candidates) -> float:
    """How much of the question stands next to the value that fills its slot: the
    IDF-weighted share of the question's words (those naming the document aside) in the
    value's clause and the clauses either side of it, best over the values. An answer stands
    among the words of its question; a near miss's value stands among other words. For a
    question without a typed slot, the sentence's own overlap."""
    if not profile.typed:
        return lead.overlap
    text = fold(lead.sentence.text)
    fills = slots.fills(lead.sentence.text, profile)
    if not fills:
        return 0.0
    content = {t: x for t, x in candidates.weights.items() if t not in lead.view.identity}
    total = sum(content.values()) or 1.0
    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，,；;。：:！？!?]+[，,；;。：:！？!?]*", text)] or [(0, len(text))]
    best = 0.0
    for f in fills:
        i = next((k for k, (a, b) in enumerate(clauses) if a <= f.start < b), 0)
        window = text[clauses[max(0, i - 1)][0]: clauses[min(len(clauses) - 1, i + 1)][1]]
        slot = profile.slots[f.slot]
        if slot.unit == "第" or (slot.kind == "date" and i == 0):
            window = text  # a rank (位列第四), or a date opening the sentence (到2020年,…), speaks of all of it
        tokens = set(tokenize(window))
        best = max(best, sum(x for t, x in content.items() if t in tokens) / total)
    return best


def missing_known(lead: Scored, candidates: Candidates) -> float:
    """How rare the rarest word of the question is that the corpus has but neither the lead
    sentence, its paragraph, its section nor its document's title has (0 when none is
    missing): a near miss often lacks just one specific thing the question names (the award,
    the other city), while a word the corpus lacks altogether is as often a paraphrase."""
    v = lead.view
    have = v.tokens | v.paragraph_tokens | v.context_tokens
    weights = candidates.weights
    top = max(weights.values(), default=1.0) or 1.0
    missing = [x for t, x in weights.items() if t not in have and x < top]
    return max(missing, default=0.0) / top
