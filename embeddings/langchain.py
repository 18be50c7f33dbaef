"""LangChain's ``Embeddings`` interface over any project embedder: the one place LangChain meets it."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from embeddings.base import Embedder


class LangChainEmbeddings(Embeddings):
    """Adapts an :class:`~embeddings.base.Embedder` to ``langchain_core.embeddings.Embeddings``."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
