"""ics_cli.db (finding and opening the database) and the CLI skeleton around it."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ics_cli import __version__, db
from ics_cli.cli import app
from ics_cli.entry import IcsGroup
from ics_cli.errors import IcsError, UsageError

ROOT = Path(__file__).resolve().parents[1]
REBUILD = "Rebuild it from a source checkout with: python scripts/build_db.py\nor point ICS_DB at an ics.sqlite file.\n"


V = db.SCHEMA_VERSION


def make_db(path: Path, *, orgs: bool = True, meta: bool = True, version: str = V) -> Path:
    """A small database: with ``orgs`` and ``meta``, an ics database of this schema version (the
    tables the CLI needs that the tests do not fill are empty stubs)."""
    conn = sqlite3.connect(path)
    if meta:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("data_end", "2026-08-01"), ("schema_version", version)],
        )
    if orgs:
        conn.execute('CREATE TABLE orgs (org_id TEXT, kind TEXT, start TEXT, "end" TEXT)')
        conn.executemany(
            "INSERT INTO orgs VALUES (?, ?, ?, ?)",
            [
                ("icb:QHM", "icb", "2022-07-01", None),
                ("icb:QOP", "icb", "2022-07-01", None),
                ("ccg:00L", "ccg", "2013-04-01", "2022-06-30"),
                ("region:Y63", "region", "2013-04-01", None),
            ],
        )
    if orgs:
        conn.execute(
            "CREATE TABLE sources (source TEXT, title TEXT, publisher TEXT, edition TEXT, licence TEXT, "
            "url TEXT, file TEXT, note TEXT)"
        )
        conn.execute("INSERT INTO sources VALUES ('ons_x', 'X lookup', 'ONS', '2022', 'OGL v3', '', 'x.csv', '')")
    if orgs:
        for table in db.TABLES:
            if table not in ("meta", "orgs", "sources"):
                conn.execute(f"CREATE TABLE {table} (stub)")
    if not (meta or orgs):
        conn.execute("PRAGMA user_version = 1")  # writes a valid header, no tables
    conn.commit()
    conn.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in ("ICS_DB", "ICS_FORCE_TTY", "NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    db.close()
    yield
    db.close()


@pytest.fixture
def dbfile(tmp_path, monkeypatch) -> Path:
    path = make_db(tmp_path / "ics.sqlite")
    monkeypatch.setenv("ICS_DB", str(path))
    return path


# --- finding the file ---------------------------------------------------------------------------


def test_env_var_overrides(dbfile):
    assert db.db_path() == str(dbfile)


def test_package_copy_then_repo_copy(tmp_path, monkeypatch):
    package, repo = tmp_path / "package.sqlite", tmp_path / "repo.sqlite"
    monkeypatch.setattr(db, "PACKAGE_DB", str(package))
    monkeypatch.setattr(db, "REPO_DB", str(repo))
    assert db.db_path() == str(repo)  # neither exists: the checkout's path, for the message
    make_db(package)
    assert db.db_path() == str(package)


def test_default_paths():
    assert db.PACKAGE_DB == str(ROOT / "ics_cli" / "data" / "ics.sqlite")
    assert db.REPO_DB == str(ROOT / "data" / "ics.sqlite")


# --- bad files ----------------------------------------------------------------------------------


def error_for(path: Path, monkeypatch) -> IcsError:
    monkeypatch.setenv("ICS_DB", str(path))
    with pytest.raises(IcsError) as info:
        db.connect()
    assert info.value.exit_code == 1
    return info.value


def test_missing(tmp_path, monkeypatch):
    err = error_for(tmp_path / "nope.sqlite", monkeypatch)
    assert err.message == f"Database not found: {tmp_path / 'nope.sqlite'} (from ICS_DB)."
    assert "python scripts/build_db.py" in err.hint


def test_missing_without_env_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "PACKAGE_DB", str(tmp_path / "a.sqlite"))
    monkeypatch.setattr(db, "REPO_DB", str(tmp_path / "b.sqlite"))
    with pytest.raises(IcsError) as info:
        db.connect()
    assert info.value.message == f"Database not found: {tmp_path / 'b.sqlite'}."


def test_empty_file(tmp_path, monkeypatch):
    (tmp_path / "empty.sqlite").write_bytes(b"")
    err = error_for(tmp_path / "empty.sqlite", monkeypatch)
    assert err.message == f"The database {tmp_path / 'empty.sqlite'} (from ICS_DB) is empty."
    assert "python scripts/build_db.py" in err.hint


@pytest.mark.parametrize("content", [b"not a database\n" * 10, b"SQLite format 3\x00" + b"\xff" * 200])
def test_corrupt_file(tmp_path, monkeypatch, content):
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(content)
    err = error_for(path, monkeypatch)
    assert err.message.startswith(f"{path} (from ICS_DB) is not a usable SQLite database (")
    assert "python scripts/build_db.py" in err.hint


def test_database_without_tables(tmp_path, monkeypatch):
    path = make_db(tmp_path / "bare.sqlite", orgs=False, meta=False)
    err = error_for(path, monkeypatch)
    assert err.message == f"The database {path} (from ICS_DB) has no tables."


def test_directory(tmp_path, monkeypatch):
    err = error_for(tmp_path, monkeypatch)
    assert "is a directory" in err.message


def test_awkward_path(tmp_path, monkeypatch):
    folder = tmp_path / "a dir #1 ?x=%20"
    folder.mkdir()
    path = make_db(folder / "ics.sqlite")
    monkeypatch.setenv("ICS_DB", str(path))
    assert db.meta()["data_end"] == "2026-08-01"


# --- queries ------------------------------------------------------------------------------------


def test_query_returns_dicts(dbfile):
    rows = db.query("SELECT org_id, kind FROM orgs WHERE kind = ? ORDER BY org_id", ("icb",))
    assert rows == [{"org_id": "icb:QHM", "kind": "icb"}, {"org_id": "icb:QOP", "kind": "icb"}]
    assert db.query_one("SELECT count(*) AS n FROM orgs") == {"n": 4}
    assert db.query_one("SELECT * FROM orgs WHERE kind = :k", {"k": "nothing"}) is None
    assert db.connect().execute("SELECT kind FROM orgs LIMIT 1").fetchone() == {"kind": "icb"}


def test_iter_query_is_lazy(dbfile):
    rows = db.iter_query("SELECT org_id FROM orgs ORDER BY org_id")
    assert isinstance(rows, types.GeneratorType)
    assert next(rows) == {"org_id": "ccg:00L"}


def test_meta_and_tables(dbfile):
    assert db.meta() == {"data_end": "2026-08-01", "schema_version": V}
    assert db.has_table("orgs") and not db.has_table("nope")


def test_schema_version_is_the_builds():
    import schema  # scripts/schema.py, on the tests' path

    assert db.SCHEMA_VERSION == schema.VERSION


def test_tables_are_the_builds_and_cover_what_the_cli_reads():
    import re

    with sqlite3.connect(f"{(ROOT / 'data' / 'ics.sqlite').as_uri()}?mode=ro", uri=True) as real:
        built = {name for (name,) in real.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert set(db.TABLES) <= built
    # Every table of the build that the CLI's code reads is checked when a database is opened.
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "ics_cli").rglob("*.py"))
    named = {t for t in built if re.search(rf"(\bFROM|\bJOIN|has_table\(\")\s*{t}\b", code)}
    assert named <= set(db.TABLES), named - set(db.TABLES)


def test_database_without_meta_is_refused(tmp_path, monkeypatch):
    path = make_db(tmp_path / "x.sqlite", meta=False)
    err = error_for(path, monkeypatch)
    assert err.message == f"{path} (from ICS_DB) is not an ics database: it has no meta table with a schema_version."
    assert "python scripts/build_db.py" in err.hint


def test_foreign_database_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE meta (name TEXT, content TEXT)")  # a meta table of another shape
        other.execute("CREATE TABLE orgs (x)")
    err = error_for(path, monkeypatch)
    assert err.message == f"{path} (from ICS_DB) is not an ics database: it has no meta table with a schema_version."


def test_other_schema_version_is_refused(tmp_path, monkeypatch):
    path = make_db(tmp_path / "old.sqlite", version="1")
    err = error_for(path, monkeypatch)
    assert err.message == f"The database {path} (from ICS_DB) has schema version 1; this version of ics reads version {V}."
    assert err.hint.startswith("Install the ics release that matches the database, or rebuild it")


def test_database_missing_a_table_is_refused(tmp_path, monkeypatch):
    path = make_db(tmp_path / "part.sqlite")
    with sqlite3.connect(path) as c:
        c.execute("DROP TABLE lookup")
        c.execute("DROP TABLE boundaries")
    err = error_for(path, monkeypatch)
    assert err.message == f"The database {path} (from ICS_DB) is not a complete ics database: it has no lookup, boundaries table."


def test_connection_is_cached(dbfile):
    assert db.connect() is db.connect()


def test_missing_table_is_a_clear_error(dbfile):
    with pytest.raises(IcsError) as info:
        db.query("SELECT * FROM nope")
    assert "no such table: nope" in info.value.message
    assert "python scripts/build_db.py" in info.value.hint


def test_programming_errors_are_not_hidden(dbfile):
    with pytest.raises(sqlite3.ProgrammingError):
        db.query("SELECT ?", (1, 2))


def test_read_only(dbfile):
    before = digest(dbfile)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.connect().execute("INSERT INTO meta VALUES ('x', 'y')")
    with pytest.raises(IcsError, match="readonly"):
        db.query("DELETE FROM orgs")
    with pytest.raises(sqlite3.OperationalError):
        db.connect().execute("CREATE TABLE t (x)")
    assert digest(dbfile) == before


# --- the CLI ------------------------------------------------------------------------------------

runner = CliRunner()


def invoke(*args: str, **env: str):
    return runner.invoke(app, list(args), env=env or None)


def test_info_piped_is_tsv(dbfile):
    result = invoke("info")
    assert result.exit_code == 0
    assert result.stdout == (
        f"version\t{__version__}\n"
        "data_end\t2026-08-01\n"
        f"schema_version\t{V}\n"
        "organisations.ccg.total\t1\n"
        "organisations.ccg.current\t0\n"
        "organisations.icb.total\t2\n"
        "organisations.icb.current\t2\n"
        "organisations.region.total\t1\n"
        "organisations.region.current\t1\n"
        'sources\t[{"source": "ons_x", "title": "X lookup", "publisher": "ONS", "edition": "2022", "licence": "OGL v3", '
        '"url": "", "file": "x.csv", "note": ""}]\n'
    )
    assert result.stderr == ""


def test_info_json(dbfile):
    result = invoke("info", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "version": __version__,
        "data_end": "2026-08-01",
        "schema_version": V,
        "organisations": {
            "ccg": {"total": 1, "current": 0},
            "icb": {"total": 2, "current": 2},
            "region": {"total": 1, "current": 1},
        },
        "sources": [
            {
                "source": "ons_x",
                "title": "X lookup",
                "publisher": "ONS",
                "edition": "2022",
                "licence": "OGL v3",
                "url": "",
                "file": "x.csv",
                "note": "",
            }
        ],
    }


def test_info_fields(dbfile):
    result = invoke("info", "-f", "csv", "--fields", "organisations,version")
    assert result.stdout == (
        "key,value\norganisations.ccg.total,1\norganisations.ccg.current,0\norganisations.icb.total,2\n"
        "organisations.icb.current,2\norganisations.region.total,1\norganisations.region.current,1\n"
        f"version,{__version__}\n"
    )


def test_info_on_terminal(dbfile):
    result = invoke("info", ICS_FORCE_TTY="60", NO_COLOR="1")
    assert result.exit_code == 0
    assert result.stdout == (
        "ics\n"
        "╭─ Tool ───────────────────────────────────────────────────╮\n"
        f"│ version  {__version__:<48}│\n"
        "╰──────────────────────────────────────────────────────────╯\n"
        "╭─ Data ───────────────────────────────────────────────────╮\n"
        "│ data_end        2026-08-01                               │\n"
        f"│ schema_version  {V}                                        │\n"
        "╰──────────────────────────────────────────────────────────╯\n"
        "╭─ Organisations (in the data; existing on 2026-08-01) ────╮\n"
        "│ kind                     in the data   existing          │\n"
        "│ ───────────────────────────────────────────────          │\n"
        "│ CCGs                     1             0                 │\n"
        "│ Integrated care boards   2             2                 │\n"
        "│ NHS England regions      1             1                 │\n"
        "╰──────────────────────────────────────────────────────────╯\n"
        "╭─ Sources ────────────────────────────────────────────────╮\n"
        "│ source   title      edition   licence                    │\n"
        "│ ─────────────────────────────────────                    │\n"
        "│ ons_x    X lookup   2022      OGL v3                     │\n"
        "╰──────────────────────────────────────────────────────────╯\n"
    )
    coloured = invoke("info", ICS_FORCE_TTY="60")
    assert "\x1b[1m" in coloured.stdout


def test_info_and_version_refuse_a_database_that_is_not_ics(tmp_path):
    # Once: `ics info` exited 0 with almost nothing, `--version` printed "data vintage unknown".
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE things (x)")
    for path, message in (
        (make_db(tmp_path / "m.sqlite", orgs=False), "is not a complete ics database: it has no orgs, names, codes"),
        (foreign, "is not an ics database: it has no meta table with a schema_version."),
        (make_db(tmp_path / "v3.sqlite", version="3"), f"has schema version 3; this version of ics reads version {V}."),
    ):
        for args in (["info"], ["info", "-f", "json"], ["--version"]):
            result = invoke(*args, ICS_DB=str(path))
            assert result.exit_code == 1, (args, result.output)
            assert message in result.stderr and result.stderr.startswith("Error: "), result.stderr
            assert "data vintage" not in result.stdout and "{" not in result.stdout


def test_version(dbfile):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"ics {__version__} (nhs-ics)\ndata vintage 2026-08-01\n"


def test_version_reads_data_end(tmp_path):
    path = make_db(tmp_path / "v.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '2026-09-30' WHERE key = 'data_end'")
    conn.commit()
    conn.close()
    result = invoke("--version", ICS_DB=str(path))
    assert result.stdout == f"ics {__version__} (nhs-ics)\ndata vintage 2026-09-30\n"


def test_missing_db_in_cli(tmp_path):
    path = tmp_path / "nope.sqlite"
    result = invoke("info", ICS_DB=str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: Database not found: {path} (from ICS_DB).\n" + REBUILD


def test_corrupt_db_in_cli(tmp_path):
    path = tmp_path / "bad.sqlite"
    path.write_text("hello\n" * 50)
    result = invoke("info", "-f", "json", ICS_DB=str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path} (from ICS_DB) is not a usable SQLite database")
    assert "Traceback" not in result.output


def test_version_with_missing_db(tmp_path):
    result = invoke("--version", ICS_DB=str(tmp_path / "nope.sqlite"))
    assert result.exit_code == 1
    assert result.stdout == f"ics {__version__} (nhs-ics)\n"
    assert result.stderr.startswith("Error: Database not found")


def test_unknown_format_exits_2(dbfile):
    result = invoke("info", "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("Error: Unknown format 'xml'. Accepted formats: table, json, jsonl, csv, tsv, md.\n")


def test_unknown_field_exits_2(dbfile):
    result = invoke("info", "--fields", "version,nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Unknown field 'nope'. Valid fields: version, data_end, schema_version, organisations, sources.\n"
    )


def test_usage_errors_exit_2(dbfile):
    assert invoke("nosuchcommand").exit_code == 2
    assert invoke("info", "--nosuchoption").exit_code == 2


def test_no_arguments_shows_help():
    result = invoke()
    assert result.exit_code in (0, 2)  # click >= 8.2 exits 2 for no_args_is_help
    assert "Usage" in result.output and "info" in result.output


def test_every_command_has_help():
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert (command.callback.__doc__ or "").strip(), name


def error_app() -> typer.Typer:
    test_app = typer.Typer(cls=IcsGroup)

    @test_app.command()
    def notfound() -> None:
        raise IcsError("No organisation matches 'Narnia'.", hint="Did you mean:\n  Nottingham")

    @test_app.command()
    def baddate() -> None:
        raise UsageError("--as-of must be a date from 2013-04-01 to 2026-08-01, not '2012-01-01'.")

    return test_app


def test_ics_errors_become_messages_and_exit_codes():
    result = runner.invoke(error_app(), ["notfound"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: No organisation matches 'Narnia'.\nDid you mean:\n  Nottingham\n"
    result = runner.invoke(error_app(), ["baddate"])
    assert result.exit_code == 2
    assert result.stderr == ("Error: --as-of must be a date from 2013-04-01 to 2026-08-01, not '2012-01-01'.\n")


# --- the real process ---------------------------------------------------------------------------


def run_python(args: list[str], dbfile: Path, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), ICS_DB=str(dbfile))
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, **kwargs)


@pytest.mark.slow
def test_python_m_ics_cli(dbfile, tmp_path):
    result = run_python(["-m", "ics_cli", "info", "--format", "jsonl"], dbfile, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["organisations"]["icb"] == {"total": 2, "current": 2}
    assert result.stderr == b""


@pytest.mark.slow
def test_json_command_does_not_import_rich(dbfile):
    code = (
        "import sys\nsys.argv = ['ics', 'info', '-f', 'json']\nfrom ics_cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in sys.modules if m.split('.')[0] in "
        "('rich', 'rapidfuzz', 'sqlite_utils', 'pydantic')))\n"
    )
    result = run_python(["-c", code], dbfile, text=True)
    assert json.loads(result.stdout)["version"] == __version__
    assert result.stderr == ""


@pytest.mark.slow
def test_closed_stdout_ends_quietly(dbfile):
    env = dict(os.environ, PYTHONPATH=str(ROOT), ICS_DB=str(dbfile))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ics_cli", "info"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the first write
    stderr = proc.stderr.read()
    assert proc.wait() == 141
    assert stderr == b""


STREAM_APP = """
import typer
from ics_cli import render
from ics_cli.entry import IcsGroup, main
from ics_cli.options import FormatOpt
app = typer.Typer(cls=IcsGroup)

@app.command()
def many(fmt: FormatOpt = None) -> None:
    render.render(({"n": i, "name": "x" * 50} for i in range(200_000)), ["n", "name"], fmt)

@app.command()
def other() -> None:
    pass

import ics_cli.cli
ics_cli.cli.app = app
main()
"""


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_head_on_a_long_stream_ends_quietly(dbfile, fmt):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="")
    proc = subprocess.Popen(
        [sys.executable, "-c", STREAM_APP, "many", "--format", fmt],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert first in (b"n\tname\n", b"[\n")
    assert proc.wait() == 141
    assert stderr == b""
