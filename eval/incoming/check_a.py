#!/usr/bin/env python3
"""Checks blind_a.jsonl against the documents (seeds + dev2)."""
import codecs, glob, json, os, re, sys
from collections import Counter

SEEDS = "/work/main/seeds"
DEV2 = "/work/shared/corpora/dev2/docs"
HERE = os.path.dirname(os.path.abspath(__file__))
QFILE = os.path.join(HERE, "blind_a.jsonl")

def decode(path):
    b = open(path, "rb").read()
    if b.startswith(codecs.BOM_UTF16_LE) or b.startswith(codecs.BOM_UTF16_BE):
        return b.decode("utf-16")
    if b.startswith(codecs.BOM_UTF8):
        return b[3:].decode("utf-8")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("gb18030")

def nows(s):
    return re.sub(r"\s+", "", s)

docs, corpus_of = {}, {}
for c, d in (("seed", SEEDS), ("dev2", DEV2)):
    for p in sorted(glob.glob(os.path.join(d, "*.txt"))):
        n = os.path.basename(p)
        docs[n] = nows(decode(p))
        corpus_of[n] = c

rows = [json.loads(l) for l in open(QFILE, encoding="utf-8") if l.strip()]
errs = []
def err(i, m): errs.append(f"{i}: {m}")

KINDS = {"fact", "list", "en", "cross", "none"}
FIELDS = ["id", "kind", "q", "quotes", "answer", "docs"]
if len(rows) != 84:
    errs.append(f"expected 84 rows, got {len(rows)}")
seen_q = set()
for k, r in enumerate(rows, 1):
    i = r.get("id")
    if list(r.keys()) != FIELDS: err(i, f"fields {list(r.keys())}")
    if i != "n%03d" % k: err(i, f"id out of order, expected n{k:03d}")
    if r["kind"] not in KINDS: err(i, "bad kind")
    if nows(r["q"]).lower() in seen_q: err(i, "duplicate question")
    seen_q.add(nows(r["q"]).lower())
    if r["kind"] == "none":
        if r["quotes"] or r["answer"] or r["docs"]: err(i, "none row not empty")
        continue
    if not r["quotes"] or not r["answer"] or not r["docs"]: err(i, "empty quotes/answer/docs")
    for dn in r["docs"]:
        if dn not in docs: err(i, f"unknown doc {dn}")
    cited = [docs[dn] for dn in r["docs"] if dn in docs]
    if len({corpus_of.get(dn) for dn in r["docs"]}) > 1: err(i, "docs from two corpora")
    if r["kind"] == "cross" and len(set(r["docs"])) < 2: err(i, "cross needs 2+ docs")
    if r["kind"] != "cross" and len(r["docs"]) != 1: err(i, "non-cross row with several docs")
    quote_docs = set()
    for qt in r["quotes"]:
        q = nows(qt)
        if not 8 <= len(q) <= 40: err(i, f"quote length {len(q)}: {qt}")
        hit = [dn for dn in r["docs"] if dn in docs and q in docs[dn]]
        if not hit: err(i, f"quote not found: {qt}")
        quote_docs.update(hit)
    if r["kind"] == "cross" and len(quote_docs) < 2: err(i, "cross quotes do not cover 2 docs")
    for dn in r["docs"]:
        if dn not in quote_docs: err(i, f"doc {dn} has no quote")
    qtext = "".join(nows(x) for x in r["quotes"]).lower()
    for g in r["answer"]:
        if not g: err(i, "empty group"); continue
        if not any(nows(a).lower() in d.lower() for a in g for d in cited):
            err(i, f"answer group not in cited docs: {g}")
        elif not any(nows(a).lower() in qtext for a in g):
            err(i, f"answer group not inside quotes (warning): {g}")
        if r["kind"] == "en" and not any(re.search(r"[\u4e00-\u9fff]", a) for a in g):
            if not any(nows(a).lower() in "".join(cited).lower() for a in g):
                err(i, f"en group lacks the document's form: {g}")

# counts
def cnt(sub): return Counter(r["kind"] for r in sub)
def corpus(r):
    return corpus_of[r["docs"][0]] if r["docs"] else None
seed = rows[:42]; dev = rows[42:80]; tail = rows[80:]
want_seed = Counter(none=20, list=8, fact=7, en=4, cross=3)
want_dev = Counter(none=16, list=8, fact=7, en=4, cross=3)
if cnt(seed) != want_seed: errs.append(f"seed counts {cnt(seed)}")
if cnt(dev) != want_dev: errs.append(f"dev2 counts {cnt(dev)}")
if any(r["kind"] != "none" for r in tail): errs.append("n081-n084 must be none")
for r in seed:
    if r["docs"] and corpus(r) != "seed": err(r["id"], "seed block cites dev2")
for r in dev:
    if r["docs"] and corpus(r) != "dev2": err(r["id"], "dev2 block cites seed")
used = {dn for r in dev for dn in r["docs"]}
print("dev2 docs used by answerable rows:", len(used))
print("seed docs used:", sorted({dn[:3] for r in seed for dn in r["docs"]}))
print("seed", dict(cnt(seed)), "dev2", dict(cnt(dev)), "tail", dict(cnt(tail)))
for e in errs: print("ERR", e)
print("OK" if not errs else f"{len(errs)} problems")
sys.exit(1 if errs else 0)
