"""Importer for the ICB era: ICBs and sub-ICB locations (their codes, names, place names and
parents), ICB centroids and postcode districts of July 2022 on; ``run`` also calls the importer of
local authorities (importers/local_authorities.py). The areas' populations, overlaps and
transitions come later, from the small areas (importers/areas.py).

Sources (see ../shared/sources/geography/MANIFEST.md): the ONS SICBL-ICB-NHSER lookups of July 2022
and April 2023; the NHS England GP-registration mapping of August 2026 (the best source for the
36-ICB structure); the blocks of LSOAs (importers/small_areas.py) weighted by Census 2021
population, for place names; ONS LAD names. The source notes name two rules of this module:
sub_icb_district_place_names and frimley_districts_2026 (importers/area_postcodes.py).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from .area_postcodes import frimley_districts_2026
from .common import (
    OPEN,
    Tables,
    clean_name,
    day_after,
    day_before,
    edition_runs_by_key,
    empty_tables,
    merge_intervals,
    org_id,
    read_csv,
    runs,
    uncovered,
)
from .local_authorities import local_authorities
from .lsoa import CHANGE_2023, ICB_START, MERGERS_2026
from .small_areas import SmallAreas


def run(shared: Path, la_changes: list[dict], small: SmallAreas) -> Tables:
    """la_changes: the curated local government changes (data/curated/la_changes.csv); small:
    the blocks of LSOAs (importers/small_areas.py)."""
    t = empty_tables()
    g = shared / "geography"
    editions = icb_editions(shared)
    icbs_and_sub_icbs(t, editions)
    sub_icb_place_names(t, shared, editions)
    local_authorities(t, shared, small.lookups, {r["code"]: r for r in la_changes})
    sub_icb_district_place_names(t, small)
    icb_centroids(t, g)
    postcode_districts(t, g, small)
    return t


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


# --- ICBs and sub-ICB locations -------------------------------------------------------------


def icbs_and_sub_icbs(t: Tables, editions: list[dict]) -> None:
    for kind, key, ons, name, parent_kind in (
        ("icb", "icb", "icb_ons", "icb_name", "region"),
        ("sub_icb", "sicbl", "sicbl_ons", "sicbl_name", "icb"),
    ):
        codes = edition_runs_by_key(editions, lambda r, key=key: r[key], lambda r, ons=ons: r[ons])
        names = edition_runs_by_key(editions, lambda r, key=key: r[key], lambda r, name=name: clean_name(r[name]))
        parents = edition_runs_by_key(editions, lambda r, key=key: r[key], lambda r, p=parent_kind: r[p])
        for code in sorted(codes):
            oid = org_id(kind, code)
            [(start, end)] = merge_intervals((s, e) for s, e, _, _ in codes[code])
            first_source = codes[code][0][3]
            # One that ended cites the first edition without it, which dates the end (the 2026 file
            # for those abolished on 2026-03-31); its codes, names and parents cite the editions
            # that show them.
            ended_by = [ed["source"] for ed in editions if end and ed["date"] == day_after(end)]
            t.org(oid, kind, start, end, ended_by[0] if ended_by else first_source)
            t.code(oid, "ods", code, start, end, first_source)
            for s, e, value, src in codes[code]:
                t.code(oid, "ons", value, s, e, src)
            for s, e, value, src in names[code]:
                t.name(oid, value, s, e, src)
                if kind == "icb":
                    t.name(oid, short_icb_name(value), s, e, src, type_="short")
            for s, e, value, src in parents[code]:
                t.member(oid, org_id(parent_kind, value), "part_of", s, e, src)


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
        t.name(org_id("sub_icb", code), place, start, end, "ons_ccg21_stp21_nhser21", type_="short")


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


def sub_icb_district_place_names(t: Tables, small: SmallAreas) -> None:
    """A place name (short name) for each sub-ICB location on the days no official one covers
    (01Y and D2P2L from July 2022, 92A and U2G6B from April 2026): the districts its residents live
    in, by the blocks of the day weighted by Census 2021 (source derived_sub_icb_place_names)."""
    weights = [defaultdict(Counter) for _ in PLACE_ERAS]
    for i, (first, _) in enumerate(PLACE_ERAS):
        for (area, la), w in small.weights(first).items():
            weights[i][area.split(":", 1)[1]][la.split(":", 1)[1]] += w
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
        gaps = []
        for i, (first, last) in enumerate(PLACE_ERAS):
            s, e = max(first, org["start"]), min(last or OPEN, org["end"] or OPEN)
            if s > e:
                continue
            name = district_place_name(weights[i][code], names_on[i])
            if name is not None:
                gaps += [(gs, ge, name, None) for gs, ge in uncovered(s, "" if e == OPEN else e, short[oid])]
        # The same name across lookup editions: one row.
        for gs, ge, name, _ in runs(gaps):
            t.name(oid, name, gs, ge, "derived_sub_icb_place_names", type_="short")


def icb_centroids(t: Tables, g: Path) -> None:
    """Centroids of the April 2023 ICB boundaries (valid while those boundaries stood)."""
    ods = {r["ICB23CD"]: r["ICB23CDH"] for r in read_csv(g / "ons_icb23_names_codes_2023-04.csv")}
    for r in read_csv(g / "ons_icb23_boundaries_en_bsc_attributes_2023-04.csv"):
        oid = org_id("icb", ods[r["ICB23CD"]])
        centroid = f"{float(r['LAT']):.5f},{float(r['LONG']):.5f}"
        t.attr(oid, "centroid", centroid, CHANGE_2023, day_before(MERGERS_2026), "ons_icb23_centroids")


def postcode_districts(t: Tables, g: Path, small: SmallAreas) -> None:
    """Postcode district -> sub-ICB location rows, dated. The ODS files give the July 2022
    geography, valid from 2022-07-01; only Frimley's D4U1Y ended since (2026-03-31): from
    2026-04-01 each district it touched points at where its Frimley postcodes went
    (frimley_districts_2026). The 2023 Surrey Heartlands / Sussex change kept both codes."""
    pairs = set()
    for path in sorted(g.glob("nhsd-exeter_pcodey*_district_to_sicbl_*.csv")):
        for row in read_csv(path, header=False):
            pairs.add((row[0].strip().upper(), row[2].strip()))
    for district, code in sorted(pairs):
        end = day_before(MERGERS_2026) if code == "D4U1Y" else ""
        t.postcode_district(district, org_id("sub_icb", code), ICB_START, end, "nhsd_pcode_districts_2022")
    frimley = sorted(d for d, code in pairs if code == "D4U1Y")
    for district, codes in sorted(frimley_districts_2026(small, frimley).items()):
        for code in sorted(codes):
            if (district, code) not in pairs:  # an open 2022 row already says the district touches it
                oid = org_id("sub_icb", code)
                t.postcode_district(district, oid, MERGERS_2026, "", "derived_frimley_postcode_districts_2026")
