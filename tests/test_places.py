"""The gazetteer of Chinese places (rag.places): derived from CC-CEDICT, shipped as data."""

from __future__ import annotations

from rag.places import abbreviation_spans, build_gazetteer, gazetteer, mentions, most_specific, places_in


def test_the_shipped_gazetteer_is_what_cc_cedict_gives() -> None:
    assert gazetteer() == build_gazetteer()  # refresh with `python -m rag.derived` when CC-CEDICT changes


def test_cities_counties_and_provinces_are_known_with_their_province() -> None:
    g = gazetteer()
    assert g["佛山"].kind == "city" and g["佛山"].province == "广东"
    assert g["石家庄"].province == "河北"
    assert g["福建"].kind == "province"
    assert "和平" not in g  # a county as 和平县, but /peace/ alone
    assert "东方" not in g  # also /the East/


def test_places_are_found_at_word_starts_and_the_city_comes_before_its_province() -> None:
    assert [p.name for _, _, p in places_in("福州市外办和石家庄市外办")] == ["福州", "石家庄"]
    assert places_in("哪项城市建设") == []
    assert most_specific("广东省佛山市外事局") == "佛山"
    assert most_specific("香港特区政府代表团与广东省") == "广东"


def test_abbreviations_count_only_where_a_place_stands() -> None:
    assert [p for _, _, p in abbreviation_spans("认真筹备在榕举办的会晤")] == ["福州"]
    assert mentions("活动在京举行", "北京")
    assert not mentions("东京奥运会期间", "北京")


def test_the_shipped_names_are_what_cc_cedict_gives() -> None:
    from rag.cedict import build_names, names

    assert names() == build_names()  # refresh with `python -m rag.derived` when CC-CEDICT changes
    assert "俄罗斯" in names().proper and "汤显祖" in names().people
