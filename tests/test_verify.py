"""The verifier of generated answers: hand-written model outputs against hand-written
paragraphs and real paragraphs of the seed documents. No model is loaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.corpus import load_corpus
from rag.types import Claim, Verdict
from rag.verify import facts, is_refusal, markers_of, parse_chinese_number, render, sentences, supported, verify

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seed_paragraphs() -> list[str]:
    return [p.text for d in load_corpus(SEEDS).documents for p in d.paragraphs]


def seed(paragraphs: list[str], snippet: str) -> str:
    """The one seed paragraph that contains ``snippet``."""
    found = [p for p in paragraphs if snippet in p]
    assert len(found) == 1, f"{snippet!r} is in {len(found)} seed paragraphs"
    return found[0]


def only(verdict: Verdict) -> Claim:
    assert len(verdict.claims) == 1, verdict.claims
    return verdict.claims[0]


# --- numbers and dates -------------------------------------------------------------------


def test_a_changed_ordinal_is_removed() -> None:
    claim = only(verify("第十届海峡论坛在厦门举行[1]。", ["第五届海峡论坛于6月在厦门举行。"]))
    assert claim.problem == "'第十届' is in none of the paragraphs it cites"
    assert claim.unsupported == ("第十届",)


def test_a_changed_number_in_a_seed_paragraph_is_removed(seed_paragraphs: list[str]) -> None:
    p = seed(seed_paragraphs, "中韩海域划界谈判工作组第五轮会谈")
    verdict = verify("厦门办好了中韩海域划界谈判工作组第十轮会谈[1]。第三届巡回展在泰国、马来西亚等六国举办[1]。", [p])
    assert [c.unsupported for c in verdict.claims] == [("第十轮",), ()]
    assert [c.text for c in verdict.kept] == ["第三届巡回展在泰国、马来西亚等六国举办[1]。"]


@pytest.mark.parametrize(
    ("claim", "paragraph"),
    [
        ("新建国际友城十五对[1]。", "力争新建国际友城15对。"),
        ("新建国际友城15对[1]。", "力争新建国际友城十五对。"),
        ("新建国际友城１５对[1]。", "力争新建国际友城15对。"),  # full-width digits
        ("吸引投资三万美元[1]。", "吸引投资3万美元。"),
        ("吸引投资30000美元[1]。", "吸引投资3万美元。"),
        ("共有一百零五个项目[1]。", "签订105个项目。"),
        ("该计划于2017年印发[1]。", "本计划于二〇一七年印发。"),
        ("该计划于2017年印发[1]。", "本计划于 2017 年印发。"),
        ("资源的百分之八十配置给企业[1]。", "将 80% 以上的资源配置给企业。"),
        ("Some 1,500 delegates attended [1].", "来自海内外的1500名赣商赣才齐聚一堂。"),
        ("Investment reached 10.58 billion US dollars [1].", "签订总投资额达105.8亿美元的项目。"),
    ],
)
def test_a_number_is_supported_by_its_value_in_another_form(claim: str, paragraph: str) -> None:
    assert only(verify(claim, [paragraph])).problem is None


def test_a_year_does_not_support_the_number_it_ends_with() -> None:
    claim = only(verify("新建国际友城15对[1]。", ["2015年新建国际友城若干对。"]))
    assert claim.unsupported == ("15对",)
    assert not supported("15", ["2015年"])
    assert supported("2015", ["2015年"])


def test_a_number_only_in_a_passage_the_sentence_does_not_cite_is_removed() -> None:
    paragraphs = ["江西省与多国缔结友好城市。", "江西省累计与35个国家缔结91对国际友好城市。"]
    verdict = verify("江西省与35个国家缔结友好城市[1]。江西省与35个国家缔结友好城市[2]。", paragraphs)
    assert verdict.claims[0].unsupported == ("35个",)
    assert verdict.claims[1].problem is None


@pytest.mark.parametrize(
    ("run", "value"),
    [("十", 10), ("十五", 15), ("二十三", 23), ("一百零五", 105), ("两千", 2000), ("三万", 30000),
     ("一亿二千万", 120_000_000), ("二〇一七", 2017), ("一千零五十", 1050)],
)
def test_chinese_numerals_parse_to_their_value(run: str, value: int) -> None:
    assert parse_chinese_number(run) == value


@pytest.mark.parametrize("run", ["十三五", "五六", "一百五", "三万五", "万亿"])
def test_a_run_that_is_not_one_number_does_not_parse(run: str) -> None:
    assert parse_chinese_number(run) is None


def test_a_run_that_is_not_one_number_must_occur_as_written() -> None:
    assert supported("十三五", ["“十三五”时期是关键期。"])
    assert not supported("十二五", ["“十三五”时期是关键期。"])


def test_a_lone_one_is_a_count_only_after_di_or_before_a_measure_word() -> None:
    assert facts("进一步推动一带一路建设，统一对外宣传，是重要城市之一[1]。") == ()
    assert facts("建设一个中心，举办第一届论坛[1]。") == ("一个", "第一届")


def test_months_must_match_months() -> None:
    assert only(verify("The agreement was signed in May 2017 [1].", ["2017年5月，双方签署协议。"])).problem is None
    claim = only(verify("The agreement was signed in May 2017 [1].", ["2017年6月，双方签署协议，共5项。"]))
    assert claim.unsupported == ("May",)
    assert only(verify("双方于2017年5月签署协议[1]。", ["2017年6月，双方签署协议，共5项。"])).unsupported == ("5月",)


def test_english_number_words_are_numbers() -> None:
    assert only(verify("It was the fifth forum [1].", ["第五届论坛在厦门举行。"])).problem is None
    assert only(verify("It was the tenth forum [1].", ["第五届论坛在厦门举行。"])).unsupported == ("tenth",)


def test_a_number_glued_to_a_full_stop_is_still_a_number() -> None:
    # A small model wrote "…from 2018 onwards.1[1]": the 1 is no decimal part of anything.
    claim = only(verify("It is based in Zhoushan from 2018 onwards.1[1].", ["舟山2018年起永久落户。"]))
    assert claim.unsupported == ("1",)
    assert only(verify("It grew 3.5 percent [1].", ["增长3.5%。"])).problem is None


# --- citations ---------------------------------------------------------------------------


def test_a_citation_to_a_passage_that_was_not_given_removes_the_sentence() -> None:
    paragraphs = ["福建省推动与金砖国家友城领导互访。", "厦门市承办金砖会晤。"]
    verdict = verify("厦门市承办金砖会晤[3]。厦门市承办金砖会晤[2][3]。", paragraphs)
    assert [c.problem for c in verdict.claims] == ["cites [3], which was not given"] * 2
    assert verdict.kept == ()


def test_an_uncited_sentence_is_removed_and_a_cited_one_kept() -> None:
    verdict = verify("厦门市承办金砖会晤[1]。这体现了中央的信任。", ["厦门市承办金砖会晤。"])
    assert [c.problem for c in verdict.claims] == [None, "no citation"]
    assert verdict.refusal is False


@pytest.mark.parametrize(
    ("output", "markers"),
    [
        ("厦门承办会晤[1,2]。", (1, 2)),
        ("厦门承办会晤[1，2]。", (1, 2)),
        ("厦门承办会晤【1】。", (1,)),
        ("厦门承办会晤［2］。", (2,)),
        ("厦门承办会晤[1-2]。", (1, 2)),
        ("厦门承办会晤[2][1][2]。", (2, 1)),
        ("厦门承办会晤。[1][2]", (1, 2)),
        ("厦门承办会晤。\n[2]", (2,)),
        ("Xiamen hosted the summit. [1]", (1,)),
    ],
)
def test_marker_formats_are_normalised(output: str, markers: tuple[int, ...]) -> None:
    claim = only(verify(output, ["厦门市承办金砖会晤。", "厦门做好会晤服务保障。"]))
    assert claim.markers == markers
    assert claim.problem is None


def test_sentences_split_on_chinese_and_english_ends_and_drop_bullets() -> None:
    output = "回答：\n1. 厦门承办会晤。[1]\n- 福建推动互访；厦门做好保障[2]\n2）平潭[1]\n• It grew 105.8 percent [1]. It ended!"
    assert sentences(output) == [
        "厦门承办会晤。[1]", "福建推动互访；", "厦门做好保障[2]", "平潭[1]", "It grew 105.8 percent [1].", "It ended!"
    ]
    assert markers_of("[3-5]【7】") == (3, 4, 5, 7)


def test_a_bracketed_year_is_not_a_marker_and_no_dot_does_not_end_a_sentence() -> None:
    claim = only(verify("The notice is Min Zheng Wai Mi [2017] No. 11 [1].", ["闽政外秘〔2017〕11号"]))
    assert claim.markers == (1,)
    assert claim.problem is None
    assert only(verify("The notice is No. 12 [1].", ["闽政外秘〔2017〕11号"])).unsupported == ("12",)


# --- names -------------------------------------------------------------------------------


def test_a_place_not_in_the_cited_paragraph_is_removed(seed_paragraphs: list[str]) -> None:
    p = seed(seed_paragraphs, "派出8位外派教师赴菲律宾、泰国、印尼任教")
    verdict = verify("江西派出8位外派教师赴俄罗斯任教[1]。江西派出8位外派教师赴泰国任教[1]。", [p])
    assert verdict.claims[0].unsupported == ("俄罗斯",)
    assert verdict.claims[1].problem is None


def test_a_title_changed_by_one_character_is_removed(seed_paragraphs: list[str]) -> None:
    p = seed(seed_paragraphs, "《厦门市市级机构改革实施方案》")
    right = verify("根据《厦门市市级机构改革实施方案》，市委外办设在市外办[1]。", [p])
    wrong = verify("根据《厦门市市级机构改革实施方略》，市委外办设在市外办[1]。", [p])
    assert only(right).problem is None
    assert only(wrong).unsupported == ("《厦门市市级机构改革实施方略》",)


def test_quoted_words_must_occur_verbatim() -> None:
    assert only(verify("要服务“金砖”[1]。", ["服务“金砖”。"])).problem is None
    assert only(verify("要服务“海丝”[1]。", ["服务“金砖”。"])).unsupported == ("“海丝”",)


def test_common_words_that_are_also_place_names_are_not_names() -> None:
    # 友好 is also a district (/Youhao district/), 资源 a county; both are common words first.
    assert facts("加强友好合作，推动资源共享，取得成功[1]。") == ()
    assert facts("力争与俄罗斯和印度缔结省级友城[1]。") == ("俄罗斯", "印度")


def test_a_city_is_supported_with_or_without_its_administrative_suffix() -> None:
    assert supported("厦门市", ["支持厦门、福州集中力量筹备好会晤。"])
    assert not supported("泉州市", ["支持厦门、福州集中力量筹备好会晤。"])


def test_english_names_are_found_through_the_dictionary() -> None:
    paragraph = "福建省将深化与东盟国家合作，力争与泰国缔结友好省份关系。"
    assert only(verify("Fujian aims to sign with Thailand [1].", [paragraph])).problem is None
    assert only(verify("Fujian aims to sign with Brazil [1].", [paragraph])).unsupported == ("Brazil",)
    ministry = only(verify("The Ministry of Foreign Affairs supports Fujian [1].", ["争取外交部支持福建。"]))
    assert ministry.problem is None


def test_an_english_name_is_not_supported_by_a_word_that_merely_mentions_it(seed_paragraphs: list[str]) -> None:
    # 金砖 is glossed "BRIC/BRICS economic bloc (Brazil, Russia, India, China, South Africa)":
    # Brazil must begin a gloss of a word in the paragraph, not occur somewhere inside one.
    p = seed(seed_paragraphs, "力争与俄罗斯和印度缔结省级友城")
    assert only(verify("Fujian aims to form sister provinces with Russia and India [1].", [p])).problem is None
    assert only(verify("Fujian aims to form a sister province with Brazil [1].", [p])).unsupported == ("Brazil",)


def test_an_english_name_must_begin_a_gloss_not_merely_occur_in_one() -> None:
    # 平潭 is glossed "Pingtan county in Fuzhou 福州, Fujian": it supports Pingtan, not Fuzhou.
    paragraph = "平潭综合实验区外侨办负责对外交流。"
    assert only(verify("Pingtan has a foreign affairs office [1].", [paragraph])).problem is None
    assert only(verify("Fuzhou has a foreign affairs office [1].", [paragraph])).unsupported == ("Fuzhou",)


def test_a_romanised_name_is_supported_by_its_pinyin(seed_paragraphs: list[str]) -> None:
    p = seed(seed_paragraphs, "第三届华人华侨赣鄱投资创业洽谈会")
    assert only(verify("The third Huagan Conference opened in Nanchang on November 28 [1].", [p])).problem is None
    assert only(verify("The third Huagan Conference opened in Wuhan [1].", [p])).unsupported == ("Wuhan",)


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "output",
    [
        "文件中没有找到这个问题的答案。",
        "“文件中没有找到这个问题的答案。”",
        "根据提供的段落，无法回答该问题。",
        "The documents do not contain an answer to this question.",
        "Answer: The passages don't mention when the forum was held.",
    ],
)
def test_a_refusal_is_recognised_and_nothing_is_kept(output: str) -> None:
    verdict = verify(output, ["第五届海峡论坛在厦门举行。"])
    assert verdict.refusal is True
    assert verdict.kept == ()
    assert {c.problem for c in verdict.claims} == {"refusal"}


def test_a_mixed_output_keeps_its_supported_claims() -> None:
    verdict = verify("第五届海峡论坛在厦门举行[1]。文件中没有提到具体日期。", ["第五届海峡论坛在厦门举行。"])
    assert verdict.refusal is False
    assert [c.text for c in verdict.kept] == ["第五届海峡论坛在厦门举行[1]。"]


def test_refusal_wording_is_not_found_in_ordinary_claims() -> None:
    assert not is_refusal("第五届海峡论坛在厦门举行[1]。")
    assert not is_refusal("The forum was held in Xiamen [1].")
    assert is_refusal("The passages do not specify the date.")


# --- output ------------------------------------------------------------------------------


def test_render_joins_kept_sentences_with_their_markers() -> None:
    paragraphs = ["第五届海峡论坛在厦门举行。", "论坛签约15个项目。"]
    zh = verify("第五届海峡论坛在厦门举行【1】。论坛签约20个项目[2]。论坛签约15个项目。[2]", paragraphs)
    assert render(zh.claims) == "第五届海峡论坛在厦门举行【1】。论坛签约15个项目。[2]"
    en = verify("The fifth forum was held in Xiamen [1]. It signed 20 projects [2]. It signed 15 projects [2].", paragraphs)
    assert render(en.kept) == "The fifth forum was held in Xiamen [1]. It signed 15 projects [2]."


def test_every_seed_sentence_stands_against_its_own_paragraph(seed_paragraphs: list[str]) -> None:
    """Whatever the fact extraction finds in a real sentence, the paragraph it came from has."""
    checked = 0
    for p in seed_paragraphs:
        for s in re.split(r"(?<=[。！？；])", p):
            if len(s.strip()) > 4:
                fs = facts(s)
                assert all(supported(f, [p]) for f in fs), (s, [f for f in fs if not supported(f, [p])])
                checked += len(fs)
    assert checked > 500


def test_an_english_amount_is_checked_by_value_against_chinese_units() -> None:
    # 4170.3亿 is 417.03 billion and 2.6万 is 26,000: an English answer states them so.
    paragraph = "累计实际利用外资4170.3亿美元，参与人数达2.6万人。"
    assert only(verify("The total reached 417.03 billion US dollars [1].", [paragraph])).problem is None
    assert only(verify("The total reached 41.703 billion US dollars [1].", [paragraph])).unsupported == ("41.703 billion",)
    assert only(verify("About 26,000 people took part [1].", [paragraph])).problem is None
    assert only(verify("About 2,600 people took part [1].", [paragraph])).unsupported == ("2,600",)
