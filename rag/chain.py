"""The retrieval chain as LangChain runnables: condense -> retrieve -> answer -> verify.

The chain carries the project's own records in a small frozen ``Step``; LangChain
supplies the composition (and with it streaming, batching and tracing hooks), not the
types.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from rag.answering import Composer
from rag.followup import rewrite
from rag.question import profile
from rag.retrieval import Filters, Retrieval, Retriever
from rag.types import Answer


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
    standalone: str = ""
    retrieval: Retrieval | None = None
    answer: Answer | None = None


def verify_extractive(answer: Answer) -> Answer:
    """Keep only citations whose quote stands verbatim in their paragraph; an answer
    that loses them all cannot stand and becomes an abstention-shaped answer."""
    good = [c for c in answer.citations if c.quote and c.quote in c.text]
    if len(good) == len(answer.citations):
        return answer
    return replace(answer, found=False, citations=good, fallback="a citation did not match its paragraph")


def build_chain(
    retriever: Retriever,
    composer: Composer,
    answer_step: Callable[[Step], Answer] | None = None,
    verify: Callable[[Answer], Answer] = verify_extractive,
):
    """The LangChain pipeline that ``Assistant.answer`` invokes."""
    from langchain_core.runnables import RunnableLambda

    def condense(step: Step) -> Step:
        return replace(step, standalone=rewrite(step.question, step.history))

    def retrieve(step: Step) -> Step:
        wide = profile(step.question).cross_document
        depth = max(step.k, composer.weights.paragraphs, CROSS_DOCUMENT_DEPTH if wide else RETRIEVAL_DEPTH)
        return replace(step, retrieval=retriever.search(step.standalone, depth, step.filters))

    def answer(step: Step) -> Step:
        made = answer_step(step) if answer_step else composer.compose(step.question, step.standalone, step.retrieval)
        return replace(step, answer=made)

    def check(step: Step) -> Answer:
        return verify(step.answer)

    return (
        RunnableLambda(condense, name="condense")
        | RunnableLambda(retrieve, name="retrieve")
        | RunnableLambda(answer, name="answer")
        | RunnableLambda(check, name="verify")
    )


def history_tuple(history: Sequence[Any] | None) -> tuple[Any, ...]:
    return tuple(history or ())
