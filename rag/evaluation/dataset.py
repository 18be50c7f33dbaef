"""The question set: hand-written questions with gold paragraphs and key phrases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rag.errors import RagError

KINDS = (
    "number", "date", "name", "place", "list", "pagebreak", "crossdoc",
    "paraphrase", "english", "followup", "unanswerable",
)
Split = Literal["tune", "test"]


@dataclass(frozen=True)
class Evidence:
    """A quote that an answer needs, and the paragraphs of ``doc`` that hold it."""

    doc: str
    paragraphs: tuple[int, ...]
    quote: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    history: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    answers: tuple[tuple[str, ...], ...]  # every group must match; any phrase of a group will do
    split: str
    note: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.evidence)

    @property
    def gold(self) -> frozenset[tuple[str, int]]:
        return frozenset((e.doc, n) for e in self.evidence for n in e.paragraphs)

    @property
    def gold_documents(self) -> frozenset[str]:
        return frozenset(e.doc for e in self.evidence)


def load_questions(path: Path) -> list[Question]:
    """Read and check the question set; raise RagError naming the first bad line."""
    out: list[Question] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = Question(
                id=row["id"],
                question=row["question"],
                kind=row["kind"],
                history=tuple(row.get("history") or ()),
                evidence=tuple(Evidence(e["doc"], tuple(e["paragraphs"]), e["quote"]) for e in row["evidence"]),
                answers=tuple(tuple(g) for g in row["answers"]),
                split=row["split"],
                note=row.get("note", ""),
            )
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise RagError(f"{path.name}:{number}: malformed question ({exc})") from exc
        if q.kind not in KINDS:
            raise RagError(f"{path.name}:{number}: kind {q.kind!r} is not one of {', '.join(KINDS)}")
        if q.split not in ("tune", "test"):
            raise RagError(f"{path.name}:{number}: split must be tune or test")
        out.append(q)
    return out
