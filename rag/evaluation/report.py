"""The evaluation report: generated Markdown tables and every failure, never hand-written."""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

from rag.evaluation.dataset import KINDS
from rag.evaluation.runner import Record, Scores, score
from rag.settings import Settings

_COLUMNS = (
    ("R@1", "recall_at_1"), ("R@5", "recall_at_5"), ("R@10", "recall_at_10"), ("MRR", "mrr"),
    ("nDCG@10", "ndcg_at_10"), ("cit P", "citation_precision"), ("cit R", "citation_recall"),
    ("doc R (cross)", "document_recall"), ("answer acc", "answer_accuracy"), ("lists", "list_accuracy"),
    ("1st cit", "first_citation"),
    ("refusal", "refusal"), ("false ref", "false_refusal"), ("p50 ms", "latency_p50_ms"),
    ("p95 ms", "latency_p95_ms"), ("median chars", "median_answer_chars"),
)


def _row(name: str, s: Scores) -> str:
    cells = []
    for _, attr in _COLUMNS:
        v = getattr(s, attr)
        cells.append(f"{v:.0f}" if attr.endswith(("_ms", "_chars")) else f"{v:.3f}")
    return f"| {name} | {s.n} | " + " | ".join(cells) + " |"


def table(rows: Mapping[str, Scores]) -> str:
    head = "| pipeline | n | " + " | ".join(c for c, _ in _COLUMNS) + " |"
    rule = "|---|---:|" + "---:|" * len(_COLUMNS)
    return "\n".join([head, rule, *(_row(k, v) for k, v in rows.items())])


def summary_table(scores: Mapping[str, Scores]) -> str:
    lines = [table(scores)]
    for name, s in scores.items():
        if s.extra:
            lines.append(f"{name}: " + ", ".join(
                f"{k} {v:.0f}" if k.startswith("answers") else f"{k} {v:.3f}" for k, v in s.extra.items()))
    return "\n".join(lines)


_HEADLINE = (
    ("acc", "answer_accuracy"), ("refusal", "refusal"), ("false ref", "false_refusal"), ("lists", "list_accuracy"),
    ("1st cit", "first_citation"), ("R@5", "recall_at_5"), ("MRR", "mrr"), ("p50 ms", "latency_p50_ms"),
)


def corpus_summary(results: Mapping[str, Mapping[str, Sequence[Record]]]) -> str:
    """The headline figures of the first pipeline, per corpus and split."""
    head = "| corpus | split | n | " + " | ".join(c for c, _ in _HEADLINE) + " |"
    lines = [head, "|---|---|---:|" + "---:|" * len(_HEADLINE)]
    for corpus, pipelines in results.items():
        records = next(iter(pipelines.values()))
        for split in ("tune", "test", "all"):
            chosen = [r for r in records if split == "all" or r.question.split == split]
            if not chosen:
                continue
            s = score(chosen)
            cells = [f"{getattr(s, a):.0f}" if a.endswith("_ms") else f"{getattr(s, a):.3f}" for _, a in _HEADLINE]
            lines.append(f"| {corpus} | {split} | {s.n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(corpus: str, results: Mapping[str, Sequence[Record]], scores: Mapping[str, Scores],
             settings: Settings) -> str:
    main_name = next(iter(results))
    main = results[main_name]
    out = [f"# Corpus {corpus}", "", f"Questions: {len(main)} ({sum(r.question.answerable for r in main)} answerable); "
           f"documents: `{settings.docs_dir}`; embedding model: `{settings.embedding_model}`.", "",
           "## Pipelines (all questions)", "", summary_table(scores), ""]
    for split in ("tune", "test"):
        rows = {name: score([r for r in recs if r.question.split == split]) for name, recs in results.items()}
        if any(s.n for s in rows.values()):
            out += [f"## Pipelines, {split} split", "", table(rows), ""]
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for r in main:
        by_kind[r.question.kind].append(r)
    out += [f"## {main_name} by kind", "", table({k: score(by_kind[k]) for k in KINDS if by_kind[k]}), ""]
    unsupported = [r for r in main if r.outcome.unsupported]
    if unsupported:
        out += [f"## Answers of {main_name} with numbers no cited paragraph has", ""]
        out += [f"- **{r.question.id}** {r.question.question}: {', '.join(r.outcome.unsupported)} in "
                f"“{r.outcome.text[:200]}”" for r in unsupported]
        out.append("")
    out += [f"## Failures of {main_name}", ""]
    failures = [r for r in main if (r.question.answerable and not r.correct) or (not r.question.answerable and r.outcome.found)]
    if not failures:
        out.append("None.")
    for r in failures:
        q = r.question
        expected = " + ".join("/".join(g) for g in q.answers) if q.answerable else "(abstain)"
        gold = ", ".join(f"{_short(d)}¶{n}" for d, n in sorted(q.gold)) or "—"
        cited = ", ".join(f"{_short(d)}¶{n}" for d, n in r.outcome.cited) or "—"
        got = r.outcome.text.replace("\n", " ")
        out += [f"- **{q.id}** ({q.kind}, {q.split}) {q.question}",
                f"  - expected: {expected}; gold: {gold}",
                f"  - got ({'found' if r.outcome.found else 'abstained'}): {got[:300]}",
                f"  - cited: {cited}; retrieved: {', '.join(f'{d[:3]}¶{n}' for d, n in r.outcome.ranked[:5])}"]
    return "\n".join(out) + "\n"


def _short(doc: str) -> str:
    """A document's name as failures list it: ``000`` for ``000_046afb06dad0268f.txt``, ``d2_01``."""
    stem = doc.rsplit(".", 1)[0]
    return stem if len(stem) <= 8 else stem.split("_")[0]
