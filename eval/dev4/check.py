#!/usr/bin/env python3
"""Check the dev4 corpus: documents, encodings and questions.jsonl.

Run from anywhere:  python3 check.py
Exit status 0 when every check passes, 1 otherwise.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
QFILE = HERE / "questions.jsonl"

N_DOCS = 16
EXPECTED_KINDS = {"fact": 26, "list": 14, "english": 12, "crossdoc": 6, "unanswerable": 22}
N_QUESTIONS = sum(EXPECTED_KINDS.values())
FIELDS = {"id", "question", "kind", "history", "evidence", "answers", "split"}
QUOTE_MIN, QUOTE_MAX = 8, 40
LIST_MIN, LIST_MAX = 3, 6
EXPECTED_ENCODINGS = {"d4_07.txt": "gb18030", "d4_14.txt": "utf-16"}

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

errors = []


def err(msg):
    errors.append(msg)


def norm(s):
    """Remove all whitespace (incl. NBSP, ideographic space) and lower-case."""
    return re.sub(r"\s", "", s).lower()


def decode(raw):
    """Decode by BOM first, then UTF-8, then GB18030. Returns (text, encoding)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"


# ---------------------------------------------------------------- documents
docs = {}
doc_files = sorted(DOCS.glob("d4_*.txt"))
names = [p.name for p in doc_files]
expected_names = [f"d4_{i:02d}.txt" for i in range(1, N_DOCS + 1)]
if names != expected_names:
    err(f"documents: expected {expected_names}, found {names}")

enc_counter = Counter()
print(f"{'file':<11} {'encoding':<9} {'chars':>6} {'no-ws':>6}  source")
for p in doc_files:
    raw = p.read_bytes()
    try:
        text, enc = decode(raw)
    except UnicodeDecodeError as e:
        err(f"{p.name}: cannot decode ({e})")
        continue
    enc_counter[enc] += 1
    want = EXPECTED_ENCODINGS.get(p.name, "utf-8")
    if enc != want:
        err(f"{p.name}: encoding {enc}, expected {want}")
    if "\ufffd" in text:
        err(f"{p.name}: contains U+FFFD replacement characters")
    first, _, body = text.partition("\n")
    if not re.fullmatch(r"来源: https?://\S+", first.strip()):
        err(f"{p.name}: first line is not '来源: <url>': {first[:80]!r}")
    if not body.strip():
        err(f"{p.name}: empty body")
    docs[p.name] = body
    print(f"{p.name:<11} {enc:<9} {len(body):>6} {len(norm(body)):>6}  {first[4:].strip()[:70]}")

if enc_counter.get("gb18030", 0) != 1 or enc_counter.get("utf-16", 0) != 1:
    err(f"encodings: expected exactly one GB18030 and one UTF-16 file, got {dict(enc_counter)}")

ndocs = {k: norm(v) for k, v in docs.items()}

# ---------------------------------------------------------------- questions
rows = []
with open(QFILE, encoding="utf-8") as f:
    for lineno, line in enumerate(f, 1):
        if not line.strip():
            err(f"questions.jsonl line {lineno}: blank line")
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            err(f"questions.jsonl line {lineno}: bad JSON ({e})")

if len(rows) != N_QUESTIONS:
    err(f"questions: expected {N_QUESTIONS} rows, got {len(rows)}")

ids = [r.get("id") for r in rows]
if ids != [f"g{i:03d}" for i in range(1, len(rows) + 1)]:
    err("ids are not g001… in order without gaps")
if len(set(ids)) != len(ids):
    err("duplicate ids")

kinds = Counter(r.get("kind") for r in rows)
if dict(kinds) != EXPECTED_KINDS:
    err(f"kind counts {dict(kinds)} != {EXPECTED_KINDS}")

split_by_kind = Counter((r.get("kind"), r.get("split")) for r in rows)
seen_questions = set()

for r in rows:
    rid = r.get("id", "?")
    missing = FIELDS - set(r)
    extra = set(r) - FIELDS - {"note"}
    if missing:
        err(f"{rid}: missing fields {sorted(missing)}")
    if extra:
        err(f"{rid}: unexpected fields {sorted(extra)}")
    kind = r.get("kind")
    if kind not in EXPECTED_KINDS:
        err(f"{rid}: unknown kind {kind!r}")
    q = r.get("question", "")
    if not isinstance(q, str) or not q.strip():
        err(f"{rid}: empty question")
    if q in seen_questions:
        err(f"{rid}: duplicate question")
    seen_questions.add(q)
    if r.get("history") != []:
        err(f"{rid}: history must be []")
    if r.get("split") not in ("tune", "test"):
        err(f"{rid}: split must be tune or test")

    ev = r.get("evidence", [])
    ans = r.get("answers", [])
    if not isinstance(ev, list) or not isinstance(ans, list):
        err(f"{rid}: evidence and answers must be lists")
        continue

    if kind == "unanswerable":
        if ev or ans:
            err(f"{rid}: unanswerable row must have empty evidence and answers")
        if "note" in r and not r["note"]:
            err(f"{rid}: empty note")
        continue

    if not r.get("note"):
        err(f"{rid}: answerable row needs a note")
    elif not CJK.search(r["note"]):
        err(f"{rid}: note should be in Chinese")
    if not ev:
        err(f"{rid}: no evidence")
    if not ans:
        err(f"{rid}: no answers")

    # quotes
    quotes_by_doc = {}
    for e in ev:
        d, quote = e.get("doc"), e.get("quote", "")
        if set(e) != {"doc", "quote"}:
            err(f"{rid}: evidence entry fields {sorted(e)}")
        if d not in ndocs:
            err(f"{rid}: unknown document {d!r}")
            continue
        nq = norm(quote)
        if not QUOTE_MIN <= len(nq) <= QUOTE_MAX:
            err(f"{rid}: quote length {len(nq)} outside {QUOTE_MIN}-{QUOTE_MAX}: {quote!r}")
        if nq not in ndocs[d]:
            err(f"{rid}: quote not found in {d}: {quote!r}")
        quotes_by_doc.setdefault(d, []).append(nq)

    cited = [d for d in quotes_by_doc]
    all_quotes = [q for qs in quotes_by_doc.values() for q in qs]

    # answer groups
    group_docs = []
    for g in ans:
        if not isinstance(g, list) or not g or not all(isinstance(a, str) and a.strip() for a in g):
            err(f"{rid}: bad answer group {g!r}")
            continue
        na = [norm(a) for a in g]
        in_docs = [d for d in cited if any(a in ndocs[d] for a in na)]
        if not in_docs:
            err(f"{rid}: answer group not found in cited documents: {g}")
        if not any(a in qq for a in na for qq in all_quotes):
            err(f"{rid}: answer group not covered by any single quote: {g}")
        # which cited doc's quotes cover this group
        group_docs.append({d for d in cited if any(a in qq for a in na for qq in quotes_by_doc[d])})
        if kind == "english":
            has_zh = any(CJK.search(a) for a in g)
            has_en = any(re.search(r"[A-Za-z]", a) and not CJK.search(a) for a in g)
            if not (has_zh and has_en):
                err(f"{rid}: english group needs Chinese and English alternatives: {g}")
            if not any(CJK.search(a) and norm(a) in "".join(ndocs[d] for d in cited) for a in g):
                err(f"{rid}: english group's Chinese form not found as written: {g}")

    if kind == "english" and CJK.search(q):
        err(f"{rid}: english question should be asked in English")
    if kind != "english" and not CJK.search(q):
        err(f"{rid}: non-english question should be in Chinese")
    if kind == "list" and not LIST_MIN <= len(ans) <= LIST_MAX:
        err(f"{rid}: list row has {len(ans)} groups (want {LIST_MIN}-{LIST_MAX})")
    if kind == "crossdoc":
        if len(cited) != 2:
            err(f"{rid}: crossdoc must cite exactly two documents, cites {cited}")
        elif len(ans) != 2:
            err(f"{rid}: crossdoc needs one group per document (2 groups), has {len(ans)}")
        elif len(group_docs) == 2:
            d1, d2 = cited
            c0, c1 = group_docs
            if not ((d1 in c0 and d2 in c1) or (d2 in c0 and d1 in c1)):
                err(f"{rid}: crossdoc groups should be covered one by each document's quotes: {group_docs}")
    if kind in ("fact", "list", "english") and len(cited) != 1:
        err(f"{rid}: {kind} row should cite exactly one document, cites {cited}")

# splits roughly half/half per kind
for k, n in EXPECTED_KINDS.items():
    t, s = split_by_kind[(k, "tune")], split_by_kind[(k, "test")]
    if abs(t - s) > 1:
        err(f"split for {k}: tune {t} / test {s} not balanced")

# every document used by at least one answerable question
used = {e["doc"] for r in rows for e in r.get("evidence", []) if isinstance(e, dict) and "doc" in e}
for name in expected_names:
    if name not in used:
        err(f"{name}: not cited by any question")

print()
print("rows:", len(rows), "kinds:", dict(kinds))
print("splits:", {f"{k}/{s}": n for (k, s), n in sorted(split_by_kind.items())})
print("encodings:", dict(enc_counter))
if errors:
    print(f"\nFAIL: {len(errors)} problem(s)")
    for e in errors:
        print(" -", e)
    sys.exit(1)
print("\nOK: all checks passed")
