"""Tests for scripts/importers/organisations.py, run on the real raw files in ../shared/sources."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from importers import areas, curated, geography, history, organisations, small_areas
from importers.common import empty_tables
from schema import CSV_TABLES

ROOT = Path(__file__).resolve().parents[1]

SHARED = ROOT.parent / "shared" / "sources"
if not SHARED.exists():
    SHARED = Path("/work/shared/sources")

# Slow: the importers read the raw files of ../shared/sources.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SHARED.exists(), reason="raw sources not available")]

# The ICB-era facts, restated independently of the module.
ICB_ENDED = {"QHG", "QUE", "QM7", "QH8", "QJG", "QMM", "QMJ", "QRV", "QU9", "QNQ", "QXU", "QNX"}
ICB_NEW = {"S1Y5D", "D7T5G", "T6Y0W", "Z9B2Z", "S0E4D", "S9B9J"}
OPEN = "9999-12-31"


@pytest.fixture(scope="module")
def successions():
    """The CCG and sub-ICB successions the other importers find (as scripts/import_sources.py
    passes them on to the organisations importer)."""
    small = small_areas.build(SHARED, curated.la_changes())
    tables = empty_tables()
    for part in (curated.run(SHARED), history.run(SHARED), geography.run(SHARED, curated.la_changes(), small)):
        for table, rows in part.items():
            tables[table].extend(rows)
    return tables["successions"] + areas.run(SHARED, small, tables)["successions"]


@pytest.fixture(scope="module")
def tables(successions):
    return organisations.run(SHARED, successions)


def rows(tables, table, **where):
    return [r for r in tables[table] if all(r[k] == v for k, v in where.items())]


def on(tables, day, relation="part_of", child=None, parent_kind=None):
    """child -> set of parents on a day."""
    out = defaultdict(set)
    for r in tables["memberships"]:
        if r["relation"] != relation or not (r["start"] <= day <= (r["end"] or OPEN)):
            continue
        if child and r["child_id"] != child and not r["child_id"].startswith(child + ":"):
            continue
        if parent_kind and not r["parent_id"].startswith(parent_kind + ":"):
            continue
        out[r["child_id"]].add(r["parent_id"])
    return out


# --- shape and quality --------------------------------------------------------------------------


def test_counts(tables):
    counts = {k: len(v) for k, v in tables.items()}
    assert counts == {
        "orgs": 9924,
        "codes": 10060,
        "names": 10134,  # 84 more from the PCN names of the CCG-era ePCN editions
        "attributes": 8917,
        "memberships": 43446,
        "successions": 60,
        "populations": 7676,
        "editions": 87599,
    }
    kinds = Counter(r["kind"] for r in tables["orgs"])
    assert kinds == {"practice": 8233, "pcn": 1392, "trust": 275, "la": 24}


def test_columns_and_no_duplicates(tables):
    for table, items in tables.items():
        cols = CSV_TABLES[table].csv_columns
        keyed = [tuple(str(r.get(c, "")) for c in cols) for r in items]
        assert all(set(r) <= set(cols) for r in items), table
        assert len(set(keyed)) == len(keyed), table
    assert len({r["org_id"] for r in tables["orgs"]}) == len(tables["orgs"])


def test_dates_iso_and_ordered(tables):
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for table in ("orgs", "codes", "names", "attributes", "memberships"):
        for r in tables[table]:
            assert all(r[c] == "" or iso.match(r[c]) for c in ("start", "end")), r
            assert not (r["start"] and r["end"] and r["end"] < r["start"]), r
    assert all(iso.match(r["date"]) for r in tables["populations"])


def test_sources_defined_and_used(tables):
    # Source rows are data (data/curated/importer_sources.csv, added by the curated importer).
    described = {r["source"]: r for r in curated.run(SHARED)["sources"]}
    used = {r["source"] for items in tables.values() for r in items}
    assert "sources" not in tables
    assert used <= set(described), used - set(described)
    for source in used:
        r = described[source]
        assert r["title"] and r["publisher"] and r["edition"] and r["licence"] and r["note"], r
    assert "unverified" in described["community_icb_urls_2026_08"]["note"].lower()
    assert "unverified" in described["thirdparty_icb22_websites"]["note"].lower()


def test_deterministic(tables, successions):
    again = organisations.run(SHARED, successions)
    for table in tables:
        key = lambda r: tuple(str(v) for v in r.values())  # noqa: E731
        assert sorted(map(key, tables[table])) == sorted(map(key, again[table])), table


def _life(parent_id):
    kind, code = parent_id.split(":", 1)
    if kind == "icb":
        start = "2026-04-01" if code in ICB_NEW else "2022-07-01"
        return start, ("2026-03-31" if code in ICB_ENDED else OPEN)
    if kind == "sub_icb":
        start = "2026-04-01" if code == "U2G6B" else "2022-07-01"
        return start, ("2026-03-31" if code == "D4U1Y" else OPEN)
    if kind == "ccg":
        return "2013-04-01", "2022-06-30"
    return None


def test_parents_valid_on_every_day_used(tables):
    orgs = {r["org_id"]: r for r in tables["orgs"]}
    for r in tables["memberships"]:
        life = _life(r["parent_id"])
        if life is None:  # pcn parent: one of ours
            p = orgs[r["parent_id"]]
            life = (p["start"], p["end"] or OPEN)
        assert life[0] <= r["start"] and (r["end"] or OPEN) <= life[1], r
        child = orgs.get(r["child_id"])
        if child is None:
            assert r["child_id"].startswith("la:E"), r  # LAD orgs come from the geography importer
        else:
            assert (child["start"] or "") <= r["start"] and (r["end"] or OPEN) <= (child["end"] or OPEN), r


def test_one_parent_of_a_kind_per_day(tables):
    groups = defaultdict(list)
    for r in tables["memberships"]:
        if r["relation"] in ("part_of", "hq_in"):
            groups[(r["child_id"], r["relation"], r["parent_id"].split(":")[0])].append(r)
        else:
            groups[(r["child_id"], r["relation"], r["parent_id"])].append(r)
    for _key, items in groups.items():
        items.sort(key=lambda r: r["start"])
        for a, b in zip(items, items[1:]):
            assert (a["end"] or OPEN) < b["start"], (a, b)


def test_names_and_attributes_do_not_overlap(tables):
    for table, keyf in (("names", lambda r: r["org_id"]), ("attributes", lambda r: (r["org_id"], r["key"]))):
        groups = defaultdict(list)
        for r in tables[table]:
            groups[keyf(r)].append(r)
        for items in groups.values():
            items.sort(key=lambda r: r["start"])
            for a, b in zip(items, items[1:]):
                assert (a["end"] or OPEN) < b["start"], (a, b)


def test_no_icb_or_sub_icb_orgs_created(tables):
    assert not [r for r in tables["orgs"] if r["kind"] not in ("trust", "practice", "pcn", "la")]
    assert not [r for r in tables["orgs"] if r["org_id"].startswith("la:E")]


# --- trusts ----------------------------------------------------------------------------------


def test_trusts(tables):
    ids = {r["org_id"] for r in tables["orgs"] if r["kind"] == "trust"}
    assert "trust:RQF" not in ids and "trust:RT4" not in ids  # Welsh
    assert {"trust:K0N6A", "trust:TAD", "trust:TAH", "trust:TAJ", "trust:TAF"} <= ids
    assert rows(tables, "names", org_id="trust:RTD")[0]["name"] == "The Newcastle upon Tyne Hospitals NHS Foundation Trust"
    rww = sorted((r["start"], r["end"], r["name"]) for r in rows(tables, "names", org_id="trust:RWW"))
    assert rww == [
        ("2001-04-01", "2026-03-31", "Warrington and Halton Teaching Hospitals NHS Foundation Trust"),
        ("2026-04-01", "", "North Cheshire and Mersey NHS Foundation Trust"),
    ]
    ra7 = sorted((r["start"], r["end"]) for r in rows(tables, "names", org_id="trust:RA7"))
    assert ra7 == [("1991-04-01", "2026-06-30"), ("2026-07-01", "")]
    assert rows(tables, "orgs", org_id="trust:RVJ")[0]["end"] == "2026-06-30"
    assert {(r["value"], r["start"]) for r in rows(tables, "attributes", org_id="trust:RAT", key="postcode")} == {
        ("RM13 8GQ", "2001-04-01"),
        ("IG3 8XJ", "2026-04-01"),
    }
    assert rows(tables, "attributes", org_id="trust:RTD", key="trust_type")[0]["value"] == "foundation trust"
    assert rows(tables, "attributes", org_id="trust:RR8", key="trust_type")[0]["value"] == "NHS trust"


def test_trust_hq_in(tables):
    assert len(on(tables, "2022-07-01", "hq_in")) == 208
    assert len(on(tables, "2023-04-01", "hq_in")) == 207
    assert len(on(tables, "2025-01-01", "hq_in")) == 202
    assert len({p for v in on(tables, "2024-01-01", "hq_in").values() for p in v}) == 42
    assert len({p for v in on(tables, "2026-08-01", "hq_in").values() for p in v}) <= 36
    g = sorted(
        (r["parent_id"], r["start"], r["end"]) for r in rows(tables, "memberships", child_id="trust:G6V2S", relation="hq_in")
    )
    assert g == [("icb:QMJ", "2024-11-01", "2026-03-31"), ("icb:Z9B2Z", "2026-04-01", "")]
    assert on(tables, "2026-07-01", "hq_in")["trust:K0N6A"] == {"icb:QKK"}


def test_trust_partners(tables):
    partners = on(tables, "2023-01-01", "partner", child="trust")
    assert len({p for v in partners.values() for p in v}) == 42
    assert partners["trust:RX7"] == {"icb:QHM", "icb:QE1", "icb:QOP", "icb:QYG"}  # NW Ambulance
    assert "icb:QM7" in partners["trust:RYX"] and "icb:QM7" not in partners["trust:RYE"]  # CLCH fix
    rvy = rows(tables, "memberships", child_id="trust:RVY", relation="partner")
    assert [(r["parent_id"], r["end"]) for r in rvy] == [("icb:QYG", "2023-06-30")]
    assert rows(tables, "memberships", child_id="trust:RA4", relation="partner")[0]["end"] == "2023-03-31"
    assert rows(tables, "memberships", child_id="trust:TAF", relation="partner")[0]["end"] == "2024-10-31"


# --- councils -----------------------------------------------------------------------------------


def test_councils(tables):
    la_orgs = {r["org_id"] for r in tables["orgs"] if r["kind"] == "la"}
    assert len(la_orgs) == 24 and {"la:323", "la:812", "la:102", "la:218", "la:905"} <= la_orgs
    assert rows(tables, "names", org_id="la:323")[0]["name"] == "Lancashire County Council"
    # LAD-matched councils get only the ODS code and partner rows.
    assert [r["code"] for r in rows(tables, "codes", org_id="la:E08000021")] == ["107"]  # Newcastle
    assert [r["code"] for r in rows(tables, "codes", org_id="la:E06000047")] == ["116"]  # Durham
    assert [r["code"] for r in rows(tables, "codes", org_id="la:E06000060")] == ["916"]  # not stale 612
    assert not rows(tables, "names", org_id="la:E08000021")

    def partner(oid):
        return sorted(
            (r["parent_id"], r["start"], r["end"]) for r in rows(tables, "memberships", child_id=oid, relation="partner")
        )

    assert partner("la:102") == [("icb:QE1", "2022-07-01", "2023-03-31"), ("icb:QHM", "2022-07-01", "2023-03-31")]
    assert partner("la:E06000063") == [("icb:QE1", "2023-04-01", "2026-03-31"), ("icb:QHM", "2023-04-01", "2026-03-31")]
    assert partner("la:218")[0] == ("icb:QE1", "2022-07-01", "2023-03-31")
    assert ("icb:QWO", "2023-04-01", "2026-03-31") in partner("la:E06000065")
    assert partner("la:E08000031") == [("icb:QUA", "2022-07-01", "2026-03-31")]  # Wolverhampton
    assert len(partner("la:620")) == 3  # Essex: QH8, QJG, QM7
    # Councils are older than the data: no start (not 2013-04-01, which made them "established" then).
    assert {r["start"] for r in tables["orgs"] if r["kind"] == "la"} == {""}
    assert rows(tables, "codes", org_id="la:E08000021")[0]["start"] == ""
    assert [(r["code"], r["start"]) for r in rows(tables, "codes", org_id="la:E06000065")] == [("218", "2023-04-01")]
    assert [(r["code"], r["start"]) for r in rows(tables, "codes", org_id="la:E06000060")] == [("916", "2020-04-01")]
    # 156 councils; on 2023-04-01 Cumbria gives way to Cumberland and Westmorland and Furness.
    assert len(on(tables, "2023-01-01", "partner", child="la")) == 156
    assert len(on(tables, "2024-01-01", "partner", child="la")) == 157


# --- practices ----------------------------------------------------------------------------------


def test_practices(tables):
    assert rows(tables, "names", org_id="practice:A81001")[0]["name"] == "The Densham Surgery"
    a = sorted((r["parent_id"], r["start"], r["end"]) for r in rows(tables, "memberships", child_id="practice:A81001"))
    assert a == [
        ("ccg:00K", "2013-04-01", "2020-03-31"),
        ("ccg:16C", "2020-04-01", "2022-06-30"),
        ("pcn:U89141", "2019-10-01", "2026-03-31"),
        ("pcn:U89141", "2026-04-01", ""),
        ("sub_icb:16C", "2022-07-01", "2026-03-31"),
        ("sub_icb:16C", "2026-04-01", ""),
    ]
    # QOF fills the 03Q period before a 2024-04-01 move to 42D.
    b = sorted(
        (r["parent_id"], r["start"], r["end"])
        for r in rows(tables, "memberships", child_id="practice:B82002", parent_id="sub_icb:03Q")
    )
    assert b == [("sub_icb:03Q", "2022-07-01", "2024-03-31")]
    assert on(tables, "2024-04-01", child="practice:B82002", parent_kind="sub_icb")["practice:B82002"] == {"sub_icb:42D"}
    sizes = {r["org_id"]: r["value"] for r in tables["populations"] if r["measure"] == "qof_list_size"}
    assert len(sizes) == 6378 and sizes["practice:A81001"] == 3996 and sum(sizes.values()) == 62378057


def _parents(tables, practice, kinds=("ccg", "sub_icb")):
    return sorted(
        (r["parent_id"], r["start"], r["end"], r["source"])
        for r in rows(tables, "memberships", child_id=practice)
        if r["parent_id"].split(":")[0] in kinds
    )


def test_practice_sub_icb_agrees_with_qof_2022_23(tables):
    import csv

    with open(SHARED / "organisations" / "nhsd_qof_MAPPING_NHS_GEOGRAPHIES_2022-23.csv", encoding="utf-8-sig") as fh:
        qof = list(csv.DictReader(fh))
    subs = on(tables, "2023-03-31", parent_kind="sub_icb")
    assert all(subs[f"practice:{r['PRACTICE_CODE']}"] == {f"sub_icb:{r['SUB_ICB_ODS_CODE']}"} for r in qof)
    pcns = on(tables, "2023-03-31", parent_kind="pcn")
    agree = sum(pcns.get(f"practice:{r['PRACTICE_CODE']}") == {f"pcn:{r['PCN_ODS_CODE']}"} for r in qof)
    assert agree >= 0.98 * len(qof)  # the rest are mostly QOF "unallocated"


def test_frimley_practices_move_in_2026(tables):
    before = on(tables, "2026-03-31", child="practice", parent_kind="sub_icb")
    after = on(tables, "2026-04-01", child="practice", parent_kind="sub_icb")
    moved = Counter(next(iter(after[c])) for c, p in before.items() if p == {"sub_icb:D4U1Y"} and c in after)
    # The 66 in the August 2026 map; the two Slough practices it does not list closed by then.
    assert moved == {"sub_icb:U2G6B": 41, "sub_icb:D9Y0V": 14, "sub_icb:92A": 11}
    assert not [r for r in tables["memberships"] if r["parent_id"] == "sub_icb:D4U1Y" and (r["end"] or OPEN) > "2026-03-31"]
    # Every practice in the August 2026 map: one sub-ICB; all but the 52 unallocated: one PCN.
    assert sum(1 for c, p in on(tables, "2026-08-01", child="practice", parent_kind="sub_icb").items() if len(p) == 1) >= 6129
    assert len(on(tables, "2026-08-01", child="practice", parent_kind="pcn")) >= 6077


def test_open_practices_have_a_commissioner(tables):
    orgs = [r for r in tables["orgs"] if r["kind"] == "practice" and not r["end"]]
    subs = on(tables, "2025-09-01", parent_kind="sub_icb")
    assert len(orgs) == 6129 and all(len(subs[r["org_id"]]) == 1 for r in orgs)


def test_practices_absent_from_the_2026_map_closed(tables):
    # epraccur (September 2025) has 162 English GP practices with no close date (91 active, 71
    # dormant) that the August 2026 GP map does not list: closed in between, dated 2026-03-31 as
    # PCNs absent from the map are (the real date is unknown).
    import csv

    with open(SHARED / "geography" / "nhsd_gp_reg_pat_prac_map_2026-08.csv", encoding="utf-8-sig") as fh:
        gpmap = {r["PRACTICE_CODE"] for r in csv.DictReader(fh)}
    practices = {r["org_id"][9:]: r for r in tables["orgs"] if r["kind"] == "practice"}
    assert {c for c, r in practices.items() if not r["end"]} == gpmap
    ended = {c for c, r in practices.items() if r["end"] == "2026-03-31"}
    assert len(ended) == 162 and {"A87006", "E85617"} <= ended
    for code in ("A87006", "E85617"):
        spans = [r for r in tables["memberships"] if r["child_id"] == f"practice:{code}"]
        assert spans and max(r["end"] or OPEN for r in spans) == "2026-03-31"


# --- PCNs -------------------------------------------------------------------------------------


def test_pcns(tables):
    assert len(on(tables, "2024-10-01", child="pcn", parent_kind="sub_icb")) == 1285
    assert len(on(tables, "2026-08-01", child="pcn", parent_kind="sub_icb")) == 1298
    assert len(on(tables, "2022-06-30", child="pcn", parent_kind="ccg")) == 1262
    u = sorted((r["parent_id"], r["start"], r["end"]) for r in rows(tables, "memberships", child_id="pcn:U66218"))
    assert u == [
        ("ccg:03Q", "2019-10-01", "2022-06-30"),
        ("sub_icb:03Q", "2022-07-01", "2024-03-31"),
        ("sub_icb:42D", "2024-04-01", ""),
    ]
    assert rows(tables, "orgs", org_id="pcn:U04443")[0]["end"] == "2026-03-31"  # SS9 PCN, gone by 2026
    assert rows(tables, "orgs", org_id="pcn:U97460")[0]["start"] == "2026-04-01"  # SS9 North PCN, new
    names = sorted((r["start"], r["name"]) for r in rows(tables, "names", org_id="pcn:U03989"))
    assert names == [("2019-10-01", "Whitley PCN"), ("2024-04-01", "Reading Holybrook PCN")]
    assert on(tables, "2026-04-01", child="pcn:U03055")["pcn:U03055"] == {"sub_icb:D9Y0V"}  # ex-Frimley
    pops = {r["org_id"]: r["value"] for r in tables["populations"] if r["measure"] == "gp_registered_patients"}
    assert len(pops) == 1298 and "pcn:U" not in pops
    assert sum(pops.values()) + 219236 == 63237908  # plus "unallocated" = England total, Aug 2026


# --- websites -----------------------------------------------------------------------------------


def test_icb_websites(tables):
    web = rows(tables, "attributes", key="website")
    assert len(web) == 48
    assert {r["org_id"] for r in web if r["start"] == "2026-04-01"} == {f"icb:{c}" for c in ICB_NEW} | {
        r["org_id"] for r in web if r["org_id"][4:] not in ICB_ENDED
    }
    assert {r["org_id"][4:] for r in web if r["end"] == "2026-03-31"} == ICB_ENDED
    frimley = rows(tables, "attributes", key="website", org_id="icb:QNQ")
    assert [(r["value"], r["start"], r["end"]) for r in frimley] == [
        ("https://www.frimley.icb.nhs.uk", "2022-07-01", "2026-03-31")
    ]
