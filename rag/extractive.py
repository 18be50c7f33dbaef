"""Extractive answers: the sentences of the retrieved paragraphs that answer the question.

Sentences are scored by their embedding similarity to the question (computed at index
time for the sentences, once per question for the question), by IDF-weighted overlap
with the question's words, by the retrieval rank of their paragraph, and by whether
they hold the kind of thing asked for (a number, a date, a place, a name). A long
sentence is cut to the clauses that carry the answer; the citation keeps the whole
sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.lexical import tokenize
from rag.bilingual import is_english
from rag.layout import is_title_like
from rag.metadata import PROVINCES, years_named
from rag.people import names_person
from rag.question import DAY_Q, DAY_RE, YEAR_IN_QUESTION, YEAR_Q, QuestionProfile, has_unit, type_spans
from rag.retrieval import Hit, Retrieval, Retriever
from rag.types import Sentence


# The context overlap assumed for a question that shares no word with the corpus (English).
NEUTRAL_CONTEXT = 0.75


@dataclass(frozen=True)
class Weights:
    """How the sentence score combines its parts; fitted on the tune split only."""

    dense: float = 2.0
    overlap: float = 0.6
    context: float = 0.3
    kind: float = 0.3
    unit: float = 0.15  # holds a number in the unit asked for (多少天 -> …天)
    front: float = 0.3  # penalty: a title, letterhead or date line, unless the question is about the document
    rank: float = 0.25
    time_frame: float = 0.3  # penalty: the paragraph is about another period or year section than asked
    list_margin: float = 0.12  # a list answer takes sentences within this of the best
    max_sentences: int = 4
    paragraphs: int = 6  # how many retrieved paragraphs are read
    snippet_chars: int = 100


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    hit: Hit
    score: float
    cosine: float
    overlap: float  # IDF-weighted share of the question's words in the sentence
    context: float  # the same over the sentence with its paragraph, section and title
    typed: bool  # holds something of the asked-for kind


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the answer, the part of it shown, and the answer span."""

    scored: Scored
    snippet: str  # a contiguous part of the sentence
    span: tuple[int, int] | None  # within the sentence


def score_sentences(
    question: str, profile: QuestionProfile, retrieval: Retrieval, retriever: Retriever, w: Weights
) -> list[Scored]:
    """Every sentence of the top paragraphs, best first."""
    q_tokens = _weighted(question, retriever)
    total = sum(q_tokens.values()) or 1.0
    # A Chinese question mostly in words the corpus lacks is evidence against support, not
    # neutral. An English question's dictionary words are a loose net: its context is
    # neutral (measured: reading it through the dictionary lost three answerable English
    # questions for one unanswerable one).
    neutral = NEUTRAL_CONTEXT if is_english(question) else None
    hits = list(retrieval.hits[: w.paragraphs * (2 if profile.cross_document else 1)])
    if profile.about_document and hits:
        hits += front_matter_hits(hits[0], retriever, {(h.paragraph.doc, h.paragraph.number) for h in hits})
    top_fused = hits[0].score if hits else 1.0
    years = {int(y) for y in YEAR_IN_QUESTION.findall(question)}
    out: list[Scored] = []
    for rank, hit in enumerate(hits):
        row = retriever.position[(hit.paragraph.doc, hit.paragraph.number)]
        doc = retriever.documents[hit.paragraph.doc]
        section = hit.paragraph.section_path
        elsewhen = period_clash(question, hit.paragraph.text + section) or section_year_clash(years, section, doc)
        identity = retriever.identity_tokens(doc.name)
        # Words that name the document (福建省, 2017年, 工作要点) choose the document, not the sentence.
        content = {t: v for t, v in q_tokens.items() if t not in identity}
        content_total = sum(content.values()) or 1.0
        context_tokens = identity | set(tokenize(hit.paragraph.section_path))
        paragraph_tokens = set().union(*(retriever.sentence_tokens[s] for s in retriever.sentences_of[row]))
        for s in retriever.sentences_of[row]:
            sentence = retriever.index.sentences[s]
            tokens = retriever.sentence_tokens[s]
            overlap = sum(v for t, v in content.items() if t in tokens) / content_total
            if neutral is not None:
                context = neutral
            else:
                context = sum(
                    v for t, v in q_tokens.items() if t in tokens or t in context_tokens or t in paragraph_tokens
                ) / total
            cosine = float(retrieval.sentence_scores[s]) if retrieval.sentence_scores is not None and len(retrieval.sentence_scores) else max(hit.dense, 0.0)
            typed = answers_kind(sentence.text, question, profile)
            unit = bool(profile.unit and typed)
            front = is_title_like(sentence.text) and not profile.about_document
            score = (
                w.dense * cosine + w.overlap * overlap + w.context * context + w.kind * typed
                + w.unit * unit - w.front * front + w.rank * hit.score / top_fused - w.time_frame * elsewhen
            )
            out.append(Scored(sentence, hit, score, cosine, overlap, context, typed))
    out.sort(key=lambda c: -c.score)
    # A sentence without the date or the counted number asked for does not lead when one
    # that holds it scores nearly as well (the quoted title line against the date line below
    # it). (Places and names are recognised too loosely for this: measured, it answered
    # questions the documents cannot answer with a nearby place.)
    if out and not out[0].typed and (profile.answer_type == "date" or profile.unit):
        typed = next((c for c in out if c.typed), None)
        if typed is not None and typed.score >= out[0].score - w.list_margin:
            out.remove(typed)
            out.insert(0, typed)
    return out


def _sentence_row(c: Scored, retriever: Retriever) -> int:
    return retriever.sentence_row[(c.sentence.doc, c.sentence.paragraph, c.sentence.index)]


def key_terms(question: str, retriever: Retriever) -> frozenset[str]:
    """The question's rarest words that name no document: what a cross-document question is about."""
    weighted = _weighted(question, retriever)
    identity = set().union(*(retriever.identity_tokens(d) for d in retriever.documents))
    content = {t: v for t, v in weighted.items() if t not in identity and t in retriever.bm25.vocabulary}
    if not content:
        return frozenset()
    top = max(content.values())
    return frozenset(t for t, v in content.items() if v >= top - 1e-6)


def front_matter_hits(top: Hit, retriever: Retriever, seen: set[tuple[str, int]]) -> list[Hit]:
    """Letterhead, number, title and date lines of the best document, for questions about it."""
    doc = retriever.documents[top.paragraph.doc]
    return [
        Hit(p, top.score, top.dense, 0.0) for p in doc.paragraphs
        if not p.section and (p.doc, p.number) not in seen and is_title_like(p.text)
    ]


def choose(scored: list[Scored], profile: QuestionProfile, w: Weights, key_terms: frozenset[str] = frozenset(),
           retriever: Retriever | None = None) -> list[Scored]:
    """The best sentence, and for list or cross-document questions the near-best others.

    A cross-document question takes, from each document, its best sentence that holds the
    question's key term (its rarest word that names no document), or failing that one
    that overlaps the question about as well as the best sentence does.
    """
    if not scored:
        return []
    best = scored[0]
    chosen = [best]
    if profile.cross_document:
        def has_key(c: Scored) -> bool:
            return retriever is not None and bool(key_terms & retriever.sentence_tokens[_sentence_row(c, retriever)])

        keyed = bool(key_terms) and has_key(best)
        for c in scored[1:]:
            if len(chosen) >= w.max_sentences + 1:
                break
            if c.sentence.doc in {x.sentence.doc for x in chosen}:
                continue
            if (keyed and has_key(c)) or (not keyed and c.score >= best.score - 3 * w.list_margin
                                          and c.overlap >= 0.75 * best.overlap):
                chosen.append(c)
    elif profile.wants_list:
        for c in scored[1:]:
            if len(chosen) >= w.max_sentences or c.score < best.score - w.list_margin:
                break
            if c.sentence.text == best.sentence.text or any(c.sentence == x.sentence for x in chosen):
                continue
            chosen.append(c)
    # The best sentence leads (it is the first citation); the others follow grouped by
    # document, documents in the order of their best sentence, each in reading order.
    rank = {}
    for c in chosen:
        rank.setdefault(c.sentence.doc, len(rank))
    rest = sorted(chosen[1:], key=lambda c: (rank[c.sentence.doc], c.sentence.paragraph, c.sentence.index))
    return [chosen[0], *rest]


def snippet(c: Scored, question: str, profile: QuestionProfile, retriever: Retriever, max_chars: int) -> Pick:
    """The clauses of the sentence that carry the answer, and the answer span in it."""
    text = c.sentence.text
    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，,：:]+[，,：:]?", text)]
    q_tokens = _weighted(question, retriever)
    spans = type_spans(text, profile.answer_type)

    typed_bonus = max(2.0, 0.3 * sum(q_tokens.values()))

    def value(a: int, b: int) -> float:
        part = set(tokenize(text[a:b]))
        typed = any(a <= s < b for s, _ in spans)
        return sum(v for t, v in q_tokens.items() if t in part) + (typed_bonus if typed else 0.0)

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


def _weighted(question: str, retriever: Retriever) -> dict[str, float]:
    """The question's distinct words with their IDF; a word the corpus lacks gets the
    highest IDF, so it counts against overlap (an English question matching only "2019"
    overlaps little)."""
    idf = retriever.bm25.idf
    vocab = retriever.bm25.vocabulary
    top = float(idf.max()) if len(idf) else 1.0
    tokens = set(tokenize(retriever.lexical_query(question)))
    if is_english(question):  # its English words stand in the Chinese words they were mapped to
        tokens = {t for t in tokens if t in vocab}
    return {t: float(idf[vocab[t]]) if t in vocab else top for t in tokens if not t.startswith("#")}


def answers_kind(text: str, question: str, profile: QuestionProfile) -> bool:
    """Whether ``text`` holds the kind of thing asked for: a number in the unit asked for,
    a day for 哪天, a date, a place; names and open questions are not checked."""
    if profile.unit:
        return has_unit(text, profile.unit, question)
    if profile.person:  # who someone is: a name, not the question's description of them
        return names_person(text, question)
    if profile.answer_type in ("other", "name"):  # (a name is too varied to check: no gain, measured)
        return True
    if profile.answer_type == "date":
        spans = type_spans(text, "date")
        if DAY_Q.search(question):  # 哪天 wants a day, not a year
            return any(DAY_RE.search(text[a:b]) for a, b in spans)
        if YEAR_Q.search(question):  # (the year asked for may be one the question names: 2017年是…之年)
            return bool(spans)
        return bool(novel_spans(text, question, "date"))  # 什么时候: not a date the question gives
    return bool(novel_spans(text, question, profile.answer_type))


def novel_spans(text: str, question: str, answer_type: str) -> list[tuple[int, int]]:
    """Spans of the asked-for kind that could be the answer: not something the question
    itself says (第二届 in "第二届…在哪个国家举办" is not the place asked for), and not a
    list number opening the text ("3、")."""
    asked = re.sub(r"\s+", "", question)
    out = []
    for a, b in type_spans(text, answer_type):
        piece = re.sub(r"\s+", "", text[a:b])
        if piece and (piece in asked or (answer_type == "place" and piece[-2:] in asked)):
            continue  # (a place match may start too early: "举办第二届江西省" is 江西省)
        if answer_type == "number" and not text[:a].strip() and text[b : b + 1] in ("、", ".", "．"):
            continue
        out.append((a, b))
    return out


@dataclass(frozen=True)
class Support:
    """The evidence abstention is decided on, about the best sentence."""

    cosine: float
    context: float
    typed: bool  # holds the kind of thing asked for (in the unit asked for, if any)
    year_clash: bool  # the question names a year its document and paragraph do not
    region_clash: bool  # the question names a region (or level) the sentence is not about

    @property
    def value(self) -> float:
        return (self.cosine + 0.25 * self.context + 0.4 * self.typed
                - 0.3 * self.year_clash - 0.3 * self.region_clash)


def support_of(scored: list[Scored], question: str, profile: QuestionProfile, retriever: Retriever) -> Support | None:
    if not scored:
        return None
    best = scored[0]
    text = best.sentence.text
    typed = answers_kind(text, question, profile)
    doc = retriever.documents[best.sentence.doc]
    paragraph = best.hit.paragraph.text
    years = {int(y) for y in YEAR_IN_QUESTION.findall(question)}
    masked = "XX年" in doc.meta.title  # a document whose years were masked cannot clash
    year_clash = bool(years) and not masked and not (
        years & set(doc.meta.years) or years & set(years_named(paragraph + best.hit.paragraph.section_path))
        or any(str(y) in paragraph for y in years)
    )
    year_clash = year_clash or period_clash(question, paragraph + best.hit.paragraph.section_path) or (
        section_year_clash(years, best.hit.paragraph.section_path, doc)
    )
    named = retriever.named_documents(question)
    region_clash = bool(named) and doc.name not in named and not any(
        retriever.documents[n].meta.region in paragraph for n in named
    )
    region_clash = region_clash or unknown_region(question, doc, retriever)
    region_clash = region_clash or level_clash(question, best, retriever)
    return Support(best.cosine, best.context, typed, year_clash, region_clash)


_PERIOD = re.compile(r"十[一二三四五六七八九]?五")


def period_clash(question: str, context: str) -> bool:
    """The question names a five-year period (十二五) and the paragraph speaks of another
    (十三五) but not of it."""
    asked = set(_PERIOD.findall(question))
    said = set(_PERIOD.findall(context))
    return bool(asked) and bool(said) and not asked & said


_SECTION_YEAR = re.compile(r"(?:19|20)\d{2}|XX(?=年)")


def section_year_clash(years: set[int], section: str, doc) -> bool:
    """The document has a section for the year asked about ("二、2018年重点工作") and the
    sentence stands in another one ("一、XX年工作情况")."""
    if not years or not section:  # front matter speaks for the whole document
        return False
    headed = {int(y) for p in doc.paragraphs for y in _SECTION_YEAR.findall(p.section_path) if y != "XX"}
    if not years & headed:
        return False
    here = set(_SECTION_YEAR.findall(section))
    return not any(str(y) in here for y in years)


_CITY_SUBJECT = re.compile(
    r"(?:^|[，,、和与及])([\u4e00-\u9fff]{2,3}?)市(?=外办|外事|政府|人民政府|委|(?:19|20)\d{2}|“|在|的|共|全年|计划|打算|有)"
)


def unknown_region(question: str, doc, retriever: Retriever) -> bool:
    """The question names a province or city that no document of the corpus is about, and the
    document answering it never mentions it (四川 asked, 舟山 answering)."""
    regions = {d.meta.region for d in retriever.documents.values() if d.meta.region}
    # A province as the question's subject: opening it, or with its 省/市/自治区 (not "在北京举行").
    asked = {p for p in PROVINCES if p not in ("香港", "澳门", "台湾")
             and (question.startswith(p) or re.search(p + "(?:省|市|自治区)", question))}
    # A city as the subject: "福州市外办…", "福州市2019年…" (not "在厦门市举办").
    asked |= {m.group(1) for m in _CITY_SUBJECT.finditer(question)}
    # A region in the title of a document the question quotes (《…浙江…规划》): that document's region.
    quoted = _QUOTED_TITLE.findall(question)
    titled = {p for t in quoted for p in PROVINCES if p in t}
    titled |= {m.group(1) for t in quoted for m in _TITLE_CITY.finditer(t)}
    foreign = {p for p in asked if not any(p in r or r in p for r in regions)}
    foreign_titled = {p for p in titled if not any(p in r or r in p for r in regions)}
    if foreign_titled and not any(p in doc.meta.title for p in foreign_titled):
        return True
    if not foreign:
        return False
    text = doc.meta.title + "".join(p.text for p in doc.paragraphs)
    return not any(p in text for p in foreign)


_QUOTED_TITLE = re.compile(r"《([^》]{4,80})》")
_TITLE_CITY = re.compile(r"(?:^|[”\"])([\u4e00-\u9fff]{2,3}?)市")
_LEVEL = re.compile(r"[省市县区乡镇]级")


def level_clash(question: str, best: Scored, retriever: Retriever) -> bool:
    """The question counts at one administrative level (省级友城, 县级友城) and the answering
    sentence, read with the one before it, does not speak of that level (全省友城69对)."""
    levels = set(_LEVEL.findall(question))
    if not levels:
        return False
    s = best.sentence
    row = retriever.position[(s.doc, s.paragraph)]
    near = [retriever.index.sentences[i].text for i in retriever.sentences_of[row]
            if s.index - 1 <= retriever.index.sentences[i].index <= s.index]
    text = "".join(near) or s.text
    return not all(level in text for level in levels)


def support(scored: list[Scored], question: str = "", profile: QuestionProfile | None = None,
            retriever: Retriever | None = None) -> float:
    """The support value of the best sentence (-inf when there is none)."""
    if profile is None or retriever is None:
        return scored[0].cosine + 0.25 * scored[0].context if scored else float("-inf")
    s = support_of(scored, question, profile, retriever)
    return s.value if s else float("-inf")


def top_cosine(retrieval: Retrieval) -> float:
    return float(np.max(retrieval.sentence_scores)) if retrieval.sentence_scores is not None and len(retrieval.sentence_scores) else 0.0
