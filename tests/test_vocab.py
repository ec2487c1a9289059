"""ics_cli.vocab: the one place the words of the domain are defined and parsed."""

from __future__ import annotations

import pytest

from ics_cli import vocab
from ics_cli.errors import UsageError


@pytest.mark.parametrize(
    "word, kind",
    [
        ("icbs", "icb"),
        ("ICB", "icb"),
        (" ics ", "icb"),
        ("sub-icbs", "sub_icb"),
        ("sub_icb", "sub_icb"),
        ("subicbs", "sub_icb"),
        ("sicbl", "sub_icb"),
        ("sub-ICB locations", "sub_icb"),
        ("area teams", "area_team"),
        ("areateams", "area_team"),
        ("local-offices", "area_team"),
        ("gp-practices", "practice"),
        ("councils", "la"),
        ("lad", "la"),
        ("region", "region"),
    ],
)
def test_every_spelling_of_a_kind(word, kind):
    assert vocab.kind_of_word(word) == kind
    assert vocab.parse_kind(word) == kind


@pytest.mark.parametrize("word", ["", "icbz", "hospitals", "ICB S", None])
def test_unknown_kind_words(word):
    assert vocab.kind_of_word(word) is None
    with pytest.raises(UsageError, match="Use one of: regions, icbs, sub-icbs, stps, ccgs, area-teams"):
        vocab.parse_kind(word)


def test_resolve_levels_use_the_same_words():
    assert vocab.parse_level("sicbl") == vocab.parse_kind("sicbl") == "sub_icb"
    assert vocab.parse_level("regions") == "region"
    for word in ("trust", "practice", "la", "", "icbx"):
        with pytest.raises(UsageError, match=r"Unknown --to level .*Use one of: icb, sub-icb, region, stp, ccg, pcn\.$"):
            vocab.parse_level(word)


def test_one_step_word_each():
    assert vocab.step_word("became_sub_icb") == "became a sub-ICB location"
    assert vocab.step_word("boundary_transfer") == "boundary transfer"
    assert vocab.step_word("merger") == "merger"
    assert vocab.step_word("something_new") == "something new"


def test_one_span_formatter():
    assert vocab.span("2016-04-01", "2022-06-30") == "2016-04-01 to 2022-06-30"
    assert vocab.span("2022-07-01", None) == "2022-07-01 to now"
    assert vocab.span(None, None) == "before 2013 to now"
    assert vocab.span("2022-07-01", "9999-12-31", since=True) == "from 2022-07-01"
    assert vocab.span("2016-04-01", "2022-06-30", since=True) == "2016-04-01 to 2022-06-30"


def test_kind_hints():
    assert vocab.kind_hints("NHS Bassetlaw CCG") == ("ccg",)
    assert set(vocab.kind_hints("NHS Greater Manchester ICB - 00T")) == {"icb", "sub_icb"}
    assert vocab.kind_hints("Bassetlaw District Council") == ("la",)
    assert vocab.kind_hints("Bassetlaw") == ()


def test_event_kinds_and_measures():
    assert vocab.parse_event_kinds(" Policy, split ") == ("policy", "split")
    assert vocab.parse_event_kinds(None) is None
    for bad in ("mergers", "", ","):
        with pytest.raises(UsageError, match="Unknown event kind"):
            vocab.parse_event_kinds(bad)
    assert vocab.parse_measure("census_2021") == "census_2021"
    with pytest.raises(UsageError, match="use one of gp_registered_patients, ons_mid_year_estimate"):
        vocab.parse_measure("nope")


def test_member_sections_and_parent_order_name_real_kinds():
    assert {m.kind for m in vocab.MEMBER_SECTIONS} <= set(vocab.KINDS)
    assert set(vocab.PARENT_ORDER) <= set(vocab.KINDS)
    assert set(vocab.PRIORITY) == set(vocab.KINDS)
    assert set(vocab.RESOLVE_LEVELS) <= set(vocab.KINDS)


def test_ics_is_the_footprint_of_the_day():
    assert vocab.kind_of_word("ics", "2021-04-01") == vocab.parse_kind("ICSs", "2022-06-30") == "stp"
    assert vocab.kind_of_word("ics", "2022-07-01") == vocab.parse_kind("integrated care systems", "2026-08-01") == "icb"
    assert vocab.kind_of_word("ics") == "icb"  # without a day: the ICB
    assert vocab.parse_level("ics", "2020-01-01") == "stp"
    assert vocab.is_ics_word(" ICS ") and not vocab.is_ics_word("icbs")


def test_kinds_the_data_does_not_hold():
    assert [k.plural for k in vocab.not_held("North East Provider Collaborative")] == ["provider collaboratives"]
    assert [k.plural for k in vocab.not_held("Frimley ICP")] == ["integrated care partnerships (ICPs)"]
    assert [k.plural for k in vocab.not_held("place-based partnership; cancer alliance")] == [
        "place partnerships",
        "cancer alliances",
    ]
    assert vocab.not_held("Epicpoint") == vocab.not_held("") == vocab.not_held(None) == []
