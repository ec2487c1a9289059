"""Counts the sources state, which the data must reproduce: organisations of each kind alive on
given days (ONS and NHS England editions) and local authority districts; and the sex totals of
the population figures (their England totals: dbbuild/areas.py)."""

from __future__ import annotations

from collections import defaultdict

from importers.common import day_after
from importers.common import end_or_open as end

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
    # NHS England's 27 area teams (Q44-Q70), London as three; ONS's April 2013 lookup has 25, with
    # London as one (E39000018), which the three London area teams each carry.
    ("area_team", "2013-04-01", 27, "NHSBSA list sizes April-June 2013 and ONS CCG13 to NHSAT13 lookup"),
    ("area_team", "2015-03-31", 27, "NHSBSA list sizes; ONS Code History Database E39"),
    # 11 local offices (ODS successors Q44-Q69 to Q72-Q82), Wessex (Q70) and NHS England London (Q71).
    ("area_team", "2015-04-01", 13, "ONS Code History Database E39 and ODS successors"),
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


def alive_on(orgs: dict[str, dict], kind: str, day: str) -> list[str]:
    return [o for o, r in orgs.items() if r["kind"] == kind and (r["start"] or "") <= day <= end(r["end"])]


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


def check_populations(t: dict[str, list[dict]]) -> list[str]:
    """Sex totals add up to the all-persons figure of every organisation, area by area (the totals
    of each kind against England's: dbbuild/areas.py)."""
    problems = []
    by_org = defaultdict(dict)
    for r in t["populations"]:
        if r["age"] == "all":
            by_org[(r["org_id"], r["measure"], r["date"], r["start"])][r["sex"]] = int(r["value"])
    for key, v in by_org.items():
        if {"female", "male", "all"} <= set(v) and v["female"] + v["male"] != v["all"]:
            problems.append(f"populations: female + male != all for {key}: {v}")
    return problems
