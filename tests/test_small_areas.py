"""Small areas against the real database: ics_cli.small_areas (LSOAs, blocks, postcode sectors,
areas' populations and flows), and the build's checks of the small areas and of populations on
the area of the day refusing data that breaks them (scripts/dbbuild/areas.py). Facts from the ONS
lookups (ons_lookups/ and geography/ MANIFESTs) and the issues (11, 12, 13)."""

from __future__ import annotations

import copy

import pytest

import build_db
from dbbuild import areas
from ics_cli import db
from ics_cli import small_areas as sa

pytestmark = pytest.mark.usefixtures("real_db")


# --- LSOAs ----------------------------------------------------------------------------------------


def test_hartlepool_014a_over_the_years():
    # E01011959 (Hartlepool 014A): 00K in the lookups of 2015-2019, 16C from 2020, sub-ICB 16C in QHM.
    assert sa.lsoa("E01011959") == {
        "lsoa": "E01011959",
        "name": "Hartlepool 014A",
        "name_2011": None,
        "in_2011": 1,
        "in_2021": 1,
        "block": sa.lsoa("E01011959")["block"],
        "bridge": None,
        "population": 2854,
    }
    days = {"2014-06-01": "ccg:00K", "2016-06-01": "ccg:00K", "2021-06-01": "ccg:16C", "2023-06-01": "sub_icb:16C"}
    for day, area in days.items():
        p = sa.lsoa_parents("E01011959", day)
        assert (p["area"], p["la"], p["inferred"], p["bridged"]) == (area, "la:E06000001", False, False), day
    block = sa.lsoa("E01011959")["block"]
    assert sa.levels_on("2023-06-01")[block] == {
        "area": "sub_icb:16C",
        "la": "la:E06000001",
        "system": "icb:QHM",
        "region": "region:Y63",
    }
    assert sa.levels_on("2016-06-01")[block]["system"] == "stp:E54000003"
    assert [(r["parent_id"], r["start"], r["end"]) for r in sa.lsoa_history("E01011959")] == [
        ("ccg:00K", "2013-04-01", "2020-03-31"),
        ("la:E06000001", "2013-04-01", None),
        ("ccg:16C", "2020-04-01", "2022-06-30"),
        ("sub_icb:16C", "2022-07-01", None),
    ]


def test_boundary_moves_between_editions():
    # South Cumbria (Barrow) went from 01H to 01K on 2017-04-01; Glossop (High Peak) from 01Y to 15M on 2022-07-01.
    assert sa.lsoa_parents("E01019138", "2017-03-31")["area"] == "ccg:01H"
    assert sa.lsoa_parents("E01019138", "2017-04-01")["area"] == "ccg:01K"
    assert sa.lsoa_parents("E01019727", "2022-06-30")["area"] == "ccg:01Y"
    assert sa.lsoa_parents("E01019727", "2022-07-01")["area"] == "sub_icb:15M"
    # Chichester 001A: in 92A in the lookups of 2020-2022, in 70F from the April 2023 change.
    assert [sa.lsoa_parents("E01031502", d)["area"] for d in ("2019-06-01", "2021-06-01", "2022-08-01", "2023-06-01")] == [
        "ccg:09G",
        "ccg:92A",
        "sub_icb:92A",
        "sub_icb:70F",
    ]


def test_what_the_sources_cannot_say_is_marked():
    # Newcastle's LSOAs in 2013-15: 00G or 00H, inferred from the two CCGs' practices.
    p = sa.lsoa_parents("E01008403", "2014-06-01")
    assert (p["area"], p["inferred"], p["source"]) == ("ccg:00H", True, "derived_lsoa_2013")
    assert sa.lsoa_parents("E01008403", "2015-04-01")["inferred"] is False
    # 09G before its boundary change of 2015-07-03, which no lookup shows.
    assert sa.lsoa_parents("E01031502", "2015-07-02")["inferred"] is True
    assert sa.lsoa_parents("E01031502", "2015-07-03")["inferred"] is False
    # An LSOA 2021 of a reorganised district, before April 2023: its parents are a guess.
    assert sa.lsoa("E01033951")["bridge"] == "majority" and sa.lsoa("E01033951")["in_2011"] == 0
    assert sa.lsoa_parents("E01033951", "2016-06-01")["bridged"] is True
    assert sa.lsoa_parents("E01033951", "2024-06-01")["bridged"] is False
    # A renamed LSOA keeps its 2011 name.
    assert (sa.lsoa("E01017756")["name"], sa.lsoa("E01017756")["name_2011"]) == ("Buckinghamshire 050C", "Chiltern 011C")


def test_unknown_and_malformed_lsoas():
    assert sa.lsoa("E01999999") is None and sa.lsoa_parents("E01999999", "2020-01-01") is None
    assert sa.lsoa_history("nope") == []
    assert sa.lsoa_code(" e01011959 ") == "E01011959"
    assert [sa.lsoa_code(x) for x in ("E0101195", "E02000001", "", None, "E01011959x", "01011959")] == [None] * 6
    p = sa.lsoa_parents("E01011959", "2012-01-01")  # before the data: no parents
    assert (p["area"], p["la"]) == (None, None)


def lsoa_map(day: str) -> dict[str, tuple[str, str]]:
    """Every LSOA code -> (area org id, district org id) on `day`, from the day's blocks."""
    blocks = sa.block_map(day)
    return {code: (blocks[b]["area"], blocks[b]["la"]) for code, b in sa.lsoa_blocks().items() if b in blocks}


def area_population(org_id: str, day: str) -> int | None:
    """Census 2021 residents of an organisation's area on `day`, summed over its blocks."""
    blocks = sa.area_blocks(org_id, day)
    return sum(blocks.values()) if blocks else None


def test_the_maps_of_a_day_cover_every_lsoa():
    day = lsoa_map("2016-06-01")
    assert len(day) == 34_789 and day["E01011959"] == ("ccg:00K", "la:E06000001")
    assert len({area for area, _ in day.values()}) == 209  # the CCGs of the day
    assert len({area for area, _ in lsoa_map("2024-06-01").values()}) == 106
    assert lsoa_map("2013-03-31") == {}
    rows = sa.block_parent_rows()
    assert {r["block"] for r in rows} == set(sa.block_map("2020-01-01")) == set(sa.block_populations())


# --- areas, populations and flows -------------------------------------------------------------------


def test_area_populations_are_those_of_the_area_of_the_day():
    # NHS Hampshire and Isle of Wight ICB (QRL): 1,823,965 residents on its 2022-2026 area, 1,998,260 after.
    assert area_population("icb:QRL", "2025-06-01") == 1_823_965
    assert area_population("icb:QRL", "2026-06-01") == 1_998_260
    assert area_population("sub_icb:D4U1Y", "2025-06-01") == 764_343
    assert area_population("sub_icb:D4U1Y", "2026-06-01") is None
    # They agree with the populations table, row by row of the area's days.
    rows = db.query(
        "SELECT org_id, value, start FROM populations WHERE measure = 'census_2021' AND org_id IN ('icb:QRL', 'ccg:05C', 'stp:E54000003', 'la:E06000001')"
    )
    for r in rows:
        assert area_population(r["org_id"], r["start"]) == r["value"], r
    total = sum(sa.block_populations().values())
    assert total == 56_490_091
    assert sum(area_population(f"region:{r}", "2014-01-01") for r in ("Y54", "Y55", "Y56", "Y57")) == total
    assert sa.area_blocks("trust:RTD", "2020-01-01") == {} and area_population("ccg:05C", "2022-07-01") is None


def test_area_flow_gives_the_share_of_the_part_that_moved():
    # Issue 13: Dudley (05C) merged into D2P2L in 2021; only West Birmingham went to 15E in 2022.
    flow = sa.area_flow("ccg:05C", "2021-03-31", "2022-07-01")
    assert flow["population"] == 323_461 and flow["level"] == "area"
    assert [(f["org_id"], f["share"]) for f in flow["flows"]] == [("sub_icb:D2P2L", 1.0)]
    merged = sa.area_flow("ccg:D2P2L", "2022-06-30", "2022-07-01")
    assert [f["org_id"] for f in merged["flows"]] == ["sub_icb:D2P2L", "sub_icb:15E"]
    assert round(merged["flows"][1]["share"], 4) == 0.1253
    # The successions carry the same shares.
    share = db.query_one("SELECT share FROM successions WHERE predecessor_id = 'ccg:D2P2L' AND successor_id = 'sub_icb:15E'")
    assert share["share"] == 0.1253
    # Another level: 05C's residents' ICB; an STP's re-footprinting (North Durham, 2017).
    assert [f["org_id"] for f in sa.area_flow("ccg:05C", "2021-03-31", "2022-07-01", "icb")["flows"]] == ["icb:QUA"]
    stp = sa.area_flow("stp:E54000003", "2016-12-31", "2017-01-01")
    assert [(f["org_id"], round(f["share"], 4)) for f in stp["flows"]] == [("stp:E54000045", 0.8167), ("stp:E54000046", 0.1833)]
    # Frimley's sub-ICB location in April 2026, by district.
    frimley = {f["org_id"]: round(f["share"], 4) for f in sa.area_flow("sub_icb:D4U1Y", "2026-03-31", "2026-04-01")["flows"]}
    assert frimley == {"sub_icb:U2G6B": 0.5712, "sub_icb:D9Y0V": 0.228, "sub_icb:92A": 0.2008}
    # Residents in no organisation of that level on the later day; no area on the first day.
    gone = sa.area_flow("ccg:05C", "2021-03-31", "2022-07-01", "area_team")
    assert gone["flows"] == [{"org_id": None, "population": 323_461, "share": 1.0}]
    assert sa.area_flow("ccg:05C", "2022-07-01", "2023-01-01") is None


# --- postcodes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, sector, district",
    [
        ("SW1A 1AA", "SW1A 1", "SW1A"),
        (" sw1a1aa ", "SW1A 1", "SW1A"),
        ("SW1A 1", "SW1A 1", "SW1A"),
        ("DN22 7XF", "DN22 7", "DN22"),
        ("E1 7", "E1 7", "E1"),
        ("GU14", None, "GU14"),
        ("NW10", None, "NW10"),
        ("not a postcode", None, None),
        ("", None, None),
    ],
)
def test_postcode_shapes(text, sector, district):
    assert (sa.sector_of(text), sa.district_of(text)) == (sector, district)


def test_a_postcode_resolves_through_its_sectors_lsoas():
    # Issue 12: SW1A 1AA is in Westminster (W2U3Z, North West London), never South West London (36L).
    assert sa.sector_areas(sa.sector_of("SW1A 1AA"), "2021-06-01") == [{"org_id": "ccg:W2U3Z", "lsoas": 1, "share": 1.0}]
    assert [c["org_id"] for c in sa.sector_areas("SW1A 1", "2024-06-01", "icb")] == ["icb:QRV"]
    assert [c["org_id"] for c in sa.sector_areas("SW1A 1", "2026-08-01", "icb")] == ["icb:Z9B2Z"]
    assert sa.sector_blocks("ZZ99 9") == [] and sa.sector_areas("ZZ99 9", "2020-01-01") == []
    # A district through its sectors, on the day: Bassetlaw's DN22 in 02Q and its STP, then QT1.
    assert sa.district_areas("DN22", "2019-01-01") == [{"org_id": "ccg:02Q", "lsoas": 39, "share": 1.0}]
    assert [c["org_id"] for c in sa.district_areas("DN22", "2019-01-01", "stp")] == ["stp:E54000009"]
    assert [c["org_id"] for c in sa.district_areas("DN22", "2023-01-01", "icb")] == ["icb:QT1"]
    # A district that straddles a boundary: every candidate, by its share of LSOAs.
    straddle = sa.district_areas("GU15", "2019-01-01")
    assert len(straddle) > 1 and abs(sum(c["share"] for c in straddle) - 1) < 1e-9
    assert straddle == sorted(straddle, key=lambda c: (-c["lsoas"], c["org_id"]))


# --- the build refuses small areas and populations that break the invariants -----------------------


@pytest.fixture(scope="module")
def sources():
    return build_db.read_sources(build_db.ROOT / "data" / "sources")


def test_the_committed_small_areas_pass(sources):
    end = build_db.data_end(sources)
    assert areas.check_blocks(sources, end) == []
    assert areas.check_census_counts(sources) == []
    assert areas.check_population_days(sources) == []


@pytest.mark.slow  # validates the whole build (seconds)
def test_a_block_without_an_area_or_with_two_is_refused(sources):
    t = copy.deepcopy(sources)
    row = next(r for r in t["block_parents"] if r["parent_id"] == "ccg:00K")
    t["block_parents"].remove(row)
    problems = areas.check_blocks(t, "2026-08-01")
    assert any(f"block {row['block']} has no area parent(s) on 2013-04-01" in p for p in problems)
    t["block_parents"] = [r for r in t["block_parents"] if r["parent_id"] != "ccg:00K"]
    assert any("alive but holding none ['ccg:00K']" in p for p in areas.check_blocks(t, "2026-08-01"))
    t = copy.deepcopy(sources)
    t["block_parents"].append({**row, "parent_id": "ccg:00M"})
    assert any(f"block {row['block']} has two area parent(s)" in p for p in areas.check_blocks(t, "2026-08-01"))


@pytest.mark.slow  # validates the whole build (seconds)
def test_an_area_holding_blocks_when_it_did_not_exist_is_refused(sources):
    t = copy.deepcopy(sources)
    row = next(r for r in t["block_parents"] if r["parent_id"] == "sub_icb:16C")
    row["start"], row["parent_id"] = "2013-04-01", "sub_icb:16C"
    problems = areas.check_blocks(t, "2026-08-01")
    assert any("holding blocks but not alive ['sub_icb:16C']" in p for p in problems)


@pytest.mark.slow  # validates the whole build (seconds)
def test_census_counts_that_do_not_add_up_are_refused(sources):
    t = copy.deepcopy(sources)
    t["blocks"][0]["population"] = str(int(t["blocks"][0]["population"]) + 1)
    assert any("is not the sum of its LSOAs'" in p for p in areas.check_census_counts(t))
    t = copy.deepcopy(sources)
    next(r for r in t["lsoas"] if r["population"])["population"] = "1"
    assert any("add up to" in p for p in areas.check_census_counts(t))


@pytest.mark.slow  # validates the whole build (seconds)
def test_populations_must_tile_england_on_every_day_they_are_given(sources):
    def qrl(t):
        return [r for r in t["populations"] if r["org_id"] == "icb:QRL" and r["measure"] == "census_2021"]

    # The old approximation: the 2026 area's figure on every date (QRL's 42-ICB-era row dropped, the other extended).
    t = copy.deepcopy(sources)
    old, new = sorted(qrl(t), key=lambda r: r["start"])
    t["populations"].remove(old)
    new["start"] = old["start"]
    problems = areas.check_population_days(t)
    assert any("census_2021 on 2022-07-01, summed over icbs, is 56,664,386" in p for p in problems), problems[:3]
    # A figure missing for an organisation of the day; two figures for one day.
    t = copy.deepcopy(sources)
    t["populations"].remove(sorted(qrl(t), key=lambda r: r["start"])[0])
    assert any("no figure for ['icb:QRL']" in p for p in areas.check_population_days(t))
    t = copy.deepcopy(sources)
    t["populations"].append({**qrl(t)[0], "start": "2024-01-01", "end": ""})
    assert any("overlapping figures for ('icb:QRL', 'census_2021'" in p for p in areas.check_population_days(t))
