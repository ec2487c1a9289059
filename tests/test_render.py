"""ics_cli.render: exact output of every format, on a terminal and piped."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ics_cli import render
from ics_cli.errors import UsageError
from ics_cli.render import Column

ROOT = Path(__file__).resolve().parents[1]

RECORDS = [
    {
        "code": "QHM",
        "name": "NHS North East and North Cumbria ICB",
        "population": 3015000,
        "end": None,
        "former": ["NHS X", "NHS Y"],
    },
    {
        "code": "QOP",
        "name": "NHS Greater Manchester ICB",
        "population": 2867000,
        "end": "2026-03-31",
        "former": [],
    },
]
COLUMNS = [
    Column("code", "Code", no_wrap=True),
    Column("name", "Name"),
    Column("population", "Population", justify="right"),
    Column("end", "End", table=False),
    Column("former", "Former names"),
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Every test starts piped, without colour settings, whatever the developer's shell says."""
    for name in ("ICS_FORCE_TTY", "NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "COLUMNS", "TERM"):
        monkeypatch.delenv(name, raising=False)


def run(records=RECORDS, columns=COLUMNS, fmt=None, fields=None, **kwargs) -> str:
    out = io.StringIO()
    render.render(records, columns, fmt, fields, out=out, **kwargs)
    return out.getvalue()


def lines(*rows: str) -> str:
    return "".join(row + "\n" for row in rows)


# --- formats, piped -----------------------------------------------------------------------------


def test_default_when_piped_is_tsv_with_header():
    assert run() == lines(
        "code\tname\tpopulation\tend\tformer",
        'QHM\tNHS North East and North Cumbria ICB\t3015000\t\t["NHS X", "NHS Y"]',
        "QOP\tNHS Greater Manchester ICB\t2867000\t2026-03-31\t[]",
    )


def test_json():
    expected = [{k: r[k] for k in ("code", "name", "population", "end", "former")} for r in RECORDS]
    text = run(fmt="json")
    assert text == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert '    "end": null,\n' in text


def test_jsonl():
    assert run(fmt="jsonl") == lines(
        '{"code": "QHM", "name": "NHS North East and North Cumbria ICB", "population": 3015000, '
        '"end": null, "former": ["NHS X", "NHS Y"]}',
        '{"code": "QOP", "name": "NHS Greater Manchester ICB", "population": 2867000, "end": "2026-03-31", "former": []}',
    )


def test_csv():
    assert run(fmt="csv") == lines(
        "code,name,population,end,former",
        'QHM,NHS North East and North Cumbria ICB,3015000,,"[""NHS X"", ""NHS Y""]"',
        "QOP,NHS Greater Manchester ICB,2867000,2026-03-31,[]",
    )


def test_markdown():
    assert run(fmt="md") == lines(
        "| Code | Name | Population | End | Former names |",
        "| --- | --- | ---: | --- | --- |",
        "| QHM | NHS North East and North Cumbria ICB | 3015000 |  | NHS X, NHS Y |",
        "| QOP | NHS Greater Manchester ICB | 2867000 | 2026-03-31 |  |",
    )


def test_table_piped_has_no_colour_truncation_or_wrapping():
    assert run(fmt="table") == lines(
        "Code   Name                                   Population   Former names",
        "───────────────────────────────────────────────────────────────────────",
        "QHM    NHS North East and North Cumbria ICB    3,015,000   NHS X, NHS Y",
        "QOP    NHS Greater Manchester ICB              2,867,000               ",
    )


def test_format_names_are_case_insensitive_with_aliases():
    assert run(fmt="JSON") == run(fmt="json")
    assert run(fmt="ndjson") == run(fmt="jsonl")
    assert run(fmt="markdown") == run(fmt="md")


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError) as info:
        run(fmt="xml")
    assert info.value.exit_code == 2
    assert str(info.value) == ("Unknown format 'xml'. Accepted formats: table, json, jsonl, csv, tsv, md.")


# --- formats, terminal --------------------------------------------------------------------------


def test_default_on_a_terminal_is_a_table_that_wraps_to_the_width(monkeypatch):
    monkeypatch.setenv("ICS_FORCE_TTY", "60")
    monkeypatch.setenv("NO_COLOR", "1")
    assert run() == lines(
        "Code   Name                        Population   Former names",
        "────────────────────────────────────────────────────────────",
        "QHM    NHS North East and North     3,015,000   NHS X, NHS Y",
        "       Cumbria ICB                                          ",
        "QOP    NHS Greater Manchester       2,867,000               ",
        "       ICB                                                  ",
    )


def test_terminal_table_is_bold_without_no_color(monkeypatch):
    monkeypatch.setenv("ICS_FORCE_TTY", "60")
    text = run()
    assert text.startswith("\x1b[1mCode\x1b[0m")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run()


def test_no_color_wins_over_clicolor_force(monkeypatch):
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    assert "\x1b[1m" in run(fmt="table")  # forced colour in a pipe
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(fmt="table")


def test_force_tty_values(monkeypatch):
    for value, tty in [("1", True), ("true", True), ("120", True), ("0", False), ("", False)]:
        monkeypatch.setenv("ICS_FORCE_TTY", value)
        assert render.is_tty(io.StringIO()) is tty, value


def test_title_on_terminal(monkeypatch):
    monkeypatch.setenv("ICS_FORCE_TTY", "60")
    monkeypatch.setenv("NO_COLOR", "1")
    text = run(fields="code", title="ICBs on 2026-11-23")
    assert text == lines("ICBs on 2026-11-23", "Code", "────", "QHM ", "QOP ")


# --- fields -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("tsv", lines("name\tcode", "NHS North East and North Cumbria ICB\tQHM", "NHS Greater Manchester ICB\tQOP")),
        ("csv", lines("name,code", "NHS North East and North Cumbria ICB,QHM", "NHS Greater Manchester ICB,QOP")),
        (
            "jsonl",
            lines(
                '{"name": "NHS North East and North Cumbria ICB", "code": "QHM"}',
                '{"name": "NHS Greater Manchester ICB", "code": "QOP"}',
            ),
        ),
        (
            "md",
            lines(
                "| Name | Code |",
                "| --- | --- |",
                "| NHS North East and North Cumbria ICB | QHM |",
                "| NHS Greater Manchester ICB | QOP |",
            ),
        ),
        (
            "table",
            lines(
                "Name                                   Code",
                "───────────────────────────────────────────",
                "NHS North East and North Cumbria ICB   QHM ",
                "NHS Greater Manchester ICB             QOP ",
            ),
        ),
    ],
)
def test_fields_pick_and_order_columns(fmt, expected):
    assert run(fmt=fmt, fields="name, code") == expected


def test_fields_can_name_a_column_hidden_from_tables():
    assert run(fmt="table", fields="code,end") == lines(
        "Code   End       ", "─────────────────", "QHM              ", "QOP    2026-03-31"
    )


def test_fields_as_a_list_and_duplicates():
    assert run(fmt="tsv", fields=["code", "code"]) == lines("code", "QHM", "QOP")


def test_unknown_field_lists_the_valid_ones():
    with pytest.raises(UsageError) as info:
        run(fmt="json", fields="code,nmae")
    assert info.value.exit_code == 2
    assert str(info.value) == ("Unknown field 'nmae'. Valid fields: code, name, population, end, former.")


def test_unknown_field_is_reported_before_any_output():
    out = io.StringIO()
    with pytest.raises(UsageError):
        render.render(iter(RECORDS), COLUMNS, "tsv", "bad", out=out)
    assert out.getvalue() == ""


def test_empty_fields_is_a_usage_error():
    with pytest.raises(UsageError, match="at least one field"):
        run(fields=" , ")


def test_columns_inferred_from_the_first_record():
    records = [{"b": 1, "a": 2}, {"a": 3, "b": 4, "c": 5}]
    assert run(records, None, "tsv") == lines("b\ta", "1\t2", "4\t3")
    # JSON keeps records as they are when no columns are declared.
    assert json.loads(run(records, None, "json")) == records
    assert json.loads(run(records, None, "json", fields="a")) == [{"a": 2}, {"a": 3}]
    with pytest.raises(UsageError, match="Valid fields: b, a"):
        run(records, None, "json", fields="z")


# --- empty results ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("json", "[]\n"),
        ("jsonl", ""),
        ("csv", "code,name,population,end,former\n"),
        ("tsv", "code\tname\tpopulation\tend\tformer\n"),
        ("md", lines("| Code | Name | Population | End | Former names |", "| --- | --- | ---: | --- | --- |")),
        ("table", ""),
    ],
)
def test_empty_result(fmt, expected, capsys):
    assert run([], fmt=fmt) == expected
    assert capsys.readouterr().err == "No results.\n"  # the hint goes to stderr, piped too
    assert run([], fmt=fmt, empty=None) == expected
    assert capsys.readouterr().err == ""


def test_empty_result_hint_on_terminal(monkeypatch, capsys):
    monkeypatch.setenv("ICS_FORCE_TTY", "1")
    assert run([], empty="No ICBs on that date.") == ""
    assert capsys.readouterr().err == "No ICBs on that date.\n"
    assert run(iter([]), fmt="json") == "[]\n"
    assert capsys.readouterr().err == "No results.\n"


def test_empty_result_hint_is_the_same_piped(capsys):
    assert run([], empty="No ICBs on that date.") == "code\tname\tpopulation\tend\tformer\n"
    assert capsys.readouterr().err == "No ICBs on that date.\n"


def test_empty_without_columns():
    assert run([], None, "json") == "[]\n"
    assert run([], None, "tsv") == ""
    assert run([], None, "tsv", fields="a,b") == "a\tb\n"


# --- values -------------------------------------------------------------------------------------

AWKWARD = [
    {"k": "tab\there", "v": "two\nlines\r\nand\\backslash", "n": None, "b": True, "d": {"x": 1}},
    {"k": "pipe|bar", "v": 'quote "q", comma', "n": 1.5, "b": False, "d": [{"y": "é"}]},
]


def test_tsv_escapes_tabs_newlines_and_backslashes():
    assert run(AWKWARD, None, "tsv") == lines(
        "k\tv\tn\tb\td",
        'tab\\there\ttwo\\nlines\\r\\nand\\\\backslash\t\ttrue\t{"x": 1}',
        'pipe|bar\tquote "q", comma\t1.5\tfalse\t[{"y": "é"}]',
    )


def test_csv_quotes_awkward_values():
    assert run(AWKWARD, None, "csv") == (
        "k,v,n,b,d\n"
        'tab\there,"two\nlines\r\nand\\backslash",,true,"{""x"": 1}"\n'
        'pipe|bar,"quote ""q"", comma",1.5,false,"[{""y"": ""é""}]"\n'
    )


def test_json_keeps_types_and_nesting():
    assert json.loads(run(AWKWARD, None, "json")) == AWKWARD
    assert [json.loads(line) for line in run(AWKWARD, None, "jsonl").splitlines()] == AWKWARD
    assert "é" in run(AWKWARD, None, "json")  # not \u00e9


def test_markdown_escapes_pipes_and_newlines():
    # Line breaks are markdown's <br>; a backslash and markup characters are escaped (a value is
    # never read as a cell's end or markup); other control characters show escaped (safetext.safe).
    assert run(AWKWARD, None, "md") == lines(
        "| k | v | n | b | d |",
        "| --- | --- | --- | --- | --- |",
        '| tab\\there | two<br>lines<br>and\\\\backslash |  | true | {"x": 1} |',
        '| pipe\\|bar | quote "q", comma | 1.5 | false | \\[{"y": "é"}\\] |',
    )


def test_markdown_shows_markup_characters_as_they_are():
    # A name with Markdown's characters stays text: \| cannot end a cell, <b> is not HTML, *x*
    # not emphasis; an underscore inside a word (org_id) needs no escape.
    from ics_cli.render_flat import md_text, write_sheet_md

    assert md_text("a\\|b <b>h</b> *s* _u_ `c` [l](u) org_id") == (
        "a\\\\\\|b \\<b\\>h\\</b\\> \\*s\\* \\_u\\_ \\`c\\` \\[l\\](u) org_id"
    )
    out = io.StringIO()
    write_sheet_md("A|B\n# C", [{"title": "T", "rows": [["x|y", "*z*"]]}], out)
    assert out.getvalue() == "# A\\|B<br># C\n\n## T\n\n|  |  |\n| --- | --- |\n| x\\|y | \\*z\\* |\n"


def test_piped_table_keeps_each_record_on_one_line():
    # Tabs, newlines and carriage returns show as escapes (safetext.safe): one line per record.
    assert run(AWKWARD, ["k", "v"], "table") == lines(
        "k           v                          ",
        "───────────────────────────────────────",
        "tab\\there   two\\nlines\\r\\nand\\backslash",
        'pipe|bar    quote "q", comma           ',
    )


def test_data_is_not_read_as_rich_markup(monkeypatch):
    monkeypatch.setenv("ICS_FORCE_TTY", "60")
    text = run([{"a": "[bold]x[/bold] :smile:"}], None)
    assert "[bold]x[/bold] :smile:" in text


# --- streaming ----------------------------------------------------------------------------------


class Spy:
    """A stdout that records how many records the generator had produced at each write."""

    def __init__(self, produced: list[int]):
        self.produced = produced
        self.at_writes: list[int] = []

    def write(self, text: str) -> int:
        self.at_writes.append(self.produced[0])
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "md"])
def test_streaming_consumes_the_iterator_lazily(fmt):
    total = 100_000
    produced = [0]

    def generate():
        for i in range(total):
            produced[0] += 1
            yield {"code": f"A{i:05d}", "name": f"Practice {i}", "end": None}

    spy = Spy(produced)
    n = render.render(generate(), ["code", "name", "end"], fmt, out=spy)
    assert n == total
    assert produced[0] == total
    assert spy.at_writes[0] < 1000  # output started long before the end of the iterator
    assert len(spy.at_writes) > 100


# --- one record ---------------------------------------------------------------------------------

PROFILE = {
    "name": "NHS Greater Manchester ICB",
    "code": "QOP",
    "former_names": ["NHS Greater Manchester Integrated Care Board"],
    "parents": [{"kind": "region", "code": "Y62", "name": "North West"}],
    "populations": {"ons_mid_year_estimate": 2867000},
    "website": None,
}
SECTIONS = [("Identity", "name", "code", "former_names", "website"), ("Parents", "parents")]


def run_record(fmt=None, fields=None, record=PROFILE, sections=SECTIONS, **kwargs) -> str:
    out = io.StringIO()
    render.render_record(record, sections, fmt, fields, out=out, **kwargs)
    return out.getvalue()


def test_record_piped_is_key_tab_value_lines():
    assert run_record() == lines(
        "name\tNHS Greater Manchester ICB",
        "code\tQOP",
        'former_names\t["NHS Greater Manchester Integrated Care Board"]',
        'parents\t[{"kind": "region", "code": "Y62", "name": "North West"}]',
        "populations.ons_mid_year_estimate\t2867000",
        "website\t",
    )


def test_record_json_is_one_object():
    assert run_record("json") == json.dumps(PROFILE, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(run_record("jsonl")) == PROFILE
    assert run_record("jsonl").count("\n") == 1


def test_record_csv_and_md():
    assert run_record("csv", fields="code,populations") == lines(
        "key,value", "code,QOP", "populations.ons_mid_year_estimate,2867000"
    )
    assert run_record("md", fields="code,name") == lines(
        "| key | value |", "| --- | --- |", "| code | QOP |", "| name | NHS Greater Manchester ICB |"
    )


def test_record_fields_pick_order_and_validate():
    assert run_record("json", "code,name") == '{\n  "code": "QOP",\n  "name": "NHS Greater Manchester ICB"\n}\n'
    with pytest.raises(UsageError) as info:
        run_record("json", "code,bogus")
    assert str(info.value) == ("Unknown field 'bogus'. Valid fields: name, code, former_names, parents, populations, website.")


def test_record_on_terminal(monkeypatch):
    monkeypatch.setenv("ICS_FORCE_TTY", "60")
    monkeypatch.setenv("NO_COLOR", "1")
    text = run_record(title="NHS Greater Manchester ICB")
    assert text == lines(
        "NHS Greater Manchester ICB",
        "╭─ Identity ───────────────────────────────────────────────╮",
        "│ name          NHS Greater Manchester ICB                 │",
        "│ code          QOP                                        │",
        "│ former_names  NHS Greater Manchester Integrated Care     │",
        "│               Board                                      │",
        "│ website                                                  │",
        "╰──────────────────────────────────────────────────────────╯",
        "╭─ Parents ────────────────────────────────────────────────╮",
        "│ kind     code   name                                     │",
        "│ ──────────────────────────                               │",
        "│ region   Y62    North West                               │",
        "╰──────────────────────────────────────────────────────────╯",
        "╭──────────────────────────────────────────────────────────╮",
        "│ populations  ons_mid_year_estimate  2867000              │",
        "╰──────────────────────────────────────────────────────────╯",
    )


def test_record_table_piped_does_not_wrap():
    text = run_record("table", fields="former_names")
    assert text == lines(
        "╭────────────────────────────────────────────────────────────╮",
        "│ former_names  NHS Greater Manchester Integrated Care Board │",
        "╰────────────────────────────────────────────────────────────╯",
    )


# --- trees --------------------------------------------------------------------------------------

TREE = {
    "label": "NHS Frimley ICB",
    "code": "QNQ",
    "children": [
        {"label": "NHS Surrey Heath CCG", "code": "10C", "children": [{"label": "Practice A"}]},
        {"label": "NHS North East Hampshire and Farnham CCG", "code": "99M"},
    ],
}


def run_tree(nodes=TREE) -> str:
    out = io.StringIO()
    render.render_tree(nodes, out=out)
    return out.getvalue()


def test_tree_on_terminal(monkeypatch):
    monkeypatch.setenv("ICS_FORCE_TTY", "60")
    monkeypatch.setenv("NO_COLOR", "1")
    assert run_tree() == lines(
        "NHS Frimley ICB",
        "├── NHS Surrey Heath CCG",
        "│   └── Practice A",
        "└── NHS North East Hampshire and Farnham CCG",
    )


def test_tree_piped_does_not_wrap():
    long = {"label": "root", "children": [{"label": "x" * 300}]}
    assert run_tree(long) == lines("root", "└── " + "x" * 300)


# --- options ------------------------------------------------------------------------------------


def test_format_option_completion():
    from ics_cli.options import complete_format

    assert [v for v, _ in complete_format("js")] == ["json", "jsonl"]


# --- start-up cost ------------------------------------------------------------------------------

HEAVY = {"rich", "rapidfuzz", "sqlite_utils", "openpyxl", "pydantic", "json", "csv"}


def _modules_after(code: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("ICS_FORCE_TTY", None)
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return {m.split(".")[0] for m in out.split()}


def test_cli_import_is_light():
    """Importing the app loads none of the heavy modules (typer 0.29 would bring pydantic)."""
    assert _modules_after("import ics_cli.cli") & HEAVY == set()


def test_json_and_tsv_output_do_not_import_rich():
    code = (
        "import io\nfrom ics_cli import render\n"
        "render.render([{'a': 1}], None, 'json', out=io.StringIO())\n"
        "render.render([{'a': [1]}], None, 'tsv', out=io.StringIO())\n"
        "render.render_record({'a': 1}, None, 'json', out=io.StringIO())\n"
        "render.render_record({'a': 1}, None, 'tsv', out=io.StringIO())\n"
    )
    loaded = _modules_after(code)
    assert "rich" not in loaded
    assert "json" in loaded


def test_a_narrow_terminal_keeps_the_name_column(monkeypatch):
    from ics_cli.render import Column

    monkeypatch.setenv("ICS_FORCE_TTY", "40")
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    rows = [
        {
            "code": "E54000057",
            "ons": "E54000057",
            "name": "NHS Greater Manchester Integrated Care Board",
            "start": "2022-07-01",
            "end": "2026-03-31",
        }
    ]
    cols = [
        Column("code", "Code", no_wrap=True),
        Column("ons", "ONS code", no_wrap=True),
        Column("name", "Name"),
        Column("start", "From", no_wrap=True),
        Column("end", "To", no_wrap=True),
    ]
    render.render(rows, cols, None, None, out=out)
    text = out.getvalue()
    assert "Name" in text and "Manchester" in text
    assert max(len(line) for line in text.splitlines()) <= 40
