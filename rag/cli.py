"""The ``rag`` command: show, docs, add, remove, index, ask, eval, bench, chat, serve.

Library errors are turned into one ``Error: …`` line on stderr here, at the edge; nothing
below prints to the user. Exit status: 0 done (answered, or abstained without --strict),
1 an error, 2 a usage error (argparse), 3 ``rag ask --strict`` found no answer, 130
interrupted. Output piped into ``head`` ends quietly.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from rag.errors import RagError
from rag.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(docs_dir=getattr(args, "docs", None), mode=getattr(args, "mode", None))


def cmd_show(args: argparse.Namespace) -> int:
    from rag.corpus import load_corpus
    from rag.errors import NotFoundError

    doc = load_corpus(_settings(args).docs_dir).document(args.doc)
    if args.paragraph is not None:
        if not 1 <= args.paragraph <= len(doc.paragraphs):
            raise NotFoundError(f"{doc.name} has paragraphs 1..{len(doc.paragraphs)}; there is no ¶{args.paragraph}")
        p = doc.paragraph(args.paragraph)
        page = f"p. {p.page} " if p.page is not None else ""
        print(f"{doc.title} {page}¶{p.number} (lines {p.lines[0]}–{p.lines[1]})")
        print(f"section: {p.section_path or '—'}")
        print(p.text)
        return 0
    m = doc.meta
    print(doc.title)
    facts = [doc.name, doc.format if doc.format != "text" else None, doc.pages and f"{doc.pages} pages", m.office, m.number,
             m.date, m.region, m.period and f"period {m.period}"]
    print("  " + " | ".join(f for f in facts if f))
    for p in doc.paragraphs:
        span = f"L{p.lines[0]}" if p.lines[0] == p.lines[1] else f"L{p.lines[0]}-{p.lines[1]}"
        span = f"p{p.page} {span}" if p.page is not None else span
        mark = "#" if p.is_heading else " "
        print(f"¶{p.number:<3} {span:<8}{mark} [{p.section_path or '—'}]")
        print(f"     {p.text}")
    if doc.removed:
        print("removed as page furniture:")
        for r in doc.removed:
            print(f"  L{r.line} ({r.reason}): {r.text}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from rag.assistant import Assistant

    assistant = Assistant(_settings(args))
    report = assistant.add_documents(args.files)
    for a in report.added:
        mark = {"added": "+", "duplicate": "=", "refused": "!"}[a.status]
        print(f"{mark} {a.message}", file=sys.stderr if a.status == "refused" else sys.stdout)
    if report.changed:
        print(f"index updated: {report.embedded} passages embedded, {report.reused} reused, {report.seconds:.1f} s")
    return 1 if any(a.status == "refused" for a in report.added) else 0


def cmd_remove(args: argparse.Namespace) -> int:
    from rag.assistant import Assistant

    assistant = Assistant(_settings(args))
    for doc in args.docs_to_remove:
        report = assistant.remove_document(doc)
        print(f"- {', '.join(report.removed)} removed; index updated in {report.seconds:.1f} s")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from rag.corpus import load_corpus
    from rag.library import DocumentInfo

    settings = _settings(args)
    corpus = load_corpus(settings.docs_dir)
    infos = [DocumentInfo.of(d, settings.docs_dir) for d in corpus.documents]
    if args.json:
        print(json.dumps({"library": str(settings.docs_dir), "documents": [asdict(i) for i in infos],
                          "skipped": [asdict(s) for s in corpus.skipped]}, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(infos)} documents in {settings.docs_dir}")
    for i in infos:
        pages = f", {i.pages} pages" if i.pages else ""
        facts = " | ".join(f for f in (i.issuer, i.date, i.region, i.period and f"period {i.period}") if f)
        print(f"{i.name}  [{i.format}{pages}, {i.paragraphs} paragraphs, {i.furniture} furniture lines removed]")
        print(f"    {i.title}" + (f"  ({facts})" if facts else ""))
    for s in corpus.skipped:
        print(f"not read: {s.reason}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from rag.assistant import Assistant

    assistant = Assistant(_settings(args))
    assistant.warm_up(progress=True)
    report = assistant.build_report
    m = assistant.index.manifest
    where = assistant.settings.index_path
    if report is None:
        print(f"index is up to date: {where}")
    else:
        print(f"index built in {report.seconds:.1f} s ({report.reason}): {where}")
        print(f"  embedded {report.embedded} texts, reused {report.reused}")
    print(f"  {m.counts['documents']} documents, {m.counts['chunks']} chunks, {m.counts['sentences']} sentences, "
          f"{m.index_type} index, model {m.model_id}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.assistant import Assistant

    assistant = Assistant(_settings(args))
    if args.json:
        answer = assistant.answer(args.question, mode=args.mode)
        print(json.dumps(asdict(answer), ensure_ascii=False, indent=2))
        return 3 if args.strict and not answer.found else 0
    shown = ""
    answer = None
    for piece in assistant.stream(args.question, mode=args.mode):  # verified sentences as they are written
        if isinstance(piece, str):
            print(piece[len(shown):] if piece.startswith(shown) else "\n" + piece, end="", flush=True)
            shown = piece
        else:
            answer = piece
    assert answer is not None
    if shown and answer.text.startswith(shown):
        print(answer.text[len(shown):])
    else:
        print(("\n" if shown else "") + answer.text)
    if answer.found and answer.citations:
        print("\nSources:")
        for i, c in enumerate(answer.citations, start=1):
            print(f"[{i}] {c.title} › {c.section or '—'} {c.where} (lines {c.lines[0]}–{c.lines[1]}, {c.doc})")
            print(f"    “{c.quote}”")
    for note in (answer.removed, answer.fallback):
        if note:
            print(f"\nnote: {note}", file=sys.stderr)
    return 3 if args.strict and not answer.found else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.evaluation.runner import run_cli

    return run_cli(args, _settings(args))


def cmd_bench(args: argparse.Namespace) -> int:
    if args.what == "embed":
        from embeddings import bench

        print(bench.format(bench.run(_settings(args))))
        return 0
    from rag import bench as rag_bench

    if args.what == "serve":
        print(rag_bench.serve(_settings(args), args.clients, args.seconds, args.mode))
        return 0
    settings = _settings(args)
    if args.store:
        settings = settings.replace(store=args.store)
    if args.what == "retrieval":
        print(rag_bench.retrieval(settings, synthetic=args.synthetic, milvus_lite=args.milvus_lite))
        return 0
    runner = {"answer": rag_bench.answer, "ingest": rag_bench.ingest}[args.what]
    print(runner(settings, synthetic=args.synthetic))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.assistant import Assistant
    from rag.server import check_exposure, serve

    settings = _settings(args)
    check_exposure(args.host, settings.api_key or None, args.no_auth)  # before minutes of warming up
    from embeddings.factory import load_embedder

    assistant = Assistant(settings, embedder=load_embedder(settings, batch_queries=True))
    print(f"warming up: the model and the index of {settings.docs_dir} …", flush=True)
    assistant.warm_up(progress=True)
    auth = "no auth" if args.no_auth or not settings.api_key else "bearer token required (RAG_API_KEY)"
    print(f"serving on http://{args.host}:{args.port}  (page /, API /api, OpenAI /v1, docs /docs; {auth}; Ctrl+C to stop)",
          flush=True)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    try:
        serve(assistant, args.host, args.port, settings.api_key or None, args.no_auth, origins)
    except OSError as exc:
        print(f"Error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from rag.assistant import Assistant
    from ui.app import launch

    assistant = Assistant(_settings(args))
    print(f"warming up: loading the model and the index of {assistant.settings.docs_dir} "
          "(the index is built on the first run; this can take a few minutes) …", flush=True)
    assistant.warm_up(progress=True)
    try:
        app = launch(assistant, host=args.host, port=args.port, block=False)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(f"Error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"chat page: http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    app.block_thread()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (index builds, models)")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_docs(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--docs", type=Path, help="documents folder (default: the seeds)")
        return p

    p = with_docs(sub.add_parser("show", help="print a document as it will be cited"))
    p.add_argument("doc", help="file name, or a unique prefix such as 000")
    p.add_argument("--paragraph", "-p", type=int, help="print only this paragraph")
    p.set_defaults(func=cmd_show)

    p = with_docs(sub.add_parser("add", help="add documents to the library (the documents folder) and re-index"))
    p.add_argument("files", nargs="+", type=Path, help=".txt .md .pdf .docx .html .ofd files")
    p.set_defaults(func=cmd_add)

    p = with_docs(sub.add_parser("remove", help="remove a document from the library and re-index"))
    p.add_argument("docs_to_remove", nargs="+", metavar="DOC", help="file name, or a unique prefix such as 000")
    p.set_defaults(func=cmd_remove)

    p = with_docs(sub.add_parser("docs", help="list the library's documents with their metadata"))
    p.add_argument("--json", action="store_true", help="print them as JSON")
    p.set_defaults(func=cmd_docs)

    p = with_docs(sub.add_parser("index", help="build or update the index"))
    p.set_defaults(func=cmd_index)

    p = with_docs(sub.add_parser("ask", help="answer one question"))
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    p.add_argument("--mode", choices=["extractive", "generative"])
    p.add_argument("--strict", action="store_true", help="exit 3 when the documents do not answer (for scripts)")
    p.set_defaults(func=cmd_ask)

    p = with_docs(sub.add_parser("eval", help="evaluate on the development corpora (eval/corpora.json)"))
    p.add_argument("--corpus", action="append", help="only this corpus (repeatable; default: every corpus)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--report", type=Path, help="write the Markdown report here (default eval/report.md)")
    p.add_argument("--split", choices=["tune", "test", "all"], default="all")
    p.add_argument("--mode", choices=["extractive", "generative"])
    p.add_argument("--questions", type=Path, help="one question set over --docs instead of the corpora")
    p.add_argument("--no-baselines", action="store_true", help="skip the baseline pipelines")
    p.add_argument("--calibrate", action="store_true", help="fit the abstention model on the tune splits of every corpus")
    p.add_argument("--renderings", action="store_true",
                   help="render the corpus (default: the seeds) as HTML, PDF and Word and run its questions over each")
    p.set_defaults(func=cmd_eval)

    p = with_docs(sub.add_parser("bench", help="measure speed"))
    p.add_argument("what", choices=["retrieval", "embed", "answer", "ingest", "serve"])
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (serve; at most 64)")
    p.add_argument("--seconds", type=float, default=60.0, help="how long the clients ask (serve; at most 600)")
    p.add_argument("--synthetic", "--passages", type=int, default=100_000, dest="synthetic",
                   help="passages in the synthetic corpus (retrieval)")
    p.add_argument("--store", choices=["faiss", "milvus"], help="where the searches run (default: RAG_STORE)")
    p.add_argument("--milvus-lite", action="store_true",
                   help="retrieval with --store milvus: start a Milvus Lite server for the run and report its memory")
    p.add_argument("--mode", choices=["extractive", "generative"])
    p.set_defaults(func=cmd_bench)

    p = with_docs(sub.add_parser("serve", help="serve the page, the HTTP API and the OpenAI-compatible endpoint"))
    p.add_argument("--host", default="127.0.0.1", help="address to bind to (default: this machine only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-auth", action="store_true", help="serve beyond this machine without RAG_API_KEY (deliberately open)")
    p.set_defaults(func=cmd_serve)

    p = with_docs(sub.add_parser("chat", help="serve the chat page in the browser"))
    p.add_argument("--host", default="127.0.0.1", help="address to bind to (default: this machine only)")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(func=cmd_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except RagError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (head, less) went away: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
