"""GP practices and PCNs on every day of the CCG era (2013-04-01 to 2022-06-30): facts read from the
sources (practices/MANIFEST.md) against the built database and through the CLI, the build's
checks on made-up data, and the walk that carries a practice from one edition to the next."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dbbuild import practice_checks
from importers.practice_ccgs import Mergers, Seen, Walk

ROOT = Path(__file__).resolve().parents[1]

OPEN = "9999-12-31"
# The 32 practices of South Cumbria: epcmem has each in 01H to 2017-03-31 and 01K from 2017-04-01.
CUMBRIA = {
    "A82003", "A82005", "A82007", "A82008", "A82009", "A82010", "A82025", "A82026", "A82027", "A82030",
}  # fmt: skip


def ccg_on(conn, child: str, day: str) -> str | None:
    rows = conn.execute(
        """SELECT parent_id FROM memberships WHERE child_id = ? AND relation = 'part_of' AND parent_id LIKE 'ccg:%'
           AND COALESCE(start, '') <= ? AND COALESCE("end", ?) >= ?""",
        (child, day, OPEN, day),
    ).fetchall()
    assert len(rows) <= 1, (child, day, rows)
    return rows[0][0] if rows else None


# --- facts from the sources ------------------------------------------------------------------------


def test_a81001_in_hartlepool_and_stockton_then_tees_valley(conn):
    # epcmem: A81001 00K from 20130401 (open in August 2019); payments 2019-20: 00K at 31 March 2020;
    # GP map 2020-09: 16C (NHS Tees Valley CCG, the 2020 merger of 00C, 00K and 00M).
    assert ccg_on(conn, "practice:A81001", "2014-06-01") == "ccg:00K"
    assert ccg_on(conn, "practice:A81001", "2019-06-01") == "ccg:00K"
    assert ccg_on(conn, "practice:A81001", "2020-03-31") == "ccg:00K"
    assert ccg_on(conn, "practice:A81001", "2020-06-01") == "ccg:16C"
    assert ccg_on(conn, "practice:A81001", "2022-06-30") == "ccg:16C"


def test_c81001_in_north_derbyshire_then_derby_and_derbyshire(conn):
    # epcmem: C81001 04J 20130401-20190331, then 15M from 20190401.
    assert ccg_on(conn, "practice:C81001", "2013-04-01") == "ccg:04J"
    assert ccg_on(conn, "practice:C81001", "2019-03-31") == "ccg:04J"
    assert ccg_on(conn, "practice:C81001", "2019-04-01") == "ccg:15M"


def test_south_cumbria_practices_moved_from_01h_to_01k(conn):
    moved = conn.execute(
        """SELECT a.child_id FROM memberships a JOIN memberships b ON b.child_id = a.child_id
           WHERE a.parent_id = 'ccg:01H' AND a."end" = '2017-03-31' AND b.parent_id = 'ccg:01K' AND b.start = '2017-04-01'
           AND a.child_id LIKE 'practice:%'"""
    ).fetchall()
    codes = {r[0].split(":")[1] for r in moved}
    assert len(codes) == 32 and CUMBRIA <= codes
    for code in codes:
        assert ccg_on(conn, f"practice:{code}", "2017-03-31") == "ccg:01H"
        assert ccg_on(conn, f"practice:{code}", "2017-04-01") == "ccg:01K"


def test_a_birmingham_practice_moved_on_its_day(conn):
    # epcmem: M85097 13P (Birmingham CrossCity) 20130401-20150602, 04X (Birmingham South and
    # Central) from 20150603: an individual move, not a merger.
    assert ccg_on(conn, "practice:M85097", "2015-06-02") == "ccg:13P"
    assert ccg_on(conn, "practice:M85097", "2015-06-03") == "ccg:04X"
    row = conn.execute(
        "SELECT source FROM memberships WHERE child_id = 'practice:M85097' AND parent_id = 'ccg:04X' AND start = '2015-06-03'"
    ).fetchone()
    assert row["source"] == "ods_epcmem_2019_08"
    steps = conn.execute("SELECT count(*) FROM successions WHERE predecessor_id = 'ccg:13P' AND date = '2015-06-03'").fetchone()
    assert steps[0] == 0


def test_aldershot_pcn_in_north_east_hampshire_and_farnham(conn):
    # ePCN 2019-12: U03055 Aldershot PCN, current CCG 99M; 99M was in Frimley STP, South East.
    assert ccg_on(conn, "pcn:U03055", "2020-06-01") == "ccg:99M"
    assert ccg_on(conn, "pcn:U03055", "2021-06-01") == "ccg:D4U1Y"  # Frimley CCG from 2021-04-01


def test_every_practice_open_in_the_ccg_era_has_one_ccg(conn):
    for day in ("2013-04-01", "2015-03-31", "2017-04-01", "2019-08-30", "2020-04-01", "2021-04-01", "2022-06-30"):
        missing = conn.execute(
            """SELECT count(*) FROM orgs o WHERE o.kind = 'practice' AND COALESCE(o.start, '') <= :d
               AND COALESCE(o."end", :open) >= :d AND NOT EXISTS (
                   SELECT 1 FROM memberships m WHERE m.child_id = o.org_id AND m.relation = 'part_of'
                   AND m.parent_id LIKE 'ccg:%' AND m.start <= :d AND COALESCE(m."end", :open) >= :d)""",
            {"d": day, "open": OPEN},
        ).fetchone()[0]
        assert missing == 0, day


@pytest.mark.parametrize(
    "day, open_",
    [
        ("2013-04-01", 8097),
        ("2016-01-01", 7913),
        ("2018-01-01", 7570),
        ("2019-06-01", 7178),
        ("2020-06-01", 7028),
        ("2021-06-01", 6812),
        ("2022-06-30", 6624),
    ],
)
def test_practice_ccg_coverage_is_as_documented(conn, day, open_):
    n, with_ccg = conn.execute(
        """SELECT count(*), sum(EXISTS (SELECT 1 FROM memberships m WHERE m.child_id = o.org_id AND m.relation = 'part_of'
                                        AND m.parent_id LIKE 'ccg:%' AND m.start <= :d AND COALESCE(m."end", :open) >= :d))
           FROM orgs o WHERE o.kind = 'practice' AND COALESCE(o.start, '') <= :d AND COALESCE(o."end", :open) >= :d""",
        {"d": day, "open": OPEN},
    ).fetchone()
    assert (n, with_ccg) == (open_, open_)
    readme = " ".join((ROOT / "data" / "README.md").read_text(encoding="utf-8").split())
    assert f"| {day} | {n:,} | {n:,} (100.0%) |" in readme


def test_the_old_approximation_is_gone(conn):
    assert conn.execute("SELECT count(*) FROM sources WHERE source = 'derived_practice_ccg_predecessor'").fetchone()[0] == 0
    # What the sources cannot date is one move since August 2019, said under its own source.
    rows = conn.execute("SELECT child_id, parent_id, start FROM memberships WHERE source LIKE 'derived_practice_ccg_between_%'")
    assert [tuple(r) for r in rows] == [("practice:M83041", "ccg:05C", "2021-03-31")]


# --- the CLI ----------------------------------------------------------------------------------------


def test_list_practices_in_00k_counts_the_membership_history(cli):
    # epcmem rows with parent 00K covering 2014-06-01, for codes that are GP practices open that day.
    shared = ROOT.parent / "shared" / "sources" / "practices" / "ods_epcmem_gp_ccg_membership_2019-08.csv"
    rows = json.loads(cli("list", "practices", "--in", "00K", "--as-of", "2014-06-01", "-f", "json").stdout)
    assert len(rows) == 41 and {r["parent_code"] for r in rows} == {"00K"}
    assert "A81001" in {r["code"] for r in rows}
    if shared.exists():
        with open(shared, encoding="utf-8") as fh:
            history = {r[0] for r in csv.reader(fh) if r[1] == "00K" and r[3] <= "20140601" and (r[4] or "9") >= "20140601"}
        assert {r["code"] for r in rows} <= history


def test_resolve_practices_and_pcns_in_the_ccg_era(cli):
    def resolve(to, day, text):
        r = cli("resolve", "--to", to, "--as-of", day, "-f", "json", input=text)
        return [(x["input"], x["status"], x[f"{to}_code"]) for x in json.loads(r.stdout)]

    assert resolve("ccg", "2014-06-01", "A81001\nC81001\n") == [("A81001", "ok", "00K"), ("C81001", "ok", "04J")]
    assert resolve("ccg", "2020-06-01", "A81001\nU03055\n") == [("A81001", "ok", "16C"), ("U03055", "ok", "99M")]
    assert resolve("stp", "2020-06-01", "U03055\n") == [("U03055", "ok", "QNQ")]
    assert resolve("region", "2020-06-01", "U03055\n") == [("U03055", "ok", "Y59")]
    assert resolve("region", "2014-06-01", "A81001\n") == [("A81001", "ok", "Y54")]
    # no_target only when the level did not exist that day.
    r = json.loads(cli("resolve", "--to", "stp", "--as-of", "2014-06-01", "-f", "json", input="A81001\n").stdout)[0]
    assert r["status"] == "no_target" and "there were no stps" in r["note"]


def test_list_pcns_in_a_ccg_before_2021(cli):
    rows = json.loads(cli("list", "pcns", "--in", "99M", "--as-of", "2020-06-01", "-f", "json").stdout)
    assert {r["code"] for r in rows} == {"U03055", "U90174", "U17969", "U42671", "U25405"}


def test_show_a_practice_and_a_pcn_in_the_ccg_era(cli):
    record = json.loads(cli("show", "A81001", "--as-of", "2016-01-01", "-f", "json").stdout)
    parents = {p["kind"]: p["code"] for p in record["parents"]}
    assert parents == {"ccg": "00K", "area_team": "Q74", "region": "Y54"}
    assert record["note"] is None and "ods_epcmem_2019_08" in record["sources"]
    record = json.loads(cli("show", "A81001", "--as-of", "2020-06-01", "-f", "json").stdout)
    assert {p["kind"]: p["code"] for p in record["parents"]} == {"pcn": "U89141", "ccg": "16C", "stp": "QHM", "region": "Y63"}
    record = json.loads(cli("show", "U03055", "--as-of", "2020-06-01", "-f", "json").stdout)
    assert {p["kind"]: p["code"] for p in record["parents"]} == {"ccg": "99M", "stp": "QNQ", "region": "Y59"}


def test_timeline_shows_each_change_of_ccg_and_pcn(cli):
    rows = json.loads(cli("timeline", "A81001", "--kind", "joined,moved,left", "-f", "json").stdout)
    assert [(r["date"], r["kind"], r["org_ids"][1:], r["source"]) for r in rows] == [
        ("2019-10-01", "joined", ["pcn:U89141"], "ods_epcn_2024_10"),
        ("2020-04-01", "moved", ["ccg:00K", "ccg:16C"], "nhsd_gp_reg_map_2020_09"),
    ]
    assert rows[1]["detail"] == "merger of 00K into 16C"
    rows = json.loads(cli("timeline", "M85097", "--kind", "moved", "-f", "json").stdout)
    assert (rows[0]["date"], rows[0]["org_ids"][1:], rows[0]["detail"]) == ("2015-06-03", ["ccg:13P", "ccg:04X"], None)
    # A move no source dates exactly says so.
    rows = json.loads(cli("timeline", "M83041", "--kind", "moved", "-f", "json").stdout)
    assert rows[0]["date"] == "2021-03-31" and "dated to the later edition" in rows[0]["detail"]
    # The whole timeline keeps the organisation's own events, in date order.
    rows = json.loads(cli("timeline", "A82009", "-f", "json").stdout)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert ("2017-04-01", "moved", "boundary transfer from 01H to 01K") in {(r["date"], r["kind"], r["detail"]) for r in rows}


def test_a_move_between_editions_is_said_where_it_matters(cli):
    r = cli("resolve", "--to", "ccg", "--as-of", "2020-06-01", "-f", "json", input="M83041\nA81001\n")
    a, b = json.loads(r.stdout)
    assert a["ccg_code"] == "05Q" and "between 2020-03-31 and 2021-03-31" in a["note"] and not b["note"]
    note = json.loads(cli("show", "M83041", "--as-of", "2020-06-01", "-f", "json").stdout)["note"]
    assert note.startswith("Its CCG on 2020-06-01 is uncertain")
    assert json.loads(cli("show", "M83041", "--as-of", "2019-06-01", "-f", "json").stdout)["note"] is None
    assert "between 2020-03-31" in cli("list", "practices", "--in", "05Q", "--as-of", "2020-06-01").stderr
    assert cli("list", "practices", "--in", "00K", "--as-of", "2020-01-01").stderr == ""


def test_a_closure_taken_from_the_2026_map_cites_it_and_says_the_day_is_a_convention(cli, conn):
    # 162 practices and 13 PCNs open in the last ODS files are missing from the August 2026 map.
    counts = dict(conn.execute("SELECT kind, count(*) FROM orgs WHERE source = 'derived_closed_2026' GROUP BY kind"))
    assert counts == {"pcn": 13, "practice": 162}
    assert {r[0] for r in conn.execute("SELECT end FROM orgs WHERE source = 'derived_closed_2026'")} == {"2026-03-31"}
    r = cli("timeline", "A81065", "-f", "json")
    [closure] = [e for e in json.loads(r.stdout) if e["kind"] == "abolished" and e["org_ids"] == ["practice:A81065"]]
    assert (closure["date"], closure["source"]) == ("2026-03-31", "derived_closed_2026")
    assert "dated 2026-03-31 by convention" in r.stderr
    assert "by convention" not in cli("timeline", "A81001", "-f", "json").stderr


# --- the build's checks, on made-up data -----------------------------------------------------------


def tables(memberships, editions=(), successions=()):
    orgs = [
        {"org_id": "practice:A", "kind": "practice", "start": "2010-01-01", "end": ""},
        {"org_id": "ccg:X", "kind": "ccg", "start": "2013-04-01", "end": "2020-03-31"},
        {"org_id": "ccg:Y", "kind": "ccg", "start": "2013-04-01", "end": "2020-03-31"},
        {"org_id": "ccg:Z", "kind": "ccg", "start": "2020-04-01", "end": "2022-06-30"},
    ]

    def m(child, parent, start, end):
        return {"child_id": child, "parent_id": parent, "relation": "part_of", "start": start, "end": end}

    return {
        "orgs": orgs,
        "memberships": [m(*x) for x in memberships],
        "editions": [dict(zip(("source", "date", "org_id", "parent_id"), e)) for e in editions],
        "successions": [dict(zip(("predecessor_id", "successor_id", "date"), s)) for s in successions],
    }


GOOD = [("practice:A", "ccg:X", "2013-04-01", "2020-03-31"), ("practice:A", "ccg:Z", "2020-04-01", "2022-06-30")]


def test_build_rejects_a_practice_without_a_ccg_or_in_two():
    assert practice_checks.check_one_ccg_every_day(tables(GOOD)) == []
    gap = [GOOD[0], ("practice:A", "ccg:Z", "2020-05-01", "2022-06-30")]
    assert "in no CCG from 2020-04-01" in practice_checks.check_one_ccg_every_day(tables(gap))[0]
    two = GOOD + [("practice:A", "ccg:Y", "2019-01-01", "2019-12-31")]
    assert "in two CCGs" in practice_checks.check_one_ccg_every_day(tables(two))[0]


def test_build_rejects_an_edition_that_disagrees():
    merger = [("ccg:X", "ccg:Z", "2020-04-01"), ("ccg:Y", "ccg:Z", "2020-04-01")]
    # A 31 March snapshot and one after the merger agree; so does a closed practice listed under
    # its CCG's successor (the day's successions applied).
    ok = [("e1", "2020-03-31", "practice:A", "ccg:X"), ("e2", "2020-09-01", "practice:A", "ccg:Z")]
    t = tables(GOOD, ok, merger)
    assert practice_checks.check_editions_agree(t) == []
    assert [f["agree"] for f in practice_checks.edition_figures(t)] == [1, 1]
    t = tables(GOOD, [("e1", "2019-06-01", "practice:A", "ccg:Y")], merger)
    problems = practice_checks.check_editions_agree(t)
    assert len(problems) == 1 and "agrees for 0 of its 1 practices" in problems[0]
    assert practice_checks.report(t) == ["  practice 2019-06-01  e1                               0 of     1 agree (0.00%)"]


def test_build_rejects_a_ccg_without_practices():
    problems = practice_checks.check_ccgs_hold_practices(tables(GOOD))
    assert problems == ["ccg:Y holds no practice on 2013-04-01 (it existed from 2013-04-01 to 2020-03-31)"]
    outside = GOOD + [("practice:B", "ccg:Y", "2013-04-01", "2020-06-30")]
    problems = practice_checks.check_ccgs_hold_practices(tables(outside))
    assert problems == ["a practice is in ccg:Y from 2013-04-01 to 2020-06-30, outside its life (2013-04-01 to 2020-03-31)"]


@pytest.mark.slow  # checks the whole build (seconds)
def test_the_built_data_passes_the_checks_and_prints_each_edition():
    import build_db

    t = build_db.read_sources(ROOT / "data" / "sources")
    assert practice_checks.check_one_ccg_every_day(t) == []
    assert practice_checks.check_editions_agree(t) == []
    assert practice_checks.check_ccgs_hold_practices(t) == []
    figures = {(f["kind"], f["source"]): f for f in practice_checks.edition_figures(t)}
    assert len(figures) == 15
    assert all(f["agree"] >= 0.995 * f["listed"] for f in figures.values())
    assert figures[("practice", "nhsd_payments_gp_2019_20")]["listed"] == 6990
    lines = practice_checks.report(t)
    assert len(lines) == 15 and any("nhsd_qof_mapping_2020_21" in line for line in lines)


# --- the walk --------------------------------------------------------------------------------------


def walk(life=("2010-01-01", "")):
    lives = {"X": ("2013-04-01", "2020-03-31"), "Y": ("2013-04-01", "2020-03-31"), "Z": ("2020-04-01", "2022-06-30")}
    steps = [
        {"predecessor_id": "ccg:X", "successor_id": "ccg:Z", "date": "2020-04-01"},
        {"predecessor_id": "ccg:Y", "successor_id": "ccg:Z", "date": "2020-04-01"},
    ]
    return Walk(life, Mergers(lives, steps))


def test_walk_carries_a_practice_through_a_merger():
    w = walk()
    w.open("2013-04-01", "X", "epcmem")
    w.confirmed = ("2019-08-30", "epcmem")
    w.see(Seen("2020-09-01", "Z", "map"))
    assert w.finish() == [("2013-04-01", "2020-03-31", "X", "epcmem"), ("2020-04-01", "2022-06-30", "Z", "map")]


def test_walk_dates_a_move_by_the_join_date_or_says_it_cannot():
    w = walk()
    w.open("2013-04-01", "X", "epcmem")
    w.confirmed = ("2019-08-30", "epcmem")
    w.see(Seen("2019-11-19", "Y", "epraccur", joined="2019-10-01"))
    assert w.finish() == [
        ("2013-04-01", "2019-09-30", "X", "epcmem"),
        ("2019-10-01", "2020-03-31", "Y", "epraccur"),
        ("2020-04-01", "2022-06-30", "Z", "derived_practice_ccg_carried"),  # no edition confirms it
    ]
    w = walk()
    w.open("2013-04-01", "X", "epcmem")
    w.confirmed = ("2019-08-30", "epcmem")
    w.see(Seen("2020-03-31", "Y", "payments"))
    rows = w.finish()
    assert rows[:2] == [
        ("2013-04-01", "2020-03-30", "X", "epcmem"),
        ("2020-03-31", "2020-03-31", "Y", "derived_practice_ccg_between_20190830_20200331"),
    ]


def test_walk_starts_a_late_practice_at_its_opening():
    w = walk(("2020-06-01", ""))
    w.see(Seen("2021-01-01", "Z", "list"))
    assert w.finish() == [
        ("2020-06-01", "2020-12-31", "Z", "derived_practice_ccg_filled"),
        ("2021-01-01", "2022-06-30", "Z", "list"),
    ]


def test_pcn_names_of_the_ccg_era_editions_are_the_names_of_the_day(cli, conn):
    # U03186 is "The Fox's PCN" in the December 2019 edition, "The Leicester Foxes PCN" from February 2022.
    names = conn.execute(
        "SELECT name, start, end, source FROM names WHERE org_id = 'pcn:U03186' AND type = 'official' ORDER BY start"
    )
    assert [tuple(r) for r in names][:2] == [
        ("The Fox's PCN", "2019-10-01", "2022-02-15", "ods_epcn_2019_12"),
        ("The Leicester Foxes PCN", "2022-02-16", None, "ods_epcn_2022_02"),
    ]
    assert json.loads(cli("show", "U03186", "--as-of", "2021-01-01", "-f", "json").stdout)["name"] == "The Fox's PCN"
    result = cli("resolve", "--as-of", "2021-01-01", "-f", "json", input="U03186\n")
    assert json.loads(result.stdout)[0]["name"] == "The Fox's PCN"
    # The day of a rename is the edition's, and the timeline and the diff say so.
    result = cli("timeline", "U03186", "-f", "json")
    assert [(e["date"], e["source"]) for e in json.loads(result.stdout) if e["kind"] == "rename"] == [
        ("2022-02-16", "ods_epcn_2022_02")
    ]
    assert "1 PCN rename is dated to the day of the first ePCN edition" in result.stderr
    result = cli("diff", "2022-02-15", "2022-02-16", "--kind", "pcn", "-f", "json")
    renamed = [r for r in json.loads(result.stdout) if r["change"] == "renamed"]
    assert len(renamed) > 20 and f"{len(renamed)} PCN renames are dated" in result.stderr
