"""What the data does not link, said rather than hidden: the notes that go with an answer whose
emptiness or missing parent comes from the sources, not from the map (data/README.md, "Coverage
and known gaps")."""

from __future__ import annotations

# Every GP practice has a CCG on every day it was open from 2013-04-01 to 2022-06-30 (ODS membership
# history to August 2019, then the point-in-time editions; the build checks it). What the sources
# cannot say is the day of a move that falls between two editions with no commissioner join date:
# such a move is dated to the later edition, under a source whose id names both days
# (derived_practice_ccg_between_YYYYMMDD_YYYYMMDD, scripts/importers/practice_ccgs.py).
CCG_ERA_END = "2022-06-30"
PRACTICE_GAP = 'the sources give none (see data/README.md, "GP practices and PCNs before July 2022")'
BETWEEN_SOURCES = "derived_%_ccg_between_%"
# (Councils' overlaps with CCGs, STPs, sub-ICB locations and ICBs are recorded on every day from
# April 2013, from the LSOA lookups: data/README.md, "Small areas".)
# Primary care networks began on 2019-07-01 (the Network Contract DES), but ODS, and so every source
# here, records them and their practices from 2019-10-01: a practice's PCN in between is unknown.
PCN_DES_FROM = "2019-07-01"
PCN_GAP = "PCNs began on 2019-07-01, but the sources (ODS) record them and their practices from 2019-10-01"
# Trusts are tied to ICBs (headquarters and constitution partners) only, from July 2022.
TRUST_LINKS_FROM = "2022-07-01"
TRUST_GAP = "Trusts are linked to ICBs only (headquarters and constitution partners), from July 2022."

# GP practices' and PCNs' names, PCN memberships, openings and closures that differ between the
# last ODS files (ePCN October 2024, epraccur September 2025) and NHS England's practice mapping of
# August 2026 are dated 2026-04-01, the day of the new structure: no file gives the real day
# (scripts/importers/practices.py, pcns.py). A diff that shows such a change says so.
MAP_2026_DAY = "2026-04-01"


def map_2026_note(count: int) -> str:
    return (
        f"Note: {count:,} changes of GP practices and PCNs (names, PCN memberships, openings and closures) are"
        f" dated {MAP_2026_DAY} by convention: they are seen only between the last ODS files (PCNs October 2024,"
        " practices September 2025) and NHS England's practice mapping of August 2026, which give no day"
        ' (see data/README.md, "Coverage and known gaps").'
    )


# A PCN's new name is dated to the day of the first ePCN edition that shows it (data/README.md,
# "PCN names"): February 2022, May 2022, January 2023, October 2024 (from its 1 April).
PCN_RENAME_DAYS = ("2022-02-16", "2022-05-11", "2023-01-09", "2024-04-01")


def pcn_renames_note(count: int) -> str:
    return (
        f"Note: {count:,} PCN {'rename is' if count == 1 else 'renames are'} dated to the day of the first ePCN"
        " edition that shows the new name"
        f" ({', '.join(PCN_RENAME_DAYS)}): no file gives the day of a rename."
    )


CLOSED_2026_SOURCE = "derived_closed_2026"


def closed_2026_note() -> str:
    return (
        f"Note: closures with the source {CLOSED_2026_SOURCE} are dated 2026-03-31 by convention: the practice or"
        " PCN is open in the last ODS file and missing from NHS England's practice mapping of August 2026, and no"
        " file gives the day it closed."
    )


_windows: list[dict] | None = None


def practice_ccg_unknown(day: str) -> bool:
    """Whether a practice without a CCG on `day` may simply be unrecorded (CCGs existed then)."""
    return day <= CCG_ERA_END


def moves_between_editions() -> list[dict]:
    """Every move of CCG that the sources place only between two editions (dated to the later
    one): child, before (its CCG until then), parent (after), first and later (the editions'
    days). A few rows, read once."""
    global _windows
    if _windows is None:
        from ics_cli import db

        rows = db.query(
            """SELECT m.child_id, m.parent_id, m.source,
                      (SELECT b.parent_id FROM memberships b WHERE b.child_id = m.child_id AND b.relation = 'part_of'
                         AND b.parent_id LIKE 'ccg:%' AND b.end = date(m.start, '-1 day')) AS before
               FROM memberships m WHERE m.source LIKE ? ORDER BY m.child_id, m.start""",
            (BETWEEN_SOURCES,),
        )
        _windows = []
        for r in rows:
            first, later = (_iso(d) for d in r["source"].rsplit("_", 2)[1:])
            _windows.append({**r, "first": first, "later": later})
    return _windows


def _iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def undated_move(day: str, org_id: str | None = None, within: str | None = None) -> dict | None:
    """A move between editions that leaves a CCG uncertain on `day` (after the earlier edition
    and up to the later one): of `org_id`, or into or out of the CCG `within`, or any."""
    for w in moves_between_editions():
        if w["first"] < day <= w["later"] and (org_id is None or w["child_id"] == org_id):
            if within is None or within in (w["parent_id"], w["before"]):
                return w
    return None


def undated_note(w: dict) -> str:
    code = w["child_id"].split(":")[1]
    frm = f" from {w['before'].split(':')[1]}" if w["before"] else ""
    return (
        f"{code} moved{frm} to {w['parent_id'].split(':')[1]} on a day between {w['first']} and {w['later']} that "
        f"no source gives; it is dated {w['later']}, the later edition"
    )


def list_note(kind: str, day: str, within_kind: str | None, within: str | None = None) -> str | None:
    """A note for any list of `kind` on `day` (inside organisation `within` of `within_kind`)."""
    if kind == "practice" and day <= CCG_ERA_END and (within is None or within_kind == "ccg"):
        w = undated_move(day, within=within)
        if w:
            return f"Note: {undated_note(w)} (see data/README.md)."
    return None


def empty_list_reason(kind: str, day: str, within_kind: str) -> str | None:
    """Why a list of `kind` inside an organisation of `within_kind` can be empty on `day`."""
    if kind == "trust" and (within_kind not in ("icb", "region") or day < TRUST_LINKS_FROM):
        return TRUST_GAP
    return None


def profile_note(kind: str, day: str, parents: list[dict], org_id: str | None = None) -> str | None:
    """What a profile of an organisation of `kind` on `day` cannot show."""
    if kind == "practice" and practice_ccg_unknown(day) and not any(p["kind"] in ("ccg", "sub_icb") for p in parents):
        return f"Its CCG on {day} is not recorded: {PRACTICE_GAP}."
    if kind in ("practice", "pcn") and org_id and day <= CCG_ERA_END:
        w = undated_move(day, org_id)
        if w:
            return f"Its CCG on {day} is uncertain: {undated_note(w)}."
    return None
