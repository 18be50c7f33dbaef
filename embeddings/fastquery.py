"""A numpy-only forward pass of the converted e5 model, for embedding a few short queries fast.

A cold process that only has to embed one query (``rag ask`` over a built index) would spend
most of its time importing sentence-transformers/torch and loading the model through
transformers. This module reads the same converted directory (see :mod:`embeddings.convert`)
with ``tokenizers``, ``safetensors`` and numpy only and computes the same vectors: BertModel
(post-LN, absolute positions from 0, token type 0; GELU in its tanh form, whose vectors are
within cosine 0.999999 of the erf form's and which numpy computes six times faster than
scipy's erf), mean pooling over all
tokens (prompt and special tokens included), L2 normalisation. Texts are embedded unpadded,
the dense layers over all of a batch's tokens at once and attention within each text, so no
padding or attention mask is needed. Documents should still go through
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
        limit = state["max_tokens"]
        # As the tokenizer's own truncation does: keep </s> at the end.
        ids = [enc.ids if len(enc.ids) <= limit else enc.ids[: limit - 1] + enc.ids[-1:] for enc in encodings]
        with _blas_threads(state, self.threads):
            # All texts in one pass: each weight matrix is read once for every token of the
            # batch (queries are short; reading the weights is what a query costs).
            hidden = _forward_many(state, [np.asarray(i, dtype=np.int64) for i in ids])
        at = 0
        for row, seq in enumerate(ids):
            vector = hidden[at: at + len(seq)].mean(axis=0)
            out[row] = vector / max(float(np.linalg.norm(vector)), 1e-12)
            at += len(seq)
        return out

    def _load(self) -> dict[str, Any]:
        if self._state is None:
            with self._lock:
                if self._state is None:
                    self._state = _load_state(self.model_dir, self._prompt)
        return self._state


def _load_state(model_dir: Path, prompt: str | None) -> dict[str, Any]:
    from safetensors import safe_open
    from tokenizers import Tokenizer

    config = _read_json(model_dir / "config.json")
    if config.get("hidden_act", "gelu") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
        raise ValueError(f"{model_dir}: only absolute positions and GELU are supported")
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
    return _forward_many(state, [ids])


def _forward_many(state: dict[str, Any], sequences: Sequence[np.ndarray]) -> np.ndarray:
    """Last hidden states of BertModel for unpadded sequences, their rows stacked in order
    [sum of lengths, hidden]: the dense layers run on all rows at once, attention within each
    sequence only (so no padding or mask is needed)."""
    eps, heads = state["eps"], state["heads"]
    emb = state["emb"]
    ids = np.concatenate(sequences)
    positions = np.concatenate([np.arange(len(s)) for s in sequences])
    x = np.asarray(state["word"][ids], dtype=np.float32) + emb["pos"][positions] + emb["type0"]
    x = _layer_norm(x, *emb["ln"], eps)
    total, hidden = x.shape
    d = hidden // heads
    scale = np.float32(1.0 / np.sqrt(d))
    bounds = np.cumsum([0] + [len(s) for s in sequences])
    for layer in state["layers"]:
        q_all = x @ layer["q"][0] + layer["q"][1]
        k_all = x @ layer["k"][0] + layer["k"][1]
        v_all = x @ layer["v"][0] + layer["v"][1]
        context = np.empty((total, hidden), dtype=np.float32)
        for a, b in zip(bounds[:-1], bounds[1:]):
            n = b - a
            q = q_all[a:b].reshape(n, heads, d).transpose(1, 0, 2)
            k = k_all[a:b].reshape(n, heads, d).transpose(1, 2, 0)
            v = v_all[a:b].reshape(n, heads, d).transpose(1, 0, 2)
            scores = (q @ k) * scale  # [heads, n, n]
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context[a:b] = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
        x = _layer_norm(context @ layer["ao"][0] + layer["ao"][1] + x, *layer["aln"], eps)
        h = x @ layer["fi"][0] + layer["fi"][1]
        h = 0.5 * h * (1.0 + np.tanh(np.float32(0.7978845608028654) * (h + np.float32(0.044715) * h * h * h)))
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
