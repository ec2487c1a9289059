"""Queries that answer the commands' questions. Every function takes plain values (org ids, ISO
dates) and returns plain Python data (dicts, lists); nothing here prints or formats."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from ics_cli import db
from ics_cli.dates import day_after, existed
from ics_cli.hierarchy import RELATIONS_SQL, nearest, walk_up
from ics_cli.vocab import PARENT_ORDER

# Validity of a row with start/end columns on the day :d (NULL start = before the data's coverage).
ALIVE = "(COALESCE({t}start, '') <= :d AND COALESCE({t}end, '9999-12-31') >= :d)"


def alive(alias: str = "") -> str:
    return ALIVE.format(t=f"{alias}." if alias else "")


# The parent shown beside each kind in lists: (relation, parent kind).
LIST_PARENT = {
    "icb": ("part_of", "region"),
    "sub_icb": ("part_of", "icb"),
    "stp": ("part_of", "region"),
    "ccg": ("part_of", "stp"),
    "area_team": ("part_of", "region"),
    "trust": ("hq_in", "icb"),
    "practice": ("part_of", "sub_icb"),
    "pcn": ("part_of", "sub_icb"),
}
# Before STPs (April 2016) a CCG's parent was its area team; before July 2022 a practice's or a
# PCN's was a CCG.
FALLBACK_PARENT = {"ccg": ("part_of", "area_team"), "practice": ("part_of", "ccg"), "pcn": ("part_of", "ccg")}


def _code_on(t: str, scheme: str) -> str:
    """SQL: the code of scheme `scheme` (an SQL expression) that org alias `t` had on :d."""
    return f"""(SELECT c.code FROM codes c WHERE c.org_id = {t}.org_id AND c.scheme = {scheme} AND {alive("c")}
               ORDER BY c.start DESC LIMIT 1)"""


def _name_on(t: str, kind: str = "official") -> str:
    """SQL: the name of type `kind` that org alias `t` had on :d."""
    return f"""(SELECT n.name FROM names n WHERE n.org_id = {t}.org_id AND n.type = '{kind}' AND {alive("n")}
               ORDER BY n.start DESC LIMIT 1)"""


# An organisation's codes and names as they were on :d (its latest ones if it had ended by then).
ORG_COLUMNS = f"""
    o.org_id, o.kind,
    COALESCE({_code_on("o", "CASE o.kind WHEN 'la' THEN 'ons' ELSE 'ods' END")}, o.code) AS code,
    COALESCE({_code_on("o", "'ons'")}, o.ons_code) AS ons_code,
    COALESCE({_name_on("o")}, o.name) AS name,
    {_name_on("o", "short")} AS short_name,
    o.start, o.end, o.source
"""


def org_on(org_id: str, day: str) -> dict | None:
    """An organisation's code, ONS code and name as they were on `day` (latest ones if it had ended)."""
    return db.query_one(f"SELECT {ORG_COLUMNS} FROM orgs o WHERE o.org_id = :id", {"id": org_id, "d": day})


def _parent_sql(relation: str, parent_kind: str) -> str:
    """SQL: the id of org o's parent of `parent_kind` through `relation` on :d (the largest share)."""
    return f"""(SELECT m.parent_id FROM memberships m JOIN orgs p ON p.org_id = m.parent_id
               WHERE m.child_id = o.org_id AND m.relation = '{relation}' AND p.kind = '{parent_kind}' AND {alive("m")}
               ORDER BY m.share DESC, p.org_id LIMIT 1)"""


def list_orgs(kind: str, day: str, within: str | None = None) -> Iterator[dict]:
    """Organisations of `kind` alive on `day`, optionally only those inside org `within`, with the
    parent that matters for the kind (or, before that kind of parent existed, the earlier one).
    Streams rows."""
    parent = "NULL"
    if kind in LIST_PARENT:
        parent = _parent_sql(*LIST_PARENT[kind])
        if kind in FALLBACK_PARENT:
            parent = f"COALESCE({parent}, {_parent_sql(*FALLBACK_PARENT[kind])})"
    params = {"kind": kind, "d": day, "within": within}
    extra, where = "", ""
    if within:
        inside = f"""
            WITH RECURSIVE inside(org_id, relation, share) AS (
                SELECT m.child_id, m.relation, m.share FROM memberships m WHERE m.parent_id = :within AND {alive("m")}
                UNION
                -- Below the first level, every relation of a part_of member counts: the trusts
                -- with HQs in, and the councils overlapping, a region's ICBs are in the region.
                -- A share is only meaningful against `within` itself, so deeper rows have none.
                -- Not down through PCNs: a PCN may cross a boundary, and its practices are in
                -- `within` only if their own parent is.
                SELECT m.child_id, m.relation, NULL FROM memberships m JOIN inside i ON m.parent_id = i.org_id
                WHERE i.relation = 'part_of' AND i.org_id NOT LIKE 'pcn:%' AND {alive("m")}
            )"""
        extra = """,
                   (SELECT group_concat(DISTINCT relation) FROM inside WHERE inside.org_id = o.org_id) AS relation,
                   (SELECT max(share) FROM inside WHERE inside.org_id = o.org_id) AS share"""
        where = " AND o.org_id IN (SELECT org_id FROM inside)"
    else:
        inside = ""
    sql = f"""{inside}
        SELECT b.*, COALESCE({_code_on("p", "CASE p.kind WHEN 'la' THEN 'ons' ELSE 'ods' END")}, p.code) AS parent_code,
               COALESCE({_name_on("p")}, p.name) AS parent_name, p.kind AS parent_kind
        FROM (SELECT {ORG_COLUMNS}, {parent} AS parent_id{extra}
              FROM orgs o WHERE o.kind = :kind AND {alive("o")}{where}) b
        LEFT JOIN orgs p ON p.org_id = b.parent_id
        ORDER BY b.name, b.org_id"""
    return db.iter_query(sql, params)


def _up_from(org_id: str, day: str) -> tuple[dict | None, Callable[[str], list[dict]]]:
    """In one query: the organisation, and every membership above it on `day` that a walk up follows
    (hierarchy.RELATIONS), by org id. Returns the organisation and its ``parents_of`` for
    hierarchy.walk_up, each as org_id, kind, code and name (the latest: orgs row), relation, share
    and via_source."""
    rows = db.query(
        f"""WITH RECURSIVE up(org_id) AS (
                SELECT :id
                UNION
                SELECT m.parent_id FROM memberships m JOIN up ON m.child_id = up.org_id
                WHERE m.relation IN ({RELATIONS_SQL}) AND {alive("m")})
            SELECT m.child_id AS child_id, m.parent_id AS org_id, o.kind, o.code, o.name, m.relation, m.share,
                   m.source AS via_source
            FROM up JOIN memberships m ON m.child_id = up.org_id JOIN orgs o ON o.org_id = m.parent_id
            WHERE m.relation IN ({RELATIONS_SQL}) AND {alive("m")}
            UNION ALL
            SELECT NULL, o.org_id, o.kind, o.code, o.name, NULL, NULL, NULL FROM orgs o WHERE o.org_id = :id
            ORDER BY child_id, org_id""",
        {"id": org_id, "d": day},
    )
    start, above = None, defaultdict(list)
    for r in rows:
        child = r.pop("child_id")
        if child is None:
            start = r
        else:
            above[child].append(r)
    return start, lambda oid: above.get(oid, [])


def parents(org_id: str, day: str) -> list[dict]:
    """The organisations `org_id` is in on `day`, the nearest of each kind (hierarchy.walk_up: a
    practice's PCN and own sub-ICB location, then ICB and region; a trust's HQ's ICB and region),
    in PARENT_ORDER, each under its codes and names of the day, with its relation, share and source."""
    found = walk_up(org_id, _up_from(org_id, day)[1])
    if not found:
        return []
    ids = [p["org_id"] for p in found.values()]
    named = {
        r["org_id"]: r
        for r in db.query(
            f"SELECT {ORG_COLUMNS} FROM orgs o WHERE o.org_id IN ({', '.join(f':p{i}' for i in range(len(ids)))})",
            {"d": day, **{f"p{i}": oid for i, oid in enumerate(ids)}},
        )
    }
    rows = [
        {**named[p["org_id"]], "relation": p["relation"], "share": p["share"], "via_source": p["via_source"]}
        for p in found.values()
    ]
    return sorted(rows, key=lambda r: PARENT_ORDER.index(r["kind"]) if r["kind"] in PARENT_ORDER else len(PARENT_ORDER))


def change_days_above(org_id: str) -> set[str]:
    """Every day on which a membership above `org_id` (hierarchy.RELATIONS, followed up through
    every parent it ever had) began or the day after one ended: the days its parents may change."""
    rows = db.query(
        f"""WITH RECURSIVE up(org_id) AS (
                SELECT :id
                UNION
                SELECT m.parent_id FROM memberships m JOIN up ON m.child_id = up.org_id WHERE m.relation IN ({RELATIONS_SQL}))
            SELECT DISTINCT m.start, m.end FROM up JOIN memberships m ON m.child_id = up.org_id
            WHERE m.relation IN ({RELATIONS_SQL})""",
        {"id": org_id},
    )
    return {r["start"] for r in rows} | {day_after(r["end"]) for r in rows if r["end"]}


def ancestor(org_id: str, kind: str, day: str, *, named_on_day: bool = True) -> dict | None:
    """The organisation of `kind` that `org_id` is in on `day` (itself if it is one), or None:
    under its codes and names of the day (one more query), or with ``named_on_day=False`` its
    org_id, kind and latest code and name (a search result's ICB, for each of many rows)."""
    start, parents_of = _up_from(org_id, day)
    found = nearest(start, kind, parents_of) if start else None
    if found is None or not named_on_day:
        return found
    return org_on(found["org_id"], day)


def direct_members(org_id: str, day: str) -> list[dict]:
    """Organisations directly related to `org_id` on `day` (children, partners, overlapping LAs)."""
    return db.query(
        f"""SELECT {ORG_COLUMNS}, m.relation, m.share, m.source AS via_source FROM memberships m JOIN orgs o ON o.org_id = m.child_id
            WHERE m.parent_id = :id AND {alive("m")} ORDER BY o.kind, m.relation, name""",
        {"id": org_id, "d": day},
    )


def member_counts(org_id: str, day: str) -> dict[str, int]:
    """How many organisations of each kind sit inside `org_id` (part_of, any depth) on `day`."""
    rows = db.query(
        f"""WITH RECURSIVE inside(org_id) AS (
                SELECT m.child_id FROM memberships m WHERE m.parent_id = :id AND m.relation = 'part_of' AND {alive("m")}
                UNION
                SELECT m.child_id FROM memberships m JOIN inside i ON m.parent_id = i.org_id
                WHERE m.relation = 'part_of' AND i.org_id NOT LIKE 'pcn:%' AND {alive("m")})
            SELECT o.kind, count(*) AS n FROM inside JOIN orgs o USING (org_id) WHERE {alive("o")} GROUP BY o.kind""",
        {"id": org_id, "d": day},
    )
    return {r["kind"]: r["n"] for r in rows}


def memberships_of(org_id: str, day: str) -> list[dict]:
    """Every relation in which `org_id` is the child on `day` (for LAs: the ICBs they overlap)."""
    return db.query(
        f"""SELECT {ORG_COLUMNS}, m.relation, m.share, m.source AS via_source FROM memberships m JOIN orgs o ON o.org_id = m.parent_id
            WHERE m.child_id = :id AND {alive("m")} ORDER BY m.relation, o.kind, m.share DESC, name""",
        {"id": org_id, "d": day},
    )


def names_of(org_id: str) -> list[dict]:
    return db.query(
        "SELECT name, type, start, end, source FROM names WHERE org_id = ? ORDER BY start IS NOT NULL, start, type", (org_id,)
    )


def codes_of(org_id: str) -> list[dict]:
    return db.query(
        "SELECT scheme, code, start, end, source FROM codes WHERE org_id = ? ORDER BY scheme DESC, start IS NOT NULL, start",
        (org_id,),
    )


def attributes_of(org_id: str, day: str) -> dict[str, dict]:
    rows = db.query(
        f"SELECT key, value, start, end, source FROM attributes WHERE org_id = :id AND {alive()} ORDER BY key, start",
        {"id": org_id, "d": day},
    )
    return {r["key"]: r for r in rows}


def populations_of(org_id: str, measure: str | None = None, totals_only: bool = True) -> list[dict]:
    """An organisation's figures, each for the area it had from `start` to `end` (None: still has)."""
    sql = """SELECT p.measure, p.sex, p.age, p.value, p.date, p.start, p.end, p.source, s.title AS source_title
             FROM populations p JOIN sources s USING (source) WHERE p.org_id = ?"""
    params: list = [org_id]
    if totals_only:
        sql += " AND p.age = 'all'"
    if measure:
        sql += " AND p.measure = ?"
        params.append(measure)
    return db.query(sql + " ORDER BY p.date DESC, p.measure, p.start DESC, p.sex, p.age", params)


def on_the_area_of(rows: list[dict], day: str) -> tuple[list[dict], list[dict]]:
    """Population rows for the area an organisation had on `day`: of each measure, the rows
    valid that day, else all its rows (those are for other areas: the second list)."""
    valid = {r["measure"] for r in rows if existed(r, day)}
    kept = [r for r in rows if existed(r, day) or r["measure"] not in valid]
    return kept, [r for r in kept if not existed(r, day)]


def successions_of(org_id: str) -> dict[str, list[dict]]:
    """Predecessors (steps into org_id) and successors (steps out of it), each with the other org
    under the codes and name it had then: a predecessor on its last day, a successor on its first."""
    from ics_cli.dates import day_before

    preds = db.query(
        """SELECT s.date, s.type, s.share, s.note, s.source, s.predecessor_id AS org_id FROM successions s
           WHERE s.successor_id = ? ORDER BY s.date, s.share DESC, s.predecessor_id""",
        (org_id,),
    )
    succs = db.query(
        """SELECT s.date, s.type, s.share, s.note, s.source, s.successor_id AS org_id FROM successions s
           WHERE s.predecessor_id = ? ORDER BY s.date, s.share DESC, s.successor_id""",
        (org_id,),
    )
    for side, when in ((preds, day_before), (succs, str)):
        for s in side:
            other = org_on(s["org_id"], when(s["date"]))
            s.update(kind=other["kind"], code=other["code"], ons_code=other["ons_code"], name=other["name"])
    return {"predecessors": preds, "successors": succs}


def kind_span(kind: str) -> tuple[str, str]:
    """The first and last day any organisation of `kind` existed ('' and 9999-12-31 when open)."""
    row = db.query_one(
        "SELECT min(COALESCE(start, '')) AS first, max(COALESCE(end, '9999-12-31')) AS last FROM orgs WHERE kind = ?", (kind,)
    )
    return row["first"] or "", row["last"] or "9999-12-31"


def kin(org_id: str) -> set[str]:
    """The organisations an organisation directly succeeded or was succeeded by."""
    return {
        r["o"]
        for r in db.query(
            """SELECT predecessor_id AS o FROM successions WHERE successor_id = :id
           UNION SELECT successor_id FROM successions WHERE predecessor_id = :id""",
            {"id": org_id},
        )
    }


def boundary_changes(org_id: str) -> list[str]:
    """Days on which an organisation's area changed while it carried on: it took in part of
    another, or gave part of its own away."""
    rows = db.query(
        """SELECT DISTINCT s.date FROM successions s JOIN orgs o ON o.org_id = :id
           WHERE (s.successor_id = :id AND s.date > COALESCE(o.start, '') AND s.type != 'became_sub_icb')
              OR (s.predecessor_id = :id AND s.date <= COALESCE(o.end, '9999-12-31'))
           ORDER BY s.date""",
        {"id": org_id},
    )
    return [r["date"] for r in rows]


def source_titles(ids: set[str]) -> dict[str, dict]:
    if not ids:
        return {}
    rows = db.query(f"SELECT * FROM sources WHERE source IN ({','.join('?' * len(ids))})", tuple(sorted(ids)))
    return {r["source"]: r for r in rows}


CONTINUATIONS = ("became_sub_icb", "succeeded")  # the same area carrying on under a new organisation


def successors_on(org_id: str, day: str) -> list[dict]:
    """Where an organisation that had ended by `day` went: the organisations alive on `day` that
    its successions lead to, each with the share of its population that reached it.

    Shares multiply along a chain while they stay this organisation's own. Once its area has
    merged with others, a later division of the merged body says nothing about where this part
    went: those shares are None, `certain` is False, and `continuation` marks the body that
    carried on (became a sub-ICB location or succeeded) rather than took a part."""
    out: dict[str, dict] = {}
    frontier: list[tuple[str, float | None, bool, bool]] = [(org_id, 1.0, False, True)]
    seen = set()
    while frontier:
        oid, share, merged, carried = frontier.pop()
        if oid in seen:
            continue
        seen.add(oid)
        steps = db.query(
            """SELECT s.successor_id, s.share, s.date, s.type, o.start, o.end,
                      (SELECT count(*) FROM successions p WHERE p.successor_id = s.successor_id AND p.date = s.date) AS n_from
               FROM successions s JOIN orgs o ON o.org_id = s.successor_id
               WHERE s.predecessor_id = ? AND s.date <= ? ORDER BY s.date, s.successor_id""",
            (oid, day),
        )
        for st in steps:
            whole = st["share"] is not None and st["share"] >= 0.9995
            if share is None or st["share"] is None or (merged and not whole):
                nxt_share = None
            else:
                nxt_share = share * st["share"]
            nxt_carried = carried and (whole or st["type"] in CONTINUATIONS)
            nxt_merged = merged or st["n_from"] > 1
            if existed(st, day):
                prev = out.get(st["successor_id"])
                if prev is None:
                    out[st["successor_id"]] = {"share": nxt_share, "continuation": nxt_carried}
                else:
                    prev["share"] = None if nxt_share is None or prev["share"] is None else prev["share"] + nxt_share
                    prev["continuation"] = prev["continuation"] or nxt_carried
            else:
                frontier.append((st["successor_id"], nxt_share, nxt_merged, nxt_carried))
    rows = [
        {**org_on(oid, day), "share": v["share"], "certain": v["share"] is not None, "continuation": v["continuation"]}
        for oid, v in out.items()
    ]
    return sorted(rows, key=lambda r: (-(r["share"] or 0), not r["continuation"], r["org_id"]))


def where_now(org_id: str, day: str) -> dict:
    """Where an organisation that had ended by `day` went, for mapping old codes forward: the
    organisations its successions lead to (`after`, best share first), or for one with no
    successor (a closed GP practice) the area it last sat in (`via`), followed forward.
    `org_id` is the one to use on `day`, or None when the trail ends (or had not begun: an
    organisation founded after `day` is nowhere yet)."""
    after = successors_on(org_id, day)
    via = None
    if not after:
        org = db.query_one("SELECT start, end FROM orgs WHERE org_id = ?", (org_id,))
        if org and (org["start"] or "") > day:
            return {"org_id": None, "via": None, "after": [], "uncertain": False}
        # Its own areas on its last day (one query: a practice's direct parents are its areas).
        parents = [p for p in memberships_of(org_id, org["end"] or day) if p["relation"] == "part_of"] if org else []
        last = [p for kind in ("sub_icb", "ccg", "pcn") for p in parents if p["kind"] == kind]
        if not last:
            return {"org_id": None, "via": None, "after": [], "uncertain": False}
        via = last[0]
        if existed(via, day):
            return {"org_id": via["org_id"], "via": via, "after": [], "uncertain": False}
        after = successors_on(via["org_id"], day)
    # Its part went to one of several, and the sources do not say which (a split after a merger).
    uncertain = len(after) > 1 and not after[0]["certain"] and not after[0]["continuation"]
    return {"org_id": after[0]["org_id"] if after and not uncertain else None, "via": via, "after": after, "uncertain": uncertain}


POSTCODES_FROM = "2022-07-01"  # the NHS ODS postcode files are July 2022 geography (sub-ICB locations)


def postcode_areas(district: str, day: str) -> tuple[list[str], str]:
    """The sub-ICB locations a postcode district lay in on `day` (several if it straddles a
    boundary), with a note on how they were found. Before July 2022: the CCGs its postcode
    sectors' LSOAs lay in that day (ics_cli/small_areas.district_areas); for a district the sector
    lookup lacks, its July 2022 sub-ICB locations followed back to the CCGs they came from (the
    same areas but for the few boundary changes, which the note admits)."""
    if day < POSTCODES_FROM:
        from ics_cli import small_areas

        found = sorted(c["org_id"] for c in small_areas.district_areas(district, day))
        if found:
            return found, f"postcode district {district} (the LSOAs of its postcode sectors on {day})"
    rows = db.query(
        f"SELECT DISTINCT org_id FROM postcode_districts WHERE district = :district AND {alive()} ORDER BY org_id",
        {"district": district, "d": max(day, POSTCODES_FROM)},
    )
    found = [r["org_id"] for r in rows]
    if day >= POSTCODES_FROM or not found:
        return found, f"postcode district {district}"
    back: set[str] = set()
    frontier = list(found)
    while frontier:
        oid = frontier.pop()
        org = db.query_one("SELECT start, end FROM orgs WHERE org_id = ?", (oid,))
        if org and existed(org, day):
            back.add(oid)
            continue
        frontier += [
            r["predecessor_id"]
            for r in db.query(
                "SELECT predecessor_id FROM successions WHERE successor_id = ? AND type IN ('became_sub_icb', 'merger', 'succeeded')",
                (oid,),
            )
        ]
    return sorted(back), f"postcode district {district} (July 2022 geography, traced back to the CCGs of {day})"


def kind_counts(day: str) -> dict[str, dict[str, int]]:
    """For each kind: how many organisations the data holds, and how many existed on `day`."""
    rows = db.query(
        f"SELECT kind, count(*) AS total, sum({alive()}) AS current FROM orgs GROUP BY kind ORDER BY kind", {"d": day}
    )
    return {r["kind"]: {"total": r["total"], "current": r["current"]} for r in rows}


def all_sources() -> list[dict]:
    return db.query("SELECT source, title, publisher, edition, licence, url, file, note FROM sources ORDER BY source")
