"""Links between areas, from the blocks of every day (importers/area_geography.py), weighted by
Census 2021 residents (source derived_lsoa_census):

- overlaps: each district's share of residents in each CCG, STP, sub-ICB location and ICB, on
  every day from 2013-04-01, one row per run of days with the same share (a run that starts with
  the April 2026 changes cites them: derived_icb_2026, as do the successions of that day);
- the transitions of 1 July 2022 (CCGs became sub-ICB locations, STPs ICBs; Bassetlaw, Glossop,
  West Birmingham and 9 North Northamptonshire LSOAs moved), 1 April 2023 (Surrey Heartlands /
  Sussex) and 1 April 2026 (42 ICBs became 36, Frimley's sub-ICB location split), as successions
  with population shares;
- before July 2022: the share of every recorded succession between areas (CCGs, STPs, area teams,
  regions, districts) where it is blank, and a boundary_transfer for LSOAs that moved between two
  CCGs or STPs that both carried on, where none is recorded (2017: South Norfolk to Norwich; 2018:
  Greater Preston and Morecambe Bay to Fylde and Wyre; ...).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .area_geography import AreaGeography, kind_of
from .common import OPEN, Tables, day_before, succession_type
from .lsoa import CHANGE_2023, ICB_START, MERGERS_2026, SOURCE_2026

SOURCE = "derived_lsoa_census"
POPULATION_SHARE = "population share by LSOA (Census 2021)"
MOVED = "LSOAs moved between the ONS lookups; population share by LSOA (Census 2021)"


def share(part: int, whole: int) -> str:
    """A share with four decimals, never shown as 0 when something moved."""
    return f"{max(part / whole, 0.0001):.4f}"


def overlaps(t: Tables, geo: AreaGeography) -> None:
    """District -> CCG/sub-ICB location and STP/ICB overlaps with shares, as runs of days."""
    spans: dict[tuple[str, str], list] = defaultdict(list)
    for i, day in enumerate(geo.days):
        end = day_before(geo.days[i + 1]) if i + 1 < len(geo.days) else ""
        weights, totals = Counter(), Counter()
        for b, lv in geo.levels_on(day).items():
            w = geo.small.population[b]
            totals[lv["la"]] += w
            for level in ("area", "system"):
                if level in lv and w:
                    weights[(lv["la"], lv[level])] += w
        for (la, other), w in weights.items():
            value = share(w, totals[la])
            runs = spans[(la, other)]
            if runs and runs[-1][2] == value and runs[-1][1] == day_before(day):
                runs[-1][1] = end
            else:
                runs.append([day, end, value])
    for (la, other), runs in sorted(spans.items()):
        for s, e, value in runs:
            t.member(la, other, "overlaps", s, e, SOURCE_2026 if s == MERGERS_2026 else SOURCE, share=value)


def succession_rows(t: Tables, flows: dict[tuple[str, str], int], date: str, same, note: str, source: str = SOURCE) -> None:
    """Population flows predecessor -> successor as successions with shares. `same(pred, succ)`:
    the successor carries the predecessor on (same code): `became_sub_icb` (CCG) or `succeeded`,
    and any other flow from that predecessor is a `boundary_transfer`; a predecessor with no such
    successor was `split` (or simply `succeeded`)."""
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
            kind = succession_type(pred, succ, [(p, s) for p, s in flows if p == pred])
        t.succession(pred, succ, date, kind, source, share=share(w, totals[pred]), note=note)


def transitions(t: Tables, geo: AreaGeography, tables: Tables) -> None:
    """1 July 2022, 1 April 2023 and 1 April 2026."""
    stp_ods = {
        r["org_id"]: r["code"]
        for r in tables["codes"]
        if r["org_id"].startswith("stp:") and r["scheme"] == "ods" and (r["end"] or OPEN) >= day_before(ICB_START)
    }
    code = lambda oid: oid.split(":", 1)[1]  # noqa: E731
    succession_rows(t, geo.flows(ICB_START, "area"), ICB_START, lambda p, s: code(p) == code(s), POPULATION_SHARE)
    succession_rows(t, geo.flows(ICB_START, "system"), ICB_START, lambda p, s: stp_ods.get(p) == code(s), POPULATION_SHARE)
    # 1 April 2023: the Surrey Heartlands / Sussex boundary change (both ICBs and sub-ICBs re-coded).
    for level in ("area", "system"):
        flows = geo.flows(CHANGE_2023, level)
        totals = Counter()
        for (old, _), w in flows.items():
            totals[old] += w
        for (old, new), w in sorted(flows.items()):
            if old != new:
                note = f"{w:,} residents (Census 2021) in LSOAs that moved"
                t.succession(old, new, CHANGE_2023, "boundary_transfer", SOURCE, share=share(w, totals[old]), note=note)
    # 1 April 2026: Frimley's sub-ICB location split by district; 42 ICBs became 36.
    frimley = {k: w for k, w in geo.flows(MERGERS_2026, "area").items() if k[0] == "sub_icb:D4U1Y"}
    split = "population share by LSOA (Census 2021), split by district"
    succession_rows(t, frimley, MERGERS_2026, lambda p, s: False, split, SOURCE_2026)
    flows = geo.flows(MERGERS_2026, "system")
    involved = {p for (p, s) in flows if p != s}
    flows = {k: w for k, w in flows.items() if k[0] in involved}
    totals = Counter()
    for (p, _), w in flows.items():
        totals[p] += w
    continuing = set(geo.blocks_on(MERGERS_2026, "system"))
    for (pred, succ), w in sorted(flows.items()):
        if pred != succ:
            kind = succession_type(pred, succ, flows, carries_on=pred in continuing)
            t.succession(pred, succ, MERGERS_2026, kind, SOURCE_2026, share=share(w, totals[pred]), note=POPULATION_SHARE)


LEVEL_KINDS = {"area": ("ccg",), "system": ("stp",), "area_team": ("area_team",), "region": ("region",), "la": ("la",)}


def earlier_shares(t: Tables, geo: AreaGeography, tables: Tables) -> list[str]:
    """Before July 2022: fill the blank shares of recorded successions between areas, and record
    the boundary transfers between CCGs or STPs that both carried on. Returns notes for the log
    (flows no succession records, from an organisation that ended)."""
    by_day = defaultdict(list)
    for r in tables["successions"]:
        if r["date"] < ICB_START:
            by_day[r["date"]].append(r)
    notes = []
    for day in geo.days:
        if day >= ICB_START or day == geo.days[0]:
            continue
        for level, kinds in LEVEL_KINDS.items():
            flows = geo.flows(day, level)
            totals = Counter()
            for (old, _), w in flows.items():
                totals[old] += w
            recorded = {(r["predecessor_id"], r["successor_id"]): r for r in by_day[day] if kind_of(r["predecessor_id"]) in kinds}
            for (pred, succ), r in recorded.items():
                w = flows.get((pred, succ), 0)
                if w and r["share"] in ("", None):
                    r["share"] = share(w, totals[pred])
            alive = set(geo.blocks_on(day, level))
            for (pred, succ), w in sorted(flows.items()):
                if pred == succ or (pred, succ) in recorded or not w:
                    continue
                if pred in alive and level in ("area", "system"):
                    t.succession(pred, succ, day, "boundary_transfer", SOURCE, share=share(w, totals[pred]), note=MOVED)
                else:
                    notes.append(f"{day}: {w:,} residents went from {pred} to {succ}, which no succession records")
    return notes


def check_stps(geo: AreaGeography) -> None:
    """The STP of each LSOA in the ONS lookups of April 2017, 2018 and 2021 is its CCG's STP."""
    small = geo.small
    for ed in small.lookups.editions:
        if not ed.stp:
            continue
        levels = geo.levels_on(ed.date)
        bad = [c for c, stp in sorted(ed.stp.items()) if levels[small.block_of[c]].get("system") != f"stp:{stp}"]
        if bad:
            raise ValueError(f"{ed.source}: LSOAs whose STP is not their CCG's on {ed.date}: {bad[:10]}")
