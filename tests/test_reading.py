"""The reader's narrow contract: read(profile, candidates) -> Evidence, on inline documents
written for these tests, with hand-set similarities instead of a model; the constraint
clashes; the fitted abstention model as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.abstention import AbstentionModel, best_threshold, fit, load_model
from rag.answering import vetoed
from rag.lexical import tokenize
from rag.question import profile
from rag.reader import parse_document
from rag.reading import SIGNALS, Candidates, SentenceView, read
from rag.text import split_sentences
from rag.types import Document, Sentence


def candidates(question: str, docs: list[Document], cosines: dict[str, float] | None = None,
               named: frozenset[str] = frozenset()) -> Candidates:
    """Every sentence of ``docs`` as a candidate, paragraphs in document order; a sentence's
    cosine is looked up by a substring of it (0.80 otherwise)."""
    cosines = cosines or {}
    views = []
    for rank, doc in enumerate(docs):
        identity = frozenset(tokenize(f"{doc.meta.region or ''} {doc.meta.label}"))
        for p in doc.paragraphs:
            sentences = [Sentence(doc.name, p.number, i, start, text) for i, (start, text) in enumerate(split_sentences(p.text))]
            paragraph_tokens = frozenset(t for s in sentences for t in tokenize(s.text))
            previous = ""
            for s in sentences:
                cosine = next((v for k, v in cosines.items() if k in s.text), 0.80)
                views.append(SentenceView(s, p, doc.meta, rank, 1.0, cosine, frozenset(tokenize(s.text)), paragraph_tokens,
                                          identity | frozenset(tokenize(p.section_path)), identity, previous))
                previous = s.text
    weights = {t: 1.0 for t in tokenize(question)}
    regions = frozenset(d.meta.region for d in docs if d.meta.region)
    return Candidates(question, tuple(views), weights, {d.name: d for d in docs}, regions, named)


FUJIAN = parse_document("fj.txt", """福建省外事办公室2017年工作要点

一、拓展对外交往渠道

（一）服务会晤。扩大友城结好，力争与俄罗斯、印度和巴西缔结省级友城。积极参与会晤筹备工作。

（二）广交朋友。邀请5至8名外国专家学者与省领导开展对话。做好友谊奖评选工作。

二、密切港澳合作

认真筹备在榕召开的两岸侨务论坛。
""")
XIAMEN = parse_document("xm.txt", """厦门市外事办公室2019年工作总结

全年共迎来境外团组205批次，部级团组43批次。

市外办秘书长张三出席活动。
""")


def test_the_answer_is_the_sentence_that_fills_the_slot_and_the_list_is_whole() -> None:
    q = "福建2017年计划同哪些国家建立省级友城关系？"
    ev = read(profile(q), candidates(q, [FUJIAN], {"俄罗斯": 0.93}))
    assert "俄罗斯、印度和巴西" in ev.picks[0].snippet
    assert ev.picks[0].scored.sentence.paragraph == 3
    assert set(SIGNALS) <= set(ev.signals)


def test_a_count_of_something_else_is_a_near_miss_the_signals_show() -> None:
    # The only count in 名 counts experts, not the volunteers asked about: the value is of the
    # asked kind, but none of the words of what is counted stands in the sentence.
    q = "该省2017年准备招募多少名志愿者？"
    ev = read(profile(q), candidates(q, [FUJIAN], {"专家学者": 0.93}))
    assert ev.signals["typed"] == 1.0 and ev.signals["focus"] == 0.0
    doc = parse_document("v.txt", "志愿服务工作总结\n\n积极动员志愿者参与服务，邀请专家5名开展培训。\n")
    ev = read(profile(q), candidates(q, [doc], {"志愿者": 0.93}))
    assert ev.signals["filled"] == 0.0


def test_a_question_about_a_place_no_document_is_from_clashes() -> None:
    q = "贵州省2017年计划同哪些国家建立省级友城关系？"
    ev = read(profile(q), candidates(q, [FUJIAN, XIAMEN], {"俄罗斯": 0.93}))
    assert ev.signals["region_clash"] == 1.0 and vetoed(ev.signals)


def test_a_city_of_another_known_region_clashes_and_unknown_regions_never_do() -> None:
    q = "福州市外办2019年迎来多少批次境外团组？"
    ev = read(profile(q), candidates(q, [XIAMEN, FUJIAN], {"205批次": 0.95}))
    assert ev.picks[0].scored.sentence.doc == "xm.txt"
    assert ev.signals["region_clash"] == 1.0
    untitled = parse_document("page.txt", "全年共迎来境外团组205批次，部级团组43批次。\n")
    assert untitled.meta.region is None
    ev = read(profile(q), candidates(q, [untitled], {"205批次": 0.95}))
    assert ev.signals["region_clash"] == 0.0


def test_a_province_asked_is_answered_from_the_report_of_one_of_its_cities() -> None:
    # No document is from the province; a 岳阳 page reporting the province's meeting (全省…)
    # leads over a 江门 one of another province, and the province is not a name it lacks.
    yueyang = parse_document("yy.txt", "来源: https://www.yueyang.gov.cn/a.html\n全省商务工作会议召开\n\n"
                                       "会议在长沙召开，省商务厅厅长李四作工作报告。\n")
    jiangmen = parse_document("jm.txt", "江门市商务局工作动态\n\n全市商务工作会议召开，市商务局局长王五作工作报告。\n")
    assert (yueyang.meta.region, jiangmen.meta.region) == ("岳阳", "江门")
    q = "湖南省开商务工作会议时，工作报告是谁作的？"
    ev = read(profile(q), candidates(q, [jiangmen, yueyang], {"王五": 0.95, "李四": 0.94}))
    assert ev.picks[0].scored.sentence.doc == "yy.txt"
    assert ev.signals["region_clash"] == 0.0 and ev.signals["missing_name"] == 0.0


def test_a_year_asked_is_answered_from_the_document_of_that_year() -> None:
    older = parse_document("a.txt", "某市外办2019年工作总结\n\n全年赴海外举办招商活动10场。\n")
    newer = parse_document("b.txt", "某市外办2020年工作总结\n\n全年赴海外举办招商活动4场。\n")
    q = "某市外办2019年赴海外举办了多少场招商活动？"
    ev = read(profile(q), candidates(q, [newer, older], {"4场": 0.95, "10场": 0.90}))
    assert ev.picks[0].scored.sentence.doc == "a.txt" and ev.signals["year_clash"] == 0.0
    # With no document of the year asked, the clash stands (a near miss, not another year's figure).
    q = "某市外办2018年赴海外举办了多少场招商活动？"
    assert read(profile(q), candidates(q, [newer, older], {"4场": 0.95})).signals["year_clash"] == 1.0


def test_a_counted_list_of_a_kind_is_the_run_that_names_them_not_the_paragraphs_ordinals() -> None:
    doc = parse_document("p.txt", "某市港口合作总结\n\n一是完善机制，组建港口合作专班。二是拓展合作，同荷兰最大港、"
                                  "葡萄牙第一深水港建立联系。三是办好论坛，邀请外宾出席。\n")
    q = "该市和哪两个国家的港口建立联系？"
    ev = read(profile(q), candidates(q, [doc], {"荷兰": 0.93}))
    text = "".join(p.snippet for p in ev.picks)
    assert "荷兰" in text and "葡萄牙" in text and "三是" not in text


def test_a_year_the_sentence_opens_with_clashes_with_another_asked() -> None:
    doc = parse_document("r.txt", "信息公开年度报告\n\n2020年我局收到依申请公开信件1件。\n")
    q = "2021年的信息公开申请一共有几件？"
    ev = read(profile(q), candidates(q, [doc], {"信件": 0.95}))
    assert ev.signals["year_clash"] == 1.0


def test_a_place_written_by_its_abbreviation_fills_a_place_slot_and_mentions_it() -> None:
    q = "侨务论坛在福州哪里召开？"
    ev = read(profile(q), candidates(q, [FUJIAN], {"在榕召开": 0.95}))
    assert ev.signals["region_clash"] == 0.0
    assert "在榕召开" in ev.picks[0].snippet


def test_a_question_for_the_parts_of_a_section_is_answered_with_its_sub_headings() -> None:
    q = "福建2017年在拓展对外交往渠道上分哪几个方面？"
    ev = read(profile(q), candidates(q, [FUJIAN], {"一、拓展对外交往渠道": 0.95}))
    shown = [p.snippet for p in ev.picks]
    assert any("服务会晤" in s for s in shown) and any("广交朋友" in s for s in shown)
    assert len({p.scored.sentence.paragraph for p in ev.picks}) == 2  # each item cites its own paragraph


def test_every_quote_stands_verbatim_in_its_paragraph() -> None:
    for q, key in (("福建2017年在拓展对外交往渠道上分哪几个方面？", "一、拓展"), ("福建邀请多少名外国专家？", "专家学者"),
                   ("福建要同哪些国家建立友城？", "俄罗斯")):
        ev = read(profile(q), candidates(q, [FUJIAN], {key: 0.95}))
        for pick in ev.picks:
            s = pick.scored.sentence
            assert s.text in FUJIAN.paragraph(s.paragraph).text


def test_an_empty_candidate_set_yields_no_picks() -> None:
    q = "福建要同哪些国家建立友城？"
    empty = Candidates(q, (), {}, {})
    ev = read(profile(q), empty)
    assert ev.picks == () and ev.signals["cosine"] == 0.0


# --- the abstention model --------------------------------------------------------------

def test_the_model_separates_what_its_signals_separate_and_round_trips_as_json(tmp_path: Path) -> None:
    rows = [{"cosine": 0.9, "filled": 1.0}] * 20 + [{"cosine": 0.9, "filled": 0.0}] * 20
    labels = [True] * 20 + [False] * 20
    model = fit(rows, labels, ("cosine", "filled"), max_false_refusal=0.0)
    assert model.probability({"cosine": 0.9, "filled": 1.0}) > model.threshold > model.probability({"cosine": 0.9, "filled": 0.0})
    path = tmp_path / "m.json"
    path.write_text(model.to_json(), "utf-8")
    again = load_model(path)
    assert again == model
    assert json.loads(path.read_text("utf-8"))["features"] == ["cosine", "filled"]


def test_the_threshold_keeps_false_refusals_within_the_budget() -> None:
    answerable = [0.9, 0.8, 0.7, 0.6, 0.2]
    unanswerable = [0.1, 0.3, 0.5]
    t = best_threshold(answerable, unanswerable, max_false_refusal=0.2)
    assert sum(v < t for v in answerable) <= 1
    assert sum(v < t for v in unanswerable) == 3


def test_a_broken_model_file_is_a_clear_error(tmp_path: Path) -> None:
    from rag.errors import SettingsError

    path = tmp_path / "m.json"
    path.write_text('{"features": ["a"], "mean": [], "scale": [1], "coef": [1], "intercept": 0, "threshold": 0.5}')
    with pytest.raises(SettingsError, match="calibrate"):
        load_model(path)
    path.write_text("not json")
    with pytest.raises(SettingsError, match="calibrate"):
        load_model(path)


def test_the_shipped_model_reads_every_signal_the_reader_gives() -> None:
    model = load_model()
    assert isinstance(model, AbstentionModel)
    assert set(model.features) == set(SIGNALS)
    assert 0.0 < model.threshold < 1.0


PLAN = parse_document("plan.txt", """某省外事工作“十三五”发展规划

三、重点任务

（一）战略对接行动

1、服务国家战略

推进重点项目合作。

（二）渠道拓展行动

拓展友城交流渠道。

（三）品牌提质行动

打造品牌活动。
""")


def test_the_parts_of_a_section_the_question_names_are_its_sub_headings() -> None:
    q = "规划在重点任务一节提出哪三项行动？"
    ev = read(profile(q), candidates(q, [PLAN], {"推进重点项目合作": 0.95}))
    shown = [p.snippet for p in ev.picks]
    assert shown == ["（一）战略对接行动", "（二）渠道拓展行动", "（三）品牌提质行动"]
