"""Fill in gold paragraph numbers from the verbatim quotes of eval/questions.jsonl.

Run after adding or editing questions: ``python eval/annotate.py [IN ...] [--out PATH]``.
Each evidence item's quote must occur in its document; every paragraph that holds it is
gold. The script stops with a message naming each question whose quote is not found.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.corpus import load_corpus
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent


def annotate(rows: list[dict], docs_dir: Path) -> list[dict]:
    corpus = load_corpus(docs_dir)
    problems = []
    for row in rows:
        for ev in row["evidence"]:
            doc = corpus.document(ev["doc"])
            hits = [p.number for p in doc.paragraphs if ev["quote"] in p.text]
            if not hits:
                problems.append(f"{row['id']}: quote {ev['quote']!r} found in paragraphs {hits} of {doc.name}")
            ev["paragraphs"] = hits
    if problems:
        raise SystemExit("\n".join(problems))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("inputs", nargs="*", type=Path, default=[ROOT / "questions.jsonl"])
    ap.add_argument("--out", type=Path, default=ROOT / "questions.jsonl")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for path in args.inputs for line in path.read_text("utf-8").splitlines() if line.strip()]
    rows = annotate(rows, Settings.from_env().docs_dir)
    keys = ("id", "question", "kind", "history", "evidence", "answers", "split", "note")
    text = "".join(json.dumps({k: r[k] for k in keys if k in r}, ensure_ascii=False) + "\n" for r in rows)
    args.out.write_text(text, "utf-8")
    print(f"{len(rows)} questions written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
