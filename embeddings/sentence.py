"""An embedder over any sentence-transformers model, loaded on first use.

torch and sentence-transformers are imported only when the model loads, so importing this module
stays cheap. Query and document prompts follow the model family (e5, bge-zh, none for others).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal, Mapping, Sequence

import numpy as np

from embeddings.base import KINDS, Embedder, Kind
from embeddings.convert import E5_PROMPTS, MODEL_ID, ConvertedModel
from embeddings.fastquery import FastQueryEncoder
from rag.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger("embeddings")

Family = Literal["e5", "bge-zh", "other"]
BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："
FAMILY_PROMPTS: dict[Family, dict[str, str]] = {
    "e5": dict(E5_PROMPTS),
    "bge-zh": {"query": BGE_ZH_QUERY_INSTRUCTION, "document": ""},
    "other": {"query": "", "document": ""},
}


def model_family(name_or_path: str | Path) -> Family:
    """Guess the prompt family from the model's name (the last path component).

    Examples: ``intfloat/multilingual-e5-small`` is e5, ``BAAI/bge-small-zh-v1.5`` is bge-zh.
    """
    name = str(name_or_path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].lower()
    tokens = set(re.split(r"[^a-z0-9]+", name))
    if "e5" in tokens:
        return "e5"
    if "bge" in tokens and "zh" in tokens:
        return "bge-zh"
    return "other"


def prompts_for(name_or_path: str | Path) -> dict[str, str]:
    """The query and document prompts for a model, by family; unknown families get none."""
    return dict(FAMILY_PROMPTS[model_family(name_or_path)])


class SentenceTransformerEmbedder(Embedder):
    """Embeds with a ``SentenceTransformer``, loaded once per instance on first use or ``warm_up()``.

    Texts beyond the model's window are truncated by the model; a warning is logged on the
    ``embeddings`` logger when that happens.
    """

    def __init__(
        self,
        model_name_or_path: str | Path,
        *,
        model_id: str | None = None,
        fingerprint: str | None = None,
        prompts: Mapping[str, str] | None = None,
        batch_size: int = 32,
        device: str | None = None,
        local_files_only: bool = False,
        dimension: int | None = None,
    ) -> None:
        """Args:
        model_name_or_path: a local model directory or a model name on the hub.
        model_id: the id recorded with vectors; the name or path by default.
        fingerprint: a known fingerprint; by default derived from the model's files.
        prompts: "query" and "document" prefixes; by default chosen by :func:`model_family`.
        local_files_only: never try the network (set for the converted model).
        dimension: the vector size if known, so asking for it does not load the model.
        """
        self.model_name_or_path = str(model_name_or_path)
        self.model_id = model_id or self.model_name_or_path
        self.prompts = dict(prompts) if prompts is not None else prompts_for(model_name_or_path)
        for kind in KINDS:
            self.prompts.setdefault(kind, "")
        self.batch_size = batch_size
        self.device = device
        self.local_files_only = local_files_only
        self._dimension = dimension
        self._fingerprint = fingerprint
        self._model: SentenceTransformer | None = None
        self._counter: Callable[[list[str]], list[int]] | None = None
        self._lock = threading.Lock()
        # Set for the converted e5 model: embeds queries in numpy until the full model is loaded.
        self._fast_query: FastQueryEncoder | None = None

    @classmethod
    def from_converted(
        cls, converted: ConvertedModel, batch_size: int = 32, query_threads: int = 1
    ) -> "SentenceTransformerEmbedder":
        """The embedder over a model directory built by :func:`embeddings.convert.ensure_converted`."""
        try:
            config = json.loads((converted.path / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"the converted model in {converted.path} is unreadable: {exc}") from exc
        embedder = cls(
            converted.path,
            model_id=MODEL_ID,
            fingerprint=converted.fingerprint,
            prompts=E5_PROMPTS,
            batch_size=batch_size,
            local_files_only=True,
            dimension=int(config["hidden_size"]),
        )
        embedder._fast_query = FastQueryEncoder(converted.path, prompt=E5_PROMPTS["query"], threads=query_threads)
        return embedder

    @property
    def dimension(self) -> int:  # type: ignore[override]
        if self._dimension is None:
            self._dimension = int(self._load().get_embedding_dimension())
        return self._dimension

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            files = _model_files(self._model_dir())
            key = json.dumps({"model": self.model_id, "prompts": self.prompts, "files": files}, sort_keys=True)
            self._fingerprint = hashlib.sha256(key.encode()).hexdigest()[:16]
        return self._fingerprint

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def warm_up(self, kind: Kind | None = None) -> None:
        """Load the model now. ``kind="query"`` loads only what embedding queries needs: for the
        converted model that is the numpy query encoder, much faster to load than the full model."""
        if kind == "query" and self._fast_query is not None and self._model is None:
            self._fast_query.load()
        else:
            self._load()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        texts = self._checked(texts, kind)
        if not texts:
            return self._empty()
        fast = self._fast_query
        if kind == "query" and fast is not None and self._model is None:
            # Same vectors as the full model (cosine >= 0.9999), without importing torch.
            if self._counter is None:
                self._counter = lambda prompted: fast.count_tokens(prompted, with_prompt=False)
            self._warn_if_truncated(texts, kind)
            return fast.encode(texts)
        model = self._load()
        self._warn_if_truncated(texts, kind)
        # The prompts were given to the model, so encode_query / encode_document apply them.
        encode = model.encode_query if kind == "query" else model.encode_document
        vectors = encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str], kind: Kind = "document") -> list[int]:
        """Tokens the model sees for each text as ``kind``, prompt and special tokens included
        (before truncation). Uses the tokenizer only; loads the model only for a hub model."""
        if self._counter is None:
            self._counter = self._make_counter()
        prompt = self.prompts[kind]
        return self._counter([prompt + text for text in texts])

    def _warn_if_truncated(self, texts: list[str], kind: Kind) -> None:
        counts = self.count_tokens(texts, kind)
        over = [(n, text) for n, text in zip(counts, texts) if n > self.max_tokens]
        if not over:
            return
        if kind == "query":
            for n, text in over:
                logger.warning(
                    "query of %d tokens exceeds the %d-token window of %s and is truncated: %.30s…",
                    n, self.max_tokens, self.model_id, text,
                )
        else:
            logger.warning(
                "%d document text(s) exceed the %d-token window of %s and are truncated (longest %d tokens)",
                len(over), self.max_tokens, self.model_id, max(n for n, _ in over),
            )

    def _load(self) -> "SentenceTransformer":
        if self._model is None:
            with self._lock:
                if self._model is None:
                    model = _load_sentence_transformer(self)
                    if model.max_seq_length:
                        self.max_tokens = int(model.max_seq_length)
                    self._model = model
        return self._model

    def _local_dir(self) -> Path | None:
        path = Path(self.model_name_or_path).expanduser()
        return path if path.is_dir() else None

    def _model_dir(self) -> Path:
        """The directory holding the model's files: the path itself or its hub cache snapshot."""
        local = self._local_dir()
        if local is not None:
            return local
        snapshot = _hub_snapshot(self.model_name_or_path)
        if snapshot is None:
            self._load()  # downloads it, when the hub is reachable
            snapshot = _hub_snapshot(self.model_name_or_path)
        if snapshot is None:
            raise ModelError(f"cannot find the files of embedding model {self.model_name_or_path!r}")
        return snapshot

    def _make_counter(self) -> Callable[[list[str]], list[int]]:
        from tokenizers import Tokenizer

        local = self._local_dir()
        if local is not None and (local / "tokenizer.json").is_file():
            tokenizer = Tokenizer.from_file(str(local / "tokenizer.json"))
        else:
            hf_tokenizer = self._load().tokenizer
            backend = getattr(hf_tokenizer, "backend_tokenizer", None)
            if backend is None:  # a slow tokenizer: count through it
                return lambda texts: [len(ids) for ids in hf_tokenizer(texts, truncation=False)["input_ids"]]
            tokenizer = Tokenizer.from_str(backend.to_str())
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return lambda texts: [len(enc.ids) for enc in tokenizer.encode_batch(texts)]


def _load_sentence_transformer(embedder: SentenceTransformerEmbedder) -> "SentenceTransformer":
    """Load the model behind ``embedder``, turning any failure into a :class:`ModelError`."""
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelError(f"sentence-transformers is not installed: {exc}") from exc
    progress = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
    try:
        return SentenceTransformer(
            embedder.model_name_or_path,
            device=embedder.device,
            prompts=embedder.prompts,
            local_files_only=embedder.local_files_only,
        )
    except Exception as exc:  # a missing or broken model fails in many library-specific ways
        raise ModelError(f"cannot load embedding model {embedder.model_name_or_path!r}: {exc}") from exc
    finally:
        if progress:
            hf_logging.enable_progress_bar()


def _hub_snapshot(name: str) -> Path | None:
    """The local hub-cache snapshot of ``name``, without touching the network; None if absent."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception:  # not cached, or not a valid repo id
        return None


def _model_files(model_dir: Path) -> list[tuple[str, int]]:
    """(relative path, size) of the files that define a model: configs, tokenizer, weights."""
    files = []
    for path in sorted(model_dir.rglob("*")):
        rel = path.relative_to(model_dir).as_posix()
        if path.is_file() and not rel.startswith(".") and not path.name.lower().startswith("readme"):
            files.append((rel, path.stat().st_size))
    return files
