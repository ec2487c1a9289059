"""``ics resolve`` as a join engine (issue 12) and its input and output limits (issue 16): the
input's columns kept, several levels, a date per row, LSOAs and postcodes through the one
resolver, bounded reading of hostile input, streaming on a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import ICS_BIN, clean_env

from ics_cli import bulk, bulk_maps, queries


def rows_of(result) -> list[dict]:
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


# --- the table in, the same table out ---------------------------------------------------------------


def test_a_csv_round_trips_with_its_columns_and_quoted_commas(cli, tmp_path):
    path = tmp_path / "practices.csv"
    text = 'month,practice,"label, with comma",items\n2024-01,A81001,"Densham, Stockton",12\n2024-01,nope,"a ""quoted"" word",3\n'
    path.write_text(text, encoding="utf-8")
    result = cli("resolve", str(path), "--column", "practice", "--to", "icb")
    assert result.exit_code == 0, result
    out = list(csv.reader(io.StringIO(result.stdout)))
    assert out[0][:4] == ["month", "practice", "label, with comma", "items"]
    assert out[0][4:] == [
        "status",
        "kind",
        "code",
        "name",
        "icb_code",
        "icb_ons_code",
        "icb_name",
        "icb_short_name",
        "note",
        "org_id",
        "as_of",
    ]
    assert out[1][:4] == ["2024-01", "A81001", "Densham, Stockton", "12"] and out[1][4] == "ok" and out[1][8] == "QHM"
    assert out[2][:5] == ["2024-01", "nope", 'a "quoted" word', "3", "not_found"]
    # The input's own columns come back byte for byte (CSV in, CSV out).
    first = result.stdout.splitlines()[1]
    assert first.startswith('2024-01,A81001,"Densham, Stockton",12,ok,')
    # --fields picks among the input's columns and the answer's; --format changes the output.
    tsv = cli("resolve", str(path), "--column", "practice", "--to", "icb", "--fields", "label, with comma,icb_code", "-f", "tsv")
    assert tsv.exit_code == 2  # a field name with a comma cannot be named in --fields
    tsv = cli("resolve", str(path), "--column", "practice", "--to", "icb", "--fields", "practice,icb_code", "-f", "tsv")
    assert tsv.stdout == "practice\ticb_code\nA81001\tQHM\nnope\t\n"


def test_a_one_column_file_needs_no_column_and_several_columns_need_one(cli, tmp_path):
    one = tmp_path / "codes.csv"
    one.write_text("practice_code\nA81001\nB82005\n", encoding="utf-8")
    rows = rows_of(cli("resolve", str(one), "-f", "json"))
    assert [(r["practice_code"], r["status"]) for r in rows] == [("A81001", "ok"), ("B82005", "ok")]
    many = "practice,month,items\nA81001,2019-06,3\n"
    for args, given in (([], many), ([str(tmp_path / "many.csv")], None)):
        (tmp_path / "many.csv").write_text(many, encoding="utf-8")
        result = cli("resolve", *args, input=given)
        assert result.exit_code == 2 and result.stdout == ""
        assert "The input has 3 columns ('practice', 'month', 'items'): give --column NAME" in result.stderr
    # A name with a comma on a line of its own is still one identifier, not a CSV header.
    name = "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board\n"
    assert rows_of(cli("resolve", "-f", "json", input=name))[0]["code"] == "QOX"
    # --input-format lines reads each line whole; a TSV (ics's own output) is read as a table.
    lines = rows_of(cli("resolve", "--input-format", "lines", "-f", "json", input=many))
    assert [r["status"] for r in lines] == ["not_found", "not_found"]
    assert cli("resolve", "--input-format", "xml", input=many).exit_code == 2


def test_plain_lines_stay_lines_and_the_output_follows_the_input(cli):
    assert cli("resolve", "--fields", "input,code", input="QOP\n").stdout == "input\tcode\nQOP\tQOP\n"
    csv_in = cli("resolve", "--column", "id", "--fields", "id,code", input="id\nQOP\n")
    assert csv_in.stdout == "id,code\nQOP,QOP\n"
    tsv_in = cli("resolve", "--column", "id", "--fields", "id,code", input="id\tx\nQOP\t1\n")
    assert tsv_in.stdout == "id\tcode\nQOP\tQOP\n"
    assert cli("resolve", "--column", "id", "--fields", "id,code", "-f", "jsonl", input="id\nQOP\n").stdout == (
        '{"id": "QOP", "code": "QOP"}\n'
    )


def test_answer_columns_the_input_already_has_are_renamed(cli):
    result = cli("resolve", "--column", "code", "-f", "json", input="code,name\nQOP,x\n")
    row = rows_of(result)[0]
    assert (row["code"], row["name"], row["ics_code"], row["ics_name"]) == (
        "QOP",
        "x",
        "QOP",
        "NHS Greater Manchester Integrated Care Board",
    )
    assert "written code as ics_code, name as ics_name" in result.stderr


# --- several levels, a date per row ------------------------------------------------------------------


def test_practices_to_icb_and_region_in_one_run(cli):
    rows = rows_of(cli("resolve", "--to", "icb,region", "-f", "json", input="A81001\nY02638\nP84676\n"))
    assert [(r["input"], r["status"], r["icb_code"], r["region_code"]) for r in rows] == [
        ("A81001", "ok", "QHM", "Y63"),
        ("Y02638", "ok", "S1Y5D", "Y61"),  # closed in 2019: mapped forward through its last CCG
        ("P84676", "ok", "QOP", "Y62"),
    ]
    assert rows[0]["icb_name"] == "NHS North East and North Cumbria Integrated Care Board"
    assert rows[0]["region_ons_code"] == "E40000012"


def test_a_date_per_row_follows_a_practice_that_moved_ccg(cli):
    # M85097 moved from 13P (Birmingham CrossCity) to 04X (Birmingham South and Central) on 2015-06-03.
    text = "practice,when\nM85097,2015-06-02\nM85097,2015-06-03\nM85097,03/06/2015\nM85097,2015-05\nM85097,2015-13-01\nM85097,\n"
    rows = rows_of(cli("resolve", "--column", "practice", "--date-column", "when", "--to", "ccg", "-f", "json", input=text))
    assert [(r["status"], r["ccg_code"], r["as_of"]) for r in rows] == [
        ("ok", "13P", "2015-06-02"),
        ("ok", "04X", "2015-06-03"),
        ("ok", "04X", "2015-06-03"),
        ("ok", "13P", "2015-05-01"),
        ("bad_date", None, None),
        ("bad_date", None, None),
    ]
    assert rows[4]["note"] == "'2015-13-01' is not a real day"
    result = cli("resolve", "--column", "practice", "--date-column", "when", "--to", "ccg", input=text)
    assert result.stderr == "Resolved 4 of 6 input rows (2 bad date) as of each row's 'when' (2015-05-01 to 2015-06-03).\n"
    assert cli("resolve", "--column", "practice", "--date-column", "nope", input=text).exit_code == 2


def test_the_engine_per_epoch_agrees_with_the_sql_walk_at_every_level():
    # Answers are kept per epoch (bulk_maps.Epochs): check them against one query per answer.
    engine = bulk.Engine(("ccg", "stp", "sub_icb", "icb", "region"))
    engine.by_epochs()
    days = ["2013-04-01", "2014-09-30", "2016-04-01", "2017-06-15", "2019-10-01", "2020-03-31", "2021-04-01", "2022-06-30"]
    days += ["2022-07-01", "2023-04-01", "2025-12-31", "2026-04-01", "2026-08-01"]
    for code in ("A81001", "M85097", "M83041", "L82008", "P84676", "C84001", "Y02638", "U03055", "A82009"):
        oid = ("pcn:" if code.startswith("U") else "practice:") + code
        org = queries.org_on(oid, "2026-08-01")
        for day in days:
            if not (org["start"] or "") <= day <= (org["end"] or "9999"):
                continue
            got = engine.resolve(code, day)
            for level in engine.levels:
                found = queries.ancestor(oid, level, day)
                assert got[f"{level}_code"] == (found["code"] if found else None), (code, day, level)


# --- one resolver: show, search and resolve agree --------------------------------------------------


@pytest.mark.parametrize(
    "text, day", [("stp:QNQ", "2020-01-01"), ("DN22", "2026-08-01"), ("DN22", "2019-06-01"), ("SW1A 1AA", "2019-06-01")]
)
def test_show_search_and_resolve_read_an_identifier_alike(cli, text, day):
    shown = json.loads(cli("show", text, "--as-of", day, "-f", "json").stdout)
    row = rows_of(cli("resolve", "--as-of", day, "-f", "json", input=text + "\n"))[0]
    found = json.loads(cli("search", text, "--as-of", day, "-f", "json").stdout)[0]
    assert row["status"] == "ok" and shown["org_id"] == row["org_id"] == found["org_id"]


# --- LSOAs and postcodes -----------------------------------------------------------------------------


def test_hartlepool_014a_over_the_years(cli):
    text = "lsoa,day\nE01011959,2016-06-01\nE01011959,2021-06-01\nE01011959,2023-06-01\n"
    rows = rows_of(
        cli("resolve", "--column", "lsoa", "--date-column", "day", "--to", "ccg,icb,sub-icb,la", "-f", "json", input=text)
    )
    assert [(r["code"], r["ccg_code"], r["icb_code"], r["sub_icb_code"], r["la_code"]) for r in rows] == [
        ("00K", "00K", None, None, "E06000001"),
        ("16C", "16C", None, None, "E06000001"),
        ("16C", None, "QHM", "16C", "E06000001"),
    ]
    assert all(r["note"].startswith("LSOA E01011959 (Hartlepool 014A)") for r in rows)
    # Each row has a level of another era (ICBs in 2016, CCGs in 2023): said in the note, and still ok.
    assert [r["status"] for r in rows] == ["ok", "ok", "ok"]
    assert "icb: there were no icbs that day" in rows[0]["note"] and "ccg: there were no ccgs that day" in rows[2]["note"]
    profile = json.loads(cli("show", "E01011959", "--as-of", "2016-06-01", "-f", "json").stdout)
    assert {p["kind"]: p["code"] for p in profile["parents"]} == {
        "ccg": "00K",
        "stp": "E54000003",
        "area_team": "Q74",
        "region": "Y54",
        "la": "E06000001",
    }
    assert [(h["code"], h["start"]) for h in profile["history"] if h["kind"] in ("ccg", "sub_icb")] == [
        ("00K", "2013-04-01"),
        ("16C", "2020-04-01"),
        ("16C", "2022-07-01"),
    ]
    # Its parents above the area over time too: the STPs of 2016-2022 (recoded by ONS), the ICB,
    # and one run for the region across the CCG merger of 2020.
    above = [(h["kind"], h["org_id"], h["start"], h["end"]) for h in profile["history"] if h["kind"] in ("stp", "icb", "region")]
    assert above == [
        ("region", "region:Y54", "2013-04-01", "2019-03-31"),
        ("stp", "stp:E54000003", "2016-04-01", "2016-12-31"),
        ("stp", "stp:E54000045", "2017-01-01", "2018-03-31"),
        ("stp", "stp:E54000049", "2018-04-01", "2020-03-31"),
        ("region", "region:Y63", "2019-04-01", None),
        ("stp", "stp:E54000050", "2020-04-01", "2022-06-30"),
        ("icb", "icb:QHM", "2022-07-01", None),
    ]
    assert all(h["source"] for h in profile["history"])


def test_an_inferred_or_bridged_lsoa_says_so(cli):
    rows = rows_of(cli("resolve", "--as-of", "2014-06-01", "-f", "json", input="E01008403\n"))
    assert rows[0]["code"] == "00H" and "its area inferred: no source gives it" in rows[0]["note"]
    rows = rows_of(cli("resolve", "--as-of", "2016-06-01", "-f", "json", input="E01033951\n"))
    assert "parents bridged from its district's re-coded LSOAs, most of them (a guess)" in rows[0]["note"]
    assert rows_of(cli("resolve", "-f", "json", input="E01999999\n"))[0]["status"] == "not_found"
    assert cli("show", "E01999999").exit_code == 1


def test_sw1a_1aa_never_gives_36l_as_ok(cli):
    days = ["2013-04-01", "2016-06-01", "2019-06-01", "2021-06-01", "2022-07-01", "2024-01-01", "2026-08-01"]
    text = "postcode,day\n" + "".join(f"{p},{d}\n" for d in days for p in ("SW1A 1AA", "sw1a1aa", "SW1A 1"))
    for to in ("sub-icb", "ccg", "icb"):
        rows = rows_of(cli("resolve", "--column", "postcode", "--date-column", "day", "--to", to, "-f", "json", input=text))
        assert len(rows) == 21
        for r in rows:
            assert not (r["status"] == "ok" and "36L" in (r["code"], r[f"{to.replace('-', '_')}_code"])), r
        assert {r["code"] for r in rows} == {"09A", "W2U3Z"}  # Central London (Westminster), then North West London


def test_a_postcode_across_a_boundary_is_ambiguous_with_shares(cli):
    # A sector whose LSOAs lay in two CCGs: every candidate with its share, largest first.
    from ics_cli import small_areas

    day = "2019-06-01"
    split = next(
        s
        for s in sorted({r[0] for r in queries.db.rows("SELECT sector FROM sector_blocks")})
        if len(small_areas.sector_areas(s, day)) > 1
    )
    cands = small_areas.sector_areas(split, day)
    row = rows_of(cli("resolve", "--as-of", day, "-f", "json", input=split + "\n"))[0]
    assert row["status"] == "ambiguous" and row["code"] is None
    shares = ", ".join(f"{queries.org_on(c['org_id'], day)['code']} {c['share']:.0%}" for c in cands)
    assert row["note"] == f"postcode sector {split} (its LSOAs): {shares}"
    shown = cli("show", split, "--as-of", day)
    assert shown.exit_code == 1 and "of its LSOAs" in shown.stderr


# --- input that would once crash or grow ------------------------------------------------------------


def test_a_lone_carriage_return_does_not_end_a_row(cli):
    result = cli("resolve", input="QOP\n02\rQ\nA81001\n")
    assert [line.split("\t")[:2] for line in result.stdout.splitlines()[1:]] == [
        ["QOP", "ok"],
        ["02\\rQ", "not_found"],
        ["A81001", "ok"],
    ]
    assert cli("resolve", input="QOP\r\nA81001\r\n").stdout.count("\tok\t") == 2


def test_a_200_kb_field_is_cut_and_marked_too_long(cli, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text('id,code,comment\n1,"' + "x" * 200_000 + '",short\n2,QOP,"' + "y" * 200_000 + '"\n', encoding="utf-8")
    rows = rows_of(cli("resolve", str(path), "--column", "code", "-f", "json"))
    assert [(r["id"], r["status"]) for r in rows] == [("1", "too_long"), ("2", "ok")]
    assert len(rows[0]["code"]) == 4096 and rows[0]["comment"] == "short"
    assert len(rows[1]["comment"]) == 200_000  # other fields are kept whole (up to a MiB a row)
    lines = rows_of(cli("resolve", "-f", "json", input="x" * 200_000 + "\nQOP\n"))
    assert [(len(r["input"]), r["status"]) for r in lines] == [(4096, "too_long"), (3, "ok")]


def test_encodings_by_byte_order_mark_or_refused(cli, tmp_path):
    for encoding in ("utf-16", "utf-16-be", "utf-32", "utf-8-sig"):
        path = tmp_path / f"{encoding}.txt"
        data = "QOP\nA81001\n".encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        path.write_bytes(data)
        rows = rows_of(cli("resolve", str(path), "-f", "json"))
        assert [(r["input"], r["status"]) for r in rows] == [("QOP", "ok"), ("A81001", "ok")], encoding
    bare = tmp_path / "utf16le.txt"
    bare.write_bytes("QOP\nA81001\n".encode("utf-16-le"))
    result = cli("resolve", str(bare))
    assert result.exit_code == 2 and "is not UTF-8 text: it holds NUL bytes (UTF-16 without a byte-order mark" in result.stderr
    header = tmp_path / "bom.csv"
    header.write_bytes("\ufeffcode,x\nQOP,1\n".encode())
    assert rows_of(cli("resolve", str(header), "--column", "code", "-f", "json"))[0]["status"] == "ok"


def test_the_memo_is_bounded_in_bytes():
    engine = bulk.Engine(("icb",))
    engine.memo = bulk_maps.Memo(200_000)
    for i in range(5_000):
        engine.values(f"no such organisation {i:05d} " + "z" * 150, "2026-08-01")
    assert engine.memo.size <= 200_000 + bulk_maps.Memo.ENTRY + 400
    assert len(engine.memo.kept) < 1_000


# Runs a command in a child of its own and writes the child's peak memory to a file: a child
# of the test process would count the test process's memory too (ru_maxrss survives exec, and a
# fork or vfork child starts with its parent's), while this small launcher's is a few MB.
LAUNCH = """
import os, resource, sys
out, limit, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pid = os.fork()
if pid == 0:
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _spawn(argv: list[str], stdin: int, stdout: int, stderr: int, peak_file, limit: int = 0) -> int:
    actions = [(os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, stdout, 1), (os.POSIX_SPAWN_DUP2, stderr, 2)]
    launcher = [sys.executable, "-c", LAUNCH, str(peak_file), str(limit), *argv]
    return os.posix_spawn(sys.executable, launcher, clean_env(), file_actions=actions)


def _finish(pid: int, peak_file) -> tuple[int, float]:
    """The exit code and peak memory (MB) of the command a launcher ran."""
    _, status, _ = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), int(peak_file.read_text()) / 1024


@pytest.mark.slow
def test_dev_zero_and_an_endless_line_under_a_memory_limit(tmp_path):
    limit = 1 << 30  # 1 GiB of address space
    err, peak_file = tmp_path / "err", tmp_path / "peak"
    with open("/dev/null", "rb") as null_in, open("/dev/null", "wb") as null_out, err.open("wb") as errors:
        pid = _spawn(
            [str(ICS_BIN), "resolve", "/dev/zero"], null_in.fileno(), null_out.fileno(), errors.fileno(), peak_file, limit
        )
        code, _ = _finish(pid, peak_file)
    assert code == 2 and "/dev/zero is not UTF-8 text: it holds NUL bytes" in err.read_text()
    # 60 MB without a newline: one row, cut, in flat memory.
    feed_r, feed_w = os.pipe()
    out_r, out_w = os.pipe()
    with err.open("wb") as errors:
        pid = _spawn([str(ICS_BIN), "resolve", "-f", "jsonl"], feed_r, out_w, errors.fileno(), peak_file, limit)
    os.close(feed_r)
    os.close(out_w)
    out: list[bytes] = []

    def read_all() -> None:
        with os.fdopen(out_r, "rb") as f:
            out.append(f.read())

    reader = threading.Thread(target=read_all)
    reader.start()
    with os.fdopen(feed_w, "wb") as feed:
        chunk = b"x" * (1 << 20)
        for _ in range(60):
            feed.write(chunk)
    reader.join(120)
    code, peak = _finish(pid, peak_file)
    assert code == 0, err.read_text()
    rows = [json.loads(line) for line in out[0].splitlines()]
    assert [(len(r["input"]), r["status"]) for r in rows] == [(4096, "too_long")]
    assert peak < 100, peak


@pytest.mark.slow
def test_200000_rows_on_a_terminal_stream_in_flat_memory(tmp_path):
    import fcntl
    import pty
    import struct
    import termios

    codes = [r[0] for r in queries.db.rows("SELECT code FROM orgs WHERE kind = 'practice' ORDER BY code")]
    path = tmp_path / "codes.txt"
    path.write_text("".join(codes[i % len(codes)] + "\n" for i in range(200_000)), encoding="utf-8")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    err, peak_file = tmp_path / "err", tmp_path / "peak"
    with path.open("rb") as stdin, err.open("wb") as errors:
        pid = _spawn([str(ICS_BIN), "resolve", "--to", "icb"], stdin.fileno(), follower, errors.fileno(), peak_file)
    os.close(follower)
    seen = bytearray()
    lines = 0
    started = time.monotonic()
    while True:
        try:
            data = os.read(leader, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        lines += data.count(b"\n")
        if len(seen) < 4096:
            seen += data
    code, peak = _finish(pid, peak_file)
    os.close(leader)
    assert code == 0, err.read_text()
    assert lines >= 200_000 and b"icb_code" in seen
    assert peak < 100, peak
    assert time.monotonic() - started < 300


@pytest.mark.slow
def test_resolve_with_standard_input_closed_says_so(tmp_path):
    done = subprocess.run(
        [str(ICS_BIN), "resolve"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        preexec_fn=lambda: os.close(0),
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "Error: ics resolve reads identifiers from standard input or FILE; standard input is closed.\n"


def test_on_a_terminal_the_table_streams_and_falls_back_to_blocks(cli):
    wide = cli("resolve", "--to", "icb", input="A81001\nnot a code\n", env={"ICS_FORCE_TTY": "200", "NO_COLOR": "1"})
    lines = wide.stdout.splitlines()
    assert lines[0].split() == ["input", "status", "kind", "code", "name", "icb_code", "icb_name", "note"]
    assert set(lines[1]) == {"─"}
    assert lines[2].split()[:4] == ["A81001", "ok", "practice", "A81001"] and lines[3].split() == [
        "not",
        "a",
        "code",
        "not_found",
    ]
    narrow = cli("resolve", "--to", "icb,sub-icb,region", input="A81001\nQOP\n", env={"ICS_FORCE_TTY": "40", "NO_COLOR": "1"})
    blocks = narrow.stdout.split("\n\n")
    assert len(blocks) == 2 and blocks[0].splitlines()[0].split() == ["input", "A81001"]
    assert "sub_icb_name" in blocks[0] and "icb_code" in blocks[1]
    assert max(len(line) for line in narrow.stdout.splitlines()) > 40  # long values are not cut
    middle = cli("resolve", "--to", "icb", input="A81001\n", env={"ICS_FORCE_TTY": "90", "NO_COLOR": "1"})
    assert all(len(line) <= 90 for line in middle.stdout.splitlines())  # names and notes wrap to fit
    assert "Integrated Care" in middle.stdout and middle.stdout.rstrip().endswith("Board")


@pytest.mark.slow
def test_answers_kept_per_epoch_are_those_of_each_day():
    # The same answers with a date per row (kept per epoch) as worked out afresh for each day,
    # for districts too (a practice's by its postcode, an LSOA's by its block, a council's own).
    days = [
        "2013-04-01",
        "2015-06-03",
        "2017-04-01",
        "2019-04-01",
        "2020-04-01",
        "2021-03-31",
        "2022-07-01",
        "2023-04-01",
        "2026-04-01",
    ]
    texts = [
        "A81001",
        "M85097",
        "M83041",
        "L82008",
        "E01011959",
        "E01033951",
        "E01008403",
        "SW1A 1AA",
        "DN22",
        "GU15",
        "00F",
        "15D",
        "E08000003",
    ]
    levels = ("ccg", "icb", "region", "la")
    dated = bulk.Engine(levels)
    dated.by_epochs()
    for day in days:
        fresh = bulk.Engine(levels)
        for text in texts:
            assert dated.values(text, day) == fresh.values(text, day), (text, day)
