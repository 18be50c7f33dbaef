"""`rag eval` end to end: every pipeline side by side, and a generated report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.cli import main

ARTIFACTS = Path(__file__).parent / "artifacts"


def _recall_at_5(report: str, pipeline: str) -> float:
    row = next(line for line in report.splitlines() if line.startswith(f"| {pipeline} |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    return float(cells[3])  # pipeline, n, R@1, R@5


@pytest.mark.slow
def test_rag_eval_writes_a_report_where_hybrid_beats_each_baseline(seed_assistant, capsys) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    report_path = ARTIFACTS / "eval_report.md"
    assert main(["eval", "--split", "all", "--report", str(report_path)]) == 0
    printed = capsys.readouterr().out
    assert "hybrid (ours)" in printed and "tutorial (500/50 chunks)" in printed
    report = report_path.read_text("utf-8")
    for heading in ("## Pipelines (all questions)", "## Pipelines, test split", "by kind", "## Failures of"):
        assert heading in report
    ours = _recall_at_5(report, "hybrid (ours)")
    for baseline in ("dense only", "BM25 only", "tutorial (500/50 chunks)"):
        assert ours > _recall_at_5(report, baseline), baseline
    # Every failure names what was expected and what came back.
    failures = report.split("## Failures of", 1)[1]
    assert all(re.search(r"expected: .+; gold: ", block) for block in failures.split("- **")[1:])
