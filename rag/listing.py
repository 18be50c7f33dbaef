"""List answers: every item of the list a question asks for, whatever form the list takes
(see ``rag.lists`` for how enumerations are read)."""

from __future__ import annotations

import re
from typing import Sequence

from rag import lists, slots
from rag.candidates import Candidates, Pick, Scored, SentenceView, Weights
from rag.lexical import tokenize
from rag.question import QuestionProfile
from rag.snippets import _first_sentence, _window, snippet
from rag.text import fold
from rag.types import Paragraph, Sentence


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
    if profile.typed and profile.list_count and own is not None and len(own.items) >= profile.list_count and all(
            slots.filled(item, profile) for item in own.texts(unit)):
        # 哪两个国家: a run of as many items as asked, each holding one of the asked kind
        # (希腊第一大港、葡萄牙第一深水港), is the answer, not the paragraph's 一是…二是….
        return _own_list(c, unit, own, w), len(own.items), announced or 0
    if profile.typed and profile.list_count:
        # 哪两位, which two officials: a sentence naming as many of the asked kind, however it
        # joins them (王毅和鹿心社分别致辞), lists them itself.
        values = {re.sub(r"\s+", "", unit[f.start:f.end]) for f in slots.fills(unit, profile)}
        if len(values) >= profile.list_count:
            return [snippet(c, profile, candidates.weights, w.snippet_chars)], len(values), announced or 0
    named = _named_section(c, profile, doc) if structural and parts else None
    if named is not None:  # the parts of a section the question names (主要任务 … 哪五大行动)
        items = lists.following_items(doc, named)
        if profile.list_count:
            items = items[: profile.list_count]
        if len(items) >= 2:
            return [_item_pick(c, q) for q in items], len(items), 0
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


def _named_section(c: Scored, profile: QuestionProfile, doc) -> Paragraph | None:
    """The heading of the section above ``c`` that the question names (三、重点任务 for a
    question about the actions its 重点任务 part lists): its title, less the enumerator,
    stands in the question."""
    from rag.headings import enumerator

    question = re.sub(r"\s+", "", fold(profile.text))
    path = c.view.paragraph.section
    for depth in range(len(path) - 1, -1, -1):
        title = path[depth]
        found = enumerator(title)
        core = re.sub(r"\s+", "", fold(title[found[1].end():] if found else title))
        if len(core) >= 2 and core in question:
            return next((p for p in doc.paragraphs if p.section == path[: depth + 1]), None)
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
