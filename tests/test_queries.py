"""The query layer against the real database: ics_cli.queries, resolve, lineage, timeline,
search and bulk. Plain function calls (no CLI), so each test says exactly which function gives
which answer. The facts are the ones checked in test_data.py against the source MANIFESTs."""

from __future__ import annotations

import functools
import io

import pytest

from ics_cli import bulk, bulk_input, bulk_rows, lineage, queries, resolve, search, timeline, views, vocab
from ics_cli.errors import IcsError
from ics_cli.normalise import normalise

LATEST = "2026-08-01"


pytestmark = pytest.mark.usefixtures("real_db")


def ids(rows) -> list[str]:
    return [r["org_id"] for r in rows]


# --- queries ----------------------------------------------------------------------------------


def test_org_on_reads_codes_and_names_on_the_day():
    before = queries.org_on("icb:QXU", "2023-03-31")
    after = queries.org_on("icb:QXU", "2023-04-01")
    assert (before["code"], before["ons_code"]) == ("QXU", "E54000052")
    assert (after["code"], after["ons_code"]) == ("QXU", "E54000063")
    assert after["name"] == "NHS Surrey Heartlands Integrated Care Board"
    assert after["short_name"] == "Surrey Heartlands"
    assert queries.org_on("ccg:01H", "2016-06-01")["name"] == "NHS Cumbria CCG"
    assert queries.org_on("ccg:01H", "2018-06-01")["name"] == "NHS North Cumbria CCG"
    assert queries.org_on("region:Y61", "2024-03-31")["ons_code"] == "E40000007"
    assert queries.org_on("region:Y61", "2024-04-01")["ons_code"] == "E40000013"
    assert queries.org_on("icb:NOPE", LATEST) is None


def test_org_on_after_the_end_gives_the_last_codes():
    qnq = queries.org_on("icb:QNQ", LATEST)
    assert (qnq["code"], qnq["ons_code"], qnq["end"]) == ("QNQ", "E54000034", "2026-03-31")


def test_ancestor_of_a_kind_on_the_day():
    assert queries.ancestor("sub_icb:02Q", "icb", "2023-01-01")["code"] == "QT1"
    assert queries.ancestor("ccg:02Q", "stp", "2022-06-30")["org_id"] == "stp:E54000009"
    assert queries.ancestor("ccg:02Q", "icb", "2022-06-30") is None
    assert queries.ancestor("sub_icb:93C", "icb", "2026-03-31")["code"] == "QMJ"
    assert queries.ancestor("sub_icb:93C", "icb", "2026-04-01")["code"] == "Z9B2Z"


@pytest.mark.parametrize(
    "kind, day, expected",
    [
        ("icb", "2023-01-01", 42),
        ("icb", LATEST, 36),
        ("ccg", "2019-06-01", 191),
        ("ccg", "2013-04-01", 211),
        ("stp", "2016-04-01", 44),
        ("stp", "2020-01-01", 42),
        ("sub_icb", LATEST, 106),
        ("region", LATEST, 7),
        ("area_team", "2013-04-01", 27),
        ("ccg", LATEST, 0),
    ],
)
def test_list_orgs_counts(kind, day, expected):
    rows = list(queries.list_orgs(kind, day))
    assert len(rows) == expected
    assert len(set(ids(rows))) == expected
    assert all(r["kind"] == kind for r in rows)


def test_list_orgs_rows_have_the_documented_keys():
    row = next(iter(queries.list_orgs("icb", LATEST)))
    assert {"org_id", "kind", "code", "ons_code", "name", "start", "end", "parent_code", "parent_name", "parent_kind"} <= set(row)


def test_list_orgs_sorted_by_name_and_with_parents():
    rows = list(queries.list_orgs("icb", "2023-01-01"))
    names = [r["name"] for r in rows]
    assert names == sorted(names)
    qop = next(r for r in rows if r["code"] == "QOP")
    assert (qop["parent_code"], qop["parent_kind"], qop["parent_name"]) == ("Y62", "region", "North West")
    assert qop["ons_code"] == "E54000057"


def test_list_orgs_ccgs_before_stps_have_their_area_team():
    rows = {r["code"]: r for r in queries.list_orgs("ccg", "2014-01-01")}
    assert len(rows) == 211
    assert rows["02Q"]["parent_kind"] == "area_team"
    assert rows["02Q"]["parent_code"] == "Q51"  # South Yorkshire and Bassetlaw area team


def test_list_orgs_pcns_before_july_2022_show_their_ccg():
    rows = {r["code"]: r for r in queries.list_orgs("pcn", "2021-04-01")}
    assert (rows["U89141"]["parent_code"], rows["U89141"]["parent_kind"]) == ("16C", "ccg")


def test_list_orgs_within():
    assert [r["code"] for r in queries.list_orgs("sub_icb", LATEST, "icb:QT1")] == ["02Q", "52R"]
    trusts = {r["code"] for r in queries.list_orgs("trust", LATEST, "icb:QOP")}
    assert {"R0A", "RXV", "RBV", "RMC"} <= trusts  # Manchester University, GMMH, Christie, Bolton
    las = {r["code"]: r for r in queries.list_orgs("la", LATEST, "icb:QOP")}
    assert las["E08000003"]["name"] == "Manchester"
    assert las["E08000003"]["share"] == pytest.approx(1.0)
    practices = list(queries.list_orgs("practice", LATEST, "icb:QOP"))
    assert len(practices) == queries.member_counts("icb:QOP", LATEST)["practice"]


def test_list_orgs_within_a_region_reaches_trusts_and_councils_of_its_icbs():
    trusts = {r["code"]: r for r in queries.list_orgs("trust", LATEST, "region:Y62")}
    assert {"R0A", "RBS", "RXL"} <= set(trusts)  # Manchester University, Alder Hey, Blackpool
    assert trusts["RBS"]["relation"] == "hq_in" and trusts["RBS"]["share"] is None
    las = {r["code"] for r in queries.list_orgs("la", LATEST, "region:Y62")}
    assert {"E08000003", "E06000008"} <= las  # Manchester, Blackburn with Darwen
    assert "E08000035" not in las  # Leeds is in the North East and Yorkshire
    practices = list(queries.list_orgs("practice", LATEST, "region:Y62"))
    assert len(practices) == queries.member_counts("region:Y62", LATEST)["practice"]


def test_parents_of_a_practice():
    chain = queries.parents("practice:A81001", LATEST)
    assert [(a["kind"], a["code"]) for a in chain] == [("pcn", "U89141"), ("sub_icb", "16C"), ("icb", "QHM"), ("region", "Y63")]


def test_parents_of_a_trust_follow_its_headquarters():
    chain = {a["kind"]: a for a in queries.parents("trust:RTD", LATEST)}
    assert chain["icb"]["code"] == "QHM"
    assert chain["icb"]["relation"] == "hq_in"
    assert chain["region"]["code"] == "Y63"


def test_ancestor_of_kind():
    assert queries.ancestor("practice:A81001", "icb", LATEST)["code"] == "QHM"
    assert queries.ancestor("icb:QHM", "icb", LATEST)["code"] == "QHM"
    assert queries.ancestor("trust:RTD", "icb", LATEST)["code"] == "QHM"  # through its headquarters
    assert [a["org_id"] for a in queries.parents("ccg:02Q", "2020-01-01") if a["kind"] == "stp"] == ["stp:E54000009"]
    assert queries.ancestor("region:Y56", "icb", LATEST) is None


def test_one_walk_up_a_practice_in_a_pcn_across_a_boundary():
    # L82008's own sub-ICB location is 11N (Cornwall, QT6); its PCN sits in 15N (Devon, QJK). The
    # nearest parent of each kind: its own sub-ICB location and that one's ICB, in show, search and resolve.
    chain = {a["kind"]: a["code"] for a in queries.parents("practice:L82008", LATEST)}
    assert (chain["sub_icb"], chain["icb"]) == ("11N", "QT6")
    assert queries.ancestor("practice:L82008", "icb", LATEST)["code"] == "QT6"
    assert search.current_icb("practice:L82008", "practice", True, LATEST)["code"] == "QT6"
    row = answer("L82008", LATEST, "icb", "sub_icb")
    assert (row["icb_code"], row["sub_icb_code"]) == ("QT6", "11N")


def test_member_counts_of_greater_manchester():
    counts = queries.member_counts("icb:QOP", LATEST)
    assert counts["sub_icb"] == 10
    assert counts["practice"] > 300
    assert counts["pcn"] > 50


def test_direct_members_of_qt1():
    members = queries.direct_members("icb:QT1", LATEST)
    sub_icbs = {m["code"] for m in members if m["kind"] == "sub_icb" and m["relation"] == "part_of"}
    assert sub_icbs == {"02Q", "52R"}


def test_names_and_codes_history():
    names = {(n["name"], n["type"]) for n in queries.names_of("ccg:01H")}
    assert {("NHS Cumbria CCG", "official"), ("NHS North Cumbria CCG", "official")} <= names
    codes = [(c["scheme"], c["code"], c["start"], c["end"]) for c in queries.codes_of("icb:QRL")]
    assert ("ons", "E54000042", "2022-07-01", "2026-03-31") in codes
    assert ("ons", "E54000067", "2026-04-01", None) in codes
    assert ("ods", "QRL", "2022-07-01", None) in codes


def test_populations_of():
    pops = {(p["measure"], p["sex"]): p for p in queries.populations_of("icb:T6Y0W")}
    assert pops[("gp_registered_patients", "all")]["value"] == 1_790_661
    assert pops[("gp_registered_patients", "all")]["date"] == "2026-08-01"
    qop = queries.populations_of("icb:QOP", "ons_mid_year_estimate")
    assert {(p["sex"], p["value"]) for p in qop if p["sex"] == "all"} == {("all", 2_911_744)}
    assert all(p["age"] == "all" for p in queries.populations_of("icb:QOP"))
    assert any(p["age"] != "all" for p in queries.populations_of("icb:QOP", totals_only=False))


def test_successions_of_13t():
    steps = queries.successions_of("ccg:13T")
    assert sorted(p["code"] for p in steps["predecessors"]) == ["00F", "00G", "00H"]
    assert [(s["org_id"], s["type"], s["date"]) for s in steps["successors"]] == [("sub_icb:13T", "became_sub_icb", "2022-07-01")]


def test_successors_on_follows_chains_to_what_exists():
    after = queries.successors_on("ccg:00F", LATEST)
    assert ids(after) == ["sub_icb:13T"]
    frimley = queries.successors_on("icb:QNQ", "2026-06-01")
    assert ids(frimley) == ["icb:S0E4D", "icb:QRL", "icb:S9B9J"]  # largest share first
    assert [round(a["share"], 2) for a in frimley] == [0.57, 0.23, 0.20]
    # Before the split the successor steps are not yet taken.
    assert queries.successors_on("icb:QNQ", "2026-03-31") == []


def test_successors_on_a_merged_ccg_does_not_borrow_the_later_split_shares():
    # 15D (East Berkshire) merged into D4U1Y (2021), which split three ways in 2026: Frimley's
    # shares say nothing about where East Berkshire's part went.
    after = queries.successors_on("ccg:15D", LATEST)
    assert set(ids(after)) == {"sub_icb:U2G6B", "sub_icb:D9Y0V", "sub_icb:92A"}
    assert [(a["share"], a["certain"], a["continuation"]) for a in after] == [(None, False, False)] * 3
    assert queries.where_now("ccg:15D", LATEST)["uncertain"] is True
    # Dudley merged into D2P2L, which carried on as a sub-ICB location and gave West Birmingham
    # (never part of Dudley) to 15E: the continuing body comes first, shares unknown.
    after = queries.successors_on("ccg:05C", LATEST)
    assert [(a["org_id"], a["share"], a["continuation"]) for a in after] == [
        ("sub_icb:D2P2L", None, True),
        ("sub_icb:15E", None, False),
    ]
    assert queries.where_now("ccg:05C", LATEST)["org_id"] == "sub_icb:D2P2L"
    # Its own split keeps its shares.
    assert [a["share"] for a in queries.successors_on("icb:QNQ", LATEST)] == pytest.approx([0.5712, 0.228, 0.2008], abs=0.001)


# --- resolve ----------------------------------------------------------------------------------


def resolved(text: str, day: str = LATEST) -> str:
    return resolve.resolve(text, day).org["org_id"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("QOP", "icb:QOP"),
        ("qop", "icb:QOP"),
        (" QOP ", "icb:QOP"),
        ("E54000057", "icb:QOP"),
        ("e54000057", "icb:QOP"),
        ("Greater Manchester", "icb:QOP"),
        ("greater manchester", "icb:QOP"),
        ("NHS Greater Manchester ICB", "icb:QOP"),
        ("NHS Greater Manchester Integrated Care Board", "icb:QOP"),
        ("Greater Manchester Integrated Care Board", "icb:QOP"),
        ("GREATER MANCHESTER ICB", "icb:QOP"),
        ("icb:QOP", "icb:QOP"),
        ("icb:qop", "icb:QOP"),
        ("ICB:qop", "icb:QOP"),
        ("02Q", "sub_icb:02Q"),
        ("E38000008", "sub_icb:02Q"),
        ("Bassetlaw", "sub_icb:02Q"),
        ("RTD", "trust:RTD"),
        ("A81001", "practice:A81001"),
        ("U89141", "pcn:U89141"),
        ("Y56", "region:Y56"),
        ("E40000003", "region:Y56"),
        ("London", "region:Y56"),
        ("E06000057", "la:E06000057"),
        ("NHS North East and North Cumbria Integrated Care Board", "icb:QHM"),
        ("North East and North Cumbria", "icb:QHM"),
        ("Thames Valley", "icb:S0E4D"),
        ("NHS Central East ICB", "icb:S1Y5D"),
        ("T6Y0W", "icb:T6Y0W"),
    ],
)
def test_resolve_current(text, expected):
    found = resolve.resolve(text, LATEST)
    assert found.org["org_id"] == expected
    assert found.alive


@pytest.mark.parametrize(
    "text, day, expected",
    [
        # An ICB's or STP's own name beats a sub-ICB location that carries it as a place or former
        # name, also after the ICB ended.
        ("Surrey Heartlands", LATEST, "icb:QXU"),
        ("Surrey Heartlands", "2026-03-31", "icb:QXU"),
        ("Norfolk and Waveney", LATEST, "icb:QMM"),
        ("Frimley", LATEST, "icb:QNQ"),
        ("North West London", LATEST, "icb:QRV"),
        ("Cambridgeshire and Peterborough", LATEST, "icb:QUE"),
        ("Devon", LATEST, "icb:QJK"),
        # Before the ICBs, the STP of that name, ahead of the CCG of the same name.
        ("Devon", "2020-01-01", "stp:E54000037"),
        ("Kent and Medway", "2021-01-01", "stp:E54000032"),
        # A former name of an STP is not its name: the CCG that had it on the day wins.
        ("Norfolk and Waveney", "2021-01-01", "ccg:26A"),
        # No ICB or STP of that name: the sub-ICB location's place name still names it.
        ("Bassetlaw", LATEST, "sub_icb:02Q"),
        ("Tameside", LATEST, "sub_icb:01Y"),
        # The words of a kind in the text still decide.
        ("NHS Norfolk and Waveney CCG", LATEST, "ccg:26A"),
    ],
)
def test_the_rule_for_names(text, day, expected):
    assert resolved(text, day) == expected


def test_the_rule_for_names_reports_what_it_passed_over():
    found = resolve.identify("Norfolk and Waveney", LATEST)
    assert found.by_name and found.org["org_id"] == "icb:QMM"
    assert len(found.notes) == 1
    note = found.notes[0]
    assert "(icb:QMM), which ended on 2026-03-31." in note and "NHS Norfolk and Suffolk ICB - 26A (sub_icb:26A)" in note
    # A kind given decides; so does an org id (no note for a code or an org id).
    assert resolve.identify("Norfolk and Waveney", LATEST, ("sub_icb",)).org["org_id"] == "sub_icb:26A"
    assert resolve.identify("sub_icb:26A", LATEST).notes == []
    assert resolve.identify("QMM", LATEST).notes == []


def test_bulk_reads_names_by_the_same_rule():
    assert answer("Surrey Heartlands", LATEST)["org_id"] == "icb:QXU"
    assert answer("Norfolk and Waveney", LATEST)["org_id"] == "icb:QMM"


@pytest.mark.parametrize(
    "text, day, expected",
    [
        ("00L", "2019-01-01", "ccg:00L"),
        ("00L", "2023-01-01", "sub_icb:00L"),
        ("QHM", "2021-01-01", "stp:E54000050"),
        ("QHM", "2023-01-01", "icb:QHM"),
        ("E54000050", "2021-01-01", "stp:E54000050"),
        ("E54000050", "2023-01-01", "icb:QHM"),
        ("E54000049", "2019-01-01", "stp:E54000049"),
        ("02Q", "2020-01-01", "ccg:02Q"),
        ("02Q", "2022-07-01", "sub_icb:02Q"),
        ("E54000052", "2022-12-01", "icb:QXU"),
        ("E54000063", "2023-06-01", "icb:QXU"),
        ("E40000007", "2020-01-01", "region:Y61"),
        ("E40000013", "2025-01-01", "region:Y61"),
        ("NHS Frimley ICB", "2024-01-01", "icb:QNQ"),
        ("Frimley", "2024-01-01", "icb:QNQ"),
        ("NHS Bassetlaw CCG", "2020-01-01", "ccg:02Q"),
        ("NHS Cumbria CCG", "2016-01-01", "ccg:01H"),
        ("NHS North Cumbria CCG", "2019-01-01", "ccg:01H"),
        ("Lancashire North", "2015-01-01", "ccg:01K"),
    ],
)
def test_resolve_by_date(text, day, expected):
    found = resolve.resolve(text, day)
    assert found.org["org_id"] == expected
    assert found.alive
    assert found.tier == 0


def test_resolve_former_code_or_name_of_a_living_organisation():
    # A former ONS code names the organisation that still exists (tier 1: not its code on the day).
    found = resolve.resolve("E54000052", LATEST)
    assert found.org["org_id"] == "icb:QXU"
    found = resolve.resolve("E40000007", LATEST)
    assert (found.org["org_id"], found.alive, found.tier) == ("region:Y61", True, 1)
    found = resolve.resolve("E54000042", LATEST)
    assert (found.org["org_id"], found.alive, found.tier) == ("icb:QRL", True, 1)


def test_resolve_an_organisation_that_has_ended():
    found = resolve.resolve("QNQ", LATEST)
    assert found.org["org_id"] == "icb:QNQ"
    assert not found.alive
    assert found.tier == 2
    found = resolve.resolve("00F", LATEST)
    assert (found.org["org_id"], found.alive) == ("ccg:00F", False)
    assert resolved("NHS Gateshead CCG", "2014-01-01") == "ccg:00F"


def test_resolve_prefers_the_icb_and_reports_the_rest():
    found = resolve.resolve("Greater Manchester", LATEST)
    assert found.org["org_id"] == "icb:QOP"
    assert "stp:E54000007" in ids(found.also)


def test_resolve_a_former_official_name_over_a_council_short_name():
    assert resolved("NHS Cumbria CCG") == "ccg:01H"


def test_resolve_ambiguous_practice_name():
    with pytest.raises(IcsError) as err:
        resolve.resolve("Village Surgery", LATEST)
    e = err.value
    assert e.exit_code == 1
    assert "matches" in e.message and "organisations" in e.message
    assert e.hint.startswith("Candidates:")
    for code in ("C81035", "C87022", "E82037", "H82092"):
        assert code in e.hint


def test_resolve_not_found_suggests():
    with pytest.raises(IcsError) as err:
        resolve.resolve("nrthumberland", LATEST)
    e = err.value
    assert e.exit_code == 1
    assert e.message == "No organisation matches 'nrthumberland'."
    assert e.hint.startswith("Did you mean:")
    assert "Northumberland" in e.hint
    assert "00L" in e.hint


def test_resolve_not_found_without_suggestions_points_to_search():
    with pytest.raises(IcsError) as err:
        resolve.resolve("zzqqxxjj", LATEST)
    assert err.value.hint.startswith("Try: ics search")


@pytest.mark.parametrize("text", ["", "   ", "NHS", "ICB", "x" * 201, "icb:", ":", "icb:NOPE"])
def test_resolve_nothing(text):
    with pytest.raises(IcsError):
        resolve.resolve(text, LATEST)


def test_resolve_restricted_to_kinds():
    assert resolve.resolve("02Q", LATEST, ("ccg",)).org["org_id"] == "ccg:02Q"
    with pytest.raises(IcsError):
        resolve.resolve("02Q", LATEST, ("trust",))


def test_normalise():
    assert normalise("NHS Frimley ICB") == normalise("Frimley Integrated Care Board") == normalise("frimley") == "frimley"
    assert normalise("NHS Bassetlaw CCG") == normalise("Bassetlaw Clinical Commissioning Group") == "bassetlaw"
    assert normalise("The Densham Surgery") == "densham surgery"
    assert normalise("Bath & North East Somerset") == "bath and north east somerset"
    assert normalise("E54000057") == "e54000057"
    assert normalise("Sainte-Thérèse") == "sainte therese"
    assert normalise("") == ""


# --- lineage ----------------------------------------------------------------------------------


def edges(data: dict, type_: str | None = None) -> set[tuple]:
    return {(e["from"], e["to"], e["date"], e["type"]) for e in data["edges"] if type_ in (None, e["type"])}


def test_lineage_newcastle_gateshead_down_to_qhm():
    data = lineage.lineage("ccg:00F", "down")
    assert data["root"] == "ccg:00F"
    assert edges(data) == {
        ("ccg:00F", "ccg:13T", "2015-04-01", "merger"),
        ("ccg:13T", "sub_icb:13T", "2022-07-01", "became_sub_icb"),
    }
    became = next(e for e in data["edges"] if e["type"] == "became_sub_icb")
    assert became["to_parent"]["org_id"] == "icb:QHM"
    assert became["share"] == pytest.approx(1.0)
    nodes = {n["org_id"]: n for n in data["nodes"]}
    assert nodes["sub_icb:13T"]["name"] == "NHS North East and North Cumbria ICB - 13T"
    assert nodes["ccg:00F"]["end"] == "2015-03-31"


def test_lineage_up_from_the_sub_icb_location():
    data = lineage.lineage("sub_icb:13T", "up")
    assert {("ccg:00F", "ccg:13T"), ("ccg:00G", "ccg:13T"), ("ccg:00H", "ccg:13T"), ("ccg:13T", "sub_icb:13T")} == {
        (f, t) for f, t, _, _ in edges(data)
    }
    one = lineage.lineage("sub_icb:13T", "up", depth=1)
    assert edges(one) == {("ccg:13T", "sub_icb:13T", "2022-07-01", "became_sub_icb")}


def test_lineage_bassetlaw_moves_stp_to_icb():
    data = lineage.lineage("sub_icb:02Q")
    step = next(e for e in data["edges"] if e["type"] == "became_sub_icb")
    assert (step["from"], step["to"], step["date"]) == ("ccg:02Q", "sub_icb:02Q", "2022-07-01")
    assert step["from_parent"]["org_id"] == "stp:E54000009"
    assert step["to_parent"]["org_id"] == "icb:QT1"
    rows = lineage.edge_rows(data)
    assert {(r["from_parent"], r["to_parent"]) for r in rows if r["type"] == "became_sub_icb"} == {("QF7", "QT1")}


def test_lineage_frimley_split_three_ways():
    data = lineage.lineage("icb:QNQ", "down")
    splits = {e["to"]: e["share"] for e in data["edges"] if e["type"] == "split"}
    assert set(splits) == {"icb:S0E4D", "icb:QRL", "icb:S9B9J"}
    assert splits["icb:S0E4D"] == pytest.approx(0.571, abs=0.001)
    assert splits["icb:QRL"] == pytest.approx(0.228, abs=0.001)
    assert splits["icb:S9B9J"] == pytest.approx(0.201, abs=0.001)
    both = lineage.lineage("icb:QNQ")
    assert ("stp:E54000034", "icb:QNQ", "2022-07-01", "succeeded") in edges(both)


@pytest.mark.parametrize(
    "code, preds",
    [
        ("S1Y5D", {"QHG", "QUE", "QM7"}),
        ("D7T5G", {"QH8", "QM7", "QJG"}),
        ("T6Y0W", {"QMM", "QJG"}),
        ("Z9B2Z", {"QMJ", "QRV"}),
        ("S0E4D", {"QU9", "QNQ"}),
        ("S9B9J", {"QXU", "QNX", "QNQ"}),
    ],
)
def test_lineage_of_the_new_icbs(code, preds):
    data = lineage.lineage(f"icb:{code}", "up", depth=1)
    assert {e["from"] for e in data["edges"] if e["to"] == f"icb:{code}"} == {f"icb:{p}" for p in preds}
    assert {e["date"] for e in data["edges"]} == {"2026-04-01"}
    # The sub-ICB locations it started with moved in from its predecessors that day.
    assert {e["from_icb"] for e in data["edges"] if e["type"] == "moved"} <= {f"icb:{p}" for p in preds}
    assert all(e["to_icb"] == f"icb:{code}" for e in data["edges"] if e["type"] == "moved")
    deeper = lineage.lineage(f"icb:{code}", "up")
    # Two steps up: the STPs that became those ICBs in 2022.
    assert any(e["type"] == "succeeded" and e["date"] == "2022-07-01" for e in deeper["edges"])


def test_lineage_moves_of_sub_icb_locations_in_2026():
    data = lineage.lineage("sub_icb:93C")
    moved = [e for e in data["edges"] if e["type"] == "moved"]
    assert [(e["date"], e["from_icb"], e["to_icb"]) for e in moved] == [("2026-04-01", "icb:QMJ", "icb:Z9B2Z")]


def test_lineage_up_has_no_moves_forward():
    both = lineage.lineage("sub_icb:93C")
    assert any(e["type"] == "moved" for e in both["edges"])
    up = lineage.lineage("sub_icb:93C", "up")
    assert up["edges"] and all(e["type"] != "moved" for e in up["edges"])


def test_lineage_founding_members_stop_at_the_icbs_end():
    # Surrey Heartlands ICB (QXU, 2022-2026) was formed from 92A and the four Surrey CCGs that made
    # it; 92A's share of Frimley's D4U1Y came on 2026-04-01, after QXU ended, and Frimley's CCGs
    # (Bracknell, Slough, ...) are no part of how QXU was formed.
    data = lineage.lineage("icb:QXU", "up")
    froms = {e["from"] for e in data["edges"]}
    assert {"ccg:09L", "ccg:09N", "ccg:09Y", "ccg:99H", "ccg:92A"} <= froms
    assert not froms & {"sub_icb:D4U1Y", "ccg:D4U1Y", "ccg:15D", "ccg:10G", "ccg:10T"}
    assert max(e["date"] for e in data["edges"]) <= "2026-03-31"
    # An ICB that is still running keeps what its founding members took in later (Hart and
    # Rushmoor from Frimley into D9Y0V, April 2026).
    qrl = lineage.lineage("icb:QRL", "up")
    assert ("sub_icb:D4U1Y", "sub_icb:D9Y0V", "2026-04-01", "split") in edges(qrl)


def test_lineage_up_leaves_out_predecessors_that_gave_the_root_none_of_its_area():
    # Hampshire and Isle of Wight took Hart and Rushmoor (from North East Hampshire and Farnham,
    # 99M) out of Frimley's D4U1Y in April 2026, and nothing of East Berkshire (15D), Surrey Heath
    # (10C) or the Berkshire CCGs before it: those are not where QRL came from.
    froms = {e["from"] for e in lineage.lineage("icb:QRL", "up")["edges"]}
    assert {"ccg:99M", "sub_icb:D4U1Y", "icb:QNQ"} <= froms
    assert not froms & {"ccg:15D", "ccg:10C", "ccg:10G", "ccg:10T", "ccg:11C"}
    # Surrey and Sussex took Surrey Heath and a part of Runnymede that Windsor, Ascot and
    # Maidenhead CCG (11C) had held; Bracknell and Ascot (10G) and Slough (10T) gave it nothing.
    froms = {e["from"] for e in lineage.lineage("icb:S9B9J", "up")["edges"]}
    assert {"ccg:10C", "ccg:99M", "ccg:11C", "ccg:15D"} <= froms
    assert not froms & {"ccg:10G", "ccg:10T"}


def test_lineage_tree_labels():
    tree = views.lineage_tree(lineage.lineage("icb:QNQ"))
    assert tree["label"] == "NHS Frimley Integrated Care Board (QNQ) [icb, 2022-07-01 to 2026-03-31]"
    assert [c["label"] for c in tree["children"]] == [
        "came from",
        "its sub-ICB locations on 2022-07-01, and where they came from",
        "went to",
    ]
    went = [c["label"] for c in tree["children"][2]["children"]]
    assert any(label.startswith("2026-04-01 split, 57.1%: NHS Thames Valley Integrated Care Board (S0E4D)") for label in went)


def test_lineage_of_an_organisation_without_successions():
    data = lineage.lineage("region:Y56")
    assert data["edges"] == []
    assert ids(data["nodes"]) == ["region:Y56"]


# --- timeline ---------------------------------------------------------------------------------


def titles(rows) -> set[tuple[str, str, str]]:
    return {(r["date"], r["kind"], r["title"]) for r in rows}


def test_national_summaries():
    rows = titles(timeline.national(None, None, None))
    assert ("2020-04-01", "merger", "74 CCGs merged into 18") in rows
    assert ("2021-04-01", "merger", "38 CCGs merged into 9") in rows
    assert ("2015-04-01", "merger", "3 CCGs merged into 1") in rows
    assert ("2018-04-01", "merger", "18 CCGs merged into 6") in rows
    assert ("2022-07-01", "became_sub_icb", "106 CCGs became 106 sub-ICB locations") in rows
    assert ("2022-07-01", "succeeded", "42 STPs succeeded by 42 ICBs") in rows
    assert ("2026-03-31", "abolished", "12 ICBs ceased to exist at the end of the day") in rows


def test_national_policy_events_2014_to_2026():
    rows = timeline.national(None, None, ("policy",))
    assert {r["kind"] for r in rows} == {"policy"}
    years = {r["date"][:4] for r in rows}
    assert {"2014", "2016", "2019", "2020", "2021", "2022", "2026"} <= years
    got = titles(rows)
    assert ("2014-10-23", "policy", "Five Year Forward View") in got
    assert ("2026-04-01", "policy", "42 ICBs become 36") in got
    assert all(r["source"] for r in rows)
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)


def test_event_kinds_are_the_documented_ones():
    rows = timeline.national(None, None, None)
    assert {r["kind"] for r in rows} <= set(vocab.EVENT_KINDS)
    assert {r["kind"] for r in timeline.for_org("icb:QNQ", None, None, None)} <= set(vocab.EVENT_KINDS)
    assert {r["scope"] for r in rows} <= {"national", "summary"}


def test_national_filters():
    rows = timeline.national("2026-01-01", "2026-12-31", None)
    assert rows and all("2026-01-01" <= r["date"] <= "2026-12-31" for r in rows)
    rows = timeline.national("2020-04-01", "2020-04-01", ("merger", "split"))
    assert rows and all(r["date"] == "2020-04-01" and r["kind"] in ("merger", "split") for r in rows)
    assert timeline.national("2013-04-02", "2013-04-03", ("policy",)) == []


def test_timeline_of_one_organisation():
    rows = timeline.for_org("icb:QNQ", None, None, ("split", "abolished"))
    own = [r for r in rows if r["about"] == "self"]
    assert {r["kind"] for r in own} == {"split", "abolished"}
    split = next(r for r in own if r["kind"] == "split")
    assert split["date"] == "2026-04-01"
    for code in ("S0E4D", "QRL", "S9B9J"):
        assert code in split["title"]
    assert "icb:QNQ" in split["org_ids"]
    # Related events: its one sub-ICB location, D4U1Y, ended the same day.
    assert any(r["about"] == "related" and "D4U1Y" in r["title"] for r in rows)


def test_timeline_of_bassetlaw():
    rows = timeline.for_org("ccg:02Q", None, None, None)
    got = {(r["date"], r["kind"]) for r in rows if r["about"] == "self"}
    assert ("2013-04-01", "established") in got
    assert ("2022-07-01", "became_sub_icb") in got


# --- search -----------------------------------------------------------------------------------


def found(text: str, limit: int = 20, **kw) -> list[str]:
    return ids(search.search(text, kw.pop("day", LATEST), kw.pop("kinds", None), kw.pop("current_only", False), limit))


@pytest.mark.parametrize(
    "text, expected, top",
    [
        ("cumb", {"icb:QHM", "icb:QE1", "sub_icb:01H"}, 20),  # partial word
        ("west herts", {"trust:RWG"}, 3),  # abbreviation
        ("royal surrey", {"trust:RA2"}, 1),
        ("north cumbria", {"sub_icb:01H", "icb:QHM"}, 5),
        ("nrthumberland", {"sub_icb:00L", "la:E06000057"}, 5),  # misspellings
        ("Manchster", {"sub_icb:14L", "la:E08000003"}, 5),
        ("Densham", {"practice:A81001"}, 1),
    ],
)
def test_search_finds(text, expected, top):
    assert expected <= set(found(text)[:top])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NHS Cumbria CCG", "ccg:01H"),
        ("Lancashire North", "ccg:01K"),
        ("Frimley Health and Care", "stp:E54000034"),
        ("NHS Gateshead CCG", "ccg:00F"),
        ("Surrey Heath", "ccg:10C"),
    ],
)
def test_search_former_names(text, expected):
    rows = search.search(text, LATEST, None, False, 10)
    hit = next(r for r in rows if r["org_id"] == expected)
    assert hit["status"] == "former"


@pytest.mark.parametrize(
    "code, expected",
    [
        ("QOP", "icb:QOP"),
        ("E54000057", "icb:QOP"),
        ("02Q", "sub_icb:02Q"),
        ("E38000008", "sub_icb:02Q"),
        ("A81001", "practice:A81001"),
        ("U89141", "pcn:U89141"),
        ("RTD", "trust:RTD"),
        ("Y56", "region:Y56"),
        ("E40000013", "region:Y61"),
        ("Q44", "area_team:Q44"),
        ("E39000001", "area_team:Q44"),
        ("E06000057", "la:E06000057"),
        ("00F", "ccg:00F"),
        ("E54000009", "stp:E54000009"),
    ],
)
def test_search_codes_of_every_kind(code, expected):
    rows = search.search(code, LATEST, None, False, 5)
    assert rows[0]["org_id"] == expected
    assert rows[0]["match"] == "exact"


def test_search_result_fields():
    row = search.search("Densham", LATEST, None, False, 1)[0]
    assert row["kind"] == "practice"
    assert row["code"] == "A81001"
    assert row["name"] == "The Densham Surgery"
    assert row["status"] == "current"
    assert row["icb_code"] == "QHM"
    assert row["icb_name"] == "NHS North East and North Cumbria Integrated Care Board"


def test_search_former_organisation_shows_the_icb_it_went_to():
    row = next(r for r in search.search("00F", LATEST, None, False, 5) if r["org_id"] == "ccg:00F")
    assert (row["status"], row["end"], row["icb_code"]) == ("former", "2015-03-31", "QHM")


def test_search_kind_filter_and_limit():
    rows = search.search("manchester", LATEST, ("trust",), False, 50)
    assert rows and {r["kind"] for r in rows} == {"trust"}
    assert len(search.search("surgery", LATEST, None, False, 7)) == 7


def test_search_current_only_on_a_date():
    assert "icb:QNQ" in found("frimley", day="2024-01-01", current_only=True)
    assert "icb:QNQ" not in found("frimley", day="2026-06-01", current_only=True)
    assert "icb:QNQ" in found("frimley")  # without a date, former organisations are included


@pytest.mark.parametrize("text", ["", " ", "%", "_", "*", '"', "NEAR(", "AND OR NOT", "^", "' OR 1=1 --", "x" * 5000])
def test_search_odd_text_returns_a_list(text):
    rows = search.search(text, LATEST, None, False, 20)
    assert isinstance(rows, list)
    assert len(rows) <= 20


# --- bulk -------------------------------------------------------------------------------------


MIXED = ["02Q", "A81001", "00F", "E54000034", "not a code", "", "  ", "Village Surgery", "icb:QOP", "RTD", "02Q", "x" * 300]


@functools.cache
def engine(*levels: str) -> bulk.Engine:
    return bulk.Engine(levels)


def answer(text: str, day: str = LATEST, *levels: str) -> dict:
    return engine(*levels).resolve(text, day)


def run(text: str, day: str = LATEST, *levels: str, **options) -> bulk_rows.Run:
    source = bulk_input.read_input(io.BytesIO(text.encode()), None, **options)
    return bulk_rows.Run(bulk.Engine(levels), source, day)


def test_bulk_mixed_inputs_keep_order_count_and_status():
    resolver = run("\n".join(MIXED) + "\n", LATEST, "icb")
    rows = list(resolver.records())
    assert [r["input"] for r in rows] == MIXED
    assert [r["status"] for r in rows] == [
        "ok",
        "ok",
        "ok",
        "ok",
        "not_found",
        "empty",
        "empty",
        "ambiguous",
        "ok",
        "ok",
        "ok",
        "not_found",
    ]
    assert [r.get("icb_code") for r in rows] == ["QT1", "QHM", "QHM", "S0E4D", None, None, None, None, "QOP", "QHM", "QT1", None]
    assert [c.key for c in resolver.columns()] == ["input", *bulk.result_columns(("icb",))]
    assert "C81035" in rows[7]["note"]
    assert resolver.summary() == (f"Resolved 7 of 12 input rows (1 ambiguous, 2 not found, 2 empty) as of {LATEST}.")


def test_bulk_old_ccg_codes_map_forward_to_todays_icb():
    expect = {"00F": "QHM", "00G": "QHM", "99P": "QJK", "99Q": "QJK", "03X": "QJ2", "00W": "QOP", "02V": "QWO", "01H": "QHM"}
    for code, icb in expect.items():
        r = answer(code, LATEST, "icb")
        assert (r["status"], r["icb_code"]) == ("ok", icb), code
    note = answer("00F", LATEST, "icb")["note"]
    assert "ended 2015-03-31" in note and "13T" in note


def test_bulk_icb_split():
    r = answer("QNQ", LATEST, "icb")
    assert (r["status"], r["code"], r["icb_code"], r["icb_name"]) == (
        "ok",
        "QNQ",
        "S0E4D",
        "NHS Thames Valley Integrated Care Board",
    )
    assert "split" in r["note"]
    for code in ("S0E4D 57%", "QRL 23%", "S9B9J 20%"):
        assert code in r["note"]
    before = answer("QNQ", "2025-01-01", "icb")
    assert (before["icb_code"], before.get("note")) == ("QNQ", None)


def test_bulk_ccg_merged_into_a_later_split():
    assert answer("D4U1Y", LATEST, "icb")["icb_code"] == "S0E4D"  # Frimley's own split: its largest share
    east_berks = answer("15D", LATEST, "icb")  # merged into Frimley first: its part is not recorded
    assert east_berks["status"] == "ambiguous" and "92A, D9Y0V, U2G6B" in east_berks["note"]
    assert answer("05C", LATEST, "icb")["icb_code"] == "QUA"  # Dudley: the Black Country carried on
    # Wherever East Berkshire's part went, it is in the South East; and no STPs exist any more.
    assert answer("15D", LATEST, "region")["region_code"] == "Y59"
    assert answer("15D", LATEST, "stp")["status"] == "no_target"
    # Several levels at once: the region is certain, the ICB is not; the row says ambiguous.
    both = answer("15D", LATEST, "icb", "region")
    assert (both["status"], both.get("icb_code"), both["region_code"]) == ("ambiguous", None, "Y59")
    assert "icb: one of QRL, S0E4D, S9B9J" in both["note"]


@pytest.mark.parametrize(
    "target, expected",
    [("icb", "QHM"), ("sub_icb", "16C"), ("region", "Y63"), ("pcn", "U89141"), ("la", "E06000004")],
)
def test_bulk_targets_for_a_practice(target, expected):
    r = answer("A81001", LATEST, target)
    assert (r["status"], r[f"{target}_code"]) == ("ok", expected)


def test_bulk_several_levels_for_a_practice_in_one_row():
    r = answer("A81001", LATEST, "icb", "sub_icb", "region", "pcn")
    assert [r[f"{level}_code"] for level in ("icb", "sub_icb", "region", "pcn")] == ["QHM", "16C", "Y63", "U89141"]
    assert (r["sub_icb_ons_code"], r["sub_icb_short_name"], r["icb_short_name"]) == (
        "E38000247",
        "Tees Valley",
        "North East and North Cumbria",
    )
    assert r["status"] == "ok" and r["note"] is None


def test_bulk_stp_target_in_2020():
    assert answer("02Q", "2020-01-01", "stp")["stp_code"] == "QF7"
    assert answer("02Q", "2020-01-01", "stp")["stp_ons_code"] == "E54000009"
    assert answer("00L", "2020-01-01", "stp")["stp_code"] == "QHM"
    assert answer("02Q", LATEST, "stp")["status"] == "no_target"


def test_bulk_reused_codes_by_date():
    assert answer("00L", "2019-01-01")["org_id"] == "ccg:00L"
    assert answer("00L", "2023-01-01")["org_id"] == "sub_icb:00L"
    assert answer("QHM", "2021-01-01")["org_id"] == "stp:E54000050"
    assert answer("QHM", "2023-01-01")["org_id"] == "icb:QHM"


def test_bulk_no_target_statuses():
    assert answer("Y56", LATEST, "icb")["status"] == "no_target"  # a region is above any ICB
    early = answer("S1Y5D", "2025-01-01", "icb")
    assert early["status"] == "no_target"
    assert "2026-04-01" in early["note"]


def test_bulk_council_maps_to_the_icb_of_its_residents():
    r = answer("E08000003", LATEST, "icb")  # Manchester
    assert (r["status"], r["kind"], r["icb_code"]) == ("ok", "la", "QOP")


def test_bulk_without_target_notes_ended_organisations():
    r = answer("00F", LATEST)
    assert (r["status"], r["kind"], r["note"]) == ("ok", "ccg", "ended 2015-03-31")
    assert not any(k.endswith("_code") for k in r)


def test_bulk_names_and_codes_on_a_past_day_are_those_of_the_day():
    # The bulk map of codes and names (bulk_maps.Named) gives what queries.org_on gives.
    for oid, day in [
        ("icb:QXU", "2022-08-01"),
        ("icb:QXU", "2023-08-01"),
        ("ccg:00L", "2019-01-01"),
        ("la:E06000060", "2020-01-01"),
    ]:
        o = queries.org_on(oid, day)
        assert engine().named.on(oid, day) == (o["code"], o["ons_code"], o["name"], o["short_name"]), (oid, day)
    assert answer("QXU", "2022-08-01", "icb")["icb_ons_code"] == "E54000052"
    assert answer("QXU", "2023-08-01", "icb")["icb_ons_code"] == "E54000063"


def test_read_input_lines_and_columns():
    def rows(text: str, **options) -> list:
        return [fields for fields, _ in bulk_input.read_input(io.BytesIO(text.encode()), None, **options).rows()]

    assert rows("a\nb\r\n\nc") == [["a"], ["b"], [""], ["c"]]
    csv_text = 'id,code\n1,QOP\n2,"0 2Q"\n3\n'
    assert rows(csv_text, column="code") == [["1", "QOP"], ["2", "0 2Q"], ["3", ""]]
    with pytest.raises(IcsError) as err:
        rows(csv_text, column="nope")
    assert err.value.exit_code == 2
    assert "'id', 'code'" in err.value.message


@pytest.mark.parametrize(
    "text, district",
    [
        ("DN22 7XF", "DN22"),
        ("dn227xf", "DN22"),
        ("SW1A", "SW1A"),
        ("GU15 3", "GU15"),
        ("B20", "B20"),
        ("QOP", None),
        ("Leeds", None),
        ("E54000057", None),
    ],
)
def test_postcode_district(text, district):
    assert resolve.postcode_district(text) == district


def test_search_a_postcode_finds_its_sub_icb_location():
    rows = search.search("DN22 7XF", LATEST, None, False, 10)
    assert rows[0]["code"] == "02Q" and rows[0]["match"] == "postcode"
    assert rows[0]["icb_code"] == "QT1"  # Bassetlaw is in Nottingham and Nottinghamshire since July 2022


def test_bulk_postcodes():
    rows = list(run("DN22 7XF\nGU15\nZZ99 9ZZ\n", "2025-01-01", "icb").records())
    assert [row["status"] for row in rows] == ["ok", "ambiguous", "not_found"]
    assert rows[0]["icb_code"] == "QT1" and rows[0]["note"] == "postcode sector DN22 7 (its LSOAs)"
    # Camberley: its LSOAs lay in Frimley's sub-ICB location (D4U1Y) before April 2026, but the NHS
    # ODS postcode file puts some of its postcodes in Surrey Heartlands (92A) too: not one answer.
    assert rows[1]["note"] == (
        "postcode district GU15 (its postcode sectors' LSOAs): D4U1Y 100%, 92A (in the NHS ODS postcode file only); one of QNQ, QXU"
    )
    # After the Frimley split (April 2026) Camberley lies only in Surrey (92A).
    now = list(run("GU15 1AA\nGU14 7AA\n", LATEST, "icb").records())
    assert [(row["status"], row["icb_code"]) for row in now] == [("ok", "S9B9J"), ("ok", "QRL")]


# --- review fixes -----------------------------------------------------------------------------


def test_profile_former_names_are_only_names_given_up_by_the_day():
    from ics_cli import profile

    before = profile.profile("trust:RA7", "2026-01-01")
    assert before["name"] == "University Hospitals Bristol and Weston NHS Foundation Trust"
    assert before["former_names"] == []  # its later name is not a former one
    after = profile.profile("trust:RA7", LATEST)
    assert [n["name"] for n in after["former_names"]] == ["University Hospitals Bristol and Weston NHS Foundation Trust"]
    cumbria = profile.profile("ccg:01H", "2023-01-01")  # ended: its last name is its name, not a former one
    assert cumbria["name"] == "NHS North Cumbria CCG"
    assert [n["name"] for n in cumbria["former_names"]] == ["NHS Cumbria CCG"]


def test_profile_sources_cover_names_attributes_and_relations():
    from ics_cli import profile

    p = profile.profile("icb:QOP", LATEST)
    assert "community_icb_urls_2026_08" in p["sources"]  # the website
    assert "ods_etr_2026_07" in p["sources"]  # the trusts with headquarters there
    assert {"ons_sicbl22_icb22_nhser22", "nhse_gp_reg_2026_08"} <= set(p["sources"])


def test_search_on_an_earlier_day_shows_the_name_then():
    rows = search.search("01H", "2014-01-01", None, False, 5)
    assert (rows[0]["name"], rows[0]["status"]) == ("NHS Cumbria CCG", "current")
    ccg = next(r for r in search.search("01H", LATEST, None, False, 5) if r["org_id"] == "ccg:01H")
    assert (ccg["name"], ccg["status"]) == ("NHS North Cumbria CCG", "former")


def test_where_now_of_a_closed_practice_goes_through_its_last_area():
    now = queries.where_now("practice:A81015", LATEST)
    assert now["via"]["org_id"] == "ccg:00M"
    assert now["org_id"] == "sub_icb:16C"
    assert search.current_icb("practice:A81015", "practice", False, LATEST)["code"] == "QHM"
    split = queries.where_now("icb:QNQ", LATEST)
    assert split["via"] is None and split["org_id"] == "icb:S0E4D" and len(split["after"]) == 3
    assert queries.where_now("region:Y56", LATEST) == {"org_id": None, "via": None, "after": [], "uncertain": False}


def test_resolve_prefers_what_had_existed_over_what_was_still_to_come():
    # On 2015-06-01 nothing called Greater Manchester existed: the area team had gone (March 2015),
    # the STP (2016) and the ICB (2022) were still to come. The one that had existed wins.
    found = resolve.resolve("Greater Manchester", "2015-06-01")
    assert (found.org["org_id"], found.alive, found.tier) == ("area_team:Q46", False, 2)
    # Before anything had the code: the first to come (the STP of 2016, not the ICB of 2022).
    found = resolve.resolve("QOP", "2014-01-01")
    assert (found.org["org_id"], found.alive, found.tier) == ("stp:E54000007", False, 3)


@pytest.mark.parametrize(
    "text, code",
    [
        ("Royal Surey NHS Foundaton Trust", "RA2"),
        ("Leeds Teching Hospitals", "RR8"),
        ("norfok and sufolk", "T6Y0W"),
        ("Grater Manchestr", "QOP"),
    ],
)
def test_suggestions_for_a_misspelt_whole_name_do_not_reward_a_shared_ending(text, code):
    # "... NHS Foundation Trust" ends hundreds of names: a misspelt full name must not match them
    # all as well as it matches the one it names.
    near = resolve.suggestions(text, limit=3, cutoff=0)
    assert near[0]["code"] == code
    assert near[1]["score"] <= near[0]["score"] - 5 or near[1]["code"] == code


def test_lineage_of_an_icb_shows_the_ccgs_that_formed_it():
    # "Which CCGs formed NHS Devon?": its sub-ICB location 15N, from NHS Devon CCG, from 99P and 99Q.
    data = lineage.lineage("icb:QJK", "up")
    assert data["members"] == ["sub_icb:15N"]
    assert {("ccg:15N", "sub_icb:15N", "became_sub_icb"), ("ccg:99P", "ccg:15N", "merger"), ("ccg:99Q", "ccg:15N", "merger")} <= {
        (e["from"], e["to"], e["type"]) for e in data["edges"]
    }


def test_lineage_names_each_side_as_it_was_at_the_step():
    rows = {(r["from"], r["to"]): r for r in lineage.edge_rows(lineage.lineage("sub_icb:92A"))}
    step = rows[("sub_icb:92A", "sub_icb:70F")]  # April 2023, before the 2026 merger renamed both
    assert (step["from_name"], step["to_name"]) == ("NHS Surrey Heartlands ICB - 92A", "NHS Sussex ICB - 70F")
    split = {r["to"]: r for r in lineage.edge_rows(lineage.lineage("ccg:01H", "down"))}
    assert all(r["from_name"] == "NHS Cumbria CCG" for r in split.values() if r["date"] == "2017-04-01")


def test_lineage_looking_back_shows_the_rest_of_a_predecessor_s_area():
    data = lineage.lineage("sub_icb:D2P2L", "up")
    assert ("ccg:D2P2L", "sub_icb:15E", "boundary_transfer") in {(e["from"], e["to"], e["type"]) for e in data["edges"]}
    labels = [c["label"] for c in views.lineage_tree(data)["children"][0]["children"][0]["children"]]
    assert any(
        label.startswith("also 2022-07-01 boundary transfer, 12.5%: NHS Birmingham and Solihull ICB - 15E") for label in labels
    )


def test_postcode_areas_follow_the_frimley_split_and_go_back_before_2022():
    # Farnborough (Rushmoor) went to north-east Hampshire, Camberley (Surrey Heath) to Surrey.
    assert queries.postcode_areas("GU14", LATEST)[0] == ["sub_icb:D9Y0V"]
    assert queries.postcode_areas("GU15", LATEST)[0] == ["sub_icb:92A"]
    assert "sub_icb:D4U1Y" in queries.postcode_areas("GU14", "2025-01-01")[0]
    # Before July 2022: the CCGs of the day of its postcode sectors' LSOAs.
    assert queries.postcode_areas("DN22", "2020-01-01")[0] == ["ccg:02Q"]
    areas, note = queries.postcode_areas("GU14", "2016-01-01")
    assert areas == ["ccg:99M"] and "postcode sectors" in note
    # A district the sector lookup lacks (E20, the Olympic Park) is traced back from July 2022.
    areas, note = queries.postcode_areas("E20", "2016-01-01")
    assert areas and "traced back" in note
    assert queries.postcode_areas("ZZ99", LATEST)[0] == []


def test_search_a_postcode_on_an_earlier_day_finds_the_ccg():
    rows = search.search("DN22 7XF", "2020-01-01", None, True, 5)
    assert (rows[0]["org_id"], rows[0]["match"]) == ("ccg:02Q", "postcode")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NHS Surrey Heartlands Integrated Care Board", "icb:QXU"),
        ("NHS Norfolk and Waveney ICB", "icb:QMM"),
        ("NHS Cambridgeshire and Peterborough ICB", "icb:QUE"),
        ("NHS Greater Manchester ICB - 01Y", "sub_icb:01Y"),
    ],
)
def test_an_icb_s_full_name_names_the_icb_even_after_it_ended(text, expected):
    # The sub-ICB location that kept the ICB's place name is not what "... Integrated Care Board" means.
    assert resolved(text) == expected


def test_bulk_says_when_the_target_level_did_not_exist():
    row = answer("QOP", "2022-06-30", "icb")
    assert (row["status"], row["note"]) == ("no_target", "there were no icbs that day (they existed from 2022-07-01)")
    row = answer("02Q", LATEST, "stp")
    assert row["note"] == "there were no stps that day (they existed 2016-04-01 to 2022-06-30)"


@pytest.mark.parametrize(
    "text, code",
    [
        ("guys", "RJ1"),
        ("Guys and St Thomas NHS Foundation Trust", "RJ1"),
        ("kings college hospital", "RJZ"),
        ("St Georges University", "RJ7"),
    ],
)
def test_apostrophes_do_not_matter(text, code):
    assert code in [r["code"] for r in search.search(text, LATEST, None, False, 5)]


def test_apostrophes_in_resolution_and_suggestions():
    assert normalise("Guy's and St Thomas' NHS Foundation Trust") == normalise("Guys and St Thomas NHS Foundation Trust")
    assert normalise("King\u2019s College") == "kings college"
    assert resolve.suggestions("guys and st thomas")[0]["code"] == "RJ1"


def test_lineage_of_a_2026_icb_shows_what_its_moved_in_sub_icb_locations_took_in():
    data = lineage.lineage("icb:S9B9J", "up")
    assert ("sub_icb:D4U1Y", "sub_icb:92A", "2026-04-01", "split") in edges(data)  # Frimley's Surrey part
    assert ("sub_icb:92A", "sub_icb:70F", "2023-04-01", "boundary_transfer") not in edges(data)  # older history stays out


def test_search_is_the_same_with_or_without_apostrophes_and_puts_nhs_bodies_first():
    plain = [r["org_id"] for r in search.search("kings", LATEST, None, False, 20)]
    assert plain == [r["org_id"] for r in search.search("king's", LATEST, None, False, 20)]
    assert plain[:2] == ["trust:RJZ", "trust:RCX"]  # King's College Hospital; Queen Elizabeth, King's Lynn
    assert resolve.suggestions("guys")[0]["code"] == "RJ1"  # one word of a long name
