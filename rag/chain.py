"""The retrieval chain as LangChain runnables: condense -> retrieve -> answer -> verify.

In the generative mode "answer" is the language model's draft and "verify" keeps the
sentences the cited paragraphs support (falling back to the extractive answer).

The chain carries the project's own records in a small frozen ``Step``; LangChain
supplies the composition (and with it streaming, batching and tracing hooks), not the
types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from rag.answering import NOT_FOUND_EN, NOT_FOUND_ZH, Composer
from rag.bilingual import is_english
from rag.errors import ModelError
from rag.generative import Draft, Message, Source, finish, generate, render_prompt, select_sources
from rag.llm import Generator
from rag.followup import rewrite
from rag.question import QuestionProfile, profile
from rag.retrieval import Filters, Retrieval, Retriever
from rag.types import Answer, Mode


# Paragraphs retrieved per question; a cross-document question reads more of them.
RETRIEVAL_DEPTH = 10
CROSS_DOCUMENT_DEPTH = 20


@dataclass(frozen=True)
class Step:
    """What flows through the chain; each stage fills in its part."""

    question: str
    history: tuple[Any, ...] = ()
    filters: Filters | None = None
    k: int = 5
    mode: Mode = Mode.EXTRACTIVE
    on_token: Callable[[str], None] | None = None  # generative mode: each generated piece of text
    on_sources: Callable[[Sequence[Source]], None] | None = None  # generative mode: the prompt's passages
    standalone: str = ""
    profile: QuestionProfile | None = None  # the standalone question, read once
    retrieval: Retrieval | None = None
    answer: Answer | None = None
    draft: Draft | None = None  # generative mode: the model's output before verification


def verify_extractive(answer: Answer) -> Answer:
    """Keep only citations whose quote stands verbatim in their paragraph, with the parts of
    the text that cite them (renumbered); an answer that loses them all cannot stand and
    says that the documents do not give the answer."""
    ok = [bool(c.quote) and c.quote in c.text for c in answer.citations]
    if all(ok):
        return answer
    note = "a citation did not match its paragraph and was dropped with what it supported"
    pieces = re.split(r"(\[\d+\])", answer.text)
    kept_text, kept, numbers = [], [], {}
    for body, marker in zip(pieces[0::2], pieces[1::2]):
        n = int(marker[1:-1])
        if 1 <= n <= len(ok) and ok[n - 1]:
            if n not in numbers:
                numbers[n] = len(numbers) + 1
                kept.append(answer.citations[n - 1])
            kept_text.append(f"{body}[{numbers[n]}]")
    if not kept or not answer.found:
        head = NOT_FOUND_EN if is_english(answer.question) else NOT_FOUND_ZH
        return replace(answer, text=head, found=False, citations=[], fallback=note)
    text = "".join(kept_text).lstrip("；;，, ")
    return replace(answer, text=text, citations=kept, fallback=note)


@dataclass(frozen=True)
class Generation:
    """How the generative mode writes: the model (loaded on first use) and its prompt."""

    generator: Callable[[], Generator]
    template: Callable[[bool], Sequence[Message]]  # english -> the prompt template
    budget: int = 150  # characters of clauses in the prompt (the extractive answer's always are)


def build_chain(retriever: Retriever, composer: Composer, generation: Generation | None = None):
    """The LangChain pipeline that ``Assistant.answer`` invokes."""
    from langchain_core.runnables import RunnableConfig, RunnableLambda

    from rag.lc_retriever import HybridRetriever

    hybrid = HybridRetriever(retriever=retriever)

    def condense(step: Step) -> Step:
        standalone = rewrite(step.question, step.history)
        return replace(step, standalone=standalone, profile=profile(standalone))

    def retrieve(step: Step, config: RunnableConfig) -> Step:
        wide = step.profile.cross_document or profile(step.question).cross_document
        depth = max(step.k, composer.weights.paragraphs, CROSS_DOCUMENT_DEPTH if wide else RETRIEVAL_DEPTH)
        ranked = hybrid.invoke(step.standalone, config, k=depth, filters=step.filters, asked=step.profile)
        return replace(step, retrieval=ranked.retrieval)

    def answer(step: Step) -> Step:
        evidence = composer.evidence(step.question, step.standalone, step.retrieval, step.profile)
        extractive = composer.compose(step.question, step.standalone, step.retrieval, evidence)
        if step.mode is not Mode.GENERATIVE:
            return replace(step, answer=extractive)
        if not extractive.found:  # too little support: nothing is generated from it
            return replace(step, answer=replace(extractive, mode=Mode.GENERATIVE.value,
                                                fallback="retrieval found too little support; nothing was generated"))
        if generation is None:
            raise ModelError("the generative mode is not configured for this assistant")
        sources = select_sources(evidence, extractive, composer, generation.budget)
        english = evidence.profile.english
        prompt = render_prompt(generation.template(english), sources, step.standalone)
        model = generation.generator()
        if step.on_sources is not None:
            step.on_sources(sources)
        output, first, seconds = generate(prompt, model.stream(prompt, english), step.on_token)
        return replace(step, draft=Draft(output, tuple(sources), extractive, first, seconds))

    def check(step: Step) -> Answer:
        if step.draft is not None:
            return verify_extractive(finish(step.draft, composer))
        return verify_extractive(step.answer)

    return (
        RunnableLambda(condense, name="condense")
        | RunnableLambda(retrieve, name="retrieve")
        | RunnableLambda(answer, name="answer")
        | RunnableLambda(check, name="verify")
    )


def history_tuple(history: Sequence[Any] | None) -> tuple[Any, ...]:
    return tuple(history or ())
