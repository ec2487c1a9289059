"""ICB partners (NHS England ICB Partners MASTER, August 2023): the trusts and councils named in
each ICB's constitution, 2022-07-01..2026-03-31, with the change log applied at its real dates."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from .common import clean_name, day_after, day_before, read_csv
from .curated import la_changes
from .org_common import (
    COUNCIL_START,
    ERA42_END,
    ERA_START,
    FT_FIRST,
    REORG_2023,
    S_PARTNERS,
    S_RULES,
    Geo,
    Out,
    xlsx_rows,
)
from .trusts import Trust, trust_type

# Care trusts named as partners are not in etr (ODS lists them in ect); their open dates are not in
# these files, so their orgs start blank. Camden and Islington (TAF) merged with Barnet, Enfield and
# Haringey (RRP, closed 2024-10-31) into North London NHS FT (G6V2S, opened 2024-11-01 at TAF's HQ).
CARE_TRUST_END = {"TAF": "2024-10-31"}
# The sheet pairs "Central London Community Healthcare NHS Trust" with RYE (South Central Ambulance,
# which serves neither Hertfordshire nor West Essex); CLCH is RYX, as in its other four rows.
PARTNER_TRUST_FIX = {("QM7", "RYE", "Central London Community Healthcare NHS Trust"): "RYX"}
# Partners dropped from the sheet by its change log (applied with their dated effect):
REMOVED_TRUST_PARTNERS = [("QYG", "RVY"), ("QSL", "RA4")]  # ended by their trusts' closure dates
# Councils: the 2023 local government reorganisation (effective 2023-04-01; the change log entries
# are dated 2023-08-01/07, when the sheet was edited). Cumbria County Council is no longer on the
# sheet. North Yorkshire (218) and Somerset (905) county councils carried on as the unitary councils
# of the new LADs, keeping their ODS codes; before 2023-04-01 they were county councils, not LADs.
PRE_2023_COUNTY = {
    "102": ("Cumbria County Council", None),
    "218": ("North Yorkshire County Council", "E06000065"),
    "905": ("Somerset County Council", "E06000066"),
}
CUMBRIA_PARTNER_OF = ["QE1", "QHM"]
# "Buckinghamshire County Council (612)" on the QU9 rows was abolished on 2020-03-31; the partner is
# the unitary Buckinghamshire Council, which the QHG rows give as 916.
STALE_LA_CODE = {"612": "916"}
# Partner-sheet names that differ from LAD23NM by more than council boilerplate.
LAD_ALIASES = {
    "middlesborough": "middlesbrough",  # sic in the sheet
    "durham": "county durham",
    "hull": "kingston upon hull",
    "bcp": "bournemouth christchurch and poole",
}


def _council_key(name: str) -> str:
    n = name.lower().replace("&", " and ").replace("-", " ").replace(".", " ").replace("'", "")
    n = re.sub(r",\s*(city|county) of$", "", n)
    n = re.sub(r"^(london borough of|royal borough of|corporation of the|council of the|city of)\s+", "", n)
    n = re.sub(r"\s+(metropolitan borough|metropolitan district|borough|city|county|district)?\s*council$", "", n)
    n = re.sub(r"^(london borough of|royal borough of|city of)\s+", "", n)
    n = " ".join(n.replace(",", " ").split())
    return LAD_ALIASES.get(n, n)


def import_partners(shared: Path, geo: Geo, trusts: dict[str, Trust], out: Out) -> None:
    rows = xlsx_rows(shared / "history" / "nhse_icb_partners_master_2023.xlsx", "ICB Partners")
    header = rows[4]
    assert header[1] == "ODS ICB Code" and header[7] == "ODS LA Code" and header[9] == "ODS Trust Code", header
    era = (ERA_START, ERA42_END)
    trust_partners: set[tuple[str, str]] = set()
    care_trusts: dict[str, str] = {}
    councils: dict[str, set[str]] = defaultdict(set)  # ODS LA code -> ICBs
    council_names: dict[str, set[str]] = defaultdict(set)
    for r in rows[5:]:
        icb = (r[1] or "").strip()
        if not icb:
            continue
        assert icb in geo.icb42, icb
        if r[9]:
            name, code = clean_name(r[8]), str(r[9]).strip()
            code = PARTNER_TRUST_FIX.get((icb, code, name), code)
            trust_partners.add((icb, code))
            if code not in trusts:
                care_trusts[code] = name
        if r[7] is not None:
            code = STALE_LA_CODE.get(str(r[7]).strip(), str(r[7]).strip())
            councils[code].add(icb)
            council_names[code].add(clean_name(r[6]))
    trust_partners.update(REMOVED_TRUST_PARTNERS)

    for code, name in sorted(care_trusts.items()):
        oid = f"trust:{code}"
        end = CARE_TRUST_END.get(code, "")
        src = S_RULES if end else S_PARTNERS
        trusts[code] = Trust(code, "", end)
        out.t.org(oid, "trust", "", end, src)
        out.t.code(oid, "ods", code, "", end, S_PARTNERS)
        out.t.name(oid, name, "", end, S_PARTNERS)
        kind = trust_type(name)
        out.t.attr(oid, "trust_type", kind, FT_FIRST if kind == "foundation trust" else "", end, S_PARTNERS)
    for icb, code in sorted(trust_partners):
        t = trusts[code]
        out.link(f"trust:{code}", f"icb:{icb}", "partner", era, S_PARTNERS, (t.start, t.end))
    # North London NHS FT (G6V2S) took over two QMJ partners (RRP and TAF) on 2024-11-01; the
    # sheet predates it, so its QMJ partnership is inferred from theirs.
    g = trusts["G6V2S"]
    out.link("trust:G6V2S", "icb:QMJ", "partner", era, S_RULES, (g.start, g.end))

    # Councils: key on the LAD23 code when the council is a district/unitary, else the ODS LA code.
    lad_rows = read_csv(shared / "geography" / "ons_lad23_boundaries_uk_bfc_attributes_2023-12.csv")
    lads = {_council_key(r["LAD23NM"]): r["LAD23CD"] for r in lad_rows if r["LAD23CD"].startswith("E")}
    # LADs created since 2013 (data/curated/la_changes.csv): their ODS code rows start with them.
    lad_created = {}
    for r in la_changes():
        if r["start"]:
            lad_created[r["code"]] = r["start"]
        if r["successor_code"] and r["end"]:
            lad_created[r["successor_code"]] = day_after(r["end"])
    for code in sorted(councils):
        names = sorted(council_names[code])
        if code in PRE_2023_COUNTY:
            county, lad = PRE_2023_COUNTY[code]
            # (org id, start, end, created here?) : the county council, then the unitary LAD
            periods = [(f"la:{code}", COUNCIL_START, day_before(REORG_2023), True), (f"la:{lad}", REORG_2023, "", False)]
        else:
            county = None
            matches = {lads.get(_council_key(n)) for n in names}
            assert len(matches) == 1, (code, names, matches)  # all spellings agree
            lad = matches.pop()
            assert lad or len(names) == 1, (code, names)
            if lad:
                periods = [(f"la:{lad}", lad_created.get(lad, COUNCIL_START), "", False)]
            else:
                periods = [(f"la:{code}", COUNCIL_START, "", True)]
        for oid, start, end, create in periods:
            out.t.code(oid, "ods", code, start, end, S_PARTNERS)
            if create:
                out.t.org(oid, "la", start, end, S_PARTNERS)
                out.t.name(oid, county or names[0], start, end, S_PARTNERS)
            for icb in sorted(councils[code]):
                out.link(oid, f"icb:{icb}", "partner", era, S_PARTNERS, (start, end))

    # Cumbria County Council (102): no longer on the sheet; partner of QE1 and QHM until abolished.
    assert "102" not in councils
    start, end = COUNCIL_START, day_before(REORG_2023)
    out.t.org("la:102", "la", start, end, S_PARTNERS)
    out.t.code("la:102", "ods", "102", start, end, S_PARTNERS)
    out.t.name("la:102", PRE_2023_COUNTY["102"][0], start, end, S_PARTNERS)
    for icb in CUMBRIA_PARTNER_OF:
        out.link("la:102", f"icb:{icb}", "partner", era, S_PARTNERS, (start, end))
