"""The persisted index: built once, reused, updated by re-embedding only what changed,
rebuilt when damaged or made by another embedder, and never left half-written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from embeddings.base import Kind
from embeddings.fake import FakeEmbedder
from rag import store
from rag.chunking import chunk_document
from rag.corpus import Corpus, load_corpus
from rag.index import StoredIndex, corpus_sentences, open_index, sentence_key

MAX_CHARS = 120

DOCS = {
    "a.txt": (
        "福建省外事办公室2017年工作要点\n\n"
        "一、拓展对外交往渠道\n\n"
        "（一）服务金砖。全力做好金砖会晤各项筹备工作。邀请金砖国家记者来闽采访。\n\n"
        "（二）深耕海丝。推动我省港口与东盟港口加强合作。\n"
    ),
    "b.txt": (
        "厦门市外事办公室2020年工作计划\n\n"
        "一、主要工作\n\n"
        "（一）提高站位，谋篇布局。做好外事工作十三五总结。谋划十四五规划。\n\n"
        "（二）统筹管理，服务发展。推动厦门3家世界500强企业申请外事审批权。\n"
    ),
    "c.txt": (
        "舟山市外事侨务发展规划\n\n"
        "一、奋斗目标\n\n"
        "力争在十三五期间新建国际友城10对。五年内培养100名优秀外语人才。\n"
    ),
}


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, remembering every text it was asked to embed."""

    def __init__(self, dimension: int = 32, seed: int = 0) -> None:
        super().__init__(dimension, seed)
        self.texts: list[str] = []

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        self.texts.extend(texts)
        return super().embed_batch(texts, kind)


class FailingEmbedder(FakeEmbedder):
    """Embeds ``good`` batches, then raises: a model that dies halfway through a build."""

    def __init__(self, good: int = 0) -> None:
        super().__init__(32)
        self.good = good

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if self.good <= 0:
            raise RuntimeError("model crashed")
        self.good -= 1
        return super().embed_batch(texts, kind)


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, "utf-8")
    return folder


@pytest.fixture()
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


def wanted_texts(corpus: Corpus) -> dict[str, str]:
    """Every text an index of ``corpus`` holds a vector for, by its key."""
    chunks = [c for d in corpus.documents for c in chunk_document(d, MAX_CHARS)]
    return {c.id: c.embed_text for c in chunks} | {sentence_key(s): s.text for s in corpus_sentences(corpus.documents)}


def open_(folder: Path, embedder: FakeEmbedder, directory: Path):
    return open_index(load_corpus(folder), embedder, directory, MAX_CHARS)


def leftovers(directory: Path) -> list[str]:
    """Temporary or old index directories next to ``directory``."""
    return sorted(p.name for p in directory.parent.iterdir() if p.name.startswith("." + directory.name)
                  or p.name == directory.name + ".old")


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def check_consistent(index: StoredIndex, corpus: Corpus, embedder: FakeEmbedder) -> None:
    """The index holds the corpus, and each vector is the embedding of its own text."""
    assert index.documents == corpus.documents
    chunks = [c for d in corpus.documents for c in chunk_document(d, MAX_CHARS)]
    assert list(index.chunks) == chunks
    assert index.chunk_index.ntotal == len(chunks)
    stored = np.stack([index.chunk_index.reconstruct(i) for i in range(len(chunks))])
    assert np.allclose(stored, embedder.embed_documents([c.embed_text for c in chunks]))
    assert list(index.sentences) == corpus_sentences(corpus.documents)
    assert np.allclose(index.sentence_vectors, embedder.embed_documents([s.text for s in index.sentences]))
    assert index.manifest.counts == {
        "documents": len(corpus.documents), "chunks": len(chunks), "sentences": len(index.sentences),
    }


def test_first_open_builds_and_second_reuses(docs: Path, index_dir: Path) -> None:
    embedder = CountingEmbedder()
    index, report = open_(docs, embedder, index_dir)
    corpus = load_corpus(docs)
    assert report is not None and report.reason == "no index yet"
    wanted = wanted_texts(corpus)
    assert report.embedded == len(wanted) and report.reused == 0
    assert sorted(embedder.texts) == sorted(wanted.values())
    check_consistent(index, corpus, embedder)
    assert index.manifest.model_id == "fake" and index.manifest.dimension == 32
    assert index.manifest.documents == {d.name: d.fingerprint for d in corpus.documents}

    embedder.texts.clear()
    again, report = open_(docs, embedder, index_dir)
    assert report is None
    assert embedder.texts == []
    assert again.chunks == index.chunks


def test_editing_a_document_re_embeds_only_what_changed(docs: Path, index_dir: Path) -> None:
    embedder = CountingEmbedder()
    open_(docs, embedder, index_dir)
    before = wanted_texts(load_corpus(docs))
    path = docs / "b.txt"
    path.write_text(path.read_text("utf-8").replace("谋划十四五规划。", "编制十四五外事规划。"), "utf-8")
    embedder.texts.clear()

    index, report = open_(docs, embedder, index_dir)
    assert report is not None
    assert "b.txt" in report.reason and "changed" in report.reason
    assert "a.txt" not in report.reason and "c.txt" not in report.reason
    after = wanted_texts(load_corpus(docs))
    new = {key: text for key, text in after.items() if key not in before}
    # One chunk (the edited paragraph's) and one sentence are new; the rest are reused.
    assert len(new) == 2
    assert report.embedded == 2 and report.reused == len(after) - 2
    assert sorted(embedder.texts) == sorted(new.values())
    assert "编制十四五外事规划。" in embedder.texts
    check_consistent(index, load_corpus(docs), embedder)
    # Vectors no longer wanted are not carried along.
    assert set(json.loads((index_dir / "vector_keys.json").read_text("utf-8"))) == set(after)


def test_adding_and_removing_documents(docs: Path, index_dir: Path) -> None:
    embedder = CountingEmbedder()
    open_(docs, embedder, index_dir)
    (docs / "c.txt").unlink()
    embedder.texts.clear()
    index, report = open_(docs, embedder, index_dir)
    assert report is not None and "removed: c.txt" in report.reason
    assert report.embedded == 0 and embedder.texts == []
    assert {c.doc for c in index.chunks} == {"a.txt", "b.txt"}
    assert {s.doc for s in index.sentences} == {"a.txt", "b.txt"}
    assert [d.name for d in index.documents] == ["a.txt", "b.txt"]
    assert index.chunk_index.ntotal == len(index.chunks)

    (docs / "c.txt").write_text(DOCS["c.txt"], "utf-8")
    index, report = open_(docs, embedder, index_dir)
    assert report is not None and "added: c.txt" in report.reason
    assert report.embedded == len(wanted_texts(load_corpus(docs))) - report.reused > 0
    check_consistent(index, load_corpus(docs), embedder)


@pytest.mark.parametrize("other", [FakeEmbedder(48), FakeEmbedder(32, seed=7)], ids=["dimension", "seed"])
def test_another_embedder_forces_a_full_rebuild(docs: Path, index_dir: Path, other: FakeEmbedder) -> None:
    open_(docs, CountingEmbedder(), index_dir)
    index, report = open_(docs, other, index_dir)
    assert report is not None and "model" in report.reason
    assert f"{FakeEmbedder(32).fingerprint} -> {other.fingerprint}" in report.reason
    assert report.reused == 0 and report.embedded == len(wanted_texts(load_corpus(docs)))
    assert index.manifest.model_fingerprint == other.fingerprint
    assert index.manifest.dimension == other.dimension == index.sentence_vectors.shape[1]
    check_consistent(index, load_corpus(docs), other)


def test_another_chunk_size_rebuilds(docs: Path, index_dir: Path) -> None:
    open_(docs, CountingEmbedder(), index_dir)
    _, report = open_index(load_corpus(docs), CountingEmbedder(), index_dir, MAX_CHARS + 1)
    assert report is not None and "chunk size" in report.reason


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _scramble(path: Path) -> None:
    """Same size, altered bytes past the header: the file still loads."""
    data = bytearray(path.read_bytes())
    for i in range(160, len(data), 5):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("chunks.faiss", _truncate),
        ("vectors.npy", _truncate),
        ("vectors.npy", _scramble),
        ("chunks.jsonl", _truncate),
        ("vector_keys.json", lambda p: p.write_text("[]", "utf-8")),
        ("sentences.jsonl", lambda p: p.unlink()),
    ],
)
def test_a_damaged_file_is_detected_and_the_index_rebuilt(docs: Path, index_dir: Path, name: str, damage) -> None:
    embedder = CountingEmbedder()
    open_(docs, embedder, index_dir)
    damage(index_dir / name)
    index, report = open_(docs, embedder, index_dir)
    assert report is not None and name in report.reason
    # Whatever could have been reused, the vectors in the new index are the right ones.
    check_consistent(index, load_corpus(docs), embedder)
    if name.startswith("vector"):
        assert report.reused == 0  # damaged vectors are never reused
    _, report = open_(docs, embedder, index_dir)
    assert report is None


@pytest.mark.parametrize(
    "garbage",
    [b"{not json", b"\xff\xfe\x00\x01", b"[1, 2, 3]", b"null", b'{"format_version": 1}', b""],
)
def test_a_garbage_manifest_is_detected_and_the_index_rebuilt(docs: Path, index_dir: Path, garbage: bytes) -> None:
    embedder = CountingEmbedder()
    open_(docs, embedder, index_dir)
    (index_dir / "manifest.json").write_bytes(garbage)
    index, report = open_(docs, embedder, index_dir)
    assert report is not None and "manifest" in report.reason
    check_consistent(index, load_corpus(docs), embedder)


@pytest.mark.parametrize(
    ("field", "value"),
    [("checksums", []), ("documents", None), ("dimension", "32"), ("counts", "x"), ("format_version", True)],
)
def test_a_manifest_field_of_the_wrong_type_is_detected(docs: Path, index_dir: Path, field: str, value) -> None:
    embedder = CountingEmbedder()
    open_(docs, embedder, index_dir)
    path = index_dir / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data | {field: value}), "utf-8")
    index, report = open_(docs, embedder, index_dir)
    assert report is not None and field in report.reason
    check_consistent(index, load_corpus(docs), embedder)


def test_the_index_is_json_npy_and_faiss_never_pickle(docs: Path, index_dir: Path) -> None:
    open_(docs, CountingEmbedder(), index_dir)
    names = {p.name for p in index_dir.rglob("*")}
    assert names == {store.MANIFEST, *store.DATA_FILES}
    assert not [p for p in index_dir.parent.rglob("*") if p.suffix in {".pkl", ".pickle", ".joblib"}]
    vectors = np.load(index_dir / "vectors.npy", allow_pickle=False)
    assert vectors.dtype == np.float32
    manifest = json.loads((index_dir / store.MANIFEST).read_text("utf-8"))
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert set(manifest["checksums"]) == set(store.DATA_FILES)
    for name in ("documents.jsonl", "chunks.jsonl", "sentences.jsonl"):
        for line in (index_dir / name).read_text("utf-8").splitlines():
            json.loads(line)


def test_a_failing_embedder_leaves_the_previous_index_intact(docs: Path, index_dir: Path) -> None:
    open_(docs, CountingEmbedder(), index_dir)
    before = snapshot(index_dir)
    path = docs / "a.txt"
    original = path.read_text("utf-8")
    # Enough new text for several batches of 32; the second batch fails.
    new = "\n\n".join(f"新增工作第{i}项，内容编号{i}。" for i in range(1, 41))
    path.write_text(original + "\n" + new + "\n", "utf-8")
    with pytest.raises(RuntimeError, match="model crashed"):
        open_(docs, FailingEmbedder(good=1), index_dir)
    assert snapshot(index_dir) == before
    assert leftovers(index_dir) == []
    # The old index still opens for the old corpus, without a rebuild.
    path.write_text(original, "utf-8")
    _, report = open_(docs, CountingEmbedder(), index_dir)
    assert report is None


def test_a_failure_while_writing_leaves_no_temporary_directory(
    docs: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_(docs, CountingEmbedder(), index_dir)
    before = snapshot(index_dir)
    (docs / "c.txt").unlink()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "save_vectors", disk_full)
    with pytest.raises(OSError):
        open_(docs, CountingEmbedder(), index_dir)
    assert snapshot(index_dir) == before
    assert leftovers(index_dir) == []


def test_a_failed_first_build_leaves_nothing(docs: Path, index_dir: Path) -> None:
    with pytest.raises(RuntimeError):
        open_(docs, FailingEmbedder(), index_dir)
    assert not index_dir.exists()
    assert leftovers(index_dir) == []


_SLOW_BUILD = """
import sys, time
from pathlib import Path
from embeddings.fake import FakeEmbedder
from rag.corpus import load_corpus
from rag.index import open_index

class Slow(FakeEmbedder):
    def embed_documents(self, texts):
        print("embedding", flush=True)
        time.sleep(float(sys.argv[3]))
        return super().embed_documents(texts)

open_index(load_corpus(Path(sys.argv[1])), Slow(), Path(sys.argv[2]), 400)
print("built", flush=True)
"""


def _builder(docs: Path, index_dir: Path, pause: float):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-c", _SLOW_BUILD, str(docs), str(index_dir), str(pause)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parent.parent)


def test_an_indexer_killed_mid_build_leaves_the_previous_index_answering(docs: Path, index_dir: Path) -> None:
    import signal

    open_(docs, CountingEmbedder(), index_dir)
    before = snapshot(index_dir)
    (docs / "d.txt").write_text("新文件\n一、新内容\n（一）全年新增友好城市5对。", "utf-8")
    child = _builder(docs, index_dir, 30.0)
    assert child.stdout.readline().strip() == "embedding"  # it is inside the build now
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert snapshot(index_dir) == before  # the old index, whole
    index, report = open_(docs, CountingEmbedder(), index_dir)  # and the next open brings it up to date
    assert report is not None and "d.txt" in {d.name for d in index.documents}


def test_two_indexers_at_once_build_one_after_the_other(docs: Path, index_dir: Path) -> None:
    first = _builder(docs, index_dir, 1.5)
    assert first.stdout.readline().strip() == "embedding"
    second = _builder(docs, index_dir, 0.0)
    out, err = second.communicate(timeout=60)
    first.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0
    assert "being built by pid" in err and "waiting" in err  # the second said who held the lock
    assert "embedding" not in out and "built" in out  # and found the index built: it embedded nothing
