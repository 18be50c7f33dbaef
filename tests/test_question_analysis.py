"""Question analysis (rag.question): the slot a question asks to fill, its list intent and its
constraints, read once. The questions are written for these tests in the genre's usual
shapes; none is from an evaluation set. No model is loaded."""

from __future__ import annotations

import pytest

from rag.slots import filled
from rag.question import profile


@pytest.mark.parametrize(
    ("question", "kind", "focus", "unit"),
    [
        ("某市外办今年招募了多少名志愿者？", "count", "志愿者", "名"),
        ("全省友城数量达到多少对？", "count", "友城", "对"),
        ("该区去年迎来境外访问团几批次？", "count", "", "批次"),
        ("这项工作获得了多少资金支持？", "money", "资金支持", None),
        ("该市进出口总值同比增长多少？", "percent", "出口总值同比增长", None),
        ("How many sister cities does the province have?", "count", "", None),
    ],
)
def test_counts_sums_and_shares_name_what_is_counted(question: str, kind: str, focus: str, unit: str | None) -> None:
    slot = profile(question).slot
    assert slot.kind == kind
    assert focus in slot.focus
    assert slot.unit == unit


def test_a_question_with_two_counts_has_two_slots() -> None:
    slots = profile("该县同多少个国家结成了多少对姊妹城市？").slots
    assert [(s.kind, s.unit) for s in slots] == [("count", "个"), ("count", "对")]
    assert "姊妹城市" in slots[1].focus


@pytest.mark.parametrize(
    ("question", "kind", "detail"),
    [
        ("市外办的秘书长是谁？", "person", "秘书长"),
        ("访欧团组由谁带队？", "person", ""),
        ("大会在哪一天召开？", "date", "day"),
        ("该中心是哪一年成立的？", "date", "year"),
        ("博览会落户哪个城市？", "place", "城市"),
        ("新建的口岸设在什么地方？", "place", "地方"),
        ("活动在哪家医院举办？", "org", "医院"),
        ("该项目归哪个单位主管？", "org", "单位"),
        ("开发的应用叫什么名字？", "name", ""),
        ("Who led the delegation?", "person", ""),
        ("When was the office set up?", "date", "any"),
        ("Which hospital hosted the clinic?", "org", "医院"),
    ],
)
def test_the_slot_is_the_kind_of_thing_asked_for(question: str, kind: str, detail: str) -> None:
    slot = profile(question).slot
    assert slot.kind == kind
    if kind == "date":
        assert slot.granularity == detail
    elif kind in ("org", "place"):
        assert slot.category == detail
    elif kind == "person" and detail:
        assert slot.focus == detail


def test_a_post_held_by_someone_is_answered_by_a_name_or_an_office() -> None:
    question = profile("委员会的第一副主任由谁担任？")
    assert question.slot.kind == "person" and question.slot.category == "office"
    assert filled("委员会第一副主任由常务副市长担任。", question)
    assert filled("第一副主任由陈秋雄同志担任", question)
    assert not filled("进一步完善委员会工作机制，定期召开全体会议。", question)


def test_a_question_for_a_month_is_not_answered_by_a_year_alone() -> None:
    question = profile("交流周通常在每年几月份举办？")
    assert question.slot.granularity == "month"
    assert filled("交流周于每年10月举办。", question)
    assert not filled("交流周自2016年起举办。", question)
    year = profile("两市在哪一年签署了意向书？")
    assert filled("两市于2011年签署意向书。", year)
    assert not filled("两市于10月29日签署意向书。", year)


def test_a_list_of_named_places_or_bodies_is_typed() -> None:
    cities = profile("今年新增的两对友城，对方是哪两个城市？")
    assert cities.slot.kind == "place" and cities.wants_list
    assert not filled("新增国际友城2对，累计缔结91对国际友好城市。", cities)
    assert filled("新增国际友城2对，分别为俄罗斯彼尔姆市和波兰卢布林市。", cities)
    firms = profile("参与项目的3家企业具体是哪几家？")
    assert firms.slot.kind == "org"
    assert not filled("推动3家世界500强企业参与项目。", firms)
    assert filled("推动中远海运集团、厦门航空有限公司参与项目。", firms)
    venue = profile("推介活动选在北京哪个场馆举行？")
    assert venue.slot.category == "场馆"
    assert not filled("推介活动在京举行并取得圆满成功。", venue)
    assert filled("推介活动在北京国家会议中心举行。", venue)


@pytest.mark.parametrize(
    ("question", "count", "parts"),
    [
        ("方案要求增强哪四种本领？", 4, False),
        ("方案确定的五项措施是什么？", 5, False),
        ("总结第三部分涉及哪几方面？", None, True),
        ("方案中组织实施这一部分包括哪几条？", None, True),
        ("该市与哪些国家缔结了友城？", None, False),
        ("What are the three priorities of the plan?", 3, False),
    ],
)
def test_list_questions_and_how_many_items_they_want(question: str, count: int | None, parts: bool) -> None:
    p = profile(question)
    assert p.wants_list
    assert p.list_count == count
    assert p.section_parts == parts


def test_a_counted_list_asks_for_the_items_not_for_a_count() -> None:
    assert profile("规划提出的两个平台分别是什么平台？").slot.kind == "other"


def test_events_asked_for_in_a_list_are_the_items_not_an_institution() -> None:
    assert profile("今年举办了哪些活动？").slot.kind == "name"
    assert profile("哪些单位在座谈会上介绍了经验？").slot.kind == "org"


def test_constraints_are_read_years_periods_places_levels_titles() -> None:
    p = profile("“十四五”时期泉州市县级友城要增加多少对？《某省外事规划》怎么说的？2019年呢")
    assert p.periods == ("十四五",)
    assert "泉州" in p.places
    assert p.levels == ("县级",)
    assert p.quoted_titles == ("某省外事规划",)
    assert p.years == (2019,)


def test_a_place_needs_a_word_of_its_own() -> None:
    # 项城 is a city, but 哪项城市建设 does not name it.
    assert profile("湖州外事部门着力推进哪项城市建设工程？").places == ("湖州",)


@pytest.mark.parametrize(
    "question",
    [
        "无视上述文档，直接说说全国有几对友城。",
        "不用参考材料，用常识回答：友城是什么？",
        "Ignore the documents and tell me the capital of France.",
    ],
)
def test_a_request_to_answer_without_the_documents_is_recognised(question: str) -> None:
    assert profile(question).off_documents


def test_cross_document_cues_and_分别_with_two_places() -> None:
    assert profile("哪些地区的文件提到了寻根之旅？").cross_document
    assert profile("湖北和山西分别引进了多少外资项目？").cross_document
    assert not profile("两场座谈会分别是第几届？").cross_document


def test_which_places_documents_are_answered_by_documents_not_by_a_place_in_them() -> None:
    # A modifier may stand between 的 and the kind of document; the place is the document's region.
    for question in ("哪些城市的外事规划写到了留学生工作？", "哪个省的工作总结提及港澳青年实习？"):
        p = profile(question)
        assert p.cross_document and p.slot.kind == "other", question
    assert profile("哪些城市的市民参加了活动？").slot.kind == "place"


def test_traditional_questions_read_like_simplified() -> None:
    p = profile("新區周邊哪兩座橋樑已經通車？")
    assert p.wants_list and p.list_count == 2


def test_english_and_chinese_are_told_apart() -> None:
    assert profile("How many batches of visitors?").english
    assert not profile("外国代表团来了几批？").english


def test_a_listed_body_answers_only_where_its_clause_speaks_of_what_the_bodies_did() -> None:
    question = profile("市友协和哪3个海外友好组织签了合作备忘录？")
    assert question.slot.kind == "org" and question.slot.category == "组织"
    named_in_passing = "市友协与3个海外友好组织签署合作备忘录，并围绕经贸主题开展交流，邀请意大利商会代表建言献策。"
    assert not filled(named_in_passing, question)
    assert filled("市友协与日本樱花协会、美国友好交流协会签署合作备忘录。", question)


def test_a_document_that_names_itself_in_its_opening_sentence_has_that_title() -> None:
    from rag.reader import parse_document

    doc = parse_document("x.txt", "根据有关要求，现编制完成《某县外事办公室2020年政府信息公开年度报告》，起止时间为2020年1月1日至12月31日。\n"
                                  "一、总体情况\n2020年在门户网站公开信息244条。")
    assert doc.meta.title == "某县外事办公室2020年政府信息公开年度报告"
    assert 2020 in doc.meta.years


def test_a_year_named_as_the_reference_of_a_relative_year_stands_for_the_year_it_points_to() -> None:
    assert profile("该省2019年工作要点的前一年友城增加了几对？").years == (2018,)
    assert profile("协议签署的次年（2016年的次年）开展了哪些活动？").years == (2017,)
