"""Importer for the ICB era: ICBs, sub-ICB locations, local authorities, their overlaps, the
transitions of July 2022, April 2023 and April 2026, and populations.

Sources (see ../shared/sources/geography/MANIFEST.md): the ONS SICBL-ICB-NHSER lookups of July 2022
and April 2023; the NHS England GP-registration mapping of August 2026 (the best source for the
36-ICB structure); the ONS LSOA lookups of 2021, 2022 and 2024 weighted by Census 2021 population;
ONS mid-2022 population estimates; NHS England registered patients (August 2026); ONS LAD names.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

from .common import (
    FRIMLEY_2026,
    OPEN,
    Tables,
    clean_name,
    day_after,
    day_before,
    empty_tables,
    merge_intervals,
    org_id,
    read_csv,
    read_zip_csv,
    succession_type,
)

ICB_START = "2022-07-01"
MERGERS_2026 = "2026-04-01"
CHANGE_2023 = "2023-04-01"

# LSOA 2021 names use these short forms of the district names.
LSOA_NAME_FIXES = {
    "Bristol": "Bristol, City of",
    "Kingston upon Hull": "Kingston upon Hull, City of",
    "Herefordshire": "Herefordshire, County of",
}


def run(shared: Path, la_changes: list[dict]) -> Tables:
    """la_changes: the curated local government changes (data/curated/la_changes.csv)."""
    t = empty_tables()
    g, _h = shared / "geography", shared / "history"
    census = read_census(g)
    editions = icb_editions(shared)
    icbs_and_sub_icbs(t, editions)
    sub_icb_place_names(t, shared, editions)
    la_reorg = {r["code"]: r["successor_code"] for r in la_changes if r["successor_code"]}
    lsoa = Lsoa(shared, census, la_reorg)
    local_authorities(t, shared, lsoa, {r["code"]: r for r in la_changes})
    sub_icb_district_place_names(t, lsoa)
    transitions_2022(t, shared, lsoa)
    transition_2023(t, lsoa)
    transitions_2026(t, editions, lsoa, shared)
    populations(t, shared, lsoa)
    icb_centroids(t, g)
    postcode_districts(t, g, lsoa)
    return t


# --- reading --------------------------------------------------------------------------------


def read_census(g: Path) -> dict[str, int]:
    census = {}
    with open(g / "nomis_census2021_ts007a_age_5yr_lsoa21_ew.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and row[1].startswith("E01"):
                census[row[1]] = int(row[2])
    return census


def icb_editions(shared: Path) -> list[dict]:
    """The sub-ICB -> ICB -> region structure as published for each change date."""
    g, h = shared / "geography", shared / "history"
    out = []
    for date, path, yy, source in (
        (ICB_START, g / "ons_sicbl22_icb22_nhser22_2022-07.csv", "22", "ons_sicbl22_icb22_nhser22"),
        (CHANGE_2023, h / "ons_sicbl23_icb23_nhser23_lookup_2023-04.csv", "23", "ons_sicbl23_icb23_nhser23"),
    ):
        rows = [
            {
                "sicbl_ons": r[f"SICBL{yy}CD"],
                "sicbl": r[f"SICBL{yy}CDH"],
                "sicbl_name": r[f"SICBL{yy}NM"],
                "icb_ons": r[f"ICB{yy}CD"],
                "icb": r[f"ICB{yy}CDH"],
                "icb_name": r[f"ICB{yy}NM"],
                "region": r[f"NHSER{yy}CDH"],
            }
            for r in read_csv(path)
        ]
        out.append({"date": date, "source": source, "rows": rows})
    seen = {}
    for r in read_csv(g / "nhsd_gp_reg_pat_prac_map_2026-08.csv"):
        seen[r["SUB_ICB_LOCATION_CODE"]] = {
            "sicbl_ons": r["ONS_SUB_ICB_LOCATION_CODE"],
            "sicbl": r["SUB_ICB_LOCATION_CODE"],
            "sicbl_name": r["SUB_ICB_LOCATION_NAME"],
            "icb_ons": r["ONS_ICB_CODE"],
            "icb": r["ICB_CODE"],
            "icb_name": r["ICB_NAME"],
            "region": r["COMM_REGION_CODE"],
        }
    out.append({"date": MERGERS_2026, "source": "nhse_gp_reg_map_2026_08", "rows": [seen[k] for k in sorted(seen)]})
    return out


def short_icb_name(name: str) -> str:
    return re.sub(r"^NHS\s+|\s+Integrated Care Board$", "", clean_name(name))


def timeline(editions: list[dict], key, value) -> dict[str, list[tuple[str, str, str, str]]]:
    """For each key, (value, start, end, source) runs across editions; a key missing from an
    edition ended the day before that edition's date."""
    runs: dict[str, list[list[str]]] = defaultdict(list)
    for i, ed in enumerate(editions):
        end = day_before(editions[i + 1]["date"]) if i + 1 < len(editions) else ""
        values = {}
        for r in ed["rows"]:
            values[key(r)] = value(r)
        for k, v in sorted(values.items()):
            prev = runs[k][-1] if runs[k] else None
            if prev and prev[0] == v and prev[2] == day_before(ed["date"]):
                prev[2] = end
            else:
                runs[k].append([v, ed["date"], end, ed["source"]])
    return {k: [tuple(r) for r in v] for k, v in runs.items()}


# --- ICBs and sub-ICB locations -------------------------------------------------------------


def icbs_and_sub_icbs(t: Tables, editions: list[dict]) -> None:
    for kind, key, ons, name, parent in (
        ("icb", "icb", "icb_ons", "icb_name", ("region", "region")),
        ("sub_icb", "sicbl", "sicbl_ons", "sicbl_name", ("icb", "icb")),
    ):
        codes = timeline(editions, lambda r, key=key: r[key], lambda r, ons=ons: r[ons])
        names = timeline(editions, lambda r, key=key: r[key], lambda r, name=name: clean_name(r[name]))
        parents = timeline(editions, lambda r, key=key: r[key], lambda r, parent=parent: r[parent[1]])
        for code in sorted(codes):
            oid = org_id(kind, code)
            [(start, end)] = merge_intervals((s, e) for _, s, e, _ in codes[code])
            first_source = codes[code][0][3]
            t["orgs"].append({"org_id": oid, "kind": kind, "start": start, "end": end, "source": first_source})
            t["codes"].append({"org_id": oid, "scheme": "ods", "code": code, "start": start, "end": end, "source": first_source})
            for value, s, e, src in codes[code]:
                t["codes"].append({"org_id": oid, "scheme": "ons", "code": value, "start": s, "end": e, "source": src})
            for value, s, e, src in names[code]:
                t["names"].append({"org_id": oid, "name": value, "type": "official", "start": s, "end": e, "source": src})
                if kind == "icb":
                    t["names"].append(
                        {"org_id": oid, "name": short_icb_name(value), "type": "short", "start": s, "end": e, "source": src}
                    )
            for value, s, e, src in parents[code]:
                t["memberships"].append(
                    {
                        "child_id": oid,
                        "parent_id": org_id(parent[0], value),
                        "relation": "part_of",
                        "start": s,
                        "end": e,
                        "share": "",
                        "source": src,
                    }
                )


# A CCG's place name stops describing its sub-ICB location when the area changed so that the name
# no longer fits; the short name then ends the day before (no source gives a later place name, so
# sub_icb_district_place_names names the area after its districts from that day).
# Checked: every sub-ICB location whose area changed in July 2022, April 2023 or April 2026.
PLACE_NAME_ENDS = {
    "01Y": day_before(ICB_START),  # "Tameside and Glossop": Glossop went to 15M on 2022-07-01
    "D2P2L": day_before(ICB_START),  # "Black Country and West Birmingham": West Birmingham went to 15E
    "92A": day_before(MERGERS_2026),  # "Surrey Heartlands": took in Frimley's Surrey part (Surrey Heath, Farnham, Ash)
}
# Kept, as the name still fits the changed area: 15M "Derby and Derbyshire" (gained Glossop, in
# Derbyshire), 15E "Birmingham and Solihull" (gained West Birmingham), 78H "Northamptonshire" and 06H
# "Cambridgeshire and Peterborough" (9 North Northamptonshire LSOAs moved from 06H to 78H), 02Q
# "Bassetlaw" (moved ICB whole), 70F "West Sussex" (gained 4 Chichester LSOAs from 92A in 2023), D9Y0V
# "Hampshire, Southampton and Isle of Wight" (gained Hart and Rushmoor, in Hampshire, in 2026).


def sub_icb_place_names(t: Tables, shared: Path, editions: list[dict]) -> None:
    """Sub-ICB locations are still known by the place names of the CCGs they continued ("Bassetlaw"
    for 02Q): record that place name as the short name, while it still fits (PLACE_NAME_ENDS)."""
    ccg21 = {r["CCG21CDH"]: r["CCG21NM"] for r in read_csv(shared / "history" / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv")}
    codes = {r["sicbl"] for ed in editions for r in ed["rows"]}
    life = {r["org_id"]: (r["start"], r["end"]) for r in t["orgs"] if r["kind"] == "sub_icb"}
    for code in sorted(codes & set(ccg21)):
        start, end = life[org_id("sub_icb", code)]
        if code in PLACE_NAME_ENDS:
            end = min(end or PLACE_NAME_ENDS[code], PLACE_NAME_ENDS[code])
            if end < start:
                continue  # stale from the sub-ICB location's first day
        place = re.sub(r"^NHS\s+|\s+CCG$", "", clean_name(ccg21[code]))
        t["names"].append(
            {
                "org_id": org_id("sub_icb", code),
                "name": place,
                "type": "short",
                "start": start,
                "end": end,
                "source": "ons_ccg21_stp21_nhser21",
            }
        )


# The LSOA lookup editions that date a sub-ICB location's districts: (first day, last day).
PLACE_ERAS = ((ICB_START, day_before(CHANGE_2023)), (CHANGE_2023, day_before(MERGERS_2026)), (MERGERS_2026, ""))
WHOLE_DISTRICT = 0.95  # a district with this share of the residents names the area alone
LISTED_DISTRICT = 0.05  # else every district with at least this share is listed
MAX_LISTED = 4  # more districts than this make a list, not a place name: the area goes unnamed


def district_place_name(weights: Counter, names: dict[str, str]) -> str | None:
    """ "Tameside" (one district with >= 95% of the residents), else the districts with >= 5% each,
    alphabetically, "A, B and C"; None when that would list more than MAX_LISTED."""
    total = sum(weights.values())
    top, w = max(weights.items(), key=lambda kv: (kv[1], kv[0]))
    if w / total >= WHOLE_DISTRICT:
        return names[top]
    listed = sorted(names[d] for d, w in weights.items() if w / total >= LISTED_DISTRICT)
    if len(listed) > MAX_LISTED:
        return None
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


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


def sub_icb_district_place_names(t: Tables, lsoa: Lsoa) -> None:
    """A place name (short name) for each sub-ICB location on the days no official one covers
    (01Y and D2P2L from July 2022, 92A and U2G6B from April 2026): the districts its residents live
    in, by the LSOA lookup of the day weighted by Census 2021 (source derived_sub_icb_place_names)."""
    weights = [defaultdict(Counter) for _ in PLACE_ERAS]
    for r in lsoa.y22:
        weights[0][r["sicbl22_code_h"]][r["ltla22_code"]] += lsoa.weight11(r["lsoa11_code"])
    for r in lsoa.y24:
        lad = lsoa.lad23(lsoa.district22_of_lsoa21(r))
        weights[1][r["sicbl24_code_nhs"]][lad] += lsoa.census[r["lsoa21_code"]]
        weights[2][sub_icb_2026(lsoa, r)][lad] += lsoa.census[r["lsoa21_code"]]
    la_names = defaultdict(list)
    for r in t["names"]:
        if r["type"] == "official" and r["org_id"].startswith("la:"):
            la_names[r["org_id"].split(":", 1)[1]].append(r)

    def district_names(day: str) -> dict[str, str]:
        """Each district's official name on a day, as a place ("Bristol, City of" as "Bristol")."""
        return {
            code: re.sub(r", (?:City|County) of$", "", r["name"])
            for code, rows in la_names.items()
            for r in rows
            if (r["start"] or "") <= day <= (r["end"] or OPEN)
        }

    names_on = [district_names(first) for first, _ in PLACE_ERAS]
    short = defaultdict(list)
    for r in t["names"]:
        if r["type"] == "short" and r["org_id"].startswith("sub_icb:"):
            short[r["org_id"]].append((r["start"], r["end"]))
    for org in sorted((r for r in t["orgs"] if r["kind"] == "sub_icb"), key=lambda r: r["org_id"]):
        oid, code = org["org_id"], org["org_id"].split(":", 1)[1]
        rows: list[dict] = []
        for i, (first, last) in enumerate(PLACE_ERAS):
            s, e = max(first, org["start"]), min(last or OPEN, org["end"] or OPEN)
            if s > e:
                continue
            for gap_start, gap_end in uncovered(s, "" if e == OPEN else e, short[oid]):
                name = district_place_name(weights[i][code], names_on[i])
                if name is None:
                    continue
                if rows and rows[-1]["name"] == name and rows[-1]["end"] and day_after(rows[-1]["end"]) == gap_start:
                    rows[-1]["end"] = gap_end  # the same name across lookup editions: one row
                else:
                    rows.append(
                        {
                            "org_id": oid,
                            "name": name,
                            "type": "short",
                            "start": gap_start,
                            "end": gap_end,
                            "source": "derived_sub_icb_place_names",
                        }
                    )
        t["names"].extend(rows)


# --- LSOA-level geography -------------------------------------------------------------------


class Lsoa:
    """LSOA lookups of 2021 (CCG/STP), 2022 (SICBL/ICB/LAD) and 2024 (SICBL/ICB), with Census 2021 weights."""

    def __init__(self, shared: Path, census: dict[str, int], la_reorg: dict[str, str]):
        g, h = shared / "geography", shared / "history"
        self.census = census
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


def add_shares(
    t: Tables,
    weights: dict[tuple[str, str], float],
    relation_start: str,
    relation_end: str,
    source: str,
    relation: str = "overlaps",
) -> None:
    """memberships rows child->parent with share = child's population in parent / child's total."""
    totals = Counter()
    for (child, _), w in weights.items():
        totals[child] += w
    for (child, parent), w in sorted(weights.items()):
        t["memberships"].append(
            {
                "child_id": child,
                "parent_id": parent,
                "relation": relation,
                "start": relation_start,
                "end": relation_end,
                "share": f"{w / totals[child]:.4f}",
                "source": source,
            }
        )


def local_authorities(t: Tables, shared: Path, lsoa: Lsoa, changes: dict[str, dict]) -> None:
    """Every English LAD of 2021-23, the districts abolished in the 2019-2021 reorganisations (from
    data/curated/la_changes.csv), and the LADs' overlap with CCGs/STPs (2021), sub-ICBs/ICBs (2022-).

    A district's start is empty (before the data's coverage) unless the curated changes date it."""
    g = shared / "geography"
    lad23 = {
        r["LAD23CD"]: r
        for r in read_csv(g / "ons_lad23_boundaries_uk_bfc_attributes_2023-12.csv")
        if r["LAD23CD"].startswith("E")
    }
    for code, name in sorted(lsoa.lad22_names.items()):
        if code not in lad23:  # abolished on 2023-04-01
            change = changes.get(code)
            if not change or change["end"] != day_before(CHANGE_2023) or change["name"] != name:
                raise ValueError(
                    f"district {code} {name} left the LAD list in 2023 but data/curated/la_changes.csv does not say so"
                )
            oid = org_id("la", code)
            t["orgs"].append(
                {"org_id": oid, "kind": "la", "start": change["start"], "end": change["end"], "source": "ons_lsoa11_sicbl22"}
            )
            t["codes"].append(
                {
                    "org_id": oid,
                    "scheme": "ons",
                    "code": code,
                    "start": change["start"],
                    "end": change["end"],
                    "source": "ons_lsoa11_sicbl22",
                }
            )
            t["names"].append(
                {
                    "org_id": oid,
                    "name": name,
                    "type": "official",
                    "start": change["start"],
                    "end": change["end"],
                    "source": "ons_lsoa11_sicbl22",
                }
            )
    # Districts abolished in 2019-2021, before the earliest LSOA lookup (April 2021): from the
    # curated changes alone. Each merged as a whole into a district or unitary that is on file.
    lad21 = {r["ltla21_code"] for r in lsoa.y21}
    for code, change in sorted(changes.items()):
        if not change["end"] or code in lsoa.lad22_names:
            continue
        successor = change["successor_code"]
        if (
            code in lad23
            or code in lad21
            or change["end"] >= "2021-04-01"
            or not (successor in lad23 or successor in lsoa.lad22_names)
        ):
            raise ValueError(
                f"data/curated/la_changes.csv: {code} {change['name']} ends {change['end']} but is still in "
                f"the 2021-2023 LAD lists, or its successor {successor!r} is not"
            )
        oid = org_id("la", code)
        t["orgs"].append(
            {"org_id": oid, "kind": "la", "start": change["start"], "end": change["end"], "source": "curated_la_changes"}
        )
        t["codes"].append(
            {
                "org_id": oid,
                "scheme": "ons",
                "code": code,
                "start": change["start"],
                "end": change["end"],
                "source": "curated_la_changes",
            }
        )
        t["names"].append(
            {
                "org_id": oid,
                "name": change["name"],
                "type": "official",
                "start": change["start"],
                "end": change["end"],
                "source": "curated_la_changes",
            }
        )
    for code, r in sorted(lad23.items()):
        oid = org_id("la", code)
        start = CHANGE_2023 if code not in lsoa.lad22_names else changes.get(code, {}).get("start", "")
        t["orgs"].append({"org_id": oid, "kind": "la", "start": start, "end": "", "source": "ons_lad23"})
        t["codes"].append({"org_id": oid, "scheme": "ons", "code": code, "start": start, "end": "", "source": "ons_lad23"})
        t["names"].append(
            {
                "org_id": oid,
                "name": clean_name(r["LAD23NM"]),
                "type": "official",
                "start": start,
                "end": "",
                "source": "ons_lad23",
            }
        )
        t["attributes"].append(
            {
                "org_id": oid,
                "key": "area_km2",
                "value": f"{float(r['Shape__Area']) / 1e6:.1f}",
                "start": start,
                "end": "",
                "source": "ons_lad23",
            }
        )

    # April 2021 - June 2022: districts in CCGs and STPs.
    ccg_w, stp_w = Counter(), Counter()
    ccg_ods = {r["CCG21CD"]: r["CCG21CDH"] for r in read_csv(shared / "history" / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv")}
    for r in lsoa.y21:
        w = lsoa.weight11(r["lsoa11_code"])
        la = org_id("la", r["ltla21_code"])
        ccg_w[(la, org_id("ccg", ccg_ods[r["ccg21_code"]]))] += w
        stp_w[(la, org_id("stp", r["stp21_code"]))] += w
    add_shares(t, ccg_w, "2021-04-01", day_before(ICB_START), "derived_lsoa_census")
    add_shares(t, stp_w, "2021-04-01", day_before(ICB_START), "derived_lsoa_census")
    # July 2022 - March 2023: the July 2022 lookup (districts before the 2023 reorganisation).
    sub_w, icb_w = Counter(), Counter()
    for r in lsoa.y22:
        w = lsoa.weight11(r["lsoa11_code"])
        la = org_id("la", r["ltla22_code"])
        sub_w[(la, org_id("sub_icb", r["sicbl22_code_h"]))] += w
        icb_w[(la, org_id("icb", r["icb22_code_h"]))] += w
    add_shares(t, sub_w, ICB_START, day_before(CHANGE_2023), "derived_lsoa_census")
    add_shares(t, icb_w, ICB_START, day_before(CHANGE_2023), "derived_lsoa_census")
    # April 2023 - March 2026: the April 2024 LSOA 2021 lookup (unchanged since April 2023).
    sub_w, icb_w = Counter(), Counter()
    for r in lsoa.y24:
        w = lsoa.census[r["lsoa21_code"]]
        la = org_id("la", lsoa.lad23(lsoa.district22_of_lsoa21(r)))
        sub_w[(la, org_id("sub_icb", r["sicbl24_code_nhs"]))] += w
        icb_w[(la, org_id("icb", r["icb24_code_nhs"]))] += w
    add_shares(t, sub_w, CHANGE_2023, day_before(MERGERS_2026), "derived_lsoa_census")
    add_shares(t, icb_w, CHANGE_2023, day_before(MERGERS_2026), "derived_lsoa_census")


def sub_icb_2026(lsoa: Lsoa, row: dict) -> str:
    """The April 2026 sub-ICB location of an LSOA 2021: unchanged, except Frimley's, split by district."""
    code = row["sicbl24_code_nhs"]
    if code == "D4U1Y":
        return FRIMLEY_2026[lsoa.lad22_names[lsoa.district22_of_lsoa21(row)]]
    return code


# --- transitions ----------------------------------------------------------------------------


def succession_rows(t: Tables, flows: dict[tuple[str, str], float], date: str, same, note: str, source: str) -> None:
    """Turn population flows predecessor->successor into succession rows with shares.

    `same(pred, succ)` says whether the successor carries the predecessor on (same code): then the
    step is `became_sub_icb` (CCG) or `succeeded`, and any other flow from that predecessor is a
    `boundary_transfer`. A predecessor with no such successor was `split` (or simply `succeeded`)."""
    totals, continues = Counter(), set()
    for (pred, succ), w in flows.items():
        totals[pred] += w
        if same(pred, succ):
            continues.add(pred)
    for (pred, succ), w in sorted(flows.items()):
        if same(pred, succ):
            kind = "became_sub_icb" if pred.startswith("ccg:") else "succeeded"
        elif pred in continues:
            kind = "boundary_transfer"
        else:
            # Shares of one predecessor's population: a step is one of a split or the whole.
            kind = succession_type(pred, succ, [(p, s) for p, s in flows if p == pred])
        t["successions"].append(
            {
                "predecessor_id": pred,
                "successor_id": succ,
                "date": date,
                "type": kind,
                "share": f"{w / totals[pred]:.4f}",
                "note": note,
                "source": source,
            }
        )


def transitions_2022(t: Tables, shared: Path, lsoa: Lsoa) -> None:
    """1 July 2022: CCGs became sub-ICB locations and STPs became ICBs; three areas moved
    (Bassetlaw, Glossop, West Birmingham) and a few LSOAs in North Northamptonshire."""
    ccg21 = read_csv(shared / "history" / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv")
    ccg_ods = {r["CCG21CD"]: r["CCG21CDH"] for r in ccg21}
    stp_ods = {r["STP21CD"]: r["STP21CDH"] for r in ccg21}
    by_lsoa = {r["lsoa11_code"]: r for r in lsoa.y22}
    ccg_flow, stp_flow = Counter(), Counter()
    for r in lsoa.y21:
        new = by_lsoa[r["lsoa11_code"]]
        w = lsoa.weight11(r["lsoa11_code"])
        ccg_flow[(org_id("ccg", ccg_ods[r["ccg21_code"]]), org_id("sub_icb", new["sicbl22_code_h"]))] += w
        stp_flow[(org_id("stp", r["stp21_code"]), org_id("icb", new["icb22_code_h"]))] += w
    note = "population share by LSOA (Census 2021)"
    succession_rows(t, ccg_flow, ICB_START, lambda p, s: p.split(":")[1] == s.split(":")[1], note, "derived_lsoa_census")
    succession_rows(t, stp_flow, ICB_START, lambda p, s: stp_ods[p.split(":")[1]] == s.split(":")[1], note, "derived_lsoa_census")


def transition_2023(t: Tables, lsoa: Lsoa) -> None:
    """1 April 2023: the Surrey Heartlands / Sussex boundary change (both ICBs re-coded).

    Comparing the July 2022 (LSOA 2011) and April 2024 (LSOA 2021) lookups on LSOA codes present in
    both shows which area moved; LSOAs re-coded in 2021 cannot be compared, so this is a floor."""
    y24 = {r["lsoa21_code"]: r for r in lsoa.y24}
    flows = Counter()
    for r in lsoa.y22:
        new = y24.get(r["lsoa11_code"])
        if new and new["sicbl24_code_nhs"] != r["sicbl22_code_h"]:
            flows[(r["sicbl22_code_h"], new["sicbl24_code_nhs"])] += lsoa.census[r["lsoa11_code"]]
    pops = Counter()
    for r in lsoa.y22:
        pops[r["sicbl22_code_h"]] += lsoa.weight11(r["lsoa11_code"])
    icb_of = {r["sicbl22_code_h"]: r["icb22_code_h"] for r in lsoa.y22}
    icb_pops = Counter()
    for code, w in pops.items():
        icb_pops[icb_of[code]] += w
    for (old, new), w in sorted(flows.items()):
        note = f"{round(w):,} residents (Census 2021) in LSOAs that moved"
        t["successions"].append(
            {
                "predecessor_id": org_id("sub_icb", old),
                "successor_id": org_id("sub_icb", new),
                "date": CHANGE_2023,
                "type": "boundary_transfer",
                "share": f"{w / pops[old]:.4f}",
                "note": note,
                "source": "derived_lsoa_census",
            }
        )
        t["successions"].append(
            {
                "predecessor_id": org_id("icb", icb_of[old]),
                "successor_id": org_id("icb", icb_of[new]),
                "date": CHANGE_2023,
                "type": "boundary_transfer",
                "share": f"{w / icb_pops[icb_of[old]]:.4f}",
                "note": note,
                "source": "derived_lsoa_census",
            }
        )


def transitions_2026(t: Tables, editions: list[dict], lsoa: Lsoa, shared: Path) -> None:
    """1 April 2026: 42 ICBs became 36; Frimley's sub-ICB location was split three ways."""
    before = {r["sicbl"]: r["icb"] for r in editions[-2]["rows"]}
    after = {r["sicbl"]: r["icb"] for r in editions[-1]["rows"]}
    sub_flow, icb_flow = Counter(), Counter()
    for r in lsoa.y24:
        w = lsoa.census[r["lsoa21_code"]]
        old, new = r["sicbl24_code_nhs"], sub_icb_2026(lsoa, r)
        sub_flow[(old, new)] += w
        icb_flow[(org_id("icb", before[old]), org_id("icb", after[new]))] += w
    frimley = Counter({(org_id("sub_icb", o), org_id("sub_icb", n)): w for (o, n), w in sub_flow.items() if o == "D4U1Y"})
    succession_rows(
        t,
        frimley,
        MERGERS_2026,
        lambda p, s: False,
        "population share by LSOA (Census 2021), split by district",
        "derived_lsoa_census",
    )
    # ICB-level steps: drop the ICBs that simply carried on unchanged.
    changed = Counter({k: w for k, w in icb_flow.items() if k[0] != k[1]})
    involved = {p for p, _ in changed}
    flows = Counter({k: w for k, w in icb_flow.items() if k[0] in involved})
    totals = Counter()
    for (p, _), w in flows.items():
        totals[p] += w
    continuing = {org_id("icb", code) for code in after.values()}
    for (pred, succ), w in sorted(flows.items()):
        if pred == succ:
            continue  # the continuing part of an ICB that also gave territory away (none in 2026)
        kind = succession_type(pred, succ, flows, carries_on=pred in continuing)
        t["successions"].append(
            {
                "predecessor_id": pred,
                "successor_id": succ,
                "date": MERGERS_2026,
                "type": kind,
                "share": f"{w / totals[pred]:.4f}",
                "note": "population share by LSOA (Census 2021)",
                "source": "derived_lsoa_census",
            }
        )
    # Local authorities in sub-ICBs and ICBs from April 2026.
    sub_w, icb_w = Counter(), Counter()
    for r in lsoa.y24:
        w = lsoa.census[r["lsoa21_code"]]
        la = org_id("la", lsoa.lad23(lsoa.district22_of_lsoa21(r)))
        new = sub_icb_2026(lsoa, r)
        sub_w[(la, org_id("sub_icb", new))] += w
        icb_w[(la, org_id("icb", after[new]))] += w
    add_shares(t, sub_w, MERGERS_2026, "", "derived_lsoa_census")
    add_shares(t, icb_w, MERGERS_2026, "", "derived_lsoa_census")


# --- populations ----------------------------------------------------------------------------


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
        t["populations"].append(
            {
                "org_id": oid,
                "measure": "ons_mid_year_estimate",
                "sex": sex,
                "age": band,
                "value": value,
                "date": "2022-06-30",
                "source": "ons_mye2022_sicbl23",
            }
        )
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
        t["populations"].append(
            {
                "org_id": oid,
                "measure": "gp_registered_patients",
                "sex": sex,
                "age": band,
                "value": value,
                "date": "2026-08-01",
                "source": "nhse_gp_reg_2026_08",
            }
        )
    # Census 2021 usual residents on the April 2026 geography (sub-ICBs, ICBs) and for districts.
    after = {}
    for r in read_csv(g / "nhsd_gp_reg_pat_prac_map_2026-08.csv"):
        after[r["SUB_ICB_LOCATION_CODE"]] = r["ICB_CODE"]
    census = Counter()
    for r in lsoa.y24:
        w = lsoa.census[r["lsoa21_code"]]
        new = sub_icb_2026(lsoa, r)
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
        t["populations"].append(
            {
                "org_id": oid,
                "measure": "census_2021",
                "sex": "all",
                "age": "all",
                "value": value,
                "date": "2021-03-21",
                "source": "derived_lsoa_census",
            }
        )


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


def icb_centroids(t: Tables, g: Path) -> None:
    """Centroids of the April 2023 ICB boundaries (valid while those boundaries stood)."""
    ods = {r["ICB23CD"]: r["ICB23CDH"] for r in read_csv(g / "ons_icb23_names_codes_2023-04.csv")}
    for r in read_csv(g / "ons_icb23_boundaries_en_bsc_attributes_2023-04.csv"):
        oid = org_id("icb", ods[r["ICB23CD"]])
        t["attributes"].append(
            {
                "org_id": oid,
                "key": "centroid",
                "value": f"{float(r['LAT']):.5f},{float(r['LONG']):.5f}",
                "start": CHANGE_2023,
                "end": day_before(MERGERS_2026),
                "source": "ons_icb23_centroids",
            }
        )


def postcode_districts(t: Tables, g: Path, lsoa: Lsoa) -> None:
    """Postcode district -> sub-ICB location rows, dated. The ODS files give the July 2022
    geography, valid from 2022-07-01; only Frimley's D4U1Y ended since (2026-03-31): from
    2026-04-01 each district it touched points at where its Frimley postcodes went
    (frimley_districts_2026). The 2023 Surrey Heartlands / Sussex change kept both codes."""
    pairs = set()
    for path in sorted(g.glob("nhsd-exeter_pcodey*_district_to_sicbl_*.csv")):
        for row in read_csv(path, header=False):
            pairs.add((row[0].strip().upper(), row[2].strip()))
    for district, code in sorted(pairs):
        t["postcode_districts"].append(
            {
                "district": district,
                "org_id": org_id("sub_icb", code),
                "start": ICB_START,
                "end": day_before(MERGERS_2026) if code == "D4U1Y" else "",
                "source": "nhsd_pcode_districts_2022",
            }
        )
    frimley = sorted(d for d, code in pairs if code == "D4U1Y")
    for district, codes in sorted(frimley_districts_2026(g, lsoa, frimley).items()):
        for code in sorted(codes):
            if (district, code) not in pairs:  # an open 2022 row already says the district touches it
                t["postcode_districts"].append(
                    {
                        "district": district,
                        "org_id": org_id("sub_icb", code),
                        "start": MERGERS_2026,
                        "end": "",
                        "source": "derived_frimley_postcode_districts_2026",
                    }
                )


def frimley_districts_2026(g: Path, lsoa: Lsoa, districts: list[str]) -> dict[str, set[str]]:
    """Where the Frimley (D4U1Y) part of each postcode district went on 2026-04-01: for every
    postcode sector of the district, the LSOAs 2011 of the sector (NSPL-derived sector lookup) that
    were in D4U1Y in July 2022 vote, by their district, for U2G6B, D9Y0V or 92A (FRIMLEY_2026); the
    sector goes with the most votes (a tie keeps each), as for the Frimley practices missing from
    the August 2026 map. A district with no sector in the lookup (terminated or non-geographic,
    such as GU95 or SL60) gets no 2026 row."""
    y22 = {r["lsoa11_code"]: r for r in lsoa.y22}
    wanted = set(districts)
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in read_csv(g / "theimpactlab_postcode_sector_to_lsoa11_imd.csv"):
        sector = r["Postcode Sector"]
        district = sector[:4].strip()
        row = y22.get(r["LSOA11CD"])
        if district in wanted and row and row["sicbl22_code_h"] == "D4U1Y":
            votes[(district, sector)][FRIMLEY_2026[row["ltla22_name"]]] += 1
    out: dict[str, set[str]] = defaultdict(set)
    for (district, _), counter in votes.items():
        top = max(counter.values())
        out[district].update(code for code, n in counter.items() if n == top)
    return dict(out)
