"""Facts about the built database (data/ics.sqlite), read straight from its tables.

Two kinds of check:

- the build's invariants (scripts/dbbuild/validate.py) hold in the database that is committed:
  counts of each kind on each day, one parent of a kind at a time, no succession cycles,
  population totals equal to their sources' England totals;
- hand-checked facts across the eras. Each figure was checked against the source MANIFESTs in
  ../shared/sources/*/MANIFEST.md (history: section 2; geography: "ICB changes after July 2022"
  and the ICB reference tables; organisations: the 2026 predecessor mapping) or, where a MANIFEST
  does not give it, against the raw source file named in the comment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

OPEN = "9999-12-31"


# --- helpers ----------------------------------------------------------------------------------


def alive_on(conn, kind: str, day: str) -> set[str]:
    rows = conn.execute(
        """SELECT org_id FROM orgs WHERE kind = ? AND COALESCE(start, '') <= ? AND COALESCE("end", ?) >= ?""",
        (kind, day, OPEN, day),
    )
    return {r["org_id"] for r in rows}


def count_on(conn, kind: str, day: str) -> int:
    return len(alive_on(conn, kind, day))


def parents_on(conn, child: str, day: str, relation: str = "part_of") -> dict[str, str]:
    """{parent kind: parent org_id} of `child` on `day`."""
    rows = conn.execute(
        """SELECT o.kind, m.parent_id FROM memberships m JOIN orgs o ON o.org_id = m.parent_id
           WHERE m.child_id = ? AND m.relation = ? AND COALESCE(m.start, '') <= ? AND COALESCE(m."end", ?) >= ?""",
        (child, relation, day, OPEN, day),
    ).fetchall()
    out: dict[str, str] = {}
    for r in rows:
        assert r["kind"] not in out, f"{child} has two {r['kind']} parents on {day}"
        out[r["kind"]] = r["parent_id"]
    return out


def org(conn, org_id: str) -> dict:
    row = conn.execute("SELECT * FROM orgs WHERE org_id = ?", (org_id,)).fetchone()
    assert row is not None, f"{org_id} is not in orgs"
    return dict(row)


def code_on(conn, org_id: str, scheme: str, day: str) -> str | None:
    rows = conn.execute(
        """SELECT code FROM codes WHERE org_id = ? AND scheme = ? AND COALESCE(start, '') <= ? AND COALESCE("end", ?) >= ?""",
        (org_id, scheme, day, OPEN, day),
    ).fetchall()
    assert len(rows) <= 1, f"{org_id} has {len(rows)} {scheme} codes on {day}"
    return rows[0]["code"] if rows else None


def name_on(conn, org_id: str, day: str, type_: str = "official") -> str | None:
    rows = conn.execute(
        """SELECT name FROM names WHERE org_id = ? AND type = ? AND COALESCE(start, '') <= ? AND COALESCE("end", ?) >= ?""",
        (org_id, type_, day, OPEN, day),
    ).fetchall()
    return rows[0]["name"] if rows else None


def steps_into(conn, successor: str) -> dict[str, dict]:
    rows = conn.execute("SELECT * FROM successions WHERE successor_id = ?", (successor,))
    return {r["predecessor_id"]: dict(r) for r in rows}


def steps_from(conn, predecessor: str) -> dict[str, dict]:
    rows = conn.execute("SELECT * FROM successions WHERE predecessor_id = ?", (predecessor,))
    return {r["successor_id"]: dict(r) for r in rows}


def population(conn, org_id: str, measure: str, sex: str = "all", age: str = "all") -> tuple[int, str]:
    row = conn.execute(
        "SELECT value, date FROM populations WHERE org_id = ? AND measure = ? AND sex = ? AND age = ?",
        (org_id, measure, sex, age),
    ).fetchone()
    assert row is not None, f"no {measure} for {org_id}"
    return row["value"], row["date"]


def day_after(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def change_days(conn, kind: str, first: str, last: str) -> list[str]:
    """Every day in [first, last] on which the number of `kind` organisations can change (an
    organisation starts, or the day after one ends), plus the ends of the range: checking these
    days checks every day."""
    days = {first, last}
    for r in conn.execute('SELECT start, "end" FROM orgs WHERE kind = ?', (kind,)):
        if r["start"] and first <= r["start"] <= last:
            days.add(r["start"])
        if r["end"]:
            for d in (r["end"], day_after(r["end"])):
                if first <= d <= last:
                    days.add(d)
    return sorted(days)


@pytest.fixture(scope="module")
def data_end(conn) -> str:
    return conn.execute("SELECT value FROM meta WHERE key = 'data_end'").fetchone()["value"]


# --- invariants -------------------------------------------------------------------------------


def test_meta_coverage(conn, data_end):
    meta = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
    assert meta["data_start"] == "2013-04-01"
    assert data_end == "2026-08-01"  # the newest source: GP registrations, 1 August 2026
    assert meta["schema_version"] == "2"


SAMPLED_42 = ["2022-07-01", "2022-12-31", "2023-03-31", "2023-04-01", "2024-03-31", "2024-04-01", "2025-04-01", "2026-03-31"]
SAMPLED_36 = ["2026-04-01", "2026-05-15", "2026-08-01"]


@pytest.mark.parametrize("day", SAMPLED_42)
def test_42_icbs_until_march_2026(conn, day):
    assert count_on(conn, "icb", day) == 42


@pytest.mark.parametrize("day", SAMPLED_36)
def test_36_icbs_from_april_2026(conn, day):
    assert count_on(conn, "icb", day) == 36


def test_icb_count_on_every_day(conn, data_end):
    for day in change_days(conn, "icb", "2022-07-01", "2026-03-31"):
        assert count_on(conn, "icb", day) == 42, day
    for day in change_days(conn, "icb", "2026-04-01", data_end):
        assert count_on(conn, "icb", day) == 36, day
    assert count_on(conn, "icb", "2022-06-30") == 0


def test_106_sub_icb_locations_from_july_2022(conn, data_end):
    days = change_days(conn, "sub_icb", "2022-07-01", data_end)
    assert "2026-04-01" in days  # D4U1Y ended, U2G6B began: the count must hold across it
    for day in days + ["2023-01-01", "2025-01-01"]:
        assert count_on(conn, "sub_icb", day) == 106, day
    assert count_on(conn, "sub_icb", "2022-06-30") == 0


def test_7_regions_from_april_2019(conn, data_end):
    for day in change_days(conn, "region", "2019-04-01", data_end) + ["2020-01-01", "2022-07-01", "2024-04-01"]:
        assert count_on(conn, "region", day) == 7, day
    # Before: 4 commissioning regions (2013), 5 once South split (2018).
    assert count_on(conn, "region", "2013-04-01") == 4
    assert count_on(conn, "region", "2018-04-01") == 5
    assert count_on(conn, "region", "2019-03-31") == 5


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2013-04-01", 211),  # ONS CCG names and codes April 2013
        ("2015-04-01", 209),  # 13T from 00F, 00G, 00H
        ("2017-04-01", 207),  # 14L from 00W, 01M, 01N
        ("2018-04-01", 195),  # = the 195 E38 codes of NHSPD CCG18
        ("2019-04-01", 191),  # ONS CCG19 to STP19
        ("2019-06-01", 191),
        ("2020-04-01", 135),  # ONS CCG20 names and codes
        ("2021-04-01", 106),  # ONS CCG21 to STP21 to NHSER21
        ("2022-06-30", 106),
        ("2022-07-01", 0),  # CCGs abolished
    ],
)
def test_ccg_counts(conn, day, expected):
    assert count_on(conn, "ccg", day) == expected


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2016-03-31", 0),
        ("2016-04-01", 44),
        ("2017-04-01", 44),
        ("2018-04-01", 42),
        ("2019-04-01", 42),
        ("2020-04-01", 42),
        ("2021-04-01", 42),
        ("2022-06-30", 42),
        ("2022-07-01", 0),
    ],
)
def test_stp_counts(conn, day, expected):
    assert count_on(conn, "stp", day) == expected


def test_42_stps_on_every_day_april_2018_to_june_2022(conn):
    for day in change_days(conn, "stp", "2018-04-01", "2022-06-30"):
        assert count_on(conn, "stp", day) == 42, day


def test_area_teams_2013(conn):
    assert count_on(conn, "area_team", "2013-04-01") == 27  # NHS England (NHSBSA); ONS has 25, London as one


def test_no_child_in_two_parents_of_one_kind(conn):
    rows = conn.execute(
        """SELECT a.child_id, pa.kind, a.parent_id AS p1, b.parent_id AS p2, a.start AS s1, a."end" AS e1, b.start AS s2, b."end" AS e2
           FROM memberships a JOIN memberships b
             ON a.child_id = b.child_id AND a.relation = 'part_of' AND b.relation = 'part_of'
                AND (a.parent_id, a.start) < (b.parent_id, b.start)
           JOIN orgs pa ON pa.org_id = a.parent_id JOIN orgs pb ON pb.org_id = b.parent_id
           WHERE pa.kind = pb.kind
             AND COALESCE(a.start, '') <= COALESCE(b."end", '9999-12-31')
             AND COALESCE(b.start, '') <= COALESCE(a."end", '9999-12-31')"""
    ).fetchall()
    assert [dict(r) for r in rows] == []


def test_memberships_inside_lifetimes(conn):
    rows = conn.execute(
        """SELECT m.child_id, m.parent_id, m.start, m."end" FROM memberships m
           JOIN orgs c ON c.org_id = m.child_id JOIN orgs p ON p.org_id = m.parent_id
           WHERE COALESCE(m.start, '') < COALESCE(c.start, '') OR COALESCE(m.start, '') < COALESCE(p.start, '')
              OR COALESCE(m."end", '9999-12-31') > COALESCE(c."end", '9999-12-31')
              OR COALESCE(m."end", '9999-12-31') > COALESCE(p."end", '9999-12-31')
           LIMIT 20"""
    ).fetchall()
    assert [dict(r) for r in rows] == []


def test_no_succession_cycles(conn):
    graph = defaultdict(set)
    for r in conn.execute("SELECT predecessor_id, successor_id FROM successions"):
        graph[r["predecessor_id"]].add(r["successor_id"])
    assert graph, "no successions at all"
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str) -> None:
        stack = [(node, iter(sorted(graph[node])))]
        state[node] = 1
        while stack:
            current, children = stack[-1]
            for nxt in children:
                assert state.get(nxt) != 1, f"succession cycle through {current} -> {nxt}"
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(sorted(graph[nxt]))))
                    break
            else:
                state[current] = 2
                stack.pop()

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_successions_point_forward_in_time(conn):
    rows = conn.execute(
        """SELECT s.* FROM successions s JOIN orgs p ON p.org_id = s.predecessor_id JOIN orgs n ON n.org_id = s.successor_id
           WHERE NOT (COALESCE(n.start, '') <= s.date AND s.date <= COALESCE(n."end", '9999-12-31'))
              OR COALESCE(p.start, '') >= s.date
              OR (s.share IS NOT NULL AND (s.share <= 0 OR s.share > 1))"""
    ).fetchall()
    assert [dict(r) for r in rows] == []


@pytest.mark.parametrize("kind", ["icb", "region", "sub_icb"])
def test_ons_mid_2022_totals(conn, kind):
    # 57,106,398 = ONS mid-2022 England (geography MANIFEST, file 4 "Checks"), on every day the
    # figures are given (each row: the area the organisation had from start to end).
    for day, count in (("2022-07-01", 42), ("2023-04-01", 42), ("2026-03-31", 42), ("2026-04-01", 36), ("2026-08-01", 36)):
        total = conn.execute(
            """SELECT sum(p.value) AS n, count(*) AS orgs FROM populations p JOIN orgs o USING (org_id)
               WHERE o.kind = ? AND p.measure = 'ons_mid_year_estimate' AND p.sex = 'all' AND p.age = 'all'
               AND p.date = '2022-06-30' AND p.start <= ? AND COALESCE(p."end", '9999-12-31') >= ?""",
            (kind, day, day),
        ).fetchone()
        assert total["n"] == 57_106_398, day
        assert total["orgs"] == {"icb": count, "region": 7, "sub_icb": 106}[kind], day


@pytest.mark.parametrize("kind", ["icb", "region", "sub_icb"])
def test_gp_registered_totals(conn, kind):
    # 63,237,908 registered patients on 1 August 2026 (geography MANIFEST, file 10).
    total = conn.execute(
        """SELECT sum(p.value) AS n, count(*) AS orgs FROM populations p JOIN orgs o USING (org_id)
           WHERE o.kind = ? AND p.measure = 'gp_registered_patients' AND p.sex = 'all' AND p.age = 'all' AND p.date = '2026-08-01'""",
        (kind,),
    ).fetchone()
    assert total["n"] == 63_237_908
    assert total["orgs"] == {"icb": 36, "region": 7, "sub_icb": 106}[kind]


def test_sexes_add_up(conn):
    rows = conn.execute(
        """SELECT a.org_id, a.measure, a.date, a.value, f.value + m.value AS both FROM populations a
           JOIN populations f ON f.org_id = a.org_id AND f.measure = a.measure AND f.date = a.date AND f.start = a.start
                AND f.age = 'all' AND f.sex = 'female'
           JOIN populations m ON m.org_id = a.org_id AND m.measure = a.measure AND m.date = a.date AND m.start = a.start
                AND m.age = 'all' AND m.sex = 'male'
           WHERE a.sex = 'all' AND a.age = 'all' AND a.value != f.value + m.value"""
    ).fetchall()
    assert [dict(r) for r in rows] == []


def test_census_2021_totals_agree(conn):
    # Sum of the 33,755 English LSOA rows of Nomis TS007A (geography file 14): 56,490,091, for
    # every kind of area on every day (each organisation's figure for the area it had that day).
    kinds = {
        "2013-04-01": ("ccg", "region", "la"),
        "2016-06-01": ("ccg", "stp", "region", "la"),
        "2021-04-01": ("ccg", "stp", "la"),
    }
    kinds |= {day: ("sub_icb", "icb", "region", "la") for day in ("2022-07-01", "2023-04-01", "2026-04-01", "2026-08-01")}
    for day, wanted in kinds.items():
        sums = {
            r["kind"]: r["n"]
            for r in conn.execute(
                """SELECT o.kind, sum(p.value) AS n FROM populations p JOIN orgs o USING (org_id)
                   WHERE p.measure = 'census_2021' AND p.sex = 'all' AND p.age = 'all'
                   AND p.start <= ? AND COALESCE(p."end", '9999-12-31') >= ? GROUP BY o.kind""",
                (day, day),
            )
        }
        assert {k: sums[k] for k in wanted} == dict.fromkeys(wanted, 56_490_091), day


def test_documented_vocabularies(conn):
    # data/README.md: successions.type, memberships.relation, populations.measure, orgs.kind.
    types = {r[0] for r in conn.execute("SELECT DISTINCT type FROM successions")}
    assert types <= {"merger", "split", "boundary_transfer", "rename", "recode", "became_sub_icb", "succeeded"}
    relations = {r[0] for r in conn.execute("SELECT DISTINCT relation FROM memberships")}
    assert relations == {"part_of", "hq_in", "partner", "overlaps"}
    measures = {r[0] for r in conn.execute("SELECT DISTINCT measure FROM populations")}
    assert measures == {"ons_mid_year_estimate", "gp_registered_patients", "qof_list_size", "census_2021"}
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM orgs")}
    assert kinds == {"region", "area_team", "stp", "icb", "ccg", "sub_icb", "la", "trust", "practice", "pcn"}
    bad_ids = conn.execute(
        "SELECT org_id FROM orgs WHERE org_id != kind || ':' || substr(org_id, length(kind) + 2) LIMIT 5"
    ).fetchall()
    assert [r[0] for r in bad_ids] == []


def test_every_row_names_a_known_source(conn):
    sources = {r["source"] for r in conn.execute("SELECT source FROM sources")}
    for table in ("orgs", "codes", "names", "memberships", "successions", "populations", "events"):
        used = {r["source"] for r in conn.execute(f"SELECT DISTINCT source FROM {table}")}
        assert used <= sources, (table, used - sources)


# --- hand-checked facts: CCGs 2013-2022 ----------------------------------------------------------


def test_newcastle_gateshead_merger_2015(conn):
    # history MANIFEST 2.1: 13T Newcastle Gateshead <- 00F, 00G, 00H on 2015-04-01.
    steps = steps_into(conn, "ccg:13T")
    assert set(steps) == {"ccg:00F", "ccg:00G", "ccg:00H"}
    assert {s["date"] for s in steps.values()} == {"2015-04-01"}
    assert {s["type"] for s in steps.values()} == {"merger"}
    for old in ("ccg:00F", "ccg:00G", "ccg:00H"):
        assert org(conn, old)["end"] == "2015-03-31"
    assert org(conn, "ccg:13T")["start"] == "2015-04-01"
    assert name_on(conn, "ccg:00F", "2014-01-01") == "NHS Gateshead CCG"


def test_13t_became_a_sub_icb_location_of_qhm(conn, data_end):
    step = steps_from(conn, "ccg:13T")["sub_icb:13T"]
    assert (step["date"], step["type"]) == ("2022-07-01", "became_sub_icb")
    assert org(conn, "ccg:13T")["end"] == "2022-06-30"
    assert parents_on(conn, "sub_icb:13T", "2022-07-01")["icb"] == "icb:QHM"
    assert parents_on(conn, "sub_icb:13T", data_end)["icb"] == "icb:QHM"


def test_bassetlaw_moved_from_south_yorkshire_to_nottinghamshire(conn):
    # history MANIFEST 2.2: Bassetlaw (02Q) South Yorkshire and Bassetlaw STP (E54000009) -> QT1.
    assert parents_on(conn, "ccg:02Q", "2022-06-30")["stp"] == "stp:E54000009"
    assert parents_on(conn, "sub_icb:02Q", "2022-07-01")["icb"] == "icb:QT1"
    assert code_on(conn, "icb:QT1", "ons", "2022-07-01") == "E54000060"
    # ODS and ONS sub-ICB code unchanged (E38000008).
    assert code_on(conn, "ccg:02Q", "ons", "2022-06-30") == "E38000008"
    assert code_on(conn, "sub_icb:02Q", "ons", "2022-07-01") == "E38000008"
    assert name_on(conn, "ccg:02Q", "2020-01-01") == "NHS Bassetlaw CCG"


def test_glossop_moved_from_tameside_to_derbyshire(conn):
    # history MANIFEST 2.2: Glossop (21 LSOAs) from 01Y to 15M (new E38000261); 01Y -> E38000263.
    step = steps_from(conn, "ccg:01Y")["sub_icb:15M"]
    assert (step["date"], step["type"]) == ("2022-07-01", "boundary_transfer")
    assert step["share"] == pytest.approx(0.13, abs=0.01)
    rest = steps_from(conn, "ccg:01Y")["sub_icb:01Y"]
    assert rest["type"] == "became_sub_icb"
    assert rest["share"] + step["share"] == pytest.approx(1.0, abs=0.001)
    assert code_on(conn, "sub_icb:15M", "ons", "2022-07-01") == "E38000261"
    assert code_on(conn, "sub_icb:01Y", "ons", "2022-07-01") == "E38000263"
    assert parents_on(conn, "sub_icb:01Y", "2022-07-01")["icb"] == "icb:QOP"
    assert parents_on(conn, "sub_icb:15M", "2022-07-01")["icb"] == "icb:QJ2"


def test_cumbria_split_2017(conn):
    # history MANIFEST 2.1: NHS Cumbria CCG (01H, E38000041) -> NHS North Cumbria CCG (01H,
    # E38000215) on 2017-04-01; NHS Lancashire North CCG (01K) -> NHS Morecambe Bay CCG, taking South Cumbria.
    assert name_on(conn, "ccg:01H", "2017-03-31") == "NHS Cumbria CCG"
    assert name_on(conn, "ccg:01H", "2017-04-01") == "NHS North Cumbria CCG"
    assert code_on(conn, "ccg:01H", "ons", "2017-03-31") == "E38000041"
    assert code_on(conn, "ccg:01H", "ons", "2017-04-01") == "E38000215"
    assert code_on(conn, "ccg:01H", "ods", "2017-04-01") == "01H"
    step = steps_from(conn, "ccg:01H")["ccg:01K"]
    assert (step["date"], step["type"]) == ("2017-04-01", "boundary_transfer")
    assert name_on(conn, "ccg:01K", "2016-01-01") == "NHS Lancashire North CCG"
    assert name_on(conn, "ccg:01K", "2017-04-01") == "NHS Morecambe Bay CCG"
    assert code_on(conn, "ccg:01K", "ons", "2017-04-01") == "E38000216"
    assert code_on(conn, "ccg:01K", "ons", "2018-04-01") == "E38000228"
    # Both carried on (a boundary change is not an abolition).
    assert org(conn, "ccg:01H")["end"] == "2022-06-30"
    assert org(conn, "ccg:01K")["end"] == "2022-06-30"


def test_manchester_2017(conn):
    steps = steps_into(conn, "ccg:14L")
    assert set(steps) == {"ccg:00W", "ccg:01M", "ccg:01N"}
    assert {(s["date"], s["type"]) for s in steps.values()} == {("2017-04-01", "merger")}
    assert org(conn, "ccg:14L")["start"] == "2017-04-01"


def test_leeds_2018(conn):
    steps = steps_into(conn, "ccg:15F")
    assert set(steps) == {"ccg:02V", "ccg:03C", "ccg:03G"}
    assert {(s["date"], s["type"]) for s in steps.values()} == {("2018-04-01", "merger")}


def test_devon_2019(conn):
    steps = steps_into(conn, "ccg:15N")
    assert set(steps) == {"ccg:99P", "ccg:99Q"}
    assert {(s["date"], s["type"]) for s in steps.values()} == {("2019-04-01", "merger")}
    derby = steps_into(conn, "ccg:15M")
    assert set(derby) == {"ccg:03X", "ccg:03Y", "ccg:04J", "ccg:04R"}


def ccg_mergers_on(conn, day: str) -> tuple[set[str], set[str]]:
    rows = conn.execute(
        """SELECT predecessor_id, successor_id FROM successions
           WHERE date = ? AND type = 'merger' AND predecessor_id LIKE 'ccg:%' AND successor_id LIKE 'ccg:%'""",
        (day,),
    ).fetchall()
    return {r["predecessor_id"] for r in rows}, {r["successor_id"] for r in rows}


def test_74_ccgs_merged_into_18_in_2020(conn):
    before, after = ccg_mergers_on(conn, "2020-04-01")
    assert len(before) == 74
    codes = {
        "16C",
        "18C",
        "26A",
        "27D",
        "36J",
        "36L",
        "42D",
        "52R",
        "70F",
        "71E",
        "72Q",
        "78H",
        "84H",
        "91Q",
        "92A",
        "92G",
        "93C",
        "97R",
    }
    assert after == {f"ccg:{c}" for c in codes}
    for oid in before:
        assert org(conn, oid)["end"] == "2020-03-31", oid


def test_38_ccgs_merged_into_9_in_2021(conn):
    before, after = ccg_mergers_on(conn, "2021-04-01")
    assert len(before) == 38
    codes = {"A3A8R", "B2M3M", "D2P2L", "D4U1Y", "D9Y0V", "M1J4Y", "M2L0M", "W2U3Z", "X2C4Y"}
    assert after == {f"ccg:{c}" for c in codes}
    assert set(steps_into(conn, "ccg:D4U1Y")) == {"ccg:10C", "ccg:15D", "ccg:99M"}  # Frimley CCG


# --- STPs and regions ------------------------------------------------------------------------


def test_cumbria_and_north_east_stp_2018(conn):
    # history MANIFEST 2.3: E54000045/46/47 merged into E54000049 on 2018-04-01 (44 -> 42 STPs).
    steps = steps_into(conn, "stp:E54000049")
    assert set(steps) == {"stp:E54000045", "stp:E54000046", "stp:E54000047"}
    assert {(s["date"], s["type"]) for s in steps.values()} == {("2018-04-01", "merger")}
    assert org(conn, "stp:E54000049")["start"] == "2018-04-01"


def test_qhm_code_reused_from_stp_to_icb(conn):
    # E54000049 -> E54000050 (2020, Harrogate/Hambleton left), then the ICB QHM keeps E54000050.
    assert org(conn, "stp:E54000050")["end"] == "2022-06-30"
    step = steps_from(conn, "stp:E54000050")["icb:QHM"]
    assert (step["date"], step["type"]) == ("2022-07-01", "succeeded")
    assert code_on(conn, "stp:E54000050", "ods", "2021-01-01") == "QHM"
    assert code_on(conn, "icb:QHM", "ons", "2023-01-01") == "E54000050"


def test_regions_2019_reshape(conn):
    # history MANIFEST 2.4: North (Y54) -> North West (Y62) + North East and Yorkshire (Y63);
    # Midlands and East (Y55) -> Midlands (Y60) + East of England (Y61), 2019-04-01.
    assert set(steps_from(conn, "region:Y54")) == {"region:Y62", "region:Y63"}
    assert set(steps_from(conn, "region:Y55")) == {"region:Y60", "region:Y61"}
    assert alive_on(conn, "region", "2019-04-01") == {f"region:{c}" for c in ("Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63")}


def test_region_ons_recodes_2024(conn):
    # geography MANIFEST, "ICB changes after July 2022" 2: E40000007 -> E40000013, E40000010 -> E40000014.
    assert code_on(conn, "region:Y61", "ons", "2024-03-31") == "E40000007"
    assert code_on(conn, "region:Y61", "ons", "2024-04-01") == "E40000013"
    assert code_on(conn, "region:Y62", "ons", "2024-03-31") == "E40000010"
    assert code_on(conn, "region:Y62", "ons", "2024-04-01") == "E40000014"
    assert code_on(conn, "region:Y61", "ods", "2024-04-01") == "Y61"


# --- ICBs 2022-2026 ---------------------------------------------------------------------------


def test_surrey_heartlands_and_sussex_recodes_2023(conn):
    assert code_on(conn, "icb:QXU", "ons", "2023-03-31") == "E54000052"
    assert code_on(conn, "icb:QXU", "ons", "2023-04-01") == "E54000063"
    assert code_on(conn, "icb:QNX", "ons", "2023-03-31") == "E54000053"
    assert code_on(conn, "icb:QNX", "ons", "2023-04-01") == "E54000064"
    assert code_on(conn, "sub_icb:92A", "ons", "2022-07-01") == "E38000246"
    assert code_on(conn, "sub_icb:92A", "ons", "2023-04-01") == "E38000264"
    assert code_on(conn, "sub_icb:92A", "ons", "2026-04-01") == "E38000267"
    assert name_on(conn, "icb:QXU", "2023-04-01") == "NHS Surrey Heartlands Integrated Care Board"


def test_hampshire_and_isle_of_wight_new_ons_code_2026(conn):
    assert code_on(conn, "icb:QRL", "ons", "2026-03-31") == "E54000042"
    assert code_on(conn, "icb:QRL", "ons", "2026-04-01") == "E54000067"
    assert code_on(conn, "icb:QRL", "ods", "2026-04-01") == "QRL"
    assert org(conn, "icb:QRL")["end"] is None  # kept its identity


def test_frimley_abolished_and_split_three_ways(conn):
    assert org(conn, "icb:QNQ")["end"] == "2026-03-31"
    assert code_on(conn, "icb:QNQ", "ons", "2025-01-01") == "E54000034"
    steps = steps_from(conn, "icb:QNQ")
    assert set(steps) == {"icb:S0E4D", "icb:QRL", "icb:S9B9J"}
    assert {(s["date"], s["type"]) for s in steps.values()} == {("2026-04-01", "split")}
    assert steps["icb:S0E4D"]["share"] == pytest.approx(0.57, abs=0.01)
    assert steps["icb:QRL"]["share"] == pytest.approx(0.23, abs=0.01)
    assert steps["icb:S9B9J"]["share"] == pytest.approx(0.20, abs=0.01)
    assert sum(s["share"] for s in steps.values()) == pytest.approx(1.0, abs=0.002)
    # Its one sub-ICB location went too (E38000252), replaced by U2G6B (E38000268).
    assert org(conn, "sub_icb:D4U1Y")["end"] == "2026-03-31"
    assert org(conn, "sub_icb:U2G6B")["start"] == "2026-04-01"
    assert code_on(conn, "sub_icb:U2G6B", "ons", "2026-04-01") == "E38000268"
    assert parents_on(conn, "sub_icb:U2G6B", "2026-04-01")["icb"] == "icb:S0E4D"


NEW_ICBS = {
    # geography MANIFEST "ICB changes after July 2022" 3; organisations MANIFEST predecessor mapping.
    "S1Y5D": ("E54000065", "NHS Central East Integrated Care Board", {"QHG": "merger", "QUE": "merger", "QM7": "split"}),
    "D7T5G": ("E54000066", "NHS Essex Integrated Care Board", {"QH8": "merger", "QM7": "split", "QJG": "split"}),
    "T6Y0W": ("E54000068", "NHS Norfolk and Suffolk Integrated Care Board", {"QMM": "merger", "QJG": "split"}),
    "Z9B2Z": ("E54000071", "NHS West and North London Integrated Care Board", {"QMJ": "merger", "QRV": "merger"}),
    "S0E4D": ("E54000070", "NHS Thames Valley Integrated Care Board", {"QU9": "merger", "QNQ": "split"}),
    "S9B9J": ("E54000069", "NHS Surrey and Sussex Integrated Care Board", {"QXU": "merger", "QNX": "merger", "QNQ": "split"}),
}


def test_the_six_icbs_created_in_april_2026(conn):
    created = {r["org_id"] for r in conn.execute("SELECT org_id FROM orgs WHERE kind = 'icb' AND start = '2026-04-01'")}
    assert created == {f"icb:{c}" for c in NEW_ICBS}
    ended = {r["org_id"] for r in conn.execute("""SELECT org_id FROM orgs WHERE kind = 'icb' AND "end" = '2026-03-31'""")}
    assert ended == {f"icb:{c}" for c in ("QHG", "QUE", "QM7", "QH8", "QJG", "QMM", "QMJ", "QRV", "QU9", "QXU", "QNX", "QNQ")}


@pytest.mark.parametrize("code", sorted(NEW_ICBS))
def test_new_icb_predecessors(conn, code):
    ons, name, preds = NEW_ICBS[code]
    oid = f"icb:{code}"
    assert code_on(conn, oid, "ons", "2026-04-01") == ons
    assert name_on(conn, oid, "2026-04-01") == name
    steps = steps_into(conn, oid)
    assert {p: s["type"] for p, s in steps.items()} == {f"icb:{p}": t for p, t in preds.items()}
    assert {s["date"] for s in steps.values()} == {"2026-04-01"}
    for _p, s in steps.items():
        if s["type"] == "merger":
            assert s["share"] == pytest.approx(1.0)
        else:
            assert 0 < s["share"] < 1


def test_split_icbs_shares_add_up(conn):
    for oid in ("icb:QM7", "icb:QJG", "icb:QNQ"):
        steps = steps_from(conn, oid)
        assert len(steps) >= 2
        assert sum(s["share"] for s in steps.values()) == pytest.approx(1.0, abs=0.002), oid


def test_west_and_north_london_sub_icbs(conn):
    # wnl seed: 93C (North Central London) and W2U3Z (North West London) under Z9B2Z from 2026.
    assert parents_on(conn, "sub_icb:93C", "2026-03-31")["icb"] == "icb:QMJ"
    assert parents_on(conn, "sub_icb:W2U3Z", "2026-03-31")["icb"] == "icb:QRV"
    assert parents_on(conn, "sub_icb:93C", "2026-04-01")["icb"] == "icb:Z9B2Z"
    assert parents_on(conn, "sub_icb:W2U3Z", "2026-04-01")["icb"] == "icb:Z9B2Z"


def test_practice_a81001_in_2026(conn, data_end):
    # nhsd_gp_reg_pat_prac_map_2026-08.csv: A81001, THE DENSHAM SURGERY, U89141 STOCKTON PCN, 16C, QHM, Y63.
    parents = parents_on(conn, "practice:A81001", data_end)
    assert parents["sub_icb"] == "sub_icb:16C"
    assert parents["pcn"] == "pcn:U89141"
    assert parents_on(conn, "sub_icb:16C", data_end)["icb"] == "icb:QHM"
    assert parents_on(conn, "icb:QHM", data_end)["region"] == "region:Y63"
    assert parents_on(conn, "pcn:U89141", data_end)["sub_icb"] == "sub_icb:16C"
    assert code_on(conn, "sub_icb:16C", "ons", data_end) == "E38000247"


def test_trust_mergers_from_the_ods_successor_file(conn):
    # ods_successors_trud_20230925_tomjemmett.csv: RW3,R0A,2017-10-01 and RM2,R0A,2017-10-01 (Manchester University FT).
    assert org(conn, "trust:RW3")["end"] == "2017-09-30"
    assert org(conn, "trust:R0A")["start"] == "2017-10-01"
    steps = steps_into(conn, "trust:R0A")
    assert {"trust:RW3", "trust:RM2"} <= set(steps)
    assert steps["trust:RW3"]["date"] == "2017-10-01"


def test_populations_of_named_icbs(conn):
    # geography MANIFEST ICB reference tables.
    assert population(conn, "icb:T6Y0W", "gp_registered_patients") == (1_790_661, "2026-08-01")
    assert population(conn, "icb:QOP", "gp_registered_patients") == (3_284_558, "2026-08-01")
    assert population(conn, "icb:QHM", "gp_registered_patients") == (3_218_502, "2026-08-01")
    assert population(conn, "icb:QOP", "ons_mid_year_estimate") == (2_911_744, "2022-06-30")
    assert population(conn, "icb:QNQ", "ons_mid_year_estimate") == (773_481, "2022-06-30")
    assert population(conn, "icb:QHM", "ons_mid_year_estimate") == (3_005_519, "2022-06-30")


def test_every_open_practice_sits_in_a_sub_icb_location(conn, data_end):
    rows = conn.execute(
        """SELECT o.org_id FROM orgs o WHERE o.kind = 'practice' AND COALESCE(o.start, '') <= :d AND o."end" IS NULL
           AND NOT EXISTS (SELECT 1 FROM memberships m JOIN orgs p ON p.org_id = m.parent_id
                           WHERE m.child_id = o.org_id AND m.relation = 'part_of' AND p.kind = 'sub_icb'
                           AND m.start <= :d AND COALESCE(m."end", '9999-12-31') >= :d)""",
        {"d": data_end},
    ).fetchall()
    assert [r["org_id"] for r in rows] == []


def test_greater_manchester_icb(conn):
    qop = org(conn, "icb:QOP")
    assert (qop["start"], qop["end"]) == ("2022-07-01", None)
    assert code_on(conn, "icb:QOP", "ons", "2022-07-01") == "E54000057"
    sub_icbs = {
        r["child_id"]
        for r in conn.execute(
            """SELECT child_id FROM memberships WHERE parent_id = 'icb:QOP' AND relation = 'part_of'
               AND start <= '2026-08-01' AND COALESCE("end", '9999-12-31') >= '2026-08-01'"""
        )
    }
    assert sub_icbs == {f"sub_icb:{c}" for c in ("00T", "00V", "00Y", "01D", "01G", "01W", "01Y", "02A", "02H", "14L")}


def test_policy_timeline_milestones(conn):
    events = {(r["date"], r["title"]) for r in conn.execute("SELECT date, title FROM events WHERE kind = 'policy'")}
    dates = {d for d, _ in events}
    # From the Five Year Forward View (23 October 2014) to 42 ICBs becoming 36 (1 April 2026).
    assert ("2014-10-23", "Five Year Forward View") in events
    assert "2016-04-01" in dates  # STP footprints
    assert "2022-07-01" in dates  # statutory ICSs
    assert any(d == "2026-04-01" and "36" in t for d, t in events)
    assert min(dates) >= "2013-04-01"
    assert max(dates) <= "2026-08-01"


def documented_tables() -> set[str]:
    """Table names listed in data/README.md under "## Tables" and "## Database-only tables"."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    names: set[str] = set()
    section = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line
            continue
        if section and section.startswith("## Tables"):
            m = re.match(r"^\| ([a-z_]+) \|", line)
            if m and m.group(1) != "table":
                names.add(m.group(1))
        elif section and section.startswith("## Database-only tables"):
            names.update(re.findall(r"^- `([a-z_]+)`", line))
            names.update(re.findall(r" and `([a-z_]+)`", line) if line.startswith("- ") else [])
    return names


def test_documented_tables_found_in_readme():
    names = documented_tables()
    assert {"orgs", "codes", "names", "memberships", "successions", "populations", "lookup", "events"} <= names


def test_documented_tables_exist_in_database(conn):
    tables = {r["name"] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert documented_tables() - tables == set()


def test_every_source_is_documented_in_data_readme(conn):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    ids = [r["source"] for r in conn.execute("SELECT source FROM sources")]
    assert len(ids) > 40
    assert [s for s in ids if f"`{s}`" not in readme] == []


def test_stps_have_a_region_before_2019(conn):
    # The CHD gives STPs no parent before April 2019; the build derives it from their CCGs.
    assert parents_on(conn, "stp:E54000007", "2017-01-01")["region"] == "region:Y54"  # Greater Manchester, North
    assert parents_on(conn, "stp:E54000027", "2016-06-01")["region"] == "region:Y56"  # North West London
    missing = conn.execute(
        """SELECT o.org_id FROM orgs o WHERE o.kind = 'stp' AND o.start <= '2018-01-01' AND COALESCE(o."end", '9999') >= '2018-01-01'
           AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.child_id = o.org_id AND m.relation = 'part_of'
                           AND m.parent_id LIKE 'region:%' AND m.start <= '2018-01-01' AND COALESCE(m."end", '9999') >= '2018-01-01')"""
    ).fetchall()
    assert [r["org_id"] for r in missing] == []


# --- local authorities before 2019 ----------------------------------------------------------------


def test_councils_are_older_than_the_data(conn):
    # Councils existed long before 2013: their start is empty ("before coverage"), not 2013-04-01,
    # so the timeline has no "established" event for them on the data's first day.
    assert org(conn, "la:323")["start"] is None  # Lancashire County Council
    assert org(conn, "la:102")["start"] is None and org(conn, "la:102")["end"] == "2023-03-31"
    started_2013 = conn.execute("SELECT org_id FROM orgs WHERE kind = 'la' AND start = '2013-04-01'").fetchall()
    assert started_2013 == []
    events = conn.execute(
        """SELECT e.title FROM events e WHERE e.date = '2013-04-01' AND e.kind = 'established'
           AND (e.title LIKE '%local authorit%' OR EXISTS (SELECT 1 FROM event_orgs eo WHERE eo.event_id = e.event_id
                                                           AND eo.org_id LIKE 'la:%'))"""
    ).fetchall()
    assert events == []


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2013-04-01", 326),
        ("2019-03-31", 326),
        ("2019-04-01", 317),
        ("2020-04-01", 314),
        ("2021-04-01", 309),
        ("2023-04-01", 296),
    ],
)
def test_local_authority_districts_on_every_reorganisation(conn, day, expected):
    # ONS LAD names and codes: 326 English districts 2009-2019, then the 2019, 2020, 2021 and 2023
    # reorganisations (data/curated/la_changes.csv); 309 LTLA22 in the July 2022 LSOA lookup, 296 LAD23.
    districts = {o for o in alive_on(conn, "la", day) if o[3:6] in ("E06", "E07", "E08", "E09")}
    assert len(districts) == expected


def test_districts_abolished_2019_to_2021(conn):
    # Buckinghamshire (Structural Changes) Order 2019: four districts into one unitary on 2020-04-01.
    bucks = steps_into(conn, "la:E06000060")
    assert set(bucks) == {"la:E07000004", "la:E07000005", "la:E07000006", "la:E07000007"}
    assert {r["type"] for r in bucks.values()} == {"merger"} and {r["date"] for r in bucks.values()} == {"2020-04-01"}
    assert org(conn, "la:E07000004")["end"] == "2020-03-31" and name_on(conn, "la:E07000004", "2019-01-01") == "Aylesbury Vale"
    assert org(conn, "la:E06000060")["start"] == "2020-04-01"
    summaries = {(r["date"], r["title"]) for r in conn.execute("SELECT date, title FROM events WHERE scope = 'summary'")}
    assert ("2020-04-01", "4 local authorities merged into 1") in summaries
    assert ("2019-04-01", "14 local authorities merged into 5") in summaries
    # Northamptonshire 2021: seven districts into two unitaries.
    assert set(steps_into(conn, "la:E06000061")) == {"la:E07000150", "la:E07000152", "la:E07000153", "la:E07000156"}
    assert set(steps_into(conn, "la:E06000062")) == {"la:E07000151", "la:E07000154", "la:E07000155"}
    # Dorset 2019: Bournemouth, Poole and Christchurch into BCP; the rest into Dorset.
    assert set(steps_into(conn, "la:E06000058")) == {"la:E06000028", "la:E06000029", "la:E07000048"}
    assert len(steps_into(conn, "la:E06000059")) == 5
    # Somerset: Taunton Deane -> Somerset West and Taunton (2019) -> Somerset (2023).
    assert steps_into(conn, "la:E07000246")["la:E07000190"]["date"] == "2019-04-01"
    assert steps_into(conn, "la:E06000066")["la:E07000246"]["date"] == "2023-04-01"
    # Every abolished district has a successor from the next day (also a build invariant).
    orphans = conn.execute(
        """SELECT o.org_id FROM orgs o WHERE o.kind = 'la' AND o."end" IS NOT NULL AND NOT EXISTS
           (SELECT 1 FROM successions s WHERE s.predecessor_id = o.org_id AND s.date = date(o."end", '+1 day'))"""
    ).fetchall()
    assert orphans == []


# --- one CCG or sub-ICB location per practice per day, directly and through its PCN -------------


def reached(conn, child: str, day: str, kind: str) -> set[str]:
    """Every organisation of `kind` that `child` reaches upwards through part_of on `day` (as
    `ics show` lists parents: directly, or through its PCN)."""
    rows = conn.execute(
        """WITH RECURSIVE up(org_id) AS (
               SELECT :c UNION
               SELECT m.parent_id FROM memberships m JOIN up ON m.child_id = up.org_id
               WHERE m.relation = 'part_of' AND COALESCE(m.start, '') <= :d AND COALESCE(m."end", :open) >= :d)
           SELECT up.org_id FROM up JOIN orgs o USING (org_id) WHERE o.kind = :k""",
        {"c": child, "d": day, "open": OPEN, "k": kind},
    )
    return {r["org_id"] for r in rows}


def test_glossop_and_west_birmingham_practices_in_one_ccg_before_july_2022(conn):
    # history MANIFEST 2.2: Glossop was in Tameside and Glossop (01Y) until 2022-06-30, West
    # Birmingham in Black Country and West Birmingham (D2P2L); their PCNs were there too.
    assert reached(conn, "practice:C81081", "2021-06-01", "ccg") == {"ccg:01Y"}
    assert reached(conn, "practice:C81081", "2021-06-01", "stp") == {"stp:E54000007"}
    assert reached(conn, "practice:C81081", "2021-06-01", "region") == {"region:Y62"}
    assert reached(conn, "practice:C81081", "2022-07-01", "sub_icb") == {"sub_icb:15M"}
    assert reached(conn, "practice:M85009", "2021-06-01", "ccg") == {"ccg:D2P2L"}
    assert reached(conn, "practice:M85009", "2022-07-01", "sub_icb") == {"sub_icb:15E"}
    assert parents_on(conn, "pcn:U60978", "2021-06-01")["ccg"] == "ccg:01Y"  # Glossop PCN
    for pcn in ("U25240", "U44537", "U48923", "U65968"):  # West Birmingham PCNs
        assert parents_on(conn, f"pcn:{pcn}", "2021-06-01")["ccg"] == "ccg:D2P2L"
        assert parents_on(conn, f"pcn:{pcn}", "2022-07-01")["sub_icb"] == "sub_icb:15E"
    # None of Glossop PCN's practices is in Derby and Derbyshire CCG (15M) on 2021-06-01.
    inside = conn.execute(
        """WITH RECURSIVE down(org_id) AS (
               SELECT 'ccg:15M' UNION
               SELECT m.child_id FROM memberships m JOIN down ON m.parent_id = down.org_id
               WHERE m.relation = 'part_of' AND COALESCE(m.start, '') <= '2021-06-01' AND COALESCE(m."end", :open) >= '2021-06-01')
           SELECT org_id FROM down WHERE org_id LIKE 'practice:%'""",
        {"open": OPEN},
    ).fetchall()
    glossop = {f"practice:{c}" for c in ("C81077", "C81081", "C81106", "C81615", "C81640", "C81660")}
    assert inside and not glossop & {r["org_id"] for r in inside}


def test_practice_parents_through_pcns_agree_unless_the_pcn_crosses_a_boundary(conn):
    # A practice's CCG (sub-ICB location) through its PCN differs from its own only in a PCN whose
    # other practices are in the PCN's one that day (PCNs may cross boundaries; ePCN, GP map 2026).
    rows = conn.execute(
        """SELECT pm.child_id AS practice, pp.parent_id AS via, own.parent_id AS own, pm.parent_id AS pcn,
                  max(pm.start, pp.start, own.start) AS day
           FROM memberships pm
           JOIN memberships pp ON pp.child_id = pm.parent_id AND pp.relation = 'part_of'
           JOIN orgs k ON k.org_id = pp.parent_id AND k.kind IN ('ccg', 'sub_icb')
           JOIN memberships own ON own.child_id = pm.child_id AND own.relation = 'part_of'
                AND substr(own.parent_id, 1, instr(own.parent_id, ':')) = substr(pp.parent_id, 1, instr(pp.parent_id, ':'))
           WHERE pm.relation = 'part_of' AND pm.parent_id LIKE 'pcn:%' AND own.parent_id != pp.parent_id
             AND max(pm.start, pp.start, own.start) <= min(COALESCE(pm."end", :open), COALESCE(pp."end", :open), COALESCE(own."end", :open))""",
        {"open": OPEN},
    ).fetchall()
    for r in rows:
        others = conn.execute(
            """SELECT count(*) FROM memberships mm JOIN memberships o2 ON o2.child_id = mm.child_id AND o2.relation = 'part_of'
               WHERE mm.parent_id = :pcn AND mm.relation = 'part_of' AND o2.parent_id = :via
                 AND mm.start <= :d AND COALESCE(mm."end", :open) >= :d AND o2.start <= :d AND COALESCE(o2."end", :open) >= :d""",
            {"pcn": r["pcn"], "via": r["via"], "d": r["day"], "open": OPEN},
        ).fetchone()[0]
        assert others, dict(r)


def test_build_rejects_a_practice_in_two_ccgs_through_its_pcn():
    # The build's invariant (scripts/dbbuild/consistency.py) on a made-up case: the practice is in
    # 01Y, its PCN (with no other practice) in 15M.
    from dbbuild import consistency

    def m(child, parent, start, end=""):
        return {
            "child_id": child,
            "parent_id": parent,
            "relation": "part_of",
            "start": start,
            "end": end,
            "share": "",
            "source": "x",
        }

    orgs = [{"org_id": o, "kind": o.split(":")[0]} for o in ("practice:A", "practice:B", "pcn:P", "ccg:01Y", "ccg:15M")]
    t = {
        "orgs": orgs,
        "memberships": [
            m("practice:A", "ccg:01Y", "2013-04-01", "2022-06-30"),
            m("practice:A", "pcn:P", "2019-07-01"),
            m("pcn:P", "ccg:15M", "2019-07-01", "2022-06-30"),
        ],
    }
    problems = consistency.check_parents_through_pcns(t)
    assert len(problems) == 1 and "practice:A is part of ccg:01Y and, through pcn:P, of ccg:15M" in problems[0]
    # A PCN that crosses a boundary: B is in 15M, so A's PCN being in 15M is not an error.
    t["memberships"] += [m("practice:B", "pcn:P", "2019-07-01"), m("practice:B", "ccg:15M", "2013-04-01", "2022-06-30")]
    assert consistency.check_parents_through_pcns(t) == []


# --- postcode districts over time ---------------------------------------------------------------


def districts_on(conn, district: str, day: str) -> set[str]:
    rows = conn.execute(
        """SELECT org_id FROM postcode_districts WHERE district = ? AND COALESCE(start, '') <= ? AND COALESCE("end", ?) >= ?""",
        (district, day, OPEN, day),
    )
    return {r["org_id"] for r in rows}


def test_postcode_districts_are_dated(conn):
    cols = [r["name"] for r in conn.execute("PRAGMA table_info(postcode_districts)")]
    assert cols == ["district", "org_id", "start", "end", "source"]
    # The July 2022 ODS files: every row from 2022-07-01; only Frimley's (D4U1Y) end, on 2026-03-31.
    old = conn.execute(
        "SELECT start, \"end\", org_id FROM postcode_districts WHERE source = 'nhsd_pcode_districts_2022'"
    ).fetchall()
    assert len(old) == 3437 and {r["start"] for r in old} == {"2022-07-01"}
    assert {r["end"] for r in old if r["org_id"] == "sub_icb:D4U1Y"} == {"2026-03-31"}
    assert {r["end"] for r in old if r["org_id"] != "sub_icb:D4U1Y"} == {None}
    # Nothing points at an organisation on a day it did not exist.
    bad = conn.execute(
        """SELECT p.* FROM postcode_districts p JOIN orgs o USING (org_id)
           WHERE p.start < COALESCE(o.start, '') OR COALESCE(p."end", :open) > COALESCE(o."end", :open)""",
        {"open": OPEN},
    ).fetchall()
    assert bad == []


def test_frimley_postcode_districts_after_the_2026_split(conn):
    # Frimley (D4U1Y) was split by district on 2026-04-01 (derived_lsoa_census note): Rushmoor and
    # Hart to D9Y0V (Hampshire and Isle of Wight), Surrey Heath, Guildford, Runnymede, Waverley to
    # 92A, Bracknell Forest, Slough, Windsor and Maidenhead to U2G6B (Thames Valley).
    assert districts_on(conn, "GU14", "2026-03-31") == {"sub_icb:D4U1Y"}
    assert districts_on(conn, "GU14", "2026-04-01") == {"sub_icb:D9Y0V"}  # Farnborough (Rushmoor)
    assert districts_on(conn, "GU15", "2026-08-01") == {"sub_icb:92A"}  # Camberley (Surrey Heath)
    assert districts_on(conn, "GU47", "2026-08-01") == {"sub_icb:U2G6B"}  # Sandhurst (Bracknell Forest)
    assert districts_on(conn, "GU9", "2026-08-01") == {"sub_icb:92A"}  # Farnham (Waverley)
    assert districts_on(conn, "SL1", "2026-08-01") == {"sub_icb:14Y", "sub_icb:U2G6B"}  # Slough
    # No district points at D4U1Y after it ended, and each new row names the rule.
    assert not conn.execute(
        """SELECT 1 FROM postcode_districts WHERE org_id = 'sub_icb:D4U1Y' AND COALESCE("end", '9') > '2026-03-31'"""
    ).fetchall()
    new = conn.execute("SELECT DISTINCT source, start FROM postcode_districts WHERE start = '2026-04-01'").fetchall()
    assert [tuple(r) for r in new] == [("derived_frimley_postcode_districts_2026", "2026-04-01")]
    # The rest of England is unchanged: Bassetlaw's DN22 is 02Q throughout.
    assert districts_on(conn, "DN22", "2022-07-01") == districts_on(conn, "DN22", "2026-08-01") == {"sub_icb:02Q"}


# --- practices in August 2026 -------------------------------------------------------------------


def test_current_practices_per_icb_match_the_august_2026_map(conn, data_end):
    # NHS England GP registration mapping, 1 August 2026: 6,129 practices, e.g. 406 in Greater
    # Manchester (QOP). Practices open in ODS epraccur (September 2025) but not in the map closed
    # in between (end 2026-03-31).
    rows = conn.execute(
        """SELECT c.code, count(*) AS n FROM orgs p
           JOIN memberships s ON s.child_id = p.org_id AND s.relation = 'part_of' AND s.parent_id LIKE 'sub_icb:%'
                AND s.start <= :d AND COALESCE(s."end", :open) >= :d
           JOIN memberships i ON i.child_id = s.parent_id AND i.relation = 'part_of' AND i.parent_id LIKE 'icb:%'
                AND i.start <= :d AND COALESCE(i."end", :open) >= :d
           JOIN orgs c ON c.org_id = i.parent_id
           WHERE p.kind = 'practice' AND COALESCE(p.start, '') <= :d AND p."end" IS NULL GROUP BY c.code""",
        {"d": data_end, "open": OPEN},
    ).fetchall()
    per_icb = {r["code"]: r["n"] for r in rows}
    assert per_icb["QOP"] == 406 and sum(per_icb.values()) == 6129 == count_on(conn, "practice", data_end)
    import csv
    from collections import Counter
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "shared" / "sources" / "geography" / "nhsd_gp_reg_pat_prac_map_2026-08.csv"
    if path.exists():
        with open(path, encoding="utf-8-sig") as fh:
            assert per_icb == Counter(r["ICB_CODE"] for r in csv.DictReader(fh))
    for code in ("A87006", "E85617"):  # open or dormant in epraccur 2025-09, not in the map
        assert org(conn, f"practice:{code}")["end"] == "2026-03-31"


# --- short names of sub-ICB locations whose area changed ----------------------------------------


def test_stale_sub_icb_place_names_end(conn):
    # history MANIFEST 2.2: Glossop left Tameside and Glossop (01Y) and West Birmingham left Black
    # Country and West Birmingham (D2P2L) on 2022-07-01: the CCGs' place names end the day before.
    for code, place in (("01Y", "Tameside and Glossop"), ("D2P2L", "Black Country and West Birmingham")):
        assert name_on(conn, f"ccg:{code}", "2022-06-30") == f"NHS {place} CCG"
        assert place not in {r["name"] for r in conn.execute("SELECT name FROM names WHERE org_id = ?", (f"sub_icb:{code}",))}
    # 92A took in Frimley's Surrey part on 2026-04-01 (geography MANIFEST, ICB changes).
    assert name_on(conn, "sub_icb:92A", "2026-03-31", "short") == "Surrey Heartlands"
    assert name_on(conn, "sub_icb:92A", "2026-04-01", "short") != "Surrey Heartlands"
    # Names that still fit their changed areas stay.
    assert name_on(conn, "sub_icb:15M", "2026-08-01", "short") == "Derby and Derbyshire"
    assert name_on(conn, "sub_icb:D9Y0V", "2026-08-01", "short") == "Hampshire, Southampton and Isle of Wight"
    assert name_on(conn, "sub_icb:02Q", "2026-08-01", "short") == "Bassetlaw"


def short_names_on(conn, org_id: str, day: str) -> list[dict]:
    return [
        dict(r)
        for r in conn.execute(
            """SELECT name, start, "end", source FROM names WHERE org_id = ? AND type = 'short'
           AND COALESCE(start, '') <= ? AND COALESCE("end", ?) >= ?""",
            (org_id, day, OPEN, day),
        )
    ]


@pytest.mark.parametrize("day", ["2022-07-01", "2023-03-31", "2023-04-01", "2026-03-31", "2026-04-01", "2026-08-01"])
def test_every_sub_icb_location_has_one_place_name(conn, day):
    # Every sub-ICB location of every era has exactly one place name (short name) on the day.
    for oid in sorted(alive_on(conn, "sub_icb", day)):
        rows = short_names_on(conn, oid, day)
        if oid == "sub_icb:92A" and day >= "2026-04-01":  # eleven Surrey districts: no place name (MAX_LISTED)
            assert rows == []
            continue
        assert len(rows) == 1, (oid, day, rows)
        assert rows[0]["name"].strip(), (oid, day)


# The districts their residents live in (LSOA lookups weighted by Census 2021; the share of each
# checked against the overlaps rows below): Tameside holds all of 01Y; D2P2L is the four Black
# Country boroughs (21.7% to 28.2% each); U2G6B is east Berkshire (28.5% to 36.3% each). 92A from
# April 2026 is the eleven Surrey districts (6.7% to 12.5% each): a list, so no name.
DERIVED_PLACES = {
    "01Y": ("2022-07-01", "Tameside"),
    "D2P2L": ("2022-07-01", "Dudley, Sandwell, Walsall and Wolverhampton"),
    "U2G6B": ("2026-04-01", "Bracknell Forest, Slough and Windsor and Maidenhead"),
}


def test_derived_sub_icb_place_names(conn):
    rows = conn.execute("SELECT org_id, name, start, \"end\" FROM names WHERE source = 'derived_sub_icb_place_names'").fetchall()
    assert {r["org_id"]: (r["start"], r["name"]) for r in rows} == {f"sub_icb:{c}": v for c, v in DERIVED_PLACES.items()}
    assert all(r["end"] is None for r in rows)
    for code, (_start, place) in DERIVED_PLACES.items():
        oid = f"sub_icb:{code}"
        assert org(conn, oid)["short_name"] == place  # ics show QOP lists 01Y as Tameside
        assert short_names_on(conn, oid, "2026-08-01")[0]["name"] == place
    # The rule: the districts named are those with at least 5% of the residents (or the one with
    # 95%), as the overlaps rows (district residents living there) confirm for the April 2026 map.
    for code, (_, place) in DERIVED_PLACES.items():
        resident = {}
        for r in conn.execute(
            """SELECT o.name, m.share, p.value FROM memberships m JOIN orgs o ON o.org_id = m.child_id
                   JOIN populations p ON p.org_id = m.child_id AND p.measure = 'census_2021' AND p.sex = 'all' AND p.age = 'all'
                        AND p."end" IS NULL
                   WHERE m.parent_id = ? AND m.relation = 'overlaps' AND m.start <= '2026-04-01' AND m."end" IS NULL""",
            (f"sub_icb:{code}",),
        ):
            resident[r["name"]] = r["share"] * r["value"]
        total = sum(resident.values())
        top = max(resident, key=resident.get)
        named = [top] if resident[top] / total >= 0.95 else sorted(d for d, w in resident.items() if w / total >= 0.05)
        assert place == (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1])
    # The official place names are kept where they still fit, and come first on their days.
    assert short_names_on(conn, "sub_icb:92A", "2026-03-31")[0]["source"] == "ons_ccg21_stp21_nhser21"
    note = conn.execute("SELECT note FROM sources WHERE source = 'derived_sub_icb_place_names'").fetchone()["note"]
    assert "95%" in note and "5%" in note and "Census 2021" in note


def test_place_name_rule():
    from collections import Counter

    from importers.common import uncovered
    from importers.geography import district_place_name

    names = {"a": "Ashford", "b": "Bristol", "c": "Crawley", "d": "Dover"}
    assert district_place_name(Counter({"a": 96, "b": 4}), names) == "Ashford"
    assert district_place_name(Counter({"b": 60, "a": 36, "c": 4}), names) == "Ashford and Bristol"
    assert district_place_name(Counter({"d": 30, "c": 30, "b": 30, "a": 10}), names) == "Ashford, Bristol, Crawley and Dover"
    names["e"] = "Epsom and Ewell"
    assert district_place_name(Counter({"a": 20, "b": 20, "c": 20, "d": 20, "e": 20}), names) is None  # a list, not a name
    assert uncovered("2022-07-01", "", []) == [("2022-07-01", "")]
    assert uncovered("2022-07-01", "", [("2022-07-01", "2026-03-31")]) == [("2026-04-01", "")]
    assert uncovered("2022-07-01", "2023-03-31", [("2022-07-01", "")]) == []
    assert uncovered("2023-04-01", "2026-03-31", [("2022-07-01", "2023-06-30")]) == [("2023-07-01", "2026-03-31")]


# --- national timeline summaries ---------------------------------------------------------------


def summary(conn, day: str, kind: str, title: str) -> tuple[dict, set[str]]:
    row = conn.execute(
        "SELECT * FROM events WHERE scope = 'summary' AND date = ? AND kind = ? AND title = ?", (day, kind, title)
    ).fetchone()
    assert row is not None, (day, kind, title)
    orgs = {r["org_id"] for r in conn.execute("SELECT org_id FROM event_orgs WHERE event_id = ?", (row["event_id"],))}
    return dict(row), orgs


def test_national_merger_summaries_name_the_organisations(conn):
    # ODS successors (history MANIFEST 2.1): 74 CCGs into 18 on 2020-04-01.
    ev, orgs = summary(conn, "2020-04-01", "merger", "74 CCGs merged into 18")
    assert len(orgs) == 92 and {o.split(":")[0] for o in orgs} == {"ccg"}
    assert "36L ← 07V, 08J, 08P, 08R, 08T, 08X" in ev["detail"].split("; ")
    assert len(ev["detail"].split("; ")) == 18
    ev, orgs = summary(conn, "2019-04-01", "merger", "6 CCGs merged into 2")
    assert ev["detail"] == "15M ← 03X, 03Y, 04J, 04R; 15N ← 99P, 99Q"
    # Every summary of an organisational change is linked to the organisations it counts.
    unlinked = conn.execute(
        """SELECT e.date, e.title FROM events e WHERE e.scope = 'summary' AND (e.detail IS NULL OR NOT EXISTS
           (SELECT 1 FROM event_orgs eo WHERE eo.event_id = e.event_id))"""
    ).fetchall()
    assert [tuple(r) for r in unlinked] == []


def test_no_one_member_mergers(conn):
    # 2018 and 2019: a local office formed from one whole local office and part of another.
    ev, orgs = summary(conn, "2018-04-01", "merger", "1 area team merged with part of another into 1")
    assert ev["detail"] == "Q85 ← Q80, part of Q70" and orgs == {"area_team:Q85", "area_team:Q80", "area_team:Q70"}
    summary(conn, "2019-04-01", "merger", "2 area teams merged with parts of 2 others into 2")
    titles = [r["title"] for r in conn.execute("SELECT title FROM events WHERE kind = 'merger'")]
    assert not [t for t in titles if t.startswith("1 ") and "merged into 1" in t]
    # A merger event names every contributor, including parts of split predecessors.
    t6y0w = conn.execute(
        "SELECT event_id, title FROM events WHERE scope = 'org' AND kind = 'merger' AND title LIKE '%(T6Y0W)%'"
    ).fetchone()
    assert "(QMM)" in t6y0w["title"] and "part of NHS Suffolk and North East Essex Integrated Care Board (QJG)" in t6y0w["title"]
    assert {r["org_id"] for r in conn.execute("SELECT org_id FROM event_orgs WHERE event_id = ?", (t6y0w["event_id"],))} == {
        "icb:T6Y0W",
        "icb:QMM",
        "icb:QJG",
    }
    e39 = conn.execute(
        "SELECT title FROM events WHERE scope = 'org' AND kind = 'merger' AND title LIKE '%(E39000046)%'"
    ).fetchone()
    assert "formed from" in e39["title"] and "(Q79)" in e39["title"] and "part of" in e39["title"] and "(Q78)" in e39["title"]
    # "formed by the merger of" only with two or more whole predecessors.
    for (title,) in conn.execute(
        "SELECT title FROM events WHERE scope = 'org' AND kind = 'merger' AND title LIKE '%formed by the merger of%'"
    ):
        assert " and " in title.split("formed by the merger of", 1)[1]
    # Takeovers by a trust that carried on are successions, not mergers (ODS etr 2025 and 2026).
    steps = steps_into(conn, "trust:RWW")
    assert steps["trust:RY2"]["type"] == "succeeded"
    assert steps_into(conn, "trust:RA7")["trust:RVJ"]["type"] == "succeeded"
    summary(conn, "2026-04-01", "merger", "9 ICBs merged into 6")


# --- Census 2021 by CCG -------------------------------------------------------------------------


def test_census_2021_for_the_106_ccgs_of_april_2021(conn):
    ccgs = alive_on(conn, "ccg", "2021-04-01")
    rows = {
        r["org_id"]: r["value"]
        for r in conn.execute(
            """SELECT p.org_id, p.value FROM populations p JOIN orgs o USING (org_id)
           WHERE o.kind = 'ccg' AND p.measure = 'census_2021' AND p.sex = 'all' AND p.age = 'all' AND p.date = '2021-03-21'
           AND p.start <= '2021-04-01' AND COALESCE(p."end", '9999-12-31') >= '2021-04-01'"""
        )
    }
    assert set(rows) == ccgs and len(ccgs) == 106
    assert sum(rows.values()) == 56_490_091  # England, Nomis TS007A

    # A CCG whose area its sub-ICB location kept has the same residents; the others differ by
    # exactly what moved on 2022-07-01 (history MANIFEST 2.2).
    def sub_icbs_on(day):
        return {
            r["org_id"][8:]: r["value"]
            for r in conn.execute(
                """SELECT org_id, value FROM populations WHERE org_id LIKE 'sub_icb:%' AND measure = 'census_2021'
                   AND start <= ? AND COALESCE("end", '9999-12-31') >= ?""",
                (day, day),
            )
        }

    sub = sub_icbs_on("2022-07-01")
    moved = {c[4:]: v - sub[c[4:]] for c, v in rows.items() if v != sub[c[4:]]}
    assert moved["01Y"] == -moved["15M"] > 0  # Glossop
    assert moved["D2P2L"] == -moved["15E"] > 0  # West Birmingham
    assert moved["06H"] == -moved["78H"] > 0  # 9 LSOAs of North Northamptonshire
    assert set(moved) == {"01Y", "15M", "D2P2L", "15E", "06H", "78H"}
    # 2023: 6,696 residents of 92A to 70F; 2026: Frimley's D4U1Y shared out by district.
    later = sub_icbs_on("2023-04-01")
    assert later["70F"] - sub["70F"] == sub["92A"] - later["92A"] == 6_696
    last = sub_icbs_on("2026-04-01")
    assert sum(last[c] - later[c] for c in ("92A", "D9Y0V", "U2G6B") if c in later) + last["U2G6B"] == later["D4U1Y"]


# --- storage: clustered tables and the indexes the CLI uses -------------------------------------


def test_tables_clustered_on_their_natural_keys(conn):
    # scripts/build_db.py stores these WITHOUT ROWID, in key order (the keys of scripts/schema.py); the
    # key's leading columns replace the separate org_id indexes the CLI's look-ups used.
    clustered = {
        "orgs": ["org_id"],
        "codes": ["org_id", "scheme", "code"],
        "names": ["org_id", "type", "name"],
        "attributes": ["org_id", "key", "value"],
        "memberships": ["child_id", "relation", "parent_id", "start"],
        "populations": ["org_id", "measure", "date", "start", "sex", "age"],
        "postcode_districts": ["district", "org_id", "start"],
        "lsoas": ["lsoa"],
        "block_parents": ["block", "parent_id", "start"],
        "sector_blocks": ["sector", "block"],
    }
    for table, key in clustered.items():
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()["sql"]
        assert sql.rstrip().endswith("WITHOUT ROWID, STRICT"), table
        pk = sorted((r["pk"], r["name"]) for r in conn.execute(f"PRAGMA table_info([{table}])") if r["pk"])
        assert [name for _, name in pk] == key, table
    # Every table keeps STRICT and its foreign keys.
    for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'org_search_fts%'"):
        assert r["sql"].rstrip().endswith("STRICT"), r["name"]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize(
    "sql, index",
    [
        ("SELECT name FROM names WHERE org_id = 'icb:QOP' AND type = 'short'", "PRIMARY KEY (org_id=? AND type=?)"),
        ("SELECT code FROM codes WHERE org_id = 'icb:QOP' AND scheme = 'ons'", "PRIMARY KEY (org_id=? AND scheme=?)"),
        ("SELECT key, value FROM attributes WHERE org_id = 'icb:QOP'", "PRIMARY KEY (org_id=?)"),
        ("SELECT * FROM orgs WHERE org_id = 'icb:QOP'", "PRIMARY KEY (org_id=?)"),
        ("SELECT org_id FROM orgs WHERE kind = 'icb'", "idx_orgs_kind (kind=?)"),
        (
            "SELECT parent_id FROM memberships WHERE child_id = 'sub_icb:01Y' AND relation = 'part_of'",
            "PRIMARY KEY (child_id=? AND relation=?)",
        ),
        (
            "SELECT child_id, \"end\" FROM memberships WHERE parent_id = 'icb:QOP' AND relation = 'part_of'",
            "COVERING INDEX idx_memberships_parent_id_relation_child_id_start_end (parent_id=? AND relation=?)",
        ),
        ("SELECT org_id FROM lookup WHERE key = 'tameside'", "idx_lookup_key (key=?)"),
        ("SELECT org_id FROM postcode_districts WHERE district = 'GU15'", "PRIMARY KEY (district=?)"),
        ("SELECT * FROM populations WHERE org_id = 'icb:QOP'", "PRIMARY KEY (org_id=?)"),
        ("SELECT event_id FROM event_orgs WHERE org_id = 'icb:QOP'", "idx_event_orgs_org_id (org_id=?)"),
        ("SELECT org_id FROM event_orgs WHERE event_id = 1", "idx_event_orgs_event_id (event_id=?)"),
        ("SELECT * FROM events WHERE scope = 'summary'", "idx_events_scope_date (scope=?)"),
        ("SELECT * FROM successions WHERE successor_id = 'icb:QOP'", "idx_successions_successor_id (successor_id=?)"),
        ("SELECT * FROM successions WHERE predecessor_id = 'stp:E54000007'", "idx_successions_predecessor_id (predecessor_id=?)"),
        ("SELECT text FROM org_search WHERE org_id = 'icb:QOP'", "sqlite_autoindex_org_search_1 (org_id=?)"),
    ],
)
def test_lookups_use_an_index(conn, sql, index):
    plan = " | ".join(r["detail"] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert plan.startswith("SEARCH") and index in plan, plan


def test_trigram_search_ranks_without_stored_column_sizes(conn):
    # org_search_fts keeps detail=full (trigram substrings are phrases of trigrams) and drops the
    # per-row token counts (columnsize=0): bm25 counts them from org_search.text.
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'org_search_fts'").fetchone()["sql"]
    assert "tokenize='trigram'" in sql and "columnsize=0" in sql and 'content="org_search"' in sql
    rows = conn.execute("""SELECT s.org_id FROM org_search_fts JOIN org_search s ON s.rowid = org_search_fts.rowid
                           WHERE org_search_fts MATCH '"north" AND "cumbria"' ORDER BY bm25(org_search_fts) LIMIT 2""").fetchall()
    assert [r["org_id"] for r in rows] == ["sub_icb:01H", "icb:QHM"]


def test_validate_rejects_a_clustered_key_that_is_empty_or_repeated():
    from dbbuild import validate
    from schema import CSV_TABLES

    t = {table: [] for table in CSV_TABLES}
    name = {"org_id": "la:X", "name": "Xshire", "type": "official", "start": "", "end": "2019-03-31", "source": "s"}
    t["names"] = [name, {**name, "start": "2020-04-01", "end": ""}]  # took its old name back: needs a wider key
    t["postcode_districts"] = [{"district": "GU15", "org_id": "sub_icb:92A", "start": "", "end": "", "source": "s"}]
    problems = validate.check_required(t)
    assert len(problems) == 2
    assert "names: 2 rows share the key (org_id, type, name) = ('la:X', 'official', 'Xshire')" in problems[0]
    assert "postcode_districts: empty start" in problems[1]


@pytest.mark.parametrize(
    "day", ["2016-04-01", "2018-06-01", "2019-04-01", "2019-06-01", "2020-03-31", "2020-04-01", "2022-06-30"]
)
def test_every_stp_has_a_region_every_day(conn, day):
    # The CHD gives none for the five STPs recoded in April 2020 (E54000005, 06, 33, 35, 49) in
    # 2019-20; derived_stp_regions fills every such day from the STP's CCGs' local offices.
    missing = [
        r["org_id"]
        for r in conn.execute(
            """SELECT o.org_id FROM orgs o WHERE o.kind = 'stp' AND COALESCE(o.start, '') <= :d AND COALESCE(o."end", '9999-12-31') >= :d
           AND NOT EXISTS (SELECT 1 FROM memberships m JOIN orgs r ON r.org_id = m.parent_id WHERE m.child_id = o.org_id
                           AND r.kind = 'region' AND m.relation = 'part_of' AND m.start <= :d AND COALESCE(m."end", '9999-12-31') >= :d)""",
            {"d": day},
        )
    ]
    assert missing == []
