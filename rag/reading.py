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
from rag.candidates import NEUTRAL_CONTEXT, Candidates, Pick, Scored, SentenceView, Weights
from rag.clashes import Clashes, clashes_of
from rag.layout import is_title_like
from rag.listing import _item_heading, _list_unit, list_answer
from rag.question import QuestionProfile
from rag.signals import SIGNALS, _holds_names, _parts_of, quoted_names, signals
from rag.snippets import snippet
from rag.text import fold
from rag.types import Sentence

__all__ = ["SIGNALS", "Candidates", "Evidence", "Pick", "Scored", "SentenceView", "Weights", "read", "snippet"]

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
    several = profile.cross_document or len(_parts_of(profile)) > 1
    if not several:
        scored = _from_a_year_asked(_from_a_place_asked(scored, profile, candidates), profile, candidates)
    chosen = choose(scored, profile, w, candidates)
    chosen = _with_parts(chosen, candidates, w)
    picks, complete = _picks(chosen, profile, candidates, w, scored)
    lead = chosen[0]
    # A question across documents or of several parts fixes years and places for one part
    # or one document each; the lead sentence is not held to all of them.
    found_clashes = None if several else clashes_of(profile, lead.view, candidates)
    found_signals = dict(signals(profile, candidates, lead, found_clashes, scored, complete))
    # How much of the question the lead's paragraph, section and title hold, measured for
    # every question (the scorer treats an English question's context as neutral): an
    # English question none of whose words the paragraph has is about something else.
    found_signals["paragraph_words"] = _paragraph_words(lead, candidates)
    return Evidence(profile, tuple(scored), tuple(picks), found_signals, found_clashes, complete)


def _paragraph_words(lead: Scored, candidates: Candidates) -> float:
    """The IDF-weighted share of the question's words that the lead sentence's paragraph,
    section path or document title holds."""
    q = candidates.weights
    total = sum(q.values()) or 1.0
    v = lead.view
    have = v.tokens | v.context_tokens | v.paragraph_tokens
    return sum(x for t, x in q.items() if t in have) / total


_LOOKAHEAD = 10  # how far down the ranking a sentence of the place or year asked may come from


def _promote(scored: list[Scored], better) -> list[Scored]:
    """``scored`` with the first of the next few sentences that ``better`` accepts leading."""
    found = next((c for c in scored[1:_LOOKAHEAD] if better(c)), None)
    return scored if found is None else [found] + [c for c in scored if c is not found]


def _from_a_place_asked(scored: list[Scored], profile: QuestionProfile, candidates: Candidates) -> list[Scored]:
    """A question about one place is answered from that place's documents: when the best
    sentence stands in another region's document (a clash) and one of the next few stands
    in a document of the place asked, that one leads."""
    from rag.clashes import region_clash

    def clashes(c: Scored) -> bool:
        doc = candidates.documents[c.sentence.doc]
        return region_clash(profile, doc, fold(c.view.paragraph.text), candidates)

    if not (profile.places or candidates.named) or not clashes(scored[0]):
        return scored
    return _promote(scored, lambda c: _of_the_place(c, profile, candidates) and not clashes(c))


def _of_the_place(c: Scored, profile: QuestionProfile, candidates: Candidates) -> bool:
    """Whether ``c`` stands in a document of the place asked or of a place in it (not in one
    whose region is unknown)."""
    from rag.places import lies_in

    region = candidates.documents[c.sentence.doc].meta.region
    return c.sentence.doc in candidates.named or bool(region and any(
        region in p or p in region or lies_in(region, p) for p in profile.places))


def _from_a_year_asked(scored: list[Scored], profile: QuestionProfile, candidates: Candidates) -> list[Scored]:
    """A question about one year is answered from what speaks of that year: when the best
    sentence's document and paragraph are of another year (a clash) and one of the next few
    stands in a document or paragraph of the year asked (and of the place asked, if any),
    clashing with nothing, that one leads."""
    if not profile.years or not clashes_of(profile, scored[0].view, candidates).year:
        return scored

    years = set(profile.years)

    def of_the_year(c: Scored) -> bool:  # positively of the year asked (not of an unknown year)
        return bool(years & set(c.view.meta.years)) or any(str(y) in c.view.paragraph.text for y in years)

    def fits(c: Scored) -> bool:
        found = clashes_of(profile, c.view, candidates)
        return (not (found.year or found.region or found.level) and (c.typed or not profile.typed)
                and (not (profile.places or candidates.named) or _of_the_place(c, profile, candidates)))

    return _promote(scored, lambda c: of_the_year(c) and fits(c))


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
        value = (w.dense * v.cosine + (w.english_overlap if profile.english else w.overlap) * overlap + w.context * context + w.kind * (fill if profile.typed else 1.0)
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


# What a document names as a thing of its own: a quoted name (“三高四新”), a title (《…》), a
# Latin abbreviation (RCEP, APEC).
_NAMED_TERM = re.compile(r"“([^“”]{2,16})”|《([^《》]{2,30})》|(?<![A-Za-z])([A-Z][A-Z0-9&-]{1,9})(?![A-Za-z])")


def _shared(scored: Sequence[Scored], profile: QuestionProfile, w: Weights, candidates: Candidates) -> list[Scored]:
    """For a question about what documents have in common: the best sentence of each document
    that names the term the most documents share among their near-best sentences (a quoted
    name, a title, an abbreviation the question does not itself give), the best first; []
    when no term stands in two documents. The sentences must name what the question names
    besides the documents (与日本交流的…: 日本), so that the term is shared about that."""
    from rag.question import proper_name_spans

    asked = fold(profile.text)
    identity = "".join(f"{d.meta.region or ''}{d.meta.label}" for d in candidates.documents.values())
    required = [asked[a:b] for a, b in proper_name_spans(asked) if asked[a:b] not in identity]
    near = [(c, fold(c.sentence.text)) for c in scored if c.score >= scored[0].score - 6 * w.list_margin][:60]
    docs_of: dict[str, dict[str, Scored]] = {}
    for c, text in near:
        if not all(n in text for n in required):
            continue
        for m in _NAMED_TERM.finditer(text):
            term = next(g for g in m.groups() if g)
            if term not in asked:
                docs_of.setdefault(term, {}).setdefault(c.sentence.doc, c)  # scored is best first
    if not docs_of:
        return []
    term, by_doc = max(docs_of.items(), key=lambda kv: (len(kv[1]), sum(c.score for c in kv[1].values())))
    if len(by_doc) < 2:
        return []
    return sorted(by_doc.values(), key=lambda c: -c.score)[: w.max_sentences + 1]


def choose(scored: Sequence[Scored], profile: QuestionProfile, w: Weights, candidates: Candidates) -> list[Scored]:
    """The best sentence, and for list or cross-document questions the near-best others.

    A cross-document question takes, from each document, its best sentence that holds the
    question's key term (its rarest word that names no document), or failing that one that
    overlaps the question about as well as the best sentence does.
    """
    best = scored[0]
    chosen = [best]
    common = _shared(scored, profile, w, candidates) if profile.cross_document and profile.shared else []
    if common:
        chosen = common
    elif profile.cross_document:
        key = candidates.key_terms

        def has_key(c: Scored) -> bool:
            return bool(key & c.view.tokens) or any(k in fold(c.sentence.text) for k in key)

        keyed = bool(key) and has_key(best)
        # Each document's sentence should hold what is asked when the question asks for a value
        # (a count, a date …): the best of that document that fills the slot comes first.
        rest = list(scored[1:])
        if profile.typed:  # a document with a sentence that fills the slot offers only those
            filling = {c.sentence.doc for c in rest if c.typed}
            rest = [c for c in rest if c.typed or c.sentence.doc not in filling]
        for c in rest:
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
                own = [c for c in own if c.typed] or own
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
            or len(lists.P.ORDINAL_ITEM_RE.findall(fold(v.paragraph.text))) >= 2)


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
