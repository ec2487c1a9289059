"""The two days a diff compares, read in one go: the successions between them, the memberships
valid on either, and the kinds, dates, names and codes of the organisations these name, with
the walk along successions that says which organisation of the second day carries on an area
of the first. Plain data; used by :mod:`ics_cli.diff`."""

from __future__ import annotations

from collections import defaultdict

from ics_cli import db
from ics_cli.dates import day_after, existed

CONTINUATIONS = ("became_sub_icb", "succeeded")
# How far a succession path moved an area, worst step wins: carried on, merged or split, transferred.
CARRIED, REPLACED, TRANSFERRED = 0, 1, 2
STEP_RANK = {"became_sub_icb": CARRIED, "succeeded": CARRIED, "merger": REPLACED, "split": REPLACED}
# Parents compared across eras: a sub-ICB location stands where its CCG stood, an ICB where its STP did.
PARENT_CLASS = {"sub_icb": "ccg", "icb": "stp"}
WHOLE = 0.9995  # a share this close to 1 is the whole area (shares are stored to four places)


def steps_between(d1: str, d2: str) -> list[dict]:
    return db.query(
        """SELECT predecessor_id, successor_id, date, type, share FROM successions WHERE date > :d1 AND date <= :d2
           ORDER BY date, predecessor_id, successor_id""",
        {"d1": d1, "d2": d2},
    )


def _among(column: str, ids: set[str] | None) -> tuple[str, dict]:
    """SQL restricting `column` to `ids` (none when ids is None: every organisation)."""
    if ids is None:
        return "", {}
    import json

    return f" AND {column} IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(sorted(ids))}


def _alive_either(t: str = "") -> str:
    p = f"{t}." if t else ""
    return " OR ".join(f"(COALESCE({p}start, '') <= {d} AND COALESCE({p}end, '9999-12-31') >= {d})" for d in (":d1", ":d2"))


def _on(rows: list[tuple], day: str) -> str | None:
    """The value of the (value, start, end) row valid on `day`, else of the latest row before it
    (an ended body), else of the first row."""
    best = None
    for value, start, end in rows:
        if (start or "") <= day:
            if day <= (end or "9999-12-31"):
                return value
            best = value
    return best if best is not None else (rows[0][0] if rows else None)


def start_on(rows: list[tuple], day: str) -> str | None:
    """The first day of the (value, start, end) row valid on `day`."""
    return next((start for _, start, end in rows if (start or "") <= day <= (end or "9999-12-31")), None)


class Snapshots:
    """What a diff reads, for the organisations in scope (every one when `scope` is None): the
    successions between the two days, the memberships valid on either day, and the kinds,
    dates, names and codes of every organisation these name."""

    def __init__(self, d1: str, d2: str, steps: list[dict], scope: set[str] | None):
        self.d1, self.d2 = d1, d2
        days = {"d1": d1, "d2": d2}
        self.steps = steps
        self.steps_from: dict[str, list[dict]] = defaultdict(list)
        self.steps_to: dict[str, list[dict]] = defaultdict(list)
        for s in self.steps:
            self.steps_from[s["predecessor_id"]].append(s)
            self.steps_to[s["successor_id"]].append(s)
        # Only the children whose memberships differ between the two days can have changed: a
        # membership valid on both days is the same parent on both (one parent of a kind at a time).
        where, ids = _among("child_id", scope)
        touched = {
            r[0]
            for r in _tuples(
                f"""SELECT DISTINCT child_id FROM memberships
                    WHERE ((COALESCE(start, '') <= :d1 AND COALESCE(end, '9999-12-31') >= :d1)
                           != (COALESCE(start, '') <= :d2 AND COALESCE(end, '9999-12-31') >= :d2)){where}""",
                {**days, **ids},
            )
        }
        # ... and the bodies of successions between the days, whose members are compared with
        # those of the body that carried each on (a trust taken over by one whose own are unchanged).
        touched |= {s["predecessor_id"] for s in steps} | {s["successor_id"] for s in steps}
        where, ids = _among("child_id", touched)
        # Memberships as tuples (child, parent, relation, start, end, share, on the first day, on
        # the second day, the parent's kind): a national diff reads tens of thousands.
        self.links: list[tuple] = _tuples(
            f"""SELECT child_id, parent_id, relation, start, end, share,
                       COALESCE(start, '') <= :d1 AND COALESCE(end, '9999-12-31') >= :d1,
                       COALESCE(start, '') <= :d2 AND COALESCE(end, '9999-12-31') >= :d2,
                       substr(parent_id, 1, instr(parent_id, ':') - 1)
                FROM memberships WHERE ({_alive_either()}){where} ORDER BY child_id, relation, parent_id, start""",
            {**days, **ids},
        )
        self.links_of: dict[str, list[tuple]] = defaultdict(list)
        for r in self.links:
            self.links_of[r[0]].append(r)
        wanted = None
        if scope is not None:
            wanted = set(scope) | {r[1] for r in self.links}
            wanted |= {s["predecessor_id"] for s in self.steps} | {s["successor_id"] for s in self.steps}
        where, ids = _among("org_id", wanted)
        self.orgs = {r["org_id"]: r for r in db.query(f"SELECT org_id, kind, start, end FROM orgs WHERE 1{where}", ids)}
        # Names and codes as (value, start, end) by organisation (and scheme), oldest first.
        self.names: dict[str, list[tuple]] = defaultdict(list)
        for oid, *row in _tuples(
            f"SELECT org_id, name, start, end FROM names WHERE type = 'official'{where} ORDER BY start", ids
        ):
            self.names[oid].append(tuple(row))
        self.codes: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        for oid, scheme, *row in _tuples(
            f"SELECT org_id, scheme, code, start, end FROM codes WHERE 1{where} ORDER BY start", ids
        ):
            self.codes[(oid, scheme)].append(tuple(row))
        self._targets: dict[str, dict[str, tuple[int, float | None]]] = {}

    def link_change(self, child: str, parent: str, day: str) -> str | None:
        """The day a change of `child`'s membership of `parent` took effect: the first day of the
        membership valid on the second day, or the day after the end of the one valid on the first."""
        second = day == self.d2
        for r in self.links_of.get(child, ()):
            if r[1] == parent and r[7 if second else 6]:
                return r[3] if second else day_after(r[4]) if r[4] else None
        return None

    def alive(self, org_id: str, day: str) -> bool:
        o = self.orgs.get(org_id)
        return o is not None and existed(o, day)

    def kind(self, org_id: str) -> str:
        return self.orgs[org_id]["kind"] if org_id in self.orgs else org_id.split(":", 1)[0]

    def name(self, org_id: str, day: str) -> str:
        return _on(self.names.get(org_id, []), day) or org_id

    def code(self, org_id: str, day: str, scheme: str | None = None) -> str | None:
        if scheme is None:
            scheme = "ons" if self.kind(org_id) == "la" else "ods"
        return _on(self.codes.get((org_id, scheme), []), day)

    def shown_code(self, org_id: str, day: str) -> str:
        """The code to print for it on `day`: its ODS code, else (an STP of 2016-2020 had none)
        its ONS code, else the code in its org id."""
        return self.code(org_id, day) or self.code(org_id, day, "ons") or org_id.split(":", 1)[1]

    def label(self, org_id: str, day: str) -> str:
        """ "NHS Tees Valley CCG (16C)": the name and code it had on `day` (or last had)."""
        return f"{self.name(org_id, day)} ({self.shown_code(org_id, day)})"

    def targets(self, org_id: str) -> dict[str, tuple[int, float | None]]:
        """Where the area of `org_id` (alive on the first day) is on the second: each organisation
        alive then that its successions lead to, with how far the path moved it (CARRIED,
        REPLACED or TRANSFERRED, the worst step of the least moved path) and the share of its
        population that went there. As in queries.successors_on, once its area has merged with
        others a later part of the merged body is no longer a known share of it (None)."""
        if org_id in self._targets:
            return self._targets[org_id]
        out: dict[str, tuple[int, float | None]] = {}
        if self.alive(org_id, self.d2):
            out[org_id] = (CARRIED, None)
        frontier = [(org_id, "", CARRIED, 1.0, False)]
        seen = set()
        while frontier:
            node, since, rank, share, merged = frontier.pop()
            if (node, since) in seen:
                continue
            seen.add((node, since))
            for s in self.steps_from.get(node, ()):
                if s["date"] <= since:
                    continue
                step_rank = max(rank, STEP_RANK.get(s["type"], TRANSFERRED))
                whole = s["share"] is not None and s["share"] >= WHOLE
                part = None if share is None or s["share"] is None or (merged and not whole) else share * s["share"]
                nxt = s["successor_id"]
                if self.alive(nxt, self.d2):
                    prev = out.get(nxt)
                    if prev is None:
                        out[nxt] = (step_rank, part)
                    else:
                        total = None if prev[1] is None or part is None else prev[1] + part
                        out[nxt] = (min(prev[0], step_rank), total)
                else:
                    many = sum(1 for p in self.steps_to[nxt] if p["date"] == s["date"]) > 1
                    frontier.append((nxt, s["date"], step_rank, part, merged or many))
        self._targets[org_id] = out
        return out

    def origins(self, org_id: str) -> list[str]:
        """The organisations alive on the first day whose areas the successions lead to `org_id`."""
        found, frontier, seen = [], [org_id], {org_id}
        while frontier:
            for s in self.steps_to.get(frontier.pop(), ()):
                p = s["predecessor_id"]
                if p in seen:
                    continue
                seen.add(p)
                if self.alive(p, self.d1):
                    found.append(p)
                else:
                    frontier.append(p)
        return sorted(found)

    def carried_from(self, org_id: str) -> str:
        """The organisation of the first day that `org_id` carries on (itself if it lived then)."""
        if self.alive(org_id, self.d1):
            return org_id
        carried = [o for o in self.origins(org_id) if self.targets(o).get(org_id, (None,))[0] == CARRIED]
        return carried[0] if len(carried) == 1 else org_id

    def carried_on_as(self, org_id: str) -> str | None:
        """The one organisation of the second day that carries `org_id` on (itself if it lived on)."""
        if self.alive(org_id, self.d2):
            return org_id
        carried = [t for t, (rank, _) in self.targets(org_id).items() if rank == CARRIED]
        return carried[0] if len(carried) == 1 else None


def parents_on(world: Snapshots) -> tuple[dict, dict, dict[str, set], dict[str, set]]:
    """The parents of every child on each day: (child, relation, parent class) -> {parent: share}
    for the first day and for the second, and each child's (relation, parent class) keys on each."""
    before: dict[tuple[str, str, str], dict[str, float | None]] = {}
    after: dict[tuple[str, str, str], dict[str, float | None]] = {}
    keys1: dict[str, set] = defaultdict(set)
    keys2: dict[str, set] = defaultdict(set)
    for child, parent, relation, _s, _e, share, on1, on2, kind in world.links:
        cls = PARENT_CLASS.get(kind, kind)
        if on1:
            before.setdefault((child, relation, cls), {})[parent] = share
            keys1[child].add((relation, cls))
        if on2:
            after.setdefault((child, relation, cls), {})[parent] = share
            keys2[child].add((relation, cls))
    return before, after, keys1, keys2


def _tuples(sql: str, params: dict) -> list[tuple]:
    """Rows as tuples (no dict per row)."""
    cur = db.connect().cursor()
    cur.row_factory = None
    try:
        return cur.execute(sql, params).fetchall()
    except Exception as e:  # the same messages as db.query for an out-of-date database
        import sqlite3

        if isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.ProgrammingError):
            raise db._query_error(e) from None
        raise
