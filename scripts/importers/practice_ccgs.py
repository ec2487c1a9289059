"""GP practice to CCG on every day from 2013-04-01 to 2022-06-30.

``ccg_history(shared, ccg_life, successions, practices)`` returns, for every practice, the CCG
intervals that tile its CCG-era life, and ``editions`` rows (each edition's CCG for each of its
practices, dated) for the build to check the history against.

How the history is made (data/README.md, "GP practices and PCNs before July 2022"):
- 2013-04-01 to 2019-08-30: the ODS membership history (epcmem), one row per practice and CCG
  with join and left dates. It is exact; it records the mergers (as left/joined pairs), the
  individual moves and the boundary transfers (01H to 01K, 2017-04-01).
- After it, the point-in-time editions in date order (epraccur with its commissioner join date,
  payments at 31 March, GP registration maps, the January 2021 list, QOF 2020-21, ePCN's practice
  parent CCG, and epraccur 2025's join dates before July 2022). Each practice's CCG is carried
  from one edition to the next through the CCG mergers (the successions: a 31 March snapshot
  shows the CCGs before the next day's mergers). Where an edition shows a CCG the mergers do not
  explain, the practice moved: on the commissioner join date if epraccur gives one after the
  earlier edition, else on the later edition's day, under a source that says the move lies
  between the two editions (never guessed silently): ``between_source``'s id, described in
  data/curated/importer_sources.csv like every source.
- Gaps that no edition fills are closed by rules named in the rows' source: a practice is in
  the CCG of its first recorded membership from its opening (ODS records the membership a few
  days after), and a gap between two memberships of one CCG is in that CCG (``S_FILLED``); a
  merger ODS recorded late is carried from the merger's day (``S_CARRIED``).

The same walk (``Walk``) carries each PCN's CCG between the CCG-era ePCN editions (pcn_ccgs.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from .common import DATA_START, clip, day_after, day_before, end_or_open, ods_date, read_csv

CCG_END = "2022-06-30"
EPCMEM_AS_AT = "2019-08-30"  # the membership history was generated on 2019-08-30

S_EPCMEM = "ods_epcmem_2019_08"
S_EPRACCUR19 = "ods_epraccur_2019_11"
S_PAY20 = "nhsd_payments_gp_2019_20"
S_MAP20 = "nhsd_gp_reg_map_2020_09"
S_LIST21 = "nhsd_gp_reg_list_2021_01"
S_PAY21 = "nhsd_payments_gp_2020_21"
S_QOF21 = "nhsd_qof_mapping_2020_21"
S_EPRACCUR21 = "ods_epraccur_2021_11"
S_MAP22 = "nhsd_gp_reg_map_2022_01"
S_PAY22 = "nhsd_payments_gp_2021_22"
S_EPCN19 = "ods_epcn_2019_12"
S_EPCN22A = "ods_epcn_2022_02"
S_EPCN22B = "ods_epcn_2022_05"
S_EPRACCUR25 = "ods_epraccur_2025_09"  # the organisations importer's; here for its join dates
S_CARRIED = "derived_practice_ccg_carried"
S_FILLED = "derived_practice_ccg_filled"

# Edition days ("as at"), as the MANIFEST infers them.
EDITION_DAY = {
    S_EPRACCUR19: "2019-11-19",
    S_PAY20: "2020-03-31",
    S_MAP20: "2020-09-01",
    S_EPCN19: "2019-12-01",
    S_LIST21: "2021-01-01",
    S_PAY21: "2021-03-31",
    S_QOF21: "2021-04-01",
    S_EPRACCUR21: "2021-11-17",
    S_MAP22: "2022-01-01",
    S_EPCN22A: "2022-02-16",
    S_PAY22: "2022-03-31",
    S_EPCN22B: "2022-05-11",
}
EPCN_FILES = {
    S_EPCN19: "practices/nhsd_epcn_2019-12.xlsx",
    S_EPCN22A: "practices/nhsd_epcn_2022-02.xlsx",
    S_EPCN22B: "practices/nhsd_epcn_2022-05.xlsx",
}


@dataclass(frozen=True)
class Seen:
    """An edition's word on a practice: in CCG `code` on `day` (since `joined`, if it says)."""

    day: str
    code: str
    source: str
    joined: str = ""


# --- reading the editions ----------------------------------------------------------------------


def xlsx_rows(path: Path, sheet: int | str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
        return [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def epcn_workbook(path: Path) -> tuple[list[tuple], list[tuple]]:
    """(PCN details, core partner rows) of an ePCN workbook, headers dropped. The first sheet is
    the PCN list ('PCN Details' in 2019, 'PCNDetails' later), the second the partners."""
    details, partners = xlsx_rows(path, 0), xlsx_rows(path, 1)
    assert details[0][0] == "PCN Code" and str(details[0][4]).startswith("Open Date"), details[0]
    assert partners[0][4] == "PCN Code" and "Start" in " ".join(str(partners[0][8]).split()), partners[0]
    return [r for r in details[1:] if r[0]], [r for r in partners[1:] if r[0]]


def xl_date(value) -> str:
    """ePCN dates are YYYYMMDD numbers (2019) or strings (2022 on)."""
    return ods_date(str(value or "").strip())


def _epraccur(path: Path) -> dict[str, tuple[str, str]]:
    """GP practices (prescribing setting 4) outside Wales: code -> (commissioner, join date)."""
    out = {}
    for r in read_csv(path, header=False):
        if r[25] == "4" and r[2] != "W00":
            out[r[0]] = (r[14], ods_date(r[15]))
    return out


def _column(path: Path, practice: str, ccg: str) -> dict[str, tuple[str, str]]:
    return {r[practice]: (r[ccg], "") for r in read_csv(path)}


def read_editions(shared: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """source -> {practice code: (CCG code, commissioner join date or '')}."""
    p = shared / "practices"
    eds = {
        S_EPRACCUR19: _epraccur(p / "ods_epraccur_gp_practices_2019-11.csv"),
        S_PAY20: _column(p / "nhsd_nhs_payments_gp_2019-20_fy_end_2020-03.csv", "Practice Code", "CCG Code"),
        S_MAP20: _column(p / "nhsd_gp_reg_pat_prac_map_2020-09.csv", "PRACTICE_CODE", "CCG_CODE"),
        S_LIST21: _column(p / "nhsd_gp_reg_pat_prac_all_2021-01.csv", "CODE", "CCG_CODE"),
        S_PAY21: _column(p / "nhsd_nhs_payments_gp_2020-21_fy_end_2021-03.csv", "Practice Code", "CCG Code"),
        S_QOF21: _column(p / "nhsd_qof_2020-21_mapping_nhs_geographies_2021-04.csv", "PRACTICE_CODE", "CCG_ODS_CODE"),
        S_EPRACCUR21: _epraccur(p / "ods_epraccur_gp_practices_2021-11.csv"),
        S_MAP22: _column(p / "nhsd_gp_reg_pat_prac_map_2022-01.csv", "PRACTICE_CODE", "CCG_CODE"),
        S_PAY22: _column(p / "nhsd_nhs_payments_gp_2021-22_fy_end_2022-03.csv", "Practice Code", "CCG Code"),
    }
    for source, file in EPCN_FILES.items():
        # "Practice Parent CCG" is the practice's CCG at the extract date (also on ended rows).
        _, partners = epcn_workbook(shared / file)
        eds[source] = {r[0]: (r[2], "") for r in partners if r[2]}
    for source, rows in eds.items():
        assert len(rows) > 6000, (source, len(rows))
    return eds


def read_epcmem(shared: Path, ccg_life: dict[str, tuple[str, str]]) -> dict[str, list[tuple[str, str, str]]]:
    """practice -> [(start, end, CCG)] from the membership history (parents that are CCGs only:
    not PCTs, commissioning hubs or Welsh health boards), in date order."""
    out = defaultdict(list)
    path = shared / "practices" / "ods_epcmem_gp_ccg_membership_2019-08.csv"
    for r in read_csv(path, header=False):
        code, parent, joined, left = r[0], r[1], ods_date(r[3]), ods_date(r[4])
        if parent in ccg_life and end_or_open(left) >= DATA_START:
            out[code].append((joined, left, parent))
    for rows in out.values():
        rows.sort()
    return out


# --- carrying a CCG through the mergers ---------------------------------------------------------


class Mergers:
    """Where a CCG's practices went when it ended: its one successor the next day (every CCG that
    ended before July 2022 merged whole into one; 01H's 2017 transfer to 01K is not an ending)."""

    def __init__(self, ccg_life: dict[str, tuple[str, str]], successions: list[dict]):
        self.life = ccg_life
        self.next: dict[str, str] = {}
        for r in successions:
            pred, succ = r["predecessor_id"], r["successor_id"]
            if pred.startswith("ccg:") and succ.startswith("ccg:"):
                code, nxt = pred[4:], succ[4:]
                if code in ccg_life and ccg_life[code][1] and r["date"] == day_after(ccg_life[code][1]):
                    assert self.next.setdefault(code, nxt) == nxt, (code, nxt)

    def alive(self, code: str, day: str) -> bool:
        life = self.life.get(code)
        return life is not None and (life[0] or "") <= day <= end_or_open(life[1])

    def forward(self, code: str, day: str) -> str | None:
        """The CCG that `code` had become by `day` (itself if it still existed)."""
        while code and self.life[code][1] and self.life[code][1] < day:
            code = self.next.get(code)
        return code


# --- the walk ----------------------------------------------------------------------------------


class Walk:
    """One practice's (or PCN's) CCG intervals, built edition by edition in date order."""

    def __init__(self, life: tuple[str, str], mergers: Mergers, kind: str = "practice"):
        self.kind = kind  # practice or pcn
        self.first = max(life[0] or "", DATA_START)
        self.last = min(end_or_open(life[1]), CCG_END)
        self.m = mergers
        self.rows: list[list[str]] = []  # [start, end, code, source]; the last one may be open ("")
        self.confirmed = ("", "")  # (day, source) of the latest edition that agreed
        self.pending: list[list[str]] = []  # rows carried through a merger, awaiting an edition

    def open(self, start: str, code: str, source: str) -> None:
        self.rows.append([start, "", code, source])

    def advance(self, day: str) -> None:
        """Carry the open row to `day` (at most the practice's last CCG-era day) through mergers."""
        day = min(day, self.last)
        while self.rows and not self.rows[-1][1]:
            cur = self.rows[-1]
            end = self.m.life[cur[2]][1]
            if not end or end >= day:
                return
            nxt = self.m.next.get(cur[2])
            cur[1] = end
            if nxt is None:
                return
            self.open(day_after(end), nxt, S_CARRIED)
            self.pending.append(self.rows[-1])

    def code_on(self, day: str) -> str | None:
        for s, e, code, _ in reversed(self.rows):
            if s <= day and (not e or day <= e):
                return code
        return None

    def cut(self, day: str) -> None:
        """Drop what the walk said from `day` on (a move found later rewrites it)."""
        kept = []
        for row in self.rows:
            if row[0] >= day:
                continue
            if not row[1] or row[1] >= day:
                row[1] = day_before(day)
            kept.append(row)
        self.rows = kept
        self.pending = [r for r in self.pending if r in kept]

    def see(self, seen: Seen) -> None:
        """Take in an edition's word (in date order)."""
        day = min(seen.day, self.last)
        if day < self.first or day < self.confirmed[0]:
            return  # closed before the data, or an edition of a closed practice older than one taken in
        if not self.rows:
            self.start_from(seen, day)
            return
        self.advance(day)
        here = self.code_on(day)
        if seen.code in (here, self.m.forward(here, seen.day) if here else None):
            for row in self.pending:
                row[3] = seen.source
            self.pending = []
            self.confirmed = (day, seen.source)
            return
        if not self.m.alive(seen.code, day):
            return  # a later structure's code for a day it did not yet exist: no use for dating
        # A move no merger explains: dated by the commissioner join date if the edition gives one
        # after the last edition that agreed, else to this edition's day (and said so).
        prev_day = self.confirmed[0]
        if seen.joined and prev_day < seen.joined <= day and self.m.alive(seen.code, seen.joined):
            when, source = seen.joined, seen.source
        else:
            when, source = day, between_source(self.kind, prev_day, seen.day)
        when = max(when, self.first)
        self.cut(when)
        self.open(when, seen.code, source)
        self.pending = []
        self.confirmed = (day, seen.source)

    def start_from(self, seen: Seen, day: str) -> None:
        """The first word on a practice the membership history does not know (opened later): in
        that CCG from its opening, if the CCG existed then (else from the CCG's first day). The
        days before the edition are a practice's inference (S_FILLED) unless the edition's join
        date covers them; a PCN's edition gives its CCG as it is, taken as since its opening."""
        start = self.first
        code = seen.code
        if not self.m.alive(code, start):
            start = max(start, self.m.life[code][0])
        covered = seen.joined and seen.joined <= start
        if start < day and self.kind == "practice" and not covered:
            self.open(start, code, S_FILLED)
            self.rows[-1][1] = day_before(day)
            start = day
        self.open(start, code, seen.source)
        self.confirmed = (day, seen.source)

    def finish(self) -> list[tuple[str, str, str, str]]:
        self.advance(self.last)
        if self.rows and not self.rows[-1][1]:
            self.rows[-1][1] = self.last
        return [(s, e, c, src) for s, e, c, src in self.rows if s <= e]


def between_source(kind: str, first_day: str, later_day: str) -> str:
    """The id of the derived source that says a move lies between two editions (first_day and
    later_day) and is dated to the later one. Each id the data uses is described in
    data/curated/importer_sources.csv (the build refuses a source id with no description)."""
    return f"derived_{kind}_ccg_between_{first_day.replace('-', '')}_{later_day.replace('-', '')}"


def _from_epcmem(walk: Walk, spans: list[tuple[str, str, str]]) -> None:
    """The membership history's rows, clipped to the practice's and the CCG's lives. Gaps are
    filled: before the first row (the membership recorded days after the opening) with its CCG;
    between two rows of one CCG with that CCG; after a CCG's merger recorded late (P84676: 00W
    ended 2017-03-31, 14L recorded from 2017-07-05) with the merged CCG."""
    for joined, left, code in spans:
        span = clip(joined, left, walk.first, walk.last)
        span = span and clip(*span, *walk.m.life[code])
        if not span:
            continue
        s, e = span
        if not walk.rows and s > walk.first:
            walk.open(walk.first, code, S_FILLED)
            walk.rows[-1][1] = day_before(s)
        elif walk.rows and walk.rows[-1][1] and s > day_after(walk.rows[-1][1]):
            prev = walk.rows[-1]
            if prev[2] == code:
                walk.open(day_after(prev[1]), code, S_FILLED)
                walk.rows[-1][1] = day_before(s)
            elif prev[1] == walk.m.life[prev[2]][1] and walk.m.forward(prev[2], s) == code:
                prev[1] = ""
                walk.advance(s)
                walk.cut(s)
        walk.open(s, code, S_EPCMEM)
        walk.rows[-1][1] = e
    walk.pending = []
    if walk.rows:
        last = walk.rows[-1]
        if last[1] == walk.last or last[1] == walk.m.life[last[2]][1]:
            last[1] = ""  # open on its last day, or ended with its CCG: the walk carries it on
        walk.confirmed = (max(EPCMEM_AS_AT, last[0]), S_EPCMEM)


def ccg_history(
    shared: Path, ccg_life: dict[str, tuple[str, str]], successions: list[dict], practices: dict[str, tuple[str, str]]
) -> tuple[dict[str, list[tuple[str, str, str, str]]], list[tuple[str, str, str, str]]]:
    """({practice: [(start, end, CCG code, source)]}, editions rows as (source, date, org id,
    parent id)). `practices`: code -> (start, end) of every GP practice; `ccg_life`: CCG code ->
    (start, end)."""
    shared = Path(shared)
    mergers = Mergers(ccg_life, successions)
    epcmem = read_epcmem(shared, ccg_life)
    eds = read_editions(shared)
    # epraccur 2025 (the organisations importer's file): a commissioner joined before July 2022 is
    # the practice's CCG from that day to 2022-06-30 (ODS keeps join dates across CCG to sub-ICB).
    ep25 = _epraccur(shared / "organisations" / "ods_epraccur_gp_practices_2025-09.csv")
    seen: dict[str, list[Seen]] = defaultdict(list)
    editions = []
    for source, rows in eds.items():
        day = EDITION_DAY[source]
        for code, (ccg, joined) in rows.items():
            if code in practices and ccg in ccg_life:
                seen[code].append(Seen(day, ccg, source, joined))
                editions.append((source, day, f"practice:{code}", f"ccg:{ccg}"))
    for code, (ccg, joined) in ep25.items():
        if code in practices and ccg in ccg_life and joined and joined <= CCG_END:
            seen[code].append(Seen(CCG_END, ccg, S_EPRACCUR25, joined))

    history = {}
    for code, life in sorted(practices.items()):
        walk = Walk(life, mergers)
        if walk.first > walk.last:
            continue
        _from_epcmem(walk, epcmem.get(code, []))
        # In order of the day each edition speaks for (a closed practice's: its last day), then
        # of the editions' own days.
        for s in sorted(seen.get(code, []), key=lambda s: (min(s.day, walk.last), s.day, s.source)):
            walk.see(s)
        rows = walk.finish()
        if rows:
            history[code] = rows
    return history, editions
