"""The CI gate: metric floors (and ceilings) per development corpus, in eval/thresholds.json."""

from __future__ import annotations

import json
from pathlib import Path

from rag.evaluation.runner import Scores
from rag.settings import PROJECT_ROOT

THRESHOLDS = PROJECT_ROOT / "eval" / "thresholds.json"


def load_thresholds(path: Path = THRESHOLDS) -> dict:
    return json.loads(path.read_text("utf-8"))


def violations(scores: Scores, thresholds: dict) -> list[str]:
    """Every metric below its floor or above its ceiling, as readable lines (``thresholds`` is
    one corpus's entry: ``{"floors": {...}, "ceilings": {...}}``)."""
    out = []
    for name, floor in thresholds.get("floors", {}).items():
        value = getattr(scores, name)
        if value < floor:
            out.append(f"{name} {value:.3f} is below its floor {floor:.3f}")
    for name, ceiling in thresholds.get("ceilings", {}).items():
        value = getattr(scores, name)
        if value > ceiling:
            out.append(f"{name} {value:.3f} is above its ceiling {ceiling:.3f}")
    return out
