"""Hand-curated facts kept in data/curated/: the national policy timeline, organisation changes
that no machine-readable source records (STP footprint changes, the 2017 Cumbria split, local
government reorganisations), and the description of every source a row can name:
- sources.csv: the curated fact sets (curated_*);
- importer_sources.csv: the raw files the other importers read and the rules they derive rows by
  (an importer names a source by its id; the row describing it lives here, not in the code).
Both have the columns of the sources table (scripts/schema.py)."""

from __future__ import annotations

from pathlib import Path

from schema import CSV_TABLES

from .common import Tables, day_after, empty_tables, read_csv

CURATED = Path(__file__).resolve().parents[2] / "data" / "curated"


def la_changes() -> list[dict]:
    return read_csv(CURATED / "la_changes.csv")


def run(shared: Path) -> Tables:
    t = empty_tables()
    for table, file in (
        ("sources", "sources.csv"),
        ("sources", "importer_sources.csv"),
        ("policy_events", "policy_events.csv"),
        ("successions", "successions.csv"),
    ):
        for row in read_csv(CURATED / file):
            if list(row) != CSV_TABLES[table].csv_columns:
                raise ValueError(f"data/curated/{file}: columns {list(row)} are not {CSV_TABLES[table].csv_columns}")
            t[table].append(row)
    # 2019-2023: abolished districts merged, each as a whole, into a new unitary authority or district.
    for row in la_changes():
        if row["successor_code"] and row["end"]:
            pred, succ = f"la:{row['code']}", f"la:{row['successor_code']}"
            t.succession(pred, succ, day_after(row["end"]), "merger", "curated_la_changes", note=row["note"])
    return t
