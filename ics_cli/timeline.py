"""`ics timeline`: dated events, nationally or for one organisation and those around it."""

from __future__ import annotations

from ics_cli import db, wording
from ics_cli.render import Answer
from ics_cli.vocab import MEMBERSHIP_EVENT_KINDS as MEMBERSHIP_KINDS

# The parents whose changes a practice's or a PCN's timeline shows, in groups of one per day.
AREAS = ("ccg", "sub_icb")
DATA_START = "2013-04-01"  # a parent from the data's first day is where it was, not a change


def window(first: str | None, last: str | None) -> tuple[str | None, str | None]:
    """``--from`` and ``--to`` as days (None: not given); exit 2 for a malformed day or a
    ``--from`` after ``--to``."""
    from ics_cli.dates import parse_date
    from ics_cli.errors import UsageError

    first = parse_date(first, "--from") if first else None
    last = parse_date(last, "--to") if last else None
    if first and last and first > last:
        raise UsageError(f"--from {first} is after --to {last}.")
    return first, last


def reading_day(as_of: str, explicit: bool, last: str | None) -> str:
    """The day an identifier is read on: ``--as-of`` when given, or else the last day asked for
    (``--to``), not today, so that a reused code ("01H": a CCG to 2022, a sub-ICB location after)
    is read as it was then."""
    return as_of if explicit or not last else last


def national(first: str | None, last: str | None, kinds: tuple[str, ...] | None) -> list[dict]:
    """The national story: policy events and per-date counts of organisational change."""
    return _events("e.scope IN ('national', 'summary')", {}, first, last, kinds)


def for_org(org_id: str, first: str | None, last: str | None, kinds: tuple[str, ...] | None) -> list[dict]:
    """Events of an organisation, of the organisations it was ever part of, and of its direct members."""
    related = """
        SELECT :id UNION
        SELECT parent_id FROM memberships WHERE child_id = :id AND relation IN ('part_of', 'hq_in') UNION
        SELECT child_id FROM memberships WHERE parent_id = :id AND relation = 'part_of'"""
    # Events of related organisations count only while this one existed (its own are all kept).
    where = f"""e.scope != 'summary' AND (
        e.event_id IN (SELECT event_id FROM event_orgs WHERE org_id = :id)
        OR (e.event_id IN (SELECT event_id FROM event_orgs WHERE org_id IN ({related}))
            AND e.date >= (SELECT COALESCE(start, '') FROM orgs WHERE org_id = :id)
            AND e.date <= (SELECT COALESCE(date(end, '+1 day'), '9999-12-31') FROM orgs WHERE org_id = :id)))"""
    rows = _events(where, {"id": org_id}, first, last, kinds, org_id=org_id)
    if org_id.startswith(("practice:", "pcn:")) and (kinds is None or set(kinds) & set(MEMBERSHIP_KINDS)):
        moves = [
            e
            for e in membership_events(org_id)
            if (not first or e["date"] >= first) and (not last or e["date"] <= last) and (kinds is None or e["kind"] in kinds)
        ]
        rows = sorted(rows + moves, key=lambda r: r["date"])  # stable: an organisation's events before its moves
    return rows


def membership_events(org_id: str) -> list[dict]:
    """Each change of a practice's or a PCN's CCG or sub-ICB location (and of a practice's PCN), on
    its day, with the source of the row that begins it. A CCG carrying on as the sub-ICB location
    of its code (2022-07-01) is not a change; a merger is, with the merger said in the detail, and
    a row derived by a rule (a move dated between two editions) adds the rule's title."""
    from ics_cli import queries
    from ics_cli.dates import OPEN, day_after

    org = db.query_one("SELECT start, end FROM orgs WHERE org_id = ?", (org_id,))
    rows = db.query(
        """SELECT m.parent_id, m.start, m.end, m.source, o.kind FROM memberships m JOIN orgs o ON o.org_id = m.parent_id
           WHERE m.child_id = ? AND m.relation = 'part_of' AND o.kind IN ('ccg', 'sub_icb', 'pcn')
           ORDER BY m.start, m.parent_id""",
        (org_id,),
    )
    parents = sorted({r["parent_id"] for r in rows})
    steps = {
        (r["predecessor_id"], r["successor_id"], r["date"]): r["type"]
        for r in db.query(
            f"SELECT predecessor_id, successor_id, date, type FROM successions WHERE predecessor_id IN ({','.join('?' * len(parents))})",
            tuple(parents),
        )
    }
    rules = queries.source_titles({r["source"] for r in rows if r["source"].startswith("derived_")})
    me = queries.org_on(org_id, org["end"] or OPEN)
    who = f"{me['name']} ({me['code']})"

    def named(parent_id: str, day: str) -> str:
        p = queries.org_on(parent_id, day)
        return f"{p['name']} ({p['code']})"

    def event(kind: str, day: str, title: str, row: dict, before: str | None = None, detail: str | None = None) -> dict:
        rule = rules.get(row["source"]) if kind != "left" else None
        detail = "; ".join(x for x in (detail, rule and rule["title"]) if x) or None
        ids = [org_id] + ([before] if before else []) + [row["parent_id"]]
        out = {"date": day, "kind": kind, "scope": "org", "title": title, "detail": detail, "source": row["source"]}
        return {**out, "org_ids": ids, "about": "self"}

    events = []
    for group in (AREAS, ("pcn",)):
        prev = None
        for r in (r for r in rows if r["kind"] in group):
            day = r["start"] or ""
            adjacent = prev is not None and prev["end"] and day_after(prev["end"]) == day
            if adjacent and (prev["parent_id"] == r["parent_id"] or _continues(prev, r)):
                prev = r  # the same parent from another source, or a CCG carrying on as a sub-ICB location
                continue
            if prev is not None and prev["end"] and not adjacent:
                events.append(event("left", day_after(prev["end"]), f"{who} left {named(prev['parent_id'], prev['end'])}", prev))
            if adjacent:
                title = f"{who} moved from {named(prev['parent_id'], prev['end'])} to {named(r['parent_id'], day)}"
                step = steps.get((prev["parent_id"], r["parent_id"], day))
                events.append(
                    event("moved", day, title, r, prev["parent_id"], _step_detail(step, prev["parent_id"], r["parent_id"]))
                )
            elif day > max(org["start"] or "", DATA_START):
                events.append(event("joined", day, f"{who} joined {named(r['parent_id'], day)}", r))
            prev = r
        if prev is not None and prev["end"] and prev["end"] < (org["end"] or OPEN):
            events.append(event("left", day_after(prev["end"]), f"{who} left {named(prev['parent_id'], prev['end'])}", prev))
    return sorted(events, key=lambda e: e["date"])


def _continues(before: dict, after: dict) -> bool:
    """A CCG's practices and PCNs carried on in the sub-ICB location of its code (2022-07-01)."""
    return before["kind"] == "ccg" and after["kind"] == "sub_icb" and before["parent_id"][4:] == after["parent_id"][8:]


def _step_detail(step: str | None, before: str, after: str) -> str | None:
    """The succession behind a move ("merger of 00K into 16C"), if one took the practice along."""
    a, b = before.split(":")[1], after.split(":")[1]
    if step == "merger":
        return f"merger of {a} into {b}"
    return f"{step.replace('_', ' ')} from {a} to {b}" if step else None


def _events(
    where: str, params: dict, first: str | None, last: str | None, kinds: tuple[str, ...] | None, org_id: str | None = None
) -> list[dict]:
    sql = f"""SELECT e.event_id, e.date, e.kind, e.scope, e.title, e.detail, e.source,
                     (SELECT group_concat(org_id, ' ') FROM event_orgs eo WHERE eo.event_id = e.event_id) AS org_ids
              FROM events e WHERE {where}"""
    if first:
        sql += " AND e.date >= :first"
        params["first"] = first
    if last:
        sql += " AND e.date <= :last"
        params["last"] = last
    if kinds:
        sql += f" AND e.kind IN ({','.join(f':k{i}' for i in range(len(kinds)))})"
        params.update({f"k{i}": k for i, k in enumerate(kinds)})
    rows = db.query(sql + " ORDER BY e.date, e.event_id", params)
    for r in rows:
        r["org_ids"] = (r["org_ids"] or "").split()
        if org_id is not None:
            r["about"] = "self" if org_id in r["org_ids"] else "related"
        del r["event_id"]
    return rows


def answer(
    org: dict | None, first: str | None, last: str | None, kinds: tuple[str, ...] | None, day: str | None = None
) -> Answer:
    """`ics timeline [ID]`: the national story, or the events of `org` (an orgs row), each naming
    it (``subject_id``, ``subject_name``: its name on `day`, or on its last or first day if it did
    not exist then)."""
    if org is None:
        return Answer(national(first, last, kinds), title=wording.timeline_title(None), empty=wording.NO_EVENTS)
    from ics_cli import gaps, queries
    from ics_cli.dates import OPEN, nearest_day

    named = queries.org_on(org["org_id"], nearest_day(org, day or org["end"] or OPEN))
    rows = [{**r, "subject_id": org["org_id"], "subject_name": named["name"]} for r in for_org(org["org_id"], first, last, kinds)]
    notes = [gaps.closed_2026_note()] if any(r["source"] == gaps.CLOSED_2026_SOURCE for r in rows) else []
    if renamed := sum(r["kind"] == "rename" and r["date"] in gaps.PCN_RENAME_DAYS and "pcn:" in str(r["org_ids"]) for r in rows):
        notes.append(gaps.pcn_renames_note(renamed))
    return Answer(rows, title=wording.timeline_title(org), empty=wording.NO_EVENTS, notes=notes)
