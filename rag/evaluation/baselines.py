"""The usual tutorial pipeline, run beside ours so the report shows the margin:
RecursiveCharacterTextSplitter (500/50) over the raw files, FAISS with the same
embedder, the best chunk as the answer, and whole chunks as citations."""

from __future__ import annotations

import bisect
import time

import numpy as np

from rag.evaluation.dataset import Question
from rag.evaluation.runner import Outcome, Pipeline


def tutorial_pipeline(assistant, chunk_size: int = 500, overlap: int = 50, k: int = 4) -> Pipeline:
    import faiss
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from embeddings.langchain import LangChainEmbeddings

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap, add_start_index=True)
    chunks: list[tuple[str, str, tuple[int, int]]] = []  # (doc, text, (first line, last line))
    for doc in assistant.corpus.documents:
        raw = (assistant.corpus.root / doc.name).read_text(doc.encoding)
        line_starts = [0] + [i + 1 for i, ch in enumerate(raw) if ch == "\n"]
        for piece in splitter.create_documents([raw]):
            start = piece.metadata["start_index"]
            end = start + len(piece.page_content)
            lines = (bisect.bisect_right(line_starts, start), bisect.bisect_right(line_starts, max(start, end - 1)))
            chunks.append((doc.name, piece.page_content, lines))
    embeddings = LangChainEmbeddings(assistant.embedder)
    matrix = np.array(embeddings.embed_documents([c[1] for c in chunks]), dtype=np.float32)
    index = faiss.IndexFlatIP(matrix.shape[1])
    index.add(matrix)
    docs = {d.name: d for d in assistant.corpus.documents}

    def paragraphs(doc: str, lines: tuple[int, int]) -> list[tuple[str, int]]:
        return [(doc, p.number) for p in docs[doc].paragraphs if p.lines[0] <= lines[1] and p.lines[1] >= lines[0]]

    def run_one(q: Question) -> Outcome:
        started = time.perf_counter()
        query = "；".join([*q.history, q.question])  # the tutorial way: prepend the history
        vector = np.array([embeddings.embed_query(query)], dtype=np.float32)
        _, ids = index.search(vector, max(k, 10))
        hits = [chunks[i] for i in ids[0] if i >= 0]
        seconds = time.perf_counter() - started
        ranked = list(dict.fromkeys(key for doc, _, lines in hits for key in paragraphs(doc, lines)))
        cited = tuple(dict.fromkeys(key for doc, _, lines in hits[:1] for key in paragraphs(doc, lines)))
        return Outcome(True, hits[0][1] if hits else "", cited, tuple(ranked[:10]), seconds)

    return run_one
