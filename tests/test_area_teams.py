"""NHS England's area teams as NHS England ran them (27 from 2013-04-01, London as three: Q61, Q62,
Q63), the ONS code each was reported under (E39000018, ONS's one London area team), and their
succession by the local offices of 2015 (importers/area_teams.py), against the built database and
through the CLI."""

from __future__ import annotations

import json

import pytest

LONDON = {"area_team:Q61": "North East London", "area_team:Q62": "North West London", "area_team:Q63": "South London"}


def on(conn, sql: str, day: str, *args) -> list:
    return conn.execute(
        sql + " AND COALESCE(start, '') <= ? AND COALESCE(\"end\", '9999-12-31') >= ?", (*args, day, day)
    ).fetchall()


def area_teams_on(conn, day: str) -> set[str]:
    return {r["org_id"] for r in on(conn, "SELECT org_id FROM orgs WHERE kind = 'area_team'", day)}


def area_team_of(conn, ccg: str, day: str) -> str:
    rows = on(
        conn,
        "SELECT parent_id FROM memberships WHERE child_id = ? AND relation = 'part_of' AND parent_id LIKE 'area_team:%'",
        day,
        ccg,
    )
    assert len(rows) == 1, (ccg, day, [r[0] for r in rows])
    return rows[0][0]


def test_27_area_teams_from_april_2013_with_the_ods_codes_q44_to_q70(conn):
    teams = area_teams_on(conn, "2013-04-01")
    assert teams == {f"area_team:Q{n}" for n in range(44, 71)}
    assert area_teams_on(conn, "2015-03-31") == teams
    # Each carries its ODS code and an ONS code on every day.
    for team in teams:
        for scheme in ("ods", "ons"):
            assert on(conn, "SELECT code FROM codes WHERE org_id = ? AND scheme = ?", "2013-04-01", team, scheme), (team, scheme)


def test_london_area_teams_carry_the_one_code_ons_gave_london(conn):
    for team, name in LONDON.items():
        org = dict(conn.execute("SELECT * FROM orgs WHERE org_id = ?", (team,)).fetchone())
        assert (org["start"], org["end"]) == ("2013-04-01", "2015-03-31")
        codes = {(r["scheme"], r["code"], r["source"]) for r in conn.execute("SELECT * FROM codes WHERE org_id = ?", (team,))}
        assert codes == {("ods", team.split(":")[1], "nhsbsa_list_size_2013_q2"), ("ons", "E39000018", "ons_ccg13_nhsat13")}
        assert [r["name"] for r in conn.execute("SELECT name FROM names WHERE org_id = ?", (team,))] == [name]
        assert area_team_region(conn, team) == "region:Y56"
    # E39000018 names the three London area teams until 2015-03-31, then NHS England London (Q71).
    holders = conn.execute("SELECT org_id, start, \"end\" FROM codes WHERE scheme = 'ons' AND code = 'E39000018' ORDER BY org_id")
    assert [tuple(r) for r in holders] == [
        ("area_team:Q61", "2013-04-01", "2015-03-31"),
        ("area_team:Q62", "2013-04-01", "2015-03-31"),
        ("area_team:Q63", "2013-04-01", "2015-03-31"),
        ("area_team:Q71", "2015-04-01", "2020-03-31"),
    ]


def area_team_region(conn, team: str) -> str:
    [row] = conn.execute("SELECT parent_id FROM memberships WHERE child_id = ? AND relation = 'part_of'", (team,)).fetchall()
    return row[0]


@pytest.mark.parametrize(
    ("ccg", "team"),
    [
        ("ccg:08H", "area_team:Q61"),  # Islington (north central London, in Q61)
        ("ccg:07L", "area_team:Q61"),  # Barking and Dagenham (north east London)
        ("ccg:07W", "area_team:Q62"),  # Ealing (North West London)
        ("ccg:08Y", "area_team:Q62"),  # West London
        ("ccg:07V", "area_team:Q63"),  # Croydon (South London)
        ("ccg:08X", "area_team:Q63"),  # Wandsworth
    ],
)
def test_a_london_ccg_of_2013_is_in_its_area_team_then_in_nhs_england_london(conn, ccg, team):
    assert area_team_of(conn, ccg, "2013-04-01") == team
    assert area_team_of(conn, ccg, "2015-03-31") == team
    assert area_team_of(conn, ccg, "2015-04-01") == "area_team:Q71"


def test_london_ccgs_per_area_team(conn):
    counts = {
        team: len(on(conn, "SELECT child_id FROM memberships WHERE parent_id = ? AND child_id LIKE 'ccg:%'", "2013-04-01", team))
        for team in LONDON
    }
    assert counts == {"area_team:Q61": 12, "area_team:Q62": 8, "area_team:Q63": 12}


def test_outside_london_the_area_team_of_a_ccg_is_the_ons_one(conn):
    assert area_team_of(conn, "ccg:00C", "2013-04-01") == "area_team:Q45"  # Darlington: Durham, Darlington and Tees
    # 99M: NHSBSA says Q68 (Surrey and Sussex), ONS Wessex; the official one is kept.
    assert area_team_of(conn, "ccg:99M", "2013-04-01") == "area_team:Q70"


def test_london_area_teams_are_succeeded_by_nhs_england_london(conn):
    rows = conn.execute(
        "SELECT predecessor_id, successor_id, date, type, source, note FROM successions WHERE successor_id = 'area_team:Q71'"
    ).fetchall()
    assert {(r[0], r[2], r[3], r[4]) for r in rows} == {
        (team, "2015-04-01", "merger", "derived_london_area_teams") for team in LONDON
    }
    assert all("no successor in the ODS successor file" in r["note"] for r in rows)
    q71 = dict(conn.execute("SELECT * FROM orgs WHERE org_id = 'area_team:Q71'").fetchone())
    assert (q71["start"], q71["end"]) == ("2015-04-01", "2020-03-31")
    # The source says what is inferred and what the sources say.
    note = conn.execute("SELECT note FROM sources WHERE source = 'derived_london_area_teams'").fetchone()[0]
    assert "no source here records Q61-Q63 closing" in note and "2015-03-31" in note and "2015-04-01" in note


def test_area_teams_became_13_local_offices_on_1_april_2015(conn):
    offices = area_teams_on(conn, "2015-04-01")
    assert offices == {f"area_team:Q{n}" for n in range(70, 83)}
    # Every area team of 2013 ended on 2015-03-31 except Wessex (Q70), which carried on, and each has a successor.
    ended = {f"area_team:Q{n}" for n in range(44, 70)}
    succeeded = {r[0] for r in conn.execute("SELECT predecessor_id FROM successions WHERE date = '2015-04-01'")}
    assert ended <= succeeded


def test_cli_lists_27_area_teams_on_1_april_2013(cli):
    result = cli("list", "area-teams", "--as-of", "2013-04-01", "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 27
    london = {r["code"]: r for r in rows if r["code"] in ("Q61", "Q62", "Q63")}
    assert {c: r["name"] for c, r in london.items()} == {
        "Q61": "North East London",
        "Q62": "North West London",
        "Q63": "South London",
    }


def test_cli_shows_the_area_team_of_a_london_ccg(cli):
    result = cli("show", "08H", "--as-of", "2013-04-01", "-f", "json")
    assert result.exit_code == 0, result.stderr
    parents = {p["kind"]: p for p in json.loads(result.stdout)["parents"]}
    assert (parents["area_team"]["code"], parents["area_team"]["ons_code"]) == ("Q61", "E39000018")


def test_cli_e39000018_before_april_2015_names_the_three_london_area_teams(cli):
    result = cli("show", "E39000018", "--as-of", "2014-01-01")
    assert result.exit_code == 1
    for team in ("area_team:Q61", "area_team:Q62", "area_team:Q63"):
        assert team in result.stderr
    later = cli("show", "E39000018", "--as-of", "2016-01-01", "-f", "json")
    assert later.exit_code == 0 and json.loads(later.stdout)["org_id"] == "area_team:Q71"
