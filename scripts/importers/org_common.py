"""What the organisation importers (trusts, partners, practices, PCNs, ICB websites) share: the
eras' dates, the source ids they cite (described in data/curated/importer_sources.csv), readable
ODS names, the lifetimes of the ICBs, sub-ICB locations and CCGs other importers own (``Geo``), and
the membership queue (``Out``) that clips every relation to both ends' lifetimes and keeps one
parent of a kind per day.

Dating conventions used throughout (see the source notes for the per-file caveats):
- The 42-ICB era runs 2022-07-01..2026-03-31; the 36-ICB era starts 2026-04-01. Files from before
  April 2026 describe the first, the 2026 files (etr 2026-07, GP map 2026-08) the second.
- A change seen between two editions whose exact date is unknown is dated 1 April of the later
  edition's financial year (2024-04-01 for ePCN Oct 2024, 2026-04-01 for the 2026 files): ODS,
  PCN and ICB reconfigurations normally take effect on 1 April. (The CCG era's practice and PCN
  history dates such a move to the later edition and says so: practice_ccgs.py.)
- Every interval is clipped to the lifetime of both ends of a relation, so no row refers to an
  ICB, sub-ICB location or CCG on a day it did not exist.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from .common import (
    DATA_START,
    Tables,
    clip,
    day_before,
    edition_runs,
    empty_tables,
    end_or_open,
    ods_date,
    read_csv,
    title_case_ods,
)

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
S_CLOSED26 = "derived_closed_2026"  # open in the last ODS file, gone from the Aug 2026 map


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


def icb_short(name: str) -> str:
    name = name.lower().replace("&", " and ")
    name = re.sub(r"^nhs\s+|\s+integrated care board$|\s+icb$", "", name)
    return " ".join(re.sub(r"[^a-z ]", " ", name).split())


def load_geo(shared: Path) -> Geo:
    org = shared / "organisations"
    ons = read_csv(org / "ons_icb_names_codes_2024-12.csv")
    icb42 = {r["ICB24CDH"] for r in ons}
    icb_names42 = {icb_short(r["ICB24NM"]): r["ICB24CDH"] for r in ons}
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


def xlsx_rows(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
