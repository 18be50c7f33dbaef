"""Question embeddings shared out in batches across threads (embeddings.batching): each caller
gets its own text's vector, a failure reaches every caller, documents go straight through."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from embeddings.base import Embedder
from embeddings.batching import QueryBatcher


class _Slow(Embedder):
    """Vectors that name their text (its length in the first dimension); each pass takes a while."""

    model_id = "slow"
    dimension = 4

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.fail = fail

    @property
    def fingerprint(self) -> str:
        return "slow"

    def embed_batch(self, texts, kind):
        texts = list(texts)
        self.batches.append(texts)
        time.sleep(0.05)
        if self.fail:
            raise RuntimeError("model gone")
        out = np.zeros((len(texts), 4), dtype=np.float32)
        out[:, 0] = [len(t) for t in texts]
        out[:, 1] = 1.0 if kind == "query" else 2.0
        return out


def _ask_all(batcher: QueryBatcher, texts: list[str]) -> dict[str, object]:
    results: dict[str, object] = {}

    def one(text: str) -> None:
        try:
            results[text] = batcher.embed_query(text)
        except RuntimeError as exc:
            results[text] = exc

    threads = [threading.Thread(target=one, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    return results


def test_concurrent_questions_share_passes_and_each_gets_its_own_vector() -> None:
    inner = _Slow()
    batcher = QueryBatcher(inner, max_batch=8)
    texts = ["问" * n for n in range(1, 13)]
    results = _ask_all(batcher, texts)
    assert all(float(results[t][0]) == len(t) for t in texts)
    assert sum(len(b) for b in inner.batches) == len(texts)
    assert len(inner.batches) < len(texts) and max(len(b) for b in inner.batches) <= 8
    assert batcher.queued == len(texts)


def test_a_failure_reaches_every_waiting_caller_and_nobody_hangs() -> None:
    batcher = QueryBatcher(_Slow(fail=True))
    results = _ask_all(batcher, ["甲", "乙乙", "丙丙丙"])
    assert len(results) == 3 and all(isinstance(r, RuntimeError) for r in results.values())
    with pytest.raises(RuntimeError, match="model gone"):
        batcher.embed_query("丁")  # and the next caller is not left waiting for a dead pass


def test_documents_and_explicit_batches_go_straight_through() -> None:
    inner = _Slow()
    batcher = QueryBatcher(inner)
    docs = batcher.embed_documents(["一段", "两段话"])
    assert docs[:, 1].tolist() == [2.0, 2.0] and inner.batches == [["一段", "两段话"]]
    assert batcher.fingerprint == "slow" and batcher.dimension == 4 and batcher.passes == 0
