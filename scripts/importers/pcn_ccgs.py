"""Primary care networks before July 2022: each PCN's CCG from its opening (July 2019 on), and the
practice-to-PCN relationships of the ePCN editions of about December 2019, February 2022 and May
2022 (the organisations importer reads the January 2023 and October 2024 ones).

A PCN's CCG comes from the "Current CCG" of each CCG-era ePCN edition, carried from one edition to
the next through the CCG mergers as a practice's is (importers/practice_ccgs.py, the same walk): a PCN
that closed keeps the CCG it had. A move no merger explains is dated to the later edition, under a
source that says so. A PCN that opened before the merger that formed the CCG its first edition
gives was, until the merger, in the merging CCG most of its member practices were in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .common import day_before, end_or_open
from .practice_ccgs import (
    EDITION_DAY,
    EPCN_FILES,
    S_EPCN19,
    S_EPCN22A,
    S_EPCN22B,
    Mergers,
    Seen,
    Walk,
    epcn_workbook,
    xl_date,
)

S_PCN_RULE = "derived_pcn_ccg_before_merger"
S_PCN_MEMBERS = "derived_pcn_ccg_from_members"
EDITIONS = (S_EPCN19, S_EPCN22A, S_EPCN22B)  # oldest first


def read(shared: Path) -> dict[str, tuple[list[tuple], list[tuple]]]:
    """source -> (PCN details, core partner rows) of the CCG-era ePCN editions."""
    return {source: epcn_workbook(Path(shared) / EPCN_FILES[source]) for source in EDITIONS}


def older_names(workbooks: dict[str, tuple[list[tuple], list[tuple]]]) -> dict[str, list[tuple[str, str, str]]]:
    """Each PCN's name in the CCG-era editions, oldest first: code -> [(edition day, name as
    published, source)] (the organisations importer reads the names of 2023 on)."""
    names: dict[str, list[tuple[str, str, str]]] = {}
    for source in EDITIONS:
        for row in workbooks[source][0]:
            names.setdefault(row[0], []).append((EDITION_DAY[source], row[1], source))
    return names


def ccg_history(
    workbooks: dict[str, tuple[list[tuple], list[tuple]]],
    lives: dict[str, tuple[str, str]],
    ccg_life: dict[str, tuple[str, str]],
    successions: list[dict],
    members: Callable[[str, str], list[str]],
    practice_ccg: Callable[[str, str], str | None],
) -> tuple[dict[str, list[tuple[str, str, str, str]]], list[tuple[str, str, str, str]]]:
    """({PCN code: [(start, end, CCG code, source)]} to 2022-06-30, editions rows as (source,
    date, org id, parent id)). `lives`: PCN code -> (start, end);
    `members(pcn, day)`: its practices that day; `practice_ccg(practice, day)`: a CCG code."""
    mergers = Mergers(ccg_life, successions)
    seen: dict[str, list[Seen]] = {}
    editions = []
    for source in EDITIONS:
        day = EDITION_DAY[source]
        for r in workbooks[source][0]:
            code, ccg = r[0], r[2]
            if code in lives and ccg in ccg_life:
                editions.append((source, day, f"pcn:{code}", f"ccg:{ccg}"))
                # A PCN is where some of its practices are: if none of them is in the CCG the
                # edition gives (U97695 Malvern: 05J in December 2019, its practices all in 05T),
                # it is in the CCG most of them are in.
                on = min(day, end_or_open(lives[code][1]))
                held = Counter(c for p in members(code, on) if (c := practice_ccg(p, on)))
                if held and ccg not in held and mergers.alive(ccg, on):
                    best = sorted(held.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                    seen.setdefault(code, []).append(Seen(day, best, S_PCN_MEMBERS))
                else:
                    seen.setdefault(code, []).append(Seen(day, ccg, source))
    history = {}
    for code in sorted(seen):
        walk = Walk(lives[code], mergers, kind="pcn")
        if walk.first > walk.last:
            continue
        for s in sorted(seen[code], key=lambda s: (min(s.day, walk.last), s.day)):
            walk.see(s)
        rows = walk.finish()
        if rows and rows[0][0] > walk.first:
            # The first edition's CCG was formed (by a merger) after the PCN opened.
            rows = _before_merger(code, walk.first, rows, mergers, members, practice_ccg) + rows
        history[code] = rows
    return history, editions


def _before_merger(code, first, rows, mergers, members, practice_ccg) -> list[tuple[str, str, str, str]]:
    start, ccg = rows[0][0], rows[0][2]
    merged = {pred for pred, nxt in mergers.next.items() if nxt == ccg and mergers.life[pred][1] == day_before(start)}
    last = day_before(start)
    votes = Counter(c for p in members(code, last) if (c := practice_ccg(p, last)) in merged)
    if not votes:
        return []
    best = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return [(max(first, mergers.life[best][0]), last, best, S_PCN_RULE)]


def older_relationships(
    workbooks: dict[str, tuple[list[tuple], list[tuple]]], rel: dict[tuple[str, str], list[tuple[str, str, str]]]
) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """Practice-PCN pairs that only the CCG-era editions hold (the later editions repeat every
    other pair, with corrected dates): each runs until the day before the practice's next
    relationship in the later editions starts, and is dropped where that leaves nothing (a later
    edition put the practice in another PCN from the same day)."""
    later_starts: dict[str, list[str]] = {}
    for (prac, _), spans in rel.items():
        later_starts.setdefault(prac, []).extend(s for s, _, _ in spans)
    found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for source in reversed(EDITIONS):  # the newest edition's rows for a pair win
        seen: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for r in workbooks[source][1]:
            if (r[0], r[4]) not in rel:
                seen.setdefault((r[0], r[4]), []).append((xl_date(r[8]), xl_date(r[9]), source))
        for key, spans in seen.items():
            found.setdefault(key, spans)
    out = {}
    for (prac, pcn), spans in sorted(found.items()):
        kept = []
        for s, e, source in spans:
            nxt = min((x for x in later_starts.get(prac, []) if x >= s), default="")
            if nxt:
                e = min(end_or_open(e), day_before(nxt))
                if e < s:
                    continue
            kept.append((s, e, source))
        if kept:
            out[(prac, pcn)] = kept
    return out
