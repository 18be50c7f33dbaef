"""Fit one sentence-scoring weight (a field of rag.candidates.Weights) on the tune splits of
every development corpus: each value is tried over every tune question, the right answers
and right refusals are counted, and the best value is printed (a tie goes to the value
nearest the current one). Test splits are not read.

    .venv/bin/python eval/fit_weight.py english_overlap 0 0.15 0.3 0.45 0.6 0.8 1.0
"""

from __future__ import annotations

import sys
from dataclasses import replace

from rag.candidates import Weights
from rag.evaluation.corpora import load_corpora
from rag.evaluation.dataset import load_questions, resolve
from rag.evaluation.runner import Record, assistant_pipeline
from rag.settings import Settings


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in Weights.__dataclass_fields__:
        print(__doc__)
        return 2
    name, values = argv[0], [float(v) for v in argv[1:]]
    from rag.assistant import Assistant

    right = {v: 0 for v in values}
    total = 0
    for corpus in load_corpora():
        assistant = Assistant(Settings.from_env().replace(docs_dir=corpus.docs))
        assistant.warm_up()
        questions = [q for q in resolve(load_questions(corpus.questions), assistant.corpus) if q.split == "tune"]
        total += len(questions)
        composer, default = assistant.composer, assistant.composer.weights
        pipeline = assistant_pipeline(assistant)
        for v in values:
            object.__setattr__(composer, "weights", replace(default, **{name: v}))  # the chain holds this composer
            records = [Record(q, pipeline(q)) for q in questions]
            n = sum(r.correct if q.answerable else not r.outcome.found for q, r in zip(questions, records))
            right[v] += n
            print(f"{corpus.name:6s} {name}={v:<5g} right {n}/{len(questions)}", flush=True)
        object.__setattr__(composer, "weights", default)
    current = getattr(Weights(), name)
    best = max(values, key=lambda v: (right[v], -abs(v - current)))
    for v in values:
        print(f"{name}={v:<5g} right {right[v]}/{total}" + ("   <- best" if v == best else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
