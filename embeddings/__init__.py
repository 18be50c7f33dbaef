"""Text embedders: the contract, a deterministic fake for tests, and the factory.

Importing this package loads no model and imports neither torch nor sentence-transformers.
"""

from embeddings.base import Embedder
from embeddings.factory import load_embedder
from embeddings.fake import FakeEmbedder

__all__ = ["Embedder", "FakeEmbedder", "load_embedder"]
