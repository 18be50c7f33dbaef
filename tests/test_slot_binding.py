"""Where a slot's value is bound to what the question asks, on inline sentences written for
these tests: the positive cases beside the negative ones of test_slots_and_lists. No model,
no index."""

from __future__ import annotations

import pytest

from rag.answering import vetoed
from rag.clashes import _compatible
from rag.metadata import _city_over_its_county
from rag.people import asked_post, person_spans
from rag.places import lies_in, place_named
from rag.question import profile
from rag.reader import parse_document
from rag.slots import fills


def _filled(question: str, sentence: str) -> list[str]:
    return [sentence[f.start:f.end] for f in fills(sentence, profile(question))]


def _read(question: str, docs: list, cosines: dict[str, float] | None = None):
    """The reader's evidence over inline documents, with test_reading's hand-set similarities."""
    from test_reading import candidates

    from rag.reading import read

    return read(profile(question), candidates(question, docs, cosines))


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("市委书记胡昌升指出要进一步解放思想。", "胡昌升"),
        ("部长王毅强调要坚持以新时代外交思想为指导。", "王毅"),
        ("市长张三表示要解放思想、勇于创新。", "张三"),
    ],
)
def test_a_name_before_a_verb_and_a_doctrine_is_still_a_person(sentence: str, name: str) -> None:
    assert name in [sentence[a:b] for a, b in person_spans(sentence)]


def test_a_name_that_opens_a_doctrine_names_nobody() -> None:
    sentence = "深入学习贯彻习近平新时代中国特色社会主义思想。"
    assert person_spans(sentence) == []


@pytest.mark.parametrize(
    ("question", "sentence", "place"),
    [
        ("洽谈会具体在哪座城市举行？", "长春承办了本届洽谈会。", "长春"),
        ("洽谈会具体在哪座城市举行？", "本届洽谈会由长春市主办。", "长春市"),
        ("研讨会在哪里召开？", "研讨会先后在南昌、赣州等地召开。", "赣州"),
    ],
)
def test_the_place_of_the_act_answers_where_an_event_is_held(question: str, sentence: str, place: str) -> None:
    assert place in _filled(question, sentence)


def test_a_place_listed_with_partners_is_not_where_an_event_is_held() -> None:
    assert "乙市" not in _filled("签约仪式在哪座城市举行？", "与甲国、乙市代表团签署协议，签约仪式随后举行。")


@pytest.mark.parametrize("city", ["光州市", "全州市"])
def test_a_foreign_city_whose_name_holds_zhou_is_a_place(city: str) -> None:
    sentence = f"与韩国{city}缔结友好城市关系。"
    assert city in _filled("与哪个城市缔结了友好城市关系？", sentence)


@pytest.mark.parametrize(
    ("question", "post"),
    [("领导小组组长一职由谁担任？", "组长"), ("领导小组副组长由谁担任？", "副组长"), ("秘书长由谁兼任？", "书长")],
)
def test_the_post_asked_about_is_read_once_by_its_head(question: str, post: str) -> None:
    assert asked_post(question) == post
    assert profile(question).slots[0].post == post


@pytest.mark.parametrize(
    ("sentence", "holder"),
    [
        ("领导小组成员如下。组长：市长张三，副组长：副市长李四。", "张三"),
        ("组长由市长担任，副组长由分管副市长担任。", "市长"),
    ],
)
def test_who_holds_a_post_is_read_from_the_clause_of_that_post(sentence: str, holder: str) -> None:
    got = _filled("领导小组组长由谁来担任？", sentence)
    assert holder in got
    assert not any("李四" in g or g == "副市长" or g == "分管副市长" for g in got)


def test_a_place_written_with_its_suffix_is_found_by_its_name() -> None:
    assert place_named("包头") == place_named("包头市")
    assert place_named("包头") is not None and place_named("包头").kind == "city"
    assert lies_in("包头", "内蒙古自治区")
    assert lies_in("南宁", "广西壮族自治区")
    assert not _compatible("包头", "呼和浩特")  # two cities of one province are two places


def test_a_tie_goes_to_a_city_only_over_a_county_of_its_own_province() -> None:
    assert _city_over_its_county("江门", "台山")
    assert not _city_over_its_county("太原", "台山")  # 台山 lies in 广东
    assert not _city_over_its_county("台山", "江门")


@pytest.mark.parametrize(
    ("question", "kind", "category"),
    [
        ("Which two ASEAN countries did the province plan to form sister ties with?", "place", "国家"),
        ("At which Japanese city was the exhibition staged?", "place", "城市"),
        ("At which institution was the research centre to be set up?", "org", None),
        ("Which hospital hosted the free clinic?", "org", "医院"),
        ("Which two officials gave speeches at the opening?", "person", None),
    ],
)
def test_an_english_question_for_a_thing_of_a_kind_gets_the_chinese_kind(question: str, kind: str,
                                                                          category: str | None) -> None:
    slot = profile(question).slots[0]
    assert (slot.kind, slot.category) == (kind, category)


def test_an_english_number_question_is_not_read_as_a_kind() -> None:
    # "official" is an adjective here, and the question asks for a share
    assert profile("What share of the city's official travel budget went to schools?").slots[0].kind == "percent"


def test_a_counted_list_of_people_is_the_sentence_that_names_as_many() -> None:
    doc = parse_document("p.txt", "某市外办2019年工作总结\n\n一、重要活动\n\n"
                                  "一是办好推介会，精心组织展示展销、项目对接、文艺演出和参观考察等系列配套活动，"
                                  "全面展示全市改革开放以来经济社会发展取得的巨大成就和对外开放的崭新形象。"
                                  "二是办好论坛，邀请各国使节出席。推介会上，外交部副部长张业明和市委书记李文涛分别致辞。\n")
    question = "Which two officials spoke at the promotion event?"
    found = _read(question, [doc], {"分别致辞": 0.9})
    text = "".join(p.snippet for p in found.picks)
    assert "张业明" in text and "李文涛" in text  # not the paragraph's 一是…二是…
    # (a Chinese 哪两位 stays a list of whatever the sentence enumerates: names without a
    # title, which no span reader knows, are listed there: 研究整理甲、乙及丙的史料)



def test_a_count_binds_to_its_focus_written_in_full() -> None:
    # 友城 abbreviates 友好城市: the value's clause speaks of the focus though it spells it out
    sentence = "友城工作稳步推进，全年新增友好城市5对，接待外宾团组10批。"
    assert "5对" in _filled("这一年友城增加了几对？", sentence)
    assert "10批" not in _filled("这一年友城增加了几对？", sentence)


def test_what_two_documents_share_is_the_term_both_name() -> None:
    quanzhou = parse_document("qz.txt", "泉州市外事办公室2023年工作要点\n\n一、拓展开放\n\n"
                                        "深度参与“海丝”建设，用好RCEP规则扩大经贸往来。办好“泉州周”系列活动。\n")
    yantai = parse_document("yt.txt", "烟台市外事办公室2023年工作总结\n\n一、对外开放\n\n"
                                      "抢抓RCEP生效机遇，推动中日韩地方合作。举办“烟台之夜”推介会。\n")
    question = "泉州要点、烟台总结两份材料均写到哪项区域贸易协定？"
    assert profile(question).shared and profile(question).cross_document
    found = _read(question, [quanzhou, yantai])
    assert {p.scored.sentence.doc for p in found.picks} == {"qz.txt", "yt.txt"}
    assert all("RCEP" in p.snippet for p in found.picks)


def test_a_shared_term_must_be_shared_about_what_the_question_names() -> None:
    quanzhou = parse_document("qz.txt", "泉州市外事办公室2023年工作要点\n\n一、人文交流\n\n"
                                        "深化与日本的茶文化交流。参与“海丝”申遗。\n")
    yantai = parse_document("yt.txt", "烟台市外事办公室2023年工作总结\n\n一、人文交流\n\n"
                                      "与日本开展茶文化交流活动。宣传“海丝”文化。\n")
    question = "泉州要点、烟台总结两份材料在同日本的交往中均写到什么文化？"
    found = _read(question, [quanzhou, yantai])
    assert all("日本" in p.snippet for p in found.picks)  # not the “海丝” both also quote


@pytest.mark.parametrize(
    ("sentence", "restates"),
    [
        ("与某国第一大港、另一国最大渔港建立联系。", True),
        ("与某国第一大港比雷埃夫斯港建立联系。", False),
    ],
)
def test_a_sentence_that_only_describes_what_is_named_in_the_question_gives_no_name(sentence: str,
                                                                                      restates: bool) -> None:
    doc = parse_document("x.txt", f"某市外办2019年工作总结\n\n一、对外交往\n\n{sentence}\n")
    question = "该市联系上的某国第一大港，名字是什么？"
    found = _read(question, [doc])
    assert vetoed(found.signals) is restates


def test_a_demonstrative_description_is_read_as_what_it_refers_to() -> None:
    doc = parse_document("x.txt", "某市外办2019年工作总结\n\n一、对外交往\n\n与某国第一大港、另一国最大渔港建立联系。\n")
    question = "该市同某国第一大港签了合作协议，这个港口的名字是什么？"
    assert vetoed(_read(question, [doc]).signals)


@pytest.mark.parametrize(
    ("question", "units"),
    [
        ("How many visiting delegations came, and how many people were in them?", ["批", "人"]),
        ("How many groups of reporters did the city host, and how many person-visits was that?", ["批", "人次"]),
        ("How many sister cities does the province have?", [None]),
    ],
)
def test_an_english_count_reads_each_how_many_with_its_counter(question: str, units: list) -> None:
    slots = profile(question).slots
    assert [s.kind for s in slots] == ["count"] * len(units)
    assert [s.unit for s in slots] == units


def test_an_english_count_in_a_counter_fills_only_numbers_in_it() -> None:
    got = _filled("How many visiting delegations did the office receive?", "全年接待来访团组3批共计15人，举办活动6场。")
    assert "3批" in got and "6场" not in got


@pytest.mark.parametrize(
    ("sentence", "refused"),
    [
        ("本届联席会议由甲市主办，于5月在甲市召开。", True),
        ("会议商定，下一届联席会议由乙市承办。", False),
    ],
)
def test_a_question_about_the_next_session_is_not_answered_by_this_one(sentence: str, refused: bool) -> None:
    doc = parse_document("x.txt", f"四市外办联席会议纪要\n\n{sentence}\n")
    question = "联席会议的下届会议轮到哪座城市举办？"
    assert vetoed(_read(question, [doc]).signals) is refused


# --- counts asked without a unit, levels, English questions (e9d5ee4 and after) ---------


def test_a_count_asked_without_a_unit_is_no_date_document_number_sum_or_share():
    q = "How many partner schools did the bureau add?"
    sentence = "8月下旬，依据《实施办法》(浙办发〔2021〕27号)，新增合作学校12所，投入380万元，占比15%。"
    assert _filled(q, sentence) == ["12所"]


def test_a_level_word_is_no_place_ending_in_its_suffix():
    q = "哪两个国家与该省缔结了友好关系？"
    assert _filled(q, "力争与智利和秘鲁缔结省级友好关系。") == ["智利", "秘鲁"]


def test_what_an_english_question_names_is_no_answer_to_it():
    q = "Which two BRICS countries will the city seek new sister cities in?"
    assert _filled(q, "力争在“金砖”国家巴西、南非新增友好城市。") == ["巴西", "南非"]


def test_who_opening_an_english_question_asks_for_a_person_whatever_the_verb():
    for q in ("Who chairs the provincial leading group?", "On 3 May, whom did the delegation meet?"):
        assert profile(q).slot.kind == "person", q
    assert profile("Which office that organised the fair is named?").slot.kind != "person"


def test_a_second_ask_after_and_is_a_second_slot():
    q = "How many contracts did the fair sign, and what was their total value?"
    assert [s.kind for s in profile(q).slots] == ["count", "money"]
    assert [s.kind for s in profile("How many delegations came, and how many people did they bring?").slots] == [
        "count", "count"]


def test_english_how_many_counts_even_beside_a_money_word():
    assert profile("How many investment promotion events were held abroad?").slot.kind == "count"
    assert profile("How much investment did the projects bring?").slot.kind == "money"


def test_a_sum_is_asked_by_a_noun_ending_in_jin_fei_or_kuan():
    assert profile("省侨办争取的专项奖金是多少？").slot.kind == "money"
    assert profile("今年下拨的业务经费和捐款共多少？").slot.kind == "money"


def test_a_name_before_a_title_opens_with_a_surname():
    text = "本省担任联合会第九届轮值主席，任期两年。"
    assert [text[a:b] for a, b in person_spans(text)] == []
    text = "会上，宋建华主席致辞。"
    assert [text[a:b] for a, b in person_spans(text)] == ["宋建华"]


def test_both_cities_is_no_count_of_them():
    q = "How many fire boats did the city give?"
    assert _filled(q, "赠送消防艇3艘，两市共同打造友好典范。") == ["3艘"]


def test_a_foreign_name_that_opens_a_body_is_no_place():
    q = "本市一中与哪个城市的学校开展交流？"
    assert _filled(q, "推动本市一中与美国塔科马市林肯中学开展交流。") == ["塔科马市"]


def test_a_sentence_without_a_value_of_the_kind_asked_is_ruled_out():
    assert vetoed({"typed": 1.0, "filled": 0.0})
    assert not vetoed({"typed": 1.0, "filled": 0.5})
    assert not vetoed({"typed": 0.0, "filled": 0.0})


def test_a_known_person_is_no_place():
    q = "In which city will the summit be held?"
    assert _filled(q, "把峰会放在厦门举行，体现了习近平总书记的关心。") == ["厦门"]


def test_an_english_ordinal_meets_the_chinese_one_and_a_plan_period_is_none():
    from rag.bilingual import ordinals

    assert ordinals("Where was the ninth forum and the 21st fair held?") == ["第九", "第二十一"]
    assert ordinals("Under the 14th Five-Year Plan, what is planned?") == []


def test_a_number_an_english_question_states_is_no_count_it_asks():
    q = "How many agreements did the two cities sign during their 40th anniversary?"
    assert _filled(q, "两市共庆结好40周年，共签署合作协议12项。") == ["12项"]


def test_a_continent_is_neither_a_city_nor_a_country():
    q = "Which two countries in Europe did the province sign with?"
    assert _filled(q, "全力发展欧洲、非洲友城，与希腊、葡萄牙签署友好协议。") == ["希腊", "葡萄牙"]


def test_which_edition_asks_for_an_ordinal():
    q = "Which edition of the trade fair opened in the city?"
    assert profile(q).slot.unit == "第"
    assert _filled(q, "第十二届投资贸易洽谈会于5月在本市开幕，签约项目30个。") == ["第十二届"]


def test_review_cases_of_places_and_counts_that_must_still_fill():
    assert _filled("与日本哪个城市结好？", "与日本熊本市结好。") == ["日本熊本市"]  # 本 of a name, no determiner
    assert _filled("会谈在哪个城市举行？", "代表团在沪举行会谈。") == ["沪"]  # a municipality is a city
    assert _filled("与哪个国家开展合作？", "与澳洲开展合作。") == ["澳洲"]  # a country ending in 洲
    assert _filled("Within 5 years, how many batches did it receive?", "5年内接待来访5批。") == ["5批"]
    assert _filled("How much did the office obtain for poverty relief?", "争取扶贫资金311万元。") == ["311万元"]
    assert person_spans("德国总理朔尔茨会见了代表团。") == [(4, 7)]  # a foreign name before its verb


def test_a_development_zone_answers_where_something_is():
    q = "这两份文件里的“创业园”分别设在哪里？"
    assert _filled(q, "组织青山湖新区“创业园”参加博览会。") == ["青山湖新区"]
    assert _filled(q, "推进各类开发区“创业园”建设。") == []
