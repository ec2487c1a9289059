"""NHS England's area teams (2013-15) and local offices (2015-20), for the history importer: the
organisations (E39 codes of the ONS Code History Database paired with ODS Q-codes), their
regions, the area team of each CCG on each day, and the successions between them.

London: NHS England ran 27 area teams from 2013-04-01 (ODS Q44 to Q70), three of them in London
(Q61 North East London, which also covered north central London; Q62 North West London; Q63 South
London; NHS Business Services Authority, April-June 2013). ONS grouped the three as one,
E39000018 "London" (its April 2013 lookup has 25 area teams), and OpenPrescribing pairs that code
with Q71, the code ODS gives NHS England London as a local office (eccg, February 2016). So here:
- Q61, Q62 and Q63 are three organisations, 2013-04-01 to 2015-03-31, each carrying E39000018 as
  the ONS code it was reported under (source ons_ccg13_nhsat13), with their CCGs as NHSBSA lists
  them (source nhsbsa_list_size_2013_q2);
- Q71 (NHS England London) is the local office from 2015-04-01, with E39000018 from then on;
- the three are succeeded by Q71 on 2015-04-01 (source derived_london_area_teams: see its note for
  what the sources say about that date and what they do not).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .chd import eccg_votes, emit_org, pair_by_majority, periods, read_eccg
from .common import DATA_START, Tables, clip, day_after, day_before, org_id, read_csv, succession_type, title_case_ods

LONDON_E39 = "E39000018"  # ONS's one London area team (2013-15), then NHS England London (2015-20)
# The CHD ends E39000018's "London" period on 2015-03-31 and starts "NHS England London" on
# 2015-04-01, the day the other area teams became local offices (ODS successors Q44-Q69 to Q72-Q82).
LONDON_TEAMS_END = "2015-03-31"
LONDON_OFFICE = "Q71"
LONDON_REGION = "Y56"
# A CCG that NHSBSA lists under another area team than ONS does, outside London. Where the sources
# disagree the official one is kept: ONS (CCG13 to NHSAT13 lookup) places 99M (North East Hampshire
# and Farnham) in Wessex (E39000025, Q70); NHSBSA under Surrey and Sussex (Q68).
NHSBSA_DIFFERS_FROM_ONS = {"99M"}
CHD = "ons_chd_2024_07"
NHSBSA = "nhsbsa_list_size_2013_q2"
LONDON_RULE = "derived_london_area_teams"


class AreaTeams:
    """The area-team key of each E39 code, and of each London CCG before 2015-04-01."""

    def __init__(self, keys: dict[str, str], london: dict[str, str]):
        self.keys = keys  # E39 GSS code -> org key (ODS Q-code, or the GSS code where ODS has none)
        self.london = london  # London CCG ODS code -> its area team (Q61, Q62 or Q63)

    def spans(self, gss: str, ccg: str, start: str, end: str) -> list[tuple[str, str, str, str]]:
        """(start, end, area team org id, source) for a CCG whose CHD parent is `gss` over [start, end]."""
        if gss != LONDON_E39:
            return [(start, end, org_id("area_team", self.keys[gss]), CHD)]
        out = []
        before = clip(start, end, "", LONDON_TEAMS_END)
        if before:
            out.append((*before, org_id("area_team", self.london[ccg]), NHSBSA))
        after = clip(start, end, day_after(LONDON_TEAMS_END), "")
        if after:
            out.append((*after, org_id("area_team", self.keys[gss]), CHD))
        return out


def eccg_area_codes(h: Path, file: str) -> set[str]:
    """The area team / local office codes (column 4) of the CCGs of an ODS eccg extract."""
    return {row[3] for row in read_eccg(h / file) if row[13] == "C" and row[3]}


def area_teams(t: Tables, shared: Path, chd: dict, e38_ods: dict[str, str], e40_ods: dict[str, str]) -> AreaTeams:
    """NHS area teams (2013-15) and NHS England local offices (2015-20), E39, with their regions."""
    h = shared / "history"
    pairs = {row["ons_code"]: row["hscic_code"] for row in read_csv(h / "openprescribing_area_teams_2013_ons_hscic_codes.csv")}
    # Local offices: pair each E39 with the Q-code its CCGs carry in eccg column 4.
    for gss, ods in pair_by_majority(eccg_votes(h, chd, e38_ods, column=3, levels=1)).items():
        if pairs.setdefault(gss, ods) != ods:
            raise ValueError(f"{gss} pairs with both {pairs[gss]} and {ods}")
    # Local offices of 2016-17 and 2019-20 that appear in no ODS extract keep their GSS code as key.
    keys = {gss: pairs.get(gss, gss) for gss in chd["E39"]}
    # The ODS code's source: OpenPrescribing's 2013 pairing (Q44 to Q70), else the first eccg
    # extract that shows it. OpenPrescribing's pairing of E39000018 with Q71 is not used for
    # 2013-15, when London had three area teams (module docstring).
    opened = {r["hscic_code"] for r in read_csv(h / "openprescribing_area_teams_2013_ons_hscic_codes.csv")} - {LONDON_OFFICE}
    eccg16, eccg18 = eccg_area_codes(h, "ods_eccg_2016-02.csv"), eccg_area_codes(h, "ods_eccg_2018-11.csv")

    by_key = defaultdict(list)
    for gss, entries in sorted(chd["E39"].items()):
        pers = periods(entries)
        if gss == LONDON_E39:
            # Its area-team period stands for the three London area teams (london_area_teams).
            assert any(p["end"] == LONDON_TEAMS_END for p in pers) and all(
                p["end"] <= LONDON_TEAMS_END or p["start"] > LONDON_TEAMS_END for p in pers
            ), pers
            pers = [p for p in pers if p["start"] > LONDON_TEAMS_END]
        by_key[keys[gss]].append((gss, pers))
    for key, items in sorted(by_key.items()):
        if not key.startswith("Q"):
            ods = None
        else:
            src = "openprescribing_area_teams" if key in opened else "ods_eccg_2016_02" if key in eccg16 else "ods_eccg_2018_11"
            if src == "ods_eccg_2018_11" and key not in eccg18:
                raise ValueError(f"area team {key}: ODS code in no source")
            ods = (key, src)
        oid, all_pers = emit_org(t, "area_team", key, items, ods)
        for p in all_pers:
            if p["parent"]:
                t.member(oid, org_id("region", e40_ods[p["parent"]]), "part_of", p["start"], p["end"], CHD)
    return AreaTeams(keys, london_area_teams(t, shared, chd, keys))


def london_area_teams(t: Tables, shared: Path, chd: dict, keys: dict[str, str]) -> dict[str, str]:
    """The three London area teams of 2013-15 (Q61, Q62, Q63) from the NHSBSA list-size file of
    April-June 2013; returns London CCG ODS code -> area team. Outside London the file must agree
    with ONS (checked here, except NHSBSA_DIFFERS_FROM_ONS)."""
    h = shared / "history"
    rows = read_csv(h / "nhsbsa_ccg_area_team_region_2013-q2.csv")
    ccg13 = {r["CCG13CD"]: r["CCG13CDH"] for r in read_csv(h / "ons_ccg_names_codes_2013-04.csv", encoding="cp1252")}
    ons_team = {ccg13[r["CCG13CD"]]: r["NHSAT13CD"] for r in read_csv(h / "ons_ccg13_nhsat13_nhscr13_lookup_2013-04.csv")}
    london, names = {}, {}
    for r in rows:
        ccg, team = r["ccg_code"], r["area_team_code"]
        if ons_team[ccg] == LONDON_E39:
            if r["region_code"] != LONDON_REGION:
                raise ValueError(f"NHSBSA places London CCG {ccg} in region {r['region_code']}")
            london[ccg] = team
            names[team] = title_case_ods(r["area_team_name_nhsbsa"].removesuffix(" AREA TEAM"))
        elif keys[ons_team[ccg]] != team and ccg not in NHSBSA_DIFFERS_FROM_ONS:
            raise ValueError(f"CCG {ccg}: NHSBSA area team {team}, ONS {ons_team[ccg]} ({keys[ons_team[ccg]]})")
    if set(london) != {c for c, team in ons_team.items() if team == LONDON_E39}:
        raise ValueError("NHSBSA and ONS list different London CCGs")
    # The dates of ONS's one London area team (the CHD's first period of E39000018).
    [(start, end)] = [(p["start"], p["end"]) for p in periods(chd["E39"][LONDON_E39]) if p["end"] == LONDON_TEAMS_END]
    assert start == DATA_START, start
    for team in sorted(set(london.values())):
        oid = org_id("area_team", team)
        t.org(oid, "area_team", start, end, LONDON_RULE)
        t.code(oid, "ods", team, start, end, NHSBSA)
        t.code(oid, "ons", LONDON_E39, start, end, "ons_ccg13_nhsat13")
        t.name(oid, names[team], start, end, NHSBSA)
        t.member(oid, org_id("region", LONDON_REGION), "part_of", start, end, NHSBSA)
    return london


def area_team_successions(t: Tables) -> None:
    """Where the CCGs of an area team that closed on day D-1 sit in area teams that opened on day D
    (area teams became local offices in 2015; local offices were redrawn 2016-19), read from the
    CCGs' area teams (the part_of rows written so far). London's three area teams into NHS England
    London cite derived_london_area_teams; the others the CHD, which dates every such move."""
    life = {r["org_id"]: (r["start"], r["end"]) for r in t["orgs"] if r["kind"] == "area_team"}
    by_ccg = defaultdict(list)
    for r in t["memberships"]:
        if r["relation"] == "part_of" and r["child_id"].startswith("ccg:") and r["parent_id"] in life:
            by_ccg[r["child_id"]].append((r["start"], r["end"], r["parent_id"]))
    edges: dict[str, Counter] = defaultdict(Counter)
    for rows in by_ccg.values():
        rows.sort()
        for (_, a_end, a), (b_start, _, b) in zip(rows, rows[1:]):
            if a != b and a_end == day_before(b_start) and life[a][1] == a_end and life[b][0] == b_start:
                edges[b_start][(a, b)] += 1
    for date, counter in sorted(edges.items()):
        for (a, b), n in sorted(counter.items()):
            london = life[a][1] == LONDON_TEAMS_END and b == org_id("area_team", LONDON_OFFICE)
            note = f"{n} CCG(s) moved"
            if london:
                note += "; no successor in the ODS successor file: dated by the CHD (derived_london_area_teams)"
            t.succession(a, b, date, succession_type(a, b, set(counter)), LONDON_RULE if london else CHD, note=note)
