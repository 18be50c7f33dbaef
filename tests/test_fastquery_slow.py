"""The numpy query encoder against the sentence-transformers model it stands in for."""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.factory import load_embedder
from embeddings.fastquery import FastQueryEncoder
from embeddings.sentence import SentenceTransformerEmbedder
from rag.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
LONG_QUERY = "福建省外办2017年工作要点：深耕海丝合作，推进闽港澳青少年交流。" * 29  # ~600 tokens

QUERIES = [
    "福建省外办2017年的工作总体思路是什么？",
    "福建省外办2017年的工作总体思路是什么?",
    "第九次金砖峰会的举办地在哪？",
    "福建如何深耕海丝合作？",
    "闽港闽澳合作会议要召开第几次会议？",
    "厦门把多少因公出国资源配置给企业？",
    "湖南十二五期间出访的高级别团组有几批？",
    "江西一共结下几对国际友城？",
    "第三届华赣会有多少赣商赣才参加？",
    "如何加强党对外事工作的集中统一领导？",
    "“十三五”时期（2016—2020年）的目标",
    "\"十三五\"时期(2016-2020年)的目标",
    "１～３月全省外事工作：完成率１００％。",
    "1~3月全省外事工作:完成率100%。",
    "闽政外秘〔2017〕11号",
    "全省累计与35个国家缔结91对国际友好城市（省级20对）",
    "签订105个总投资额达105.8亿美元的项目",
    "2019年工作总结及2020年工作计划",
    "How many sister cities does Jiangxi province have?",
    "The BRICS summit was held in Xiamen in September 2017.",
    "Foreign affairs office work plan for 2020",
    "What did Fujian plan for the Maritime Silk Road?",
    "VR（虚拟现实）产业基地在哪里？",
    "CEPA：关于建立更紧密经贸关系的安排",
    "16+1机制、中非合作论坛等平台",
    "Jiangxi 侨梦苑 industrial base 是什么？",
    "厦门 foreign affairs office 机构改革",
    "第一行\n第二行\t制表符　全角空格",
    "多个   空格   之间",
    "零宽\u200b空格和\ufeffBOM",
    "日本語のテキストも少し混ざっている",
    "한국 전라남도와 협력",
    "emoji 🎉 与 符号 ★☆",
    "ＡＢＣ全角字母ａｂｃ",
    "「引号」『书名号』【方括号】",
    "《江西省华侨权益保护条例》立法工作",
    "外事",
    "a",
    "。",
    "",
    LONG_QUERY,
]


@pytest.fixture(scope="module")
def st_embedder() -> SentenceTransformerEmbedder:
    embedder = load_embedder(Settings.from_env())
    assert isinstance(embedder, SentenceTransformerEmbedder)
    embedder.warm_up()  # the full sentence-transformers model
    assert embedder.loaded
    return embedder


@pytest.fixture(scope="module")
def fast(st_embedder) -> FastQueryEncoder:
    encoder = FastQueryEncoder(st_embedder.model_name_or_path)
    encoder.load()
    return encoder


def test_long_query_exceeds_the_window(fast):
    assert 580 < fast.count_tokens([LONG_QUERY])[0] < 650


def test_fast_encoder_matches_sentence_transformers(st_embedder, fast):
    reference = st_embedder.embed_batch(QUERIES, "query")
    vectors = fast.encode(QUERIES)
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(vectors * reference, axis=1)
    print(f"\nfast vs sentence-transformers over {len(QUERIES)} queries: "
          f"min {cosines.min():.7f}, median {statistics.median(cosines):.7f}")
    worst = {QUERIES[i][:40]: float(cosines[i]) for i in np.argsort(cosines)[:3]}
    assert cosines.min() >= 0.9999, worst


def test_embedder_uses_fast_path_until_the_model_loads(st_embedder, fast, caplog):
    embedder = load_embedder(Settings.from_env())
    embedder.warm_up(kind="query")
    assert not embedder.loaded
    with caplog.at_level(logging.WARNING, logger="embeddings"):
        vectors = embedder.embed_batch(["福建如何深耕海丝合作？", LONG_QUERY], "query")
    assert not embedder.loaded
    assert any("exceeds the 512-token window" in r.getMessage() for r in caplog.records)
    reference = st_embedder.embed_batch(["福建如何深耕海丝合作？", LONG_QUERY], "query")
    assert np.sum(vectors * reference, axis=1).min() >= 0.9999
    assert embedder.fingerprint == st_embedder.fingerprint


def test_fresh_process_imports_neither_torch_nor_sentence_transformers(st_embedder):
    script = f"""
import json, sys, time
start = time.perf_counter()
from embeddings.fastquery import FastQueryEncoder
encoder = FastQueryEncoder({st_embedder.model_name_or_path!r})
vector = encoder.encode(["福建省外办2017年的工作总体思路是什么？"])[0]
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "norm": float((vector * vector).sum()),
                   "torch": "torch" in sys.modules,
                   "sentence_transformers": "sentence_transformers" in sys.modules,
                   "transformers": "transformers" in sys.modules}}))
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True, timeout=120)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nfresh process, import + load + one query: {result['seconds']:.2f} s")
    assert not result["torch"] and not result["sentence_transformers"] and not result["transformers"]
    assert abs(result["norm"] - 1.0) < 1e-5
