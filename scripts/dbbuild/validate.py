"""Invariants the database must satisfy. Each check returns a list of problems (rule + offending
rows); the build refuses to write a database while any check reports one.

This module holds the entry point (``validate``) and the checks the schema drives
(scripts/schema.py: references, required columns and unique natural keys, vocabularies, dates,
lifetimes); dbbuild/expected.py checks counts and totals against the sources,
dbbuild/consistency.py the hierarchy, the successions and the names over time,
dbbuild/practice_checks.py the GP practices' and PCNs' CCG history against its editions, and
dbbuild/areas.py the small areas and the populations on the area of the day."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from dbbuild import areas, boundaries, consistency, expected, practice_checks
from importers.common import end_or_open as end
from schema import CSV_TABLES

ROOT = Path(__file__).resolve().parents[2]  # the repository: where a source's `file` may point


def is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
        return len(value) == 10
    except (TypeError, ValueError):
        return False


def check_references(t: dict[str, list[dict]]) -> list[str]:
    """Every foreign key of the schema (organisations, sources) names a row that exists, and so
    does every organisation a policy event lists."""
    problems = []
    for table in CSV_TABLES.values():
        for col, other, ocol in table.foreign_keys():
            known = {r[ocol] for r in t[other]}
            missing = sorted({r[col] for r in t[table.name] if r[col] not in known})
            if missing:
                more = " ..." if len(missing) > 20 else ""
                problems.append(f"{table.name}.{col} names rows not in {other}.{ocol}: {missing[:20]}{more}")
    orgs = {r["org_id"] for r in t["orgs"]}
    for row in t["policy_events"]:
        for oid in row["org_ids"].split():
            if oid not in orgs:
                problems.append(f"policy_events on {row['date']} names unknown organisation {oid}")
    return problems


def check_required(t: dict[str, list[dict]]) -> list[str]:
    """The columns the schema requires are filled in, and a table's natural key (on which the
    database clusters it, WITHOUT ROWID) is unique (an organisation that took back an earlier name
    would need the key widened)."""
    problems = []
    for table in CSV_TABLES.values():
        required = [c.name for c in table.columns if c.name in table.required and not c.derived]
        seen = Counter()
        for row in t[table.name]:
            empty = [c for c in required if row[c] in ("", None)]
            if empty:
                problems.append(f"{table.name}: empty {'/'.join(empty)} in {row}")
            if table.key:
                seen[tuple(row[c] for c in table.key)] += 1
        dupes = [k for k, n in seen.items() if n > 1]
        for k in sorted(dupes)[:20]:
            problems.append(f"{table.name}: {seen[k]} rows share the key ({', '.join(table.key)}) = {k}")
    return problems


def check_vocabularies(t: dict[str, list[dict]]) -> list[str]:
    """Kinds, relations, succession types and the other closed vocabularies of the schema."""
    problems = []
    for table in CSV_TABLES.values():
        for column in table.columns:
            if column.values:
                ok = (*column.values, "") if column.blank_is_null else column.values
                bad = Counter(r[column.name] for r in t[table.name] if r[column.name] not in ok)
                for value, n in sorted(bad.items()):
                    problems.append(f"{table.name}.{column.name}: {value!r} ({n} rows) is not one of {', '.join(column.values)}")
    return problems


def check_dates(t: dict[str, list[dict]]) -> list[str]:
    """Dates are ISO days; an interval (start, end: either may be blank) does not end before it starts."""
    problems = []
    for table in CSV_TABLES.values():
        columns = table.column_names
        for row in t[table.name]:
            if "start" in columns:
                s, e = row["start"], row["end"]
                if (s and not is_date(s)) or (e and not is_date(e)):
                    problems.append(f"{table.name}: malformed date in {row}")
                elif s and e and e < s:
                    problems.append(f"{table.name}: ends before it starts: {row}")
            if "date" in columns and not is_date(row["date"]):
                problems.append(f"{table.name}: malformed date in {row}")
    return problems


def check_within_lifetimes(t: dict[str, list[dict]]) -> list[str]:
    """Every interval that names an organisation (codes, names, attributes, memberships, postcode
    districts) lies inside that organisation's lifetime."""
    problems = []
    orgs = {r["org_id"]: r for r in t["orgs"]}

    def inside(oid: str, s: str, e: str) -> bool:
        o = orgs.get(oid)
        return o is not None and (o["start"] or "") <= (s or "") and end(e) <= end(o["end"])

    for table in CSV_TABLES.values():
        if table.name == "orgs" or "start" not in table.column_names:
            continue
        org_columns = [col for col, other, _ in table.foreign_keys() if other == "orgs"]
        for row in t[table.name]:
            for col in org_columns:
                if not inside(row[col], row["start"], row["end"]):
                    problems.append(f"{table.name}: interval outside the lifetime of {row[col]}: {row}")
    return problems


def source_file_problem(part: str, root: Path = ROOT) -> str | None:
    """Why one entry of a source's `file` (entries are separated by "; ") is not one a user can
    follow, or None. An entry is the file's name as published at the source's url (no "/"), or a
    path in this repository that exists (a curated file, or the script that applies a rule);
    never a path outside it (absolute, "..", "shared/", or a folder that is not in it)."""
    if part.startswith(("/", "\\", "~")) or (len(part) > 1 and part[1] == ":"):
        return "is an absolute path"
    if part == ".." or part.startswith(("../", "..\\")) or "/../" in part:
        return "points outside the repository (..)"
    if part.startswith("shared/"):
        return "names the raw files folder (shared/), which is not in the repository"
    if "/" in part and not (root / part).is_file():
        return "is a path that does not exist in the repository"
    return None


def check_provenance(t: dict[str, list[dict]]) -> list[str]:
    """Every source can be followed: an https url and a publisher, and a `file` (if any) that is the
    file's name as published or a path in this repository (source_file_problem)."""
    problems = []
    for row in t["sources"]:
        src, url = row["source"], row["url"].strip()
        if not url.startswith("https://") or any(c.isspace() for c in url):
            problems.append(f"source {src}: url {url!r} is not an https address")
        if not row["publisher"].strip():
            problems.append(f"source {src}: no publisher")
        for part in filter(None, (p.strip() for p in row["file"].split(";"))):
            why = source_file_problem(part)
            if why:
                problems.append(f"source {src}: file {part!r} {why}")
    return problems


def all_checks(data_end: str) -> list[tuple[str, Callable]]:
    return [
        ("references", check_references),
        ("provenance", check_provenance),
        ("required columns and natural keys", check_required),
        ("vocabularies", check_vocabularies),
        ("dates", check_dates),
        ("lifetimes", check_within_lifetimes),
        ("counts", lambda t: expected.check_counts(t, data_end)),
        ("single parent", consistency.check_single_parent),
        ("single parent through PCNs", consistency.check_parents_through_pcns),
        ("postcode districts", consistency.check_postcode_districts),
        ("parents present", lambda t: consistency.check_parents_present(t, data_end)),
        ("successions", consistency.check_successions),
        ("successors recorded", lambda t: consistency.check_successors_recorded(t, data_end)),
        ("practices in one CCG", practice_checks.check_one_ccg_every_day),
        ("editions agree", practice_checks.check_editions_agree),
        ("CCGs hold practices", practice_checks.check_ccgs_hold_practices),
        ("populations", expected.check_populations),
        ("small areas", lambda t: areas.check_blocks(t, data_end)),
        ("census counts", areas.check_census_counts),
        ("populations by day", areas.check_population_days),
        ("names", consistency.check_names),
        ("boundaries", boundaries.check_boundaries),
    ]


def validate(t: dict[str, list[dict]], data_end: str) -> list[str]:
    problems = []
    for label, check in all_checks(data_end):
        found = check(t)
        problems.extend(f"[{label}] {p}" for p in found)
    return problems
