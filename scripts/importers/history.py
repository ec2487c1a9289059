"""Importer for the pre-ICB structure: NHS England regions, area teams / local offices, CCGs, STPs
(the Code History Database and the pairing of its GSS codes with ODS codes: importers/chd.py).

Sources (see ../shared/sources/history/MANIFEST.md):
- ONS Code History Database (July 2024) E38/E39/E40/E54, as reshaped by Open Innovations: the
  backbone for names, GSS codes, dates and parents of every period.
- ONS names-and-codes and lookup files for 2013, 2018, 2019, 2020 and 2021: the GSS-to-ODS code
  pairs; the CCG-to-STP lookups of 2017 to 2021 (ons_lookups/ for 2017 and 2018): STP membership.
- ODS eccg extracts (2016, 2018) for the area-team / local-office ODS codes, and the ODS successor
  file (TRUD, September 2023) for CCG and region successions.
- NHSBSA list sizes (April-June 2013) for London's three area teams (importers/area_teams.py,
  which builds the area teams and local offices).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .area_teams import AreaTeams, area_team_successions, area_teams
from .chd import e38_to_ods, eccg_votes, emit_org, pair_by_majority, periods, read_chd
from .common import (
    Tables,
    clean_name,
    clip,
    day_after,
    day_before,
    empty_tables,
    merge_intervals,
    org_id,
    read_csv,
    runs,
    succession_type,
    uncovered,
)
from .curated import CURATED

CCG_ERA_END = "2022-06-30"


def run(shared: Path) -> Tables:
    t = empty_tables()
    chd = read_chd(shared)
    e38_ods = e38_to_ods(shared, chd["E38"])
    e40_ods = regions(t, shared, chd, e38_ods)
    teams = area_teams(t, shared, chd, e38_ods, e40_ods)
    ccgs(t, shared, chd, e38_ods, teams)
    area_team_successions(t)
    stps(t, shared, chd, e40_ods)
    ccg_stps_before_2019(t, shared)
    stp_regions_before_2019(t)
    return t


# --- regions --------------------------------------------------------------------------------


def regions(t: Tables, shared: Path, chd: dict, e38_ods: dict) -> dict[str, str]:
    """NHS England (commissioning) regions, keyed by ODS code (Y54..Y63). Returns E40 -> ODS."""
    h, g = shared / "history", shared / "geography"
    pairs: dict[str, str] = {}
    for row in read_csv(h / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv"):
        pairs[row["NHSER21CD"]] = row["NHSER21CDH"]
    for row in read_csv(g / "ons_sicbl22_icb22_nhser22_2022-07.csv"):
        pairs[row["NHSER22CD"]] = row["NHSER22CDH"]
    for row in read_csv(g / "nhsd_gp_registered_patients_all_ages_region_icb_sicbl_2026-08.csv"):
        if row["ORG_TYPE"] == "Comm Region":
            pairs[row["ONS_CODE"]] = row["ORG_CODE"]
    # Before 2019 no lookup carries region ODS codes: pair each E40 with the ODS region code (eccg
    # column 3) that its CCGs carry in the February 2016 and November 2018 extracts.
    for gss, ods in pair_by_majority(eccg_votes(h, chd, e38_ods, column=2, levels=2)).items():
        pairs.setdefault(gss, ods)

    codes_by_ods = defaultdict(list)
    for gss, entries in sorted(chd["E40"].items()):
        if gss not in pairs:
            raise ValueError(f"region {gss} has no ODS code")
        pers = periods(entries)
        # CHD starts E40000013/14 on 2024-01-01 while their predecessors run to 2024-03-31; the NHS
        # files use the new codes "as at 04_24", so the new codes are taken to start on 2024-04-01.
        for p in pers:
            if p["start"] == "2024-01-01":
                p["start"] = "2024-04-01"
        codes_by_ods[pairs[gss]].append((gss, pers))
    for ods, items in sorted(codes_by_ods.items()):
        emit_org(t, "region", ods, items, (ods, "ons_ccg21_stp21_nhser21"))
    # ODS records the 2019 split of the two large regions; the 2018 split of the South is in the CHD
    # (E40000004 ends 2018-03-31; E40000005 and E40000006 start 2018-04-01).
    for row in read_csv(h / "ods_successors_trud_20230925_tomjemmett.csv"):
        if row["from"] in ("Y54", "Y55"):
            t.succession(
                org_id("region", row["from"]), org_id("region", row["to"]), row["legal_start"], "split", "ods_successors_2023_09"
            )
    for succ in ("Y58", "Y59"):
        t.succession(
            "region:Y57",
            org_id("region", succ),
            "2018-04-01",
            "split",
            "ons_chd_2024_07",
            note="South of England split into South East and South West",
        )
    return pairs


# --- CCGs -----------------------------------------------------------------------------------


def ccg_name(name: str) -> str:
    """CHD names of 2013-15 lack the ' CCG' suffix that the organisations' names carried."""
    name = clean_name(name)
    return name if name.endswith(" CCG") else name + " CCG"


def ccgs(t: Tables, shared: Path, chd: dict, e38_ods: dict, teams: AreaTeams) -> None:
    h = shared / "history"
    by_ods = defaultdict(list)
    for gss, entries in sorted(chd["E38"].items()):
        pers = periods(entries, upto=CCG_ERA_END)
        if pers:
            by_ods[e38_ods[gss]].append((gss, pers))
    for ods, items in sorted(by_ods.items()):
        oid, all_pers = emit_org(t, "ccg", ods, items, (ods, "ons_chd_2024_07"), name_fix=ccg_name)
        for p in all_pers:
            parent = p["parent"]
            if parent and parent.startswith("E39"):
                for s, e, team, source in teams.spans(parent, ods, p["start"], p["end"]):
                    t.member(oid, team, "part_of", s, e, source)
            elif parent and parent.startswith("E54"):
                t.member(oid, org_id("stp", parent), "part_of", p["start"], p["end"], "ons_chd_2024_07")
    # April 2019 to March 2020: the CHD gives E39 parents, the ONS CCG19 lookup gives the STP.
    for row in read_csv(h / "ons_ccg19_stp19_lookup_2019-04.csv"):
        t.member(
            org_id("ccg", row["CCG19CDH"]),
            org_id("stp", row["STP19CD"]),
            "part_of",
            "2019-04-01",
            "2020-03-31",
            "ons_ccg19_stp19",
        )
    # Successions recorded by ODS. The file holds every kind of organisation, so keep CCG pairs.
    ccg_codes = set(by_ods)
    by_date = defaultdict(set)
    for row in read_csv(h / "ods_successors_trud_20230925_tomjemmett.csv"):
        if row["from"] in ccg_codes and row["to"] in ccg_codes:
            by_date[row["legal_start"]].add((row["from"], row["to"]))
    for date, edges in sorted(by_date.items()):
        for pred, succ in sorted(edges):
            t.succession(
                org_id("ccg", pred), org_id("ccg", succ), date, succession_type(pred, succ, edges), "ods_successors_2023_09"
            )


# --- STPs -----------------------------------------------------------------------------------


def stps(t: Tables, shared: Path, chd: dict, e40_ods: dict) -> None:
    """STPs (2016-22), keyed by E54 code: they had no stable ODS identity before 2020."""
    h = shared / "history"
    region_life = {r["org_id"]: (r["start"], r["end"]) for r in t["orgs"] if r["kind"] == "region"}
    ods_codes = {}
    for row in read_csv(h / "ons_ccg20_stp20_lookup_2020-04.csv"):
        ods_codes[row["STP20CD"]] = (row["STP20CDH"], "ons_ccg20_stp20")
    for row in read_csv(h / "ons_ccg21_stp21_nhser21_lookup_2021-04.csv"):
        ods_codes[row["STP21CD"]] = (row["STP21CDH"], "ons_ccg21_stp21_nhser21")
    # QHM was first the code of the Cumbria and North East STP of April 2018 (ODS records QVP, QT8
    # and QMK as its predecessors on 2018-04-01).
    ods_codes["E54000049"] = ("QHM", "ods_successors_2023_09")
    for gss, entries in sorted(chd["E54"].items()):
        pers = []
        for p in periods(entries, upto=CCG_ERA_END):
            # The CHD opens a few April 2020 codes on 2020-03-31 for one day (and closes E54000033 on
            # 2020-03-30): the changes took effect on 2020-04-01.
            if p["start"] == "2020-03-31":
                if p["end"] == "2020-03-31":
                    continue
                p["start"] = "2020-04-01"
            if p["end"] == "2020-03-30":
                p["end"] = "2020-03-31"
            pers.append(p)
        if not pers:
            continue
        oid, _ = emit_org(t, "stp", gss, [(gss, pers)], ods_codes.get(gss))
        for p in pers:
            if p["parent"]:
                # The CHD gives a period's latest parent even when the period began before that
                # region existed (STPs of 2016 under the regions of 2019): keep the part when it existed.
                region = org_id("region", e40_ods[p["parent"]])
                span = clip(p["start"], p["end"], region_life[region][0], region_life[region][1])
                if span:
                    t.member(oid, region, "part_of", span[0], span[1], "ons_chd_2024_07")


# The ONS CCG-to-STP lookups of April 2017 and April 2018, each read for the days until the next
# (the 2017 one also back to April 2016, when the same 44 footprints began), and the source each
# row cites.
CCG_STP_EDITIONS = (
    ("2016-04-01", "2018-03-31", "ons_lookups/ons_ccg17_stp17_lookup_2017-04_v3.csv", "17", "ons_ccg17_stp17"),
    ("2018-04-01", "2019-03-31", "ons_lookups/ons_ccg18_stp18_lookup_2018-04_v2.csv", "18", "ons_ccg18_stp18"),
)


def ccg_stps_before_2019(t: Tables, shared: Path) -> None:
    """CCG membership of STPs from April 2016 to March 2019 (from April 2019: the CCG19 lookup).

    Rule: a CCG belongs to the STP that it (or the CCG it merged into) has in the ONS CCG-to-STP
    lookup of April 2017 (for 2016-04-01 to 2018-03-31) or April 2018 (to 2019-03-31), on the days
    that STP existed. The northern footprints re-drawn in 2017 and 2018 are covered by
    data/curated/ccg_stp_2016.csv instead (the same CCGs, in the STPs of before the re-drawing)."""
    life = {r["org_id"]: (r["start"], r["end"]) for r in t["orgs"]}
    successors = defaultdict(set)
    for r in t["successions"]:
        if r["predecessor_id"].startswith("ccg:") and r["type"] == "merger":
            successors[r["predecessor_id"]].add(r["successor_id"])
    curated = read_csv(CURATED / "ccg_stp_2016.csv")
    covered = defaultdict(list)
    for r in curated:
        oid = org_id("ccg", r["ccg_code"])
        covered[oid].append((r["start"], r["end"]))
        t.member(oid, org_id("stp", r["stp_code"]), "part_of", r["start"], r["end"], "curated_ccg_stp_2016")
    observations = defaultdict(list)
    for first, last, path, yy, source in CCG_STP_EDITIONS:
        stps = {r[f"CCG{yy}CDH"]: r[f"STP{yy}CD"] for r in read_csv(shared / path)}
        for oid, (start, end) in sorted(life.items()):
            span = clip(start, end, first, last) if oid.startswith("ccg:") else None
            if not span:
                continue
            target = oid
            while target.split(":")[1] not in stps and len(successors[target]) == 1:
                target = next(iter(successors[target]))
            code = stps.get(target.split(":")[1])
            if code is None:
                raise ValueError(f"{oid}: no STP in {path} for it or its successor")
            stp = org_id("stp", code)
            span = clip(span[0], span[1], *life[stp])
            if span:
                observations[oid].append((*span, stp, source))
    for oid, obs in sorted(observations.items()):
        for s, e, stp, source in runs(obs):
            # Days the curated rows cover are theirs (the footprints before the northern re-drawing).
            for gap_start, gap_end in uncovered(s, e, covered[oid]):
                t.member(oid, stp, "part_of", gap_start, gap_end, source)


def stp_regions_before_2019(t: Tables) -> None:
    """The NHS England region of each STP before April 2020 on days no source gives one (the CHD
    has STP parents only from April 2019, and none for the STPs recoded in 2020): the region of
    the area teams (local offices) of its CCGs, by majority, on each stretch of days between
    changes to either."""
    first, last = "2016-04-01", "2020-03-31"
    part_of = [r for r in t["memberships"] if r["relation"] == "part_of"]

    def on(day: str, child_kind: str, parent_kind: str) -> dict[str, str]:
        return {
            r["child_id"]: r["parent_id"]
            for r in part_of
            if r["child_id"].startswith(child_kind + ":")
            and r["parent_id"].startswith(parent_kind + ":")
            and r["start"] <= day <= (r["end"] or "9999-12-31")
        }

    changes = {first}
    for r in part_of + t["orgs"]:
        for d in (r["start"], day_after(r["end"]) if r["end"] else ""):
            if d and first < d <= last:
                changes.add(d)
    days = sorted(changes)
    spans: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for day, nxt in zip(days, days[1:] + [day_after(last)]):
        ccg_stp, ccg_at, at_region = on(day, "ccg", "stp"), on(day, "ccg", "area_team"), on(day, "area_team", "region")
        votes: dict[str, Counter] = defaultdict(Counter)
        for ccg, stp in ccg_stp.items():
            region = at_region.get(ccg_at.get(ccg, ""))
            if region:
                votes[stp][region] += 1
        known = on(day, "stp", "region")  # the CHD's own parents, where it gives them
        for stp, counter in votes.items():
            if stp not in known:
                spans[(stp, counter.most_common(1)[0][0])].append((day, day_before(nxt)))
    for (stp, region), days_ in sorted(spans.items()):
        for s, e in merge_intervals(days_):
            t.member(stp, region, "part_of", s, e, "derived_stp_regions")
