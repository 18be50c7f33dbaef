"""The generative mode with scripted language models: what reaches the user is only what
the cited paragraphs support; otherwise the extractive answer or the abstention stands.

The scripted models read the prompt the chain builds and answer from it, faithfully or
not, so these tests exercise prompt building, verification, renumbering, fallback and
streaming without loading a language model (the real one is in test_llm_slow.py)."""

from __future__ import annotations

import re
from typing import Callable, Iterator

import pytest

from rag.assistant import Assistant
from rag.errors import SettingsError
from rag.settings import Settings

pytestmark = pytest.mark.slow  # the real embedding model over the seeds (index shared with the session)

PASSAGE = re.compile(r"^\[(\d+)\]（[^）]*）(.*)$", re.M)
ANSWERABLE = "2017年福建接手承办的友协工作交流会，是历届中的第几届？"
LIST_Q = "福建2017年力争与哪些国家缔结省级友城？"
UNANSWERABLE = "福建省2017年外事经费预算是多少万元？"


class Scripted:
    """A language model played by a function of the prompt's numbered passages."""

    name = "scripted"

    def __init__(self, write: Callable[[dict[int, str]], str], piece: int = 3) -> None:
        self.write = write
        self.piece = piece
        self.prompts: list[str] = []

    def stream(self, messages, english: bool = False) -> Iterator[str]:
        prompt = messages[-1][1]
        self.prompts.append(prompt)
        passages = {int(n): text for n, text in PASSAGE.findall(prompt)}
        out = self.write(passages)
        for i in range(0, len(out), self.piece):  # tokens of a few characters, as a model streams
            yield out[i : i + self.piece]


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[。；])", text)[0].rstrip("。；")


def holding(passages: dict[int, str], fact: str) -> tuple[int, str]:
    """The passage number and the sentence of it that holds ``fact``."""
    for n, text in passages.items():
        for sentence in re.split(r"(?<=[。；])|……", text):
            if fact in sentence:
                return n, sentence.rstrip("。；")
    raise AssertionError(f"no passage holds {fact}")


@pytest.fixture(scope="module")
def make(seed_assistant):
    def build(write: Callable[[dict[int, str]], str]) -> tuple[Assistant, Scripted]:
        model = Scripted(write)
        assistant = Assistant(seed_assistant.settings, embedder=seed_assistant.embedder, generator=model)
        return assistant, model
    return build


def fallback_of(make, question: str, write: Callable[[dict[int, str]], str]) -> str:
    """The reason the generated answer was not used: the extractive answer stands instead."""
    assistant, _ = make(write)
    extractive = assistant.answer(question)
    a = assistant.answer(question, mode="generative")
    assert a.text == extractive.text and a.citations == extractive.citations
    return a.fallback


def faithful(passages: dict[int, str]) -> str:
    """The first passage's sentence with the edition asked for, copied (the passage may open
    with its section's heading)."""
    sentences = [x.rstrip("。；") for x in re.split(r"(?<=[。；])", passages[1].replace("……", "。")) if x.strip()]
    chosen = next((x for x in sentences if re.search(r"第\d+届", x)), sentences[0])
    return f"{chosen}[1]。"


def test_a_faithful_answer_is_kept_with_its_citation(make) -> None:
    assistant, model = make(faithful)
    a = assistant.answer(ANSWERABLE, mode="generative")
    assert a.mode == "generative" and a.found and a.fallback is None and a.removed is None
    assert "第20届" in a.text and a.text.endswith("[1]。")
    assert len(a.citations) == 1
    c = a.citations[0]
    assert c.doc.startswith("000_") and c.quote in c.text and "第20届" in c.text
    assert len(model.prompts) == 1


def test_a_changed_number_never_reaches_the_user(make) -> None:
    def changes_the_number(passages: dict[int, str]) -> str:
        return first_sentence(passages[1]).replace("20", "10") + "[1]。"

    assistant, _ = make(changes_the_number)
    extractive = assistant.answer(ANSWERABLE)
    a = assistant.answer(ANSWERABLE, mode="generative")
    assert "第10届" not in a.text
    assert a.found and a.text == extractive.text  # nothing that stands was left: the extractive answer
    assert "10" in a.fallback or "20届" in a.fallback  # unsupported, or (re-cited) not the answer
    assert "extractive answer" in a.fallback


def test_unsupported_sentences_are_removed_and_the_rest_renumbered(make) -> None:
    def mixed(passages: dict[int, str]) -> str:
        n, answer = holding(passages, "俄罗斯")
        return (
            "福建还将与巴西缔结友城[1]。"  # 巴西 is in no passage
            f"{answer}[{n}]。"  # supported
            "这项工作意义重大。"  # uncited, and holds nothing any passage has
            f"此外还有其他安排[{len(passages) + 3}]。"  # cites a passage that was not given
        )

    assistant, _ = make(mixed)
    a = assistant.answer(LIST_Q, mode="generative")
    assert a.found and a.fallback is None
    assert "巴西" not in a.text and "意义重大" not in a.text and "其他安排" not in a.text
    assert "俄罗斯" in a.text and a.text.endswith("[1]。") and "[2]" not in a.text  # kept, now [1]
    assert len(a.citations) == 1 and a.citations[0].quote in a.citations[0].text
    assert a.removed and "no citation" in a.removed and "was not given" in a.removed and "巴西" in a.removed


def test_markers_are_numbered_by_first_appearance(make) -> None:
    def two(passages: dict[int, str]) -> str:
        n, answer = holding(passages, "俄罗斯")
        other = next(k for k in passages if k != n)
        return f"{first_sentence(passages[other])}[{other}]。{answer}[{n}]。"

    assistant, _ = make(two)
    a = assistant.answer(LIST_Q, mode="generative")
    assert re.findall(r"\[(\d+)\]", a.text) == ["1", "2"]
    assert len(a.citations) == 2
    for c in a.citations:
        assert c.quote in c.text


def test_a_refusal_on_a_supported_question_falls_back_to_the_extractive_answer(make) -> None:
    assistant, _ = make(lambda passages: "文件中没有找到这个问题的答案。")
    a = assistant.answer(ANSWERABLE, mode="generative")
    assert a.found and "第20届" in a.text
    assert "no answer" in a.fallback


def test_too_little_support_abstains_without_generating(make) -> None:
    assistant, model = make(faithful)
    a = assistant.answer(UNANSWERABLE, mode="generative")
    assert not a.found and a.mode == "generative"
    assert a.text.startswith("文件中没有找到")
    assert model.prompts == []
    assert "nothing was generated" in a.fallback


def test_the_prompt_carries_the_answering_clauses_and_others_within_the_budget(make) -> None:
    assistant, model = make(faithful)
    extractive = assistant.answer(LIST_Q)
    assistant.answer(LIST_Q, mode="generative")
    prompt = model.prompts[0]
    passages = [text for _, text in PASSAGE.findall(prompt)]
    assert 1 <= len(passages) <= 4
    shown = "".join(passages)
    for c in extractive.citations:  # the extractive answer's own spans are always there
        assert c.span is None or c.quote[c.span[0] : c.span[1]] in shown
    # Beyond the extractive answer's clauses, other clauses fill at most the budget.
    answer_chars = len(re.sub(r"\[\d+\]", "", extractive.text))
    assert len(shown.replace("……", "")) <= answer_chars + assistant.settings.llm_context_chars
    # Long sentences are cut to their best clauses (the window the extractive answer uses).
    assert all(len(part) <= 100 for p in passages for part in p.split("……"))
    assert LIST_Q in prompt
    # Each passage names its document in few tokens: region and period.
    assert re.search(r"^\[1\]（福建 2017）", prompt, re.M)


def test_streaming_shows_only_verified_sentences_then_the_answer(make) -> None:
    def long(passages: dict[int, str]) -> str:
        n, answer = holding(passages, "俄罗斯")
        other = next(k for k in passages if k != n)
        return f"{answer}[{n}]。福建还将与巴西缔结友城[{n}]。{first_sentence(passages[other])}[{other}]。"

    assistant, _ = make(long)
    pieces = list(assistant.stream(LIST_Q, mode="generative"))
    final = pieces[-1]
    shown = [p for p in pieces[:-1]]
    assert not isinstance(final, str) and final.found
    assert shown and all(isinstance(p, str) for p in shown)
    assert all("巴西" not in p for p in shown)
    assert all(final.text.startswith(p) for p in shown)  # every partial is a prefix of the final text


def test_extractive_streaming_yields_the_answer_alone(make) -> None:
    assistant, model = make(faithful)
    pieces = list(assistant.stream(ANSWERABLE))
    assert len(pieces) == 1 and pieces[0].mode == "extractive" and model.prompts == []


def test_backend_settings_are_checked() -> None:
    from rag.llm import load_generator

    with pytest.raises(SettingsError, match="llamacpp, openai"):
        load_generator(Settings.from_env(llm_backend="gpt"))
    with pytest.raises(SettingsError, match="RAG_OPENAI_BASE_URL"):
        load_generator(Settings.from_env(llm_backend="openai"))


def test_the_api_key_stays_out_of_reprs_and_errors() -> None:
    from rag.llm import _scrub

    s = Settings.from_env(openai_api_key="sk-secret-123456")
    assert "sk-secret" not in repr(s)
    assert "secret" not in _scrub("401 Unauthorized: Incorrect API key provided: sk-secret-123456")


def test_a_sentence_citing_the_wrong_passage_is_re_cited_to_the_one_holding_its_facts(make) -> None:
    def wrong_number(passages: dict[int, str]) -> str:
        n, answer = holding(passages, "俄罗斯")
        wrong = next(k for k in passages if k != n)
        return f"{answer}[{wrong}]。"

    assistant, _ = make(wrong_number)
    a = assistant.answer(LIST_Q, mode="generative")
    assert a.found and a.fallback is None and "俄罗斯" in a.text
    assert "俄罗斯" in a.citations[0].text  # the citation now points at the paragraph that says it
    assert a.removed and "re-cited" in a.removed


def test_a_true_answer_from_another_paragraph_than_the_extractive_lead_falls_back(make) -> None:
    def other_fact(passages: dict[int, str]) -> str:
        n, answer = holding(passages, "俄罗斯")
        other = next(k for k in passages if k != n and "俄罗斯" not in passages[k])
        return f"{first_sentence(passages[other])}[{other}]。"  # true, cited, but not the answer

    assert "leads with" in fallback_of(make, LIST_Q, other_fact)


def test_an_answer_that_drops_an_item_of_a_list_falls_back(make) -> None:
    question = "厦门市外办组建后，原来外侨办的哪些职责被移出了？"

    def two_of_three(passages: dict[int, str]) -> str:
        n, _ = holding(passages, "社团联谊")
        return f"原侨务工作、海外华人华侨社团联谊等职责移出[{n}]。"  # true, but 港澳事务 is gone

    assert "'港澳'" in fallback_of(make, question, two_of_three)  # 港澳事务, the last item


def test_a_sentence_that_only_restates_the_question_is_no_answer(make) -> None:
    assistant, _ = make(lambda passages: "友协工作交流会[1]。")
    a = assistant.answer(ANSWERABLE, mode="generative")
    assert "第20届" in a.text and "says nothing the question does not" in a.fallback


def test_question_words_glued_onto_a_passage_figure_do_not_pass(make) -> None:
    def glue(passages: dict[int, str]) -> str:
        n, answer = holding(passages, "俄罗斯")
        return f"福建2017年力争与俄罗斯和印度缔结海外侨领培训姐妹关系[{n}]。"  # the figure is there, the wording is not

    assert "wording" in fallback_of(make, LIST_Q, glue)


def test_an_answer_that_drops_a_document_of_a_cross_document_question_falls_back(make) -> None:
    question = "“十三五”期间湖南和舟山各自把友城数量目标定在多少？"

    def one_document(passages: dict[int, str]) -> str:
        n, answer = holding(passages, "新建国际友城10对")
        return f"{answer}[{n}]。"  # true and cited, but Hunan's target is missing

    reason = fallback_of(make, question, one_document)
    assert "does not cite 湖南" in reason


EN_QUESTION = "How many batches of foreign guests did the Xiamen office host in 2019?"


def test_an_english_answer_in_english_stands_and_one_with_chinese_outside_brackets_falls_back(make) -> None:
    def english(passages: dict[int, str]) -> str:
        n, _ = holding(passages, "205批次")
        return f"The Xiamen office hosted 205 batches of foreign guests in 2019 [{n}]."

    assistant, _ = make(english)
    a = assistant.answer(EN_QUESTION, mode="generative")
    assert a.found and a.fallback is None and a.text.startswith("The Xiamen office hosted 205"), (a.text, a.fallback)

    def mixed(passages: dict[int, str]) -> str:
        n, _ = holding(passages, "205批次")
        return f"The Xiamen office hosted 205批次 of 外宾 in 2019 [{n}]."

    reason = fallback_of(make, EN_QUESTION, mixed)
    assert "not in English" in reason
