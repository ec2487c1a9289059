"""Local authority districts (la:<GSS code>) from 2013 and their overlaps with CCGs, STPs,
sub-ICB locations and ICBs from April 2021.

Sources: ONS LAD names and boundaries (December 2023), the districts of the July 2022 LSOA lookup
(those abolished on 2023-04-01), data/curated/la_changes.csv (the reorganisations of 2019-2023),
and the LSOA lookups weighted by Census 2021 for the overlaps (importers/lsoa.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .common import Tables, clean_name, day_before, org_id, read_csv
from .lsoa import CHANGE_2023, ICB_START, MERGERS_2026, Lsoa, add_shares


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

    def district(code: str, name: str, start: str, end: str, source: str) -> str:
        oid = org_id("la", code)
        t.org(oid, "la", start, end, source)
        t.code(oid, "ons", code, start, end, source)
        t.name(oid, name, start, end, source)
        return oid

    for code, name in sorted(lsoa.lad22_names.items()):
        if code not in lad23:  # abolished on 2023-04-01
            change = changes.get(code)
            if not change or change["end"] != day_before(CHANGE_2023) or change["name"] != name:
                raise ValueError(
                    f"district {code} {name} left the LAD list in 2023 but data/curated/la_changes.csv does not say so"
                )
            district(code, name, change["start"], change["end"], "ons_lsoa11_sicbl22")
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
        district(code, change["name"], change["start"], change["end"], "curated_la_changes")
    for code, r in sorted(lad23.items()):
        start = CHANGE_2023 if code not in lsoa.lad22_names else changes.get(code, {}).get("start", "")
        oid = district(code, clean_name(r["LAD23NM"]), start, "", "ons_lad23")
        t.attr(oid, "area_km2", f"{float(r['Shape__Area']) / 1e6:.1f}", start, "", "ons_lad23")

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
