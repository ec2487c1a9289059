#!/usr/bin/env python3
"""Step 2 of the data pipeline: compile data/sources/*.csv into data/ics.sqlite.

    python scripts/build_db.py [--sources DIR] [--out FILE]

Reads only data/sources/. Validates every invariant first (see scripts/dbbuild/validate.py) and
refuses to write a database that breaks one. Writes to a temporary file and moves it into place,
so a failed build never leaves a half-written database. Deterministic: the same CSVs give the
same bytes (stable row order, no timestamps).

Every table is created as scripts/schema.py describes it, in its order: a CSV table from its
rows as read (a blank stored as NULL where the schema says so), a derived one from the rows
derived_rows gives (scripts/dbbuild/derive.py).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sqlite3
import sys
import time
from pathlib import Path

import sqlite_utils  # build-time only; the CLI never imports it

from dbbuild import derive, practice_checks, validate
from importers.common import DATA_START
from schema import CSV_TABLES, TABLES, VERSION, Table

ROOT = Path(__file__).resolve().parents[1]

# The build's own source: the events and national summaries it derives (not in sources.csv).
# Like every derived source it cites the public file most of it rests on (issue 13: no source
# row without a URL): the ODS successors file, which gives most of the mergers and closures.
DERIVED_SOURCE = {
    "source": "derived_events",
    "title": "Derived: event list and national summaries",
    "publisher": "ics project (derived from ODS and ONS data)",
    "edition": "",
    "licence": "Open Government Licence v3.0 (derived)",
    "url": "https://github.com/tomjemmett/odsProcessing/blob/75fc309001e233a1bb35c6228708945232c5c05c/ods_successors.csv",
    "file": "scripts/dbbuild/derive.py",
    "note": "Generated from the organisations, successions, names and codes tables (each row of which "
    "names its own source); counts per date.",
}
SQL_TYPES = {"TEXT": str, "INTEGER": int, "REAL": float}


def read_sources(folder: Path) -> dict[str, list[dict]]:
    tables = {}
    for name, table in CSV_TABLES.items():
        path = folder / f"{name}.csv"
        if not path.exists():
            raise SystemExit(f"Error: {path} is missing; run scripts/import_sources.py (needs ../shared/sources).")
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != table.csv_columns:
                raise SystemExit(f"Error: {path} has columns {reader.fieldnames}, not {table.csv_columns} (scripts/schema.py).")
            tables[name] = list(reader)
    return tables


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in CSV_TABLES:
        digest.update(name.encode())
        digest.update((folder / f"{name}.csv").read_bytes())
    return digest.hexdigest()


def data_end(t: dict[str, list[dict]]) -> str:
    """The latest day the data speaks for: the newest reference date or start in the sources."""
    days = [r["date"] for r in t["populations"]]
    days += [r["start"] for table in ("orgs", "memberships", "codes", "names") for r in t[table] if r["start"]]
    return max(days)


def stored(table: Table, rows: list[dict]) -> list[dict]:
    """CSV rows as the database stores them: a blank is NULL where the schema says so, and
    INTEGER columns are numbers (SQLite converts REAL ones itself)."""
    columns = [c for c in table.columns if not c.derived]
    out = []
    for row in rows:
        new = {}
        for c in columns:
            value = row[c.name]
            if value == "" and c.blank_is_null:
                value = None
            elif c.type == "INTEGER":
                value = int(value)
            new[c.name] = value
        out.append(new)
    return out


def create(db: sqlite_utils.Database, table: Table, rows) -> None:
    """Create a table as the schema describes it, fill it and index it."""
    fks = table.foreign_keys()
    not_null = [c.name for c in table.columns if c.not_null]
    if table.key:
        # sqlite-utils cannot declare WITHOUT ROWID. A table with a natural key (NOT NULL
        # columns, unique: validate.check_keys_filled) is stored in key order, the key being
        # the clustered index: no rowid b-tree and no separate index on the key's first column.
        cols = [f"[{c.name}] {c.type}" + (" NOT NULL" if c.name in table.required else "") for c in table.columns]
        cols.append(f"PRIMARY KEY ({', '.join(f'[{c}]' for c in table.key)})")
        cols += [f"FOREIGN KEY([{c}]) REFERENCES [{other}]([{ocol}])" for c, other, ocol in fks]
        db.execute(f"CREATE TABLE [{table.name}] (\n   {', '.join(cols)}\n) WITHOUT ROWID, STRICT")
    else:
        columns = {c.name: SQL_TYPES[c.type] for c in table.columns}
        db[table.name].create(columns, pk=table.pk or None, foreign_keys=fks, not_null=set(not_null), strict=True)
    db[table.name].insert_all(rows, batch_size=5000)
    for idx in table.indexes:
        db[table.name].create_index(list(idx), find_unique_name=True)


def derived_rows(t: dict[str, list[dict]], meta: dict[str, str]) -> dict[str, list[dict]]:
    """The rows of every table that is not a CSV as read: the derived tables, `orgs` (the CSV's
    organisations with their current codes and names) and `sources` (with the build's own)."""
    summaries = derive.org_summaries(t)
    events, event_orgs = derive.events(t, summaries)
    return {
        "meta": [{"key": k, "value": v} for k, v in sorted(meta.items())],
        "sources": sorted(stored(CSV_TABLES["sources"], t["sources"]) + [DERIVED_SOURCE], key=lambda r: r["source"]),
        "orgs": summaries,
        "events": events,
        "event_orgs": event_orgs,
        "lookup": derive.lookup_keys(t),
        "org_search": derive.search_rows(t, summaries),
    }


def write_db(path: Path, t: dict[str, list[dict]], meta: dict[str, str]) -> None:
    db = sqlite_utils.Database(sqlite3.connect(path))
    db.conn.execute("PRAGMA journal_mode = DELETE")
    db.conn.execute("PRAGMA page_size = 4096")
    shipped = {name: table for name, table in TABLES.items() if table.in_database}
    rows = {name: stored(table, t[name]) for name, table in CSV_TABLES.items() if name in shipped}
    rows.update(derived_rows(t, meta))
    missing = [name for name in shipped if name not in rows]
    if missing:
        raise SystemExit(f"Error: no rows for {missing}: a derived table needs an entry in build_db.derived_rows.")
    for name, table in shipped.items():
        create(db, table, rows[name])
    # Trigram full-text index: partial words match ("cumb" finds Cumbria); named org_search_fts with
    # content="org_search" as sqlite-utils' enable_fts would (Datasette picks it up for its search
    # box). columnsize=0: no per-row token counts stored; bm25 counts them from org_search.text
    # when it ranks (same scores, 0.1 MB less). Trigram matching needs detail=full (positions).
    db.executescript(
        'CREATE VIRTUAL TABLE "org_search_fts" USING FTS5 (\n    "text",\n    tokenize=\'trigram\',\n'
        '    columnsize=0,\n    content="org_search"\n);\n'
        'INSERT INTO "org_search_fts" (rowid, "text") SELECT rowid, "text" FROM "org_search";'
    )
    db["org_search"].optimize()
    db.conn.commit()
    db.conn.execute("VACUUM")
    db.conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=Path, default=ROOT / "data" / "sources")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "ics.sqlite")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    t = read_sources(args.sources)
    end = data_end(t)
    print("Editions against the CCG-era history (practices and PCNs):")
    print("\n".join(practice_checks.report(t)))
    problems = validate.validate(t, end) + validate.check_provenance({"sources": [DERIVED_SOURCE]})
    if problems:
        print(f"Error: the data breaks {len(problems)} invariant(s); no database written.", file=sys.stderr)
        for p in problems[:200]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 200:
            print(f"  ... and {len(problems) - 200} more", file=sys.stderr)
        return 1
    meta = {
        "schema_version": VERSION,
        "data_start": DATA_START,
        "data_end": end,
        "sources_sha256": fingerprint(args.sources),
        "title": "ics: England's integrated care systems and their predecessors, 2013 onwards",
        "licence": "Open Government Licence v3.0 (contains public sector information; see the sources table)",
    }
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        write_db(tmp, t, meta)
        os.replace(tmp, args.out)
    finally:
        tmp.unlink(missing_ok=True)
    size = args.out.stat().st_size / 1e6
    print(f"Built {args.out} ({size:.1f} MB, data {DATA_START} to {end}) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
