#!/usr/bin/env python3
"""Step 1 of the data pipeline: read the raw public files in ../shared/sources (and the curated
facts in data/curated) and write the project's tidy CSVs to data/sources/.

    python scripts/import_sources.py [--shared PATH] [--out PATH]

The output is sorted and deterministic: running it twice gives the same bytes. Step 2 is
scripts/build_db.py, which reads only data/sources/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from importers import areas, boundaries, curated, geography, history, organisations, small_areas
from importers.area_populations import complete_spans
from importers.common import complete_shares, empty_tables, write_tables
from schema import CSV_TABLES

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--shared",
        type=Path,
        default=ROOT.parent / "shared" / "sources",
        help="folder of raw sources (default: ../shared/sources)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "sources", help="where to write the tidy CSVs")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(
            f"Error: raw sources not found at {args.shared}. The import needs ../shared/sources; "
            "the build (scripts/build_db.py) does not.",
            file=sys.stderr,
        )
        return 1
    started = time.perf_counter()
    tables = empty_tables()
    t0 = time.perf_counter()
    small = small_areas.build(args.shared, curated.la_changes())
    print(f"  small areas: {len(small.members):,} blocks ({time.perf_counter() - t0:.1f} s)")
    steps = (
        ("curated facts", lambda: curated.run(args.shared)),
        ("regions, area teams, CCGs, STPs", lambda: history.run(args.shared)),
        ("ICBs, sub-ICB locations, local authorities", lambda: geography.run(args.shared, curated.la_changes(), small)),
        # After the steps that write the areas' organisations and memberships, which it reads.
        ("LSOAs, blocks, sectors; areas' populations, overlaps, transitions", lambda: areas.run(args.shared, small, tables)),
        # Last: practices' earlier CCGs follow the successions the steps above found.
        ("trusts, practices, PCNs, partners", lambda: organisations.run(args.shared, tables["successions"])),
        # Last: areas are named by the codes, and unions made of the memberships, found above.
        ("boundaries", lambda: boundaries.run(args.shared, tables)),
    )
    for label, step in steps:
        t0 = time.perf_counter()
        part = step()
        for table, rows in part.items():
            if table not in CSV_TABLES:
                raise ValueError(f"{label}: unknown table {table}")
            tables[table].extend(rows)
        print(f"  {label}: {sum(len(r) for r in part.values()):,} rows ({time.perf_counter() - t0:.1f} s)")
    complete_shares(tables["successions"])
    complete_spans(tables)
    counts = write_tables(tables, args.out)
    for table, n in counts.items():
        print(f"  data/sources/{table}.csv: {n:,} rows")
    print(f"Imported in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
