"""`ics timeline`: dated events, nationally or for one organisation and those around it."""

from __future__ import annotations

from ics_cli import db, wording
from ics_cli.render import Answer


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
    return _events(where, {"id": org_id}, first, last, kinds, org_id=org_id)


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


def answer(org: dict | None, first: str | None, last: str | None, kinds: tuple[str, ...] | None) -> Answer:
    """`ics timeline [ID]`: the national story, or the events of `org` (an orgs row)."""
    rows = national(first, last, kinds) if org is None else for_org(org["org_id"], first, last, kinds)
    return Answer(rows, title=wording.timeline_title(org), empty=wording.NO_EVENTS)
