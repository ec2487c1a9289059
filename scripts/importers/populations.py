"""Populations of the ICB-era geography: ONS mid-2022 estimates by sub-ICB location (summed to
ICBs and regions), NHS England registered patients (1 August 2026) by region, ICB and sub-ICB
location, and Census 2021 usual residents summed over LSOAs (importers/lsoa.py) for the sub-ICB
locations and ICBs of April 2026, the 42 ICBs before, local authority districts and the 106 CCGs of
April 2021. PCNs' and practices' figures come with the organisations importer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .common import Tables, org_id, read_csv, read_zip_csv
from .lsoa import Lsoa


def age_band(age: int) -> str:
    return "90+" if age >= 90 else f"{age // 5 * 5}-{age // 5 * 5 + 4}"


def populations(t: Tables, shared: Path, lsoa: Lsoa) -> None:
    g = shared / "geography"
    # ONS mid-2022 by sub-ICB location (2023 geography), summed to ICBs and regions.
    sicbl23 = {
        r["SICBL23CD"]: (r["SICBL23CDH"], r["ICB23CDH"], r["NHSER23CDH"])
        for r in read_csv(shared / "history" / "ons_sicbl23_icb23_nhser23_lookup_2023-04.csv")
    }
    ons = Counter()
    for r in read_csv(g / "ons_mye2022_sicbl23_icb23_nhser23_sya.csv"):
        sub, icb, region = sicbl23[r["SICBL 2023 Code"]]
        cells = [("all", "all", int(r["Total"]))]
        for sex, letter in (("female", "F"), ("male", "M")):
            for age in range(91):
                cells.append((sex, age_band(age), int(r[f"{letter}{age}"])))
        for sex, band, value in cells:
            for oid in (org_id("sub_icb", sub), org_id("icb", icb), org_id("region", region)):
                ons[(oid, sex, band)] += value
        # Sex totals, all ages.
        for sex, letter in (("female", "F"), ("male", "M")):
            total = sum(int(r[f"{letter}{age}"]) for age in range(91))
            for oid in (org_id("sub_icb", sub), org_id("icb", icb), org_id("region", region)):
                ons[(oid, sex, "all")] += total
    for (oid, sex, band), value in sorted(ons.items()):
        t.population(oid, "ons_mid_year_estimate", value, "2022-06-30", "ons_mye2022_sicbl23", sex=sex, age=band)
    # NHS England registered patients, 1 August 2026: regions, ICBs and sub-ICBs (PCNs are imported
    # with the organisations), five-year bands by sex.
    kinds = {"Comm Region": "region", "ICB": "icb", "SUB_ICB_LOCATION_CODE": "sub_icb"}
    reg = Counter()
    for r in read_zip_csv(g / "nhsd_gp_reg_pat_prac_sing_age_regions_2026-08.zip"):
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
        t.population(oid, "gp_registered_patients", value, "2026-08-01", "nhse_gp_reg_2026_08", sex=sex, age=band)
    # Census 2021 usual residents on the April 2026 geography (sub-ICBs, ICBs) and for districts.
    after = {}
    for r in read_csv(g / "nhsd_gp_reg_pat_prac_map_2026-08.csv"):
        after[r["SUB_ICB_LOCATION_CODE"]] = r["ICB_CODE"]
    census = Counter()
    for r in lsoa.y24:
        w = lsoa.census[r["lsoa21_code"]]
        new = lsoa.sub_icb_2026(r)
        census[org_id("sub_icb", new)] += w
        census[org_id("icb", after[new])] += w
        census[org_id("la", lsoa.lad23(lsoa.district22_of_lsoa21(r)))] += w
    # ...and the 42 ICBs of April 2023 to March 2026.
    for r in lsoa.y24:
        if r["icb24_code_nhs"] not in set(after.values()):
            census[org_id("icb", r["icb24_code_nhs"])] += lsoa.census[r["lsoa21_code"]]
    # ...and the 106 CCGs of April 2021 (the geography of a fortnight after census day, 2021-03-21).
    ccg_ods = {r["CCG21CD"]: r["CCG21CDH"] for r in read_csv(shared / "history" / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv")}
    for lsoa21, code in ccg21_of_lsoa21(lsoa, ccg_ods).items():
        census[org_id("ccg", code)] += lsoa.census[lsoa21]
    for oid, value in sorted(census.items()):
        t.population(oid, "census_2021", value, "2021-03-21", "derived_lsoa_census")


def ccg21_of_lsoa21(lsoa: Lsoa, ccg_ods: dict[str, str]) -> dict[str, str]:
    """The April 2021 CCG (ODS code) of each English LSOA 2021, so that Census 2021 counts (published
    for LSOAs 2021) add up to CCGs of the LSOA 2011 lookup of April 2021 without losing anyone:
    - an LSOA 2021 with an LSOA 2011 code (97%): that LSOA's CCG;
    - a new one: the CCG most LSOAs 2011 of its MSOA (same name, "Slough 001") were in;
    - a new one in a new MSOA: its April 2024 sub-ICB location if its district's LSOAs 2011 were in
      that CCG in 2021, else the district's only CCG."""
    ccg11 = {r["lsoa11_code"]: ccg_ods[r["ccg21_code"]] for r in lsoa.y21}
    by_msoa: dict[str, Counter] = defaultdict(Counter)
    for r in lsoa.y21:
        by_msoa[r["lsoa11_name"][:-1]][ccg11[r["lsoa11_code"]]] += 1
    by_district: dict[str, set[str]] = defaultdict(set)
    for r in lsoa.y22:
        by_district[r["ltla22_code"]].add(ccg11[r["lsoa11_code"]])
    out = {}
    for r in lsoa.y24:
        code = r["lsoa21_code"]
        msoa = by_msoa.get(r["lsoa21_name"][:-1])
        if code in ccg11:
            out[code] = ccg11[code]
        elif msoa:
            out[code] = sorted(msoa.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            candidates = by_district[lsoa.district22_of_lsoa21(r)]
            if r["sicbl24_code_nhs"] in candidates:
                out[code] = r["sicbl24_code_nhs"]
            elif len(candidates) == 1:
                out[code] = next(iter(candidates))
            else:
                raise ValueError(f"LSOA 2021 {code} {r['lsoa21_name']}: no April 2021 CCG among {sorted(candidates)}")
    return out
