"""The build side (scripts/): the one schema (scripts/schema.py) against the committed CSVs and
database, the validation it drives, the importers' toolkit, and the build's independence from the
CLI's wording."""

from __future__ import annotations

import ast
import copy
import csv
import sqlite3
from pathlib import Path

import pytest

import build_db
from dbbuild import validate
from importers.common import edition_runs, edition_runs_by_key, runs
from schema import CSV_TABLES, TABLES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"
DB = ROOT / "data" / "ics.sqlite"


# --- the schema is what the files hold ------------------------------------------------------------


def test_every_tidy_csv_has_the_schema_columns():
    assert sorted(p.stem for p in SOURCES.glob("*.csv")) == sorted(CSV_TABLES)
    for name, table in CSV_TABLES.items():
        with open(SOURCES / f"{name}.csv", encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == table.csv_columns, name
    # The curated files that hold rows of a table have its columns too.
    for file, table in (("sources", "sources"), ("importer_sources", "sources"), ("policy_events", "policy_events")):
        with open(ROOT / "data" / "curated" / f"{file}.csv", encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == CSV_TABLES[table].csv_columns, file


def test_the_database_is_built_as_the_schema_says():
    conn = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    tables = [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'org_search_fts%'")
    ]
    shipped = {name: table for name, table in TABLES.items() if table.in_database}
    assert tables == list(shipped) and "editions" not in shipped  # editions: read and checked, not shipped
    for name, table in shipped.items():
        info = conn.execute(f"PRAGMA table_info([{name}])").fetchall()
        assert [(r[1], r[2]) for r in info] == [(c.name, c.type) for c in table.columns], name
        not_null = {r[1] for r in info if r[3]}
        rowid_alias = {table.pk} if table.pk and info[table.column_names.index(table.pk)][2] == "INTEGER" else set()
        assert not_null == set(table.required) - rowid_alias, name  # (an INTEGER PRIMARY KEY is the rowid)
        pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
        assert pk == (list(table.key) or ([table.pk] if table.pk else [])), name
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        assert sql.rstrip().endswith("WITHOUT ROWID, STRICT" if table.key else ") STRICT"), name
        fks = {(r[3], r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list([{name}])")}
        assert fks == set(table.foreign_keys()), name
        indexes = [
            tuple(c[2] for c in conn.execute(f"PRAGMA index_info([{r[1]}])"))
            for r in conn.execute(f"PRAGMA index_list([{name}])")
            if r[3] == "c"
        ]
        assert sorted(indexes) == sorted(table.indexes), name


def test_schema_declarations_are_consistent():
    for name, table in TABLES.items():
        columns = table.column_names
        assert len(set(columns)) == len(columns), name
        assert not (table.key and table.pk), name
        assert set(table.key) <= set(columns) and (not table.pk or table.pk in columns), name
        assert all(set(idx) <= set(columns) for idx in table.indexes), name
        assert {c.type for c in table.columns} <= {"TEXT", "INTEGER", "REAL"}, name
        for _, other, ocol in table.foreign_keys():
            assert ocol in TABLES[other].column_names, (name, other, ocol)
        if not table.csv:
            assert not any(c.derived for c in table.columns), name


# --- validation refuses what the schema rules out ---------------------------------------------------


@pytest.fixture(scope="module")
def sources():
    return build_db.read_sources(SOURCES)


@pytest.mark.slow  # validates the whole build (seconds)
def test_the_committed_sources_pass_validation(sources):
    assert validate.validate(sources, build_db.data_end(sources)) == []


@pytest.mark.slow  # validates the whole build (seconds)
def test_values_outside_the_vocabularies_refuse_the_build(sources):
    t = copy.deepcopy(sources)
    t["orgs"][0]["kind"] = "hospital"
    t["memberships"][0]["relation"] = "inside"
    t["successions"][0]["type"] = "rename"  # a rename keeps the organisation: not a succession
    problems = validate.validate(t, build_db.data_end(t))
    vocabulary = [p for p in problems if p.startswith("[vocabularies]")]
    assert len(vocabulary) == 3, problems
    assert "orgs.kind: 'hospital' (1 rows) is not one of region, area_team" in vocabulary[0]
    assert "memberships.relation: 'inside' (1 rows) is not one of part_of, hq_in, partner, overlaps" in vocabulary[1]
    assert "successions.type: 'rename' (1 rows)" in vocabulary[2]


@pytest.mark.slow  # reads every table of the build (seconds)
def test_references_follow_the_schemas_foreign_keys(sources):
    t = copy.deepcopy(sources)
    t["codes"][0]["org_id"] = "icb:NOPE"
    t["populations"][0]["source"] = "no_such_source"
    problems = validate.check_references(t)
    assert problems == [
        "codes.org_id names rows not in orgs.org_id: ['icb:NOPE']",
        "populations.source names rows not in sources.source: ['no_such_source']",
    ]


@pytest.mark.slow  # validates the whole build (seconds)
def test_build_refuses_bad_data_and_writes_nothing(tmp_path, sources, capsys):
    t = copy.deepcopy(sources)
    t["memberships"][0]["relation"] = "inside"
    folder = tmp_path / "sources"
    folder.mkdir()
    for name, table in CSV_TABLES.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, table.csv_columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(t[name])
    out = tmp_path / "ics.sqlite"
    assert build_db.main(["--sources", str(folder), "--out", str(out)]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "Error: the data breaks 1 invariant(s); no database written." in err
    assert "[vocabularies] memberships.relation: 'inside'" in err


# --- the toolkit's dated runs -------------------------------------------------------------------------


def test_runs_merge_touching_observations_of_one_value():
    assert runs(
        [
            ("2013-04-01", "2015-03-31", "A", "s1"),
            ("2015-04-01", "2016-03-31", "A", "s2"),  # touches: one run, first source kept
            ("2016-04-01", "2017-03-31", "B", "s2"),
            ("2017-06-01", "", "B", "s3"),  # a gap: a new run
        ]
    ) == [("2013-04-01", "2016-03-31", "A", "s1"), ("2016-04-01", "2017-03-31", "B", "s2"), ("2017-06-01", "", "B", "s3")]


def test_edition_runs_hold_each_value_until_the_next_edition():
    editions = [("2022-07-01", "X", "e1"), ("2023-04-01", "X", "e2"), ("2026-04-01", "Y", "e3")]
    assert edition_runs(editions) == [("2022-07-01", "2026-03-31", "X", "e1"), ("2026-04-01", "", "Y", "e3")]
    # Clipped to a lifetime; a value missing from an edition holds nothing.
    assert edition_runs(editions, "2023-01-01", "2026-06-30") == [
        ("2023-01-01", "2026-03-31", "X", "e1"),
        ("2026-04-01", "2026-06-30", "Y", "e3"),
    ]
    assert edition_runs([("2022-07-01", "X", "e1"), ("2023-04-01", None, "e2"), ("2026-04-01", "X", "e3")]) == [
        ("2022-07-01", "2023-03-31", "X", "e1"),
        ("2026-04-01", "", "X", "e3"),
    ]


def test_edition_runs_by_key_end_a_key_missing_from_an_edition():
    editions = [
        {"date": "2022-07-01", "source": "e1", "rows": [{"k": "a", "v": 1}, {"k": "b", "v": 2}]},
        {"date": "2023-04-01", "source": "e2", "rows": [{"k": "a", "v": 1}]},
    ]
    assert edition_runs_by_key(editions, lambda r: r["k"], lambda r: r["v"]) == {
        "a": [("2022-07-01", "", 1, "e1")],
        "b": [("2022-07-01", "2023-03-31", 2, "e1")],
    }


# --- the build words its own titles -------------------------------------------------------------------


def test_scripts_import_nothing_from_the_cli_but_its_key_normaliser_shape_decoder_and_block_levels():
    # Display labels live in the CLI; a label change must not change the database. The one shared
    # function is the lookup key (the build stores what the CLI will look up).
    imported = set()
    for path in (ROOT / "scripts").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ics_cli"):
                imported.add((node.module, tuple(a.name for a in node.names)))
            elif isinstance(node, ast.Import):
                imported |= {(a.name, ()) for a in node.names if a.name.startswith("ics_cli")}
            assert not (isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys"), path
    # The key normaliser (lookup keys made as the CLI makes them), the shape decoder (the build
    # accepts only boundaries `ics map` can draw), and the levels a small area's parents are stored
    # at (block_parents.level, read back by the CLI) and the kinds whose areas make up an area (the
    # boundary the build draws, the members the map draws): structure, never a display word.
    assert imported == {
        ("ics_cli.normalise", ("normalise",)),
        ("ics_cli.maps.shapes", ("decode", "signed_area")),
        ("ics_cli.vocab", ("BLOCK_LEVEL_OF_KIND",)),
        ("ics_cli.vocab", ("FOOTPRINT_KINDS",)),
        ("ics_cli.vocab", ("AREA_MEMBERS",)),
    }
