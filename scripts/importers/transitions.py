"""The transitions between geographies, as successions with population shares: 1 July 2022
(CCGs became sub-ICB locations and STPs ICBs; Bassetlaw, Glossop and West Birmingham moved), 1
April 2023 (the Surrey Heartlands / Sussex boundary change) and 1 April 2026 (42 ICBs became 36;
Frimley's sub-ICB location split three ways). Shares are of Census 2021 residents, summed over the
LSOAs that moved (importers/lsoa.py; source derived_lsoa_census, and derived_icb_2026 for the
changes of April 2026).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .common import Tables, org_id, read_csv, succession_type
from .lsoa import CHANGE_2023, ICB_START, MERGERS_2026, Lsoa, add_shares

POPULATION_SHARE = "population share by LSOA (Census 2021)"
# The rows of the April 2026 changes cite the 2026 files through this rule (its url: the NHS England
# GP registration mapping of August 2026); the shares are weighted as in derived_lsoa_census.
SOURCE_2026 = "derived_icb_2026"


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
        t.succession(pred, succ, date, kind, source, share=f"{w / totals[pred]:.4f}", note=note)


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
    note = POPULATION_SHARE
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
        for pred, succ, share in (
            (org_id("sub_icb", old), org_id("sub_icb", new), w / pops[old]),
            (org_id("icb", icb_of[old]), org_id("icb", icb_of[new]), w / icb_pops[icb_of[old]]),
        ):
            t.succession(pred, succ, CHANGE_2023, "boundary_transfer", "derived_lsoa_census", share=f"{share:.4f}", note=note)


def transitions_2026(t: Tables, editions: list[dict], lsoa: Lsoa, shared: Path) -> None:
    """1 April 2026: 42 ICBs became 36; Frimley's sub-ICB location was split three ways."""
    before = {r["sicbl"]: r["icb"] for r in editions[-2]["rows"]}
    after = {r["sicbl"]: r["icb"] for r in editions[-1]["rows"]}
    sub_flow, icb_flow = Counter(), Counter()
    for r in lsoa.y24:
        w = lsoa.census[r["lsoa21_code"]]
        old, new = r["sicbl24_code_nhs"], lsoa.sub_icb_2026(r)
        sub_flow[(old, new)] += w
        icb_flow[(org_id("icb", before[old]), org_id("icb", after[new]))] += w
    frimley = Counter({(org_id("sub_icb", o), org_id("sub_icb", n)): w for (o, n), w in sub_flow.items() if o == "D4U1Y"})
    succession_rows(
        t,
        frimley,
        MERGERS_2026,
        lambda p, s: False,
        "population share by LSOA (Census 2021), split by district",
        SOURCE_2026,
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
        share = f"{w / totals[pred]:.4f}"
        t.succession(pred, succ, MERGERS_2026, kind, SOURCE_2026, share=share, note=POPULATION_SHARE)
    # Local authorities in sub-ICBs and ICBs from April 2026.
    sub_w, icb_w = Counter(), Counter()
    for r in lsoa.y24:
        w = lsoa.census[r["lsoa21_code"]]
        la = org_id("la", lsoa.lad23(lsoa.district22_of_lsoa21(r)))
        new = lsoa.sub_icb_2026(r)
        sub_w[(la, org_id("sub_icb", new))] += w
        icb_w[(la, org_id("icb", after[new]))] += w
    add_shares(t, sub_w, MERGERS_2026, "", SOURCE_2026)
    add_shares(t, icb_w, MERGERS_2026, "", SOURCE_2026)
