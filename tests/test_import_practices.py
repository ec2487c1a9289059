"""Tests for scripts/importers/practice_ccgs.py and pcn_ccgs.py, run on the real raw files in ../shared/sources
(skipped without them): the practices' CCG history against the editions it is made from, and
against an independent source (the postcode sectors of the April 2021 LSOA lookup)."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from importers import org_common, pcn_ccgs, practice_ccgs

ROOT = Path(__file__).resolve().parents[1]

SHARED = ROOT.parent / "shared" / "sources"
if not SHARED.exists():
    SHARED = Path("/work/shared/sources")

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="raw sources not available")


def read(table: str) -> list[dict]:
    with open(ROOT / "data" / "sources" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def geo():
    return org_common.load_geo(SHARED)


@pytest.fixture(scope="module")
def lives():
    return {r["org_id"].split(":")[1]: (r["start"], r["end"]) for r in read("orgs") if r["kind"] == "practice"}


@pytest.fixture(scope="module")
def history(geo, lives):
    return practice_ccgs.ccg_history(SHARED, geo.ccg, read("successions"), lives)


def on(rows, day):
    found = [code for s, e, code, _ in rows if s <= day <= e]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_membership_history_gives_one_ccg_to_every_practice(geo, lives):
    # practices/MANIFEST.md: exactly one CCG for 100% of GP practices active on 1 April and
    # 1 October of each year 2013 to 2019 (the raw history, before any rule fills a gap).
    spans = practice_ccgs.read_epcmem(SHARED, geo.ccg)
    for year in range(2013, 2020):
        for day in (f"{year}-04-01", f"{year}-10-01"):
            if day > practice_ccgs.EPCMEM_AS_AT:
                continue
            alive = [p for p, (s, e) in lives.items() if (s or "") <= day <= (e or "9999")]
            counts = Counter(sum(1 for a, b, _ in spans.get(p, []) if a <= day <= (b or "9999")) for p in alive)
            # The opening days before ODS recorded a new practice's CCG, and Y03584's gap (2013-2015).
            assert counts[1] >= len(alive) - 1 and set(counts) <= {0, 1}, (day, counts)


def test_history_tiles_every_practice_life(history, lives, geo):
    rows, editions = history
    for code, (start, end) in lives.items():
        first, last = max(start or "", "2013-04-01"), min(end or "9999", "2022-06-30")
        if first > last:
            continue
        spans = rows[code]
        assert spans[0][0] == first and spans[-1][1] == last, code
        for (_, e, _, _), (s, _, _, _) in zip(spans, spans[1:]):
            assert practice_ccgs.day_after(e) == s, code
        for s, e, ccg, _ in spans:
            life = geo.ccg[ccg]
            assert life[0] <= s and e <= life[1], (code, ccg)
    assert {s for spans in rows.values() for _, _, _, s in spans if "between" in s} == {
        "derived_practice_ccg_between_20200331_20210331"
    }


def test_editions_are_read_as_the_manifest_counts(history):
    _, editions = history
    per = Counter(r[0] for r in editions)
    # MANIFEST "eng_gp_practices_with_ccg" less the codes that are not GP practices in epraccur 2025.
    assert per["nhsd_payments_gp_2019_20"] == 6990
    assert per["nhsd_qof_mapping_2020_21"] == 6571
    assert per["ods_epraccur_2021_11"] == 8218
    assert per["ods_epcn_2019_12"] == 6754


def test_an_undated_move_lies_between_the_editions_that_bracket_it(history):
    rows, _ = history
    # M83041: 05Q in epraccur 2019-11 and payments 2019-20 (31 March 2020), 05C in payments
    # 2020-21 (31 March 2021), D2P2L (the 2021 merger of 05C) in epraccur 2021-11.
    assert rows["M83041"] == [
        ("2013-04-01", "2021-03-30", "05Q", "ods_epcmem_2019_08"),
        ("2021-03-31", "2021-03-31", "05C", "derived_practice_ccg_between_20200331_20210331"),
        ("2021-04-01", "2021-08-31", "D2P2L", "ods_epraccur_2021_11"),
    ]


def test_history_agrees_with_postcode_sectors(history):
    """Independent of the practice files: where every LSOA of a practice's postcode sector lay in
    one CCG (ONS April 2021), the practice is in that CCG on 2021-06-01, but for practices near a
    boundary (members of one CCG standing in another's area)."""
    rows, _ = history
    with open(SHARED / "history" / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv", encoding="utf-8-sig") as fh:
        ccg21 = {r["CCG21CD"]: r["CCG21CDH"] for r in csv.DictReader(fh)}
    with open(SHARED / "history" / "geographr_lsoa11_ccg21_stp21_ltla21_lookup_2021-04_from_rda.csv", encoding="utf-8-sig") as fh:
        lsoa = {r["lsoa11_code"]: ccg21[r["ccg21_code"]] for r in csv.DictReader(fh)}
    sectors = defaultdict(set)
    with open(SHARED / "geography" / "theimpactlab_postcode_sector_to_lsoa11_imd.csv", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            sectors[r["Postcode Sector"]].add(lsoa[r["LSOA11CD"]])
    postcode = {r["org_id"].split(":")[1]: r["value"] for r in read("attributes") if r["key"] == "postcode"}
    agree, differ = 0, set()
    for code, spans in rows.items():
        ccg = on(spans, "2021-06-01")
        if ccg is None or " " not in postcode.get(code, ""):
            continue
        outward, inward = postcode[code].split(" ")
        found = sectors.get(outward.ljust(4) + inward[0], set())
        if len(found) == 1:
            if found == {ccg}:
                agree += 1
            else:
                differ.add(code)
    assert agree >= 0.995 * (agree + len(differ))
    assert {"M85124", "M85164", "Y01057"} <= differ  # West Birmingham practices in Birmingham's area


def test_pcn_relationships_only_the_2019_edition_holds():
    workbooks = pcn_ccgs.read(SHARED)
    # Pairs of the later editions (as the organisations importer reads them); the 2019 edition
    # adds the six pairs they dropped.
    rel = defaultdict(list)
    for file in ("ods_epcn_pcns_2024-10.xlsx", "ods_epcn_pcns_2023-01.xlsx"):
        _, part = practice_ccgs.epcn_workbook(SHARED / "organisations" / file)
        seen = defaultdict(list)
        for r in part:
            seen[(r[0], r[4])].append((practice_ccgs.xl_date(r[8]), practice_ccgs.xl_date(r[9]), file))
        for key, spans in seen.items():
            rel.setdefault(key, spans)
    older = pcn_ccgs.older_relationships(workbooks, rel)
    # G84021 (closed 2020-11-30) has no relationship in the later editions: kept, open-ended
    # (clipped to the practice's life by the importer). M86032 and E82017 are in other PCNs
    # from the same day in the later editions: the 2019 pair gives way.
    assert older[("G84021", "U87524")] == [("2019-10-01", "", "ods_epcn_2019_12")]
    assert ("M86032", "U07789") not in older and ("E82017", "U77203") not in older
    # B81688 (closed 2022-03-31) was to join U76753 on 2022-04-01 in the February 2022 edition;
    # the later editions dropped it, and the importer clips it to the practice's life (nothing).
    assert sorted(older) == [
        ("B81688", "U76753"),
        ("G84021", "U87524"),
        ("G85050", "U06180"),
        ("M84617", "U91762"),
        ("Y02754", "U23620"),
    ]


def test_a_pcn_given_a_ccg_none_of_its_practices_was_in():
    workbooks = pcn_ccgs.read(SHARED)
    details = {r[0]: r for r in workbooks[pcn_ccgs.S_EPCN19][0]}
    assert details["U97695"][2] == "05J"  # Malvern's practices were all in 05T (South Worcestershire)
    lives = {"U97695": ("2019-10-01", "")}
    ccg_life = {"05J": ("2013-04-01", "2020-03-31"), "05T": ("2013-04-01", "2020-03-31"), "18C": ("2020-04-01", "2022-06-30")}
    steps = [{"predecessor_id": f"ccg:{c}", "successor_id": "ccg:18C", "date": "2020-04-01"} for c in ("05J", "05T")]
    rows, _ = pcn_ccgs.ccg_history(
        workbooks,
        lives,
        ccg_life,
        steps,
        lambda pcn, day: ["M81039", "M81075"],
        lambda p, day: "05T" if day < "2020-04-01" else "18C",
    )
    assert rows["U97695"][0] == ("2019-10-01", "2020-03-31", "05T", "derived_pcn_ccg_from_members")
    assert rows["U97695"][1][:3] == ("2020-04-01", "2022-06-30", "18C")
