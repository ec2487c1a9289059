"""Primary care networks: organisations and names (ODS ePCN January 2023 and October 2024, the
August 2026 GP map), their CCG before July 2022 (pcn_ccgs.py, from the CCG-era ePCN editions) and
sub-ICB location after, practice-to-PCN relationships from all five ePCN editions, and registered
patients per PCN (August 2026)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import pcn_ccgs
from .common import clip, day_before, edition_runs, end_or_open, ods_date, read_zip_csv
from .org_common import (
    CCG_END,
    EPCN23_AS_AT,
    EPCN24_AS_AT,
    EPCN_2024_FROM,
    ERA36_START,
    ERA_START,
    S_CLOSED26,
    S_EPCN23,
    S_EPCN24,
    S_MAP26,
    S_RULES,
    S_SINGAGE26,
    Geo,
    Out,
    readable,
    write_history,
    xlsx_rows,
)
from .practices import Practice


@dataclass
class Pcn:
    code: str
    start: str
    end: str
    name_history: list = field(default_factory=list)  # [(from, name, source)]
    sub_history: list = field(default_factory=list)  # [(from, sub-ICB code, source)]


def _epcn(path: Path):
    details = xlsx_rows(path, "PCNDetails")
    partners = xlsx_rows(path, "PCN Core Partner Details")
    assert details[0][:6] == ("PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Sub ICB Location", "Open Date", "Close Date")
    assert partners[0][0].startswith("Partner") and partners[0][4] == "PCN Code", partners[0]
    return [r for r in details[1:] if r[0]], [r for r in partners[1:] if r[0]]


def _ccg_of(out: Out, practice: str, day: str) -> str | None:
    """The CCG a practice is queued to be in on `day` (the later-starting row wins, as in settle)."""
    items = [x for x in out.links.get((practice, "part_of", "ccg"), []) if (x[0] or "") <= day <= end_or_open(x[1])]
    return max(items, key=lambda x: x[0] or "")[2] if items else None


def pcn_ccg_before_2022(code: str, sub: str, end: str, rel: dict, moved_in: dict[str, set[str]], out: Out) -> str | None:
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
    # The CCG-era editions (2019-12, 2022-02, 2022-05) add the few pairs the later ones dropped.
    workbooks = pcn_ccgs.read(shared)
    rel.update(pcn_ccgs.older_relationships(workbooks, rel))

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
    closed_unseen = set()
    for code, p in pcns.items():
        if not p.end and code not in map_pcn:
            # Open in Oct 2024 but gone by Aug 2026: assumed closed at the 2026 boundary (the record
            # cites that derivation, so the closure names the 2026 file).
            p.end = day_before(ERA36_START)
            closed_unseen.add(code)
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

    # CCGs before 2022-07-01 from the CCG-era editions (pcn_ccgs.py).
    members = defaultdict(list)
    for (prac, pcn), spans in rel.items():
        members[pcn] += [(s, e, prac) for s, e, _ in spans if prac in practices]

    def members_on(pcn: str, day: str) -> list[str]:
        return sorted({prac for s, e, prac in members[pcn] if (s or "") <= day <= end_or_open(e)})

    def practice_ccg(prac: str, day: str) -> str | None:
        ccg = _ccg_of(out, f"practice:{prac}", day)
        return ccg.split(":")[1] if ccg else None

    older = pcn_ccgs.older_names(workbooks)
    lives = {c: (p.start, p.end) for c, p in pcns.items()}
    pcn_history, editions = pcn_ccgs.ccg_history(workbooks, lives, geo.ccg, list(successions), members_on, practice_ccg)
    for r in editions:
        out.t.edition(*r)

    for code in sorted(pcns):
        p = pcns[code]
        oid = f"pcn:{code}"
        life = (p.start, p.end)
        src = p.name_history[0][2]
        out.t.org(oid, "pcn", p.start, p.end, S_CLOSED26 if code in closed_unseen else src)
        out.t.code(oid, "ods", code, p.start, p.end, src)
        write_history(out, oid, "name", _with_older_names(p, older.get(code, [])), life)
        for s, e, sub, source in edition_runs(p.sub_history, *life):
            # A PCN none of the CCG-era editions lists (six, opened in 2021-22): before 2022-07-01
            # its code was a CCG's, so ccg:<code> for that part of its life (clipped to the CCG's
            # lifetime), unless the sub-ICB location took in part of another CCG on 2022-07-01
            # (Glossop, West Birmingham, 9 LSOAs of 06H) and the PCN's practices were in that CCG.
            if code not in pcn_history:
                ccg = pcn_ccg_before_2022(code, sub, e, rel, moved_in, out) if s < ERA_START else None
                if ccg:
                    out.link(oid, ccg, "part_of", (s, min(end_or_open(e), CCG_END)), S_RULES)
                else:
                    out.link(oid, f"ccg:{sub}", "part_of", (s, e), source)
            out.link(oid, f"sub_icb:{sub}", "part_of", (s, e), source)
        for s, e, ccg, source in pcn_history.get(code, []):
            out.link(oid, f"ccg:{ccg}", "part_of", (s, e), source, life)

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


def _with_older_names(p: Pcn, older: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A PCN's names (from, name, source) with those of the CCG-era editions before the January
    2023 edition's: the first from the PCN's opening, a different one from the day of the first
    edition that shows it (no file gives the day of a rename; data/README.md, "PCN names"), and the
    2023 name, if new, from that edition's day."""
    if not older or p.name_history[0][2] != S_EPCN23:
        return p.name_history
    (_, first, source), *rest = older
    named = [(p.start, readable(first), source)]
    named += [(day, readable(name), src) for day, name, src in rest if p.start < day < EPCN23_AS_AT]
    _, name23, source23 = p.name_history[0]
    return [*named, (EPCN23_AS_AT, name23, source23), *p.name_history[1:]]
