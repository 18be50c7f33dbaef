"""Constraint clashes: the question names a year, a period, a place or a level that the
answering sentence and its document are not about.

A document whose region or years cannot be read has none, and "unknown" never clashes:
only what the title, the issuer or the paragraph says counts against a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag import patterns as P
from rag.metadata import years_named
from rag.question import QuestionProfile
from rag.text import fold
from rag.types import Document

if TYPE_CHECKING:
    from rag.reading import Candidates, SentenceView


@dataclass(frozen=True)
class Clashes:
    year: bool  # a year or five-year period the document and paragraph are not about
    region: bool  # a place the document is not from and does not speak of
    level: bool  # an administrative level (省级) the sentence does not speak of


def clashes_of(profile: QuestionProfile, view: "SentenceView", candidates: "Candidates") -> Clashes:
    doc = candidates.documents[view.sentence.doc]
    paragraph = fold(view.paragraph.text)
    section = fold(view.paragraph.section_path)
    return Clashes(
        year_clash(profile, doc, paragraph, section) or period_clash(profile, paragraph + section)
        or section_year_clash(profile, view.paragraph.section_path, doc)
        or sentence_year_clash(profile, fold(view.sentence.text), paragraph + section),
        region_clash(profile, doc, paragraph, candidates),
        level_clash(profile, view),
    )


def year_clash(profile: QuestionProfile, doc: Document, paragraph: str, section: str) -> bool:
    """The question names a year that neither the document nor the paragraph is about."""
    years = set(profile.years)
    if not years or "XX年" in doc.meta.title or not doc.meta.years:  # masked or unknown years cannot clash
        return False
    return not (years & set(doc.meta.years) or years & set(years_named(paragraph + section))
                or any(str(y) in paragraph for y in years))


def sentence_year_clash(profile: QuestionProfile, sentence: str, context: str) -> bool:
    """The sentence opens by dating what it says to another year (2020年我局收到…) than the
    one asked (2021年…收到多少), and its paragraph never names the year asked."""
    years = set(profile.years)
    if not years:
        return False
    said = {int(y) for y in P.YEAR_RE.findall(sentence[:10])}  # the year the sentence opens with: its time frame
    if not said or said & years:
        return False
    return not (set(years_named(context)) & years or any(str(y) in context for y in years))


def period_clash(profile: QuestionProfile, context: str) -> bool:
    """The question names a five-year period (十二五) and the paragraph speaks of another
    (十三五) but not of it."""
    asked = set(profile.periods)
    said = set(P.FIVE_YEAR_RE.findall(context))
    return bool(asked) and bool(said) and not asked & said


_SECTION_YEAR = re.compile(r"(?:19|20)\d{2}|XX(?=年)")


def section_year_clash(profile: QuestionProfile, section: str, doc: Document) -> bool:
    """The document has a section for the year asked about ("二、2018年重点工作") and the
    sentence stands in another one ("一、XX年工作情况")."""
    years = set(profile.years)
    if not years or not section:  # front matter speaks for the whole document
        return False
    headed = {int(y) for p in doc.paragraphs for y in _SECTION_YEAR.findall(p.section_path) if y != "XX"}
    if not years & headed:
        return False
    here = set(_SECTION_YEAR.findall(section))
    return not any(str(y) in here for y in years)


def region_clash(profile: QuestionProfile, doc: Document, paragraph: str, candidates: "Candidates") -> bool:
    """The question names the region of other documents and this one (of a known, other
    region) does not speak of it; or it names a place no document is about, which this
    document never mentions; or it quotes a document title of such a place."""
    named = candidates.named
    if named and doc.name not in named and doc.meta.region:
        if not any(_mentions(paragraph, candidates.documents[n].meta.region or "\0") for n in named):
            return True
    regions = candidates.regions
    text = None

    def mentions(place: str) -> bool:
        nonlocal text
        if text is None:
            text = fold(doc.meta.title + "".join(p.text for p in doc.paragraphs))
        return place in text

    if not doc.meta.region:
        return False  # a document whose region cannot be read clashes with no place
    for place in profile.places:
        if not _covered(place, regions) and not mentions(place) and not _mentions(paragraph, place):
            return True
        if not _compatible(place, doc.meta.region) and place not in regions and not _mentions(paragraph, place):
            return True  # 福州 asked, no document from 福州, a 厦门 document answering silent on it
    for title in profile.quoted_titles:
        from rag.places import places_in

        for _, _, p in places_in(fold(title)):
            if not _covered(p.name, regions) and p.name not in fold(doc.meta.title):
                return True
    return False


def _mentions(text: str, place: str) -> bool:
    from rag.places import mentions

    return mentions(text, place)


def _covered(place: str, regions: frozenset[str]) -> bool:
    """Some document of the corpus is about ``place`` (or about the province it lies in, or
    about a city of the province asked)."""
    from rag.places import lies_in

    return any(place in r or r in place or lies_in(place, r) or lies_in(r, place) for r in regions)


def _compatible(place: str, region: str) -> bool:
    """Whether a document of ``region`` can be about ``place``: the same place, or one lies in the other."""
    from rag.places import lies_in, place_named

    if place in region or region in place:
        return True
    if place_named(place) is None or place_named(region) is None:
        return True  # unknown places clash with nothing
    return lies_in(place, region) or lies_in(region, place)


def level_clash(profile: QuestionProfile, view: "SentenceView") -> bool:
    """The question counts at one administrative level (省级友城) and the answering sentence,
    read with the one before it, does not speak of that level (全省友城69对)."""
    if not profile.levels:
        return False
    text = fold(view.previous + view.sentence.text)
    # 省级 is said as 省级 or by the level itself with its kinds: 5个外国省（州、邦）
    return not all(level in text or re.search(rf"{level[0]}[（(、]", text) for level in profile.levels)
