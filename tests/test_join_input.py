"""``ics resolve`` over awkward real-world tables, read back by a CSV reader as a user's next tool
would: fields with line breaks inside quotes, byte-order marks and CRLF, empty identifiers,
dates in several forms; the summary on stderr counts the rows written."""

from __future__ import annotations

import csv
import io

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
