"""The store contract without a server: the Milvus filter expressions, the store setting,
and the sparse BM25 weights whose inner product must equal the in-process BM25."""

from __future__ import annotations

from collections import Counter
import math

import numpy as np
import pytest

from rag.errors import SettingsError
from rag.filters import Filters
from rag.lexical import BM25, tokenize
from rag.settings import Settings


def test_filter_expressions():
    assert Filters().expression() == ""
    assert Filters(regions=("福建", "江西")).expression() == 'region in ["福建", "江西"]'
    assert Filters(years=(2019, 2020)).expression() == "array_contains_any(years, [2019, 2020])"
    e = Filters(documents=("003",), years=(2017,)).expression()
    assert e == '(doc == "003" or doc like "003%") and array_contains_any(years, [2017])'


def test_filter_expressions_escape_quotes_and_wildcards():
    e = Filters(documents=('a"b_c%',)).expression()
    assert e == '(doc == "a\\"b_c%" or doc like "a\\"b\\\\_c\\\\%%")'


def test_store_setting_lists_the_valid_stores():
    assert Settings.from_env({}).store == "faiss"
    assert Settings.from_env({"RAG_STORE": "milvus"}).store == "milvus"
    with pytest.raises(SettingsError, match="faiss, milvus"):
        Settings.from_env({"RAG_STORE": "qdrant"})


def test_milvus_token_stays_out_of_reprs():
    from rag.milvus import MilvusConfig

    s = Settings.from_env({"RAG_MILVUS_TOKEN": "root:Milvus-secret"})
    assert "Milvus-secret" not in repr(s)
    assert "Milvus-secret" not in repr(MilvusConfig.from_settings(s))


def test_sparse_weights_reproduce_bm25_scores():
    """Doc-side weights (as stored on the server) dotted with IDF-carrying query weights give
    the BM25 scores of rag.lexical exactly, when the mean length is the corpus's own."""
    from rag.milvus import _weights, term_id

    texts = ["厦门与宿务缔结友好城市关系", "接待外宾205批次", "全年举办国际会议12场，接待外宾3000人次",
             "推进友好城市交流合作，新增友城3对"]
    tokens = tuple(tuple(tokenize(t)) for t in texts)
    bm25 = BM25.build(tokens)
    avgdl = sum(len(t) for t in tokens) / len(tokens)
    weights = [_weights(t, avgdl) for t in tokens]
    for question in ["友好城市 外宾", "接待外宾多少批次", "国际会议"]:
        q_tokens = tokenize(question)
        query: dict[int, float] = {}
        for term, qtf in Counter(q_tokens).items():
            t = bm25.vocabulary.get(term)
            if t is not None:
                query[term_id(term)] = float(bm25.idf[t]) * (1.0 + math.log(qtf))
        sparse = np.array([sum(w.get(k, 0.0) * v for k, v in query.items()) for w in weights], dtype=np.float32)
        assert np.allclose(sparse, bm25.scores(q_tokens), atol=1e-5), question
