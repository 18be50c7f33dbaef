"""Query embeddings shared out in batches when many questions arrive at once (a server).

One thread at a time embeds; the questions that arrive while it works wait and are embedded
together in the next pass, which costs less per question than one pass each (the dense layers
run over every token of the batch at once). A lone question waits for nothing: there is no
timer, a batch is simply whatever queued up during the previous pass.
"""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from embeddings.base import Embedder, Kind


class _Waiting:
    __slots__ = ("text", "vector", "error", "done")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = False


class QueryBatcher(Embedder):
    """Wraps an embedder: single queries from concurrent threads are embedded together (at
    most ``max_batch`` a pass); documents and explicit batches go straight through."""

    def __init__(self, inner: Embedder, max_batch: int = 16) -> None:
        self.inner = inner
        self.max_batch = max(1, max_batch)
        self.model_id = inner.model_id
        self._cond = threading.Condition()
        self._queue: list[_Waiting] = []
        self._busy = False
        self.passes = 0  # how many embedding passes served queued queries (for the benchmark)
        self.queued = 0  # how many queries they served

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    # Read through, not copied: a hub model learns them when it loads, after this wraps it.
    @property
    def dimension(self) -> int:  # type: ignore[override]
        return self.inner.dimension

    @property
    def max_tokens(self) -> int:  # type: ignore[override]
        return self.inner.max_tokens

    @property
    def loaded(self) -> bool:
        return bool(getattr(self.inner, "loaded", True))

    def warm_up(self, kind: Kind | None = None) -> None:
        self.inner.warm_up(kind)

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        texts = self._checked(texts, kind)
        if kind != "query" or len(texts) != 1:
            return self.inner.embed_batch(texts, kind)
        return self._queued(texts[0])[None, :]

    def __getattr__(self, name: str):  # the inner embedder's other helpers (token counts …)
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _queued(self, text: str) -> np.ndarray:
        mine = _Waiting(text)
        with self._cond:
            self._queue.append(mine)
            while not mine.done:
                if self._busy:
                    self._cond.wait()
                    continue
                self._busy = True
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
                self._cond.release()
                try:
                    self._embed(batch)
                finally:
                    self._cond.acquire()
                    self._busy = False
                    self._cond.notify_all()
        if mine.error is not None:  # each caller raises its own copy: one traceback per thread
            fresh = _copy(mine.error)
            if fresh is mine.error:
                raise fresh
            raise fresh from mine.error
        assert mine.vector is not None
        return mine.vector

    def _embed(self, batch: list[_Waiting]) -> None:
        try:
            vectors = self.inner.embed_batch([w.text for w in batch], "query")
            for w, v in zip(batch, vectors):
                w.vector = v
        except BaseException as exc:  # every waiting caller hears of the failure, none hangs
            for w in batch:
                w.error = exc
        finally:
            for w in batch:
                w.done = True
            self.passes += 1
            self.queued += len(batch)


def _copy(error: BaseException) -> BaseException:
    """A fresh exception like ``error`` (the same object raised in several threads would
    gather all their tracebacks), or ``error`` itself where its type cannot be rebuilt."""
    try:
        return type(error)(*error.args)
    except Exception:
        return error
