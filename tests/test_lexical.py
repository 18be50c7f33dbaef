"""The Chinese BM25 tokenizer and the BM25 index, on small inline texts."""

from __future__ import annotations

import numpy as np
import pytest

from rag.lexical import BM25, STOPWORDS, tokenize

CORPUS = [
    "福建省推动与金砖国家友城领导互访，深化金砖合作。",
    "厦门市承办金砖峰会，做好金砖会晤服务保障。",
    "江西省与墨西哥金塔那罗奥州签署建立友好省州关系意向书。",
    "厦门市重新修订APEC商务旅行卡实施细则，惠及更多企业。",
]


@pytest.fixture(scope="module")
def bm25() -> BM25:
    return BM25.build([tokenize(d) for d in CORPUS])


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("签订105个总投资额达105.8亿美元的项目", "105.8亿美元"),
        ("将 80% 以上的因公出国资源配置给企业", "80%"),
        ("用好 53 国 144 小时过境免签政策", "144小时"),
        ("全年共接待外宾205批次", "205批次"),
        ("省级友好城市达到18对以上", "18对"),
        ("ＡＰＥＣ　１４４小时", "144小时"),  # full-width forms are folded
    ],
)
def test_numbers_keep_their_units_and_decimals(text: str, token: str) -> None:
    assert token in tokenize(text)


def test_a_decimal_is_not_split_at_its_point() -> None:
    tokens = tokenize("总投资额达105.8亿美元")
    assert "105.8" in tokens or "105.8亿美元" in tokens
    assert "8亿美元" not in tokens and "105亿美元" not in tokens


@pytest.mark.parametrize("text", ["重新修订 APEC 商务旅行卡", "重新修订APEC商务旅行卡", "ＡＰＥＣ商务旅行卡"])
def test_latin_tokens_are_lower_cased(text: str) -> None:
    tokens = tokenize(text)
    assert "apec" in tokens
    assert "APEC" not in tokens


@pytest.mark.parametrize("text", ["友好城市", "国际友好城市", "与更多国家缔结友好城市关系"])
def test_friendly_cities_are_also_their_abbreviation(text: str) -> None:
    assert "友城" in tokenize(text)
    assert "友城" in tokenize("扩大友城结好覆盖面")


def test_abbreviation_when_segmentation_splits_the_full_form() -> None:
    assert "友城" in tokenize("优化友好城市布局")


def test_variant_spellings_of_a_transliterated_name_share_bigrams() -> None:
    a = {t for t in tokenize("开拓了与墨西哥金塔纳罗奥州的友好交往") if t.startswith("#")}
    b = {t for t in tokenize("开拓了与墨西哥金塔那罗奥州的友好交往") if t.startswith("#")}
    assert a & b
    # Known words get no bigrams: the bigrams are for the unsure stretch only.
    assert not any(t.startswith("#") for t in tokenize("加强友好城市交流合作"))


@pytest.mark.parametrize("word", ["哪些", "多少", "什么", "如何", "是否", "请问", "哪个", "怎么"])
def test_question_words_are_dropped(word: str) -> None:
    tokens = tokenize(f"请问{word}国家参加了金砖会晤？")
    assert word not in tokens
    assert "金砖" in tokens and "会晤" in tokens
    assert word in STOPWORDS or word not in tokenize(word)


def test_punctuation_and_empty_text_give_no_tokens() -> None:
    assert tokenize("") == []
    assert tokenize("。，；？！“”《》") == []


def test_questions_and_passages_tokenize_alike() -> None:
    passage = set(tokenize(CORPUS[3]))
    question = set(tokenize("厦门修订了APEC商务旅行卡的什么细则？"))
    assert {"apec", "商务旅行", "细则", "修订"} <= question & passage


def test_exact_rare_term_ranks_first(bm25: BM25) -> None:
    scores = bm25.scores(tokenize("APEC商务旅行卡怎么办理？"))
    assert scores.shape == (4,)
    assert int(np.argmax(scores)) == 3
    assert scores[3] > 0 and np.all(scores[:3] == 0)


def test_variant_spelling_finds_the_document(bm25: BM25) -> None:
    scores = bm25.scores(tokenize("金塔纳罗奥州"))
    assert int(np.argmax(scores)) == 2 and scores[2] > 0


def test_abbreviation_matches_the_full_form(bm25: BM25) -> None:
    scores = bm25.scores(tokenize("与哪些国家发展友好城市关系？"))
    assert scores[0] > 0  # the document says 友城


def test_repeated_term_and_shorter_document_rank_higher(bm25: BM25) -> None:
    scores = bm25.scores(tokenize("金砖"))
    assert scores[0] > 0 and scores[1] > 0 and scores[2] == scores[3] == 0
    # A rarer term weighs more than a common one.
    common = bm25.idf[bm25.vocabulary["金砖"]]
    rare = bm25.idf[bm25.vocabulary["apec"]]
    assert rare > common


def test_bm25_score_by_hand() -> None:
    docs = [["a", "b"], ["a", "a", "c", "d"]]
    index = BM25.build(docs, k1=1.2, b=0.75)
    avg = 3.0
    idf_a = np.log(1 + (2 - 2 + 0.5) / (2 + 0.5))
    idf_b = np.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
    expected_0 = idf_a * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / avg)) + idf_b * 1 * 2.2 / (
        1 + 1.2 * (0.25 + 0.75 * 2 / avg)
    )
    expected_1 = idf_a * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 4 / avg))
    assert index.scores(["a", "b"]) == pytest.approx([expected_0, expected_1], rel=1e-5)
    assert index.scores(["zzz"]).tolist() == [0.0, 0.0]
    assert index.scores([]).tolist() == [0.0, 0.0]


def test_coverage(bm25: BM25) -> None:
    assert bm25.coverage([]) == 0.0
    assert bm25.coverage(["金砖", "apec"]) == 1.0
    assert bm25.coverage(["金砖", "不存在的词"]) == 0.5
    assert bm25.coverage(["金砖", "金砖", "不存在的词"]) == 0.5  # distinct tokens
    assert bm25.coverage(["不存在的词"]) == 0.0


def test_empty_collection() -> None:
    index = BM25.build([])
    assert index.scores(tokenize("金砖")).shape == (0,)
    assert index.coverage(["金砖"]) == 0.0
