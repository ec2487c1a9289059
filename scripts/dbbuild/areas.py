"""Invariants of the small areas and of the populations on the area of the day:

- every block is in exactly one CCG or sub-ICB location, and in exactly one district, on every day
  from 2013-04-01 to the data's last day (so every LSOA is, through its block);
- on every day, the CCGs or sub-ICB locations that hold blocks are exactly those that exist that
  day, and so are the districts;
- Census 2021 residents: the LSOAs 2021 and the blocks each add up to England, and a block's
  figure is the sum of its LSOAs';
- for each population measure and each kind of area, on every day on which the measure is given
  for the kind, every organisation of the kind alive that day has exactly one figure valid that
  day, and the figures add up to England; an organisation's rows for one measure never overlap.

(That each ONS LSOA lookup edition is reproduced exactly is checked by the import, which has the
raw files: importers/small_areas.SmallAreas.check_editions.)
"""

from __future__ import annotations

from collections import Counter, defaultdict

from importers.common import DATA_START, OPEN, day_after
from importers.common import end_or_open as end

ENGLAND_CENSUS_2021 = 56_490_091
DISTRICT_PREFIXES = ("la:E06", "la:E07", "la:E08", "la:E09")
# England totals of each measure (checked facts in the geography MANIFEST; Census 2021: the sum of
# the 33,755 English LSOA rows of Nomis TS007A) and the kinds that tile England on the days given.
EXPECTED_TOTALS = {
    ("census_2021", "2021-03-21"): (ENGLAND_CENSUS_2021, ("ccg", "sub_icb", "stp", "icb", "region", "la")),
    ("ons_mid_year_estimate", "2022-06-30"): (57_106_398, ("sub_icb", "icb", "region")),
    ("gp_registered_patients", "2026-08-01"): (63_237_908, ("sub_icb", "icb", "region")),
}


def area_kind(org_id: str) -> str | None:
    """'area' (CCG or sub-ICB location), 'la' (a district) or None."""
    if org_id.startswith(("ccg:", "sub_icb:")):
        return "area"
    if org_id.startswith(DISTRICT_PREFIXES):
        return "la"
    return None


def check_blocks(t: dict[str, list[dict]], data_end: str) -> list[str]:
    problems = []
    spans = defaultdict(list)  # (block, 'area' or 'la') -> [(start, end, parent)]
    for r in t["block_parents"]:
        kind = area_kind(r["parent_id"])
        if kind is None:
            problems.append(f"block_parents: {r['parent_id']} is neither a CCG, a sub-ICB location nor a district: {r}")
            continue
        spans[(r["block"], kind)].append((r["start"], end(r["end"]), r["parent_id"]))
    for b in sorted((r["block"] for r in t["blocks"]), key=int):
        for kind in ("area", "la"):
            day = DATA_START
            for s, e, _ in sorted(spans.get((b, kind), [])):
                if s != day:
                    problems.append(f"block {b} has {'no' if s > day else 'two'} {kind} parent(s) on {min(s, day)}")
                    break
                day = day_after(e) if e != OPEN else OPEN
            if day != OPEN and day <= data_end:
                problems.append(f"block {b} has no {kind} parent on {day}")
    # The areas holding blocks on each day are exactly the CCGs / sub-ICB locations (districts) of the day.
    days = sorted({r["start"] for r in t["block_parents"]} | {day_after(r["end"]) for r in t["block_parents"] if r["end"]})
    orgs = [r for r in t["orgs"] if area_kind(r["org_id"])]
    for o in orgs:
        days += [d for d in (o["start"], day_after(o["end"]) if o["end"] else "") if d and d > DATA_START]
    for day in sorted({d for d in days if DATA_START <= d <= data_end}):
        held = {r["parent_id"] for r in t["block_parents"] if r["start"] <= day <= end(r["end"])}
        alive = {o["org_id"] for o in orgs if (o["start"] or "") <= day <= end(o["end"])}
        for kind, label in (("area", "CCGs or sub-ICB locations"), ("la", "districts")):
            extra = sorted(x for x in held - alive if area_kind(x) == kind)
            empty = sorted(x for x in alive - held if area_kind(x) == kind)
            if extra or empty:
                problems.append(f"{day}: {label} holding blocks but not alive {extra[:5]}, alive but holding none {empty[:5]}")
    return problems


def check_census_counts(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    by_block = Counter()
    for r in t["lsoas"]:
        if r["population"]:
            by_block[r["block"]] += int(r["population"])
    if sum(by_block.values()) != ENGLAND_CENSUS_2021:
        problems.append(f"lsoas: Census 2021 residents add up to {sum(by_block.values()):,}, not {ENGLAND_CENSUS_2021:,}")
    for r in t["blocks"]:
        if int(r["population"]) != by_block.get(r["block"], 0):
            problems.append(
                f"block {r['block']}: population {r['population']} is not the sum of its LSOAs' {by_block.get(r['block'], 0)}"
            )
    bad = [r["lsoa"] for r in t["lsoas"] if bool(r["population"]) != (r["in_2021"] == "1")]
    if bad:
        problems.append(f"lsoas: Census 2021 residents given for LSOAs 2011 only, or missing for LSOAs 2021: {bad[:10]}")
    return problems


def check_population_days(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    orgs = {r["org_id"]: r for r in t["orgs"]}
    kind = {oid: r["kind"] for oid, r in orgs.items()}
    rows = defaultdict(list)  # (measure, date, kind) -> all-persons rows
    spans = defaultdict(list)  # (org, measure, date, sex, age) -> [(start, end)]
    for r in t["populations"]:
        spans[(r["org_id"], r["measure"], r["date"], r["sex"], r["age"])].append((r["start"], end(r["end"])))
        if r["sex"] == "all" and r["age"] == "all":
            rows[(r["measure"], r["date"], kind[r["org_id"]])].append(r)
    for key, ss in spans.items():
        ss.sort()
        for (s1, e1), (s2, e2) in zip(ss, ss[1:]):
            if s2 <= e1:
                problems.append(f"populations: overlapping figures for {key}: {s1}..{e1} and {s2}..{e2}")
    for (measure, date), (total, kinds) in EXPECTED_TOTALS.items():
        for k in kinds:
            given = [r for r in rows.get((measure, date, k), []) if k != "la" or r["org_id"].startswith(DISTRICT_PREFIXES)]
            if not given:
                problems.append(f"populations: no {measure} ({date}) for any {k}")
                continue
            members = [o for o in orgs.values() if o["kind"] == k and (k != "la" or o["org_id"].startswith(DISTRICT_PREFIXES))]
            first = min(r["start"] for r in given)
            days = {r["start"] for r in given} | {day_after(r["end"]) for r in given if r["end"]}
            days |= {d for o in members for d in (o["start"], day_after(o["end"]) if o["end"] else "") if d and d >= first}
            for day in sorted(d for d in days if d >= first):
                on = [r for r in given if r["start"] <= day <= end(r["end"])]
                alive = {o["org_id"] for o in members if (o["start"] or "") <= day <= end(o["end"])}
                if not on:
                    continue  # the measure is not given for this kind on that day (after its last row)
                got = Counter(r["org_id"] for r in on)
                missing = sorted(alive - set(got))
                if missing or set(got) - alive:
                    problems.append(
                        f"populations: {measure} on {day}: no figure for {missing[:5]}, figures for dead {sorted(set(got) - alive)[:5]}"
                    )
                elif sum(int(r["value"]) for r in on) != total:
                    problems.append(
                        f"populations: {measure} on {day}, summed over {k}s, is {sum(int(r['value']) for r in on):,}, not England's {total:,}"
                    )
    return problems
