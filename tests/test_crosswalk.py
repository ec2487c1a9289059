"""``ics export crosswalk``: the interval table covers every practice-day of the data, and the
README's interval join, run in DuckDB over 100,000 practice-month rows, agrees with ``ics resolve
--date-column`` row for row; the engine's answers per epoch (the days an answer can change) agree
with the one-at-a-time SQL walk (queries.ancestor)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest

from ics_cli import queries

FIRST, LAST = "2013-04-01", "2026-08-01"

# The join the README shows (section "Joining in DuckDB"), with this test's file names.
JOIN = """
SELECT d.row, x.status, x.icb_code
FROM read_csv('{data}', header = true) AS d
LEFT JOIN read_csv('{crosswalk}', header = true) AS x
  ON x.practice_code = d.practice
 AND d.month BETWEEN x.valid_from AND x.valid_to
 AND x.part = 1
ORDER BY d.row
"""


@pytest.fixture(scope="module")
def crosswalk(cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("crosswalk") / "practice_icb.csv"
    result = cli("export", "crosswalk", "practice", "icb", "-o", str(path))
    assert result.exit_code == 0, result
    assert result.stderr.startswith("Wrote ")
    return path


@pytest.mark.slow
def test_the_crosswalk_covers_every_practice_day(crosswalk, conn):
    import duckdb

    con = duckdb.connect()
    table = f"read_csv('{crosswalk}', header = true)"
    practices = conn.execute("SELECT count(*) FROM orgs WHERE kind = 'practice'").fetchone()[0]
    assert con.execute(f"SELECT count(DISTINCT practice_code) FROM {table}").fetchone()[0] == practices
    days = (dt.date.fromisoformat(LAST) - dt.date.fromisoformat(FIRST)).days + 1
    # Part 1 of each practice: from the data's first day to its last, with no gap and no overlap.
    bad = con.execute(
        f"""SELECT practice_code, min(valid_from), max(valid_to), sum(valid_to - valid_from + 1) AS days,
                   sum(CASE WHEN previous IS NOT NULL AND valid_from <> previous + 1 THEN 1 ELSE 0 END) AS breaks
            FROM (SELECT *, lag(valid_to) OVER (PARTITION BY practice_code ORDER BY valid_from) AS previous
                  FROM {table} WHERE part = 1)
            GROUP BY practice_code
            HAVING min(valid_from) <> DATE '{FIRST}' OR max(valid_to) <> DATE '{LAST}' OR days <> {days} OR breaks > 0"""
    ).fetchall()
    assert bad == []
    statuses = dict(con.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall())
    assert set(statuses) <= {"ok", "no_target", "unknown", "ambiguous"} and statuses["ok"] > 8000


@pytest.mark.slow
def test_duckdb_interval_join_agrees_with_resolve_row_for_row(cli, crosswalk, conn, tmp_path):
    import duckdb

    rng = random.Random(20261202)
    practices = [r[0] for r in conn.execute("SELECT code FROM orgs WHERE kind = 'practice' ORDER BY code")]
    months = []
    month = dt.date(2013, 4, 1)
    while month.isoformat() <= LAST:
        months.append(month.isoformat())
        month = (month + dt.timedelta(days=32)).replace(day=1)
    data = tmp_path / "practice_months.csv"
    with data.open("w", encoding="utf-8") as f:
        f.write("row,practice,month\n")
        for i in range(100_000):
            f.write(f"{i},{rng.choice(practices)},{rng.choice(months)}\n")
    result = cli("resolve", str(data), "--column", "practice", "--date-column", "month", "--to", "icb")
    assert result.exit_code == 0, result
    resolved = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(resolved) == 100_000 and list(resolved[0])[:3] == ["row", "practice", "month"]
    joined = duckdb.connect().execute(JOIN.format(data=data, crosswalk=crosswalk)).fetchall()
    assert len(joined) == 100_000
    differ = [
        (r["row"], r["practice"], r["month"], (r["status"], r["icb_code"] or None), (status, icb))
        for r, (row, status, icb) in zip(resolved, joined)
        if (int(r["row"]), r["status"], r["icb_code"] or None) != (row, status, icb)
    ]
    assert differ == [], differ[:10]
    assert {r["status"] for r in resolved} >= {"ok", "no_target"}
    # And the engine (answers kept per epoch) agrees with the SQL walk, one row at a time.
    for r in rng.sample(resolved, 1500):
        org = conn.execute("SELECT start, end FROM orgs WHERE org_id = ?", ("practice:" + r["practice"],)).fetchone()
        if not ((org["start"] or "") <= r["as_of"] <= (org["end"] or "9999")):
            continue  # not open that day: resolve maps it forward or says it had not opened
        icb = queries.ancestor("practice:" + r["practice"], "icb", r["as_of"])
        assert (r["icb_code"] or None) == (icb["code"] if icb else None), r


def test_the_crosswalk_header_is_the_documented_one(cli):
    # FROM and TO words with a hyphen are written with an underscore, and a crosswalk from a
    # kind to itself names its first column from_<kind>_code: README and --help say both.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    helptext = " ".join(cli("export", "--help").stdout.split())
    for frm, to, first in (
        ("sub-icb", "icb", "sub_icb_code"),
        ("icb", "icb", "from_icb_code"),
        ("area-team", "sub-icb", "area_team_code"),
    ):
        header = cli("export", "crosswalk", frm, to).stdout.split("\n", 1)[0]
        t = to.replace("-", "_")
        assert header == f"{first},valid_from,valid_to,status,{t}_code,{t}_ons_code,{t}_name,share,part,note"
    assert "`from_icb_code`" in readme and "`sub_icb_code`" in readme
    assert "from_FROM_code when FROM and TO are the same kind" in helptext


def test_a_code_two_organisations_held_in_turn_has_one_row_per_day(cli):
    # QHM was the ODS code of two STPs (E54000049 2018-2020, E54000050 2020-2022): the crosswalk
    # follows what resolve reads stp:QHM as on each day, never two answers for one day.
    rows = [r for r in csv.DictReader(io.StringIO(cli("export", "crosswalk", "stp", "region").stdout)) if r["stp_code"] == "QHM"]
    spans = [(r["valid_from"], r["valid_to"]) for r in rows if r["part"] == "1"]
    assert spans[0][0] == "2013-04-01" and spans[-1][1] == "2026-08-01"
    assert all(dt.date.fromisoformat(b) + dt.timedelta(1) == dt.date.fromisoformat(a) for (_, b), (a, _) in zip(spans, spans[1:]))
    days = ["2019-01-01", "2021-01-01", "2023-01-01"]
    text = "c,d\n" + "".join(f"stp:QHM,{d}\n" for d in days)
    answers = csv.DictReader(
        io.StringIO(cli("resolve", "--column", "c", "--date-column", "d", "--to", "region", input=text).stdout)
    )
    for day, answer in zip(days, answers):
        (row,) = [r for r in rows if r["valid_from"] <= day <= r["valid_to"]]
        assert (row["status"], row["region_code"]) == (answer["status"], answer["region_code"])


def test_a_file_that_cannot_be_written_is_a_failure_with_one_line(cli, tmp_path):
    # -o to a directory, a missing folder or a full disk: exit 1 (as for `ics map -o`), one line
    # naming the file (escaped), never "internal error"; a bad TO is named as TO, not as --to.
    for target, reason in (
        (str(tmp_path), "Is a directory"),
        (str(tmp_path / "missing" / "x\x1b[2J.csv"), "No such file or directory"),
        ("/dev/full", "No space left on device"),
    ):
        result = cli("export", "crosswalk", "region", "region", "-o", target)
        assert (result.exit_code, result.stdout, result.stderr.count("\n")) == (1, "", 1), result
        assert result.stderr.startswith("Error: Cannot write ") and result.stderr.endswith(f": {reason}.\n")
        assert "\x1b" not in result.stderr and (target != "/dev/full" or "/dev/full" in result.stderr)
    result = cli("export", "crosswalk", "region", "trust")
    assert result.exit_code == 2 and result.stderr.startswith("Error: Unknown crosswalk TO 'trust'. Use one of: icb,")
    result = cli("export", "crosswalk", "region", "region", "-o", str(tmp_path / "r\x07.csv"))
    assert result.exit_code == 0 and result.stderr.startswith("Wrote 34 rows to ") and result.stderr.endswith("/r\\x07.csv.\n")
