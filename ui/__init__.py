"""The browser chat page of the assistant (Gradio).

``ui.render`` holds the pure rendering functions and imports no Gradio; ``ui.app`` builds
and serves the page. Start it with ``rag chat``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_app", "launch"]


def __getattr__(name: str) -> Any:
    # Gradio is imported only when the page is wanted, not with ``ui.render``.
    if name in __all__:
        from ui import app

        return getattr(app, name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
