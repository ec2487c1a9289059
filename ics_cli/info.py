"""`ics info` and `ics --version`: the tool's version, the data's coverage, its sources and how
many organisations of each kind it holds."""

from __future__ import annotations

from typing import Any

from ics_cli import __version__, db


def data_vintage() -> str:
    """The data's vintage: the last day it covers (``data_end``, written by scripts/build_db.py),
    made safe for a terminal (``--version`` prints it as it is)."""
    from ics_cli.safetext import cut

    return cut(db.meta().get("data_end") or "unknown")


def info() -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    """The record and its sections (panel title, keys) for a terminal."""
    from ics_cli import dates, queries

    meta = db.meta()
    record: dict[str, Any] = {"version": __version__}
    record.update((k, v) for k, v in meta.items() if k not in record)
    # db.connect refuses a database without every table in db.TABLES (orgs and sources among them).
    day = dates.coverage()[1]
    record["organisations"] = queries.kind_counts(day)
    record["sources"] = queries.all_sources()
    sections = [
        ("Tool", "version"),
        ("Data", *meta),
        (f"Organisations (in the data; existing on {day})", "organisations"),
        ("Sources", "sources"),
    ]
    return record, sections
