"""Running pipelines over the question set and scoring every answer."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from rag import english as E
from rag.evaluation import metrics as M
from rag.evaluation.dataset import Question, load_questions
from rag.patterns import is_english
from rag.settings import PROJECT_ROOT, Settings

Key = tuple[str, int]
DEFAULT_QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"
DEFAULT_REPORT = PROJECT_ROOT / "eval" / "report.md"
SINGLE_FACT = ("number", "date", "name", "place", "fact")


@dataclass(frozen=True)
class Outcome:
    """What a pipeline did with one question."""

    found: bool
    text: str
    cited: tuple[Key, ...]
    ranked: tuple[Key, ...]  # retrieval ranking, best first (up to 10)
    seconds: float
    support: float | None = None  # the abstention model's confidence, where the pipeline has one
    route: str = ""  # generative mode: "generated", "fallback" (extractive answer) or "abstained"
    unsupported: tuple[str, ...] = ()  # numbers of the answer that no cited paragraph has
    signals: dict = field(default_factory=dict)  # what the confidence was read from


@dataclass(frozen=True)
class Record:
    question: Question
    outcome: Outcome

    @property
    def correct(self) -> bool:
        return self.outcome.found and M.answer_correct(self.outcome.text, self.question.answers)


Pipeline = Callable[[Question], Outcome]


@dataclass(frozen=True)
class Scores:
    """Every metric of one pipeline over one group of questions."""

    n: int
    answerable: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    ndcg_at_10: float
    citation_precision: float
    citation_recall: float
    document_recall: float  # cross-document questions only
    answer_accuracy: float
    list_accuracy: float  # list questions answered with every item
    first_citation: float
    refusal: float  # on unanswerable questions
    false_refusal: float  # on answerable questions
    latency_p50_ms: float
    latency_p95_ms: float
    median_answer_chars: float  # single-fact questions
    extra: dict[str, float] = field(default_factory=dict)


def score(records: Sequence[Record]) -> Scores:
    """Aggregate metrics over ``records`` (answerable and unanswerable alike)."""
    ans = [r for r in records if r.question.answerable]
    una = [r for r in records if not r.question.answerable]

    def ev(r: Record) -> list[list[Key]]:
        return [[(e.doc, n) for n in e.paragraphs] for e in r.question.evidence]

    cross = [r for r in ans if r.question.kind == "crossdoc"]
    found = [r for r in ans if r.outcome.found]
    single = [len(r.outcome.text) for r in ans if r.question.kind in SINGLE_FACT and r.outcome.found]
    extra = {"answers with unsupported numbers": float(sum(bool(r.outcome.unsupported) for r in records))}
    english = [r for r in records if is_english(r.question.question) and r.outcome.found]
    if english:  # an English question's answer is English outside its quotes and brackets
        extra["share English answers in English"] = M.mean(E.english_only(r.outcome.text) for r in english)
    routes = [r.outcome.route for r in records if r.outcome.route]
    for route in ("generated", "fallback", "abstained"):
        if routes:
            extra[f"share {route}"] = routes.count(route) / len(records)
    return Scores(
        n=len(records),
        answerable=len(ans),
        recall_at_1=M.mean(M.evidence_recall(r.outcome.ranked, ev(r), 1) for r in ans),
        recall_at_5=M.mean(M.evidence_recall(r.outcome.ranked, ev(r), 5) for r in ans),
        recall_at_10=M.mean(M.evidence_recall(r.outcome.ranked, ev(r), 10) for r in ans),
        mrr=M.mean(M.reciprocal_rank(r.outcome.ranked, set(r.question.gold)) for r in ans),
        ndcg_at_10=M.mean(M.ndcg(r.outcome.ranked, set(r.question.gold), 10) for r in ans),
        citation_precision=M.mean(M.citation_precision(r.outcome.cited, set(r.question.gold)) for r in found),
        citation_recall=M.mean(M.citation_recall(r.outcome.cited, ev(r)) for r in ans),
        document_recall=M.mean(M.document_recall(r.outcome.cited, set(r.question.gold_documents)) for r in cross),
        answer_accuracy=M.mean(r.correct for r in ans),
        list_accuracy=M.mean(r.correct for r in ans if r.question.kind == "list"),
        first_citation=M.mean(bool(r.outcome.cited) and r.outcome.cited[0] in r.question.gold for r in ans),
        refusal=M.mean(not r.outcome.found for r in una),
        false_refusal=M.mean(not r.outcome.found for r in ans),
        latency_p50_ms=1000 * M.percentile([r.outcome.seconds for r in records], 50),
        latency_p95_ms=1000 * M.percentile([r.outcome.seconds for r in records], 95),
        median_answer_chars=M.percentile(single, 50),
        extra=extra,
    )


def run(pipeline: Pipeline, questions: Sequence[Question]) -> list[Record]:
    return [Record(q, pipeline(q)) for q in questions]


def assistant_pipeline(
    assistant,
    strategy: str = "hybrid",
    mode: str | None = None,
    fusion_depth: int | None = None,
) -> Pipeline:
    """The project's own answerer; ``strategy`` (and ``fusion_depth``) swap the retriever
    for the baselines and for showing that the gate catches a worse one."""
    from dataclasses import replace

    from rag.answering import Composer
    from rag.chain import build_chain
    from rag.retrieval import Retriever

    assistant.warm_up()
    if strategy == "hybrid" and fusion_depth is None:
        answer = assistant.answer
    else:
        s = assistant.settings
        retriever = Retriever(
            assistant.index, assistant.embedder, strategy=strategy,
            fusion_depth=fusion_depth or s.fusion_depth, rrf_k=s.rrf_k,
        )
        # BM25 alone has no sentence vectors to judge support with: it always answers.
        model = assistant.composer.model
        if strategy != "dense":
            model = replace(model, threshold=0.0)
        composer = Composer(retriever, model=model)
        chain = build_chain(retriever, composer)

        def answer(question, history=None, mode=None):
            from rag.chain import Step

            return chain.invoke(Step(question, tuple(history or ()), None, s.top_k))

    def run_one(q: Question) -> Outcome:
        history = list(q.history)
        started = time.perf_counter()
        a = answer(q.question, history=history, mode=mode)
        seconds = time.perf_counter() - started
        ranked = tuple((p.doc, p.paragraph) for p in a.passages[:10])
        cited = tuple((c.doc, c.paragraph) for c in a.citations) if a.found else ()
        route = ""
        if a.mode == "generative":
            route = "generated" if a.found and not a.fallback else ("fallback" if a.found else "abstained")
        unsupported = tuple(M.unsupported_numbers(a.text, [f"{c.title} {c.section}\n{c.text}" for c in a.citations])) if a.found else ()
        return Outcome(a.found, a.text, cited, ranked, seconds, a.confidence, route, unsupported, dict(a.signals))

    return run_one


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """``rag eval``: run the pipelines over each corpus, print the summary, write the report."""
    from rag.evaluation.corpora import EvalCorpus, load_corpora, select
    from rag.evaluation.report import corpus_summary, markdown, summary_table

    if args.questions:  # one question set over the documents folder of --docs (or the settings)
        corpora = [EvalCorpus(args.questions.stem, settings.docs_dir, args.questions)]
    else:
        corpora = select(load_corpora(), args.corpus)
    if getattr(args, "renderings", False):
        from rag.evaluation.renderings import renderings_cli

        chosen = corpora if args.corpus or args.questions else corpora[:1]  # default: the seeds
        return renderings_cli(chosen, settings, args.split)
    if args.calibrate:
        from rag.evaluation.calibrate import calibrate_cli

        return calibrate_cli(corpora, settings)
    sections, summaries = [], {}
    for corpus in corpora:
        results = evaluate_corpus(corpus, settings, args.split, args.mode, not args.no_baselines)
        scores = {name: score(records) for name, records in results.items()}
        summaries[corpus.name] = (results, scores)
        sections.append(markdown(corpus.name, results, scores, settings.replace(docs_dir=corpus.docs)))
    report_path = args.report or DEFAULT_REPORT
    report_path.write_text("# Evaluation report\n\n" + "\n".join(sections), "utf-8")
    if args.json:
        print(json.dumps({c: {k: v.__dict__ for k, v in s.items()} for c, (_, s) in summaries.items()},
                         ensure_ascii=False, indent=2))
    else:
        for name, (results, scores) in summaries.items():
            print(f"## {name}\n{summary_table(scores)}\n")
        print(corpus_summary({name: results for name, (results, _) in summaries.items()}))
        print(f"\nreport: {report_path}")
    return 0


def evaluate_corpus(corpus, settings: Settings, split: str = "all", mode: str | None = None,
                    baselines: bool = True) -> dict[str, list[Record]]:
    """Every pipeline's records over one corpus's questions (of ``split``)."""
    from rag.assistant import Assistant
    from rag.evaluation.dataset import resolve

    assistant = Assistant(settings.replace(docs_dir=corpus.docs))
    assistant.warm_up(progress=True)
    questions = resolve(load_questions(corpus.questions), assistant.corpus)
    if split != "all":
        questions = [q for q in questions if q.split == split]
    if mode == "generative":  # side by side with the extractive answers it must not fall below
        results = {
            "hybrid generative": run(assistant_pipeline(assistant, mode="generative"), questions),
            "hybrid extractive": run(assistant_pipeline(assistant, mode="extractive"), questions),
        }
    else:
        results = {"hybrid (ours)": run(assistant_pipeline(assistant, mode=mode), questions)}
    if baselines:
        from rag.evaluation.baselines import tutorial_pipeline

        results["dense only"] = run(assistant_pipeline(assistant, "dense"), questions)
        results["BM25 only"] = run(assistant_pipeline(assistant, "lexical"), questions)
        results["tutorial (500/50 chunks)"] = run(tutorial_pipeline(assistant), questions)
    return results
