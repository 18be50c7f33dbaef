"""Language-model backends for the generative mode, through LangChain chat-model integrations.

``llamacpp``: a local GGUF model (the packaged Qwen2.5-Coder by default) through
llama-cpp-python and ``langchain_community``'s ``ChatLlamaCpp``. ``openai``: any
OpenAI-compatible server through ``langchain_openai``'s ``ChatOpenAI``. Both are optional
(``pip install '.[llm]'``); nothing is imported or loaded until a generator is built.
"""

from __future__ import annotations

import logging
import threading
import warnings
from enum import Enum
from typing import Any, Iterator, Protocol, Sequence

from rag.errors import ModelError, SettingsError
from rag.settings import Settings

log = logging.getLogger("rag.llm")

EXTRA_HINT = "install the optional extra: pip install '.[llm]'"


class Backend(str, Enum):
    LLAMACPP = "llamacpp"
    OPENAI = "openai"


class Generator(Protocol):
    """Streams the text a model writes for one conversation (role, content) of a prompt."""

    name: str

    def stream(self, messages: Sequence[tuple[str, str]], english: bool = False) -> Iterator[str]: ...


def backend_of(value: str) -> Backend:
    try:
        return Backend(value)
    except ValueError as exc:
        valid = ", ".join(b.value for b in Backend)
        raise SettingsError(f"llm_backend: {value!r} is not a backend; choose one of: {valid}") from exc


# Grammars for llama.cpp: every sentence of an answer ends with its [n] markers, or the
# answer is the refusal. A small model left free often forgets the markers; with the
# grammar it cannot, and the verifier can hold each sentence to the passages it names.
GRAMMAR_ZH = r'''
root ::= refusal | claim claim? claim?
claim ::= body cite cite? cite? "。"
body ::= [^。！？；\[\]\n]+
cite ::= "[" [1-9] "]"
refusal ::= "文件中没有找到这个问题的答案。"
'''
GRAMMAR_EN = r'''
root ::= refusal | claim (" " claim)? (" " claim)?
claim ::= body " "? cite cite? cite? "."
body ::= ([^.\[\]\n] | [0-9] "." [0-9])+
cite ::= "[" [1-9] "]"
refusal ::= "The documents do not contain an answer to this question."
'''


class ChatGenerator:
    """A LangChain chat model behind the :class:`Generator` protocol.

    ``before_each`` runs before every prompt (llama.cpp: forget the previous prompt's
    cached state, which otherwise changes answers from run to run). One prompt at a
    time: a local model is not safe to call from two threads at once.
    """

    def __init__(self, model: Any, name: str) -> None:
        self.model = model
        self.name = name
        self._lock = threading.Lock()

    def _prepare(self, messages: Sequence[tuple[str, str]], english: bool) -> dict[str, Any]:
        """Set up the model for one prompt; returns extra arguments for the call."""
        return {}

    def prime(self, messages: Sequence[tuple[str, str]], english: bool = False) -> None:
        """Get ready for prompts like ``messages`` ahead of the first question (a server has
        nothing to do here)."""


class LlamaCppGenerator(ChatGenerator):
    """A local GGUF model: each prompt starts from the same state of the fixed part of the
    prompt (instructions and examples), so answers are repeatable (no state of an earlier
    question leaks in) and that part is read once, not per question; the output is held
    to the citing grammar.

    The fixed part stays at the head of llama.cpp's cache: before each prompt the cache is
    cut back to it, which costs nothing. A prompt with another fixed part (the other
    language's template) restores that part's saved cache (a few MB, milliseconds) or, the
    first time, reads it and saves it. :meth:`prime` does that ahead of the first question.
    """

    def __init__(self, model: Any, name: str) -> None:
        super().__init__(model, name)
        self._live: tuple[int, ...] = ()  # the fixed part the cache now starts with
        self._states: dict[tuple[int, ...], bytes] = {}  # fixed part -> llama.cpp's saved cache
        self._grammars: dict[bool, Any] = {}

    def prime(self, messages: Sequence[tuple[str, str]], english: bool = False) -> None:
        """Read the fixed part of a prompt of this template now, not in the first question."""
        with self._lock:
            self._prepare(messages, english)

    def _prepare(self, messages: Sequence[tuple[str, str]], english: bool) -> dict[str, Any]:
        from llama_cpp import LlamaGrammar

        llm = self.model.client
        prefix = tuple(self._prefix_tokens(messages))
        if len(prefix) <= 1:
            llm.reset()
            self._live = ()
        elif prefix == self._live and llm.n_tokens >= len(prefix):
            self._cut(len(prefix))
        elif prefix in self._states:
            self._restore(prefix)
        else:
            llm.reset()
            llm.eval(list(prefix))
            self._states[prefix] = self._save()
            self._live = prefix
        if english not in self._grammars:
            self._grammars[english] = LlamaGrammar.from_string(GRAMMAR_EN if english else GRAMMAR_ZH, verbose=False)
        return {"grammar": self._grammars[english]}

    def _cut(self, n: int) -> None:
        """Forget every cached token after the first ``n``; llama-cpp-python then reuses the
        first ``n`` (the same tokens begin the next prompt) and reads only the rest."""
        llm = self.model.client
        llm._ctx.kv_cache_seq_rm(-1, n, -1)
        llm.n_tokens = n
        llm._requires_eval = True  # the logits held are not the last prefix token's

    def _save(self) -> bytes:
        import ctypes

        import llama_cpp

        llm = self.model.client
        size = llama_cpp.llama_state_get_size(llm._ctx.ctx)
        buffer = (ctypes.c_uint8 * size)()
        n = llama_cpp.llama_state_get_data(llm._ctx.ctx, buffer, size)
        return bytes(buffer[:n])

    def _restore(self, prefix: tuple[int, ...]) -> None:
        """The saved cache of a fixed part, without llama-cpp-python's ``load_state`` (which
        also copies a logits table of hundreds of MB that a prompt read after it overwrites)."""
        import ctypes

        import llama_cpp

        llm = self.model.client
        data = self._states[prefix]
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_set_data(llm._ctx.ctx, buffer, len(data)) != len(data):
            llm.reset()
            llm.eval(list(prefix))
        llm.input_ids[: len(prefix)] = prefix
        llm.n_tokens = len(prefix)
        llm._requires_eval = True
        self._live = prefix

    def _prefix_tokens(self, messages: Sequence[tuple[str, str]]) -> list[int]:
        """The tokens the prompt shares with every prompt of its template: everything up to
        the last message's content, as the model's own chat template renders it."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self.model.client
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            return []
        text = lambda ids: llm.detokenize(ids).decode("utf-8", "ignore")  # noqa: E731
        formatter = Jinja2ChatFormatter(template, text([llm.token_eos()]), text([llm.token_bos()]))
        sentinel = "\u2063\u2063"
        fake = [{"role": r, "content": c} for r, c in messages[:-1]] + [{"role": messages[-1][0], "content": sentinel}]
        real = [{"role": r, "content": c} for r, c in messages]
        rendered = formatter(messages=fake).prompt
        if sentinel not in rendered:
            return []
        head = rendered[: rendered.index(sentinel)].encode("utf-8")
        full = formatter(messages=real).prompt.encode("utf-8")
        head_ids = llm.tokenize(head, add_bos=False, special=True)
        full_ids = llm.tokenize(full, add_bos=False, special=True)
        n = 0
        for a, b in zip(head_ids, full_ids):
            if a != b:
                break
            n += 1
        return list(full_ids[: max(0, n - 1)])  # the last shared token may merge differently

    def stream(self, messages: Sequence[tuple[str, str]], english: bool = False) -> Iterator[str]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        chat = [kinds[role](content=content) for role, content in messages]

        with self._lock:
            extra = self._prepare(messages, english)
            try:
                for chunk in self.model.stream(chat, **extra):
                    text = chunk.content if isinstance(chunk.content, str) else "".join(
                        part.get("text", "") for part in chunk.content if isinstance(part, dict)
                    )
                    if text:
                        yield text
            except Exception as exc:  # a backend's own errors (connection, HTTP status, llama.cpp)
                if isinstance(exc, (ModelError, GeneratorExit)):
                    raise
                raise ModelError(f"the language model ({self.name}) failed: {type(exc).__name__}: {_scrub(str(exc))}") from exc


def load_generator(settings: Settings) -> Generator:
    """The generator the settings choose; raises ModelError with a fix when it cannot be built."""
    backend = backend_of(settings.llm_backend)
    if backend is Backend.OPENAI:
        return _openai(settings)
    return _llamacpp(settings)


def _llamacpp(settings: Settings) -> Generator:
    from rag import gguf

    try:
        with warnings.catch_warnings():  # the package announces its own sunset on import
            warnings.simplefilter("ignore", DeprecationWarning)
            from langchain_community.chat_models import ChatLlamaCpp
    except ImportError as exc:
        raise ModelError(f"the llamacpp backend needs langchain-community and llama-cpp-python; {EXTRA_HINT}") from exc
    try:
        import llama_cpp  # noqa: F401  (only to report a missing install clearly)
    except ImportError as exc:
        raise ModelError(f"the llamacpp backend needs llama-cpp-python; {EXTRA_HINT}") from exc
    path = gguf.resolve(settings.llm_model_path, settings.llm_model_package, settings.model_cache_dir / "llm")
    log.info("loading %s", path)
    try:
        model = ChatLlamaCpp(
            model_path=str(path),
            n_ctx=settings.llm_context_tokens,
            n_threads=settings.llm_threads,
            n_batch=512,
            temperature=0.0,
            max_tokens=settings.llm_max_tokens,
            seed=0,
            repeat_penalty=1.0,  # copying the passages' numbers and names is the point
            verbose=False,
            streaming=True,
        )
    except Exception as exc:
        raise ModelError(f"cannot load the GGUF model {path}: {exc}") from exc
    return LlamaCppGenerator(model, f"llama.cpp {path.name}")


def _openai(settings: Settings) -> Generator:
    if not settings.openai_base_url or not settings.openai_model:
        raise SettingsError("the openai backend needs RAG_OPENAI_BASE_URL and RAG_OPENAI_MODEL (and RAG_OPENAI_API_KEY if the server wants one)")
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise ModelError(f"the openai backend needs langchain-openai; {EXTRA_HINT}") from exc
    from pydantic import SecretStr

    model = ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=SecretStr(settings.openai_api_key or "not-needed"),  # local servers often want none
        temperature=0.0,
        max_completion_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        max_retries=1,
        streaming=True,
    )
    return ChatGenerator(model, f"{settings.openai_model} at {settings.openai_base_url}")


def _scrub(message: str) -> str:
    """Drop anything that looks like an API key from an error message before it is shown or logged."""
    import re

    return re.sub(r"(sk-|Bearer\s+)[A-Za-z0-9_\-]{6,}", r"\1***", message)
