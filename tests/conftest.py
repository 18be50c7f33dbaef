"""Shared fixtures. The real assistant (packaged model, seed corpus, default index) is
built once per session and only for tests marked slow."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def seed_assistant():
    """The default assistant over the seeds, warmed up (builds the index on first use)."""
    from rag.assistant import Assistant
    from rag.settings import Settings

    assistant = Assistant(Settings.from_env())
    assistant.warm_up()
    return assistant
