"""The Milvus store against a real Milvus Lite server (started by `.ci/run`, whose URI comes in
RAG_TEST_MILVUS_URI, or here when that is unset), with a fake embedder over seed files:
the same rankings as the in-process store, incremental updates, deletes, filters, a
restart with the data kept, and a server that is down."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from embeddings.fake import FakeEmbedder
from rag.assistant import Assistant
from rag.errors import StoreError
from rag.filters import Filters
from rag.settings import Settings

pytestmark = pytest.mark.slow
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
QUESTIONS = [
    "福建2017年力争与哪些国家缔结省级友城？",
    "湖南“十二五”期间国际友城数量达到多少对？",
    "舟山的规划提出培养多少名外语人才？",
    "What did Xiamen plan for its sister cities in 2020?",
    "江西省外事工作的重点有哪些？",
]


def _assistants(docs: Path, index_dir: Path, uri: str, collection: str, embedder=None) -> tuple[Assistant, Assistant]:
    embedder = embedder or FakeEmbedder(64)
    base = Settings.from_env(docs_dir=docs, index_dir=index_dir, mode="extractive", store="faiss")
    local = Assistant(base, embedder=embedder)
    local.warm_up()
    remote = Assistant(base.replace(store="milvus", milvus_uri=uri, milvus_collection=collection), embedder=embedder)
    remote.warm_up()
    return local, remote


def _ranked(assistant: Assistant, question: str, filters=None) -> list[tuple[str, int, float]]:
    hits = assistant.retriever.search(question, 10, filters).hits
    return [(h.paragraph.doc, h.paragraph.number, round(h.score, 6)) for h in hits]


@pytest.fixture(scope="module")
def pair(milvus_uri, tmp_path_factory):
    return _assistants(SEEDS, tmp_path_factory.mktemp("milvus") / "idx", milvus_uri, "test_seeds")


def test_same_rankings_and_answers_as_the_local_store(pair):
    local, remote = pair
    assert remote.retriever.store.name == "milvus" and local.retriever.store.name == "faiss"
    for q in QUESTIONS:
        assert _ranked(remote, q) == _ranked(local, q), q
        a, b = local.answer(q), remote.answer(q)
        assert (b.text, b.found) == (a.text, a.found), q


def test_the_reader_gets_exact_sentence_cosines(pair):
    local, remote = pair
    q = QUESTIONS[0]
    ra, rb = local.retriever.search(q, 10), remote.retriever.search(q, 10)
    rows = [s for h in rb.hits for s in remote.retriever.sentences_of[
        remote.retriever.position[(h.paragraph.doc, h.paragraph.number)]]]
    assert rows and np.allclose(rb.sentence_scores[rows], ra.sentence_scores[rows], atol=1e-5)


@pytest.mark.parametrize("filters", [
    {"documents": ["003"]}, {"regions": ["福建", "江西"]}, {"years": [2019]},
    {"documents": ["001_e49b38aa90ff4ecd.txt"], "years": [2020]},
])
def test_filters_run_on_the_server_with_the_same_result(pair, filters):
    local, remote = pair
    f = Filters.coerce(filters)
    for q in QUESTIONS[:3]:
        got = _ranked(remote, q, f)
        assert got == _ranked(local, q, f)
        assert got and all(f.allows(remote.retriever.documents[doc]) for doc, _, _ in got)


def test_reopening_inserts_nothing(pair):
    _, remote = pair
    assert remote.retriever.store.sync() == {"chunks": (0, 0), "sentences": (0, 0), "paragraphs": (0, 0)}


def test_added_and_removed_documents_change_only_their_rows(milvus_uri, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in sorted(os.listdir(SEEDS))[:2]:
        shutil.copy(SEEDS / name, docs / name)
    _, remote = _assistants(docs, tmp_path / "idx", milvus_uri, "test_update")
    first = remote.retriever.store.last_sync
    assert first["chunks"][0] == len(remote.index.chunks) and first["sentences"][0] == len(remote.index.sentences)

    added = sorted(os.listdir(SEEDS))[2]
    remote.add_documents([SEEDS / added])
    store = remote.retriever.store
    new_chunks = sum(1 for c in remote.index.chunks if c.doc == added)
    new_sentences = sum(1 for s in remote.index.sentences if s.doc == added)
    assert store.last_sync["chunks"] == (new_chunks, 0)
    assert store.last_sync["sentences"] == (new_sentences, 0)
    assert any(h.paragraph.doc == added for h in remote.retriever.search("湖南“十二五”期间国际友城", 5).hits)

    remote.remove_document(added)
    store = remote.retriever.store
    assert store.last_sync["chunks"] == (0, new_chunks) and store.last_sync["sentences"] == (0, new_sentences)
    assert all(h.paragraph.doc != added for h in remote.retriever.search("湖南“十二五”期间国际友城", 10).hits)
    store.drop()


def test_another_embedder_rebuilds_the_collections(milvus_uri, tmp_path):
    _, remote = _assistants(SEEDS, tmp_path / "a", milvus_uri, "test_model", FakeEmbedder(32))
    _, other = _assistants(SEEDS, tmp_path / "b", milvus_uri, "test_model", FakeEmbedder(48))
    assert other.retriever.store.last_sync["chunks"] == (len(other.index.chunks), 0)  # fresh, not mixed
    assert _ranked(other, QUESTIONS[0])
    other.retriever.store.drop()


def test_a_restarted_server_keeps_the_data(tmp_path):
    from rag import milvus_lite

    data = tmp_path / "milvus-data"
    server = milvus_lite.start(data_dir=data)
    try:
        local, remote = _assistants(SEEDS, tmp_path / "idx", server.uri, "test_restart")
        before = _ranked(remote, QUESTIONS[1])
    finally:
        server.stop()
    server = milvus_lite.start(data_dir=data)
    try:
        again = Assistant(remote.settings.replace(milvus_uri=server.uri), embedder=remote.embedder)
        again.warm_up()
        assert again.retriever.store.last_sync == {"chunks": (0, 0), "sentences": (0, 0), "paragraphs": (0, 0)}
        assert _ranked(again, QUESTIONS[1]) == before == _ranked(local, QUESTIONS[1])
    finally:
        server.stop()


def test_a_server_that_is_down_is_named_and_loses_nothing(tmp_path):
    from rag import milvus_lite

    uri = f"http://127.0.0.1:{milvus_lite.free_port()}"
    base = Settings.from_env(docs_dir=SEEDS, index_dir=tmp_path / "idx", mode="extractive")
    remote = Assistant(base.replace(store="milvus", milvus_uri=uri, milvus_token="s3cret-token"),
                       embedder=FakeEmbedder(64))
    with pytest.raises(StoreError) as caught:
        remote.warm_up()
    assert uri in str(caught.value) and "s3cret-token" not in str(caught.value)
    assert "s3cret-token" not in repr(remote.settings)
    local = Assistant(base, embedder=FakeEmbedder(64))  # the index built before the failure serves
    assert local.answer(QUESTIONS[1]).citations


def test_the_langchain_retriever_gives_the_same_documents_on_both_stores(pair):
    local, remote = pair
    a = local.langchain_retriever(k=4).invoke(QUESTIONS[0])
    b = remote.langchain_retriever(k=4).invoke(QUESTIONS[0])
    assert [d.metadata["paragraph"] for d in a] == [d.metadata["paragraph"] for d in b] and len(a) == 4
    assert {d.metadata["store"] for d in b} == {"milvus"}
    assert a[0].page_content == local.retriever.search(QUESTIONS[0], 4).hits[0].paragraph.text
    only = remote.langchain_retriever().invoke(QUESTIONS[0], filters={"regions": ["江西"]})
    assert only and {d.metadata["region"] for d in only} == {"江西"}
