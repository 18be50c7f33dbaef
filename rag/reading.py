"""The reader: ``read(profile, candidates) -> Evidence``, over sentences the retriever exports.

Each candidate sentence is scored by its embedding similarity to the question, its share
of the question's words (IDF-weighted, words naming the document left out), its paragraph's
retrieval rank, and whether it fills the question's slot (``rag.slots``). The reader then
chooses what the answer quotes: the best sentence, every document's best one for a
cross-document question, and for a list question the whole list (``rag.lists``). It never
sees the retriever itself: a ``Candidates`` bundle holds the sentences, the question's word
weights and the documents, so the rules can be tested on three inline sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from rag import lists, slots
from rag import patterns as P
from rag.clashes import Clashes, clashes_of
from rag.layout import is_title_like
from rag.lexical import tokenize
from rag.question import QuestionProfile
from rag.text import fold
from rag.types import Document, DocumentMeta, Paragraph, Sentence

# The context overlap assumed for a question that shares no word with the corpus (English).
NEUTRAL_CONTEXT = 0.75


@dataclass(frozen=True)
class Weights:
    """How the sentence score combines its parts."""

    dense: float = 2.0
    overlap: float = 0.6
    context: float = 0.3
    kind: float = 0.3  # fills the question's slot
    unit: float = 0.15  # fills a count in the counter asked for
    front: float = 0.3  # penalty: a title, letterhead or date line, unless the question is about the document
    rank: float = 0.25
    time_frame: float = 0.3  # penalty: the paragraph is about another period or year section than asked
    quoted: float = 0.3  # the paragraph holds every name the question quotes (“中国·福建周”)
    list_margin: float = 0.12  # a list answer takes sentences within this of the best
    max_sentences: int = 4
    paragraphs: int = 6  # how many retrieved paragraphs are read
    snippet_chars: int = 160
    list_chars: int = 320  # a list answer shows up to this much of its enumeration


@dataclass(frozen=True)
class SentenceView:
    """A candidate sentence with what the retriever knows of it."""

    sentence: Sentence
    paragraph: Paragraph
    meta: DocumentMeta
    rank: int  # its paragraph's retrieval rank (0 = best)
    fused: float  # its paragraph's fused score, relative to the best paragraph's
    cosine: float  # the sentence's cosine with the question
    tokens: frozenset[str]
    paragraph_tokens: frozenset[str]
    context_tokens: frozenset[str]  # its section path and the words naming its document
    identity: frozenset[str]  # the words naming its document (region, title, issuer)
    previous: str = ""  # the sentence before it in its paragraph


@dataclass(frozen=True)
class Candidates:
    """What the reader reads: candidate sentences, best paragraphs first, and the corpus facts
    the rules need."""

    question: str
    sentences: tuple[SentenceView, ...]
    weights: Mapping[str, float]  # the question's words -> IDF in the corpus
    documents: Mapping[str, Document]
    regions: frozenset[str] = frozenset()  # regions the corpus's documents are about
    named: frozenset[str] = frozenset()  # documents whose region the question names
    coverage: float = 1.0  # share of the question's words that the corpus has at all
    key_terms: frozenset[str] = frozenset()  # the question's rarest words that name no document
    parts: tuple[tuple[str, Mapping[str, float]], ...] = ()  # each part of a question that asks several things, with its word weights


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    view: SentenceView
    score: float
    cosine: float
    overlap: float  # IDF-weighted share of the question's words in the sentence
    context: float  # the same over the sentence with its paragraph, section and title
    typed: bool  # fills the question's slot (True when the question has no typed slot)
    fill: float = 1.0  # share of the question's typed slots it fills


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the answer, the part of it shown, and the answer span in it."""

    scored: Scored
    snippet: str  # a contiguous part of the sentence
    span: tuple[int, int] | None  # within the sentence


@dataclass(frozen=True)
class Evidence:
    """What the reader found: every sentence scored, what the answer quotes, and the signals
    abstention is decided on."""

    profile: QuestionProfile
    scored: tuple[Scored, ...]
    picks: tuple[Pick, ...]
    signals: Mapping[str, float] = field(default_factory=dict)
    clashes: Clashes | None = None
    list_complete: bool = True  # a list answer gives as many items as the question or the text counts


def read(profile: QuestionProfile, candidates: Candidates, w: Weights = Weights()) -> Evidence:
    """Score the candidates, choose what the answer quotes and gather the abstention signals."""
    scored = score(profile, candidates, w)
    if not scored:
        return Evidence(profile, (), (), signals(profile, candidates, None, None, ()), None)
    chosen = choose(scored, profile, w, candidates)
    chosen = _with_parts(chosen, candidates, w)
    picks, complete = _picks(chosen, profile, candidates, w, scored)
    lead = chosen[0]
    # A question across documents or of several parts fixes years and places for one part
    # or one document each; the lead sentence is not held to all of them.
    several = profile.cross_document or len(_parts_of(profile)) > 1
    found_clashes = None if several else clashes_of(profile, lead.view, candidates)
    return Evidence(profile, tuple(scored), tuple(picks),
                    signals(profile, candidates, lead, found_clashes, scored, complete), found_clashes, complete)


def score(profile: QuestionProfile, candidates: Candidates, w: Weights) -> list[Scored]:
    """Every candidate sentence, best first."""
    q = candidates.weights
    total = sum(q.values()) or 1.0
    # A Chinese question mostly in words the corpus lacks is evidence against support, not
    # neutral. An English question's dictionary words are a loose net: its context is neutral.
    neutral = NEUTRAL_CONTEXT if profile.english else None
    names = quoted_names(profile)
    out: list[Scored] = []
    for v in candidates.sentences:
        content = {t: x for t, x in q.items() if t not in v.identity}
        content_total = sum(content.values()) or 1.0
        overlap = sum(x for t, x in content.items() if t in v.tokens) / content_total
        if neutral is not None:
            context = neutral
        else:
            context = sum(x for t, x in q.items() if t in v.tokens or t in v.context_tokens or t in v.paragraph_tokens) / total
        fill = slots.filled_share(v.sentence.text, profile)
        typed = fill > 0 if profile.typed else True
        unit = bool(profile.unit and typed)
        front = is_title_like(v.sentence.text) and not profile.about_document
        elsewhen = _elsewhen(profile, v, candidates)
        quoted = bool(names) and _holds_names(v, names)
        value = (w.dense * v.cosine + w.overlap * overlap + w.context * context + w.kind * (fill if profile.typed else 1.0)
                 + w.unit * unit - w.front * front + w.rank * v.fused - w.time_frame * elsewhen + w.quoted * quoted)
        out.append(Scored(v.sentence, v, value, v.cosine, overlap, context, typed, fill))
    out.sort(key=lambda c: -c.score)
    # A sentence that does not fill the slot does not lead when one that fills it scores
    # nearly as well (a quoted title line against the date line below it).
    if out and profile.typed and not out[0].typed:
        filled = next((c for c in out if c.typed), None)
        if filled is not None and filled.score >= out[0].score - w.list_margin:
            out.remove(filled)
            out.insert(0, filled)
    return out


def _elsewhen(profile: QuestionProfile, v: SentenceView, candidates: Candidates) -> bool:
    from rag.clashes import period_clash, section_year_clash

    doc = candidates.documents.get(v.sentence.doc)
    section = v.paragraph.section_path
    return period_clash(profile, fold(v.paragraph.text + section)) or (
        doc is not None and section_year_clash(profile, section, doc))


def choose(scored: Sequence[Scored], profile: QuestionProfile, w: Weights, candidates: Candidates) -> list[Scored]:
    """The best sentence, and for list or cross-document questions the near-best others.

    A cross-document question takes, from each document, its best sentence that holds the
    question's key term (its rarest word that names no document), or failing that one that
    overlaps the question about as well as the best sentence does.
    """
    best = scored[0]
    chosen = [best]
    if profile.cross_document:
        key = candidates.key_terms

        def has_key(c: Scored) -> bool:
            return bool(key & c.view.tokens) or any(k in fold(c.sentence.text) for k in key)

        keyed = bool(key) and has_key(best)
        for c in scored[1:]:
            if len(chosen) >= w.max_sentences + 1:
                break
            if c.sentence.doc in {x.sentence.doc for x in chosen}:
                continue
            if (keyed and has_key(c)) or (not keyed and c.score >= best.score - 3 * w.list_margin
                                          and c.overlap >= 0.75 * best.overlap):
                chosen.append(c)
        names = quoted_names(profile)
        for doc in candidates.named:  # every document the question names by its region speaks
            if doc not in {x.sentence.doc for x in chosen}:
                own = [c for c in scored if c.sentence.doc == doc and c.score >= best.score - 6 * w.list_margin]
                pick = next((c for c in own if (key and has_key(c)) or (names and all(n in fold(c.sentence.text)
                                                                                        for n in names))), None)
                if pick is not None or own:
                    chosen.append(pick or own[0])
    elif profile.wants_list and not _gives_list(best, profile):
        for c in scored[1:]:
            if len(chosen) >= w.max_sentences or c.score < best.score - w.list_margin:
                break
            if c.sentence.text == best.sentence.text or any(c.sentence == x.sentence for x in chosen):
                continue
            chosen.append(c)
    elif len(profile.slots) > 1:  # a question that asks several things: the best filler of each slot
        for i in range(1, len(profile.slots)):
            if any(i in {f.slot for f in slots.fills(x.sentence.text, profile)} for x in chosen):
                continue
            filler = next((c for c in scored[1:12] if i in {f.slot for f in slots.fills(c.sentence.text, profile)}
                           and c.score >= best.score - 3 * w.list_margin), None)
            if filler is not None and filler not in chosen:
                chosen.append(filler)
    # The best sentence leads (it is the first citation); the others follow grouped by
    # document, documents in the order of their best sentence, each in reading order.
    rank: dict[str, int] = {}
    for c in chosen:
        rank.setdefault(c.sentence.doc, len(rank))
    rest = sorted(chosen[1:], key=lambda c: (rank[c.sentence.doc], c.sentence.paragraph, c.sentence.index))
    return [chosen[0], *rest]


def _with_parts(chosen: list[Scored], candidates: Candidates, w: Weights) -> list[Scored]:
    """A question that asks several things (…多少家？比重是多少？) gets the best sentence for
    each part, read with that part's own profile and words."""
    from dataclasses import replace

    from rag.question import profile as read_profile

    out = list(chosen)
    for part, weights in candidates.parts:
        best = score(read_profile(part), replace(candidates, weights=weights, parts=()), w)[:1]
        out += [c for c in best if all(c.sentence != x.sentence for x in out)]
    return out


def _gives_list(c: Scored, profile: QuestionProfile) -> bool:
    """Whether the best sentence holds or leads to a list of its own (then near-best
    sentences are not added)."""
    v = c.view
    if lists.enumeration(_list_unit(c)) is not None:
        return True
    if profile.typed and profile.list_count is None:
        return False
    return (lists.announced(c.sentence.text) is not None or v.paragraph.is_heading or _item_heading(c)
            or lists.enumeration(fold(v.paragraph.text)) is not None)


def _picks(chosen: list[Scored], profile: QuestionProfile, candidates: Candidates, w: Weights,
           scored: Sequence[Scored] = ()) -> tuple[list[Pick], bool]:
    """What the answer shows of each chosen sentence; a list question's items in full."""
    if profile.wants_list and not profile.cross_document:
        listed = list_answer(chosen[0], profile, candidates, w, scored)
        if listed is not None:
            return listed
    picks = [snippet(c, profile, candidates.weights, w.snippet_chars) for c in chosen]
    if not profile.wants_list and _heading_sentence(chosen[0]):
        picks[0] = _with_body(picks[0], candidates, w)
    return picks, True


def _heading_sentence(c: Scored) -> bool:
    """A short sentence opening with an item marker (一是…, （二）…, 3.…): an item's heading."""
    return len(c.sentence.text) <= 40 and lists.starts_item(c.sentence.text)


def _with_body(pick: Pick, candidates: Candidates, w: Weights) -> Pick:
    """An item's heading (一是服务“一带一路”交汇点建设。) names a topic; the facts stand in the
    sentence after it, which the answer shows too (the quote is the heading and that sentence)."""
    s = pick.scored.sentence
    paragraph = pick.scored.view.paragraph.text
    from rag.text import split_sentences

    sentences = split_sentences(paragraph)
    at = next((i for i, (offset, text) in enumerate(sentences) if offset == s.start), None)
    if at is None or at + 1 >= len(sentences):
        return pick
    start, nxt = sentences[at + 1]
    end = start + len(nxt)
    quote = paragraph[s.start:end]
    if len(quote) > w.list_chars:
        return pick
    sentence = Sentence(s.doc, s.paragraph, s.index, s.start, quote)
    c = pick.scored
    return Pick(Scored(sentence, c.view, c.score, c.cosine, c.overlap, c.context, c.typed, c.fill), quote, None)


def list_answer(best: Scored, profile: QuestionProfile, candidates: Candidates, w: Weights,
                scored: Sequence[Scored] = ()) -> tuple[list[Pick], bool] | None:
    """A list answer: every item, whatever form the list takes. The best sentence is read
    first; when its list is shorter than the question says (哪四项), the near-best sentences
    are read for one that long. Returns the picks and whether the list is complete."""
    wanted = profile.list_count
    first = _list_of(best, profile, candidates, w)
    if first is not None:
        picks, count, expected = first
        if count >= (wanted or expected or 0):
            return picks, True
    if wanted:  # a counted list (哪四项) may stand elsewhere in the lead's document: one of exactly that many
        near = [c for c in scored[1:40] if c.sentence.doc == best.sentence.doc
                and c.overlap >= 0.5 * best.overlap][:15]
        for c in near:
            got = _list_of(c, profile, candidates, w)
            if got is not None and got[1] == wanted:
                return got[0], True
    if first is None:
        return None
    return first[0], False


def _list_of(c: Scored, profile: QuestionProfile, candidates: Candidates,
             w: Weights) -> tuple[list[Pick], int, int] | None:
    """The list ``c`` gives or leads to: (picks, items found, items it announces).

    Its own enumeration first (items after 分别是/：, 、-runs, ；-runs to the full stop). A
    question for things of a kind (哪些国家, 哪几位) is answered there or not at all; a question
    for the parts of something (哪几个方面, 五大行动) also reads the items a heading or an
    announcement leads to, the run of item paragraphs a short item heading belongs to, and
    the ordinals run into its paragraph (一是…。二是…。)."""
    doc = candidates.documents.get(c.sentence.doc)
    if doc is None:
        return None
    p = c.view.paragraph
    text = c.sentence.text
    announced = lists.announced(text)
    unit = _list_unit(c)
    own = lists.enumeration(unit)
    structural = not profile.typed or profile.list_count is not None
    parts = profile.section_parts or profile.list_count is not None
    leads = announced is not None or (p.is_heading and parts)
    if structural and (leads or (profile.section_parts and (own is None or len(own.items) < 3))):
        items = lists.following_items(doc, p)
        if profile.list_count:
            items = items[: profile.list_count]
        if len(items) >= 2:
            picks = [] if p.is_heading else [snippet(c, profile, candidates.weights, w.snippet_chars)]
            picks += [_item_pick(c, q) for q in items]
            return picks, len(items), announced or 0
    if own is not None and (len(own.items) >= 3 or not structural):
        return _own_list(c, unit, own, w), len(own.items), announced or 0
    if structural and parts and _item_heading(c) and (own is None or len(own.items) < 3):
        run = lists.sibling_items(doc, p)
        if len(run) >= 2:
            return [_item_pick(c, q) for q in run], len(run), 0
    if structural:
        inline = lists.enumeration(fold(p.text))
        if inline is not None and lists.P.ORDINAL_ITEM_RE.search(fold(p.text)) and len(inline.items) >= 2 and (
                own is None or len(inline.items) > len(own.items)):
            return [_paragraph_pick(c, inline, w.list_chars)], len(inline.items), 0
    if own is not None:
        return _own_list(c, unit, own, w), len(own.items), announced or 0
    return None


def _own_list(c: Scored, unit: str, own: "lists.Enumeration", w: Weights) -> list[Pick]:
    sentence = Sentence(c.sentence.doc, c.sentence.paragraph, c.sentence.index, c.sentence.start, unit)
    scored_unit = Scored(sentence, c.view, c.score, c.cosine, c.overlap, c.context, c.typed, c.fill)
    return [_window(scored_unit, own.start, own.end, w.list_chars)]


def _item_heading(c: Scored) -> bool:
    """The sentence is an item's own heading: short, opening its paragraph with a marker."""
    return c.sentence.index == 0 and len(c.sentence.text) <= 40 and lists.starts_item(c.sentence.text)


def _list_unit(c: Scored) -> str:
    """The sentence with the sentences its list runs on into (…领域:优化流量,…;稳定流速,…;升级平台,…。):
    a list separated by ；runs to the full stop."""
    text = c.sentence.text
    if not text.rstrip().endswith(("；", ";")):
        return text
    paragraph = c.view.paragraph.text
    start = c.sentence.start
    end_m = re.search(r"[。！？!?]", paragraph[start:])
    end = start + (end_m.end() if end_m else len(paragraph) - start)
    return paragraph[start:end].strip()


def _item_pick(c: Scored, p: Paragraph) -> Pick:
    label = lists.item_label(p.text)
    sentence = Sentence(p.doc, p.number, 0, 0, _first_sentence(p.text))
    view = SentenceView(sentence, p, c.view.meta, c.view.rank, c.view.fused, c.cosine,
                        frozenset(tokenize(sentence.text)), frozenset(), frozenset(), c.view.identity)
    s = Scored(sentence, view, c.score, c.cosine, c.overlap, c.context, True)
    shown = label if label in sentence.text else sentence.text
    return Pick(s, shown, None)


def _paragraph_pick(c: Scored, found: "lists.Enumeration", max_chars: int) -> Pick:
    """A pick quoting the part of the paragraph its items stand in, showing the items."""
    p = c.view.paragraph
    quote = p.text[found.start: found.end]
    sentence = Sentence(p.doc, p.number, 0, found.start, quote)
    s = Scored(sentence, c.view, c.score, c.cosine, c.overlap, c.context, c.typed, c.fill)
    shown = quote if len(quote) <= max_chars else "；".join(found.texts(p.text))
    return Pick(s, shown, None)


def _first_sentence(text: str) -> str:
    from rag.text import split_sentences

    sentences = split_sentences(text)
    return sentences[0][1] if sentences else text


def _window(c: Scored, a: int, b: int, max_chars: int) -> Pick:
    """The clauses of the sentence around ``a:b`` (an enumeration), whole if it fits."""
    text = c.sentence.text
    if len(text) <= max_chars:
        return Pick(c, text, None)
    clauses = _clauses(text)
    lo = next(i for i, (x, y) in enumerate(clauses) if y > a)
    hi = next((i for i, (x, y) in enumerate(clauses) if y >= b), len(clauses) - 1)
    while lo > 0 and clauses[hi][1] - clauses[lo - 1][0] <= max_chars and lo > hi - 1 and a - clauses[lo][0] < 2:
        lo -= 1
    start, end = clauses[lo][0], clauses[hi][1]
    if end - start > max_chars:
        end = start + max_chars
    return Pick(c, text[start:end].rstrip("，,：:"), None)


def _clauses(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^，,：:；;]+[，,：:；;]?", text)]


def snippet(c: Scored, profile: QuestionProfile, weights: Mapping[str, float], max_chars: int) -> Pick:
    """The clauses of the sentence that carry the answer, and the answer span in it."""
    text = c.sentence.text
    clauses = _clauses(text) or [(0, len(text))]
    fills = slots.fills(text, profile)
    spans = [(f.start, f.end) for f in fills]
    typed_bonus = max(2.0, 0.3 * sum(weights.values()))

    def value(a: int, b: int) -> float:
        part = set(tokenize(text[a:b]))
        typed = any(a <= s < b for s, _ in spans)
        return sum(v for t, v in weights.items() if t in part) + (typed_bonus if typed else 0.0)

    if len(text) <= max_chars or len(clauses) <= 1:
        start, end = 0, len(text)
    else:
        best = max(range(len(clauses)), key=lambda i: value(*clauses[i]))
        lo = hi = best
        typed = [i for i, (a, b) in enumerate(clauses) if any(a <= s < b for s, _ in spans)]
        if typed:  # the window must hold the answer itself, not only the words around it
            t = min(typed, key=lambda i: abs(i - best))
            lo, hi = (min(t, best), max(t, best))
            if clauses[hi][1] - clauses[lo][0] > max_chars:
                lo = hi = t
        while True:
            options = [i for i in (lo - 1, hi + 1) if 0 <= i < len(clauses)]
            options = [i for i in options if clauses[max(hi, i)][1] - clauses[min(lo, i)][0] <= max_chars]
            if not options:
                break
            i = max(options, key=lambda j: value(*clauses[j]))
            if value(*clauses[i]) <= 0 and clauses[hi][1] - clauses[lo][0] >= 40:
                break
            lo, hi = min(lo, i), max(hi, i)
        start, end = clauses[lo][0], clauses[hi][1]
    shown = text[start:end].rstrip("，,：:")
    inside = [s for s in spans if start <= s[0] and s[1] <= start + len(shown)]
    span = max(inside, key=lambda s: value(*_clause_of(s[0], clauses)), default=None) if inside else None
    return Pick(c, shown, span)


def _clause_of(offset: int, clauses: list[tuple[int, int]]) -> tuple[int, int]:
    return next((c for c in clauses if c[0] <= offset < c[1]), (offset, offset + 1))


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
    } | _interactions(profile, lead)
    found_signals["typed_local"] = float(profile.typed) * found_signals["local"]
    found_signals["quoted_missing"] = float(quoted_missing(profile, lead))
    found_signals["missing_name"] = float(missing_name(profile, lead, candidates))
    found_signals["english_uncovered"] = english * (1.0 - candidates.coverage)
    return found_signals


_NAME_SUFFIX = re.compile(rf"[{P.CJK}]{{2,6}}?(?:市|州|县|省|国|岛|港|区)")


def missing_name(profile: QuestionProfile, lead: Scored, candidates: Candidates) -> bool:
    """The question names a place or a proper name (英国黑池市, 波普拉德) that the corpus knows but
    the lead's paragraph, section and title do not: the sentence is about another one."""
    from rag.cedict import proper_names
    from rag.places import mentions

    v = lead.view
    text = fold(v.paragraph.text + v.paragraph.section_path + v.meta.title)
    q = fold(profile.text)
    names = {m.group() for m in _NAME_SUFFIX.finditer(q)}
    names |= {t for t in candidates.weights if len(t) >= 2 and t in proper_names()}
    names = {n for n in names if n not in v.identity and not any(n in (d.meta.region or "\0") or (d.meta.region or "\0") in n
                                                                 for d in candidates.documents.values())}
    known = [n for n in names if n in candidates.weights and candidates.weights[n] < max(candidates.weights.values())]
    return any(not mentions(text, n) and n[:-1] not in text for n in known)


def quoted_names(profile: QuestionProfile) -> list[str]:
    """The names a question quotes (“中国·福建周”, 《…规划》), three characters or more."""
    return [re.sub(r"\s+", "", n) for m in re.finditer(r"“([^”]{3,30})”|《([^》]{3,60})》", fold(profile.text))
            for n in m.groups() if n]


def _holds_names(v: SentenceView, names: Sequence[str]) -> bool:
    """Whether the paragraph (with its section and title) holds every quoted name, as written
    or nearly (four in five of its character pairs: users quote from memory)."""
    text = re.sub(r"\s+", "", fold(v.paragraph.text + v.paragraph.section_path + v.meta.title))

    def near(name: str) -> bool:
        if name in text:
            return True
        pairs = [name[i: i + 2] for i in range(len(name) - 1)]
        return bool(pairs) and sum(p in text for p in pairs) >= 0.8 * len(pairs)

    return all(near(n) for n in names)


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


def _interactions(profile: QuestionProfile, lead: Scored) -> dict[str, float]:
    """Signals that mean something only for one kind of question (a linear model cannot
    form these products itself)."""
    typed = float(profile.typed)
    return {"typed_local": 0.0, "typed_context": typed * lead.context, "untyped_overlap": (1 - typed) * lead.overlap}


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
