"""The importers' toolkit: dates and intervals, dated runs of values across editions, the row
builders (``Tables``), readers for raw files, and the writer of the tidy CSVs.

Every importer module exposes ``run(shared: Path, ...) -> Tables`` and returns rows for the tables
of ``schema.CSV_TABLES`` (dicts keyed by the column names), built with the ``Tables`` methods;
it names each row's source by id (described in data/curated/importer_sources.csv).
``scripts/import_sources.py`` merges what all importers return, and ``write_tables`` checks the
columns, sorts, and writes ``data/sources/<table>.csv``.

Conventions (see data/README.md):
- org ids are ``<kind>:<key>``; key is the ODS code where the organisation has one, else its ONS code.
- dates are ISO ``YYYY-MM-DD``; ``start`` is the first day, ``end`` the last day (inclusive);
  an empty ``end`` means still current.
- every row names its ``source`` (an id in sources.csv).

This module is also the one home of the date and succession helpers that the build side
(scripts/dbbuild) shares with the importers: ``OPEN``, ``DATA_START``, ``day_before``,
``day_after``, ``end_or_open``, ``clip``, ``merge_intervals`` and ``succession_type``.

Dated runs: ``runs`` merges (start, end, value, source) observations of one thing into runs of
one value; ``edition_runs`` reads editions of a file (each valid from its date until the next)
that way, and ``edition_runs_by_key`` does so for every key of editions of a lookup.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from schema import CSV_TABLES, KINDS

V = TypeVar("V")
S = TypeVar("S")

OPEN = "9999-12-31"  # stands in for an empty end (still current) when comparing dates
DATA_START = "2013-04-01"  # the data's coverage starts with the 2012 Act's commissioning system


class Tables(defaultdict):
    """Rows by table name, each row built by the method for its table (the columns of
    scripts/schema.py). Intervals are (start, end) as in data/README.md."""

    def __init__(self):
        super().__init__(list)

    def org(self, oid: str, kind: str, start: str, end: str, source: str) -> None:
        self["orgs"].append({"org_id": oid, "kind": kind, "start": start, "end": end, "source": source})

    def code(self, oid: str, scheme: str, code: str, start: str, end: str, source: str) -> None:
        self["codes"].append({"org_id": oid, "scheme": scheme, "code": code, "start": start, "end": end, "source": source})

    def name(self, oid: str, name: str, start: str, end: str, source: str, type_: str = "official") -> None:
        self["names"].append({"org_id": oid, "name": name, "type": type_, "start": start, "end": end, "source": source})

    def attr(self, oid: str, key: str, value: str, start: str, end: str, source: str) -> None:
        self["attributes"].append({"org_id": oid, "key": key, "value": value, "start": start, "end": end, "source": source})

    def member(self, child: str, parent: str, relation: str, start: str, end: str, source: str, share: str = "") -> None:
        row = {"child_id": child, "parent_id": parent, "relation": relation, "start": start, "end": end}
        self["memberships"].append({**row, "share": share, "source": source})

    def succession(self, pred: str, succ: str, date: str, type_: str, source: str, share: str = "", note: str = "") -> None:
        row = {"predecessor_id": pred, "successor_id": succ, "date": date, "type": type_}
        self["successions"].append({**row, "share": share, "note": note, "source": source})

    def postcode_district(self, district: str, oid: str, start: str, end: str, source: str) -> None:
        self["postcode_districts"].append({"district": district, "org_id": oid, "start": start, "end": end, "source": source})

    def population(
        self,
        oid: str,
        measure: str,
        value: int,
        date: str,
        source: str,
        sex: str = "all",
        age: str = "all",
        start: str = "",
        end: str = "",
    ) -> None:
        """A figure (`date`: its reference date) for the organisation as it was from `start` to
        `end`: the area it had then (see importers/area_populations.py); a figure with no start
        is given its organisation's lifetime by area_populations.complete_spans."""
        row = {"org_id": oid, "measure": measure, "sex": sex, "age": age, "value": value, "date": date}
        self["populations"].append({**row, "start": start, "end": end, "source": source})

    def edition(self, source: str, date: str, oid: str, parent: str) -> None:
        self["editions"].append({"source": source, "date": date, "org_id": oid, "parent_id": parent})


def empty_tables() -> Tables:
    return Tables()


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
    for table, spec in CSV_TABLES.items():
        columns = spec.csv_columns
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


def uncovered(start: str, end: str, covered: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parts of [start, end] (an empty end: open) outside the covered intervals."""
    out, day = [], start
    for s, e in merge_intervals(covered):
        if (e or OPEN) < day:
            continue
        if (s or "") > (end or OPEN):
            break
        if (s or "") > day:
            out.append((day, day_before(s)))
        if not e or (end and e >= end):
            return out
        day = day_after(e)
    out.append((day, end))
    return out


def runs(observations: Iterable[tuple[str, str, V, S]]) -> list[tuple[str, str, V, S]]:
    """Observations (start, end, value, source) of one thing, in date order, as dated runs: one
    with the same value as the run before it that starts by the day after that run's end extends
    the run, which keeps its first source. An empty end is open."""
    out: list[tuple[str, str, V, S]] = []
    for start, end, value, source in observations:
        if out and out[-1][2] == value and (not out[-1][1] or start <= day_after(out[-1][1])):
            first, last, _, kept = out[-1]
            out[-1] = (first, "" if "" in (last, end) else max(last, end), value, kept)
        else:
            out.append((start, end, value, source))
    return out


def edition_runs(editions: Sequence[tuple[str, V | None, S]], start: str = "", end: str = "") -> list[tuple[str, str, V, S]]:
    """Editions (from, value, source) in date order, each value holding until the day before the
    next edition's date (the last one's until `end`), as runs (start, end, value, source) within
    [start, end]. A value None (not in that edition) holds nothing."""
    observations = []
    for i, (frm, value, source) in enumerate(editions):
        if value is not None:
            to = day_before(editions[i + 1][0]) if i + 1 < len(editions) else end
            observations.append((frm, to, value, source))
    out = []
    for s, e, value, source in runs(observations):
        span = clip(s, e, start, end)
        if span:
            out.append((*span, value, source))
    return out


def edition_runs_by_key(editions: list[dict], key: Callable[[dict], str], value: Callable[[dict], V]) -> dict[str, list]:
    """Editions of a lookup ({"date", "source", "rows"}, in date order) as runs of each key's
    value: edition_runs for every key (a key missing from an edition ended the day before it)."""
    keys = sorted({key(r) for ed in editions for r in ed["rows"]})
    per_key: dict[str, list] = {k: [] for k in keys}
    for ed in editions:
        values = {key(r): value(r) for r in ed["rows"]}
        for k in keys:
            per_key[k].append((ed["date"], values.get(k), ed["source"]))
    return {k: edition_runs(v) for k, v in per_key.items()}


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
