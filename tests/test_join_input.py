"""``ics resolve`` over awkward real-world tables, read back by a CSV reader as a user's next tool
would: fields with line breaks inside quotes, byte-order marks and CRLF, empty identifiers,
dates in several forms; the summary on stderr counts the rows written."""

from __future__ import annotations

import csv
import io
import json

from ics_cli.render_flat import _csv_text, write_csv, write_record


def test_a_quoted_line_break_stays_quoted_in_csv_out(cli):
    # Excel writes CRLF rows with a BOM and keeps a line break inside a quoted cell.
    text = '\ufeffpractice,note,month\r\nA81001,"two\r\nlines",2020-06\r\nA81001,"lone\rcr",2019-06\r\n'
    result = cli("resolve", "--column", "practice", "--date-column", "month", "--to", "ccg", input=text)
    assert result.exit_code == 0, result
    rows = list(csv.reader(io.StringIO(result.raw.stdout_bytes.decode(), newline="")))  # .stdout drops \r
    assert len(rows) == 3, result.raw.stdout_bytes
    assert rows[1][:3] == ["A81001", "two\r\nlines", "2020-06"]
    assert rows[2][:3] == ["A81001", "lone\rcr", "2019-06"]
    assert [r[rows[0].index("ccg_code")] for r in rows[1:]] == ["16C", "00K"]
    # --fields takes another writer: the same quoting.
    picked = cli(
        "resolve", "--column", "practice", "--date-column", "month", "--to", "ccg", "--fields", "note,ccg_code", input=text
    )
    assert list(csv.reader(io.StringIO(picked.raw.stdout_bytes.decode(), newline=""))) == [
        ["note", "ccg_code"],
        ["two\r\nlines", "16C"],
        ["lone\rcr", "00K"],
    ]


def test_every_csv_writer_quotes_line_breaks_and_carriage_returns():
    values = ["a\nb", "c\rd", "e,f", "g"]
    assert _csv_text(values, []) == '"a\nb","c\rd","e,f",g'
    out = io.StringIO()
    write_csv(iter([tuple(values)]), [type("C", (), {"key": k})() for k in "wxyz"], out, positions=[0, 1, 2, 3])
    assert out.getvalue() == 'w,x,y,z\n"a\nb","c\rd","e,f",g\n'
    out = io.StringIO()
    write_record({"k": "c\rd"}, "csv", out)
    assert out.getvalue() == 'key,value\nk,"c\rd"\n'


def test_a_practices_pcn_from_july_to_september_2019_is_unknown_not_absent(cli):
    # PCNs went live on 2019-07-01; ODS records them from 2019-10-01. "There were no PCNs" would be
    # false for July to September 2019: the sources just do not say which PCN a practice was in.
    text = "practice,day\nA81001,2019-06-30\nA81001,2019-07-01\nA81001,2019-09-30\nA81001,2019-10-01\n"
    result = cli("resolve", "--column", "practice", "--date-column", "day", "--to", "pcn", "-f", "json", input=text)
    rows = json.loads(result.stdout)
    assert [(r["status"], r["pcn_code"]) for r in rows] == [
        ("no_target", None),
        ("unknown", None),
        ("unknown", None),
        ("ok", "U89141"),
    ]
    assert "2019-07-01" in rows[1]["note"] and "2019-10-01" in rows[1]["note"]
    assert rows[0]["note"] == "there were no pcns that day (they existed from 2019-07-01)"
    assert "(2 unknown, 1 no target)" in result.stderr
    # The crosswalk has the same interval.
    xwalk = [line for line in cli("export", "crosswalk", "practice", "pcn").stdout.splitlines() if line.startswith("A81001,")]
    assert [line.split(",")[1:4] for line in xwalk] == [
        ["2013-04-01", "2019-06-30", "no_target"],
        ["2019-07-01", "2019-09-30", "unknown"],
        ["2019-10-01", "2026-08-01", "ok"],
    ]


def test_empty_or_repeated_header_names_are_said(cli):
    # `practice,practice,` is read as practice, practice_2, column_3; --column takes the first.
    result = cli("resolve", "--column", "practice", "-f", "csv", input="practice,practice,\nA81001,x,y\n")
    assert result.stdout.splitlines()[0].startswith("practice,practice_2,column_3,status,")
    assert "read and written as 'practice_2', 'column_3'" in result.stderr
    assert "header" not in cli("resolve", "--column", "practice", "-f", "csv", input="practice,x\nA81001,y\n").stderr


def test_a_row_dated_after_the_data_up_to_today_is_answered_for_the_last_day(cli):
    # As --as-of is: a month after the data's last day but not in the future gets the last day.
    from ics_cli.dates import coverage, today

    last = coverage()[1]
    text = f"p,m\nA81001,{today()[:7]}\nA81001,2999-01\nA81001,2019-06\n"
    result = cli("resolve", "--column", "p", "--date-column", "m", "-f", "json", input=text)
    rows = json.loads(result.stdout)
    assert [(r["status"], r["as_of"]) for r in rows] == [("ok", last), ("bad_date", None), ("ok", "2019-06-01")]
    assert rows[1]["note"].startswith("2999-01-01 is in the future")
    assert f"1 row dated after {last} (up to today) was answered as of {last}" in result.stderr
