"""Chunking by section on the seeds and on generated documents: a chunk stays in one
section, fits ``max_chars``, and the chunks give back every paragraph exactly once."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.text import fold
from rag.chunking import DEFAULT_MAX_CHARS, chunk_document
from rag.reader import parse_document, read_document
from rag.types import Chunk, Document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def check_chunks(doc: Document, chunks: list[Chunk], max_chars: int) -> None:
    """Every property a chunking must have, on one document."""
    for c in chunks:
        assert c.doc == doc.name and c.title == doc.meta.label
        assert 0 < len(c.text) <= max_chars
        assert c.paragraphs == tuple(sorted(set(c.paragraphs)))
        assert {doc.paragraph(n).section for n in c.paragraphs} == {c.section}
        assert c.id == hashlib.sha256(c.embed_text.encode("utf-8")).hexdigest()
        assert c.embed_text.endswith("\n" + fold(c.text))  # traditional and variant forms folded
    # Walk the pieces of all chunks in order: they must spell out each paragraph in turn,
    # each piece inside a chunk that lists its paragraph.
    pieces = [(c, piece) for c in chunks for piece in c.text.split("\n")]
    i = 0
    for p in doc.paragraphs:
        got = ""
        while got != p.text:
            assert i < len(pieces), f"paragraph {p.number} is not covered"
            chunk, piece = pieces[i]
            assert p.number in chunk.paragraphs
            got += piece
            assert p.text.startswith(got), f"paragraph {p.number}: {got!r} is not how it begins"
            i += 1
    assert i == len(pieces), "chunks hold text that is in no paragraph"


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("max_chars", [DEFAULT_MAX_CHARS, 120, 40])
def test_seed_chunks(path: Path, max_chars: int) -> None:
    doc = read_document(path)
    check_chunks(doc, chunk_document(doc, max_chars), max_chars)


def test_seed_counts(capsys: pytest.CaptureFixture[str]) -> None:
    """The figures the lead reports; run with -s to see them."""
    rows = []
    for path in SEED_FILES:
        doc = read_document(path)
        chunks = chunk_document(doc)
        sections = doc.sections()
        rows.append((doc.name, len(doc.paragraphs), len(sections), len(chunks)))
        # At least one chunk per section; never more chunks than paragraphs plus the
        # pieces of paragraphs longer than the limit.
        too_long = sum(len(p.text) // DEFAULT_MAX_CHARS for p in doc.paragraphs)
        assert len(sections) <= len(chunks) <= len(doc.paragraphs) + too_long
    with capsys.disabled():
        print(f"\n{'document':28} paragraphs sections chunks (max_chars={DEFAULT_MAX_CHARS})")
        for name, n_par, n_sec, n_chunks in rows:
            print(f"{name:28} {n_par:10} {n_sec:8} {n_chunks:6}")
        print(f"{'total':28} {sum(r[1] for r in rows):10} {sum(r[2] for r in rows):8} {sum(r[3] for r in rows):6}")


def test_a_long_section_splits_at_paragraphs_and_a_long_paragraph_at_sentences() -> None:
    text = (
        "一、拓展对外交往渠道\n\n"
        "甲甲甲甲甲甲甲甲甲甲甲。 乙乙乙乙乙乙乙乙乙乙乙。\n\n"
        "丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙。\n\n"
        "二、深化对外交往内涵\n\n丁丁。\n"
    )
    doc = parse_document("x.txt", text)
    chunks = chunk_document(doc, max_chars=20)
    check_chunks(doc, chunks, 20)
    first = [c for c in chunks if c.section == ("一、拓展对外交往渠道",)]
    # The heading, then a paragraph over the limit split at its sentence boundary (the
    # space after the full stop stays with the first sentence).
    assert [c.text for c in first[:3]] == ["一、拓展对外交往渠道", "甲甲甲甲甲甲甲甲甲甲甲。 ", "乙乙乙乙乙乙乙乙乙乙乙。"]
    assert [c.paragraphs for c in first] == [(1,), (2,), (2,), (3,), (3,), (3,)]
    # A sentence longer than the limit is cut into pieces of the limit.
    assert [len(c.text) for c in first[3:]] == [20, 20, 3]
    assert chunk_document(doc, 400)[-1].text == "二、深化对外交往内涵\n丁丁。"


def test_identical_text_gives_identical_ids() -> None:
    text = "福建省外事工作要点\n\n一、拓展对外交往渠道\n\n加强友城交流。\n\n二、深化对外交往内涵\n\n加强友城交流。\n"
    a, b = parse_document("a.txt", text), parse_document("b.txt", text)
    ids_a, ids_b = [c.id for c in chunk_document(a)], [c.id for c in chunk_document(b)]
    assert ids_a == ids_b  # the id is of the embedded text, not of the file
    assert len(set(ids_a)) == len(ids_a)  # the same sentence under two headings embeds differently
    edited = parse_document("a.txt", text.replace("二、深化", "二、拓展"))
    changed = [c.id for c in chunk_document(edited)]
    assert changed[:2] == ids_a[:2] and changed[2:] != ids_a[2:]


# --- Generated documents -------------------------------------------------------------

WORDS = ("对外", "交流", "合作", "友城", "建设", "推进", "加强", "服务", "发展", "国际", "经贸", "人文",
         "项目", "平台", "机制", "海外", "侨务", "2017年", "105.8亿美元", "APEC")
HEADINGS = ("一、", "二、", "（一）", "（二）", "(三)", "1、", "2.", "3、")


def generated_text(rng: random.Random) -> str:
    """Headings, run-in headings and paragraphs of very different lengths, some with a
    space after a full stop and some with one endless sentence."""
    lines = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.3:
            lines.append(rng.choice(HEADINGS) + "".join(rng.choices(WORDS, k=rng.randint(1, 3))))
            continue
        sentences = [
            "，".join("".join(rng.choices(WORDS, k=rng.randint(1, 5))) for _ in range(rng.randint(1, 6)))
            + rng.choice("。；！")
            for _ in range(rng.randint(1, 8))
        ]
        if rng.random() < 0.2:
            sentences = ["".join(rng.choices(WORDS, k=rng.randint(20, 60))) + "。"]
        body = rng.choice(["", " "]).join(sentences)
        if roll < 0.45:
            body = rng.choice(HEADINGS) + "".join(rng.choices(WORDS, k=2)) + "。" + body
        lines.append(body)
    return "\n\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(st.randoms(use_true_random=True), st.integers(min_value=8, max_value=300))
def test_generated_documents_chunk_properly(rng: random.Random, max_chars: int) -> None:
    text = generated_text(rng)
    doc = parse_document("gen.txt", text)
    chunks = chunk_document(doc, max_chars)
    check_chunks(doc, chunks, max_chars)
    assert [c.id for c in chunk_document(parse_document("gen.txt", text), max_chars)] == [c.id for c in chunks]
