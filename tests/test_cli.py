"""The commands through CliRunner against the real database: every command in every format,
terminal and piped output, --fields, and every documented error path with its exit code."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT, STYLE_VARS, CliResult, assert_no_crash, clean_env
from typer.testing import CliRunner

from ics_cli import __version__

LATEST = "2026-08-01"
FORMATS = ("table", "json", "jsonl", "csv", "tsv", "md")
TTY = {"ICS_FORCE_TTY": "100", "NO_COLOR": "1"}
ANSI = re.compile(r"\x1b\[")


# --- parsing the machine formats ------------------------------------------------------------------


def md_cells(line: str) -> list[str]:
    assert line.startswith("| ") and line.endswith(" |"), line
    cells = re.split(r"(?<!\\)\|", line[1:-1])
    return [c.strip().replace("\\|", "|") for c in cells]


def tsv_value(text: str) -> str:
    return re.sub(r"\\([\\tnr])", lambda m: {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[m.group(1)], text)


def parse_rows(fmt: str, text: str) -> list[dict]:
    """Records from a list command's output (keys as printed: field names, or md headers)."""
    if fmt == "json":
        data = json.loads(text)
        assert isinstance(data, list)
        return data
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    if fmt == "tsv":
        lines = text.split("\n")
        assert lines[-1] == "", "TSV ends with a newline"
        header = lines[0].split("\t")
        rows = []
        for line in lines[1:-1]:
            cells = line.split("\t")
            assert len(cells) == len(header), line
            rows.append({k: tsv_value(v) for k, v in zip(header, cells)})
        return rows
    if fmt == "md":
        lines = text.splitlines()
        header = md_cells(lines[0])
        assert all(set(c) <= set("-:") for c in md_cells(lines[1]))
        return [dict(zip(header, md_cells(line))) for line in lines[2:]]
    raise AssertionError(fmt)


def parse_record(fmt: str, text: str) -> dict:
    """One record (show, info): flat formats give dotted keys."""
    if fmt == "json":
        data = json.loads(text)
        assert isinstance(data, dict)
        return data
    if fmt == "jsonl":
        lines = text.splitlines()
        assert len(lines) == 1
        return json.loads(lines[0])
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["key", "value"]
        return {k: v for k, v in rows[1:]}
    if fmt == "tsv":
        return {k: tsv_value(v) for k, v in (line.split("\t") for line in text.splitlines())}
    if fmt == "md":
        lines = text.splitlines()
        assert md_cells(lines[0]) == ["key", "value"]
        return {k: v for k, v in (md_cells(line) for line in lines[2:])}
    raise AssertionError(fmt)


def value(row: dict, key: str, md_header: str | None = None):
    """A field of a parsed row whatever the format (md uses column headers)."""
    if key in row:
        return row[key]
    return row[md_header]


# --- every command in every format ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_list_formats(cli, fmt):
    result = cli("list", "icbs", "--as-of", "2023-01-01", "--format", fmt)
    assert result.exit_code == 0, result
    assert result.stderr == ""
    rows = parse_rows(fmt, result.stdout)
    assert len(rows) == 42
    codes = [value(r, "code", "Code") for r in rows]
    assert len(set(codes)) == 42
    assert {"QNQ", "QOP", "QHM", "QXU"} <= set(codes)
    qop = rows[codes.index("QOP")]
    assert value(qop, "name", "Name") == "NHS Greater Manchester Integrated Care Board"
    assert value(qop, "ons_code", "ONS code") == "E54000057"
    if fmt != "md":
        assert {"code", "ons_code", "name", "kind", "start", "end"} <= set(qop)
        assert qop["kind"] == "icb"
        assert qop["start"] == "2022-07-01"
    if fmt in ("json", "jsonl"):
        assert qop["end"] is None


KIND_WORDS = {
    "regions": "region",
    "icbs": "icb",
    "sub-icbs": "sub_icb",
    "ccgs": "ccg",
    "stps": "stp",
    "area-teams": "area_team",
    "trusts": "trust",
    "practices": "practice",
    "pcns": "pcn",
    "las": "la",
}


@pytest.mark.parametrize("word", sorted(KIND_WORDS))
def test_list_json_every_kind(cli, word):
    for day in ("2017-06-01", LATEST):
        result = cli("list", word, "--as-of", day, "-f", "json")
        assert result.exit_code == 0, result
        rows = json.loads(result.stdout)
        assert isinstance(rows, list)
        for r in rows:
            assert {"code", "ons_code", "name", "kind", "start", "end"} <= set(r)
            assert r["kind"] == KIND_WORDS[word]
            assert r["code"] and r["name"]
            assert (r["start"] or "") <= day <= (r["end"] or "9999-12-31")
    singular = cli("list", word.rstrip("s"), "-f", "jsonl")
    assert singular.exit_code == 0
    assert len(singular.stdout.splitlines()) == len(json.loads(cli("list", word, "-f", "json").stdout))


def test_list_table(cli):
    result = cli("list", "icbs", "--as-of", "2023-01-01", "--format", "table")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Integrated care boards on 2023-01-01"
    assert sum(1 for line in lines if re.match(r"^Q[A-Z0-9]{2} ", line)) == 42
    assert any("NHS Frimley Integrated Care Board" in line for line in lines)
    assert not ANSI.search(result.stdout)


def test_list_counts_for_the_date(cli):
    def count(*args):
        result = cli("list", *args, "-f", "jsonl")
        assert result.exit_code == 0
        return len(result.stdout.splitlines())

    assert count("icbs", "--as-of", "2023-01-01") == 42
    assert count("icbs") == 36
    assert count("ccgs", "--as-of", "2019-06-01") == 191
    assert count("ccg", "--as-of", "2013-04-01") == 211  # singular accepted
    assert count("stps", "--as-of", "2016-04-01") == 44
    assert count("sub-icbs") == 106
    assert count("regions") == 7
    assert count("area-teams", "--as-of", "2013-04-01") == 27  # London as three (Q61, Q62, Q63)
    assert count("ccgs") == 0  # an empty result is a success


def test_ccgs_per_region_april_2021(cli):
    # history MANIFEST 1.1, ONS CCG21 to STP21 to NHSER21: NW 27, NE&Y 24, Midlands 18, EoE 14, SE 11, SW 7, London 5.
    expected = {"Y62": 27, "Y63": 24, "Y60": 18, "Y61": 14, "Y59": 11, "Y58": 7, "Y56": 5}
    for region, n in expected.items():
        result = cli("list", "ccgs", "--in", region, "--as-of", "2021-04-01", "-f", "jsonl")
        assert len(result.stdout.splitlines()) == n, region


def test_list_in(cli):
    result = cli("list", "sub-icbs", "--in", "QT1", "--fields", "code,short_name,start")
    assert (
        result.stdout == "code\tshort_name\tstart\n02Q\tBassetlaw\t2022-07-01\n52R\tNottingham and Nottinghamshire\t2022-07-01\n"
    )
    trusts = parse_rows("tsv", cli("list", "trusts", "--in", "Greater Manchester").stdout)
    assert {"R0A", "RXV", "RBV"} <= {t["code"] for t in trusts}
    assert {t["relation"] for t in trusts} == {"hq_in"}
    practices = parse_rows("csv", cli("list", "practices", "--in", "Bassetlaw", "-f", "csv").stdout)
    assert practices and {p["parent_code"] for p in practices} == {"02Q"}


def test_show_md_is_a_document_to_paste(cli):
    # The terminal's sheet as Markdown: headings, labelled facts, tables; no JSON in cells.
    out = cli("show", "QHM", "--format", "md").stdout
    assert out.startswith("# NHS North East and North Cumbria Integrated Care Board (QHM)\n\n## Organisation\n\n")
    assert "- **ODS code**: QHM\n" in out and "- **ONS code**: E54000050\n" in out
    assert "\n| region | Y63 | North East and Yorkshire |\n" in out
    assert "[{" not in out and "\x1b" not in out
    # With --fields, a record of those fields as before.
    assert cli("show", "QHM", "-f", "md", "--fields", "code,name").stdout.startswith("| key | value |")


@pytest.mark.parametrize("fmt", [f for f in FORMATS[1:] if f != "md"])
def test_show_formats(cli, fmt):
    result = cli("show", "QHM", "--format", fmt)
    assert result.exit_code == 0, result
    rec = parse_record(fmt, result.stdout)
    assert rec["code"] == "QHM"
    assert rec["ons_code"] == "E54000050"
    assert rec["name"] == "NHS North East and North Cumbria Integrated Care Board"
    assert rec["kind"] == "icb"
    assert rec["start"] == "2022-07-01"
    if fmt in ("json", "jsonl"):
        assert rec["end"] is None
        assert {
            "former_names",
            "codes",
            "parents",
            "members",
            "member_counts",
            "populations",
            "predecessors",
            "successors",
            "sources",
            "website",
        } <= set(rec)
        assert [p["code"] for p in rec["parents"] if p["kind"] == "region"] == ["Y63"]
        assert rec["member_counts"]["sub_icb"] == 8
        pops = {p["measure"]: p["value"] for p in rec["populations"] if p["sex"] == "all"}
        assert pops["gp_registered_patients"] == 3_218_502
        assert pops["ons_mid_year_estimate"] == 3_005_519
        assert {p["org_id"] for p in rec["predecessors"]} == {"stp:E54000050"}
    else:
        assert rec["end"] == ""


def test_show_table_is_a_profile(cli):
    result = cli("show", "Greater Manchester", env=TTY)
    assert result.exit_code == 0
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == "NHS Greater Manchester Integrated Care Board (QOP)"

    def line_with(*parts: str) -> str:
        found = [line for line in lines if all(p in line for p in parts)]
        assert found, f"no line with {parts} in:\n{out}"
        return found[0]

    assert re.search(r"ONS code\s+E54000057", line_with("ONS code", "E54000057"))
    assert re.search(r"2022-07-01 to now", line_with("Existed", "2022-07-01"))
    line_with("Sub-ICB locations")
    line_with("00T", "Bolton")
    line_with("GP-registered patients", "3,284,558", "2026-08-01")
    line_with("ONS mid-year estimate", "2,911,744", "2022-06-30")
    line_with("Y62", "North West")
    assert max(len(line) for line in lines) <= 100
    assert not ANSI.search(out)


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_lineage_formats(cli, fmt):
    result = cli("lineage", "QNQ", "--format", fmt)
    assert result.exit_code == 0, result
    if fmt == "json":
        data = json.loads(result.stdout)
        assert set(data) == {"root", "members", "nodes", "edges"}
        assert data["members"] == ["sub_icb:D4U1Y"]  # the sub-ICB location it started with
        assert data["root"] == "icb:QNQ"
        for e in data["edges"]:
            assert {"from", "to", "date", "type", "share", "from_parent", "to_parent", "note", "source"} <= set(e)
        splits = {e["to"]: e["share"] for e in data["edges"] if e["type"] == "split"}
        assert set(splits) == {"icb:S0E4D", "icb:QRL", "icb:S9B9J"}
        assert splits["icb:S0E4D"] == pytest.approx(0.5712)
        return
    rows = [r for r in parse_rows(fmt, result.stdout) if "icb:QNQ" in (r["from"], r["to"])]
    assert len(rows) == 4
    assert [r["date"] for r in rows] == ["2022-07-01", "2026-04-01", "2026-04-01", "2026-04-01"]
    assert {r["type"] for r in rows} == {"succeeded", "split"}
    shares = {r["to_code"]: float(r["share"]) for r in rows if r["type"] == "split"}
    assert shares == pytest.approx({"S0E4D": 0.5712, "QRL": 0.228, "S9B9J": 0.2008})


def test_lineage_tree(cli):
    result = cli("lineage", "00F", "--down", env={"ICS_FORCE_TTY": "300", "NO_COLOR": "1"})  # wide: nothing wraps
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "NHS Gateshead CCG (00F) [ccg, 2013-04-01 to 2015-03-31]"
    assert lines[1] == "└── went to"
    assert lines[2].startswith("    └── 2015-04-01 merger: NHS Newcastle Gateshead CCG (13T) [ccg, 2015-04-01 to 2022-06-30]")
    assert lines[3].startswith(
        "        └── 2022-07-01 became a sub-ICB location: NHS North East and North Cumbria ICB - 13T (13T)"
    )
    assert "into NHS North East and North Cumbria Integrated Care Board (QHM, icb)" in lines[3]
    assert len(lines) == 4
    assert not ANSI.search(result.stdout)


def test_lineage_table_format_piped_is_a_tree_without_wrapping(cli):
    result = cli("lineage", "QNQ", "--down", "-f", "table")
    lines = result.stdout.splitlines()
    assert lines[0] == "NHS Frimley Integrated Care Board (QNQ) [icb, 2022-07-01 to 2026-03-31]"
    assert len(lines) == 5  # root, went to + 3: nothing wrapped


def test_lineage_piped_default_is_one_step_per_row(cli):
    result = cli("lineage", "02Q", "--fields", "date,type,from,to,from_parent,to_parent")
    assert result.stdout == (
        "date\ttype\tfrom\tto\tfrom_parent\tto_parent\n2022-07-01\tbecame_sub_icb\tccg:02Q\tsub_icb:02Q\tQF7\tQT1\n"
    )


def test_lineage_directions_and_depth(cli):
    up = parse_rows("jsonl", cli("lineage", "13T", "--up", "-f", "jsonl").stdout)
    assert {r["from"] for r in up} == {"ccg:00F", "ccg:00G", "ccg:00H", "ccg:13T"}
    one = parse_rows("jsonl", cli("lineage", "13T", "--up", "--depth", "1", "-f", "jsonl").stdout)
    assert [(r["from"], r["to"]) for r in one] == [("ccg:13T", "sub_icb:13T")]
    down = parse_rows("jsonl", cli("lineage", "S1Y5D", "--down", "-f", "jsonl").stdout)
    assert down == []
    preds = parse_rows("jsonl", cli("lineage", "S1Y5D", "--up", "--depth", "1", "-f", "jsonl").stdout)
    assert {r["from_code"] for r in preds if r["type"] != "moved"} == {"QHG", "QUE", "QM7"}
    moved = {(r["from_code"], r["from_parent"]) for r in preds if r["type"] == "moved"}
    assert ("06H", "QUE") in moved and ("06K", "QM7") in moved  # sub-ICB locations it took in


def test_lineage_with_as_of_reads_a_reused_code(cli):
    stp = json.loads(cli("lineage", "QHM", "--as-of", "2021-01-01", "-f", "json").stdout)
    icb = json.loads(cli("lineage", "QHM", "-f", "json").stdout)
    assert stp["root"] == "stp:E54000050"
    assert icb["root"] == "icb:QHM"


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_timeline_formats(cli, fmt):
    result = cli("timeline", "--from", "2020-04-01", "--to", "2020-04-01", "--format", fmt)
    assert result.exit_code == 0, result
    rows = parse_rows(fmt, result.stdout)
    assert rows
    assert {value(r, "date", "Date") for r in rows} == {"2020-04-01"}
    assert "74 CCGs merged into 18" in [value(r, "title", "Event") for r in rows]
    if fmt in ("json", "jsonl"):
        assert all(isinstance(r["org_ids"], list) for r in rows)
        assert all(r["source"] for r in rows)


def test_timeline_national_story(cli):
    rows = parse_rows("tsv", cli("timeline", "--kind", "policy").stdout)
    got = {(r["date"], r["title"]) for r in rows}
    assert ("2014-10-23", "Five Year Forward View") in got
    assert ("2026-04-01", "42 ICBs become 36") in got
    assert {r["kind"] for r in rows} == {"policy"}
    both = parse_rows("tsv", cli("timeline", "--from", "2026-01-01", "--kind", "merger,split").stdout)
    assert {(r["kind"], r["title"]) for r in both} >= {("merger", "9 ICBs merged into 6"), ("split", "3 ICBs split into 6 ICBs")}
    assert all(r["date"] >= "2026-01-01" for r in both)


def test_timeline_of_an_organisation(cli):
    result = cli("timeline", "QNQ", "--kind", "split,abolished", "--fields", "date,kind,title")
    rows = parse_rows("tsv", result.stdout)
    assert {r["kind"] for r in rows} == {"split", "abolished"}
    assert any(r["title"].startswith("NHS Frimley Integrated Care Board (QNQ) split between NHS Thames Valley") for r in rows)
    tty = cli("timeline", "QNQ", "--kind", "split", env=TTY)
    assert tty.stdout.splitlines()[0] == "Timeline of NHS Frimley Integrated Care Board (QNQ)"


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_search_formats(cli, fmt):
    result = cli("search", "royal surrey", "--limit", "3", "--format", fmt)
    assert result.exit_code == 0, result
    rows = parse_rows(fmt, result.stdout)
    assert 1 <= len(rows) <= 3
    assert value(rows[0], "code", "Code") == "RA2"
    assert value(rows[0], "name", "Name") == "Royal Surrey NHS Foundation Trust"
    assert value(rows[0], "icb_code", "ICB") == "S9B9J"


def test_search_partial_misspelt_former_and_codes(cli):
    def codes(*args):
        return [r["org_id"] for r in parse_rows("jsonl", cli("search", *args, "-f", "jsonl").stdout)]

    assert "icb:QHM" in codes("cumb")
    assert "trust:RWG" in codes("west herts", "-n", "3")
    assert {"sub_icb:00L", "la:E06000057"} <= set(codes("nrthumberland", "-n", "5"))
    assert "ccg:01K" in codes("Lancashire North")
    assert codes("A81001")[0] == "practice:A81001"
    assert codes("E54000057")[0] == "icb:QOP"
    assert set(codes("frimley", "--kind", "icbs")) == {"icb:QNQ"}
    assert codes("frimley", "--as-of", "2026-06-01", "--kind", "icb", "--current") == []
    assert codes("frimley", "--as-of", "2026-06-01", "--kind", "icb") == ["icb:QNQ"]  # former, marked


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_resolve_formats(cli, fmt):
    result = cli("resolve", "--to", "icb", "--format", fmt, input="02Q\nA81001\n00F\nnot a code\n")
    assert result.exit_code == 0, result
    rows = parse_rows(fmt, result.stdout)
    assert [value(r, "input", "input") for r in rows] == ["02Q", "A81001", "00F", "not a code"]
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "not_found"]
    assert [r["icb_code"] or None for r in rows] == ["QT1", "QHM", "QHM", None]
    assert result.stderr == f"Resolved 3 of 4 input rows (1 not found) as of {LATEST}.\n"


def test_resolve_table(cli):
    result = cli("resolve", input="QOP\nnope\n", env=TTY)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split()[:4] == ["input", "status", "kind", "code"]
    assert "not_found" in result.stdout
    assert not ANSI.search(result.stdout)


def test_resolve_file_column_and_as_of(cli, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("\ufeffid,ccg\n1,00L\n2,E54000034\n3,\n", encoding="utf-8")
    result = cli(
        "resolve",
        str(path),
        "--column",
        "ccg",
        "--to",
        "region",
        "--as-of",
        "2019-06-01",
        "--fields",
        "id,ccg,status,kind,code,region_code",
    )
    assert result.exit_code == 0, result
    # A CSV in, a CSV out (the output follows the input), its columns kept.
    assert result.stdout == "id,ccg,status,kind,code,region_code\n1,00L,ok,ccg,00L,Y63\n2,E54000034,ok,stp,QNQ,Y59\n3,,empty,,,\n"
    assert result.stderr == "Resolved 2 of 3 input rows (1 empty) as of 2019-06-01.\n"


def test_resolve_empty_input(cli):
    result = cli("resolve", input="")
    assert result.exit_code == 0
    assert result.stdout == "input\tstatus\tkind\tcode\tname\tnote\torg_id\tas_of\n"
    assert result.stderr == f"Resolved 0 of 0 input rows as of {LATEST}.\n"


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_info_formats(cli, fmt):
    result = cli("info", "--format", fmt)
    assert result.exit_code == 0, result
    rec = parse_record(fmt, result.stdout)
    assert rec["version"] == __version__
    assert rec["data_end"] == LATEST
    assert rec["data_start"] == "2013-04-01"
    if fmt in ("json", "jsonl"):
        text = json.dumps(rec)
        assert "icb" in text and "ons_chd_2024_07" in text


def test_info_table(cli):
    result = cli("info", env=TTY)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "ics"
    assert re.search(rf"version\s+{re.escape(__version__)}", result.stdout)
    assert re.search(r"data_end\s+2026-08-01", result.stdout)
    assert not ANSI.search(result.stdout)


def test_version(cli):
    result = cli("--version")  # the distribution's name: `ics` on the package index is another project
    assert result.exit_code == 0
    assert result.stdout == f"ics {__version__} (nhs-ics)\ndata vintage {LATEST}\n"


# --- terminal and piped output ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expect",
    [
        (["list", "regions"], ["NHS England regions on 2026-08-01", "Y56", "London", "E40000003"]),
        (["show", "QHM"], ["NHS North East and North Cumbria Integrated Care Board (QHM)", "ONS code", "E54000050"]),
        (["lineage", "QNQ"], ["├── came from", "└── went to", "S0E4D"]),
        (["timeline", "--from", "2026-04-01"], ["National timeline", "42 ICBs become 36"]),
        (["search", "royal surrey"], ["Matches for 'royal surrey'", "RA2"]),
        (["info"], [__version__, "2026-08-01", "Open Government Licence v3.0"]),
    ],
)
def test_terminal_output(cli, args, expect):
    plain = cli(*args, env=TTY)
    assert plain.exit_code == 0, plain
    for text in expect:
        assert text in plain.stdout
    assert not ANSI.search(plain.stdout)
    assert not ANSI.search(plain.stderr)
    assert max(len(line) for line in plain.stdout.splitlines()) <= 100
    coloured = cli(*args, env={"ICS_FORCE_TTY": "100"})
    assert ANSI.search(coloured.stdout)


@pytest.mark.parametrize(
    "args, expect",
    [
        (["list", "icbs"], "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"),
        (["show", "QOX"], "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"),
        (["lineage", "QOX"], "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board (QOX)"),
        (["timeline", "--kind", "policy"], "Specialised commissioning delegated to every ICB"),
        (["search", "QOX", "-n", "1"], "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"),
        (["resolve"], "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"),
        (["info"], "Open Government Licence v3.0"),
    ],
)
def test_table_format_when_piped_does_not_wrap(cli, args, expect):
    result = cli(*args, "--format", "table", input="QOX\n")
    assert result.exit_code == 0, result
    assert any(expect in line for line in result.stdout.splitlines()), result.stdout[:2000]
    assert not ANSI.search(result.stdout)


def test_piped_default_is_tsv_with_header(cli):
    result = cli("list", "regions")
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["code", "ons_code", "name"]
    assert len(lines) == 8
    assert "Y56\tE40000003\tLondon\t" in result.stdout
    assert not ANSI.search(result.stdout)
    assert "─" not in result.stdout
    # Forcing colour does not colour piped TSV.
    assert cli("list", "regions", env={"CLICOLOR_FORCE": "1"}).stdout == result.stdout


def test_piped_output_is_not_truncated(cli):
    result = cli("list", "icbs", "--fields", "name")
    longest = "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"
    assert longest in result.stdout.splitlines()


def test_note_about_other_matches_goes_to_stderr_terminal_or_not(cli):
    piped = cli("show", "Bassetlaw", "--fields", "org_id")
    assert piped.stdout == "org_id\tsub_icb:02Q\n"
    assert "also matches Bassetlaw (la:E07000171)" in piped.stderr
    tty = cli("show", "Bassetlaw", "--fields", "org_id", env=TTY)
    assert "also matches" in tty.stderr


def test_note_when_nothing_of_that_name_exists_any_more(cli):
    # Cumbria County Council (to 2023) and NHS Cumbria CCG (renamed North Cumbria, to 2022) both
    # had the name; the most recent wins and the other is named.
    r = cli("show", "Cumbria", "--fields", "org_id")
    assert r.stdout == "org_id\tla:102\n"
    assert "also matches NHS North Cumbria CCG (ccg:01H)" in r.stderr
    # An ICB and the STP it succeeded share a code: no note.
    r = cli("show", "QNQ", "--fields", "org_id", "--as-of", "2026-06-01")
    assert "also matches" not in r.stderr


# --- --fields ---------------------------------------------------------------------------------------


def test_fields_pick_and_order(cli):
    result = cli("list", "regions", "-f", "csv", "--fields", "name,code")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["name", "code"]
    assert ["London", "Y56"] in rows
    show = json.loads(cli("show", "Y56", "-f", "json", "--fields", "name,code,ons_code,start").stdout)
    assert show == {"name": "London", "code": "Y56", "ons_code": "E40000003", "start": "2013-04-01"}
    assert list(show) == ["name", "code", "ons_code", "start"]


@pytest.mark.parametrize(
    "args, valid",
    [
        (["list", "icbs"], "code, ons_code, name"),
        (["show", "QHM"], "org_id, kind"),
        (["lineage", "QNQ"], "date, type, from"),
        (["timeline"], "date, kind"),
        (["search", "frimley"], "kind, code"),
        (["info"], "version"),
    ],
)
def test_unknown_field_exits_2_and_lists_the_valid_ones(cli, args, valid):
    result = cli(*args, "--fields", "nonsense")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Unknown field 'nonsense'" in result.stderr
    assert "Valid fields:" in result.stderr
    assert valid in result.stderr


def test_unknown_field_for_resolve(cli):
    result = cli("resolve", "--fields", "nonsense", input="QOP\n")
    assert result.exit_code == 2
    assert "Valid fields: input, status" in result.stderr


# --- errors ---------------------------------------------------------------------------------------


def assert_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result
    assert result.stderr.startswith("Error: ") or code == 2 and "Usage:" in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["icbz", "hospitals", "", "ICB S"])
def test_unknown_kind(cli, kind):
    result = cli("list", kind)
    assert_error(result, 2, "Unknown kind", "regions, icbs, sub-icbs")
    assert result.stdout == ""


def test_unknown_kind_for_search(cli):
    assert_error(cli("search", "x", "--kind", "hospitals"), 2, "Unknown kind")


ACCEPTED = "use a date as YYYY-MM-DD from 2013-04-01 to today"


@pytest.mark.parametrize(
    "date, problem",
    [
        ("2013-03-31", "is before the data (2013-04-01 to 2026-08-01)"),
        ("2099-01-01", "is in the future"),
        ("2023-02-30", "is not a real day"),
        ("yesterday", "is not a date"),
        ("1/2/2020", "is not a date"),
        ("2020-1-1", "is not a date"),
        ("", "is not a date"),
    ],
)
@pytest.mark.parametrize(
    "command", [["show", "QHM"], ["list", "icbs"], ["lineage", "QHM"], ["timeline"], ["search", "x"], ["resolve"]]
)
def test_bad_dates(cli, command, date, problem):
    result = cli(*command, "--as-of", date, input="QHM\n")
    assert_error(result, 2, "--as-of", problem, ACCEPTED)
    assert result.stdout == ""


@pytest.mark.parametrize("command", [["show", "QHM"], ["list", "icbs"], ["population", "QHM"], ["search", "QHM"], ["resolve"]])
def test_a_day_after_the_data_up_to_today_is_answered_for_the_last_day(cli, command, monkeypatch):
    from ics_cli import dates

    monkeypatch.setattr(dates, "today", lambda: "2026-12-01")
    # Today (the issue's example) and any day between the data's last and today: the last day,
    # with a note naming it, piped or not.
    for day in ("2026-12-01", "2026-08-02", "today"):
        result = cli(*command, "--as-of", day, "-f", "json", input="QHM\n")
        assert result.exit_code == 0, result
        assert "Note: the data runs to 2026-08-01; --as-of " in result.stderr
        assert "is answered as of 2026-08-01." in result.stderr
        assert result.stdout == cli(*command, "--as-of", "2026-08-01", "-f", "json", input="QHM\n").stdout
    # The day after today is in the future: a usage error.
    assert_error(
        cli(*command, "--as-of", "2026-12-02", input="QHM\n"), 2, "--as-of 2026-12-02 is in the future (today is 2026-12-01)"
    )


def test_diff_to_today_compares_with_the_last_day(cli, monkeypatch):
    from ics_cli import dates

    monkeypatch.setattr(dates, "today", lambda: "2026-12-01")
    result = cli("diff", "2026-03-31", "2026-12-01", "--kind", "icbs", "-f", "json")
    assert result.exit_code == 0 and "DATE2 2026-12-01 is answered as of 2026-08-01" in result.stderr
    assert result.stdout == cli("diff", "2026-03-31", "2026-08-01", "--kind", "icbs", "-f", "json").stdout


@pytest.mark.parametrize("option", ["--from", "--to"])
def test_bad_timeline_dates(cli, option):
    assert_error(cli("timeline", option, "2013-03-31"), 2, option, ACCEPTED)
    assert_error(cli("timeline", option, "2021-13-01"), 2, option)
    assert_error(cli("timeline", "--from", "2021-01-01", "--to", "2020-01-01"), 2, "is after")


def test_unknown_name_suggests(cli):
    result = cli("show", "nrthumberland")
    assert_error(result, 1, "No organisation matches 'nrthumberland'.", "Did you mean:", "Northumberland")
    assert result.stdout == ""
    for command in (["lineage"], ["timeline"], ["list", "icbs", "--in"]):
        assert_error(cli(*command, "Manchster"), 1, "Did you mean:", "Manchester")


def test_ambiguous_practice_name(cli):
    result = cli("show", "Village Surgery")
    assert_error(result, 1, "'Village Surgery' matches", "organisations", "Candidates:")
    candidates = [line for line in result.stderr.splitlines() if line.startswith("  practice:")]
    assert len(candidates) >= 5
    assert any("C81035" in line for line in candidates)


def test_did_not_exist_on_the_date_names_successors(cli):
    result = cli("show", "QNQ", "--as-of", "2026-06-01")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: NHS Frimley Integrated Care Board (QNQ) did not exist on 2026-06-01: it was abolished on 2026-03-31. "
        "Its area went to: NHS Thames Valley Integrated Care Board (S0E4D) 57.1%; "
        "NHS Hampshire and Isle of Wight Integrated Care Board (QRL) 22.8%; "
        "NHS Surrey and Sussex Integrated Care Board (S9B9J) 20.1%.\n"
        "Use --as-of 2026-03-31 (or earlier) to see it.\n"
    )


def test_not_yet_established(cli):
    assert_error(cli("show", "S1Y5D", "--as-of", "2025-01-01"), 1, "did not exist on 2025-01-01", "established on 2026-04-01")


def test_show_ended_organisation_without_date_shows_its_last_day(cli):
    rec = json.loads(cli("show", "QNQ", "-f", "json").stdout)
    assert rec["as_of"] == "2026-03-31"
    assert rec["existed_on_date"] is True  # on as_of, the day described
    assert rec["requested_as_of"] == LATEST
    assert "ceased to exist after 2026-03-31" in rec["note"]
    assert "S0E4D" in rec["note"]
    assert {s["code"] for s in rec["successors"]} == {"S0E4D", "QRL", "S9B9J"}


def test_up_and_down_together(cli):
    assert_error(cli("lineage", "QNQ", "--up", "--down"), 2, "--up and --down")


@pytest.mark.parametrize("depth", ["0", "-1", "51", "abc"])
def test_bad_depth(cli, depth):
    result = cli("lineage", "QNQ", "--depth", depth)
    assert result.exit_code == 2
    assert "--depth" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("limit", ["0", "-5", "1001", "99999999999999999999", "ten"])
def test_bad_limit(cli, limit):
    result = cli("search", "north", "--limit", limit)
    assert result.exit_code == 2
    assert "--limit" in result.stderr


@pytest.mark.parametrize("to", ["icbx", "", "trust", "practice"])
def test_bad_resolve_target(cli, to):
    if to:
        assert_error(
            cli("resolve", "--to", to, input="QOP\n"),
            2,
            "Unknown --to level",
            "icb, sub-icb, region, stp, ccg, pcn, area-team, la",
        )
    else:
        assert_error(cli("resolve", "--to", to, input="QOP\n"), 2, "--to needs at least one level", "icb, sub-icb, region")


@pytest.mark.parametrize("kind", ["mergers", "policy,nonsense", "", ","])
def test_bad_timeline_kind(cli, kind):
    assert_error(cli("timeline", "--kind", kind), 2, "Unknown event kind", "policy, established")


class TerminalStdinRunner(CliRunner):
    """A CliRunner whose standard input says it is a terminal (nothing piped in)."""

    @contextlib.contextmanager
    def isolation(self, *args, **kwargs):
        with super().isolation(*args, **kwargs) as streams:
            sys.stdin = TerminalInput("")
            yield streams


class TerminalInput(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_resolve_with_nothing_piped(db_path):
    from ics_cli.cli import app

    env = {name: None for name in STYLE_VARS}
    env["ICS_DB"] = str(db_path)
    for args in (["resolve"], ["resolve", "--to", "icb"], ["resolve", "-"]):
        raw = TerminalStdinRunner().invoke(app, args, env=env)
        result = CliResult(raw, args)
        assert_no_crash(result)
        assert_error(result, 2, "nothing was piped in")
        assert result.stdout == ""


def test_resolve_missing_column(cli):
    result = cli("resolve", "--column", "code", input="id,name\n1,QOP\n")
    assert_error(result, 2, "No column 'code'", "'id', 'name'")


def test_resolve_missing_file(cli, tmp_path):
    assert_error(cli("resolve", str(tmp_path / "nope.txt")), 2, "Cannot read")


def test_unknown_format(cli):
    assert_error(cli("list", "icbs", "-f", "xml"), 2, "Unknown format 'xml'", "table, json, jsonl, csv, tsv, md")


def test_unknown_command_and_option(cli):
    assert cli("shows", "QHM").exit_code == 2
    assert cli("show", "QHM", "--nope").exit_code == 2
    assert cli("show").exit_code == 2


@pytest.mark.parametrize(
    "args", [["show", "   "], ["show", ""], ["lineage", " "], ["timeline", "\t"], ["search", " "], ["list", "icbs", "--in", ""]]
)
def test_empty_identifier_is_a_usage_error(cli, args):
    result = cli(*args)
    assert_error(result, 2, "empty")
    assert result.stdout == ""


ALL_COMMANDS = [
    ["info"],
    ["list", "icbs"],
    ["show", "QHM"],
    ["lineage", "QHM"],
    ["timeline"],
    ["search", "x"],
    ["resolve"],
    ["--version"],
]


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: c[0])
def test_missing_database(cli, command):
    result = cli(*command, input="QHM\n", env={"ICS_DB": "/nonexistent/ics.sqlite"})
    assert result.exit_code == 1
    assert "Error: Database not found: /nonexistent/ics.sqlite (from ICS_DB)." in result.stderr
    assert "python scripts/build_db.py" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: c[0])
def test_corrupt_database(cli, command, tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xde\xad\xbe\xef" * 2000)
    result = cli(*command, input="QHM\n", env={"ICS_DB": str(bad)})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") or "\nError: " in result.stderr
    assert str(bad) in result.stderr
    assert "Traceback" not in result.output


def test_database_that_is_not_ics(cli, tmp_path):
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    result = cli("show", "QHM", env={"ICS_DB": str(other)})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output


# --- the entry point's single-command app ---------------------------------------------------------------


def test_app_for_builds_one_command():
    from ics_cli.cli import app
    from ics_cli.entry import app_for

    single = app_for(["show", "QHM"])
    assert single is not app
    assert [c.callback.__name__ for c in single.registered_commands] == ["show"]
    assert app_for(["list", "icbs"]).registered_commands[0].name == "list"
    for argv in ([], ["--version"], ["--help"], ["-h", "show"], ["nope"]):
        assert app_for(argv) is app, argv


@pytest.mark.parametrize(
    "args",
    [
        ["show", "QHM", "-f", "json"],
        ["list", "regions"],
        ["lineage", "QNQ", "-f", "csv"],
        ["timeline", "--kind", "policy"],
        ["search", "royal surrey", "-n", "2"],
        ["info", "-f", "json"],
        ["show", "nrthumberland"],
        ["list", "nope"],
    ],
)
def test_single_command_app_gives_the_same_output(cli, args):
    full = cli(*args, single=False)
    single = cli(*args, single=True)
    assert (single.exit_code, single.stdout, single.stderr) == (full.exit_code, full.stdout, full.stderr)


def test_single_command_app_resolve(cli):
    result = cli("resolve", "--to", "icb", input="02Q\n", single=True)
    assert result.exit_code == 0
    assert parse_rows("tsv", result.stdout)[0]["icb_code"] == "QT1"


def test_help(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("info", "list", "show", "lineage", "timeline", "search", "resolve"):
        assert command in result.stdout
    assert cli("show", "--help").exit_code == 0
    assert cli("--help", single=True).exit_code == 0


@pytest.mark.slow
def test_python_m_ics_cli_help():
    done = subprocess.run(
        [sys.executable, "-m", "ics_cli", "--help"], capture_output=True, text=True, env=clean_env(), cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    assert "lineage" in done.stdout
    assert done.stderr == ""


# --- completion ---------------------------------------------------------------------------------------


def test_completion_returns_pairs(db_path, monkeypatch):
    from ics_cli import completion, db
    from ics_cli.options import complete_org

    monkeypatch.setenv("ICS_DB", str(db_path))
    db.close()
    pairs = completion.complete("Greater")
    assert pairs
    assert all(isinstance(p, tuple) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in pairs)
    assert any(help_.startswith("QOP ") for _, help_ in pairs)
    assert ("Greater Manchester Mental Health NHS Foundation Trust", "RXV (trust)") in pairs
    codes = completion.complete("QO")
    assert ("QOP", "NHS Greater Manchester Integrated Care Board (icb)") in codes
    assert complete_org("QO") == codes
    assert completion.complete("") == []
    assert completion.complete("%") == []  # LIKE wildcards are literal
    assert completion.complete("zzzzzz") == []
    assert len(completion.complete("N", limit=5)) <= 5
    monkeypatch.setenv("ICS_DB", "/nonexistent/ics.sqlite")
    assert completion.complete("Greater") == []  # no database: no completions, no error
    db.close()


def test_population_command_totals_sex_and_age(cli):
    import json as _json

    r = cli("population", "Norfolk and Suffolk", "-f", "json")
    assert r.exit_code == 0
    rows = _json.loads(r.stdout)
    assert {(x["measure"], x["value"], x["date"]) for x in rows} >= {("gp_registered_patients", 1_790_661, "2026-08-01")}
    by_sex = _json.loads(cli("population", "QOP", "--by", "sex", "--measure", "ons_mid_year_estimate", "-f", "json").stdout)
    values = {x["sex"]: x["value"] for x in by_sex}
    assert values["female"] + values["male"] == values["all"] == 2_911_744
    bands = _json.loads(cli("population", "QOP", "--by", "age", "--measure", "ons_mid_year_estimate", "-f", "json").stdout)
    assert len(bands) == 2 * 19 and bands[0]["age"] == "0-4" and bands[-1]["age"] == "90+"
    assert sum(x["value"] for x in bands) == 2_911_744


def test_population_bad_options(cli):
    r = cli("population", "QOP", "--by", "ward")
    assert r.exit_code == 2 and "use total, sex or age" in r.stderr
    r = cli("population", "QOP", "--measure", "nope")
    assert r.exit_code == 2 and "use one of gp_registered_patients, ons_mid_year_estimate" in r.stderr


def test_population_known_measure_without_figures_is_an_empty_answer(cli):
    # A closed practice has no Census figure: not a usage error, an empty list and a note.
    r = cli("population", "A81015", "--measure", "census_2021", env=TTY)
    assert r.exit_code == 0
    assert "No Census 2021 residents figures for Lagan Surgery; it has: none." in r.stdout + r.stderr
    r = cli("population", "A81015", "--measure", "census_2021", "-f", "json")
    assert (r.exit_code, json.loads(r.stdout)) == (0, [])


def test_usage_errors_are_one_plain_line(cli):
    r = cli("show", "QOP", "-F", "json")
    assert r.exit_code == 2
    assert "Error: No such option: -F" in r.stderr
    assert "╭" not in r.stderr and "│" not in r.stderr


def test_show_a_closed_practice_says_where_its_area_went(cli):
    r = cli("show", "A81015", "--as-of", "2024-01-01")
    assert r.exit_code == 1
    assert "Lagan Surgery (A81015) did not exist on 2024-01-01: it was closed on 2019-04-30." in r.stderr
    assert (
        "It was last in NHS South Tees CCG (00M), whose area is now in: NHS North East and North Cumbria ICB - 16C (16C)"
        in r.stderr
    )


def test_search_and_resolve_agree_on_where_a_closed_practice_went(cli):
    found = json.loads(cli("search", "A81015", "-f", "json").stdout)[0]
    mapped = json.loads(cli("resolve", "--to", "icb", "-f", "json", input="A81015\n").stdout)[0]
    assert found["status"] == "former"
    assert found["icb_code"] == mapped["icb_code"] == "QHM"


def test_not_found_hint_quotes_for_the_shell(cli):
    r = cli("show", "zzqx'qzz wq")
    assert r.exit_code == 1
    assert "Try: ics search 'zzqx'\"'\"'qzz wq'" in r.stderr


def test_where_an_ended_organisation_went_is_worded_for_what_it_was(cli):
    # Its own successor, named as such; a successor further down the line, as where its area is now.
    assert "Its area went to: NHS Newcastle Gateshead CCG (13T) 100.0%." in cli("show", "00F", "--as-of", "2016-01-01").stderr
    note = json.loads(cli("show", "00F", "-f", "json").stdout)["note"]
    assert "On 2026-08-01 its area is in: NHS North East and North Cumbria ICB - 13T (13T) 100.0%." in note
    note = json.loads(cli("show", "RVJ", "-f", "json").stdout)["note"]
    assert note.endswith("It was succeeded by: Bristol NHS Foundation Trust (RA7) 100.0%.")


def test_population_on_a_day_the_organisation_did_not_exist(cli):
    r = cli("population", "T6Y0W", "--as-of", "2024-01-01")
    assert r.exit_code == 1 and "established on 2026-04-01" in r.stderr
    # A region's Census 2021 figure is for its area of the day; the others are for later areas.
    r = cli("population", "Y63", "--as-of", "2019-06-01", "--fields", "measure,date,start,end")
    assert r.exit_code == 0
    assert "census_2021\t2021-03-21\t2019-04-01\t2022-06-30" in r.stdout.splitlines()
    assert r.stderr == (
        "Note: the figures are for the area North East and Yorkshire had on 2019-06-01, except: "
        "GP-registered patients for its area of 2026-04-01 to now; ONS mid-year estimate for its area of 2022-07-01 to now.\n"
    )
    rows = json.loads(cli("population", "Y63", "--as-of", "2019-06-01", "-f", "json").stdout)
    assert {x["measure"]: (x["area_of_day"], x["other_area"]) for x in rows} == {
        "gp_registered_patients": (False, "2026-04-01 to now"),
        "ons_mid_year_estimate": (False, "2022-07-01 to now"),
        "census_2021": (True, None),
    }


def test_population_table_reads_like_a_report(cli):
    r = cli("population", "QOP", env={"ICS_FORCE_TTY": "120", "NO_COLOR": "1"})
    assert "GP-registered patients" in r.stdout and "3,284,558" in r.stdout


def test_an_empty_list_of_trusts_in_an_stp_says_why(cli):
    r = cli("list", "trusts", "--in", "Greater Manchester", "--as-of", "2019-01-01", env=TTY)
    assert r.exit_code == 0
    assert "Trusts are linked to ICBs only" in r.stderr


def test_resolve_to_ccg_is_documented(cli):
    r = cli("resolve", "--to", "nope", input="QOP\n")
    assert r.exit_code == 2 and "icb, sub-icb, region, stp, ccg, pcn" in r.stderr


# --- the rule for names ----------------------------------------------------------------------------


def test_an_icb_s_name_names_the_icb_after_it_ended_not_the_sub_icb_that_kept_it(cli):
    # The issue's examples: the ICB, said to have ended and where it went, on stderr piped or not;
    # the sub-ICB location that carried the name as its place name is named as the alternative.
    r = cli("list", "las", "--in", "Surrey Heartlands", "--fields", "code,in_id,in_name,as_of")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "code\tin_id\tin_name\tas_of"
    assert len(lines) > 11 and all(
        line.endswith("\ticb:QXU\tNHS Surrey Heartlands Integrated Care Board\t2026-03-31") for line in lines[1:]
    )
    note = r.stderr.splitlines()[0]
    assert note.startswith(
        "Note: 'Surrey Heartlands' is NHS Surrey Heartlands Integrated Care Board (icb:QXU), which ended on 2026-03-31. "
        "Its area went to: NHS Surrey and Sussex Integrated Care Board (S9B9J) 100.0%."
    )
    assert "NHS Surrey and Sussex ICB - 92A (sub_icb:92A)" in note
    assert "Surrey Heartlands Integrated Care Board (QXU) is shown as on 2026-03-31, its last day" in r.stderr
    for env in ({}, TTY):
        r = cli("population", "Norfolk and Waveney", env=env)
        assert r.exit_code == 0
        assert r.stderr.startswith(
            "Note: 'Norfolk and Waveney' is NHS Norfolk and Waveney Integrated Care Board (icb:QMM), which ended on 2026-03-31. "
            "Its area went to: NHS Norfolk and Suffolk Integrated Care Board (T6Y0W) 100.0%. "
            "It also matches NHS Norfolk and Suffolk ICB - 26A (sub_icb:26A)"
        )
    rows = json.loads(cli("population", "Norfolk and Waveney", "-f", "json").stdout)
    assert {(x["org_id"], x["name"], x["as_of"]) for x in rows} == {
        ("icb:QMM", "NHS Norfolk and Waveney Integrated Care Board", "2026-03-31")
    }
    assert {x["measure"]: x["value"] for x in rows} == {"ons_mid_year_estimate": 1_041_932, "census_2021": 1_032_500}


def test_other_matches_are_named_as_on_the_day(cli):
    # On 2023-01-01 the sub-ICB location 92A was "NHS Surrey Heartlands ICB - 92A": the note names
    # it so (the name that matched), not by its name of April 2026.
    r = cli("show", "Surrey Heartlands", "--as-of", "2023-01-01", "--fields", "org_id")
    assert r.stdout == "org_id\ticb:QXU\n"
    assert r.stderr == (
        "Note: 'Surrey Heartlands' is NHS Surrey Heartlands Integrated Care Board (icb:QXU)."
        " It also matches NHS Surrey Heartlands ICB - 92A (sub_icb:92A); give an org id to choose.\n"
    )
    r = cli("population", "Norfolk and Waveney", "--as-of", "2024-01-01", "--fields", "org_id")
    assert "It also matches NHS Norfolk and Waveney ICB - 26A (sub_icb:26A)" in r.stderr


def test_kind_or_an_org_id_chooses_what_the_rule_for_names_passed_over(cli):
    for args in (("--kind", "sub-icb"), ("--kind", "sicbl")):
        r = cli("population", "Norfolk and Waveney", *args, "--fields", "org_id,as_of")
        assert (r.exit_code, set(r.stdout.splitlines()[1:])) == (0, {"sub_icb:26A\t2026-08-01"})
        assert r.stderr.startswith("Note: 'Norfolk and Waveney' is NHS Norfolk and Suffolk ICB - 26A (sub_icb:26A).")
    assert cli("show", "sub-icb:Surrey Heartlands", "--fields", "org_id").stdout == "org_id\tsub_icb:92A\n"
    assert cli("show", "Surrey Heartlands", "--kind", "ccg", "--fields", "org_id").stdout == "org_id\tccg:92A\n"
    r = cli("show", "Surrey Heartlands", "--kind", "sub-icb", "--fields", "org_id")
    assert r.stdout == "org_id\tsub_icb:92A\n"
    assert r.stderr == "Note: 'Surrey Heartlands' is a former name of NHS Surrey and Sussex ICB - 92A (sub_icb:92A).\n"
    assert cli("lineage", "Surrey Heartlands", "--kind", "sub-icbs", "--up", "-f", "json").exit_code == 0
    r = cli("show", "Surrey Heartlands", "--kind", "trusts")
    assert r.exit_code == 1 and "No organisation matches 'Surrey Heartlands'" in r.stderr
    assert cli("show", "QHM", "--kind", "hospitals").exit_code == 2
    # The footprint of the day: on 2020-01-01 the STP.
    r = cli("show", "Surrey Heartlands", "--kind", "ics", "--as-of", "2020-01-01", "--fields", "org_id")
    assert r.stdout == "org_id\tstp:E54000035\n"


def test_a_name_says_what_it_resolved_to_and_a_code_does_not(cli):
    r = cli("show", "Greater Manchester", "--fields", "org_id")
    assert r.stderr == "Note: 'Greater Manchester' is NHS Greater Manchester Integrated Care Board (icb:QOP).\n"
    assert cli("show", "QOP", "--fields", "org_id").stderr == ""
    assert cli("show", "icb:QOP", "--fields", "org_id").stderr == ""
    # Named as it was on the day.
    r = cli("show", "Greater Manchester", "--as-of", "2020-01-01", "--fields", "org_id")
    assert r.stdout == "org_id\tstp:E54000007\n"
    assert r.stderr.startswith(
        "Note: 'Greater Manchester' is a former name of Greater Manchester Health and Social Care Partnership (stp:E54000007)."
    )


def test_an_ambiguous_code_asks_for_an_org_id(cli):
    r = cli("show", "E39000018", "--as-of", "2014-01-01")
    assert r.exit_code == 1
    assert r.stderr.startswith(
        "Error: 'E39000018' matches 3 organisations on 2014-01-01; give an org id (e.g. area_team:Q61).\nCandidates:\n"
    )
    assert "give a code" not in r.stderr


def test_empty_lists_explain_what_the_data_does_not_link_even_when_piped(cli):
    r = cli("list", "trusts", "--in", "Y56", "--as-of", "2018-01-01")
    assert r.exit_code == 0 and "Trusts are linked to ICBs only" in r.stderr
    # Councils' overlaps with CCGs go back to April 2013 (the LSOA lookups): no gap to explain.
    r = cli("list", "las", "--in", "02Q", "--as-of", "2016-06-01", "--fields", "code,share")
    assert r.exit_code == 0 and r.stdout == "code\tshare\nE07000171\t1.0\n" and r.stderr == ""
    assert cli("list", "trusts", "--in", "QOP").stderr == ""


def test_show_says_when_a_parent_is_not_recorded(cli):
    # A council's overlaps with CCGs go back to 2013 (the LSOA lookups): High Peak in 2018.
    record = json.loads(cli("show", "High Peak", "--as-of", "2018-06-01", "-f", "json").stdout)
    assert record["note"] is None
    assert {(p["org_id"], p["share"]) for p in record["parents"] if p["kind"] == "ccg"} == {
        ("ccg:04J", 0.6335),
        ("ccg:01Y", 0.3665),
    }


def test_machine_output_names_its_day(cli):
    rows = json.loads(cli("list", "icbs", "--as-of", "2023-01-01", "-f", "json").stdout)
    assert {r["as_of"] for r in rows} == {"2023-01-01"}
    assert json.loads(cli("search", "QOP", "-f", "json").stdout)[0]["as_of"] == LATEST
    row = json.loads(cli("resolve", "--as-of", "2017-01-01", "--to", "stp", "-f", "json", input="C84001\n").stdout)[0]
    # Names as they were that day, like stp_name.
    assert (row["as_of"], row["name"], row["stp_code"]) == ("2017-01-01", "Larwood Surgery", "QF7")


def test_population_warns_when_the_area_changed(cli):
    r = cli("population", "QRL", "--fields", "measure,date")
    assert r.exit_code == 0
    assert r.stderr == (
        "Note: the area of NHS Hampshire and Isle of Wight Integrated Care Board changed on 2026-04-01; "
        "the figures are for the area it had on 2026-08-01 (start and end give the days it had that area).\n"
    )
    assert cli("population", "QOP").stderr == ""


def test_population_is_for_the_area_of_the_day(cli):
    # QRL's Census 2021 residents on 2025-06-01 are those of its 2022-2026 area (Frimley's part
    # of Hart and all of Rushmoor were then in Frimley), in show and population alike.
    r = cli("population", "QRL", "--as-of", "2025-06-01", "--measure", "census_2021", "--fields", "value,start,end,area_of_day")
    assert r.stdout == "value\tstart\tend\tarea_of_day\n1823965\t2022-07-01\t2026-03-31\ttrue\n"
    assert r.stderr.count("\n") == 1 and "the figures are for the area it had on 2025-06-01" in r.stderr
    assert "changed on 2026-04-01" in r.stderr
    record = json.loads(cli("show", "QRL", "--as-of", "2025-06-01", "-f", "json").stdout)
    census = [p for p in record["populations"] if p["measure"] == "census_2021"]
    assert [(p["value"], p["area_start"], p["area_end"]) for p in census] == [(1_823_965, "2022-07-01", "2026-03-31")]
    shown = cli("show", "QRL", "--as-of", "2025-06-01", env=TTY).stdout
    assert "1,823,965" in shown and "1,998,260" not in shown
    # A figure for another area is marked with that area's days.
    assert "2,149,718  2026-08-01  nhse_gp_reg_2026_08  for its area of 2026-04-01 to\n" in shown
    assert "  1,823,965  2021-03-21  derived_lsoa_census\n" in shown


def test_empty_answers_say_so_when_piped(cli):
    r = cli("search", "nhs")
    assert r.exit_code == 0 and "Nothing matches 'nhs'. NHS, the, and" in r.stderr
    r = cli("population", "RTD")
    assert r.exit_code == 0 and "No population figures for " in r.stderr


def test_not_yet_established_uses_the_name_it_was_established_with(cli):
    r = cli("show", "QNQ", "--as-of", "2015-01-01")
    assert r.exit_code == 1 and "Frimley Health (QNQ) did not exist on 2015-01-01: it was established on 2016-04-01." in r.stderr


def test_timeline_reads_a_reused_code_on_the_last_day_asked_for(cli):
    rows = parse_rows("jsonl", cli("timeline", "01H", "--to", "2018-01-01", "-f", "jsonl").stdout)
    assert any(r["title"] == "NHS Cumbria CCG (01H) established" for r in rows)


def test_resolve_reads_ics_own_piped_tsv_by_column(cli):
    listed = cli("list", "sub-icbs", "--in", "QT1").stdout
    rows = json.loads(cli("resolve", "--column", "code", "--to", "icb", "-f", "json", input=listed).stdout)
    # Its columns kept; an answer column it already has (code, name) written as ics_code, ics_name.
    assert [(r["code"], r["ics_code"], r["icb_code"]) for r in rows] == [("02Q", "02Q", "QT1"), ("52R", "52R", "QT1")]
    r = cli("resolve", "--column", "code", input="")
    assert r.exit_code == 2 and "The input is empty" in r.stderr


def test_resolve_a_council_to_its_region_and_a_level_that_did_not_exist(cli):
    rows = json.loads(cli("resolve", "--to", "region", "-f", "json", input="E08000001\n").stdout)
    assert rows[0]["region_code"] == "Y62"
    row = json.loads(cli("resolve", "--to", "stp", "--as-of", "2014-01-01", "-f", "json", input="A81001\n").stdout)[0]
    assert (row["status"], row["note"]) == (
        "no_target",
        "there were no stps that day (they existed 2016-04-01 to 2022-06-30)",
    )


def test_an_empty_list_of_a_kind_that_did_not_exist_says_when_it_did(cli):
    r = cli("list", "icbs", "--as-of", "2014-01-01")
    assert r.exit_code == 0 and "They existed from 2022-07-01." in r.stderr


def test_an_org_id_kind_with_a_code_that_is_not_its_key(cli):
    assert cli("show", "stp:QNQ", "--fields", "org_id").stdout == "org_id\tstp:E54000034\n"


def test_a_search_too_short_to_match_says_so(cli):
    r = cli("search", "QO")
    assert r.exit_code == 0 and "give three letters or more" in r.stderr


# --- one vocabulary ----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["sicbl", "SICBLs", "sub-icb", "sub-icbs", "sub_icb", "sub-icb-location"])
def test_resolve_to_takes_the_words_list_takes(cli, word):
    listed = cli("list", word, "-f", "jsonl")
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 106
    row = json.loads(cli("resolve", "--to", word, "-f", "json", input="A81001\n").stdout)[0]
    assert (row["status"], row["sub_icb_code"]) == ("ok", "16C")


def test_step_words_are_the_same_in_show_and_lineage(cli):
    show = cli("show", "ccg:02Q", env={"ICS_FORCE_TTY": "200", "NO_COLOR": "1"}).stdout
    history = [line for line in show.splitlines() if "2022-07-01" in line and "02Q" in line and " to " in line]
    assert history and "became a sub-ICB location" in history[0], show
    tree = cli("lineage", "ccg:02Q", "--down", env={"ICS_FORCE_TTY": "200", "NO_COLOR": "1"}).stdout
    assert "2022-07-01 became a sub-ICB location: NHS Nottingham and Nottinghamshire ICB - 02Q" in tree
    assert "became sub-ICB location" not in show + tree


# --- one resolver ------------------------------------------------------------------------------------------

SAME_EVERYWHERE = ["stp:QNQ", "DN22", "DN22 7XF", "ccg:Bassetlaw", "sicbl:02Q", "council:Bassetlaw", "QNQ", "NHS Bassetlaw CCG"]


@pytest.mark.parametrize("text", SAME_EVERYWHERE)
def test_one_identifier_names_one_organisation_in_every_command(cli, text):
    show = json.loads(cli("show", text, "-f", "json").stdout)
    org_id, named = show["org_id"], f"{show['name']} ({show['code']})"
    assert json.loads(cli("resolve", "-f", "json", input=text + "\n").stdout)[0]["org_id"] == org_id
    assert json.loads(cli("search", text, "-f", "json").stdout)[0]["org_id"] == org_id
    assert json.loads(cli("lineage", text, "-f", "json").stdout)["root"] == org_id
    events = cli("timeline", text, env=TTY)
    assert events.stdout.splitlines()[:1] == [f"Timeline of {named}"] or events.stderr.endswith("No events match.\n")
    own = json.loads(cli("timeline", text, "-f", "json").stdout)
    assert all(org_id in e["org_ids"] for e in own if e["about"] == "self")
    figures = json.loads(cli("population", text, "-f", "json").stdout)
    assert {f["org_id"] for f in figures} <= {org_id}
    listed = cli("list", "practices", "--in", text, env=TTY)
    # Its title ("GP practices on ... in NAME"), its empty hint, or the error for an organisation gone by then.
    assert show["name"] in (listed.stdout.splitlines() or [""])[0] + listed.stderr


def test_kind_and_code_forms_resolve_in_bulk_as_in_show(cli):
    # Once `show stp:QNQ` worked while `resolve` said not_found.
    rows = json.loads(cli("resolve", "--to", "icb", "-f", "json", input="stp:QNQ\nstp:E54000034\nccg:02Q\nicb:nope\n").stdout)
    assert [(r["status"], r["org_id"]) for r in rows] == [
        ("ok", "stp:E54000034"),
        ("ok", "stp:E54000034"),
        ("ok", "ccg:02Q"),
        ("not_found", None),
    ]
    assert cli("show", "icb:nope").exit_code == 1


def test_a_postcode_district_in_show_is_its_sub_icb_location_with_a_note(cli):
    record = json.loads(cli("show", "DN22", "-f", "json").stdout)
    assert (record["org_id"], record["note"]) == (
        "sub_icb:02Q",
        "Reached through postcode district DN22 (its postcode sectors' LSOAs).",
    )
    before = json.loads(cli("show", "DN22", "--as-of", "2020-01-01", "-f", "json").stdout)
    assert before["org_id"] == "ccg:02Q" and before["note"].startswith("Reached through postcode district DN22 (")
    tty = cli("show", "DN22", env=TTY)
    assert "Reached through postcode district DN22 (its postcode sectors' LSOAs)." in tty.stdout and tty.stderr == ""
    # Other commands say how the text was read on stderr.
    lineage = cli("lineage", "DN22", "-f", "json")
    assert (
        "Note: 'DN22' was read as postcode district DN22 (its postcode sectors' LSOAs): NHS Nottingham and Nottinghamshire ICB - 02Q (02Q)."
        in lineage.stderr
    )


def test_a_postcode_district_across_a_boundary_is_ambiguous_everywhere(cli):
    r = cli("show", "GU15", "--as-of", "2025-01-01")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith(
        "Error: 'GU15' is postcode district GU15 (its postcode sectors' LSOAs), which lay in 2 sub-ICB locations on 2025-01-01"
    )
    assert "sub_icb:92A" in r.stderr and "sub_icb:D4U1Y" in r.stderr
    for command in (["lineage", "GU15"], ["timeline", "GU15"], ["list", "practices", "--in", "GU15"], ["population", "GU15"]):
        assert cli(*command, "--as-of", "2025-01-01").exit_code == 1, command
    row = json.loads(cli("resolve", "--as-of", "2025-01-01", "-f", "json", input="GU15\n").stdout)[0]
    assert (row["status"], row["note"]) == (
        "ambiguous",
        "postcode district GU15 (its postcode sectors' LSOAs): D4U1Y 100%, 92A (in the NHS ODS postcode file only)",
    )
    found = {r["org_id"] for r in json.loads(cli("search", "GU15", "--as-of", "2025-01-01", "-f", "json").stdout)}
    assert {"sub_icb:92A", "sub_icb:D4U1Y"} <= found


# --- terminals: a code or a date is never split across lines --------------------------------------------

NARROW = {"ICS_FORCE_TTY": "60", "NO_COLOR": "1"}
SHOWN = ("code", "start", "end", "date", "icb_code", "parent_code")  # codes and dates the terminal shows


@pytest.mark.parametrize(
    "args, keys",
    [
        (("list", "icbs"), (*SHOWN, "ons_code")),
        (("list", "sub-icbs", "--in", "QT1"), (*SHOWN, "ons_code")),
        (("list", "ccgs", "--as-of", "2019-06-01"), (*SHOWN, "ons_code")),
        (("list", "trusts", "--in", "QOP"), SHOWN),
        (("list", "ics", "--as-of", "2021-04-01"), (*SHOWN, "ons_code")),
        (("search", "west herts"), SHOWN),
        (("search", "DN22 7XF"), SHOWN),
        (("timeline", "--from", "2026-01-01"), SHOWN),
        (("timeline", "QNQ"), SHOWN),
        (("population", "QOP"), ("date", "source")),
        (("population", "Y63", "--as-of", "2019-06-01", "--by", "sex"), ("date", "source")),
        (("diff", "2026-03-31", "2026-04-01", "--in", "QNQ"), SHOWN),
    ],
)
def test_a_60_column_terminal_never_splits_a_code_or_a_date(cli, args, keys):
    shown = cli(*args, env=NARROW)
    assert shown.exit_code == 0, shown
    assert max(len(line) for line in shown.stdout.splitlines()) <= 60
    records = json.loads(cli(*args, "-f", "json").stdout)
    values = Counter(v for rec in records for key, v in rec.items() if key in keys and isinstance(v, str) and v)
    assert values, "no codes or dates to look for"
    for value, n in values.items():
        assert shown.stdout.count(value) >= n, f"{value} is split (or missing) in:\n{shown.stdout}"


# --- exports: ics list KIND --fields ... -------------------------------------------------------------


def test_list_icbs_with_population_fields_is_one_export(cli):
    r = cli("list", "icbs", "--fields", "code,name,region_name,population_gp,population_ons")
    # The columns hold bare numbers: stderr says what each counts, as of when, from which source.
    assert r.exit_code == 0 and r.stderr.splitlines() == [
        "Note: population_gp is the GP-registered patients figure of 2026-08-01 for the area each had on 2026-08-01;"
        " source: nhse_gp_reg_2026_08.",
        "Note: population_ons is the ONS mid-year estimate figure of 2022-06-30 for the area each had on 2026-08-01;"
        " sources: derived_mye2022_apportioned (3 rows), ons_mye2022_sicbl23 (33 rows).",
    ]
    lines = r.stdout.splitlines()
    assert lines[0] == "code\tname\tregion_name\tpopulation_gp\tpopulation_ons"
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == 36 and all(all(cell for cell in row) for row in rows)
    # Each measure's figures for the areas of the day add up to England's.
    census = json.loads(cli("list", "icbs", "--fields", "population_gp,population_ons,population_census", "-f", "json").stdout)
    assert [sum(x[f] for x in census) for f in ("population_gp", "population_ons", "population_census")] == [
        63_237_908,
        57_106_398,
        56_490_091,
    ]
    # The 42 of 2023 on their own areas: QRL's Census 2021 residents are its 2022-2026 area's.
    rows = json.loads(cli("list", "icbs", "--as-of", "2025-06-01", "--fields", "code,population_census", "-f", "json").stdout)
    assert len(rows) == 42 and {"code": "QRL", "population_census": 1_823_965} in rows
    assert sum(x["population_census"] for x in rows) == 56_490_091


def test_list_fields_on_request_are_not_printed_otherwise(cli):
    header = cli("list", "icbs").stdout.splitlines()[0].split("\t")
    assert "region_name" not in header and "population_gp" not in header
    # A measure not held for the areas of the day: empty, and a note says how many.
    r = cli("list", "icbs", "--as-of", "2023-01-01", "--fields", "code,population_gp")
    assert r.exit_code == 0 and set(r.stdout.splitlines()[1:]) == {
        f"{line.split(chr(9))[0]}\t" for line in r.stdout.splitlines()[1:]
    }
    assert "Note: 42 of 42 have no GP-registered patients figure (population_gp)" in r.stderr
    assert "population_gp is the" not in r.stderr  # no figure, nothing to cite
    r = cli("list", "practices", "--in", "02Q", "--fields", "code,population_qof", "-f", "md")
    assert "Note: population_qof is the QOF list size figure of 2023-03-31 for each organisation itself;" in r.stderr
    r = cli("list", "icbs", "--fields", "code,population_nope")
    assert r.exit_code == 2 and "population_census" in r.stderr and "region_name" in r.stderr


def test_list_fields_for_each_level_on_the_day(cli):
    rows = json.loads(
        cli(
            "list",
            "practices",
            "--in",
            "02Q",
            "--fields",
            "code,pcn_code,sub_icb_code,icb_code,ics_code,region_name",
            "-f",
            "json",
        ).stdout
    )
    assert rows and all(
        (r["sub_icb_code"], r["icb_code"], r["ics_code"], r["region_name"]) == ("02Q", "QT1", "QT1", "Midlands") for r in rows
    )
    assert all(r["pcn_code"] for r in rows)
    # Before July 2022 a CCG's ICS is its STP; before 2016 it had none, only its area team.
    ccg = {
        r["code"]: r
        for r in json.loads(
            cli(
                "list", "ccgs", "--as-of", "2019-06-01", "--fields", "code,stp_id,ics_id,area_team_id,region_code", "-f", "json"
            ).stdout
        )
    }
    assert (ccg["02Q"]["stp_id"], ccg["02Q"]["ics_id"], ccg["02Q"]["region_code"]) == ("stp:E54000009", "stp:E54000009", "Y63")
    early = json.loads(
        cli("list", "ccgs", "--as-of", "2014-01-01", "--fields", "code,ics_code,area_team_code", "-f", "json").stdout
    )
    assert all(r["ics_code"] is None and r["area_team_code"] for r in early)
    # Its own level is itself.
    assert cli("list", "icbs", "--fields", "code,icb_code").stdout.splitlines()[1] == "QOX\tQOX"


def test_list_ics_is_the_footprints_of_the_day(cli):
    r = cli("list", "ics", "--as-of", "2021-04-01", "--fields", "org_id")
    ids = r.stdout.splitlines()[1:]
    assert (r.exit_code, len(ids)) == (0, 42) and all(i.startswith("stp:") for i in ids)
    assert len(cli("list", "ics", "--as-of", "2022-06-30").stdout.splitlines()) == 43
    assert cli("list", "ics", "--fields", "org_id").stdout == cli("list", "icbs", "--fields", "org_id").stdout
    assert len(cli("list", "ics", "--as-of", "2023-01-01").stdout.splitlines()) == 43
    assert cli("list", "ics", "--as-of", "2021-04-01", env=TTY).stdout.startswith(
        "Integrated care systems (STPs) on 2021-04-01\n"
    )
    # Before the STPs (2016) there were none.
    r = cli("list", "ics", "--as-of", "2015-01-01")
    assert r.exit_code == 0 and "No STPs on 2015-01-01. They existed 2016-04-01 to 2022-06-30." in r.stderr


# --- what the data does not hold --------------------------------------------------------------------


def test_a_search_for_a_kind_the_data_does_not_hold_says_so_first(cli):
    for env in ({}, TTY):
        r = cli("search", "provider collaborative", env=env)
        assert r.exit_code == 0
        assert r.stderr.startswith("Note: The data does not hold provider collaboratives; their member trusts are held")
    # Then the real matches, as always.
    assert "Collaborative PCN" in cli("search", "provider collaborative").stdout
    r = cli("search", "Frimley ICP")
    assert r.stderr.startswith("Note: The data does not hold integrated care partnerships (ICPs)")
    r = cli("show", "Cancer Alliance of the North")
    assert r.exit_code == 1 and "The data does not hold cancer alliances" in r.stderr
    # A word inside another is not one of those names.
    assert "does not hold" not in cli("search", "Epicpoint").stderr


# --- lineage and fate: shares of the part that moved ----------------------------------------------


def test_lineage_shares_belong_to_the_part_that_moved(cli):
    rows = json.loads(cli("lineage", "05C", "--down", "-f", "json").stdout)["edges"]
    assert [(e["to"], e["share"], e["root_share"]) for e in rows] == [
        ("ccg:D2P2L", 1.0, 1.0),
        ("sub_icb:D2P2L", 0.8747, 1.0),
    ]
    tree = cli("lineage", "05C", "--down", env=TTY).stdout
    assert "15E" not in tree and "12.5%" not in tree and "87.5%" not in tree
    # A transfer, then a merger of the body it went to: the part's own share all the way.
    rows = json.loads(cli("lineage", "QXU", "--down", "-f", "json").stdout)["edges"]
    assert [(e["from"], e["to"], e["root_share"]) for e in rows] == [
        ("icb:QXU", "icb:QNX", 0.0063),
        ("icb:QNX", "icb:S9B9J", 0.0063),
        ("icb:QXU", "icb:S9B9J", 1.0),
    ]
    # A CCG merged into Frimley, split in 2026: its own part went to 92A only.
    rows = json.loads(cli("lineage", "10C", "--down", "-f", "json").stdout)["edges"]
    assert {e["to"] for e in rows} == {"ccg:D4U1Y", "sub_icb:D4U1Y", "sub_icb:92A"}


def test_where_an_ended_body_went_is_the_share_of_its_own_area(cli):
    note = json.loads(cli("show", "QXU", "-f", "json").stdout)["note"]
    assert note.endswith("Its area went to: NHS Surrey and Sussex Integrated Care Board (S9B9J) 100.0%.")
    note = json.loads(cli("show", "10C", "-f", "json").stdout)["note"]
    assert note.endswith("On 2026-08-01 its area is in: NHS Surrey and Sussex ICB - 92A (92A) 100.0%.")


def test_every_record_names_the_organisation_that_answered(cli):
    # population: org_id and its name on the day described; list --in: in_id and in_name;
    # lineage: root and root_name; timeline: subject_id and subject_name; diff --in: in_id, in_name.
    assert cli("population", "Frimley", "--fields", "org_id,name,as_of").stdout.splitlines()[1] == (
        "icb:QNQ\tNHS Frimley Integrated Care Board\t2026-03-31"
    )
    assert cli("list", "sub-icbs", "--in", "QT1", "--fields", "code,in_id,in_name").stdout.splitlines()[1] == (
        "02Q\ticb:QT1\tNHS Nottingham and Nottinghamshire Integrated Care Board"
    )
    rows = json.loads(cli("lineage", "Bassetlaw", "-f", "jsonl", "--fields", "root,root_name").stdout.splitlines()[0])
    assert rows == {"root": "sub_icb:02Q", "root_name": "NHS Nottingham and Nottinghamshire ICB - 02Q"}
    rows = json.loads(cli("timeline", "QOP", "--as-of", "2020-01-01", "-f", "json").stdout)
    assert {(r["subject_id"], r["subject_name"]) for r in rows} == {
        ("stp:E54000007", "Greater Manchester Health and Social Care Partnership")
    }
    rows = json.loads(cli("diff", "2026-03-31", "2026-04-01", "--in", "QNQ", "-f", "json").stdout)
    assert rows and {(r["in_id"], r["in_code"], r["in_name"]) for r in rows} == {
        ("icb:QNQ", "QNQ", "NHS Frimley Integrated Care Board")
    }
    # Without --in, no such field.
    r = cli("diff", "2026-03-31", "2026-04-01", "--kind", "icbs", "--fields", "in_id")
    assert r.exit_code == 2 and "Unknown field 'in_id'" in r.stderr
