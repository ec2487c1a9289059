"""Invariants the database must satisfy. Each check returns a list of problems (rule + offending
rows); the build refuses to write a database while any check reports one."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable

from importers.common import OPEN, day_after
from importers.common import end_or_open as end

from dbbuild import practice_checks

# Expected counts on given days, with the file that gives each (all ONS or NHS England editions).
EXPECTED_COUNTS = [
    ("ccg", "2013-04-01", 211, "ONS CCG names and codes April 2013"),
    ("ccg", "2015-04-01", 209, "ODS successors (13T from 00F, 00G, 00H)"),
    ("ccg", "2017-04-01", 207, "ODS successors (14L from 00W, 01M, 01N)"),
    ("ccg", "2018-04-01", 195, "NHSPD CCG names and codes as at 04_18"),
    ("ccg", "2019-04-01", 191, "ONS CCG19 to STP19 lookup"),
    ("ccg", "2020-04-01", 135, "ONS CCG names and codes April 2020"),
    ("ccg", "2021-04-01", 106, "ONS CCG21 to STP21 to NHSER21 lookup"),
    ("ccg", "2022-07-01", 0, "CCGs abolished by the Health and Care Act 2022"),
    ("stp", "2016-04-01", 44, "ONS Code History Database E54"),
    ("stp", "2017-04-01", 44, "ONS Code History Database E54"),
    ("stp", "2018-04-01", 42, "ONS Code History Database E54"),
    ("stp", "2019-04-01", 42, "ONS CCG19 to STP19 lookup"),
    ("stp", "2020-04-01", 42, "ONS STP20 to NHSER20 lookup"),
    ("stp", "2021-04-01", 42, "ONS CCG21 to STP21 lookup"),
    ("stp", "2022-07-01", 0, "STPs replaced by statutory ICSs"),
    ("region", "2013-04-01", 4, "ONS CCG13 to NHSAT13 to NHSCR13 lookup"),
    ("region", "2018-04-01", 5, "ONS Code History Database E40"),
    ("area_team", "2013-04-01", 25, "ONS NHS area team names and codes April 2013"),
]
# English local authority districts (lower-tier and unitary; la orgs keyed by an E06-E09 GSS code)
# alive on given days: ONS LAD names and codes (326 from 2009 to March 2019; the 2019, 2020, 2021
# and 2023 reorganisations in data/curated/la_changes.csv; 309 in the LSOA lookups of 2021-22,
# 296 in LAD23).
EXPECTED_DISTRICTS = [
    ("2013-04-01", 326),
    ("2019-03-31", 326),
    ("2019-04-01", 317),
    ("2020-03-31", 317),
    ("2020-04-01", 314),
    ("2021-03-31", 314),
    ("2021-04-01", 309),
    ("2023-03-31", 309),
    ("2023-04-01", 296),
]
DISTRICT_PREFIXES = ("la:E06", "la:E07", "la:E08", "la:E09")
# Counts that must hold on every day of a range.
EXPECTED_RANGES = [
    ("icb", "2022-07-01", "2026-03-31", 42, "ONS ICB lookups July 2022, April 2023, April 2024"),
    ("icb", "2026-04-01", None, 36, "NHS England GP registration mapping, August 2026"),
    ("sub_icb", "2022-07-01", None, 106, "ONS SICBL lookups and NHS England August 2026 mapping"),
    ("region", "2019-04-01", None, 7, "ONS NHSER lookups 2020-2024"),
]
# England totals of the population sources (checked facts in the geography MANIFEST; Census 2021:
# the sum of the 33,755 English LSOA rows of Nomis TS007A), each checked for the kinds that tile
# England once (census_2021 is also given for the ICBs of both April 2023 and April 2026).
EXPECTED_TOTALS = {
    ("ons_mid_year_estimate", "2022-06-30"): (57_106_398, ("region", "icb", "sub_icb")),
    ("gp_registered_patients", "2026-08-01"): (63_237_908, ("region", "icb", "sub_icb")),
    ("census_2021", "2021-03-21"): (56_490_091, ("sub_icb", "ccg", "la")),
}
# Organisations whose kinds may have more than one parent of one kind on a day (none for
# part_of); other relations (overlaps, partner, hq_in) are many-to-many by nature.
SINGLE_PARENT_RELATIONS = {"part_of"}


def is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
        return len(value) == 10
    except (TypeError, ValueError):
        return False


def alive_on(orgs: dict[str, dict], kind: str, day: str) -> list[str]:
    return [o for o, r in orgs.items() if r["kind"] == kind and (r["start"] or "") <= day <= end(r["end"])]


def check_keys(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    orgs = {r["org_id"] for r in t["orgs"]}
    sources = {r["source"] for r in t["sources"]}
    refs = [
        ("codes", "org_id"),
        ("names", "org_id"),
        ("attributes", "org_id"),
        ("memberships", "child_id"),
        ("memberships", "parent_id"),
        ("successions", "predecessor_id"),
        ("successions", "successor_id"),
        ("populations", "org_id"),
        ("postcode_districts", "org_id"),
    ]
    for table, col in refs:
        missing = sorted({r[col] for r in t[table] if r[col] not in orgs})
        if missing:
            problems.append(f"{table}.{col} names organisations not in orgs: {missing[:20]}{' ...' if len(missing) > 20 else ''}")
    for row in t["policy_events"]:
        for oid in row["org_ids"].split():
            if oid not in orgs:
                problems.append(f"policy_events on {row['date']} names unknown organisation {oid}")
    for table, rows in t.items():
        bad = sorted({r["source"] for r in rows if "source" in r and r["source"] not in sources})
        if bad:
            problems.append(f"{table}.source not in sources: {bad}")
    dupes = [o for o, n in Counter(r["org_id"] for r in t["orgs"]).items() if n > 1]
    if dupes:
        problems.append(f"orgs: duplicate org_id {dupes[:20]}")
    return problems


# The database stores these tables WITHOUT ROWID, clustered on these natural keys (build_db.py):
# each key's columns must be non-empty and together unique. (orgs: built from the organisations'
# summaries, one per org_id, checked by check_keys.)
CLUSTERED_KEYS = {
    "orgs": ("org_id",),
    "codes": ("org_id", "scheme", "code"),
    "names": ("org_id", "type", "name"),
    "attributes": ("org_id", "key", "value"),
    "memberships": ("child_id", "relation", "parent_id", "start"),
    "populations": ("org_id", "measure", "date", "sex", "age"),
    "postcode_districts": ("district", "org_id", "start"),
}


def check_clustered_keys(t: dict[str, list[dict]]) -> list[str]:
    """Each table the database clusters on a natural key has that key filled in and unique (an
    organisation that took back an earlier name would need the key widened)."""
    problems = []
    for table, key in CLUSTERED_KEYS.items():
        seen = Counter()
        for row in t[table]:
            values = tuple(row[c] for c in key)
            if any(v in ("", None) for v in values):
                problems.append(f"{table}: empty {'/'.join(c for c, v in zip(key, values) if v in ('', None))} in {row}")
            seen[values] += 1
        dupes = [k for k, n in seen.items() if n > 1]
        for k in sorted(dupes)[:20]:
            problems.append(f"{table}: {seen[k]} rows share the key ({', '.join(key)}) = {k}")
    return problems


def check_dates(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    for table in ("orgs", "codes", "names", "attributes", "memberships", "postcode_districts"):
        for row in t[table]:
            s, e = row["start"], row["end"]
            if (s and not is_date(s)) or (e and not is_date(e)):
                problems.append(f"{table}: malformed date in {row}")
            elif s and e and e < s:
                problems.append(f"{table}: ends before it starts: {row}")
    for table in ("successions", "populations", "policy_events"):
        for row in t[table]:
            if not is_date(row["date"]):
                problems.append(f"{table}: malformed date in {row}")
    return problems


def check_within_lifetimes(t: dict[str, list[dict]]) -> list[str]:
    """Every code, name, attribute, membership and postcode district interval lies inside its
    organisations' lifetimes."""
    problems = []
    orgs = {r["org_id"]: r for r in t["orgs"]}

    def inside(oid: str, s: str, e: str) -> bool:
        o = orgs.get(oid)
        return o is not None and (o["start"] or "") <= (s or "") and end(e) <= end(o["end"])

    for table in ("codes", "names", "attributes", "postcode_districts"):
        for row in t[table]:
            if not inside(row["org_id"], row["start"], row["end"]):
                problems.append(f"{table}: interval outside the lifetime of {row['org_id']}: {row}")
    for row in t["memberships"]:
        for col in ("child_id", "parent_id"):
            if not inside(row[col], row["start"], row["end"]):
                problems.append(f"memberships: interval outside the lifetime of {row[col]}: {row}")
    return problems


def check_counts(t: dict[str, list[dict]], data_end: str) -> list[str]:
    problems = []
    orgs = {r["org_id"]: r for r in t["orgs"]}
    for kind, day, expected, source in EXPECTED_COUNTS:
        n = len(alive_on(orgs, kind, day))
        if n != expected:
            problems.append(f"{n} {kind} organisations on {day}, expected {expected} ({source})")
    districts = {o: r for o, r in orgs.items() if o.startswith(DISTRICT_PREFIXES)}
    for day, expected in EXPECTED_DISTRICTS:
        n = len(alive_on(districts, "la", day))
        if n != expected:
            problems.append(f"{n} local authority districts on {day}, expected {expected} (ONS LAD names and codes)")
    for kind, first, last, expected, source in EXPECTED_RANGES:
        last = last or data_end
        # The count only changes where some organisation of the kind starts or ends.
        days = {first, last}
        for r in orgs.values():
            if r["kind"] != kind:
                continue
            for d in (r["start"], r["end"]):
                if d and first <= d <= last:
                    days.add(d)
            if r["end"] and first <= r["end"] < last:
                days.add(day_after(r["end"]))
        for day in sorted(days):
            n = len(alive_on(orgs, kind, day))
            if n != expected:
                problems.append(
                    f"{n} {kind} organisations on {day}, expected {expected} every day from {first} to {last} ({source})"
                )
    return problems


def check_single_parent(t: dict[str, list[dict]]) -> list[str]:
    """No organisation sits in two parents of the same kind on the same day (part_of)."""
    problems = []
    kind = {r["org_id"]: r["kind"] for r in t["orgs"]}
    groups = defaultdict(list)
    for r in t["memberships"]:
        if r["relation"] in SINGLE_PARENT_RELATIONS:
            groups[(r["child_id"], kind.get(r["parent_id"]))].append(r)
    for (child, parent_kind), rows in groups.items():
        rows = sorted(rows, key=lambda r: r["start"] or "")
        for a, b in zip(rows, rows[1:]):
            if (b["start"] or "") <= end(a["end"]) and a["parent_id"] != b["parent_id"]:
                problems.append(
                    f"{child} is part of two {parent_kind}s at once: {a['parent_id']} ({a['start']}..{a['end']}) "
                    f"and {b['parent_id']} ({b['start']}..{b['end']})"
                )
            elif (b["start"] or "") <= end(a["end"]):
                problems.append(f"{child} has overlapping part_of rows for {a['parent_id']}: {a} / {b}")
    return problems


def check_postcode_districts(t: dict[str, list[dict]]) -> list[str]:
    """A postcode district touches a sub-ICB location through one row at a time."""
    spans = defaultdict(list)
    for r in t["postcode_districts"]:
        spans[(r["district"], r["org_id"])].append((r["start"] or "", end(r["end"])))
    problems = []
    for key, rows in sorted(spans.items()):
        rows.sort()
        for (s1, e1), (s2, e2) in zip(rows, rows[1:]):
            if s2 <= e1:
                problems.append(f"postcode_districts: {key[0]} -> {key[1]} has overlapping rows ({s1}..{e1}, {s2}..{e2})")
    return problems


def check_parents_through_pcns(t: dict[str, list[dict]]) -> list[str]:
    """A practice reaches its CCG or sub-ICB location directly and through its PCN: on any day, the
    two must agree (else the practice is in two parents of one kind on one day), except in a PCN
    that crosses a boundary, whose parent is then the own CCG or sub-ICB location of another of its
    member practices that day. A PCN's parent that none of its practices is in is always wrong."""
    kind = {r["org_id"]: r["kind"] for r in t["orgs"]}
    own = defaultdict(list)  # (practice, parent kind) -> [(start, end, parent)]
    pcn_of = defaultdict(list)  # practice -> [(start, end, pcn)]
    members = defaultdict(list)  # pcn -> [(start, end, practice)]
    pcn_parent = defaultdict(list)  # pcn -> [(start, end, parent)]
    for r in t["memberships"]:
        if r["relation"] != "part_of":
            continue
        c, p, span = r["child_id"], r["parent_id"], (r["start"] or "", end(r["end"]))
        ck, pk = kind.get(c), kind.get(p)
        if ck == "practice" and pk in ("ccg", "sub_icb"):
            own[(c, pk)].append((*span, p))
        elif ck == "practice" and pk == "pcn":
            pcn_of[c].append((*span, p))
            members[p].append((*span, c))
        elif ck == "pcn" and pk in ("ccg", "sub_icb"):
            pcn_parent[c].append((*span, p))

    def at(rows, day):
        return [x for s, e, x in rows if s <= day <= e]

    problems = []
    for practice, spans in sorted(pcn_of.items()):
        for s1, e1, pcn in spans:
            for s2, e2, parent in pcn_parent.get(pcn, []):
                pk = kind[parent]
                s, e = max(s1, s2), min(e1, e2)
                if s > e:
                    continue
                # The answer can only change where some practice's row starts or ends.
                days = {s}
                for _, _, m in members[pcn]:
                    for a, b, _ in own.get((m, pk), []) + pcn_of[m]:
                        for d in (a, day_after(b) if b != OPEN else None):
                            if d and s < d <= e:
                                days.add(d)
                for day in sorted(days):
                    mine = at(own.get((practice, pk), []), day)
                    if not mine or parent in mine:
                        continue
                    others = {x for m in at(members[pcn], day) for x in at(own.get((m, pk), []), day)}
                    if parent not in others:
                        problems.append(
                            f"{practice} is part of {mine[0]} and, through {pcn}, of {parent} on {day} "
                            f"(no practice of {pcn} is in {parent} that day)"
                        )
                        break
    return problems


def check_parents_present(t: dict[str, list[dict]], data_end: str) -> list[str]:
    """Every ICB has a region, every sub-ICB location an ICB, and every CCG an STP (from April 2016),
    on every day of its life."""
    problems = []
    kind = {r["org_id"]: r["kind"] for r in t["orgs"]}
    cover = defaultdict(list)
    for r in t["memberships"]:
        if r["relation"] == "part_of":
            cover[(r["child_id"], kind[r["parent_id"]])].append((r["start"] or "", end(r["end"])))
    for org in t["orgs"]:
        need = {"icb": "region", "sub_icb": "icb", "ccg": "stp"}.get(org["kind"])
        if not need:
            continue
        spans = sorted(cover.get((org["org_id"], need), []))
        # STPs began on 2016-04-01: a CCG needs one from then on.
        day = max(org["start"], "2016-04-01") if need == "stp" else org["start"]
        for s, e in spans:
            if s > day:
                break
            day = max(day, day_after(e) if e != OPEN else OPEN)
        if day != OPEN and day <= min(end(org["end"]), data_end):
            problems.append(f"{org['org_id']} has no {need} on {day}")
    return problems


def check_successions(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    orgs = {r["org_id"]: r for r in t["orgs"]}
    graph = defaultdict(set)
    for r in t["successions"]:
        p, s = orgs[r["predecessor_id"]], orgs[r["successor_id"]]
        graph[r["predecessor_id"]].add(r["successor_id"])
        if r["predecessor_id"] == r["successor_id"]:
            problems.append(f"successions: an organisation succeeds itself: {r}")
        if not ((s["start"] or "") <= r["date"] <= end(s["end"])):
            problems.append(f"successions: successor {s['org_id']} not alive on {r['date']}: {r}")
        if (p["start"] or "") >= r["date"]:
            problems.append(f"successions: predecessor {p['org_id']} starts on or after {r['date']}: {r}")
        if r["type"] in ("merger", "split") and end(p["end"]) >= r["date"]:
            problems.append(f"successions: {r['type']} but predecessor {p['org_id']} carries on after {r['date']}: {r}")
        if r["share"] and not (0 < float(r["share"]) <= 1):
            problems.append(f"successions: share out of range: {r}")
    # No cycles: depth-first search with colours.
    colour = {}

    def visit(node: str, path: list[str]) -> None:
        colour[node] = "grey"
        for nxt in sorted(graph[node]):
            if colour.get(nxt) == "grey":
                problems.append(f"successions: cycle {' -> '.join(path + [node, nxt])}")
            elif nxt not in colour:
                visit(nxt, path + [node])
        colour[node] = "black"

    for node in sorted(graph):
        if node not in colour:
            visit(node, [])
    return problems


# Kinds whose every organisation that ended was succeeded by another (an abolished district by the
# unitary or district it merged into, a CCG by its successor or sub-ICB location, ...). Area teams
# and local offices are not here: the last local offices were abolished in 2020 without successors.
SUCCEEDED_KINDS = ("region", "stp", "icb", "ccg", "sub_icb", "la")


def check_successors_recorded(t: dict[str, list[dict]], data_end: str) -> list[str]:
    """Every organisation of SUCCEEDED_KINDS that ended within the data has a recorded successor
    from the day after its end."""
    steps = {(r["predecessor_id"], r["date"]) for r in t["successions"]}
    problems = []
    for org in t["orgs"]:
        if org["kind"] in SUCCEEDED_KINDS and org["end"] and org["end"] < data_end:
            if (org["org_id"], day_after(org["end"])) not in steps:
                problems.append(f"{org['org_id']} ended on {org['end']} with no successor recorded from {day_after(org['end'])}")
    return problems


def check_populations(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    kind = {r["org_id"]: r["kind"] for r in t["orgs"]}
    sums = Counter()
    for r in t["populations"]:
        if r["sex"] == "all" and r["age"] == "all":
            sums[(r["measure"], r["date"], kind[r["org_id"]])] += int(r["value"])
    for (measure, day), (total, kinds) in EXPECTED_TOTALS.items():
        for k in kinds:
            got = sums.get((measure, day, k))
            if got != total:
                problems.append(f"populations: {measure} ({day}) summed over {k}s is {got}, expected the England total {total:,}")
    # Sex totals add up to the all-persons figure for every organisation.
    by_org = defaultdict(dict)
    for r in t["populations"]:
        if r["age"] == "all":
            by_org[(r["org_id"], r["measure"], r["date"])][r["sex"]] = int(r["value"])
    for key, v in by_org.items():
        if {"female", "male", "all"} <= set(v) and v["female"] + v["male"] != v["all"]:
            problems.append(f"populations: female + male != all for {key}: {v}")
    return problems


def check_names(t: dict[str, list[dict]]) -> list[str]:
    """Every organisation has an official name on every day of its life."""
    problems = []
    spans = defaultdict(list)
    for r in t["names"]:
        if r["type"] == "official":
            spans[r["org_id"]].append((r["start"] or "", end(r["end"])))
    for org in t["orgs"]:
        day = org["start"] or ""
        for s, e in sorted(spans.get(org["org_id"], [])):
            if s > day:
                break
            day = max(day, day_after(e) if e != OPEN else OPEN)
        if day != OPEN and day <= end(org["end"]):
            problems.append(f"{org['org_id']} has no official name on {day or 'its first day'}")
    return problems


def all_checks(data_end: str) -> list[tuple[str, Callable]]:
    return [
        ("keys", check_keys),
        ("clustered keys", check_clustered_keys),
        ("dates", check_dates),
        ("lifetimes", check_within_lifetimes),
        ("counts", lambda t: check_counts(t, data_end)),
        ("single parent", check_single_parent),
        ("single parent through PCNs", check_parents_through_pcns),
        ("postcode districts", check_postcode_districts),
        ("parents present", lambda t: check_parents_present(t, data_end)),
        ("successions", check_successions),
        ("successors recorded", lambda t: check_successors_recorded(t, data_end)),
        ("practices in one CCG", practice_checks.check_one_ccg_every_day),
        ("editions agree", practice_checks.check_editions_agree),
        ("CCGs hold practices", practice_checks.check_ccgs_hold_practices),
        ("populations", check_populations),
        ("names", check_names),
    ]


def validate(t: dict[str, list[dict]], data_end: str) -> list[str]:
    problems = []
    for label, check in all_checks(data_end):
        found = check(t)
        problems.extend(f"[{label}] {p}" for p in found)
    return problems
