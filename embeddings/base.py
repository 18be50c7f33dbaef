"""The embedder contract: one batch primitive, with query and document methods built on it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal, Sequence

import numpy as np

Kind = Literal["query", "document"]
KINDS: tuple[Kind, ...] = ("query", "document")


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors.

    Subclasses implement ``embed_batch``; everything else derives from it. ``model_id``
    and ``fingerprint`` say exactly what produced a vector, so an index can record it and
    refuse vectors from another model.
    """

    model_id: str
    dimension: int
    max_tokens: int = 512

    @property
    @abstractmethod
    def fingerprint(self) -> str:
        """A stable hash of the weights and settings that determine the vectors."""

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Embed ``texts`` as queries or as documents: shape (len(texts), dimension), float32, unit rows."""

    def _checked(self, texts: Sequence[str], kind: Kind) -> list[str]:
        """The texts as a list, or ValueError for a kind outside :data:`KINDS`."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        return list(texts)

    def _empty(self) -> np.ndarray:
        return np.zeros((0, self.dimension), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector, shape (dimension,)."""
        return self.embed_batch([text], "query")[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_batch(texts, "query")

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_batch(texts, "document")

    def warm_up(self, kind: Kind | None = None) -> None:
        """Load whatever is heavy now rather than on the first call; ``kind="query"`` asks
        only for what embedding questions needs (a process that serves an existing index)."""
