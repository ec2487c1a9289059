"""Organisations inside the ICSs: NHS trusts, GP practices, PCNs, partner councils, ICB websites.

``run(shared)`` reads the raw files under ``shared`` (../shared/sources) and returns tidy rows for
orgs, codes, names, attributes, memberships, successions and populations (the sources they cite
are described in data/curated/importer_sources.csv). It creates orgs of kinds
trust, practice, pcn and la (only the councils named as ICB partners that are not local authority
districts; districts are created by the geography importer as ``la:<LAD23 code>``). ICBs,
sub-ICB locations, CCGs and regions belong to another importer and are only referenced here.

Dating conventions used throughout (see the source notes for the per-file caveats):
- The 42-ICB era runs 2022-07-01..2026-03-31; the 36-ICB era starts 2026-04-01. Files from before
  April 2026 describe the first, the 2026 files (etr 2026-07, GP map 2026-08) the second.
- A change seen between two editions whose exact date is unknown is dated 1 April of the later
  edition's financial year (2024-04-01 for ePCN Oct 2024, 2026-04-01 for the 2026 files): ODS,
  PCN and ICB reconfigurations normally take effect on 1 April.
- Every interval is clipped to the lifetime of both ends of a relation, so no row refers to an
  ICB, sub-ICB location or CCG on a day it did not exist.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from .common import (
    DATA_START,
    Tables,
    clean_name,
    clip,
    day_after,
    day_before,
    edition_runs,
    empty_tables,
    end_or_open,
    ods_date,
    read_csv,
    read_zip_csv,
    succession_type,
    title_case_ods,
)
from .curated import la_changes

ERA_START = "2022-07-01"  # ICBs and sub-ICB locations start; CCGs end the day before
CCG_END = "2022-06-30"
ERA42_END = "2026-03-31"  # last day of the 42 ICBs
ERA36_START = "2026-04-01"  # first day of the 36 ICBs (and of the 2026 files' position)
EPCN23_AS_AT = "2023-01-09"  # latest date in the January 2023 ePCN edition
EPCN24_AS_AT = "2024-10-01"  # latest date in the October 2024 ePCN edition
EPCN_2024_FROM = "2024-04-01"  # 1 April of the Oct 2024 ePCN edition's financial year
COUNCIL_START = ""  # councils are older than the data: their start is "before coverage" (empty)
REORG_2023 = "2023-04-01"  # Cumbria split; North Yorkshire and Somerset became unitary
FT_FIRST = "2004-04-01"  # the first NHS foundation trusts were authorised on 1 April 2004

# --- source ids (described in data/curated/importer_sources.csv) ------------------------------
# The geography importer also cites the two August 2026 NHS England files (as nhse_gp_reg_map_2026_08
# and nhse_gp_reg_2026_08); these ids are distinct, each describing the file as this importer uses it.
S_ETR25 = "ods_etr_2025"
S_ETR26 = "ods_etr_2026_07"
S_EPRACCUR = "ods_epraccur_2025_09"
S_EPCN23 = "ods_epcn_2023_01"
S_EPCN24 = "ods_epcn_2024_10"
S_MAP26 = "nhse_gp_reg_practice_map_2026_08"
S_SUCC = "ods_successors_2023_09"  # defined by the history importer
S_SINGAGE26 = "nhse_gp_reg_pcn_2026_08"
S_QOFMAP = "nhsd_qof_mapping_2022_23"
S_QOFPREV = "nhsd_qof_prevalence_2022_23"
S_PARTNERS = "nhse_icb_partners_2023_08"
S_ICBURL26 = "community_icb_urls_2026_08"
S_ICBURL22 = "thirdparty_icb22_websites"
S_RULES = "derived_organisations_rules"
S_PRACTICE_PRED = "derived_practice_ccg_predecessor"


def readable(name: str) -> str:
    """title_case_ods plus fixes for what it gets wrong in practice, PCN and trust names."""
    out = title_case_ods(name)
    out = re.sub(r"\(([a-z])", lambda m: "(" + m.group(1).upper(), out)  # "(hull)" -> "(Hull)"
    out = re.sub(r"(?<=[A-Za-z])\.([a-z])", lambda m: "." + m.group(1).upper(), out)  # "Med.group"
    out = re.sub(r"\bO'([a-z])", lambda m: "O'" + m.group(1).upper(), out)  # "O'brien"
    out = re.sub(r"\bMc([a-z])", lambda m: "Mc" + m.group(1).upper(), out)  # "Mckenzie"
    out = re.sub(r"\b(\d+)(ST|ND|RD|TH)\b", lambda m: m.group(1) + m.group(2).lower(), out)  # "1ST"
    out = re.sub(r"\bLTD\b", "Ltd", out)
    return out


# --- reference lifetimes of the organisations owned by other importers ------------------------


@dataclass
class Geo:
    """Which ICB / sub-ICB / CCG ids exist when (from the brief's facts, checked against files)."""

    icb42: set[str]
    icb36: set[str]
    icb_names42: dict[str, str]  # normalised short name -> ODS code
    sub_icb: dict[str, tuple[str, str]]  # code -> (start, end)
    ccg: dict[str, tuple[str, str]]  # code -> (start, end)

    def icb_life(self, code: str) -> tuple[str, str] | None:
        start = ERA_START if code in self.icb42 else ERA36_START if code in self.icb36 else None
        if start is None:
            return None
        return start, ("" if code in self.icb36 else ERA42_END)

    def parent_life(self, parent_id: str) -> tuple[str, str] | None:
        kind, code = parent_id.split(":", 1)
        if kind == "icb":
            return self.icb_life(code)
        if kind == "sub_icb":
            return self.sub_icb.get(code)
        if kind == "ccg":
            return self.ccg.get(code)
        return None


def _icb_short(name: str) -> str:
    name = name.lower().replace("&", " and ")
    name = re.sub(r"^nhs\s+|\s+integrated care board$|\s+icb$", "", name)
    return " ".join(re.sub(r"[^a-z ]", " ", name).split())


def load_geo(shared: Path) -> Geo:
    org = shared / "organisations"
    ons = read_csv(org / "ons_icb_names_codes_2024-12.csv")
    icb42 = {r["ICB24CDH"] for r in ons}
    icb_names42 = {_icb_short(r["ICB24NM"]): r["ICB24CDH"] for r in ons}
    gpmap = read_csv(shared / "geography" / "nhsd_gp_reg_pat_prac_map_2026-08.csv")
    icb36 = {r["ICB_CODE"] for r in gpmap}
    sub26 = {r["SUB_ICB_LOCATION_CODE"] for r in gpmap}
    # eccg: CCG rows have no role (closed by 2021) or RO319 (carried on as sub-ICB locations).
    ccg, sub_icb = {}, {}
    for r in read_csv(org / "ods_eccg_subicb_icb_2025.csv", encoding="cp1252", header=False):
        code, opened, closed, role = r[0], ods_date(r[10]), ods_date(r[11]), r[13]
        if role not in ("", "RO319", "RO319|RO326"):
            continue  # commissioning hubs and sub-ICB reporting entities
        # 13T's ODS record opened 2014-11-26 ahead of the 2015-04-01 Newcastle Gateshead merger.
        start = "2015-04-01" if code == "13T" else max(opened, DATA_START)
        span = clip(start, closed, hi=CCG_END)
        if span:
            ccg[code] = span
        if role and not closed:
            sub_icb[code] = (ERA_START, "" if code in sub26 else ERA42_END)
    for code in sub26 - set(sub_icb):
        sub_icb[code] = (ERA36_START, "")  # U2G6B, new on 2026-04-01
    geo = Geo(icb42, icb36, icb_names42, sub_icb, ccg)
    # The brief's facts; fail loudly if a source file ever disagrees.
    assert len(icb42) == 42 and len(icb36) == 36 and len(icb42 - icb36) == 12, "ICB counts"
    assert sorted(icb36 - icb42) == sorted(["S1Y5D", "D7T5G", "T6Y0W", "Z9B2Z", "S0E4D", "S9B9J"])
    assert len([c for c, (s, _) in sub_icb.items() if s == ERA_START]) == 106, "106 sub-ICBs"
    assert [c for c, (_, e) in sub_icb.items() if e] == ["D4U1Y"], "only D4U1Y ends"
    assert [c for c, (s, _) in sub_icb.items() if s == ERA36_START] == ["U2G6B"]
    return geo


# --- row collection ----------------------------------------------------------------------------


@dataclass
class Out:
    geo: Geo
    t: Tables = field(default_factory=empty_tables)
    # (child, relation, parent kind) -> list of [start, end, parent, source]
    links: dict = field(default_factory=lambda: defaultdict(list))

    def link(self, child, parent, relation, span, source, life=None, plife=None):
        """Queue a membership, clipped to the child's and the parent's lifetimes. ICB, sub-ICB and
        CCG parents are bounded by their known lifetimes; an unknown one drops the row."""
        if span is None:
            return
        if parent.split(":")[0] in ("icb", "sub_icb", "ccg"):
            plife = self.geo.parent_life(parent)
            if plife is None:
                return
        for bound in (life, plife):
            if span and bound:
                span = clip(span[0], span[1], bound[0], bound[1])
        if span:
            key = (child, relation, parent.split(":")[0])
            self.links[key].append([span[0], span[1], parent, source])

    def settle(self):
        """Emit memberships. Same parent and source: merge overlaps. Different parent (one parent
        of a kind per day): the later-starting interval wins and the earlier one is cut short."""
        for (child, relation, _kind), items in sorted(self.links.items()):
            items.sort(key=lambda x: (x[0], end_or_open(x[1]), x[2], x[3]))
            kept: list[list] = []
            for cur in items:
                while kept and cur[0] <= end_or_open(kept[-1][1]):
                    prev = kept[-1]
                    if prev[2] == cur[2] and prev[3] == cur[3]:
                        cur = [prev[0], max(prev[1], cur[1], key=end_or_open), cur[2], cur[3]]
                        kept.pop()
                        continue
                    if relation == "partner":
                        break  # a trust or council can partner several ICBs at once
                    # End the earlier interval the day before; drop it if nothing is left.
                    cut = day_before(cur[0])
                    if prev[0] and cut < prev[0]:
                        kept.pop()
                        continue
                    prev[1] = cut
                    break
                kept.append(cur)
            for s, e, parent, source in kept:
                self.t.member(child, parent, relation, s, e, source)


def write_history(out: Out, oid: str, key: str, values: list[tuple[str, str, str]], life: tuple[str, str]):
    """A name or attribute whose value may differ between editions: values are (from, value, source)."""
    for s, e, value, source in edition_runs([v for v in values if v[1]], *life):
        if key == "name":
            out.t.name(oid, value, s, e, source)
        else:
            out.t.attr(oid, key, value, s, e, source)


# --- 1. NHS trusts -------------------------------------------------------------------------------

# When a trust's name differs between the 2025 and 2026-07 etr editions the new name starts on
# 2026-04-01 (the 2026 edition's boundary) unless the rename came with a dated takeover:
TRUST_RENAMED_ON = {
    "RA7": "2026-07-01",  # University Hospitals Bristol and Weston took over North Bristol (RVJ closed 2026-06-30)
    "RWW": "2026-04-01",  # Warrington and Halton took over Bridgewater (RY2 closed 2026-03-31)
    "RY3": "2026-04-01",  # Norfolk Community Health and Care took over Cambs Community Services (RYV closed 2026-03-31)
}


@dataclass
class Trust:
    code: str
    start: str
    end: str


def _trust_type(name: str) -> str:
    return "foundation trust" if "FOUNDATION TRUST" in name.upper() else "NHS trust"


def import_trusts(shared: Path, geo: Geo, out: Out) -> dict[str, Trust]:
    org = shared / "organisations"
    ed25 = {r[0]: r for r in read_csv(org / "ods_etr_nhs_trusts_2025.csv", header=False)}
    ed26 = {r[0]: r for r in read_csv(org / "ods_etr_nhs_trusts_2026-07.csv", header=False)}
    trusts: dict[str, Trust] = {}
    for code in sorted(set(ed25) | set(ed26)):
        old, new = ed25.get(code), ed26.get(code)
        latest = new or old
        if not latest[2].startswith("Y"):
            continue  # Welsh trusts (Velindre, Welsh Ambulance, Public Health Wales): no geography
        oid = f"trust:{code}"
        start, end = ods_date(latest[10]), ods_date(latest[11])  # the latest edition knows closures
        life = (start, end)
        # The 2026 edition is the source of a trust only it lists, or whose closure only it records.
        src = S_ETR26 if new and (not old or (end and not old[11])) else S_ETR25
        trusts[code] = Trust(code, start, end)
        out.t.org(oid, "trust", start, end, src)
        out.t.code(oid, "ods", code, start, end, src)

        # Names, postcode and type per edition; the 2026 edition's values start at the rename date.
        switch = TRUST_RENAMED_ON.get(code, ERA36_START)
        editions = [(start, old, S_ETR25), (switch, new, S_ETR26)] if old and new else [(start, latest, src)]
        write_history(out, oid, "name", [(f, readable(r[1]), s) for f, r, s in editions], life)
        write_history(out, oid, "postcode", [(f, clean_name(r[9]), s) for f, r, s in editions], life)
        for s, e, value, source in edition_runs([(f, _trust_type(r[1]), s) for f, r, s in editions], *life):
            span = clip(s, e, FT_FIRST) if value == "foundation trust" else (s, e)
            if span:
                out.t.attr(oid, "trust_type", value, span[0], span[1], source)

        # hq_in: column 4 is the ICB of the trust's HQ; 42 ICBs from the 2025 edition, 36 from 2026.
        if old and old[3] in geo.icb42:
            out.link(oid, f"icb:{old[3]}", "hq_in", (ERA_START, ERA42_END), S_ETR25, life)
        if new and new[3] in geo.icb36:
            out.link(oid, f"icb:{new[3]}", "hq_in", (ERA36_START, ""), S_ETR26, life)
    return trusts


# --- 1b/4. ICB partners: trusts and councils (NHS England ICB Partners MASTER, Aug 2023) --------

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


def import_trust_successions(shared: Path, trusts: dict[str, Trust], out: Out) -> None:
    """Trust-to-trust steps of the ODS successor file (TRUD, September 2023), classified by their
    shape on each date: several into one is a merger, one into several a split. A step is kept
    only if the dates agree with the trusts' own (the predecessor existed before the date and the
    successor on it); the later mergers of 2024-26 are curated (data/curated/successions.csv)."""
    by_date = defaultdict(set)
    for r in read_csv(shared / "history" / "ods_successors_trud_20230925_tomjemmett.csv"):
        a, b = trusts.get(r["from"]), trusts.get(r["to"])
        if (
            a
            and b
            and a.code != b.code
            and (a.start or "") < r["legal_start"]
            and (b.start or "") <= r["legal_start"] <= (b.end or "9999-12-31")
        ):
            by_date[r["legal_start"]].add((a.code, b.code))
    for day, edges in sorted(by_date.items()):
        for pred, succ in sorted(edges):
            carries_on = not (trusts[pred].end and trusts[pred].end < day)
            kind = succession_type(pred, succ, edges, carries_on)
            out.t.succession(f"trust:{pred}", f"trust:{succ}", day, kind, S_SUCC)


def _council_key(name: str) -> str:
    n = name.lower().replace("&", " and ").replace("-", " ").replace(".", " ").replace("'", "")
    n = re.sub(r",\s*(city|county) of$", "", n)
    n = re.sub(r"^(london borough of|royal borough of|corporation of the|council of the|city of)\s+", "", n)
    n = re.sub(r"\s+(metropolitan borough|metropolitan district|borough|city|county|district)?\s*council$", "", n)
    n = re.sub(r"^(london borough of|royal borough of|city of)\s+", "", n)
    n = " ".join(n.replace(",", " ").split())
    return LAD_ALIASES.get(n, n)


def _xlsx_rows(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def import_partners(shared: Path, geo: Geo, trusts: dict[str, Trust], out: Out) -> None:
    rows = _xlsx_rows(shared / "history" / "nhse_icb_partners_master_2023.xlsx", "ICB Partners")
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
        kind = _trust_type(name)
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


# --- 2. GP practices -----------------------------------------------------------------------------


@dataclass
class Practice:
    code: str
    start: str
    end: str


class EarlierParents:
    """A practice's CCGs before the first parent the practice files give it (epraccur has only the
    latest commissioner and its join date; QOF 2022-23 a sub-ICB location from 2022-07-01).

    Walking back from (parent, day) while the successions into that parent on that day (ODS
    successors, the curated CCG boundary changes, the July 2022 transitions) leave exactly one
    organisation that can have been the practice's parent the day before. When the practice
    *joined* the parent on that day (epraccur's join date), the parent's own same-code
    continuation (CCG -> sub-ICB location) is ruled out, since ODS carries join dates across it:
    so a practice that joined sub-ICB location 15E on 2022-07-01 came from D2P2L (West
    Birmingham), one that joined 15M then from 01Y (Glossop), one that joined 01K on 2017-04-01
    from 01H (South Cumbria). A CCG formed by a merger has several predecessors: the walk stops
    there, as the sources do not say which of them the practice was in.

    Each CCG found is taken to have been the practice's since that CCG (or the practice, or the
    data) began, as no source records an earlier move; the walk then goes on from the CCG's first
    day. (The postcode route, sector -> LSOA11 -> ONS April 2021 CCG, was tried and left out: it
    agrees wherever the successions answer, except for three West Birmingham practices whose
    sectors lie wholly in Birmingham and Solihull CCG, and it answers nothing they leave open; a
    practice belongs to a CCG as a member, not by where it stands.)"""

    def __init__(self, geo: Geo, successions: list[dict]):
        self.geo = geo
        self.into: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for r in successions:
            if r["successor_id"].split(":")[0] in ("ccg", "sub_icb"):
                self.into[(r["successor_id"], r["date"])].append(r)

    def predecessor(self, parent: str, day: str, joined: bool) -> str | None:
        steps = self.into.get((parent, day), [])
        if joined:
            steps = [r for r in steps if r["predecessor_id"].split(":")[1] != parent.split(":")[1]]
        preds = {r["predecessor_id"] for r in steps}
        return preds.pop() if len(preds) == 1 else None

    def before(self, first: tuple[str, str, bool], life: tuple[str, str]) -> list[tuple[str, str, str]]:
        """[(ccg, start, end)] before `first` = (parent, from, joined on that day?), latest first."""
        parent, day, joined = first
        floor = max(life[0] or "", DATA_START)
        out = []
        while day and day > floor:
            prev = self.predecessor(parent, day, joined)
            plife = self.geo.parent_life(prev) if prev and prev.startswith("ccg:") else None
            if plife is None or not (plife[0] <= day_before(day) <= end_or_open(plife[1])):
                break
            out.append((prev, max(plife[0], floor), day_before(day)))
            parent, day, joined = prev, plife[0], False
        return out


def import_practices(
    shared: Path, geo: Geo, out: Out, successions: list[dict] = ()
) -> tuple[dict[str, Practice], dict[str, dict], dict[str, list]]:
    """Returns the practices, the Aug 2026 map by practice and the epraccur rows by code.
    `successions`: the CCG and sub-ICB successions of the other importers, for EarlierParents."""
    org = shared / "organisations"
    earlier = EarlierParents(geo, successions)
    rows = read_csv(org / "ods_epraccur_gp_practices_2025-09.csv", header=False)
    gpmap = {r["PRACTICE_CODE"]: r for r in read_csv(shared / "geography" / "nhsd_gp_reg_pat_prac_map_2026-08.csv")}
    qof = {r["PRACTICE_CODE"]: r for r in read_csv(org / "nhsd_qof_MAPPING_NHS_GEOGRAPHIES_2022-23.csv")}
    practices: dict[str, Practice] = {}
    for r in rows:
        # Prescribing setting 4 = GP practice; national grouping W00 = Wales.
        if r[25] != "4" or r[2] == "W00":
            continue
        code = r[0]
        oid = f"practice:{code}"
        start, end = ods_date(r[10]), ods_date(r[11])
        if not end and code not in gpmap:
            # Open (or dormant) in September 2025 but not in the August 2026 map: closed by then, on
            # a day the files do not give; like PCNs, taken to have closed at the 2026 boundary.
            end = day_before(ERA36_START)
        life = (start, end)
        practices[code] = Practice(code, start, end)
        out.t.org(oid, "practice", start, end, S_EPRACCUR)
        out.t.code(oid, "ods", code, start, end, S_EPRACCUR)
        m = gpmap.get(code)

        # Names/postcodes that differ in the Aug 2026 map are dated from 2026-04-01 (rename date unknown).
        later = [(ERA36_START, m, S_MAP26)] if m else []
        write_history(
            out,
            oid,
            "name",
            [(start, readable(r[1]), S_EPRACCUR)] + [(f, readable(x["PRACTICE_NAME"]), s) for f, x, s in later],
            life,
        )
        write_history(
            out,
            oid,
            "postcode",
            [(start, clean_name(r[9]), S_EPRACCUR)] + [(f, clean_name(x["PRACTICE_POSTCODE"]), s) for f, x, s in later],
            life,
        )

        # Commissioner (col 15) over join..left (cols 16-17): a CCG before 2022-07-01, the sub-ICB
        # location with the same code from then. Practices in the 2026 map take its sub-ICB from
        # 2026-04-01 (this moves the Frimley D4U1Y practices to U2G6B, 92A or D9Y0V).
        comm, joined, left = r[14], ods_date(r[15]), ods_date(r[16])
        hi = day_before(ERA36_START) if m else ""
        out.link(oid, f"ccg:{comm}", "part_of", (joined, left), S_EPRACCUR, life)
        out.link(oid, f"sub_icb:{comm}", "part_of", clip(joined, left, hi=hi), S_EPRACCUR, life)
        # epraccur only has the latest commissioner. QOF 2022-23 (as at 2023-03-31) fills the gap
        # before a join date after 2023-03-31 (e.g. 14 practices moved 03Q -> 42D on 2024-04-01).
        q = qof.get(code)
        first = (f"ccg:{comm}" if joined < ERA_START else f"sub_icb:{comm}", joined, True)
        if q and joined > "2023-03-31":
            qcode = q["SUB_ICB_ODS_CODE"]
            out.link(oid, f"sub_icb:{qcode}", "part_of", (ERA_START, day_before(joined)), S_QOFMAP, life)
            first = (f"sub_icb:{qcode}", ERA_START, False)
        # Before the first known parent: the CCGs that the successions leave no doubt about.
        for parent, s, e in earlier.before(first, life):
            out.link(oid, parent, "part_of", (s, e), S_PRACTICE_PRED, life)
        if m:
            mcode = m["SUB_ICB_LOCATION_CODE"]
            out.link(oid, f"sub_icb:{mcode}", "part_of", (ERA36_START, ""), S_MAP26, life)

    # QOF 2022-23 list sizes (TOTAL rows), one per practice.
    prev = read_csv(org / "nhsd_qof_PREVALENCE_2022-23.csv")
    sizes: dict[str, str] = {}
    for r in prev:
        if r["PATIENT_LIST_TYPE"] == "TOTAL":
            assert sizes.setdefault(r["PRACTICE_CODE"], r["PRACTICE_LIST_SIZE"]) == r["PRACTICE_LIST_SIZE"]
    for code, size in sorted(sizes.items()):
        assert code in practices, code
        out.t.population(f"practice:{code}", "qof_list_size", int(size), "2023-03-31", S_QOFPREV)
    return practices, gpmap, {r[0]: r for r in rows}


# --- 3. Primary care networks --------------------------------------------------------------------


@dataclass
class Pcn:
    code: str
    start: str
    end: str
    name_history: list = field(default_factory=list)  # [(from, name, source)]
    sub_history: list = field(default_factory=list)  # [(from, sub-ICB code, source)]


def _epcn(path: Path):
    details = _xlsx_rows(path, "PCNDetails")
    partners = _xlsx_rows(path, "PCN Core Partner Details")
    assert details[0][:6] == ("PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Sub ICB Location", "Open Date", "Close Date")
    assert partners[0][0].startswith("Partner") and partners[0][4] == "PCN Code", partners[0]
    return [r for r in details[1:] if r[0]], [r for r in partners[1:] if r[0]]


def _ccg_of(out: Out, practice: str, day: str) -> str | None:
    """The CCG a practice is queued to be in on `day` (the later-starting row wins, as in settle)."""
    items = [x for x in out.links.get((practice, "part_of", "ccg"), []) if (x[0] or "") <= day <= end_or_open(x[1])]
    return max(items, key=lambda x: x[0] or "")[2] if items else None


def pcn_ccg_before_2022(
    code: str, sub: str, start: str, end: str, rel: dict, moved_in: dict[str, set[str]], out: Out
) -> str | None:
    """A PCN's CCG before 2022-07-01 when it was not the CCG of its (later) sub-ICB location's code:
    the sub-ICB location took in part of another CCG on 2022-07-01 and, on the PCN's last CCG-era
    day, most of its member practices with a known CCG were in that CCG. None: ccg:<sub>."""
    if not moved_in.get(sub):
        return None
    last = min(end_or_open(end), CCG_END)
    votes = Counter()
    for (prac, pcn), spans in rel.items():
        if pcn == code and any((s or "") <= last <= end_or_open(e) for s, e, _ in spans):
            ccg = _ccg_of(out, f"practice:{prac}", last)
            if ccg == f"ccg:{sub}" or ccg in moved_in[sub]:
                votes[ccg] += 1
    if not votes:
        return None
    best = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0] != f"ccg:{sub}", kv[0]))[0][0]
    return None if best == f"ccg:{sub}" else best


def import_pcns(
    shared: Path,
    geo: Geo,
    practices: dict[str, Practice],
    gpmap: dict[str, dict],
    epraccur: dict[str, list],
    out: Out,
    successions: list[dict] = (),
) -> None:
    org = shared / "organisations"
    # Sub-ICB code -> the other CCGs that gave it part of their area on 2022-07-01.
    moved_in: dict[str, set[str]] = defaultdict(set)
    for r in successions:
        pred, succ = r["predecessor_id"], r["successor_id"]
        if (
            r["date"] == ERA_START
            and pred.startswith("ccg:")
            and succ.startswith("sub_icb:")
            and pred.split(":")[1] != succ.split(":")[1]
        ):
            moved_in[succ.split(":")[1]].add(pred)
    det23, part23 = _epcn(org / "ods_epcn_pcns_2023-01.xlsx")
    det24, part24 = _epcn(org / "ods_epcn_pcns_2024-10.xlsx")

    # Practice -> PCN relationships. The 2024 edition repeats every 2023 pair and adds end dates,
    # so for a pair present in both, the later edition's rows replace the earlier ones.
    rel: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for source, part in ((S_EPCN24, part24), (S_EPCN23, part23)):
        seen = defaultdict(list)
        for r in part:
            seen[(r[0], r[4])].append((ods_date(r[8]), ods_date(r[9] or ""), source))
        for key, spans in seen.items():
            if key not in rel:
                rel[key] = spans

    pcns: dict[str, Pcn] = {}
    for source, det in ((S_EPCN23, det23), (S_EPCN24, det24)):
        for r in det:
            code = r[0]
            p = pcns.setdefault(code, Pcn(code, ods_date(r[4]), ods_date(r[5])))
            p.start, p.end = ods_date(r[4]), ods_date(r[5])  # the later edition wins
            frm = p.start if not p.name_history else EPCN_2024_FROM
            p.name_history.append((frm, readable(r[1]), source))
            p.sub_history.append((frm, r[2], source))

    # A sub-ICB change between the ePCN editions is dated by the member practices' commissioner
    # join date to the new code (epraccur), else 1 April 2024.
    for code, p in pcns.items():
        if len(p.sub_history) == 2 and p.sub_history[0][1] != p.sub_history[1][1]:
            new_sub = p.sub_history[1][1]
            joins = Counter(
                ods_date(epraccur[prac][15])
                for (prac, pc) in rel
                if pc == code and prac in epraccur and epraccur[prac][14] == new_sub
            )
            frm = joins.most_common(1)[0][0] if joins else EPCN_2024_FROM
            if not (EPCN23_AS_AT < frm <= EPCN24_AS_AT):
                frm = EPCN_2024_FROM
            p.sub_history[1] = (frm, new_sub, p.sub_history[1][2])

    # The Aug 2026 map: PCNs and practice -> PCN from 2026-04-01 ("U" = unallocated, not a PCN).
    map_pcn: dict[str, list[dict]] = defaultdict(list)
    for m in gpmap.values():
        if m["PCN_CODE"] != "U":
            map_pcn[m["PCN_CODE"]].append(m)
    for code, p in pcns.items():
        if not p.end and code not in map_pcn:
            # Open in Oct 2024 but gone by Aug 2026: assumed closed at the 2026 boundary.
            p.end = day_before(ERA36_START)
    for code in sorted(map_pcn):
        members = sorted(map_pcn[code], key=lambda m: m["PRACTICE_CODE"])
        subs = Counter(m["SUB_ICB_LOCATION_CODE"] for m in members)
        p = pcns.get(code)
        if p is None:
            # New since Oct 2024: opened at the 2026 boundary as far as these files can tell.
            p = pcns[code] = Pcn(code, ERA36_START, "")
        last = p.sub_history[-1][1] if p.sub_history else None
        # Keep the ePCN parent if some member practice is still in it; otherwise the sub-ICB most
        # member practices are in (ties: lowest code). Cross-boundary PCNs exist.
        if last in subs and geo.sub_icb.get(last, ("", "x"))[1] == "":
            sub = last
        else:
            sub = sorted(subs.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        p.name_history.append((ERA36_START, readable(members[0]["PCN_NAME"]), S_MAP26))
        p.sub_history.append((ERA36_START, sub, S_MAP26))

    for code in sorted(pcns):
        p = pcns[code]
        oid = f"pcn:{code}"
        life = (p.start, p.end)
        src = p.name_history[0][2]
        out.t.org(oid, "pcn", p.start, p.end, src)
        out.t.code(oid, "ods", code, p.start, p.end, src)
        write_history(out, oid, "name", p.name_history, life)
        for s, e, sub, source in edition_runs(p.sub_history, *life):
            # Before 2022-07-01 the code was a CCG's: map the PCN to ccg:<code> for the part of its
            # life before then (clipped to the CCG's lifetime); ePCN has no CCG-era history. Where
            # the sub-ICB location took in part of another CCG on 2022-07-01 (Glossop, West
            # Birmingham, 9 LSOAs of 06H) and the PCN's practices were in that CCG, so was the PCN.
            ccg = pcn_ccg_before_2022(code, sub, s, e, rel, moved_in, out) if s < ERA_START else None
            if ccg:
                out.link(oid, ccg, "part_of", (s, min(end_or_open(e), CCG_END)), S_RULES)
            else:
                out.link(oid, f"ccg:{sub}", "part_of", (s, e), source)
            out.link(oid, f"sub_icb:{sub}", "part_of", (s, e), source)

    # Practice -> PCN memberships. A practice in the 2026 map is in its map PCN from 2026-04-01;
    # its ePCN relationships are cut at the boundary (this also covers "Unallocated" practices).
    for (prac, code), spans in sorted(rel.items()):
        if prac not in practices:
            continue  # 4 ePCN partners are not GP practices (other prescribing cost centres)
        pr, p = practices[prac], pcns[code]
        hi = day_before(ERA36_START) if prac in gpmap else ""
        for s, e, source in spans:
            out.link(
                f"practice:{prac}", f"pcn:{code}", "part_of", clip(s, e, hi=hi), source, (pr.start, pr.end), (p.start, p.end)
            )
    for prac, m in sorted(gpmap.items()):
        if m["PCN_CODE"] != "U":
            pr, p = practices[prac], pcns[m["PCN_CODE"]]
            out.link(
                f"practice:{prac}", f"pcn:{p.code}", "part_of", (ERA36_START, ""), S_MAP26, (pr.start, pr.end), (p.start, p.end)
            )

    # Registered patients per PCN, 1 August 2026 (all sexes, all ages).
    zpath = shared / "geography" / "nhsd_gp_reg_pat_prac_sing_age_regions_2026-08.zip"
    for r in read_zip_csv(zpath):
        if r["ORG_TYPE"] == "PCN" and r["SEX"] == "ALL" and r["AGE"] == "ALL" and r["ORG_CODE"] != "U":
            assert r["EXTRACT_DATE"] == "2026-08-01", r["EXTRACT_DATE"]
            assert r["ORG_CODE"] in pcns, r["ORG_CODE"]
            out.t.population(
                f"pcn:{r['ORG_CODE']}", "gp_registered_patients", int(r["NUMBER_OF_PATIENTS"]), "2026-08-01", S_SINGAGE26
            )


# --- 5. ICB websites -----------------------------------------------------------------------------


def import_websites(shared: Path, geo: Geo, out: Out) -> None:
    urls26 = {}
    for r in read_csv(shared / "organisations" / "community_davewest84_icb_urls_2026-08.csv"):
        assert r["ods_code"] in geo.icb36, r["ods_code"]
        if r["url_root"].strip():
            urls26[r["ods_code"]] = r["url_root"].strip()
            out.t.attr(f"icb:{r['ods_code']}", "website", r["url_root"].strip(), ERA36_START, "", S_ICBURL26)
    for r in read_csv(shared / "geography" / "derived_icb22_websites_thirdparty_unverified.csv"):
        code = geo.icb_names42[_icb_short(r["name"])]
        if code not in geo.icb36:
            out.t.attr(f"icb:{code}", "website", r["url"].strip(), ERA_START, ERA42_END, S_ICBURL22)
        elif code not in urls26:
            out.t.attr(f"icb:{code}", "website", r["url"].strip(), ERA_START, "", S_ICBURL22)


def run(shared: Path, successions: list[dict] = ()) -> Tables:
    """`successions`: those the other importers found (CCG mergers and boundary changes, the July
    2022 transitions); they let practices' CCG history go back before their commissioner join date."""
    shared = Path(shared)
    geo = load_geo(shared)
    out = Out(geo)
    trusts = import_trusts(shared, geo, out)
    import_partners(shared, geo, trusts, out)
    practices, gpmap, epraccur = import_practices(shared, geo, out, successions)
    import_pcns(shared, geo, practices, gpmap, epraccur, out, successions)
    import_websites(shared, geo, out)
    import_trust_successions(shared, trusts, out)
    out.settle()
    return out.t
