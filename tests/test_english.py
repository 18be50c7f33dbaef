"""English answers rendered from Chinese spans without a model: numbers, ranges, dates,
ordinals, places and names (with and without a dictionary entry), and the check of each
rendering against the paragraph it cites. Inline sentences written for these tests; no
model, no index."""

from __future__ import annotations

import pytest

from rag import english as E
from rag.candidates import Pick, Scored
from rag.question import profile
from rag.types import Sentence


@pytest.mark.parametrize("chinese, english", [
    ("318批次", "318"),
    ("6至9名", "6 to 9"),
    ("4170.3亿美元", "417.03 billion US dollars"),
    ("2.6万人", "26,000 people"),
    ("65% 以上", "more than 65%"),
    ("30个以上", "more than 30"),
    ("260余个", "more than 260"),
    ("4年左右", "about 4 years"),
    ("十二个", "12"),
    ("1463.8亿元", "146.38 billion yuan"),
    ("3个百分点", "3 percentage points"),
    ("第七届", "the 7th"),
    ("第二十三次", "the 23rd"),
])
def test_numbers_ranges_and_ordinals(chinese, english):
    assert E.render_number(chinese) == english


def test_a_count_takes_the_noun_the_question_counts():
    noun = E.counted_noun("How many groups of visiting scholars did the office host last year?")
    assert noun == "groups of visiting scholars"
    assert E.render_number("41批", noun) == "41 groups of visiting scholars"
    assert E.counted_noun("How many exchange students arrived in May?") == "exchange students"
    assert E.counted_noun("What was the budget?") is None


@pytest.mark.parametrize("chinese, english", [
    ("2021年6月18日", "18 June 2021"),
    ("2003年4月", "April 2003"),
    ("10月27日", "27 October"),
    ("2015年", "2015"),
    ("7月下旬", "late July"),
    ("2024—2026年", "2024 to 2026"),
    ("二〇一八年五月", "May 2018"),
])
def test_dates(chinese, english):
    assert E.render_date(chinese) == english


@pytest.mark.parametrize("chinese, english", [
    ("4千余人", "more than 4000 people"),  # 千 and 百 scale like 万 and 亿
    ("6百人", "600 people"),
    ("2萬人", "20,000 people"),  # traditional characters and full-width digits are read
    ("２．５万人", "25,000 people"),
    ("兩千人", "2000 people"),
    ("三成", "30%"),
    ("百分之四十五", "45%"),
])
def test_scales_traditional_forms_and_percent_words(chinese, english):
    assert E.render(chinese, "count") == english


@pytest.mark.parametrize("vague", ["数十个", "几十万人", "上百个"])
def test_a_vague_count_states_no_number(vague):
    assert E.render(vague, "count") is None


def test_date_ranges_and_parts_of_a_month():
    assert E.render_date("2022年8月3日至6日") == "3 to 6 August 2022"
    assert E.render_date("4月中下旬") == "mid-to-late April"
    assert E.render_date("2021年中国—东盟博览会") == "2021"  # 中 of 中国 is no "mid"


def test_what_the_question_names_is_matched_by_word_not_by_a_shared_prefix():
    assert E._asked_already("Mexico", "place", "Which Mexican state signed?")
    assert not E._asked_already("Guangzhou", "place", "Which city in Guangdong hosted the fair?")


def test_a_gloss_that_points_to_chinese_is_cut_there():
    assert not E.CJK.search(E.glosses()["英国"].english)


def test_ordinal_suffixes():
    assert [E.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


@pytest.mark.parametrize("chinese, english", [
    ("德国", "Germany"),  # a dictionary name
    ("意大利罗马", "Rome, Italy"),  # a country, then its city: the larger place last in English
    ("杭州", "Hangzhou"),
])
def test_places_through_the_dictionary(chinese, english):
    assert E.render_place(chinese) == english


def test_a_place_the_dictionary_lacks_is_spelled_in_pinyin_after_the_name_it_knows():
    assert E.render_place("日本鹤冈市") == "Hegang City, Japan"


def test_a_span_that_opens_with_no_known_name_is_no_place():
    assert E.render_place("加快推进县") is None
    assert E.render_place("积极完善我市") is None


def test_people_with_and_without_a_dictionary_entry():
    assert E.render_person("周恩来") == "Zhou Enlai"  # CC-CEDICT lists him
    assert E.render_person("赵明华") == "Zhao Minghua"  # pinyin, family name first


def test_organisations_only_where_the_dictionary_lists_them():
    assert E.render_org("外交部") == "Ministry of Foreign Affairs"
    assert E.render_org("欧洲大洋洲交流科") is None  # no word-by-word guess


def test_document_numbers():
    assert E.render_docnumber("湘政办发〔2019〕23号") == "No. 23 of 2019"


def test_english_only_allows_chinese_inside_quotes_and_brackets_even_nested():
    assert E.english_only("Rome (罗马) — “与“罗马”结好” [1]")
    assert not E.english_only("罗马 [1]")
    assert not E.english_only("Rome — “与罗马结好” 结好 [1]")


def _pick(sentence: str, snippet: str | None = None, span: tuple[int, int] | None = None) -> Pick:
    s = Sentence("d.txt", 1, 0, 0, sentence)
    return Pick(Scored(s, None, 1.0, 1.0, 1.0, 1.0, True), snippet or sentence, span)  # no view is read


def _line(question: str, sentence: str, paragraph: str | None = None, span=None) -> str:
    p = profile(question)
    return E.line(question, p, _pick(sentence, span=span), paragraph or sentence, 1)


def test_a_list_answer_gives_each_item_in_english_with_its_chinese():
    q = "Which two countries did the province plan to open sister-province ties with?"
    text = _line(q, "今年力争与意大利和希腊缔结友好省州关系。")
    assert text == "Italy (意大利) and Greece (希腊)\n“今年力争与意大利和希腊缔结友好省州关系。” [1]"
    assert E.english_only(text)


def test_a_count_is_rendered_with_the_questions_noun_and_checked_by_value():
    q = "How many groups of visiting scholars did the office host?"
    sentence = "全年接待来访学者41批，共计3.2万人次。"
    text = _line(q, sentence, span=(sentence.index("41批"), sentence.index("41批") + 3))
    assert text.startswith("41 groups of visiting scholars (41批)\n“全年")


def test_what_the_question_itself_names_is_not_the_answer():
    q = "With which German city did the city sign a friendship agreement within three years?"
    text = _line(q, "三年内与德国法兰克福签署友好合作协议。")
    assert text.startswith("Frankfurt (法兰克福)\n"), text
    assert "Germany" not in text


def test_a_rendering_the_paragraph_does_not_bear_out_is_left_to_the_quote():
    q = "How many groups of visiting scholars did the office host?"
    sentence = "全年接待来访学者41批。"
    # The paragraph cited holds another number: the rendering cannot be checked, so only the quote stands.
    text = _line(q, sentence, paragraph="全年接待来访学者14批。", span=(8, 11))
    assert text == f"{E.NO_RENDERING}\n“全年接待来访学者41批。” [1]"


def test_with_no_span_to_render_the_chinese_stands_with_a_note():
    q = "What does the plan say about cultural exchanges?"
    text = _line(q, "深化与友城的文化交流。")
    assert text == f"{E.NO_RENDERING}\n“深化与友城的文化交流。” [1]"
