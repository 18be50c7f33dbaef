"""A numpy-only forward pass of the converted e5 model, for embedding a few short queries fast.

A cold process that only has to embed one query (``rag ask`` over a built index) would spend
most of its time importing sentence-transformers/torch and loading the model through
transformers. This module reads the same converted directory (see :mod:`embeddings.convert`)
with ``tokenizers``, ``safetensors`` and numpy only and computes the same vectors: BertModel
(post-LN, GELU in its erf form, absolute positions from 0, token type 0), mean pooling over all
tokens (prompt and special tokens included), L2 normalisation. Texts are embedded one at a
time, so no padding or attention mask is needed. Documents should still go through
sentence-transformers, which batches far better.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
_NP_DTYPES = {"F16": "<f2", "F32": "<f4", "BF16": None}


class FastQueryEncoder:
    """Embeds queries with the converted BertModel in numpy; weights load on first use.

    Args:
        model_dir: a directory written by :func:`embeddings.convert.write_model_dir`.
        prompt: prefix for every text; by default the "query" prompt the directory records.
        threads: BLAS threads while a query is embedded. One is the safe default: on a busy
            machine OpenBLAS's thread pool makes these tiny products far slower; two are faster
            on an idle machine.
    """

    def __init__(self, model_dir: str | Path, prompt: str | None = None, threads: int = 1) -> None:
        self.model_dir = Path(model_dir)
        self.threads = max(1, threads)
        self._prompt = prompt
        self._lock = threading.Lock()
        self._state: dict[str, Any] | None = None

    @property
    def loaded(self) -> bool:
        return self._state is not None

    @property
    def prompt(self) -> str:
        return self._load()["prompt"]

    @property
    def max_tokens(self) -> int:
        """The model's window in tokens, special tokens included."""
        return self._load()["max_tokens"]

    def load(self) -> None:
        """Read the tokenizer and weights now (thread-safe; a no-op once done)."""
        self._load()

    def count_tokens(self, texts: Sequence[str], with_prompt: bool = True) -> list[int]:
        """Tokens of each text before truncation, special tokens (and the prompt, if asked) included."""
        state = self._load()
        prefix = state["prompt"] if with_prompt else ""
        return [len(enc.ids) for enc in state["tokenizer"].encode_batch([prefix + t for t in texts])]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for ``texts`` (the prompt is added here): float32 [len(texts), hidden]."""
        state = self._load()
        out = np.zeros((len(texts), state["hidden"]), dtype=np.float32)
        if not texts:
            return out
        encodings = state["tokenizer"].encode_batch([state["prompt"] + t for t in texts])
        with _blas_threads(state, self.threads):
            for row, enc in enumerate(encodings):
                out[row] = self._embed_ids(state, enc.ids)
        return out

    @staticmethod
    def _embed_ids(state: dict[str, Any], ids: list[int]) -> np.ndarray:
        limit = state["max_tokens"]
        if len(ids) > limit:  # as the tokenizer's own truncation does: keep </s> at the end
            ids = ids[: limit - 1] + ids[-1:]
        vector = _forward(state, np.asarray(ids, dtype=np.int64)).mean(axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def _load(self) -> dict[str, Any]:
        if self._state is None:
            with self._lock:
                if self._state is None:
                    self._state = _load_state(self.model_dir, self._prompt)
        return self._state


def _load_state(model_dir: Path, prompt: str | None) -> dict[str, Any]:
    from safetensors import safe_open
    from scipy.special import erf
    from tokenizers import Tokenizer

    config = _read_json(model_dir / "config.json")
    if config.get("hidden_act", "gelu") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
        raise ValueError(f"{model_dir}: only absolute positions and erf GELU are supported")
    if prompt is None:
        st_config = _read_json(model_dir / "config_sentence_transformers.json", missing_ok=True)
        prompt = (st_config.get("prompts") or {}).get("query", "")
    max_tokens = int(config["max_position_embeddings"])
    seq = _read_json(model_dir / "sentence_bert_config.json", missing_ok=True).get("max_seq_length")
    if seq:
        max_tokens = min(max_tokens, int(seq))

    tokenizer: Tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()  # truncated in encode(), so count_tokens sees the full length
    tokenizer.no_padding()

    weights_path = model_dir / "model.safetensors"
    layers = []
    with safe_open(str(weights_path), framework="np") as f:
        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(f.get_tensor(name), dtype=np.float32)

        embeddings = {
            "pos": get("embeddings.position_embeddings.weight"),
            "type0": get("embeddings.token_type_embeddings.weight")[0],
            "ln": (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias")),
        }
        for i in range(int(config["num_hidden_layers"])):
            layer = {}
            for short, part in _LAYER_PARTS.items():
                w, b = get(f"encoder.layer.{i}.{part}.weight"), get(f"encoder.layer.{i}.{part}.bias")
                # Linear weights are [out, in]; keep them transposed so x @ w works row-major.
                layer[short] = (w, b) if short.endswith("ln") else (np.ascontiguousarray(w.T), b)
            layers.append(layer)
    return {
        "tokenizer": tokenizer,
        "prompt": prompt,
        "max_tokens": max_tokens,
        "hidden": int(config["hidden_size"]),
        "heads": int(config["num_attention_heads"]),
        "eps": float(config.get("layer_norm_eps", 1e-12)),
        "word": _memmap_tensor(weights_path, _WORD_EMBEDDINGS),  # only the rows used get read
        "emb": embeddings,
        "layers": layers,
        "erf": erf,
        "blas": _blas_controller(),
    }


def _blas_controller() -> Any:
    """threadpoolctl's controller, when installed (it comes with scikit-learn); else None."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _blas_threads(state: dict[str, Any], threads: int) -> Any:
    """Limit BLAS to ``threads`` while a query is embedded.

    The matrices of one short query are tiny; with the cores busy, OpenBLAS's thread pool
    costs far more than it saves (about 40x slower on a busy 2-core machine).
    """
    controller = state["blas"]
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=threads, user_api="blas")


def _forward(state: dict[str, Any], ids: np.ndarray) -> np.ndarray:
    """Last hidden states [len(ids), hidden] of BertModel for one unpadded sequence."""
    eps, heads, erf = state["eps"], state["heads"], state["erf"]
    emb = state["emb"]
    n = len(ids)
    x = np.asarray(state["word"][ids], dtype=np.float32) + emb["pos"][:n] + emb["type0"]
    x = _layer_norm(x, *emb["ln"], eps)
    hidden = x.shape[1]
    d = hidden // heads
    scale = np.float32(1.0 / np.sqrt(d))
    for layer in state["layers"]:
        q = (x @ layer["q"][0] + layer["q"][1]).reshape(n, heads, d).transpose(1, 0, 2)
        k = (x @ layer["k"][0] + layer["k"][1]).reshape(n, heads, d).transpose(1, 2, 0)
        v = (x @ layer["v"][0] + layer["v"][1]).reshape(n, heads, d).transpose(1, 0, 2)
        scores = (q @ k) * scale  # [heads, n, n]
        scores -= scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
        x = _layer_norm(context @ layer["ao"][0] + layer["ao"][1] + x, *layer["aln"], eps)
        h = x @ layer["fi"][0] + layer["fi"][1]
        h = 0.5 * h * (1.0 + erf(h * np.float32(0.7071067811865476)))
        x = _layer_norm(h @ layer["fo"][0] + layer["fo"][1] + x, *layer["oln"], eps)
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + np.float32(eps)) * weight + bias


def _memmap_tensor(path: Path, name: str) -> np.ndarray:
    """A read-only memory map of one tensor in a safetensors file (8-byte header size, JSON header)."""
    with open(path, "rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_len))
    info = header[name]
    dtype = _NP_DTYPES.get(info["dtype"])
    if dtype is None:
        raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
    start, end = info["data_offsets"]
    shape = tuple(info["shape"])
    array = np.memmap(path, dtype=dtype, mode="r", offset=8 + header_len + start, shape=shape)
    if array.nbytes != end - start:
        raise ValueError(f"{path}: tensor {name} has inconsistent size")
    return array


def _read_json(path: Path, missing_ok: bool = False) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise
