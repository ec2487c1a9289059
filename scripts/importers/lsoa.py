"""The ONS LSOA lookups, edition by edition: which CCG or sub-ICB location, and which local
authority district, each small area (LSOA) was in, and Census 2021 residents of each LSOA 2021.

Editions (../shared/sources/ons_lookups/MANIFEST.md, geography/MANIFEST.md, history/MANIFEST.md),
each read as {LSOA code: (ODS code of the CCG or sub-ICB location, LAD code)} and taken to hold
from its first day until the next edition's:

| first day  | edition                                  | LSOAs | source id              |
|------------|------------------------------------------|-------|------------------------|
| 2015-04-01 | LSOA11-CCG15-LAD15 (July 2015)           | 2011  | ons_lsoa11_ccg15       |
| 2016-04-01 | LSOA11-CCG16-LAD16 (April 2016)          | 2011  | ons_lsoa11_ccg16       |
| 2017-04-01 | LSOA11-CCG17-LAD17 (April 2017, v4)      | 2011  | ons_lsoa11_ccg17       |
| 2018-04-01 | LSOA11-CCG18-LAD18 (April 2018)          | 2011  | ons_lsoa11_ccg18       |
| 2019-04-01 | LSOA11-CCG19-LAD19 (April 2019)          | 2011  | ons_lsoa11_ccg19       |
| 2020-04-01 | LSOA11-CCG20-LAD20 (April 2020)          | 2011  | ons_lsoa11_ccg20       |
| 2021-04-01 | LSOA11-CCG21-STP21-LAD21 (April 2021)    | 2011  | ons_lsoa11_ccg21       |
| 2022-07-01 | LSOA11-SICBL22-ICB22-LAD22 (July 2022)   | 2011  | ons_lsoa11_sicbl22     |
| 2023-04-01 | LSOA21-SICBL24-ICB24 (April 2024)        | 2021  | ons_lsoa21_icb24       |
| 2026-04-01 | the April 2024 edition with Frimley's D4U1Y split by district (FRIMLEY_2026) | 2021 | derived_icb_2026 |

The July 2015 edition already carries the new GSS codes of 2015-07-03 (Coastal West Sussex and
Guildford and Waverley, re-coded after a boundary change): it holds from the April 2015 mergers,
and before 2015-07-03 the two CCGs' LSOAs are marked inferred (importers/small_areas.py). The
April 2024 edition (LSOA 2021) is the geography of the April 2023 Surrey Heartlands / Sussex change
(the ICB codes did not change in 2024). The LSOA 2021 edition has no district column: the district
is read from the LSOA name ("Slough 001E"), as of 2022, and the 2023 reorganisations applied.
The editions that repeat another (April 2016 = July 2015 row for row; the LSOA-CCG-STP editions
of April 2017 and 2018 = the LSOA-CCG ones) are checked to agree and read for their STPs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .common import read_csv

# The dates the ICB-era geography changed.
ICB_START = "2022-07-01"  # ICBs and sub-ICB locations replace STPs and CCGs
CHANGE_2023 = "2023-04-01"  # the Surrey Heartlands / Sussex boundary change
MERGERS_2026 = "2026-04-01"  # 42 ICBs become 36; Frimley's sub-ICB location is split

# Frimley (D4U1Y) split on 2026-04-01, by district of the LSOA (see the derived_icb_2026 note).
SOURCE_2026 = "derived_icb_2026"  # the rows of the April 2026 changes cite the 2026 files through it
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

ENGLAND_LSOA11 = 32_844
ENGLAND_LSOA21 = 33_755


@dataclass
class Edition:
    date: str  # the first day its geography held
    source: str  # source id (data/curated/importer_sources.csv)
    census: int  # which LSOAs it lists: 2011 or 2021
    rows: dict[str, tuple[str, str]]  # LSOA code -> (CCG or sub-ICB location ODS code, LAD code)
    stp: dict[str, str] = field(default_factory=dict)  # LSOA code -> STP GSS code, where given


def read_census(g: Path) -> dict[str, int]:
    """Census 2021 usual residents of each English LSOA 2021 (Nomis TS007A, total column)."""
    census = {}
    with open(g / "nomis_census2021_ts007a_age_5yr_lsoa21_ew.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and row[1].startswith("E01"):
                census[row[1]] = int(row[2])
    return census


# (first day, file under ../shared/sources, two-digit year of the columns, source id)
ONS_EDITIONS = (
    ("2015-04-01", "ons_lookups/ons_lsoa11_ccg15_lad15_lookup_2015-07.csv", "15", "ons_lsoa11_ccg15"),
    ("2016-04-01", "ons_lookups/ons_lsoa11_ccg16_lad16_lookup_2016-04.csv", "16", "ons_lsoa11_ccg16"),
    ("2017-04-01", "ons_lookups/ons_lsoa11_ccg17_lad17_lookup_2017-04_v4.csv", "17", "ons_lsoa11_ccg17"),
    ("2018-04-01", "ons_lookups/ons_lsoa11_ccg18_lad18_lookup_2018-04.csv", "18", "ons_lsoa11_ccg18"),
    ("2019-04-01", "ons_lookups/ons_lsoa11_ccg19_lad19_lookup_2019-04.csv", "19", "ons_lsoa11_ccg19"),
    ("2020-04-01", "ons_lookups/ons_lsoa11_ccg20_lad20_lookup_2020-04.csv", "20", "ons_lsoa11_ccg20"),
)
# The LSOA-CCG-STP editions: same CCGs and districts as the edition of their year, plus the STP.
STP_EDITIONS = (
    ("2017-04-01", "ons_lookups/ons_lsoa11_ccg17_stp17_lad17_lookup_2017-04.csv", "17"),
    ("2018-04-01", "ons_lookups/ons_lsoa11_ccg18_stp18_lad18_lookup_2018-04_v3.csv", "18"),
)


class Lookups:
    """Every LSOA lookup edition (Edition, in date order), the LSOA names of both censuses, the
    districts of 2022 by name, and Census 2021 residents of each LSOA 2021."""

    def __init__(self, shared: Path, la_reorg: dict[str, str]):
        g, h = shared / "geography", shared / "history"
        self.la_reorg = la_reorg  # district code -> the code of the authority it became part of
        self.census = read_census(g)
        self.names11: dict[str, str] = {}
        self.names21: dict[str, str] = {}
        self.editions: list[Edition] = []
        for date, path, yy, source in ONS_EDITIONS:
            rows = {}
            for r in read_csv(shared / path):
                rows[r["LSOA11CD"]] = (r[f"CCG{yy}CDH"], r[f"LAD{yy}CD"])
                self.names11.setdefault(r["LSOA11CD"], r["LSOA11NM"])
            self.editions.append(Edition(date, source, 2011, rows))
        for date, path, yy in STP_EDITIONS:
            [ed] = [e for e in self.editions if e.date == date]
            for r in read_csv(shared / path):
                if ed.rows[r["LSOA11CD"]] != (r[f"CCG{yy}CDH"], r[f"LAD{yy}CD"]):
                    raise ValueError(f"{path}: {r['LSOA11CD']} differs from the LSOA-CCG edition of {date}")
                ed.stp[r["LSOA11CD"]] = r[f"STP{yy}CD"]
        if self.editions[0].rows != self.editions[1].rows:
            raise ValueError("the July 2015 and April 2016 LSOA lookups should agree row for row (MANIFEST)")
        ccg21 = {r["CCG21CD"]: r["CCG21CDH"] for r in read_csv(h / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv")}
        self.y21 = read_csv(h / "geographr_lsoa11_ccg21_stp21_ltla21_lookup_2021-04_from_rda.csv")
        self.editions.append(
            Edition(
                "2021-04-01",
                "ons_lsoa11_ccg21",
                2011,
                {r["lsoa11_code"]: (ccg21[r["ccg21_code"]], r["ltla21_code"]) for r in self.y21},
                {r["lsoa11_code"]: r["stp21_code"] for r in self.y21},
            )
        )
        self.y22 = read_csv(g / "geographr_lookup_lsoa11_sicbl22_icb22_ltla22.csv")
        self.editions.append(
            Edition(
                ICB_START,
                "ons_lsoa11_sicbl22",
                2011,
                {r["lsoa11_code"]: (r["sicbl22_code_h"], r["ltla22_code"]) for r in self.y22},
            )
        )
        self.lad22_names = {r["ltla22_code"]: r["ltla22_name"] for r in self.y22}
        self.lad22_by_name = {name: code for code, name in self.lad22_names.items()}
        self.y24 = read_csv(g / "geographr_lookup_lsoa21_icb24.csv")
        rows24, rows26 = {}, {}
        for r in self.y24:
            code = r["lsoa21_code"]
            self.names21[code] = r["lsoa21_name"]
            lad = self.lad23(self.district22_of_lsoa21(code))
            rows24[code] = (r["sicbl24_code_nhs"], lad)
            rows26[code] = (self.sub_icb_2026(code, r["sicbl24_code_nhs"]), lad)
        self.editions.append(Edition(CHANGE_2023, "ons_lsoa21_icb24", 2021, rows24))
        self.editions.append(Edition(MERGERS_2026, SOURCE_2026, 2021, rows26))
        for ed in self.editions:
            expected = ENGLAND_LSOA11 if ed.census == 2011 else ENGLAND_LSOA21
            if len(ed.rows) != expected:
                raise ValueError(f"LSOA lookup of {ed.date} has {len(ed.rows)} LSOAs, expected {expected}")
        if set(self.census) != set(self.names21):
            raise ValueError("Census 2021 LSOAs and the April 2024 lookup's LSOAs differ")

    def district22_of_lsoa21(self, lsoa21: str) -> str:
        """The (2022) district code of an LSOA 2021, read from its name ("Slough 001A")."""
        name = self.names21[lsoa21].rsplit(" ", 1)[0]
        return self.lad22_by_name[LSOA_NAME_FIXES.get(name, name)]

    def lad23(self, lad22: str) -> str:
        return self.la_reorg.get(lad22, lad22)

    def sub_icb_2026(self, lsoa21: str, sub_icb_2024: str) -> str:
        """The April 2026 sub-ICB location of an LSOA 2021: unchanged, except Frimley's, split by district."""
        if sub_icb_2024 == "D4U1Y":
            return FRIMLEY_2026[self.lad22_names[self.district22_of_lsoa21(lsoa21)]]
        return sub_icb_2024
