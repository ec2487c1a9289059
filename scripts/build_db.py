#!/usr/bin/env python3
"""Step 2 of the data pipeline: compile data/sources/*.csv into data/ics.sqlite.

    python scripts/build_db.py [--sources DIR] [--out FILE]

Reads only data/sources/. Validates every invariant first (see scripts/dbbuild/validate.py) and
refuses to write a database that breaks one. Writes to a temporary file and moves it into place,
so a failed build never leaves a half-written database. Deterministic: the same CSVs give the
same bytes (stable row order, no timestamps).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlite_utils  # noqa: E402  (build-time only; the CLI never imports it)
from dbbuild import derive, practice_checks, validate  # noqa: E402
from importers.common import DATA_START  # noqa: E402

SCHEMA_VERSION = "1"
TABLES = (
    "sources",
    "orgs",
    "codes",
    "names",
    "attributes",
    "memberships",
    "successions",
    "populations",
    "policy_events",
    "postcode_districts",
    "editions",  # checked by the build (scripts/dbbuild/editions.py), not written to the database
)
DERIVED_SOURCE = {
    "source": "derived_events",
    "title": "Derived: event list and national summaries",
    "publisher": "ics (derived)",
    "edition": "",
    "licence": "Open Government Licence v3.0 (derived)",
    "url": "",
    "file": "scripts/dbbuild/derive.py",
    "note": "Generated from the organisations, successions, names and codes tables; counts per date.",
}


# Tables stored WITHOUT ROWID, in the order of a natural key (validate.check_clustered_keys: its
# columns are never empty and together unique). The CLI reads each by the key's first columns.
CLUSTERED = validate.CLUSTERED_KEYS


def read_sources(folder: Path) -> dict[str, list[dict]]:
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            raise SystemExit(f"Error: {path} is missing; run scripts/import_sources.py (needs ../shared/sources).")
        with open(path, encoding="utf-8", newline="") as fh:
            tables[name] = list(csv.DictReader(fh))
    return tables


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in TABLES:
        digest.update(name.encode())
        digest.update((folder / f"{name}.csv").read_bytes())
    return digest.hexdigest()


def data_end(t: dict[str, list[dict]]) -> str:
    """The latest day the data speaks for: the newest reference date or start in the sources."""
    days = [r["date"] for r in t["populations"]]
    days += [r["start"] for table in ("orgs", "memberships", "codes", "names") for r in t[table] if r["start"]]
    return max(days)


def nullify(row: dict, cols=("start", "end", "share")) -> dict:
    return {k: (None if k in cols and v == "" else v) for k, v in row.items()}


def write_db(path: Path, t: dict[str, list[dict]], meta: dict[str, str]) -> None:
    db = sqlite_utils.Database(sqlite3.connect(path))
    db.conn.execute("PRAGMA journal_mode = DELETE")
    db.conn.execute("PRAGMA page_size = 4096")
    summaries = derive.org_summaries(t)
    events, event_orgs = derive.events(t, summaries)
    t_sources = sorted(t["sources"] + [DERIVED_SOURCE], key=lambda r: r["source"])

    def create(name, columns, pk=None, fks=(), rows=(), indexes=(), not_null=(), clustered=None):
        table = db[name]
        if clustered:
            # sqlite-utils cannot declare WITHOUT ROWID. A table with a natural key (NOT NULL
            # columns, unique: validate.check_clustered_keys) is stored in key order, the key being
            # the clustered index: no rowid b-tree and no separate index on the key's first column.
            types = {str: "TEXT", int: "INTEGER", float: "REAL"}
            cols = [f"[{c}] {types[t]}" + (" NOT NULL" if c in clustered or c in not_null else "") for c, t in columns.items()]
            cols.append(f"PRIMARY KEY ({', '.join(f'[{c}]' for c in clustered)})")
            cols += [f"FOREIGN KEY([{c}]) REFERENCES [{other}]([{ocol}])" for c, other, ocol in fks]
            db.execute(f"CREATE TABLE [{name}] (\n   {', '.join(cols)}\n) WITHOUT ROWID, STRICT")
        else:
            table.create(columns, pk=pk, foreign_keys=list(fks), not_null=set(not_null), strict=True)
        table.insert_all(rows, batch_size=5000)
        for idx in indexes:
            table.create_index(list(idx), find_unique_name=True)

    create("meta", {"key": str, "value": str}, pk="key", rows=[{"key": k, "value": v} for k, v in sorted(meta.items())])
    create(
        "sources",
        {c: str for c in ("source", "title", "publisher", "edition", "licence", "url", "file", "note")},
        pk="source",
        rows=t_sources,
    )
    create(
        "orgs",
        {
            "org_id": str,
            "kind": str,
            "code": str,
            "ons_code": str,
            "name": str,
            "short_name": str,
            "start": str,
            "end": str,
            "source": str,
        },
        fks=[("source", "sources", "source")],
        rows=summaries,
        clustered=CLUSTERED["orgs"],
        # Lists by kind read start and end from the table anyway: the index holds the kind alone.
        indexes=[("kind",)],
        not_null=("kind", "code", "name"),
    )
    org_fk = ("org_id", "orgs", "org_id")
    src_fk = ("source", "sources", "source")
    # Codes, names and attributes are read by organisation (and scheme or type): clustered on it.
    create(
        "codes",
        {"org_id": str, "scheme": str, "code": str, "start": str, "end": str, "source": str},
        fks=[org_fk, src_fk],
        rows=[nullify(r) for r in t["codes"]],
        clustered=CLUSTERED["codes"],
    )
    create(
        "names",
        {"org_id": str, "name": str, "type": str, "start": str, "end": str, "source": str},
        fks=[org_fk, src_fk],
        rows=[nullify(r) for r in t["names"]],
        clustered=CLUSTERED["names"],
    )
    create(
        "attributes",
        {"org_id": str, "key": str, "value": str, "start": str, "end": str, "source": str},
        fks=[org_fk, src_fk],
        rows=[nullify(r) for r in t["attributes"]],
        clustered=CLUSTERED["attributes"],
    )
    create(
        "memberships",
        {"child_id": str, "parent_id": str, "relation": str, "start": str, "end": str, "share": float, "source": str},
        fks=[("child_id", "orgs", "org_id"), ("parent_id", "orgs", "org_id"), src_fk],
        rows=[nullify(r) for r in t["memberships"]],
        clustered=CLUSTERED["memberships"],
        # A covering index down the hierarchy (member lists and counts read only the index).
        indexes=[("parent_id", "relation", "child_id", "start", "end")],
    )
    create(
        "successions",
        {"predecessor_id": str, "successor_id": str, "date": str, "type": str, "share": float, "note": str, "source": str},
        fks=[("predecessor_id", "orgs", "org_id"), ("successor_id", "orgs", "org_id"), src_fk],
        rows=[nullify({**r, "note": r["note"] or None}) for r in t["successions"]],
        indexes=[("predecessor_id",), ("successor_id",)],
    )
    create(
        "populations",
        {"org_id": str, "measure": str, "sex": str, "age": str, "value": int, "date": str, "source": str},
        fks=[org_fk, src_fk],
        rows=[{**r, "value": int(r["value"])} for r in t["populations"]],
        clustered=CLUSTERED["populations"],
    )
    create(
        "events",
        {"event_id": int, "date": str, "kind": str, "scope": str, "title": str, "detail": str, "source": str},
        pk="event_id",
        fks=[src_fk],
        rows=events,
        indexes=[("scope", "date")],
    )
    create(
        "event_orgs",
        {"event_id": int, "org_id": str},
        fks=[("event_id", "events", "event_id"), org_fk],
        rows=event_orgs,
        indexes=[("org_id",), ("event_id",)],
    )
    create(
        "policy_events",
        {"date": str, "precision": str, "kind": str, "title": str, "detail": str, "org_ids": str, "source": str},
        fks=[src_fk],
        rows=t["policy_events"],
    )
    create(
        "postcode_districts",
        {"district": str, "org_id": str, "start": str, "end": str, "source": str},
        fks=[org_fk, src_fk],
        rows=[nullify(r) for r in t["postcode_districts"]],
        clustered=CLUSTERED["postcode_districts"],
    )
    create(
        "lookup",
        {"key": str, "org_id": str, "start": str, "end": str, "via": str},
        fks=[org_fk],
        rows=derive.lookup_keys(t),
        indexes=[("key",)],
    )
    create(
        "org_search",
        {"org_id": str, "kind": str, "name": str, "text": str},
        pk="org_id",
        fks=[org_fk],
        rows=derive.search_rows(t, summaries),
    )
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
    problems = validate.validate(t, end)
    if problems:
        print(f"Error: the data breaks {len(problems)} invariant(s); no database written.", file=sys.stderr)
        for p in problems[:200]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 200:
            print(f"  ... and {len(problems) - 200} more", file=sys.stderr)
        return 1
    meta = {
        "schema_version": SCHEMA_VERSION,
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
