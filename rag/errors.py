"""The project's exceptions. Library code raises these; the CLI and the UI turn
them into friendly messages at the edge."""

from __future__ import annotations


class RagError(Exception):
    """Base class of every error this project raises on purpose."""


class DocumentError(RagError):
    """A document cannot be read (undecodable, binary, missing)."""


class CorpusError(RagError):
    """A corpus folder is missing or holds no readable document."""


class NotFoundError(RagError):
    """A document or paragraph that was asked for does not exist."""


class QuestionError(RagError):
    """A question is empty, too long or otherwise unusable."""


class IndexStateError(RagError):
    """An index on disk is stale, corrupt or of another format."""


class ModelError(RagError):
    """An embedding or language model is missing or fails to load."""


class SettingsError(RagError):
    """A setting has a value outside its allowed set or range."""


class StoreError(RagError):
    """The search store (a Milvus server) is unreachable or refuses a request."""
