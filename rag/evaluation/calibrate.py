"""Fitting the abstention model on the tune splits of every development corpus.

``rag eval --calibrate`` answers every tune question of every corpus, reads the signals
each answer carries (``Answer.signals``: the same the assistant decides on, not recomputed),
fits the logistic model of ``rag.abstention`` with the threshold that keeps false refusals
within ``MAX_FALSE_REFUSAL`` on tune, and writes it to ``rag/data/abstention.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from rag.abstention import fit
from rag.reading import SIGNALS
from rag.settings import PROJECT_ROOT, Settings

# The false-refusal budget on tune (refusals a clash forces count against it too).
MAX_FALSE_REFUSAL = 0.03
MODEL_PATH = PROJECT_ROOT / "rag" / "data" / "abstention.json"


def calibrate_cli(corpora: Sequence, settings: Settings, out: Path = MODEL_PATH) -> int:
    from rag.evaluation.runner import evaluate_corpus

    rows, labels, where, refused = [], [], [], []
    for corpus in corpora:
        records = evaluate_corpus(corpus, settings, "tune", None, baselines=False)["hybrid (ours)"]
        for r in records:
            rows.append(r.outcome.signals)
            labels.append(r.question.answerable)
            where.append(corpus.name)
            # A confidence of exactly 0 is a refusal the model does not decide (nothing found, a
            # clash, nothing of the question there): read from the answer, not recomputed.
            refused.append(r.outcome.support == 0.0)
    names = ", ".join(c.name for c in corpora)
    model = fit(rows, labels, SIGNALS, MAX_FALSE_REFUSAL,
                note=f"fitted by `rag eval --calibrate` on the tune splits of {names} ({len(rows)} questions)",
                refused=refused)
    out.write_text(model.to_json(), "utf-8")
    print(f"abstention model fitted on {len(rows)} tune questions ({names}); threshold {model.threshold:.3f}")
    for name, coef in sorted(zip(model.features, model.coef), key=lambda x: -abs(x[1])):
        print(f"  {name:<14} {coef:+.3f}")
    for corpus in dict.fromkeys(where):
        probs = [(0.0 if x else model.probability(r), l) for r, l, w, x in zip(rows, labels, where, refused) if w == corpus]
        ans = [p for p, l in probs if l]
        una = [p for p, l in probs if not l]
        refusal = sum(p < model.threshold for p in una) / max(len(una), 1)
        false_refusal = sum(p < model.threshold for p in ans) / max(len(ans), 1)
        print(f"  {corpus}: refusal {refusal:.2f} of {len(una)}, false refusal {false_refusal:.3f} of {len(ans)}")
    print(f"written to {out}")
    return 0
