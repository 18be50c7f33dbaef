"""Convert questions written in the corpus format ({id, kind, q, quotes, answer, docs}, as in
``eval/dev2/README.md``) into the project's question set, with a deterministic tune/test split.

``python eval/import_questions.py IN.jsonl --out OUT.jsonl [--append]``

Kinds map to the project's: fact -> fact, list -> list, en -> english, cross -> crossdoc,
none -> unanswerable. Each evidence item is one quote in the first listed document that holds
it (paragraph numbers are resolved from the quotes when the set is loaded). The split
alternates tune/test within each kind, in the order of a hash of the id, so that it does not
depend on the order questions were written in.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

KIND = {"fact": "fact", "list": "list", "en": "english", "cross": "crossdoc", "none": "unanswerable"}


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def convert(rows: list[dict], docs_dir: Path) -> list[dict]:
    texts = {p.name: _squeeze(_decode(p.read_bytes())) for p in docs_dir.iterdir() if p.is_file()}
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    split = {}
    for kind_rows in by_kind.values():
        ordered = sorted(kind_rows, key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
        for i, r in enumerate(ordered):
            split[r["id"]] = "tune" if i % 2 == 0 else "test"
    out = []
    for row in rows:
        evidence = []
        for quote in row["quotes"]:
            doc = next((d for d in row["docs"] if _squeeze(quote) in texts.get(d, "")), None)
            if doc is None:
                raise SystemExit(f"{row['id']}: quote {quote!r} is in none of {row['docs']}")
            evidence.append({"doc": doc, "quote": quote})
        out.append({
            "id": row["id"], "question": row["q"], "kind": KIND[row["kind"]], "history": [],
            "evidence": evidence, "answers": row["answer"], "split": split[row["id"]],
        })
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path)
    ap.add_argument("--docs", type=Path, required=True, help="the documents folder the quotes come from")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--append", action="store_true", help="add to OUT instead of replacing it")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.source.read_text("utf-8").splitlines() if line.strip()]
    converted = convert(rows, args.docs)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in converted)
    if args.append and args.out.exists():
        text = args.out.read_text("utf-8") + text
    args.out.write_text(text, "utf-8")
    print(f"{len(converted)} questions written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
