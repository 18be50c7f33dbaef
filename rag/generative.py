"""Generative answers: a language model writes from the best sentences; only what the
cited paragraphs support reaches the user.

The prompt carries, for a few paragraphs, the clauses of the sentences that answer best
(not whole chunks, nor whole sentences: on a CPU the time to the first token is the time
to read the prompt, about 40 tokens a second for the 1.5B model on two AVX2 cores). After
generation every sentence is checked by :mod:`rag.verify`; unsupported sentences are
dropped, markers are renumbered into citations, and when nothing supported is left the
extractive answer (or the abstention) stands, with ``Answer.fallback`` saying why.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from rag.answering import Composer, Evidence
from rag.english import english_only
from rag.patterns import is_english
from rag.reading import Scored, snippet
from rag.question import profile
from rag.errors import ModelError
from rag.types import Answer, Citation, Claim, Mode, Sentence, Verdict, cite
from rag.verify import check, verify

MAX_SOURCES = 4
SENTENCES_PER_SOURCE = 2
MARKERS = re.compile(r"\s*[\[【［]\s*\d+(?:\s*[-–~～,，、]\s*\d+)*\s*[\]】］]")
SENTENCE_END = re.compile(r"[。！？；!?\n]|\.(?=\s)")
TRAILING = re.compile(r"[。！？；.!?]+$")


@dataclass(frozen=True)
class Source:
    """A numbered passage of the prompt: a paragraph, the sentences of it chosen and the
    clauses of each that are shown."""

    doc: str
    paragraph: int
    label: str
    section: str
    sentences: tuple[Sentence, ...]
    text: str  # the whole paragraph: what the verifier checks against
    shown: tuple[str, ...] = ()  # per sentence, the clauses the prompt carries (default: all of it)
    tag: str = ""  # the document in few tokens (region and period), for the prompt

    @property
    def excerpt(self) -> str:
        parts = self.shown or tuple(s.text for s in self.sentences)
        ordered = sorted(zip(self.sentences, parts), key=lambda x: x[0].index)
        out = ordered[0][1]
        for (prev, prev_shown), (s, shown) in zip(ordered, ordered[1:]):
            adjacent = s.index == prev.index + 1 and prev_shown == prev.text and shown == s.text
            out += shown if adjacent else "……" + shown
        return out


@dataclass(frozen=True)
class Draft:
    """What the model wrote, for which sources, and the extractive answer to fall back on."""

    output: str
    sources: tuple[Source, ...]
    extractive: Answer
    first_token: float | None  # seconds from the start of generation
    seconds: float


def select_sources(
    evidence: Evidence, extractive: Answer, composer: Composer, budget: int, max_sources: int = MAX_SOURCES
) -> list[Source]:
    """The paragraphs and sentences the prompt carries: the extractive answer's sentences
    first (they cover every document a list or cross-document question needs, so they are
    always shown), then the best-scored others while all shown stay within ``budget``
    characters. Of a long sentence only the clauses that carry the answer are shown (the
    window the extractive answer quotes)."""
    retriever = composer.retriever
    question = extractive.rewritten or extractive.question
    weights = retriever.term_weights(question)
    by_key: dict[tuple[str, int], list[tuple[Sentence, str]]] = {}
    order: list[tuple[str, int]] = []
    used = 0

    def take(scored: Scored, required: bool = False) -> None:
        nonlocal used
        sentence = scored.sentence
        key = (sentence.doc, sentence.paragraph)
        chosen = by_key.get(key, [])
        if key not in by_key and len(order) >= max_sources:
            return
        if len(chosen) >= SENTENCES_PER_SOURCE or any(s.index == sentence.index for s, _ in chosen):
            return
        shown = snippet(scored, evidence.profile, weights, composer.weights.snippet_chars).snippet
        if not required and used + len(shown) > budget:
            return
        if key not in by_key:
            by_key[key] = chosen
            order.append(key)
        chosen.append((sentence, shown))
        used += len(shown)

    lookup = {(s.sentence.doc, s.sentence.paragraph, s.sentence.text): s for s in evidence.scored}
    for c in extractive.citations if extractive.found else ():
        scored = lookup.get((c.doc, c.paragraph, c.quote))
        # A quote of several sentences (an item's heading with the sentence after it, a list
        # run to its full stop) is shown as the sentences it is made of.
        parts = [scored] if scored is not None else [
            s for s in evidence.scored if (s.sentence.doc, s.sentence.paragraph) == (c.doc, c.paragraph)
            and s.sentence.text in c.quote]
        for part in sorted(parts, key=lambda s: s.sentence.index):
            take(part, required=True)  # the extractive answer's sentences, whatever the budget
    for s in evidence.scored:
        if used >= budget:
            break
        take(s)
    sources = []
    for doc_name, number in order:
        doc = retriever.documents[doc_name]
        p = doc.paragraph(number)
        sentences, shown = zip(*by_key[(doc_name, number)])
        tag = " ".join(x for x in (doc.meta.region, doc.meta.period) if x) or doc.meta.label
        sources.append(Source(doc_name, number, doc.meta.label, p.section_path, sentences, p.text, shown, tag))
    return sources


Message = tuple[str, str]  # (role, content): role is system, user or assistant
ROLES = ("system", "user", "assistant")
_HEADING = re.compile(r"^### (system|user|assistant)\s*$", re.M)


def load_template(prompts_dir: Path, english: bool) -> tuple[Message, ...]:
    """A prompt template: ``### system`` / ``### user`` / ``### assistant`` headings, each
    followed by its message; the examples teach a small model the format (a cited answer,
    and the refusal). The last message must hold ``{passages}`` and ``{question}``."""
    path = prompts_dir / ("answer_en.txt" if english else "answer_zh.txt")
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ModelError(f"cannot read the prompt template {path}: {exc}") from exc
    parts = _HEADING.split(text)
    if len(parts) < 3 or parts[0].strip():
        raise ModelError(f"the prompt template {path} must consist of '### system|user|assistant' sections")
    messages = tuple((role, body.strip()) for role, body in zip(parts[1::2], parts[2::2]))
    last = messages[-1]
    if last[0] != "user" or "{passages}" not in last[1] or "{question}" not in last[1]:
        raise ModelError(f"the last section of {path} must be a user message with {{passages}} and {{question}}")
    return messages


def render_prompt(template: Sequence[Message], sources: Sequence[Source], question: str) -> list[Message]:
    blocks = []
    for i, s in enumerate(sources, start=1):
        blocks.append(f"[{i}]（{s.tag or s.label}）{s.excerpt}")
    role, last = template[-1]
    filled = last.replace("{passages}", "\n".join(blocks)).replace("{question}", question.strip())
    return [*template[:-1], (role, filled)]


def generate(prompt: str, stream: Iterable[str], on_token: Callable[[str], None] | None) -> tuple[str, float | None, float]:
    """Run the model's stream to the end; the text, time to first token and total time."""
    started = time.perf_counter()
    first = None
    parts: list[str] = []
    for token in stream:
        if first is None:
            first = time.perf_counter() - started
        parts.append(token)
        if on_token is not None:
            on_token(token)
    return "".join(parts), first, time.perf_counter() - started


def finish(draft: Draft, composer: Composer, complete: bool = True) -> Answer:
    """The verified answer of a draft (``complete=False``: of the sentences finished so far)."""
    output = draft.output if complete else finished_part(draft.output)
    # A passage is its document and section as well as its text: the model was shown them
    # and the citation names them ("福建…2017年工作要点 › （五）搭建平台").
    paragraphs = [f"{s.label} › {s.section}\n{s.text}" for s in draft.sources]
    verdict = verify(output, paragraphs)
    claims = [recite(c, paragraphs, draft.sources) if c.problem and c.markers and c.problem != "refusal" else c
              for c in verdict.claims]
    recited = sum(1 for a, b in zip(verdict.claims, claims) if a is not b and b.problem is None)
    ext = draft.extractive
    asked = (ext.rewritten or "") + " " + ext.question
    claims = [novel(grounded(c, paragraphs), asked) for c in claims]
    if is_english(ext.question):  # an English answer is English outside its quotes and brackets
        claims = [replace(c, problem="not in English") if c.problem is None and not english_only(c.text) else c
                  for c in claims]
    verdict = Verdict(tuple(claims), verdict.refusal)
    kept = list(verdict.kept)
    base = replace(ext, mode=Mode.GENERATIVE.value)
    if kept and complete and (missing := disagreement(kept, ext, draft.sources)):
        return replace(base, fallback=f"{missing}; this is the extractive answer")
    if not kept:
        if verdict.refusal:
            reason = "the language model found no answer in the passages"
        elif verdict.claims:
            reason = "no generated sentence was supported by the paragraphs it cites (" + "; ".join(
                sorted({c.problem for c in verdict.claims if c.problem})) + ")"
        else:
            reason = "the language model wrote nothing"
        if ext.found:
            reason += "; this is the extractive answer"
        return replace(base, fallback=reason)
    text, citations = renumber(kept, draft.sources, composer)
    removed = [c for c in verdict.claims if c.problem and c.problem != "refusal"]
    notes = []
    if removed:
        notes.append(f"{len(removed)} generated sentence(s) removed: "
                     + "; ".join(f"{c.text!r}: {c.problem}" for c in removed))
    if recited:
        notes.append(f"{recited} sentence(s) re-cited to the passage that holds all their facts")
    return replace(base, text=text, found=True, citations=citations, fallback=None, removed="; ".join(notes) or None)


def recite(claim: Claim, paragraphs: Sequence[str], sources: Sequence[Source]) -> Claim:
    """A sentence that cites the wrong passage, re-cited to the one passage that holds every
    fact it states and most of its wording (character pairs); unchanged if there is none.
    Small models often copy a sentence from [1] and write [2]. (A sentence that cites
    nothing is not given a citation: it is removed.)"""
    body = MARKERS.sub("", claim.text).strip()
    pairs = _pairs(body)
    best, best_overlap = claim, 0.6  # most of its wording from the passage
    for k, source in enumerate(sources, start=1):
        shared = len(pairs & _pairs(source.text)) / len(pairs) if pairs else 0.0
        if shared <= best_overlap:
            continue
        text = _cite(body, [k])
        candidate = check(text, paragraphs)
        if candidate.problem is None:
            best, best_overlap = candidate, shared
    return best


def _cite(body: str, numbers: Sequence[int]) -> str:
    """``body`` with the markers ``numbers`` written before its closing punctuation."""
    marks = "".join(f"[{n}]" for n in numbers)
    tail = TRAILING.search(body)
    return body[: tail.start()] + marks + tail.group() if tail else body + marks


def _pairs(text: str) -> set[str]:
    """The character pairs of each run of Chinese characters."""
    return {run[i : i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", text) for i in range(len(run) - 1)}


GROUNDING = 0.8  # share of a Chinese sentence's character pairs its cited paragraphs must hold


def grounded(claim: Claim, paragraphs: Sequence[str]) -> Claim:
    """A Chinese sentence must be worded from the paragraphs it cites, not only hold their
    facts: a small model glues the question's words onto a passage's figure ("每年办2期
    青年骨干研修班" from "每年…办2期基层干部外语培训班"), which the fact check alone passes."""
    if claim.problem is not None:
        return claim
    pairs = _pairs(MARKERS.sub("", claim.text))
    if len(pairs) < 4:
        return claim
    cited = set().union(*(_pairs(paragraphs[n - 1]) for n in claim.markers))
    share = len(pairs & cited) / len(pairs)
    if share >= GROUNDING:
        return claim
    return replace(claim, problem=f"only {share:.0%} of its wording is in the paragraphs it cites")


_FUNCTION_WORDS = frozenset("a an the is was were are be been to of in on at by for from and or it its this that will with as".split())


def novel(claim: Claim, asked: str) -> Claim:
    """A sentence must say something the question does not: "文件[1][2]。" or "The summit
    was to be held in [1]." restate the question and answer nothing, yet hold no fact the
    verifier could find unsupported."""
    if claim.problem is not None:
        return claim
    body = MARKERS.sub("", claim.text)
    if re.search(r"[\u4e00-\u9fff]", body):
        new = _pairs(body) - _pairs(asked) or set(re.findall(r"\d+", body)) - set(re.findall(r"\d+", asked))
    else:
        words = lambda text: {w.lower() for w in re.findall(r"[A-Za-z]+|\d+", text)}  # noqa: E731
        new = words(body) - words(asked) - _FUNCTION_WORDS
    return claim if new else replace(claim, problem="it says nothing the question does not")


def disagreement(claims: Sequence[Claim], extractive: Answer, sources: Sequence[Source]) -> str | None:
    """Why a generated answer may not replace the extractive one, or None.

    The scorer's choice of sentences is the better judge of which facts answer: a small
    model copies facts from passages well but sometimes from the wrong one (会晤 in 厦门 when
    the passage holding the answer says 榕), and it drops items of a list or a document of
    a cross-document answer. So a generated answer must cite the paragraph the extractive
    answer leads with and every document it cites, and give every answer it highlights
    (numbers, dates, names) and, for a list, every item it enumerates."""
    if not extractive.found:
        return None
    cited = {(sources[m - 1].doc, sources[m - 1].paragraph) for c in claims for m in c.markers}
    lead = extractive.citations[0]
    if (lead.doc, lead.paragraph) not in cited:
        return f"the generated answer does not cite {lead.title} ¶{lead.paragraph}, which the extractive answer leads with"
    docs = {doc for doc, _ in cited}
    for c in extractive.citations:
        if c.doc not in docs:
            return f"the generated answer does not cite {c.title}, which the extractive answer also draws on"
    said = "".join(MARKERS.sub("", x.text) for x in claims)
    asked = (extractive.rewritten or "") + extractive.question
    keys = [c.quote[c.span[0] : c.span[1]].strip() for c in extractive.citations if c.span is not None]
    if profile(asked).wants_list:
        keys += list_items(MARKERS.sub("", extractive.text))
    said_digits = set(re.findall(r"\d+", said))
    for key in keys:
        if not key or key in said or key in asked:  # (what the question says is not its answer)
            continue
        digits = re.findall(r"\d+", key)
        if digits and all(d in said_digits for d in digits):
            continue  # the same figure in other words (5至8名 / 5到8名)
        if not digits and not re.search(r"[\u4e00-\u9fff]", said):
            continue  # an English answer names things in English: nothing to compare
        return f"the generated answer does not give {key!r}, which the extractive answer gives"
    return None


def list_items(text: str) -> list[str]:
    """What must stand for each item of the enumerations (A、B、C) of a text: the items
    between two 、 whole, and of the first and last only the two characters next to the
    、 (where an item begins or ends in running text is not marked)."""
    out = []
    for run in re.findall(r"[^，。；：,;:“”（）()]*、[^，。；：,;:“”（）()]*", text):
        items = run.split("、")
        out.append(items[0][-2:])
        out += items[1:-1]
        out.append(items[-1][:2])
    return [x for x in out if x]


def finished_part(output: str) -> str:
    """The sentences of a still-growing output that are complete: a sentence end (with any
    markers after it) followed by the start of another sentence."""
    end = 0
    for m in SENTENCE_END.finditer(output):
        j = m.end()
        while (mk := MARKERS.match(output, j)) is not None:
            j = mk.end()
        if output[j:].strip():
            end = j
    return output[:end]


def renumber(claims: Sequence[Claim], sources: Sequence[Source], composer: Composer) -> tuple[str, list[Citation]]:
    """Markers numbered by first appearance, one citation per source cited."""
    mapping: dict[int, int] = {}
    citations: list[Citation] = []
    pieces = []
    for claim in claims:
        numbers = []
        for m in claim.markers:
            if m not in mapping:
                mapping[m] = len(mapping) + 1
                citations.append(_citation(sources[m - 1], claim.text, composer))
            numbers.append(mapping[m])
        body = MARKERS.sub("", claim.text).strip()
        body = _cite(body, numbers)
        pieces.append(body)
    english = all(ord(ch) < 0x2E80 for ch in "".join(pieces))
    return (" " if english else "").join(pieces), citations


def _citation(source: Source, claim: str, composer: Composer) -> Citation:
    """The source sentence closest to the claim (by shared characters) is the quote."""
    chars = set(claim)
    best = max(source.sentences, key=lambda s: len(chars & set(s.text)) / (len(set(s.text)) or 1))
    doc = composer.retriever.documents[source.doc]
    p = doc.paragraph(source.paragraph)
    return cite(doc, p, best.text)
