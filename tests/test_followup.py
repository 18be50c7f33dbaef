"""Rewriting follow-up questions into standalone ones, without a language model.

Pure functions over strings: no model, no index, no files.
"""

from __future__ import annotations

import pytest

from rag.followup import is_follow_up, previous_questions, rewrite

FUJIAN = "福建2017年力争与哪些国家缔结省级友城？"
HUNAN = "湖南2017年力争与哪些国家缔结省级友城？"
ANSWER = "扩大与“金砖”国家友城结好，力争与俄罗斯和印度缔结省级友城；[1]"


# --- the history formats previous_questions documents ---------------------------------

@pytest.mark.parametrize(
    "history",
    [
        [FUJIAN],
        [(FUJIAN, ANSWER)],
        [[FUJIAN, ANSWER]],
        [{"role": "user", "content": FUJIAN}, {"role": "assistant", "content": ANSWER}],
    ],
    ids=["string", "pair", "list-pair", "messages"],
)
def test_every_history_format_gives_the_same_rewrite(history) -> None:
    assert rewrite("那湖南呢？", history) == HUNAN


def test_previous_questions_reads_user_turns_only_in_order() -> None:
    history = [
        "第一问？",
        ("第二问？", "第二答。"),
        {"role": "assistant", "content": "助手说的话不是问题。"},
        {"role": "user", "content": "  第三问？  "},
        {"role": "system", "content": "系统消息"},
    ]
    assert previous_questions(history) == ["第一问？", "第二问？", "第三问？"]


def test_previous_questions_skips_blank_and_malformed_turns() -> None:
    history = ["   ", ("", "答"), {"role": "user", "content": 3}, {"content": "无角色"}, 42, (), None]
    assert previous_questions(history) == []
    assert previous_questions(None) == []


def test_the_last_question_is_the_one_rewritten_against() -> None:
    history = [("湖南“十二五”期间国际友城数量达到多少对？", "69对。[1]"), (FUJIAN, ANSWER)]
    assert rewrite("那江西呢？", history) == "江西2017年力争与哪些国家缔结省级友城？"


# --- substitution -----------------------------------------------------------------------

@pytest.mark.parametrize("follow_up", ["那湖南呢？", "湖南呢", "那么湖南呢?", "那湖南省呢？"])
def test_a_new_province_replaces_the_old_one(follow_up: str) -> None:
    rewritten = rewrite(follow_up, [FUJIAN])
    assert "福建" not in rewritten
    assert rewritten.startswith("湖南")
    assert rewritten.endswith("2017年力争与哪些国家缔结省级友城？")


def test_a_city_with_its_suffix_replaces_the_province() -> None:
    assert rewrite("那舟山市呢？", [FUJIAN]) == "舟山市2017年力争与哪些国家缔结省级友城？"


@pytest.mark.parametrize("follow_up", ["那2018年呢？", "2018呢？"])
def test_a_new_year_replaces_the_old_one(follow_up: str) -> None:
    assert rewrite(follow_up, [FUJIAN]) == "福建2018年力争与哪些国家缔结省级友城？"


@pytest.mark.parametrize("follow_up", ["what about Hunan?", "What about Hunan?", "And what about hunan"])
def test_an_english_follow_up_names_the_province_in_pinyin(follow_up: str) -> None:
    assert rewrite(follow_up, [FUJIAN]) == HUNAN


def test_an_english_follow_up_after_an_english_question_substitutes() -> None:
    rewritten = rewrite("What about Hunan?", ["How many sister cities did Fujian have in 2017?"])
    assert "Fujian" not in rewritten and "How many sister cities" in rewritten


@pytest.mark.parametrize(
    ("follow_up", "earlier", "expected"),
    [
        ("那舟山呢？", "湖南“十二五”期间国际友城数量达到多少对？", "舟山“十二五”期间国际友城数量达到多少对？"),
        ("那江西呢？", "厦门2019年的外宾接待量是多少批次？", "江西2019年的外宾接待量是多少批次？"),
    ],
    ids=["city-follow-up", "city-in-earlier-question"],
)
def test_a_bare_city_name_substitutes(follow_up: str, earlier: str, expected: str) -> None:
    assert rewrite(follow_up, [earlier]) == expected


# --- joining ----------------------------------------------------------------------------

def test_a_pronoun_follow_up_is_joined_to_the_previous_question() -> None:
    earlier = "舟山“十三五”期间友城工作有什么规划？"
    assert rewrite("它的目标定在多少？", [earlier]) == "舟山“十三五”期间友城工作有什么规划；它的目标定在多少？"


def test_a_follow_up_that_narrows_to_a_part_of_the_earlier_answer_is_joined() -> None:
    # 这里面 / 这当中 point back as 其中 does: the part is counted within the earlier question's whole.
    earlier = "江西2018年共派出多少名志愿者？"
    for follow_up in ("这里面赴非洲的有多少名？", "这当中女性志愿者有几名？"):
        assert rewrite(follow_up, [earlier]) == "江西2018年共派出多少名志愿者；" + follow_up


def test_a_follow_up_with_nothing_to_substitute_is_joined() -> None:
    # 2016年 has no year in the earlier question to replace, so the two are joined.
    earlier = "湖南“十二五”期间国际友城数量达到多少对？"
    assert rewrite("那2016年呢？", [earlier]) == "湖南“十二五”期间国际友城数量达到多少对；那2016年呢？"


def test_an_english_follow_up_on_a_topic_is_joined() -> None:
    earlier = "What are Zhoushan's goals?"
    assert rewrite("What about overseas Chinese work?", [earlier]) == (
        "What are Zhoushan's goals；What about overseas Chinese work?"
    )


# --- left alone ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "question",
    [
        "湖南“十二五”期间国际友城数量达到多少对？",
        "2020年厦门外办准备把多少因公出国资源配置给企业？",
        "How many sister cities does Hunan plan to have by 2020?",
        "2021年进出口额500万元以上的外资企业有几家？",  # 以上 after a figure is "or more", no pointer back
    ],
)
def test_a_standalone_question_is_left_unchanged(question: str) -> None:
    assert not is_follow_up(question)
    assert rewrite(question, [FUJIAN]) == question
    assert rewrite(question, [(FUJIAN, ANSWER)]) == question


@pytest.mark.parametrize("history", [None, [], (), ["", "  "], [{"role": "assistant", "content": FUJIAN}]])
def test_without_an_earlier_question_a_follow_up_is_left_unchanged(history) -> None:
    assert rewrite("那湖南呢？", history) == "那湖南呢？"
    assert rewrite("它的目标定在多少？", history) == "它的目标定在多少？"


@pytest.mark.parametrize(
    "question", ["那湖南呢？", "它的目标定在多少？", "What about Hunan?", "其中省级友城有多少对？", "and their budget?",
                 "以上提到的活动在哪里举办？"]
)
def test_follow_ups_are_recognised(question: str) -> None:
    assert is_follow_up(question)
