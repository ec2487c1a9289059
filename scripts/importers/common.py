"""Shared helpers for the importers: the tidy-CSV schema, readers for raw files, and the writer.

Every importer module exposes ``run(shared: Path) -> Tables`` and returns rows for the tables
below (dicts keyed by the column names). ``scripts/import_sources.py`` merges what all importers
return, checks the columns, sorts, and writes ``data/sources/<table>.csv``.

Conventions (see data/README.md):
- org ids are ``<kind>:<key>``; key is the ODS code where the organisation has one, else its ONS code.
- dates are ISO ``YYYY-MM-DD``; ``start`` is the first day, ``end`` the last day (inclusive);
  an empty ``end`` means still current.
- every row names its ``source`` (an id in sources.csv).

This module is also the one home of the date and succession helpers that the build side
(scripts/dbbuild) shares with the importers: ``OPEN``, ``DATA_START``, ``day_before``,
``day_after``, ``end_or_open``, ``clip``, ``merge_intervals`` and ``succession_type``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

# Column order of every tidy CSV. The writer refuses rows with other keys.
SCHEMA: dict[str, list[str]] = {
    "sources": ["source", "title", "publisher", "edition", "licence", "url", "file", "note"],
    "orgs": ["org_id", "kind", "start", "end", "source"],
    "codes": ["org_id", "scheme", "code", "start", "end", "source"],
    "names": ["org_id", "name", "type", "start", "end", "source"],
    "attributes": ["org_id", "key", "value", "start", "end", "source"],
    "memberships": ["child_id", "parent_id", "relation", "start", "end", "share", "source"],
    "successions": ["predecessor_id", "successor_id", "date", "type", "share", "note", "source"],
    "populations": ["org_id", "measure", "sex", "age", "value", "date", "source"],
    "policy_events": ["date", "precision", "kind", "title", "detail", "org_ids", "source"],
    "postcode_districts": ["district", "org_id", "start", "end", "source"],
    # Build input only (not in the database): what each point-in-time edition says an
    # organisation's parent was on its day, for the build to check the history against.
    "editions": ["source", "date", "org_id", "parent_id"],
}

KINDS = ("region", "area_team", "stp", "icb", "ccg", "sub_icb", "la", "trust", "practice", "pcn")
RELATIONS = ("part_of", "hq_in", "partner", "overlaps")
SUCCESSION_TYPES = (
    "merger",  # several predecessors, one successor (each predecessor ends)
    "split",  # one predecessor, several successors (the predecessor ends)
    "boundary_transfer",  # part of an area moves; both sides may carry on
    "rename",  # same area, new name
    "recode",  # same organisation, new code (usually an ONS code after a boundary change)
    "became_sub_icb",  # a CCG carried on as a sub-ICB location on 2022-07-01
    "succeeded",  # official successor with no more detail (e.g. STP to ICB)
)

Tables = dict[str, list[dict]]

OPEN = "9999-12-31"  # stands in for an empty end (still current) when comparing dates
DATA_START = "2013-04-01"  # the data's coverage starts with the 2012 Act's commissioning system

# Frimley (D4U1Y) split on 2026-04-01, by district of the LSOA (see the derived_lsoa_census note).
FRIMLEY_2026 = {
    "Bracknell Forest": "U2G6B",
    "Slough": "U2G6B",
    "Windsor and Maidenhead": "U2G6B",
    "Hart": "D9Y0V",
    "Rushmoor": "D9Y0V",
    "Guildford": "92A",
    "Runnymede": "92A",
    "Surrey Heath": "92A",
    "Waverley": "92A",
}


def empty_tables() -> Tables:
    return defaultdict(list)


def org_id(kind: str, key: str) -> str:
    assert kind in KINDS, kind
    return f"{kind}:{key}"


def ods_date(value: str) -> str:
    """ODS dates are YYYYMMDD; return ISO or ''."""
    value = (value or "").strip()
    if not value:
        return ""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}"


def day_before(iso: str) -> str:
    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def day_after(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()


def end_or_open(end: str | None) -> str:
    """An interval's end for comparisons: an empty end (still current) sorts after every date."""
    return end or OPEN


def read_csv(path: Path, encoding: str = "utf-8-sig", header: bool = True) -> list:
    """Rows as dicts (header) or lists (headerless ODS files). Handles CR-only line endings."""
    text = path.read_bytes().decode(encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.DictReader(io.StringIO(text)) if header else csv.reader(io.StringIO(text))
    return [row for row in reader if row]


def read_zip_csv(path: Path, member: str | None = None, encoding: str = "utf-8-sig") -> Iterable[dict]:
    """Stream rows from a CSV inside a zip (the first member unless named)."""
    with zipfile.ZipFile(path) as zf:
        name = member or zf.namelist()[0]
        with zf.open(name) as fh:
            yield from csv.DictReader(io.TextIOWrapper(fh, encoding=encoding, newline=""))


def clean_name(name: str) -> str:
    return " ".join((name or "").split())


def title_case_ods(name: str) -> str:
    """ODS names are upper case; make a readable form that keeps NHS, ICB, CCG and the like."""
    keep_upper = {"NHS", "ICB", "CCG", "PCN", "UK", "GP", "CIC", "LLP", "LTD", "II", "III", "IV", "NE", "NW", "SE", "SW"}
    keep_lower = {"and", "of", "the", "on", "upon", "in", "for", "with", "at", "by", "de", "le"}
    words = clean_name(name).split(" ")
    out = []
    for i, word in enumerate(words):
        bare = word.strip("(),.&-'")
        if bare.upper() in keep_upper:
            out.append(word.upper())
        elif i > 0 and word.lower() in keep_lower:
            out.append(word.lower())
        elif any(ch.isdigit() for ch in word) and len(word) <= 6:
            out.append(word.upper())  # codes like "00L" inside names
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


def write_tables(tables: Tables, out_dir: Path) -> dict[str, int]:
    """Write every table as a sorted, UTF-8, LF CSV with the schema's column order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, columns in SCHEMA.items():
        rows = tables.get(table, [])
        normalised = []
        for row in rows:
            extra = set(row) - set(columns)
            if extra:
                raise ValueError(f"{table}: unexpected columns {sorted(extra)} in {row}")
            normalised.append(tuple("" if row.get(c) is None else str(row.get(c)) for c in columns))
        unique = sorted(set(normalised))
        if len(unique) != len(normalised):
            dupes = len(normalised) - len(unique)
            print(f"  note: {table}: dropped {dupes} exact duplicate rows")
        with open(out_dir / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(unique)
        counts[table] = len(unique)
    return counts


def source_row(
    source: str,
    title: str,
    publisher: str,
    edition: str,
    file: str,
    url: str = "",
    licence: str = "Open Government Licence v3.0",
    note: str = "",
) -> dict:
    return {
        "source": source,
        "title": title,
        "publisher": publisher,
        "edition": edition,
        "licence": licence,
        "url": url,
        "file": file,
        "note": note,
    }


def merge_intervals(intervals: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge overlapping or touching (start, end) intervals; '' as end means open."""
    merged: list[list[str]] = []
    for start, end in sorted((s, end_or_open(e)) for s, e in intervals):
        touching = merged and (merged[-1][1] == OPEN or start <= day_after(merged[-1][1]))
        if touching:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, "" if e == OPEN else e) for s, e in merged]


def clip(start: str, end: str, lo: str = "", hi: str = "") -> tuple[str, str] | None:
    """Intersect [start, end] with [lo, hi]. An empty start means before the data's coverage (or
    unknown and early), an empty end or hi means open. None when the intersection is empty."""
    s = max(start or "", lo or "")
    e = min(end_or_open(end), end_or_open(hi))
    if s and e < s:
        return None
    return s, ("" if e == OPEN else e)


def succession_type(pred: str, succ: str, edges: Iterable[tuple[str, str]], carries_on: bool = False) -> str:
    """Classify one predecessor -> successor step by the shape of all the steps on its date
    (`edges`: (predecessor, successor) pairs): one into several is a `split`, several into one a
    `merger`, one into one `succeeded`. A merger or split whose predecessor `carries_on` after the
    date gave away only part of itself: a `boundary_transfer`."""
    edges = set(edges)
    n_succ = sum(1 for p, _ in edges if p == pred)
    n_pred = sum(1 for _, s in edges if s == succ)
    kind = "split" if n_succ > 1 else "merger" if n_pred > 1 else "succeeded"
    if carries_on and kind in ("merger", "split"):
        return "boundary_transfer"
    return kind


def complete_shares(successions: list[dict]) -> None:
    """A predecessor that went wholly into one successor (a merger or a plain succession, with no
    other step that day) moved all of its population: record the share as 1 where it is blank."""
    steps = defaultdict(list)
    for r in successions:
        steps[(r["predecessor_id"], r["date"])].append(r)
    for rows in steps.values():
        if len(rows) == 1 and rows[0]["type"] in ("merger", "succeeded") and rows[0]["share"] in ("", None):
            rows[0]["share"] = "1.0000"
