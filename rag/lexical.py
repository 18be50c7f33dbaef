"""Chinese-aware BM25: jieba search-mode words, numbers with units, Latin tokens,
abbreviations (友好城市 -> 友城), and character bigrams where segmentation is unsure."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.text import fold

_NUMBER_UNIT_RE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|‰|亿美元|万美元|亿元|万元|美元|元|亿|万|千|百|个|对|批次|批|人次|名|人|家|项|次|"
    r"小时|天|周年|年|月|日|届|国|所|场|期|座|位|余|倍|条|件|套|部|篇|期|所|场)"
)
_LATIN_RE = re.compile(r"[a-z][a-z0-9+\-.]*[a-z0-9+]|[a-z]")
_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff]+")
_WORD_RE = re.compile(r"[\w%‰.]+")
# Function words and question words carry no topic; questions are full of them.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 为 对 将 把 被 从 向 以 于 之 其 也 都 而 并 等 中 上 下 个 有 这 那 该 此 "
    "哪些 哪个 哪 什么 多少 几 几个 如何 怎么 怎样 吗 呢 吧 谁 何时 何 哪里 哪儿 是否 请问 一下 "
    "年 月 日 提到 提出 文件 文中 根据 关于 要求 方面 哪一年 什么样 有关 我 我们 你 他 她 它 们 分别 各自 哪座 哪几".split()
)


def _segment(text: str) -> list[str]:
    import rjieba  # a Rust extension: fast to import, no cache files

    return rjieba.cut_for_search(text)


def _is_word(token: str) -> bool:
    import rjieba

    return rjieba.has_word(token)


def tokenize(text: str) -> list[str]:
    """Tokens for BM25, from a question or a passage alike."""
    norm = unicodedata.normalize("NFKC", fold(text)).lower()
    tokens: list[str] = []
    for token in _segment(norm):
        token = token.strip()
        if not token or not _WORD_RE.fullmatch(token) or token in STOPWORDS:
            continue
        tokens.append(token)
    tokens.extend(_abbreviations(norm))
    seen = set(tokens)
    for m in _NUMBER_UNIT_RE.finditer(norm):
        if m.group(0).replace(" ", "") not in seen:
            tokens.append(m.group(0).replace(" ", ""))
    tokens.extend(t for t in _LATIN_RE.findall(norm) if t not in seen)
    tokens.extend(_unsure_bigrams(norm))
    return tokens


def _abbreviations(text: str) -> list[str]:
    """Chinese abbreviations take the first character of each word: 友好城市 -> 友城.

    Every four-character dictionary word made of two two-character words yields one,
    wherever the segmenter happened to cut the text around it.
    """
    out: list[str] = []
    for run in _CJK_RUN_RE.findall(text):
        for i in range(len(run) - 3):
            w = run[i : i + 4]
            if _is_word(w) and _is_word(w[:2]) and _is_word(w[2:]):
                out.append(w[0] + w[2])
    return out


def _unsure_bigrams(text: str) -> list[str]:
    """Character bigrams over stretches that segment into single characters or unknown
    words (transliterated names such as 金塔纳罗奥州), so variant spellings still match."""
    import rjieba

    out: list[str] = []
    for run in _CJK_RUN_RE.findall(text):
        stretch = ""
        for word in rjieba.cut(run) + [""]:
            if word and (len(word) == 1 or not _is_word(word)):
                stretch += word
                continue
            if len(stretch) >= 3:
                out.extend("#" + stretch[i : i + 2] for i in range(len(stretch) - 1))
            stretch = ""
    return out


_LENGTH_STEP = 1.02


def rounded_mean_length(documents: Sequence[Sequence[str]]) -> float:
    """The documents' mean length on a 2% grid: adding or removing a few documents usually
    keeps it, so stored BM25 weights need rewriting only when the corpus changes a lot."""
    mean = sum(len(d) for d in documents) / len(documents) if documents else 1.0
    return float(_LENGTH_STEP ** round(math.log(max(mean, 1.0)) / math.log(_LENGTH_STEP)))


@dataclass(frozen=True)
class BM25:
    """Okapi BM25 over pre-tokenised documents, as sparse postings in numpy arrays."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    postings: tuple[np.ndarray, ...]  # per term: document ids
    weights: tuple[np.ndarray, ...]  # per term: BM25 term weight in each of those documents
    size: int
    avgdl: float = 1.0  # the mean length the weights were normalised by

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75,
              avgdl: float | None = None) -> "BM25":
        """``avgdl`` fixes the mean length (the corpus's own by default), so that weights
        stored elsewhere (a Milvus store) stay comparable while the corpus changes a little."""
        n = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        avg = avgdl if avgdl is not None else float(lengths.mean()) if n else 1.0
        vocabulary: dict[str, int] = {}
        docs_of: list[list[int]] = []
        tf_of: list[list[int]] = []
        for i, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                t = vocabulary.setdefault(term, len(vocabulary))
                if t == len(docs_of):
                    docs_of.append([])
                    tf_of.append([])
                docs_of[t].append(i)
                tf_of[t].append(tf)
        df = np.array([len(d) for d in docs_of], dtype=np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        postings, weights = [], []
        for ids, tfs in zip(docs_of, tf_of):
            ids_a = np.array(ids, dtype=np.int32)
            tf_a = np.array(tfs, dtype=np.float32)
            norm = k1 * (1 - b + b * lengths[ids_a] / max(avg, 1e-9))
            postings.append(ids_a)
            weights.append((tf_a * (k1 + 1) / (tf_a + norm)).astype(np.float32))
        return cls(vocabulary, idf, tuple(postings), tuple(weights), n, avg)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query (zeros where nothing matches)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, qtf in Counter(query_tokens).items():
            t = self.vocabulary.get(term)
            if t is not None:
                out[self.postings[t]] += self.idf[t] * self.weights[t] * (1.0 + math.log(qtf))
        return out

    def coverage(self, query_tokens: Sequence[str]) -> float:
        """Share of the query's distinct tokens that occur in the collection at all."""
        distinct = set(query_tokens)
        if not distinct:
            return 0.0
        return sum(1 for t in distinct if t in self.vocabulary) / len(distinct)
