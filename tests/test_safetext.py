"""Nothing reaches the terminal raw, nothing grows without bound (issue 16), in process:

- :mod:`ics_cli.safetext`, the one rule;
- every echo of user input (errors, hints, notes, Click's usage errors) with escape payloads and
  100 kB values, through CliRunner;
- table and md output of user input (``ics resolve``'s input column) and of names from the
  database, while json, csv and tsv stay exact;
- terminal widths capped, ``--kind ''`` refused.

The same faults through the installed command (closed and full streams, Ctrl-C, encodings, a WAL
database) are in tests/test_hostile.py (slow tier).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess

import pytest
from conftest import make_cli

from ics_cli import safetext, wording
from ics_cli.safetext import cut, lines, path, quoted, safe, shell_word, shorten_words

# What must never reach a terminal: C0 controls but newline, DEL, C1 controls, bidirectional
# controls, line and paragraph separators, lone surrogates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")

OSC_TITLE = "\x1b]0;PWNED\x07\x1b[2J"  # sets the window title, clears the screen
OSC_LINK = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07"  # a live hyperlink
PAYLOADS = {
    "osc-title": OSC_TITLE,
    "osc-link": OSC_LINK,
    "c1-csi": "\x9b2J\x9d0;x\x9c",
    "bidi": "\u202eMHQ\u2066x\u2069",
    "cr-bs-del": "QOP\r\x08\x7fspoof",
    "line-separator": "a\u2028b\u2029c\x85d",
}
HUGE = "x" * 100_000


def assert_safe(text: str, where: str = "") -> None:
    found = RAW.search(text)
    assert found is None, f"{where}: raw {found.group()!r} in {text[max(0, found.start() - 60) : found.end() + 60]!r}"


def assert_short_lines(text: str, limit: int = 1_000) -> None:
    longest = max((len(line) for line in text.split("\n")), default=0)
    assert longest <= limit, f"a line of {longest} characters: {text[:200]!r}..."


# --- the rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("North Cumbria", "North Cumbria"),
        (OSC_TITLE, "\\x1b]0;PWNED\\x07\\x1b[2J"),
        ("tab\there\nnew\rcr", "tab\\there\\nnew\\rcr"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),
        ("\u202eQHM\u2066\u200f\u061c", "\\u202eQHM\\u2066\\u200f\\u061c"),
        ("a\u2028b\u2029", "a\\u2028b\\u2029"),
        ("bad byte \udcff", "bad byte \\udcff"),
        # what is not a control passes: accents, scripts, emoji (with joiners), spaces of all sorts
        ("Café Ελληνικά 日本語 עברית", "Café Ελληνικά 日本語 עברית"),
        ("👨\u200d👩\u200d👧 🏥", "👨\u200d👩\u200d👧 🏥"),
        ("Greater\u00a0Manchester\u3000\u200b", "Greater\u00a0Manchester\u3000\u200b"),
        ("back\\slash [bold]x[/bold]", "back\\slash [bold]x[/bold]"),
    ],
)
def test_safe(raw, shown):
    assert safe(raw) == shown
    assert safe(shown) == shown  # idempotent: what it makes is safe
    assert_safe(shown)
    assert safetext.is_safe(raw) == (raw == shown)


def test_every_character_is_safe_after_safe():
    every = "".join(chr(c) for c in range(0x3000)) + "".join(chr(c) for c in range(0xD800, 0xE000))
    assert_safe(safe(every))


@pytest.mark.parametrize("text", ["x" * 100_000, "\x1b" * 5_000, "é" * 90, "'" * 300, "a\x1bb" * 50, "😀" * 200])
def test_echoes_are_cut_to_about_80_characters(text):
    for shown in (cut(text), quoted(text), path(text), shell_word(text)):
        assert_safe(shown)
        assert len(shown) <= 85, shown
        assert "..." in shown
    # never half an escape at the cut
    assert not re.search(r"\\(x[0-9a-f]?|u[0-9a-f]{0,3})\.\.\.", cut(text) + quoted(text))


def test_quoted_is_repr_for_what_was_short_and_safe():
    for text in ("Narnia", "St Mary's", 'say "hi"', "a\\b", "x" * 80, OSC_TITLE):
        assert quoted(text) == repr(text)
    assert quoted("x" * 81) == "'" + "x" * 77 + "...'"


def test_path_keeps_both_ends():
    long = "/home/someone/" + "deep/" * 40 + "file name.csv"
    shown = path(long)
    assert shown.startswith("/home/someone/deep/") and shown.endswith("/file name.csv") and "..." in shown
    assert len(shown) <= 80


def test_shell_word_pastes_back_as_the_text(tmp_path):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    for text in ("plain words", "it's", OSC_TITLE, "a'\x1b\\b\n\t", "\u202eQHM"):
        word = shell_word(text)
        assert_safe(word)
        done = subprocess.run([bash, "-c", f"printf %s {word}"], capture_output=True, timeout=30)
        assert done.stdout.decode("utf-8") == text, word


def test_lines_guard_every_line():
    text = "Error: " + OSC_TITLE + "\n" + "y" * 5_000 + "\nlast"
    shown = lines(text)
    assert_safe(shown)
    assert_short_lines(shown)
    assert shown.endswith("\nlast") and shown.count("\n") == 2


def test_click_messages_are_cut_word_by_word():
    message = "Invalid value for '--limit' / '-n': '" + "1" * 100_000 + "' is not a valid integer."
    shown = shorten_words(message)
    assert shown.startswith("Invalid value for '--limit' / '-n': '111") and shown.endswith("...' is not a valid integer.")
    assert len(shown) < 200


def test_wording_echoes_are_safe():
    org = {"name": "NHS X", "org_id": "icb:QXX", "code": "QXX", "start": "2022-07-01", "end": None, "kind": "icb"}
    for text in PAYLOADS.values():
        for sentence in (
            wording.not_found(text),
            wording.try_search(text),
            wording.also_matches(text, [org]),
            wording.reached_through(text, "postcode district DN22", org),
            wording.ambiguous(text, 2),
            wording.search_title(text, "2026-08-01"),
            wording.search_empty(text, False, False),
            wording.wrote("/tmp/" + text, 3),
        ):
            assert_safe(sentence, sentence)


# --- every echo of user input, through the CLI ---------------------------------------------------------


def echo_paths(text: str, tmp: str) -> list[list[str]]:
    """Command lines that echo `text` in an error, a hint or a note."""
    return [
        ["show", text],
        ["population", text],
        ["lineage", text],
        ["timeline", text],
        ["list", "icbs", "--in", text],
        ["map", text],
        ["diff", "2022-06-30", "2022-07-01", "--in", text],
        ["search", text, "-f", "table"],  # the title (stdout) and "Nothing matches ..." (stderr)
        ["list", text],
        ["search", "north", "--kind", text],
        ["timeline", "--kind", text],
        ["timeline", "QOP", "--kind", f"policy,{text}"],
        ["diff", "2026-03-31", "2026-04-01", "--kind", text],
        ["resolve", "--to", text],
        ["population", "QOP", "--measure", text],
        ["population", "QOP", "--by", text],
        ["list", "icbs", "--format", text],
        ["map", "QOP", "--format", text],
        ["list", "icbs", "--fields", f"code,{text}"],
        ["show", "QOP", "--fields", text],
        ["info", "--fields", text],
        ["show", "QOP", "--as-of", text],
        ["timeline", "--from", text],
        ["timeline", "--to", text],
        ["diff", text, "2022-07-01"],
        ["resolve", f"{tmp}/missing/{text}.csv"],
        ["map", "QOP", "-f", "svg", "-o", f"{tmp}/missing/{text}.svg"],
        ["search", "north", "--limit", text],  # Click's own usage errors
        ["list", f"--x{text}"],
        [f"x{text}"],
        ["export", "crosswalk", text, "icb"],
        ["export", "crosswalk", "region", text],
        ["export", text, "region", "icb"],
        ["export", "crosswalk", "region", "region", "-o", f"{tmp}/missing/{text}.csv"],
    ]


@pytest.fixture(scope="module")
def tmpdir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("echo"))


@pytest.mark.parametrize("name", PAYLOADS)
def test_every_echo_of_user_input_is_safe(cli, tmpdir, name):
    # Every path with the two escape sequences; the other payloads (one rule, tested above) on a
    # path of each kind: an identifier, a kind, a date, a file name, Click's own errors.
    text = PAYLOADS[name]
    paths = echo_paths(text, tmpdir)
    if not name.startswith("osc"):
        paths = [paths[0], paths[9], paths[21], paths[25], paths[27]]
    for i, argv in enumerate(paths):
        for single in (True, False) if i % 3 == 0 else (True,):  # the whole app too, now and then
            result = cli(*argv, single=single, env={"NO_COLOR": "1"})
            assert result.exit_code in (0, 1, 2), (argv, result)
            assert result.exit_code == 0 or result.stderr, (argv, result)
            assert_safe(result.stderr, f"stderr of {argv}")
            if "table" in argv:
                assert_safe(result.stdout, f"stdout of {argv}")
    shown = cli("show", OSC_TITLE)
    assert shown.stderr == (
        "Error: No organisation matches '\\x1b]0;PWNED\\x07\\x1b[2J'.\nTry: ics search $'\\x1b]0;PWNED\\x07\\x1b[2J'\n"
    )


def test_a_100kb_value_is_not_echoed_back(cli, tmpdir):
    for argv in echo_paths(HUGE, tmpdir):
        result = cli(*argv, env={"NO_COLOR": "1"})
        assert result.exit_code in (0, 1, 2) and result.stderr, (argv, result)  # 0: search found nothing
        assert len(result.stderr) < 2_000, (argv, len(result.stderr), result.stderr[:300])
        assert "x" * 81 not in result.stderr, (argv, result.stderr[:300])


def test_resolve_echoes_of_its_input(cli, tmp_path):
    header = f"id,{OSC_TITLE}," + "h" * 100_000
    result = cli("resolve", "--column", OSC_LINK, input=header + "\nQOP,x,y\n")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: No column '\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07' in the input (--column); its columns are: "
        "'id', '\\x1b]0;PWNED\\x07\\x1b[2J', '" + "h" * 37 + "...'.\n"
    )
    result = cli("resolve", "--column", OSC_TITLE, input="")
    assert result.stderr == "Error: The input is empty: no header row with a column '\\x1b]0;PWNED\\x07\\x1b[2J'.\n"
    # The summary names the --date-column as every other echo does: escaped and cut.
    name = OSC_TITLE + "h" * 1_000
    result = cli("resolve", "--column", "id", "--date-column", name, input=f"id,{name}\nQOP,2020-01-01\n")
    assert result.exit_code == 0 and result.stderr.startswith("Resolved 1 of 1 input rows as of each row's '\\x1b]0;PWNED")
    assert result.stderr.endswith("...' (2020-01-01 to 2020-01-01).\n") and len(result.stderr) < 200


# --- table and md output: user input and database names alike ------------------------------------------


def test_resolve_input_column_in_table_and_md(cli):
    lines_in = [OSC_LINK, OSC_TITLE, "QOP\x9b2J", "\u202eQOP", "QHM\x07"]
    stdin = "\n".join(lines_in) + "\n"
    for env in ({"ICS_FORCE_TTY": "200"}, {}):  # a terminal in colour; piped
        for fmt in ("table", "md"):
            result = cli("resolve", "-f", fmt, input=stdin, env=env)
            assert result.exit_code == 0, result
            # colour codes are the tool's own (\x1b[1m...): none of the input's sequences survive
            assert_safe(re.sub(r"\x1b\[[0-9;]*m", "", result.stdout), f"{fmt} {env}")
            shown = result.stdout.replace("\\]", "]") if fmt == "md" else result.stdout  # md escapes ]
            assert "\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07" in shown
            assert "\\x9b2J" in result.stdout and "\\u202eQOP" in result.stdout
    # The piped formats stay exact.
    tsv = cli("resolve", "-f", "tsv", "--fields", "input", input=stdin).stdout.splitlines()[1:]
    assert tsv == lines_in
    rows = json.loads(cli("resolve", "-f", "json", input=stdin).stdout)
    assert [r["input"] for r in rows] == lines_in


@pytest.fixture(scope="module")
def hostile_names_db(db_path, tmp_path_factory):
    """A copy of the real database whose ICB QOP is named with escape sequences."""
    copy = tmp_path_factory.mktemp("names") / "ics.sqlite"
    shutil.copyfile(db_path, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE orgs SET name = ? WHERE org_id = 'icb:QOP'", (f"NHS {OSC_TITLE} ICB",))
        conn.execute("UPDATE names SET name = ? WHERE org_id = 'icb:QOP'", (f"NHS {OSC_LINK} ICB",))
    return copy


def test_database_names_are_shown_safely_too(hostile_names_db):
    cli = make_cli(hostile_names_db)
    tty = {"ICS_FORCE_TTY": "200", "NO_COLOR": "1"}
    for argv in (
        ["show", "QOP"],
        ["list", "icbs"],
        ["list", "sub-icbs", "--in", "QOP"],
        ["lineage", "QOP"],
        ["timeline", "QOP"],
        ["population", "QOP"],
        ["map", "QOP"],
        ["diff", "2026-03-31", "2026-04-01", "--in", "QOP"],
        ["search", "greater manchester"],
        ["info"],
    ):
        for fmt_args, env in (([], tty), (["-f", "md"], {}), (["-f", "table"], {})):
            if argv[0] == "map" and fmt_args[:2] == ["-f", "md"]:
                continue
            result = cli(*argv, *fmt_args, env=env)
            assert result.exit_code == 0, (argv, fmt_args, result)
            assert_safe(result.stdout, f"stdout of {argv} {fmt_args}")
            assert_safe(result.stderr, f"stderr of {argv} {fmt_args}")
    shown = cli("list", "icbs", env=tty).stdout
    assert "\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07" in shown or "\\x1b]0;PWNED" in shown
    # json stays exact: the name as stored, its control characters escaped by JSON itself
    out = cli("show", "QOP", "-f", "json").stdout
    assert json.loads(out)["name"] == f"NHS {OSC_LINK} ICB"
    assert "\\u001b]8;;https://evil.example/\\u0007click" in out
    assert_safe(out)


# --- limits ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env", [{"ICS_FORCE_TTY": "10000000"}, {"ICS_FORCE_TTY": "1", "COLUMNS": "10000000"}, {"ICS_FORCE_TTY": "999999999999999999"}]
)
def test_terminal_width_is_capped(cli, env):
    for argv in (["info"], ["show", "QOP"], ["list", "icbs"], ["lineage", "QNQ"], ["map", "QOP"]):
        result = cli(*argv, env={**env, "NO_COLOR": "1"})
        assert result.exit_code == 0, (argv, result)
        assert len(result.stdout) < 1_000_000, (argv, len(result.stdout))
        assert_short_lines(result.stdout, 1_000)


def test_tiny_terminal_width_is_raised(cli):
    result = cli("list", "icbs", env={"ICS_FORCE_TTY": "1", "COLUMNS": "1", "NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "Greater Manchester" in " ".join(result.stdout.split())


@pytest.mark.parametrize("argv", [["search", "north", "--kind", ""], ["diff", "2026-03-31", "2026-04-01", "--kind", ""]])
def test_empty_kind_is_a_usage_error_like_list(cli, argv):
    result = cli(*argv)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Unknown kind ''. Use one of: regions, icbs,")
    assert cli("list", "").stderr == result.stderr
