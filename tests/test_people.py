"""Who-questions: which questions ask for a person, and which sentences name one."""

from __future__ import annotations

import pytest

from rag.people import asked_titles, asks_for_person, names_person
from rag.question import profile

DESCRIBED_ONLY = "老挝国家主席、泰国公主、塞尔维亚前总理、美国国会议员等重要国宾党宾、议会代表来访。"


@pytest.mark.parametrize(
    "question",
    [
        "2019年来厦门访问的塞尔维亚前总理的姓名是什么？",
        "出席研讨会的那位厦门市委书记叫什么？",
        "戏剧节的名字来自哪位历史人物？",
        "What was the name of the Thai princess who came to Xiamen in 2019?",
        "Who is the foreign minister that spoke at the event?",
    ],
)
def test_questions_about_a_person_are_recognised(question: str) -> None:
    assert asks_for_person(question)
    assert profile(question).person


@pytest.mark.parametrize(
    "question",
    [
        "湖南规划打算打造的“一带一路”品牌论坛，名称是什么？",  # a forum, not a person
        "环太平洋国家艺术展是哪个机构带头办的？",
        "Which city hosted the Fujian week?",
    ],
)
def test_questions_about_things_or_offices_are_not(question: str) -> None:
    assert not profile(question).person


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("市委副书记陈秋雄在全省研讨会上交流了这一理论成果", "市委副书记的名字是什么？"),  # title, then name
        ("圆满完成胡昌升书记招商大会讲话", "在招商大会上讲话的书记是谁？"),  # name, then title
        ("加强与塚本幸司等民间友好人士的交往", "要加强交往的是哪位日本友好人士？"),  # name 等 description
        ("与抚州市政府共同承办首届汤显祖国际戏剧节", "戏剧节的名字来自哪位历史人物？"),  # CC-CEDICT: a lifespan
    ],
)
def test_a_named_person_is_found(text: str, question: str) -> None:
    assert names_person(text, question)


def test_a_sentence_that_only_describes_the_person_names_nobody() -> None:
    question = "2019年来厦门访问的塞尔维亚前总理的姓名是什么？"
    assert not names_person(DESCRIBED_ONLY, question)
    assert not names_person(DESCRIBED_ONLY, "What was the name of the Thai princess who came to Xiamen in 2019?")


def test_a_name_must_come_with_the_office_asked_about() -> None:
    # 本扬 is named, but as 国家主席: no answer about a 公主.
    text = "老挝人革党中央总书记、国家主席本扬到访厦门"
    assert names_person(text, "国家主席是谁？")
    assert not names_person(text, "到访厦门的泰国公主叫什么名字？")
    assert asked_titles("Who is the former Serbian prime minister?") >= {"总理"}


def test_the_question_s_own_name_is_not_an_answer() -> None:
    assert not names_person("市委书记胡昌升出席", "市委书记胡昌升是谁？")
