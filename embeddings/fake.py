"""A deterministic embedder for tests: no model, vectors hashed from characters."""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from embeddings.base import Embedder, Kind

_SLOTS_PER_FEATURE = 2


class FakeEmbedder(Embedder):
    """Hash-seeded vectors from character unigrams and bigrams, so texts sharing characters
    are similar. Queries and documents embed alike; whitespace and case are ignored."""

    def __init__(self, dimension: int = 64, seed: int = 0) -> None:
        if dimension < 2:
            raise ValueError(f"dimension must be at least 2; got {dimension}")
        self.dimension = dimension
        self.seed = seed
        self.model_id = "fake"

    @property
    def fingerprint(self) -> str:
        return f"fake-v1-d{self.dimension}-s{self.seed}"

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        texts = self._checked(texts, kind)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._vector(text)
        return out

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        """A character-level stand-in for a tokenizer: characters plus two special tokens."""
        return [len(text) + 2 for text in texts]

    def _vector(self, text: str) -> np.ndarray:
        chars = [c for c in text.lower() if not c.isspace()]
        features = chars + [a + b for a, b in zip(chars, chars[1:])]
        vector = self._accumulate(features)
        if not vector.any():  # empty text, or features that cancel out
            vector = self._accumulate(["\0"])
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def _accumulate(self, features: list[str]) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float64)
        key = self.seed.to_bytes(8, "little", signed=True)
        for feature in features:
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8 * _SLOTS_PER_FEATURE, key=key).digest()
            for i in range(_SLOTS_PER_FEATURE):
                word = int.from_bytes(digest[8 * i : 8 * i + 8], "little")
                vector[word % self.dimension] += 1.0 if word >> 63 else -1.0
        return vector
