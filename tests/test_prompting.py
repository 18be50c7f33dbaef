"""Prompt templates, passages and the growing output of a generative answer: fast, no model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rag.errors import ModelError
from rag.generative import Source, finished_part, list_items, load_template, novel, render_prompt
from rag.settings import PROJECT_ROOT
from rag.types import Claim, Sentence


def _source(doc: str, number: int, texts: list[str], indexes: list[int], section: str = "一、友城 › （二）结好") -> Source:
    sentences = tuple(Sentence(doc, number, i, 0, t) for i, t in zip(indexes, texts))
    return Source(doc, number, "福建省2017年工作要点", section, sentences, "".join(texts))


@pytest.mark.parametrize("english", [False, True])
def test_the_shipped_templates_load_as_a_conversation(english: bool) -> None:
    messages = load_template(PROJECT_ROOT / "prompts", english)
    roles = [r for r, _ in messages]
    assert roles[0] == "system" and roles[-1] == "user"
    assert "assistant" in roles  # the worked examples: one cited answer, one refusal
    assert "{passages}" in messages[-1][1] and "{question}" in messages[-1][1]
    refusal = "The documents do not contain" if english else "文件中没有找到"
    assert any(refusal in c for r, c in messages if r == "assistant")


def test_a_template_without_placeholders_is_refused(tmp_path: Path) -> None:
    (tmp_path / "answer_zh.txt").write_text("### system\n回答问题。\n### user\n{question}\n", "utf-8")
    with pytest.raises(ModelError, match="passages"):
        load_template(tmp_path, False)
    (tmp_path / "answer_zh.txt").write_text("no sections at all {passages} {question}", "utf-8")
    with pytest.raises(ModelError, match="sections"):
        load_template(tmp_path, False)
    with pytest.raises(ModelError, match="cannot read"):
        load_template(tmp_path, True)


def test_passages_are_numbered_with_their_document_in_few_tokens() -> None:
    template = load_template(PROJECT_ROOT / "prompts", False)
    sources = [
        replace(_source("000.txt", 11, ["力争与俄罗斯和印度缔结省级友城；"], [3]), tag="福建 2017"),
        _source("000.txt", 16, ["做好第20届全国地方友协工作交流会承办工作。", "继续开展百校结好。"], [1, 4]),
    ]
    messages = render_prompt(template, sources, "  福建2017年力争与哪些国家缔结省级友城？ ")
    assert messages[:-1] == list(template[:-1])
    last = messages[-1][1]
    assert "[1]（福建 2017）力争与俄罗斯和印度缔结省级友城；" in last
    # without a region or period, the document's label; sentences in reading order, a gap marked
    assert "[2]（福建省2017年工作要点）做好第20届全国地方友协工作交流会承办工作。……继续开展百校结好。" in last
    assert last.rstrip().endswith("福建2017年力争与哪些国家缔结省级友城？")


def test_a_passage_shows_the_chosen_clauses_of_its_sentences() -> None:
    texts = ["一是深化友城合作，力争与俄罗斯和印度缔结省级友城，推动友城务实交流。", "二是继续开展百校结好。"]
    whole = _source("000.txt", 11, texts, [3, 4])
    assert whole.excerpt == "".join(texts)  # adjacent whole sentences read on
    cut = replace(whole, shown=("力争与俄罗斯和印度缔结省级友城", texts[1]))
    assert cut.excerpt == "力争与俄罗斯和印度缔结省级友城……二是继续开展百校结好。"  # a cut sentence is marked


@pytest.mark.parametrize(
    ("output", "finished"),
    [
        ("福建力争与俄罗斯", ""),  # nothing finished yet
        ("福建力争与俄罗斯和印度缔结省级友城[1]。", ""),  # the last sentence may still grow markers
        ("福建力争与俄罗斯和印度缔结省级友城。[1]", ""),
        ("福建力争与俄罗斯和印度缔结省级友城[1]。做好第", "福建力争与俄罗斯和印度缔结省级友城[1]。"),
        ("福建力争与俄罗斯和印度缔结省级友城。[1][2]承办", "福建力争与俄罗斯和印度缔结省级友城。[1][2]"),
        ("It aims at Russia [1]. It also", "It aims at Russia [1]."),
    ],
)
def test_only_finished_sentences_are_verified_while_the_answer_grows(output: str, finished: str) -> None:
    assert finished_part(output) == finished


@pytest.mark.parametrize(
    ("sentence", "question", "kept"),
    [
        ("文件[1][2]。", "哪两份文件里写了要深化同葡语系国家的合作？", False),
        ("福建和舟山的文件[1][2]。", "哪两份文件里写了要深化同葡语系国家的合作？", True),
        ("The summit was to be held in [1].", "In which city was the summit to be held?", False),
        ("The summit was to be held in Xiamen [1].", "In which city was the summit to be held?", True),
        ("交流会是第20届[1]。", "友协工作交流会办到第几届了？", True),  # only the figure is new
    ],
)
def test_a_sentence_must_say_something_the_question_does_not(sentence: str, question: str, kept: bool) -> None:
    claim = novel(Claim(sentence, (1,)), question)
    assert (claim.problem is None) is kept


def test_the_items_of_an_enumeration_are_what_a_list_answer_must_give() -> None:
    text = "原侨务工作、海外华人华侨社团联谊、港澳事务等职责移出。"
    assert list_items(text) == ["工作", "海外华人华侨社团联谊", "港澳"]
    assert list_items("力争与俄罗斯和印度缔结省级友城") == []  # 和 joins words as well as items: not read
