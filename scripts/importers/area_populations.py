"""Populations on the area of the day (importers/area_geography.py): each figure is for one area
an organisation had, and its start and end are the days it had that area.

- census_2021 (Census 2021 usual residents, 21 March 2021; source derived_lsoa_census): every CCG,
  STP, sub-ICB location, ICB, region and district, for every area it had from 2013-04-01, summed
  over its blocks.
- ons_mid_year_estimate (ONS mid-2022, by sub-ICB location on the April 2023 geography; source
  ons_mye2022_sicbl23): sub-ICB locations, ICBs and regions from 2022-07-01. An area that is not
  a union of April 2023 sub-ICB locations (92A and 70F, and their ICBs, before the April 2023
  change; the sub-ICB locations that shared Frimley's D4U1Y in April 2026, and their ICBs) gets
  each sub-ICB location's figure shared out by the Census 2021 residents of its part, cell by cell
  (sex and age band), largest remainders first (source derived_mye2022_apportioned).
- gp_registered_patients (NHS England, 1 August 2026): regions, ICBs and sub-ICB locations of the
  April 2026 structure, from 2026-04-01 (practices counted then may have been elsewhere before).

For each measure and each day it is given, the organisations of each kind add up to England
(dbbuild/areas.py checks it). PCNs' and practices' figures come with the organisations importer;
import_sources gives them their organisation's lifetime as start and end.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .area_geography import AreaGeography
from .common import Tables, org_id, read_csv, read_zip_csv
from .lsoa import CHANGE_2023, ICB_START, MERGERS_2026

CENSUS_DAY = "2021-03-21"
MYE_DAY = "2022-06-30"
GP_DAY = "2026-08-01"
CENSUS_LEVELS = ("area", "system", "region", "la")
MYE_LEVELS = ("area", "system", "region")
SEXES = (("female", "F"), ("male", "M"))


def age_band(age: int) -> str:
    return "90+" if age >= 90 else f"{age // 5 * 5}-{age // 5 * 5 + 4}"


def clipped(runs: list[tuple[str, str, frozenset]], first: str) -> list[tuple[str, str, frozenset]]:
    """The runs from `first` on (a run that began earlier starts on `first`)."""
    return [(max(s, first), e, blocks) for s, e, blocks in runs if not e or e >= first]


def census(t: Tables, geo: AreaGeography) -> None:
    for level in CENSUS_LEVELS:
        for oid, runs in sorted(geo.runs(level).items()):
            for s, e, blocks in runs:
                t.population(oid, "census_2021", geo.population(blocks), CENSUS_DAY, "derived_lsoa_census", start=s, end=e)


def read_mye(shared: Path) -> dict[str, dict[tuple[str, str], int]]:
    """ONS mid-2022 by sub-ICB location (ODS code, April 2023 geography): (sex, age band) -> people."""
    ods = {r["SICBL23CD"]: r["SICBL23CDH"] for r in read_csv(shared / "history" / "ons_sicbl23_icb23_nhser23_lookup_2023-04.csv")}
    out = {}
    for r in read_csv(shared / "geography" / "ons_mye2022_sicbl23_icb23_nhser23_sya.csv"):
        cells = Counter()
        for sex, letter in SEXES:
            for age in range(91):
                cells[(sex, age_band(age))] += int(r[f"{letter}{age}"])
        if sum(cells.values()) != int(r["Total"]):
            raise ValueError(f"mid-2022 {r['SICBL 2023 Code']}: the cells do not add up to the total")
        out[ods[r["SICBL 2023 Code"]]] = cells
    return out


def share_out(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split in proportion to `weights`, in whole numbers that add up to it (largest
    remainders first, ties by key)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def mid_year(t: Tables, geo: AreaGeography, shared: Path) -> None:
    mye = read_mye(shared)
    base = {oid.split(":")[1]: blocks for oid, blocks in geo.blocks_on(CHANGE_2023, "area").items()}
    if set(base) != set(mye):
        raise ValueError("mid-2022 sub-ICB locations differ from the April 2023 geography")
    day_values: dict[str, dict] = {}

    def values_on(day: str) -> dict[str, tuple[Counter, bool]]:
        """Every area of every level on `day`: its cells, and whether it is a union of whole April
        2023 sub-ICB locations (an ONS figure) or shares one out."""
        if day in day_values:
            return day_values[day]
        levels = geo.levels_on(day)
        areas = geo.blocks_on(day, "area")
        cells: dict[str, Counter] = defaultdict(Counter)
        exact = {oid: True for oid in areas}
        for code, blocks in sorted(base.items()):
            pieces = {oid: bs & blocks for oid, bs in areas.items() if bs & blocks}
            weights = {oid: geo.population(bs) for oid, bs in pieces.items()}
            for cell, total in mye[code].items():
                for oid, value in share_out(total, weights).items():
                    cells[oid][cell] += value
            for oid in pieces:
                exact[oid] = exact[oid] and blocks <= areas[oid]
        out = {oid: (cells[oid], exact[oid]) for oid in areas}
        for level in ("system", "region"):
            groups = defaultdict(list)
            for lv in levels.values():
                groups[lv[level]].append(lv["area"])
            for oid, members in groups.items():
                total, exact = Counter(), True
                for area in sorted(set(members)):
                    total.update(out[area][0])
                    exact = exact and out[area][1]
                out[oid] = (total, exact)
        day_values[day] = out
        return out

    for level in MYE_LEVELS:
        for oid, runs in sorted(geo.runs(level).items()):
            for s, e, _ in clipped(runs, ICB_START):
                cells, exact = values_on(s)[oid]
                source = "ons_mye2022_sicbl23" if exact else "derived_mye2022_apportioned"
                write_cells(t, oid, "ons_mid_year_estimate", cells, MYE_DAY, source, s, e)


def write_cells(t: Tables, oid: str, measure: str, cells: Counter, day: str, source: str, start: str, end: str) -> None:
    """An organisation's (sex, band) cells, with each sex's all-ages total and the grand total."""
    totals = Counter()
    for (sex, band), value in sorted(cells.items()):
        t.population(oid, measure, value, day, source, sex=sex, age=band, start=start, end=end)
        totals[sex] += value
    for sex, value in sorted(totals.items()):
        t.population(oid, measure, value, day, source, sex=sex, start=start, end=end)
    t.population(oid, measure, sum(totals.values()), day, source, start=start, end=end)


def gp_registered(t: Tables, shared: Path) -> None:
    """NHS England registered patients, 1 August 2026: regions, ICBs and sub-ICBs (PCNs are imported
    with the organisations), five-year bands by sex, on the structure of 2026-04-01."""
    kinds = {"Comm Region": "region", "ICB": "icb", "SUB_ICB_LOCATION_CODE": "sub_icb"}
    reg = Counter()
    for r in read_zip_csv(shared / "geography" / "nhsd_gp_reg_pat_prac_sing_age_regions_2026-08.zip"):
        kind = kinds.get(r["ORG_TYPE"])
        if not kind:
            continue
        oid = org_id(kind, r["ORG_CODE"])
        sex = {"ALL": "all", "FEMALE": "female", "MALE": "male"}[r["SEX"]]
        if r["AGE"] == "ALL":
            reg[(oid, sex, "all")] += int(r["NUMBER_OF_PATIENTS"])
        elif sex != "all":
            age = 95 if r["AGE"] == "95+" else int(r["AGE"])
            reg[(oid, sex, age_band(age))] += int(r["NUMBER_OF_PATIENTS"])
    for (oid, sex, band), value in sorted(reg.items()):
        t.population(oid, "gp_registered_patients", value, GP_DAY, "nhse_gp_reg_2026_08", sex=sex, age=band, start=MERGERS_2026)


def run(t: Tables, geo: AreaGeography, shared: Path) -> None:
    census(t, geo)
    mid_year(t, geo, shared)
    gp_registered(t, shared)


def complete_spans(tables: Tables) -> None:
    """Population rows without a start (practices' and PCNs', from the organisations importer)
    describe the organisation itself: they take its lifetime."""
    life = {r["org_id"]: (r["start"], r["end"]) for r in tables["orgs"]}
    for r in tables["populations"]:
        if not r.get("start"):
            r["start"], r["end"] = life[r["org_id"]]
