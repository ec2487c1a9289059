"""The LSOA lookups of the ICB era and their Census 2021 weights, which the geography importers
share: where each small area (LSOA) was on each day, and how many people lived in it.

Lookups (../shared/sources/geography/MANIFEST.md): ONS LSOA 2011 to CCG to STP to LAD (April
2021), LSOA 2011 to sub-ICB location to ICB to LAD (July 2022), LSOA 2021 to sub-ICB location to
ICB (April 2024), each as humaniverse/geographr published it; weights: Census 2021 usual residents
(Nomis TS007A). Rows derived by these weights cite the source derived_lsoa_census.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from .common import Tables, read_csv

# The dates the ICB-era geography changed.
ICB_START = "2022-07-01"  # ICBs and sub-ICB locations replace STPs and CCGs
CHANGE_2023 = "2023-04-01"  # the Surrey Heartlands / Sussex boundary change
MERGERS_2026 = "2026-04-01"  # 42 ICBs become 36; Frimley's sub-ICB location is split

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

# LSOA 2021 names use these short forms of the district names.
LSOA_NAME_FIXES = {
    "Bristol": "Bristol, City of",
    "Kingston upon Hull": "Kingston upon Hull, City of",
    "Herefordshire": "Herefordshire, County of",
}


def read_census(g: Path) -> dict[str, int]:
    """Census 2021 usual residents of each English LSOA 2021 (Nomis TS007A, total column)."""
    census = {}
    with open(g / "nomis_census2021_ts007a_age_5yr_lsoa21_ew.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and row[1].startswith("E01"):
                census[row[1]] = int(row[2])
    return census


class Lsoa:
    """LSOA lookups of 2021 (CCG/STP), 2022 (SICBL/ICB/LAD) and 2024 (SICBL/ICB), with Census 2021 weights."""

    def __init__(self, shared: Path, la_reorg: dict[str, str]):
        g, h = shared / "geography", shared / "history"
        self.census = census = read_census(g)
        self.y21 = read_csv(h / "geographr_lsoa11_ccg21_stp21_ltla21_lookup_2021-04_from_rda.csv")
        self.y22 = read_csv(g / "geographr_lookup_lsoa11_sicbl22_icb22_ltla22.csv")
        self.y24 = read_csv(g / "geographr_lookup_lsoa21_icb24.csv")
        self.lad22_by_name = {r["ltla22_name"]: r["ltla22_code"] for r in self.y22}
        self.lad22_names = {r["ltla22_code"]: r["ltla22_name"] for r in self.y22}
        self.la_reorg = la_reorg
        # LSOA 2011 codes that changed in 2021 have no Census 2021 figure: use the district mean.
        totals, counts = Counter(), Counter()
        for r in self.y22:
            if r["lsoa11_code"] in census:
                totals[r["ltla22_code"]] += census[r["lsoa11_code"]]
                counts[r["ltla22_code"]] += 1
        self.lad_mean = {lad: totals[lad] / counts[lad] for lad in totals}
        self.lad_of_lsoa11 = {r["lsoa11_code"]: r["ltla22_code"] for r in self.y22}

    def weight11(self, lsoa11: str) -> float:
        return self.census.get(lsoa11) or self.lad_mean[self.lad_of_lsoa11[lsoa11]]

    def district22_of_lsoa21(self, row: dict) -> str:
        """The (2022) district of an LSOA 2021, read from the LSOA name ("Slough 001A")."""
        name = row["lsoa21_name"].rsplit(" ", 1)[0]
        return self.lad22_by_name[LSOA_NAME_FIXES.get(name, name)]

    def lad23(self, lad22: str) -> str:
        return self.la_reorg.get(lad22, lad22)

    def sub_icb_2026(self, row: dict) -> str:
        """The April 2026 sub-ICB location of an LSOA 2021: unchanged, except Frimley's, split by district."""
        code = row["sicbl24_code_nhs"]
        if code == "D4U1Y":
            return FRIMLEY_2026[self.lad22_names[self.district22_of_lsoa21(row)]]
        return code


def add_shares(
    t: Tables,
    weights: dict[tuple[str, str], float],
    start: str,
    end: str,
    source: str,
    relation: str = "overlaps",
) -> None:
    """memberships rows child->parent with share = child's population in parent / child's total."""
    totals = Counter()
    for (child, _), w in weights.items():
        totals[child] += w
    for (child, parent), w in sorted(weights.items()):
        t.member(child, parent, relation, start, end, source, share=f"{w / totals[child]:.4f}")
