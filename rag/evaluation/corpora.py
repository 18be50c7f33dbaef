"""The development corpora the evaluation runs over: a documents folder and its questions each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rag.errors import RagError
from rag.settings import PROJECT_ROOT

CORPORA = PROJECT_ROOT / "eval" / "corpora.json"


@dataclass(frozen=True)
class EvalCorpus:
    name: str
    docs: Path
    questions: Path


def load_corpora(path: Path = CORPORA) -> list[EvalCorpus]:
    """Every corpus the manifest lists, paths resolved from the project root."""
    try:
        rows = json.loads(path.read_text("utf-8"))["corpora"]
        return [EvalCorpus(r["name"], PROJECT_ROOT / r["docs"], PROJECT_ROOT / r["questions"]) for r in rows]
    except (OSError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise RagError(f"{path.name}: cannot read the corpora manifest ({exc})") from exc


def select(corpora: Sequence[EvalCorpus], names: Sequence[str] | None) -> list[EvalCorpus]:
    """The corpora named (all when none are), or a RagError listing the valid names."""
    if not names:
        return list(corpora)
    known = {c.name: c for c in corpora}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RagError(f"unknown corpus {', '.join(unknown)}; choose from: {', '.join(known)}")
    return [known[n] for n in names]
