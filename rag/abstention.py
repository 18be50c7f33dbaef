"""One fitted abstention: a logistic model over the reader's named signals.

``P(answerable) = σ(b + Σ wᵢ·(xᵢ − μᵢ)/σᵢ)`` over the signals of ``rag.reading.SIGNALS``
(slot filled, cosine, word coverage, constraint clashes, retrieval margin …). The
coefficients and the threshold are fitted by ``rag eval --calibrate`` on the tune splits of
every development corpus and saved as JSON (``rag/data/abstention.json``), so a reader of
the file sees which signals matter and by how much. The probability is
``Answer.confidence``; below the threshold the assistant abstains.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

from rag.errors import SettingsError

MODEL_FILE = "abstention.json"


@dataclass(frozen=True)
class AbstentionModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # abstain below this probability
    note: str = ""

    def probability(self, signals: Mapping[str, float]) -> float:
        z = self.intercept
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef):
            z += c * (float(signals.get(name, 0.0)) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def to_json(self) -> str:
        return json.dumps({
            "features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
            "coef": list(self.coef), "intercept": self.intercept, "threshold": self.threshold, "note": self.note,
        }, ensure_ascii=False, indent=2) + "\n"


def load_model(path: Path | None = None) -> AbstentionModel:
    """The fitted model: from ``path``, else the one shipped with the package."""
    try:
        text = path.read_text("utf-8") if path else (resources.files("rag") / "data" / MODEL_FILE).read_text("utf-8")
        d = json.loads(text)
        model = AbstentionModel(tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]),
                                float(d["intercept"]), float(d["threshold"]), d.get("note", ""))
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"cannot read the abstention model {path or MODEL_FILE}: {exc}; "
                            "refit it with `rag eval --calibrate`") from exc
    if not (len(model.features) == len(model.mean) == len(model.scale) == len(model.coef)):
        raise SettingsError(f"the abstention model {path or MODEL_FILE} is inconsistent; refit it with `rag eval --calibrate`")
    return model


def fit(rows: Sequence[Mapping[str, float]], labels: Sequence[bool], features: Sequence[str],
        max_false_refusal: float = 0.03, note: str = "", refused: Sequence[bool] | None = None) -> AbstentionModel:
    """Fit the logistic model (L2, balanced classes, its strength chosen by five-fold
    cross-validation on the same rows) and the threshold that refuses the most unanswerable
    questions while refusing at most ``max_false_refusal`` of the answerable ones, counting
    those ``refused`` anyway."""
    import numpy as np
    from sklearn.linear_model import LogisticRegressionCV

    x = np.array([[float(r.get(f, 0.0)) for f in features] for r in rows], dtype=float)
    y = np.array(labels, dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegressionCV(Cs=[0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0], cv=5, scoring="neg_log_loss",
                               class_weight="balanced", max_iter=5000, l1_ratios=(0.0,), use_legacy_attributes=False)
    clf.fit((x - mean) / scale, y)
    note = f"{note}; L2 strength C={float(np.ravel(clf.C_)[0]):g} by 5-fold cross-validation".lstrip("; ")
    model = AbstentionModel(tuple(features), tuple(mean.tolist()), tuple(scale.tolist()), tuple(clf.coef_[0].tolist()),
                            float(clf.intercept_[0]), 0.5, note)
    # Questions refused whatever the model says (``refused``: a clash rules the answer out)
    # count as refused when the threshold is chosen, so they spend the false-refusal budget too.
    probs = [0.0 if refused and refused[i] else model.probability(r) for i, r in enumerate(rows)]
    threshold = best_threshold([p for p, l in zip(probs, labels) if l], [p for p, l in zip(probs, labels) if not l],
                               max_false_refusal)
    return AbstentionModel(model.features, model.mean, model.scale, model.coef, model.intercept, threshold, note)


def best_threshold(answerable: Sequence[float], unanswerable: Sequence[float], max_false_refusal: float) -> float:
    """The threshold that refuses the most unanswerable questions while refusing at most
    ``max_false_refusal`` of the answerable ones, set midway below the next answerable value."""
    candidates = sorted(set(answerable) | set(unanswerable) | {1e-9})
    best, best_refused = 0.0, -1
    for t in candidates:
        false_refusal = sum(v < t for v in answerable) / max(len(answerable), 1)
        if false_refusal > max_false_refusal:
            break
        refused = sum(v < t for v in unanswerable)
        if refused > best_refused:
            best, best_refused = t, refused
    below = [v for v in candidates if v < best]
    return (max(below) + best) / 2 if below else best
