"""One server for many users: the chat page, an HTTP API and an OpenAI-compatible endpoint,
in one FastAPI process on uvicorn, over one assistant loaded once.

- ``POST /api/ask`` {question, history?, mode?, filters?} -> the ``Answer`` (the schema of
  ``rag ask --json``); ``POST /api/ask/stream``: server-sent events, ``delta`` events with
  the verified text as it grows, then one ``answer`` event.
- ``GET/POST /api/documents``, ``DELETE /api/documents/{doc}``: the library.
- ``GET /api/health``; OpenAPI docs at ``/docs``.
- ``POST /v1/chat/completions`` and ``GET /v1/models`` (model ``gov-docs-rag``): the answer
  with its [n] markers and a numbered source list, the citations also machine-readable in a
  ``citations`` field; earlier turns are the follow-up history.
- ``/``: the Gradio chat page, mounted in the same app.

Closed by default: ``rag serve`` binds 127.0.0.1; another host needs ``RAG_API_KEY`` (a
bearer token on the API, a password on the page) or an explicit ``--no-auth``. Requests
over the limits (question length, body size) get a 4xx with a message; CORS only where
configured. Generative requests share one model through a bounded queue: when it is full
the answer is a 503, not a wait without end.
"""

from __future__ import annotations

import hmac
import json
import logging
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator, Sequence

from fastapi import UploadFile
from pydantic import BaseModel, Field

from rag.errors import NotFoundError, QuestionError, RagError, SettingsError

log = logging.getLogger("rag.server")

MODEL_NAME = "gov-docs-rag"
MAX_BODY_BYTES = 1 * 1024 * 1024  # a JSON request; uploads have their own limit
MAX_UPLOAD_FILES = 20
OPEN_PATHS = ("/api/health",)


# The request bodies (module level: FastAPI resolves their annotations by name).
class AskRequest(BaseModel):
    question: str = Field(description="the question, in Chinese or English")
    history: list[Any] | None = Field(default=None, description="earlier turns: [question, answer] pairs or role/content messages")
    mode: str | None = Field(default=None, description="extractive (default) or generative")
    filters: dict[str, Any] | None = Field(default=None, description="{documents, regions, years}")

class Message(BaseModel):
    role: str
    content: Any = ""

class ChatRequest(BaseModel):
    model: str = MODEL_NAME
    messages: list[Message]
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None



class Busy(RagError):
    """Every generative slot and its queue are taken."""


class GenerativeQueue:
    """At most ``workers`` generative answers at once and ``waiting`` more queued; beyond
    that a request is refused at once (503), so no request waits without end."""

    def __init__(self, workers: int = 1, waiting: int = 4) -> None:
        self._admitted = threading.BoundedSemaphore(workers + waiting)
        self._running = threading.Semaphore(workers)

    def __enter__(self) -> "GenerativeQueue":
        if not self._admitted.acquire(blocking=False):
            raise Busy("the language model is busy and its queue is full; try again shortly, or ask in extractive mode")
        self._running.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running.release()
        self._admitted.release()


def create_app(assistant: Any, *, api_key: str | None = None, cors_origins: Sequence[str] = (),
               page: bool = True, generative_workers: int = 1, generative_waiting: int = 4,
               extractive_workers: int = 8):
    """The FastAPI application serving ``assistant`` (warmed up here)."""
    from fastapi import FastAPI, File, HTTPException, Request
    from fastapi.responses import JSONResponse, StreamingResponse

    from rag.types import Mode

    assistant.warm_up()
    queue = GenerativeQueue(generative_workers, generative_waiting)
    # Extractive answers are CPU-bound: a few more at once than cores lets the questions of
    # concurrent requests be embedded together (embeddings.batching) without every request
    # contending for the interpreter (measured with 20 clients: 2 at once 29 answers/s,
    # 8 at once 34/s with 4 questions an embedding pass; all at once, unbatched, 19/s).
    answering = threading.BoundedSemaphore(extractive_workers)
    app = FastAPI(title="gov-docs-rag", version="1", description=__doc__.split("\n\n")[0],
                  docs_url="/docs", openapi_url="/openapi.json", redoc_url=None)

    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        api = path.startswith("/api/") or path.startswith("/v1/")
        if api and api_key and path not in OPEN_PATHS and request.method != "OPTIONS":
            given = request.headers.get("authorization", "")
            token = given[7:] if given.lower().startswith("bearer ") else ""
            if not hmac.compare_digest(token.encode(), api_key.encode()):
                return JSONResponse({"error": {"message": "missing or wrong API key (Authorization: Bearer …)",
                                               "type": "unauthorized"}}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
        length = request.headers.get("content-length")
        limit = MAX_UPLOAD_FILES * _upload_limit() if path == "/api/documents" else MAX_BODY_BYTES
        if api and length and length.isdigit() and int(length) > limit:
            return JSONResponse({"error": {"message": f"request body of {int(length):,} bytes is over the "
                                           f"{limit:,}-byte limit", "type": "too_large"}}, status_code=413)
        return await call_next(request)

    def ask(body: AskRequest) -> Any:
        chosen = (body.mode or assistant.settings.mode.value).lower()
        if chosen == Mode.GENERATIVE.value:
            with queue:
                return assistant.answer(body.question, history=body.history, mode=chosen, filters=body.filters)
        with answering:
            return assistant.answer(body.question, history=body.history, mode=chosen, filters=body.filters)

    @app.exception_handler(RagError)
    async def rag_error(_request: Request, exc: RagError):
        status = 503 if isinstance(exc, Busy) else 404 if isinstance(exc, NotFoundError) else 400
        kind = {503: "busy", 404: "not_found", 400: "bad_request"}[status]
        return JSONResponse({"error": {"message": str(exc), "type": kind}}, status_code=status)

    @app.get("/api/health", summary="whether the index is loaded, and what serves it")
    def health() -> dict:
        index = assistant.index
        return {"status": "ok", "documents": len(index.documents), "chunks": len(index.chunks),
                "sentences": len(index.sentences), "model": index.manifest.model_id,
                "mode": assistant.settings.mode.value, "auth": bool(api_key)}

    @app.post("/api/ask", summary="answer a question (the Answer of `rag ask --json`)")
    def api_ask(body: AskRequest) -> dict:
        return ask(body).to_dict()

    @app.post("/api/ask/stream", summary="answer a question as server-sent events: delta …, then answer")
    def api_ask_stream(body: AskRequest):
        from rag.question import check_question

        check_question(body.question, assistant.settings.max_question_chars)  # a 400 before the stream starts

        def events() -> Iterator[str]:
            try:
                for piece in _stream(assistant, queue, body.question, body.history, body.mode, body.filters):
                    if isinstance(piece, str):
                        yield _sse("delta", {"text": piece})
                    else:
                        yield _sse("answer", piece.to_dict())
            except RagError as exc:
                yield _sse("error", {"message": str(exc), "type": "busy" if isinstance(exc, Busy) else "bad_request"})

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/api/documents", summary="the library's documents")
    def list_documents() -> dict:
        return {"documents": [asdict(i) for i in assistant.documents()]}

    @app.post("/api/documents", summary="add documents (multipart files)")
    def add_documents(files: list[UploadFile] = File(...)) -> dict:
        if len(files) > MAX_UPLOAD_FILES:
            raise HTTPException(413, f"at most {MAX_UPLOAD_FILES} files a request")
        with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
            pairs = []
            for k, f in enumerate(files):
                target = Path(tmp) / f"{k}.upload"
                _save_upload(f, target)
                pairs.append((f.filename or target.name, target))
            report = assistant.add_documents(pairs)
        return asdict(report)

    @app.delete("/api/documents/{doc}", summary="remove a document")
    def remove_document(doc: str) -> dict:
        return asdict(assistant.remove_document(doc))

    @app.get("/v1/models", summary="OpenAI-compatible: the one model")
    def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "gov-docs-rag"}]}

    @app.post("/v1/chat/completions", summary="OpenAI-compatible chat completion over the documents")
    def chat_completions(body: ChatRequest):
        question, history = _conversation(body.messages)
        created = int(time.time())
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if not body.stream:
            answer = ask(AskRequest(question=question, history=history))
            return {"id": cid, "object": "chat.completion", "created": created, "model": MODEL_NAME,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": chat_text(answer)},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    "citations": _citations(answer), "found": answer.found, "confidence": answer.confidence}
        from rag.question import check_question

        check_question(question, assistant.settings.max_question_chars)

        def chunks() -> Iterator[str]:
            def chunk(delta: dict, finish: str | None = None, **extra: Any) -> str:
                payload = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_NAME,
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
                return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

            yield chunk({"role": "assistant", "content": ""})
            sent = ""
            try:
                for piece in _stream(assistant, queue, question, history, None, None):
                    text = piece if isinstance(piece, str) else chat_text(piece)
                    if text.startswith(sent) and len(text) > len(sent):
                        yield chunk({"content": text[len(sent):]})
                        sent = text
                    elif not text.startswith(sent):  # the final answer differs from what was streamed
                        yield chunk({"content": "\n\n" + text})
                        sent = text
                    if not isinstance(piece, str):
                        yield chunk({}, "stop", citations=_citations(piece), found=piece.found)
            except RagError as exc:
                yield chunk({"content": f"\n\n[error: {exc}]"}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    if page:
        import gradio as gr

        from ui.app import build_app
        from ui.render import UPLOAD_LIMIT_MB
        from ui.style import PAGE_CSS

        blocks = build_app(assistant)
        auth = (lambda _user, password: hmac.compare_digest(password.encode(), api_key.encode())) if api_key else None
        app = gr.mount_gradio_app(app, blocks, path="", auth=auth, css=PAGE_CSS, max_file_size=f"{UPLOAD_LIMIT_MB}mb",
                                  ssr_mode=False, footer_links=[],
                                  auth_message="用 API 密钥登录 · Log in with the API key (any user name)" if api_key else None)
    return app


def _stream(assistant: Any, queue: GenerativeQueue, question: str, history, mode, filters) -> Iterator[Any]:
    from rag.types import Mode

    chosen = (mode or assistant.settings.mode.value).lower()
    if chosen == Mode.GENERATIVE.value:
        with queue:
            yield from assistant.stream(question, history=history, mode=chosen, filters=filters)
    else:
        yield from assistant.stream(question, history=history, mode=chosen, filters=filters)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _upload_limit() -> int:
    from rag.formats import MAX_FILE_BYTES

    return MAX_FILE_BYTES


def _save_upload(upload: Any, target: Path) -> None:
    """Write an upload to ``target``, refusing it past the per-file limit."""
    limit = _upload_limit()
    written = 0
    with target.open("wb") as out:
        while True:
            block = upload.file.read(1 << 20)
            if not block:
                break
            written += len(block)
            if written > limit:
                from fastapi import HTTPException

                raise HTTPException(413, f"{upload.filename}: over the {limit // 2**20} MB limit a file")
            out.write(block)


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of an OpenAI content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _conversation(messages: Sequence[Any]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message as the question, the earlier user/assistant pairs as history."""
    turns = [(m.role, _text(m.content)) for m in messages if m.role in ("user", "assistant")]
    users = [i for i, (role, _) in enumerate(turns) if role == "user"]
    if not users:
        raise QuestionError("no user message to answer")
    question = turns[users[-1]][1]
    history: list[tuple[str, str]] = []
    for i in users[:-1]:
        reply = turns[i + 1][1] if i + 1 < len(turns) and turns[i + 1][0] == "assistant" else ""
        history.append((turns[i][1], _strip_sources(reply)))
    return question, history


def _strip_sources(text: str) -> str:
    """An earlier answer as we sent it, without its source list."""
    return text.split("\n\nSources:\n", 1)[0].split("\n\n来源 Sources:\n", 1)[0]


def chat_text(answer: Any) -> str:
    """The answer as a chat message: its text with [n] markers, then the numbered sources."""
    if not answer.found or not answer.citations:
        return answer.text
    lines = [answer.text, "", "Sources:"]
    for i, c in enumerate(answer.citations, start=1):
        lines.append(f"[{i}] {c.title} › {c.section or '—'} {c.where} ({c.doc}): “{c.quote}”")
    return "\n".join(lines)


def _citations(answer: Any) -> list[dict]:
    return [{"n": i, "doc": c.doc, "title": c.title, "paragraph": c.paragraph, "page": c.page, "section": c.section,
             "lines": list(c.lines), "quote": c.quote, "format": c.format}
            for i, c in enumerate(answer.citations, start=1)] if answer.found else []


def check_exposure(host: str, api_key: str | None, no_auth: bool) -> None:
    """Serving beyond this machine needs a key, or a deliberate --no-auth."""
    loopback = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
    if not loopback and not api_key and not no_auth:
        raise SettingsError(f"serving on {host} opens the documents to the network: set RAG_API_KEY "
                            "(a bearer token for the API, the page's password) or pass --no-auth")


@contextmanager
def in_thread(app: Any, port: int | None = None, limit_concurrency: int | None = None,
              timeout: float = 20.0) -> Iterator[int]:
    """Serve ``app`` with uvicorn on loopback (``port``, or a free one) in a daemon thread
    until the block ends; yields the port (the benchmark and the tests' live servers)."""
    import socket

    import uvicorn

    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           limit_concurrency=limit_concurrency))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True  # a late start must not go on to hold the port
            raise SettingsError(f"the server did not start on 127.0.0.1:{port} within {timeout:.0f} s"
                                " (is the port taken?)")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def serve(assistant: Any, host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None,
          no_auth: bool = False, cors_origins: Sequence[str] = ()) -> None:
    """Run the server until interrupted."""
    import uvicorn

    check_exposure(host, api_key, no_auth)
    app = create_app(assistant, api_key=None if no_auth else api_key, cors_origins=cors_origins)
    uvicorn.run(app, host=host, port=port, log_level="warning")
