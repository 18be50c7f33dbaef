"""Answer slots (rag.slots) and whole lists (rag.lists) on inline sentences of the genre,
written for these tests. No model, no index."""

from __future__ import annotations

import pytest

from rag import lists
from rag.question import profile
from rag.reader import parse_document
from rag.slots import fills, filled


def _filled(question: str, sentence: str) -> list[str]:
    return [sentence[f.start:f.end] for f in fills(sentence, profile(question))]


@pytest.mark.parametrize(
    ("question", "sentence", "value"),
    [
        # The place of the act asked about.
        ("经贸洽谈会具体在哪座城市举行？", "由长春市主办的经贸洽谈会于9月10日召开。", "长春市"),
        # A document's number is its own kind of value, not a count.
        ("那份通知用的是哪个发文字号？", "某省人民政府外事办公室文件 某外秘〔2021〕7号", "某外秘〔2021〕7号"),
        ("今年招募了多少名志愿者？", "全年共招募志愿者300名，服务外宾团组120批次。", "300名"),
        ("向多少国的驻华使节作了介绍？", "向15国驻华使节介绍投资环境。", "15国"),
        ("今年新缔结了多少对友城？", "新缔结国际友城，共3对。", "3对"),
        ("进出口总值同比增长多少？", "全市进出口总值1789.5亿元，增长25.2%。", "25.2%"),
        ("该项工作获得多少资金？", "争取省级资金500万元支持该项工作。", "500万元"),
        ("大会什么时候召开？", "大会于11月8日至13日召开。", "11月8日至13日"),
        ("市外办的秘书长是谁？", "市外办秘书长张三出席会议。", "张三"),
        ("赴欧洲的团组由谁带队？", "市政府副市长李明远率团赴欧洲开展交流。", "李明远"),
        ("该项目归哪个单位主管？", "主管单位: | 市商务局 |", "市商务局"),
        ("交流活动在哪家医院举办？", "交流活动在市第一人民医院举办。", "市第一人民医院"),
        ("开发的应用叫什么名字？", "设计开发“温州外事宝”应用。", "“温州外事宝”"),
        ("年会放在哪个城市开？", "积极筹备在榕召开的年会。", "榕"),
    ],
)
def test_a_sentence_that_holds_the_answer_fills_the_slot(question: str, sentence: str, value: str) -> None:
    assert value in _filled(question, sentence)
    assert filled(sentence, profile(question))


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        # The focus is named, but the number counts something else.
        ("今年招募了多少名志愿者？", "积极动员志愿者参与服务，邀请专家5名开展培训。"),
        # The focus is named without any number.
        ("该项工作获得多少资金？", "争取省级资金支持该项工作。"),
        # 人次 is not 批次.
        ("来访外宾共计多少人次？", "全年来访外宾团组88批次，部级团组9批次。"),
        # The office is named, nobody holds it in the sentence.
        ("市外办的秘书长是谁？", "市外办秘书长出席会议并讲话。"),
        # 副主任 is not the 主任 asked about.
        ("区侨办的主任是谁？", "区侨办副主任赵刚通报了情况。"),
        # A date of another act: 挂牌成立 does not answer 召开.
        ("联席会议首次会议哪天召开？", "5月8日，联席会议办公室揭牌成立。"),
        # 我省 names no place.
        ("博览会落户哪个城市？", "我省将积极参与博览会各项工作。"),
        # The body asked for is not in the sentence.
        ("交流活动在哪家医院举办？", "交流活动在市政府举办。"),
        # The thing asked about is listed with another of its kind, neither named.
        ("那个比利时第一大港名字是什么？", "与比利时第一大港、德国第二大港签署合作备忘录。"),
        # The date a page was posted is not the date of the event asked about.
        ("外长会哪天在青岛举行？", "青岛政务网 发布日期 : 2022-11-28今年以来，市外办服务外长会。"),
        # A place named in passing is not where the event is held.
        ("经贸洽谈会具体在哪座城市举行？", "办好系列涉外活动，为开创外交新局面贡献烟台力量。"),
        # An office in a clause about something else does not hold the post asked about.
        ("领导小组组长一职由谁担任？", "以习近平总书记重要论述为统领，做好领导小组各项工作。"),
        # Levels and determiners before 市/县 name no city.
        ("规划中的“1+8”城市群包括哪些城市？", "坚持以省带市、以市带县，其他市州各新增1对友城。"),
    ],
)
def test_a_sentence_that_mentions_the_focus_without_the_answer_does_not_fill_it(question: str, sentence: str) -> None:
    assert not filled(sentence, profile(question)), _filled(question, sentence)


def test_a_number_the_question_gives_is_not_its_answer() -> None:
    assert _filled("邀请的100名专家中有多少名外国专家？", "邀请100名专家参加论坛。") == []


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("力争与俄罗斯、印度和巴西缔结省级友城；", ["俄罗斯", "印度", "巴西"]),
        ("对标“优质外事”“诚信外事”“经济外事”三大品牌。", ["“优质外事”", "“诚信外事”", "“经济外事”"]),
        ("一是做好论坛服务保障工作。二是做好接待工作。三是健全工作机制。", ["一是做好论坛服务保障工作", "二是做好接待工作",
                                                          "三是健全工作机制"]),
        ("下属3个预算单位,分别为国际交流中心、信息中心和翻译中心。", ["国际交流中心", "信息中心", "翻译中心"]),
        ("南湖路、北湖路已完成拓宽改造", ["南湖路", "北湖路"]),
    ],
)
def test_an_enumeration_is_read_to_its_end(text: str, items: list[str]) -> None:
    found = lists.enumeration(text)
    assert found is not None
    got = found.texts(text)
    assert len(got) == len(items)
    assert all(any(item in g for g in got) for item in items)


def test_announcements_say_how_many_items_follow() -> None:
    assert lists.announced("重点抓好以下三项工作：") == 3
    assert lists.announced("主要考虑了以下几个方面的因素：") == 0
    assert lists.announced("全年工作取得明显成效。") is None


DOC = """某市外办2023年工作要点

一、拓宽国际渠道

一是拓展与外国驻华机构交流合作渠道。

二是拓展国际友城交流合作渠道。

三是拓展民间人文交流渠道。

二、强化服务保障

（一）做好重大活动保障

全年保障活动20场。

（二）做好来访接待

全年接待团组50批。
"""


def test_the_parts_of_a_section_are_its_sub_headings_each_its_own_paragraph() -> None:
    doc = parse_document("plan.txt", DOC)
    heading = next(p for p in doc.paragraphs if p.text == "二、强化服务保障")
    parts = lists.following_items(doc, heading)
    assert [p.text for p in parts] == ["（一）做好重大活动保障", "（二）做好来访接待"]


def test_an_item_paragraph_belongs_to_the_run_of_its_siblings() -> None:
    doc = parse_document("plan.txt", DOC)
    second = next(p for p in doc.paragraphs if p.text.startswith("二是"))
    run = lists.sibling_items(doc, second)
    assert [p.text[:2] for p in run] == ["一是", "二是", "三是"]
