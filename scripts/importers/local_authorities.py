"""Local authority districts (la:<GSS code>) from 2013. Their overlaps with CCGs, STPs, sub-ICB
locations and ICBs come from the small areas (importers/area_links.py).

Sources: ONS LAD names and boundaries (December 2023), the districts of the July 2022 LSOA lookup
(those abolished on 2023-04-01) and data/curated/la_changes.csv (the reorganisations of 2019-2023).
"""

from __future__ import annotations

from pathlib import Path

from .common import Tables, clean_name, day_before, org_id, read_csv
from .lsoa import CHANGE_2023, Lookups


def local_authorities(t: Tables, shared: Path, lsoa: Lookups, changes: dict[str, dict]) -> None:
    """Every English LAD of 2021-23 and the districts abolished in the 2019-2021 reorganisations
    (from data/curated/la_changes.csv).

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
