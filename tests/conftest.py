"""Shared fixtures. The real assistant (packaged model, seed corpus, default index) is
built once per session and only for tests marked slow."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def seed_assistant():
    """The default assistant over the seeds, warmed up (builds the index on first use)."""
    from rag.assistant import Assistant
    from rag.settings import Settings

    assistant = Assistant(Settings.from_env())
    assistant.warm_up()
    return assistant


@pytest.fixture(scope="session")
def milvus_uri():
    """A Milvus Lite server: the one `.ci/run` started (RAG_TEST_MILVUS_URI), else one of our own."""
    uri = os.environ.get("RAG_TEST_MILVUS_URI")
    if uri:
        yield uri
        return
    from rag import milvus_lite

    server = milvus_lite.start()
    try:
        yield server.uri
    finally:
        server.stop()
