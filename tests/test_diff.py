"""`ics diff DATE1 DATE2`: the changes between two days, against the real database, checked
against independent queries where one can say the same thing."""

from __future__ import annotations

import json

import pytest

from ics_cli import db
from ics_cli import diff as df
from ics_cli.dates import day_before

ALIVE = "COALESCE(start, '') <= ? AND COALESCE(end, '9999-12-31') >= ?"


@pytest.fixture(scope="module", autouse=True)
def _real_db(db_path, monkeypatch_module):
    monkeypatch_module.setenv("ICS_DB", str(db_path))
    db.close()
    yield
    db.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def july_2022():
    return df.diff("2022-06-30", "2022-07-01").records


@pytest.fixture(scope="module")
def april_2026():
    return df.diff("2026-03-31", "2026-04-01").records


def pick(records, kind=None, change=None, org_id=None):
    return [
        r
        for r in records
        if (kind is None or r["kind"] == kind) and (change is None or r["change"] == change) and (org_id in (None, r["org_id"]))
    ]


def test_july_2022_ccgs_ended_and_icbs_began(july_2022):
    ended = pick(july_2022, "ccg", "ended")
    assert len(ended) == 106
    # Each carried on as the sub-ICB location of its code (three also gave part of their area away).
    assert all(
        "became_sub_icb" in r["detail"] and r["after_ids"].split()[0] == r["org_id"].replace("ccg:", "sub_icb:") for r in ended
    )
    assert len([r for r in ended if "boundary_transfer" in r["detail"]]) == 3
    began = pick(july_2022, "icb", "began")
    assert len(began) == 42
    assert all(r["name_after"].endswith("Integrated Care Board") and r["name_before"] == "" for r in began)
    assert len(pick(july_2022, "stp", "ended")) == 42
    assert len(pick(july_2022, "sub_icb", "began")) == 106


def test_july_2022_boundary_moves(july_2022):
    # Bassetlaw: the whole CCG went from South Yorkshire and Bassetlaw to Nottinghamshire.
    (bassetlaw,) = pick(july_2022, "sub_icb", "moved", "sub_icb:02Q")
    assert bassetlaw["name_before"] == "NHS Bassetlaw CCG"
    assert bassetlaw["before_ids"] == "stp:E54000009" and bassetlaw["after_ids"] == "icb:QT1"
    assert bassetlaw["detail"] == "STP → ICB"
    transfers = {(r["before_ids"], r["after_ids"]): r for r in pick(july_2022, change="area_transfer")}
    # Glossop: part of Tameside and Glossop CCG to Derbyshire; West Birmingham: part of the Black Country's.
    glossop = transfers[("ccg:01Y", "sub_icb:15M")]
    assert "Tameside and Glossop" in glossop["before"] and glossop["detail"].startswith("12.6%")  # Census 2021, by block
    assert ("ccg:D2P2L", "sub_icb:15E") in transfers
    # The same three at ICB level (with the nine LSOAs of 06H that went to Northamptonshire).
    assert {("stp:E54000009", "icb:QT1"), ("stp:E54000007", "icb:QJ2"), ("stp:E54000016", "icb:QHL")} <= set(transfers)
    # Glossop's practices moved with it; Bassetlaw's did not move (their CCG carried on as 02Q).
    moved = {r["org_id"] for r in pick(july_2022, "practice", "moved") if r["before_ids"] == "ccg:01Y"}
    assert moved and all(
        r["after_ids"] == "sub_icb:15M" for r in july_2022 if r["org_id"] in moved and r["before_ids"] == "ccg:01Y"
    )
    assert not [r for r in pick(july_2022, "practice") if r["before_ids"] == "ccg:02Q"]


def test_carrying_on_is_not_a_change(july_2022):
    # 6,000 practices' CCG became a sub-ICB location of the same code: none of them is listed.
    assert len(pick(july_2022, "practice")) < 100
    assert not [r for r in july_2022 if r["change"] == "parent_replaced"]


def test_april_2026_icbs(april_2026):
    began = {r["code"] for r in pick(april_2026, "icb", "began")}
    assert began == {"D7T5G", "S0E4D", "S1Y5D", "S9B9J", "T6Y0W", "Z9B2Z"}
    ended = {r["code"] for r in pick(april_2026, "icb", "ended")}
    assert ended == {"QH8", "QHG", "QJG", "QM7", "QMJ", "QMM", "QNQ", "QNX", "QRV", "QU9", "QUE", "QXU"}
    (frimley,) = pick(april_2026, "icb", "ended", "icb:QNQ")
    assert frimley["after_ids"].split() == ["icb:S0E4D", "icb:QRL", "icb:S9B9J"]  # largest share first
    assert "57.1%" in frimley["after"] and frimley["detail"] == "split"
    # The sub-ICB locations of merged ICBs are listed with their new ICB.
    (place,) = pick(april_2026, "sub_icb", "parent_replaced", "sub_icb:92A")
    assert place["before_ids"] == "icb:QXU" and place["after_ids"] == "icb:S9B9J"
    assert len(pick(april_2026, "sub_icb", "parent_replaced")) >= 20


@pytest.mark.slow  # national diffs over every kind (seconds)
@pytest.mark.parametrize(("d1", "d2"), [("2019-01-01", "2020-01-01"), ("2022-06-30", "2022-07-01"), ("2013-04-01", "2026-08-01")])
def test_began_and_ended_match_the_orgs_table(conn, d1, d2):
    records = df.diff(d1, d2).records
    for change, (was, now) in (("began", (False, True)), ("ended", (True, False))):
        sql = f"SELECT org_id FROM orgs WHERE ({ALIVE}) = ? AND ({ALIVE}) = ?"
        expected = {r[0] for r in conn.execute(sql, (d1, d1, was, d2, d2, now))}
        assert {r["org_id"] for r in pick(records, change=change)} == expected


def test_a_practice_move_on_its_day(conn):
    # A practice whose sub-ICB location changed on a day of its own (not a national reorganisation).
    row = conn.execute(
        """SELECT a.child_id, a.parent_id AS old, b.parent_id AS new, b.start FROM memberships a
           JOIN memberships b ON b.child_id = a.child_id AND b.relation = a.relation AND b.start = date(a.end, '+1 day')
           WHERE a.child_id LIKE 'practice:%' AND a.parent_id LIKE 'sub_icb:%' AND b.parent_id LIKE 'sub_icb:%'
             AND a.parent_id != b.parent_id AND b.start NOT IN ('2022-07-01', '2026-04-01')
           ORDER BY b.start, a.child_id LIMIT 1"""
    ).fetchone()
    assert row is not None
    records = df.diff(day_before(row["start"]), row["start"], ("practice",)).records
    (move,) = [r for r in records if r["org_id"] == row["child_id"] and r["detail"] == "sub-ICB"]
    assert move["change"] == "moved" and move["date"] == row["start"]
    assert (move["before_ids"], move["after_ids"]) == (row["old"], row["new"])
    assert all(r["kind"] == "practice" for r in records)
    # The day before, nothing of it had changed yet.
    earlier = df.diff(day_before(day_before(row["start"])), day_before(row["start"]), ("practice",)).records
    assert not [r for r in earlier if r["org_id"] == row["child_id"] and r["detail"] == "sub-ICB"]


def test_renames_and_recodes():
    records = df.diff("2023-03-31", "2023-04-01").records
    recoded = {(r["code"], r["detail"]): r for r in pick(records, change="recoded")}
    assert recoded[("QXU", "ONS")]["before"] == "E54000052" and recoded[("QXU", "ONS")]["after"] == "E54000063"


def test_kind_filter_and_within(cli):
    r = cli("diff", "2022-06-30", "2022-07-01", "--kind", "icb", "-f", "json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert {x["kind"] for x in rows} == {"icb"} and len([x for x in rows if x["change"] == "began"]) == 42
    r = cli("diff", "2022-06-30", "2022-07-01", "--in", "02Q", "-f", "json")
    rows = json.loads(r.stdout)
    assert {(x["org_id"], x["change"]) for x in rows} >= {
        ("sub_icb:02Q", "moved"),
        ("ccg:02Q", "ended"),
        ("la:E07000171", "shares"),
    }
    assert not [x for x in rows if x["kind"] == "practice"]
    # An organisation that existed on the first day only is found on that day.
    r = cli("diff", "2026-03-31", "2026-04-01", "--in", "QNQ", "--kind", "practices,sub-icbs", "-f", "json")
    rows = json.loads(r.stdout)
    assert {x["kind"] for x in rows} == {"practice", "sub_icb"}
    assert len([x for x in rows if x["before_ids"] == "sub_icb:D4U1Y"]) > 50


@pytest.mark.slow  # national diffs in every format (seconds)
def test_fields_are_stable_in_every_format(cli):
    for fmt in ("json", "jsonl", "csv", "tsv", "md"):
        r = cli("diff", "2022-06-30", "2022-07-01", "--kind", "icb", "-f", fmt)
        assert r.exit_code == 0, r
    r = cli("diff", "2022-06-30", "2022-07-01", "--kind", "icb")
    assert r.stdout.splitlines()[0].split("\t") == list(df.FIELDS)
    r = cli("diff", "2022-06-30", "2022-07-01", "--kind", "icb", "--fields", "code,change", "-f", "csv")
    assert r.stdout.splitlines()[:2] == ["code,change", "QE1,began"]


@pytest.mark.slow  # a national diff on a terminal (seconds)
def test_terminal_summary_then_rows(cli):
    r = cli("diff", "2026-03-31", "2026-04-01", "--kind", "icb", env={"ICS_FORCE_TTY": "80", "NO_COLOR": "1"})
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "Changes from 2026-03-31 to 2026-04-01"
    assert (
        "Summary" in lines and "   6  integrated care boards  began" in lines and "  12  integrated care boards  ended" in lines
    )
    assert "Integrated care boards: began (6)" in lines
    assert max(len(line) for line in lines) <= 80
    # The ICB partners the data holds for 2022-2026 only: said, not listed, where trusts are asked for.
    assert r.stderr == ""
    r = cli("diff", "2026-03-31", "2026-04-01", "--kind", "trust", env={"ICS_FORCE_TTY": "80", "NO_COLOR": "1"})
    assert "no ICB partners are recorded on 2026-04-01" in r.stderr


def test_nothing_changed_is_not_an_error(cli):
    r = cli("diff", "2024-12-02", "2024-12-03", "--kind", "icb")
    assert r.exit_code == 0 and r.stdout.splitlines() == ["\t".join(df.FIELDS)]
    r = cli("diff", "2024-12-02", "2024-12-03", "--kind", "icb", env={"ICS_FORCE_TTY": "80"})
    assert r.exit_code == 0 and r.stdout == "" and "No differences" in r.stderr


def test_practice_gap_is_said(cli):
    # Every practice has a CCG on both days (the membership history and the editions): nothing to
    # excuse. A move the sources place only between two editions is said when a day falls between.
    r = cli("diff", "2019-01-01", "2020-01-01", "--kind", "practice", "--in", "00K")
    assert r.exit_code == 0 and r.stderr == ""
    r = cli("diff", "2019-01-01", "2020-06-01", "--kind", "practice", "--in", "05Q")
    assert "M83041 moved from 05Q to 05C on a day between 2020-03-31 and 2021-03-31" in r.stderr
    r = cli("diff", "2019-01-01", "2020-01-01", "--kind", "practice", "--in", "00K", env={"ICS_FORCE_TTY": "80"})
    if not json.loads(cli("diff", "2019-01-01", "2020-01-01", "--kind", "practice", "--in", "00K", "-f", "json").stdout):
        assert "No GP practices are recorded in NHS Hartlepool and Stockton-on-Tees CCG (00K)" in r.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("2022-07-01", "2022-06-30"), 2, "must be before"),
        (("2022-07-01", "2022-07-01"), 2, "must be before"),
        (("2022-13-01", "2023-01-01"), 2, "not a real day"),
        (("2001-01-01", "2023-01-01"), 2, "before the data"),
        (("2022-01-01",), 2, "Missing argument"),
        (("2022-01-01", "2023-01-01", "--kind", "hospitals"), 2, "Unknown kind"),
        (("2022-01-01", "2023-01-01", "--in", "zzzzqqq"), 1, "No organisation matches"),
        (("2014-01-01", "2015-01-01", "--in", "QOP"), 1, "did not exist on 2014-01-01 or on 2015-01-01"),
        (("2022-01-01", "2023-01-01", "--fields", "nope"), 2, "Unknown field"),
    ],
)
def test_bad_input(cli, args, code, message):
    r = cli("diff", *args)
    assert r.exit_code == code, r
    assert message in r.stderr


@pytest.mark.slow  # a subprocess: the installed command
def test_installed_command(ics):
    done = ics("diff", "2026-03-31", "2026-04-01", "--kind", "icb", "-f", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len([r for r in rows if r["change"] == "ended"]) == 12


def test_an_area_transfer_names_a_giver_without_an_ods_code():
    # West Yorkshire and Harrogate's STP of 2016-2020 (E54000005) had an ONS code only: the share
    # of its population that went to Humber, Coast and Vale names it by that, never "None".
    records = df.diff("2020-03-31", "2020-04-01", ("stp",)).records
    details = {r["before_ids"]: r["detail"] for r in pick(records, "stp", "area_transfer")}
    assert details["stp:E54000005"] == "6.3% of the population of E54000005"
    assert details["stp:E54000033"] == "10.3% of the population of E54000033"
    assert not [r for r in records if "None" in " ".join(str(v) for v in r.values())]


def test_changes_dated_2026_by_convention_are_said(cli):
    # Practice renames and PCN moves seen only between the ODS files of 2024-25 and the August 2026
    # mapping are dated 2026-04-01 by convention; the diff says how many, and not for Frimley's split.
    result = df.diff("2026-03-31", "2026-04-01", ("practice", "pcn"))
    conventional = [
        r for r in result.records if r["date"] == "2026-04-01" and r["change"] in ("renamed", "moved", "joined", "left", "began")
    ]
    assert len(conventional) > 200
    (note,) = [n for n in result.notes if "by convention" in n]
    assert note.startswith(f"Note: {len(conventional) + len(pick(result.records, change='ended')):,} changes of GP practices")
    assert "August 2026" in note
    r = cli("diff", "2026-03-31", "2026-04-01", "--kind", "practice", "--fields", "code,change")
    assert r.exit_code == 0 and "by convention" in r.stderr
    assert "by convention" not in cli("diff", "2026-03-31", "2026-04-01", "--kind", "icb").stderr


def test_two_days_after_the_data_are_no_change_not_an_error(cli, monkeypatch):
    # Both days after the data's last (2026-08-01) read as that day: nothing it holds differs, said
    # so (exit 0), rather than "DATE1 (2026-08-01) must be before DATE2 (2026-08-01)".
    from ics_cli import dates

    monkeypatch.setattr(dates, "today", lambda: "2026-12-01")
    r = cli("diff", "2026-08-01", "today", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [",".join(df.FIELDS)]
    assert "DATE2 2026-12-01 is answered as of 2026-08-01" in r.stderr
    assert "No differences between 2026-08-01 and 2026-12-01 are known: the data runs to 2026-08-01" in r.stderr
    # The order of the days asked is still checked, before they are read as the data's last day.
    r = cli("diff", "2026-11-01", "2026-09-01")
    assert r.exit_code == 2 and "DATE1 (2026-11-01) must be before DATE2 (2026-09-01)" in r.stderr


def test_a_county_succeeded_by_a_unitary_is_not_a_change_of_shares(cli):
    # 2023-04-01: North Yorkshire and Somerset county councils became unitaries. Councils' shares of
    # NHS areas are recorded for districts and unitaries only, so the county had none to compare.
    rows = json.loads(cli("diff", "2023-03-31", "2023-04-01", "--kind", "la", "-f", "json").stdout)
    assert [r["code"] for r in rows if r["change"] == "shares" and not r["before"]] == []
    began = {r["name_after"] for r in rows if r["change"] == "began"}
    assert began == {"Cumberland", "Westmorland and Furness", "North Yorkshire", "Somerset"}
    # A real change of shares stays: Chichester's 5.4% in 92A went to 70F.
    assert {r["code"] for r in rows if r["change"] == "shares"} == {"E07000225"}
