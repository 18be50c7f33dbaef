"""`rag bench retrieval` and `rag bench answer`: speed figures printed, not asserted.

The synthetic corpus recombines seed sentences into passages. Embedding 100,000
passages with the real model would take hours on two cores, so a synthetic passage's
vector is the normalised mean of its sentences' real vectors: the index, the search and
the fusion are exercised at full size; the query is embedded by the real model.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.assistant import Assistant
from rag.evaluation.metrics import percentile
from rag.evaluation.runner import DEFAULT_QUESTIONS
from rag.evaluation.dataset import load_questions
from rag.settings import Settings


def _rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _timed(fn, items, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        for item in items:
            started = time.perf_counter()
            fn(item)
            out.append(time.perf_counter() - started)
    return out


def _ms(values: list[float]) -> str:
    return f"p50 {1000 * percentile(values, 50):.1f} ms, p95 {1000 * percentile(values, 95):.1f} ms (n={len(values)})"


def retrieval(settings: Settings, synthetic: int = 100_000, milvus_lite: bool = False) -> str:
    """Seeds and synthetic figures; with ``milvus_lite`` (and the milvus store) on a Milvus Lite
    server started for the run, whose memory is reported too."""
    if milvus_lite and settings.store == "milvus":
        from rag import milvus_lite as lite

        server = lite.start()
        try:
            return _retrieval(settings.replace(milvus_uri=server.uri), synthetic, server.pid)
        finally:
            server.stop()
    return _retrieval(settings, synthetic, None)


def _retrieval(settings: Settings, synthetic: int, server_pid: int | None) -> str:
    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS)]
    lines = [f"retrieval benchmark (store {settings.store})"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Assistant(settings.replace(index_dir=Path(tmp) / "index"))
        started = time.perf_counter()
        fresh.warm_up()
        built = time.perf_counter() - started
        m = fresh.index.manifest
        lines.append(f"seeds: index built from scratch in {built:.1f} s ({m.counts['chunks']} chunks, "
                     f"{m.counts['sentences']} sentences embedded, model load included)")
        # A serving process opens the built index and embeds questions only (the fast path).
        serving = Assistant(settings.replace(index_dir=Path(tmp) / "index"))
        started = time.perf_counter()
        serving.warm_up()
        lines.append(f"seeds: a second assistant over the built index warmed up in {time.perf_counter() - started:.1f} s "
                     "(question path only)")
        retriever = serving.retriever
        retriever.retrieve(questions[0])
        lines.append(f"seeds: warm retrieve() k=5, {_ms(_timed(retriever.retrieve, questions, repeat=2))}")
        if synthetic:
            lines += _synthetic(serving, questions, synthetic, server_pid)
    return "\n".join(lines)


def _synthetic(assistant: Assistant, questions: list[str], size: int, server_pid: int | None = None) -> list[str]:
    from rag.index import StoredIndex, make_faiss_index
    from rag.retrieval import Retriever
    from rag.store import Manifest
    from rag.stores import store_factory
    from rag.types import Chunk, Document, DocumentMeta, Paragraph

    index = assistant.index
    rng = random.Random(7)
    sentences = index.sentences
    vectors = index.sentence_vectors
    per_doc = 100
    docs, chunks, matrix = [], [], np.zeros((size, vectors.shape[1]), dtype=np.float32)
    started = time.perf_counter()
    for d in range(size // per_doc):
        name = f"synthetic_{d:05d}.txt"
        paragraphs = []
        for n in range(1, per_doc + 1):
            picks = rng.sample(range(len(sentences)), 3)
            text = "".join(sentences[i].text for i in picks)
            row = d * per_doc + n - 1
            v = vectors[picks].mean(axis=0)
            matrix[row] = v / np.linalg.norm(v)
            paragraphs.append(Paragraph(name, n, text, (n, n), ("一、合成",)))
            chunks.append(Chunk(f"{row}", name, name, ("一、合成",), (n,), text))
        docs.append(Document(name, DocumentMeta(name), tuple(paragraphs), ""))
    faiss_index, kind = make_faiss_index(matrix, assistant.settings.approximate_above)
    stored = StoredIndex(
        Manifest(0, "", "synthetic", matrix.shape[1], 0, "", {}, kind, {}), tuple(docs), tuple(chunks), faiss_index,
        (), np.zeros((0, matrix.shape[1]), dtype=np.float32),
    )
    prepared = time.perf_counter() - started
    settings = assistant.settings
    if settings.store == "milvus":  # a collection of its own, dropped afterwards
        settings = settings.replace(milvus_collection="rag_bench_synthetic")
    started = time.perf_counter()
    retriever = Retriever(stored, assistant.embedder, store=store_factory(settings))
    built = time.perf_counter() - started
    store = retriever.store
    try:
        retriever.retrieve(questions[0])
        latency = _timed(retriever.retrieve, questions)
        lines = [f"synthetic: {size:,} passages prepared in {prepared:.1f} s (vectors from seed sentences)"]
        if store.name == "milvus":
            lines.append(f"synthetic: milvus ingest (chunk vectors + BM25 sparse vectors, {kind} index) "
                         f"{built:.1f} s, {size / built:,.0f} passages/s")
            def nearest(v: np.ndarray, k: int) -> list[int]:
                return [store._chunk_row[key] for key, _ in store._search("chunks", "vec", v.tolist(), k, "")]

            recall = _recall(nearest, matrix, assistant, questions[:50])
        else:
            lines.append(f"synthetic: {kind} index + BM25 built in {built:.1f} s")
            recall = _recall(lambda v, k: faiss_index.search(v[None, :], k)[1][0].tolist(), matrix, assistant,
                             questions[:50]) if kind == "hnsw" else 1.0
        # The store's two queries alone (question embedded beforehand): what the engine costs.
        from rag.lexical import tokenize

        probe = questions[:200]
        vectors = [assistant.embedder.embed_query(q) for q in probe]
        tokens = [tokenize(retriever.lexical_query(q)) for q in probe]
        lines += [
            f"synthetic: store {store.name}, dense query (chunk depth {store.layout.chunk_depth()}), "
            f"{_ms(_timed(lambda v: store.dense(v, None), vectors))}",
            f"synthetic: store {store.name}, BM25 query (depth {retriever.fusion_depth}), "
            f"{_ms(_timed(lambda t: store.lexical(t, None), tokens))}",
            f"synthetic: store {store.name}, warm retrieve() k=5 (embedding, both queries, fusion), {_ms(latency)}",
            f"synthetic: {store.name} {kind} recall@10 against exact search {recall:.3f}",
            f"synthetic: client process RSS {_rss_mb():.0f} MB" + _server_rss(server_pid),
        ]
        return lines
    finally:
        if store.name == "milvus":
            store.drop()


def _server_rss(pid: int | None) -> str:
    return "" if pid is None else f", Milvus Lite server RSS {_rss_mb(pid):.0f} MB"


def _recall(nearest, matrix: np.ndarray, assistant: Assistant, questions: list[str]) -> float:
    """Mean share of the exact top 10 that ``nearest(query vector, 10)`` (row ids) finds."""
    import faiss

    exact = faiss.IndexFlatIP(matrix.shape[1])
    exact.add(matrix)
    q = assistant.embedder.embed_queries(questions).astype(np.float32)
    _, exact_ids = exact.search(q, 10)
    return float(np.mean([len(set(nearest(v, 10)) & set(e)) / 10 for v, e in zip(q, exact_ids)]))


def answer(settings: Settings, synthetic: int = 0) -> str:
    if settings.mode.value == "generative":
        return generative(settings)
    questions = load_questions(DEFAULT_QUESTIONS)
    assistant = Assistant(settings)
    started = time.perf_counter()
    assistant.warm_up()
    warm_up = time.perf_counter() - started
    assistant.answer(questions[0].question)

    def ask(q) -> None:
        assistant.answer(q.question, history=list(q.history))

    lines = [
        "answer benchmark",
        f"in-process warm-up (model load, index open): {warm_up:.1f} s",
        f"warm answer() {settings.mode.value}: {_ms(_timed(ask, questions, repeat=2))}",
    ]
    cold = []
    for q in ("福建2017年力争与哪些国家缔结省级友城？", "How many sister cities did Hunan have?"):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rag.cli", "ask", q, *(["--docs", str(settings.docs_dir)])],
                       check=True, capture_output=True)
        cold.append(time.perf_counter() - started)
    lines.append(f"cold `rag ask` process (index built, model converted): {', '.join(f'{c:.1f} s' for c in cold)}")
    return "\n".join(lines)


GENERATIVE_SAMPLE = 12  # answerable questions, every n-th of the set: a fixed, varied sample


def generative(settings: Settings) -> str:
    """Time to first token, to the first verified sentence, and to the whole answer."""
    questions = [q for q in load_questions(DEFAULT_QUESTIONS) if q.answerable and not q.history]
    step = max(1, len(questions) // GENERATIVE_SAMPLE)
    sample = questions[::step][:GENERATIVE_SAMPLE]
    assistant = Assistant(settings)
    started = time.perf_counter()
    assistant.warm_up()
    warm_up = time.perf_counter() - started
    first_token, first_sentence, total, routes = [], [], [], []
    for q in sample:
        started = time.perf_counter()
        seen: list[float] = []

        def on_token(_: str) -> None:
            if not seen:
                seen.append(time.perf_counter() - started)

        shown = None
        final = None
        for piece in assistant.stream(q.question, on_token=on_token):
            if isinstance(piece, str) and shown is None:
                shown = time.perf_counter() - started
            elif not isinstance(piece, str):
                final = piece
                if shown is None and final.found:  # a one-sentence answer shows when it is complete
                    shown = time.perf_counter() - started
        total.append(time.perf_counter() - started)
        if seen:
            first_token.append(seen[0])
        if shown is not None:
            first_sentence.append(shown)
        routes.append("generated" if final.found and not final.fallback else ("fallback" if final.found else "abstained"))

    def s(values: list[float]) -> str:
        if not values:
            return "n/a"
        return f"p50 {percentile(values, 50):.1f} s, p95 {percentile(values, 95):.1f} s (n={len(values)})"

    generator = assistant.generator_for_chain()
    return "\n".join([
        f"generative answer benchmark ({generator.name}, {settings.llm_threads} threads, "
        f"{settings.llm_context_chars} characters of sources)",
        f"in-process warm-up (embedding model, index, language model): {warm_up:.1f} s",
        f"time to first token (retrieval included): {s(first_token)}",
        f"time to the first verified sentence on screen: {s(first_sentence)}",
        f"whole answer (generation and verification): {s(total)}",
        "routes: " + ", ".join(f"{r} {routes.count(r)}" for r in ("generated", "fallback", "abstained")),
    ])


def ingest(settings: Settings, synthetic: int = 0) -> str:
    """`rag bench ingest`: how fast each format is read (pages and paragraphs per second,
    embedding excluded) and how fast passages are embedded. The documents are the corpus
    rendered as HTML, PDF (Chromium) and Word, copied until the PDFs reach 100 pages."""
    import shutil

    from embeddings.factory import load_embedder
    from rag.chunking import chunk_document
    from rag.corpus import load_corpus
    from rag.errors import RagError
    from rag.evaluation.renderings import render
    from rag.reader import read_document

    lines = ["ingest benchmark (reading excludes embedding)"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        try:
            folders = {"text": settings.docs_dir} | render(settings.docs_dir, out / "rendered")
        except RagError as exc:
            lines.append(f"PDF not measured: {exc}")
            folders = {"text": settings.docs_dir} | render(settings.docs_dir, out / "rendered", ("html", "docx"))
        chunks = []
        for fmt, folder in folders.items():
            files = sorted(p for p in folder.iterdir() if p.is_file())
            docs = [read_document(p) for p in files]
            pages = sum(d.pages or 0 for d in docs)
            copies = max(1, -(-100 // pages)) if fmt == "pdf" and pages else 1  # at least 100 PDF pages
            batch = out / f"batch-{fmt}"
            batch.mkdir()
            for k in range(copies):
                for p in files:
                    shutil.copy(p, batch / f"{k}-{p.name}")
            started = time.perf_counter()
            read = [read_document(p) for p in sorted(batch.iterdir())]
            seconds = time.perf_counter() - started
            paragraphs = sum(len(d.paragraphs) for d in read)
            pages = sum(d.pages or 0 for d in read)
            rate = f", {pages / seconds:.0f} pages/s ({pages} pages in {seconds:.2f} s)" if pages else ""
            lines.append(f"{fmt:>5}: {len(read)} files, {paragraphs} paragraphs in {seconds:.2f} s "
                         f"({paragraphs / seconds:.0f} paragraphs/s{rate})")
            if fmt == "text":
                chunks = [c for d in load_corpus(folder).documents for c in chunk_document(d, settings.chunk_max_chars)]
        embedder = load_embedder(settings)
        embedder.warm_up()
        sample = [c.embed_text for c in chunks[:200]]
        started = time.perf_counter()
        embedder.embed_documents(sample)
        seconds = time.perf_counter() - started
        lines.append(f"embedding: {len(sample)} passages in {seconds:.1f} s ({len(sample) / seconds:.1f} passages/s, "
                     f"{embedder.model_id})")
    return "\n".join(lines)


def serve(settings: Settings, clients: int = 20, seconds: float = 60.0, mode: str | None = None) -> str:
    """`rag bench serve`: ``clients`` concurrent clients ask the server on loopback for
    ``seconds``; answers per second, latency percentiles, 503s (generative queue full) and
    errors. Bounded: at most 64 clients and 600 seconds."""
    import threading

    import httpx

    from embeddings.factory import load_embedder
    from rag.server import create_app, in_thread

    clients = max(1, min(int(clients), 64))
    seconds = max(1.0, min(float(seconds), 600.0))
    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS) if not q.history]
    batcher = load_embedder(settings, batch_queries=True)  # as `rag serve` embeds questions
    assistant = Assistant(settings, embedder=batcher)
    assistant.warm_up()
    with in_thread(create_app(assistant, page=False), limit_concurrency=max(64, clients * 2)) as port:
        url = f"http://127.0.0.1:{port}/api/ask"
        latencies: list[float] = []
        busy = [0]
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def client(k: int) -> None:
            with httpx.Client(timeout=600) as http:
                i = k
                while time.perf_counter() < deadline:
                    q = questions[i % len(questions)]
                    i += clients
                    started = time.perf_counter()
                    try:
                        r = http.post(url, json={"question": q, "mode": mode})
                        took = time.perf_counter() - started
                        with lock:
                            if r.status_code == 200:
                                latencies.append(took)
                            elif r.status_code == 503:
                                busy[0] += 1
                            else:
                                errors.append(f"{r.status_code}: {r.text[:120]}")
                    except httpx.HTTPError as exc:
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}")

        started = time.perf_counter()
        workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
    lines = [f"serve benchmark: {clients} clients for {seconds:.0f} s on loopback, mode {mode or settings.mode.value}"]
    if latencies:
        lines.append(f"answers: {len(latencies)} ({len(latencies) / elapsed:.1f}/s); latency p50 "
                     f"{1000 * percentile(latencies, 50):.0f} ms, p95 {1000 * percentile(latencies, 95):.0f} ms, "
                     f"p99 {1000 * percentile(latencies, 99):.0f} ms")
    if batcher.passes:
        lines.append(f"question embeddings: {batcher.queued} in {batcher.passes} passes "
                     f"({batcher.queued / batcher.passes:.1f} a pass)")
    lines.append(f"refused with 503 (queue full): {busy[0]}; errors: {len(errors)}")
    lines += [f"  {e}" for e in errors[:5]]
    return "\n".join(lines)
