"""The seeds as users receive such documents — saved web pages with a site's furniture, the
same pages printed to PDF by Chromium with its header and footer, Word files — answer the
project's questions as well as the text files do, and PDF citations name the right page.

Slow: it prints PDFs with Debian's Chromium (through Playwright) and builds four indexes
with the real embedder. Without Chromium or a CJK font the test skips, or fails in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rag.evaluation.corpora import EvalCorpus, load_corpora
from rag.evaluation.renderings import CHROMIUM, page_check, render
from rag.evaluation.runner import evaluate_corpus, score
from rag.settings import Settings

pytestmark = pytest.mark.slow


def _require_printing() -> None:
    missing = []
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if not Path(CHROMIUM).is_file():
        missing.append(f"chromium at {CHROMIUM}")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    if not fonts.strip():
        missing.append("a CJK font (apt-get install fonts-wqy-microhei)")
    if missing:
        reason = "printing PDF needs " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + " (required in CI)")
        pytest.skip(reason)


def test_every_rendering_of_the_seeds_answers_as_the_text_does(tmp_path: Path) -> None:
    _require_printing()
    seeds = next(c for c in load_corpora() if c.name == "seeds")
    folders = {"text": seeds.docs} | render(seeds.docs, tmp_path / "rendered")
    accuracy = {}
    for fmt, folder in folders.items():
        settings = Settings.from_env().replace(index_dir=tmp_path / "index" / fmt)
        records = evaluate_corpus(EvalCorpus(f"seeds/{fmt}", folder, seeds.questions), settings, "test", None,
                                  baselines=False)["hybrid (ours)"]
        accuracy[fmt] = score(records).answer_accuracy
        if fmt == "pdf":
            right, total = page_check(folder, settings)
            assert total >= 100 and right == total, f"{total - right} of {total} PDF citations name the wrong page"
    for fmt in ("html", "pdf", "docx"):
        assert abs(accuracy[fmt] - accuracy["text"]) <= 0.02, accuracy
