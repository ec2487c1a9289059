"""`ics lineage`: where an organisation came from and where it went, through every era.

Steps are the successions in the data (merger, split, boundary transfer, recode, became a
sub-ICB location, succeeded) plus, for sub-ICB locations, a `moved` step when the ICB they belong
to changed (April 2026). Returns nodes and edges as plain dicts. Each step's ``share`` is the
fraction of its predecessor's population that took it; going down from the organisation asked
about, ``root_share`` is the fraction of that organisation's own area that took it (from the
small areas), so a later step of a body it merged into is shown for its part only. Going up,
a step of an earlier body is shown only if some of that body's area lies in the organisation's."""

from __future__ import annotations

from ics_cli import db, queries, small_areas
from ics_cli.dates import OPEN, day_before
from ics_cli.queries import ORG_COLUMNS


def _node(org_id: str, day: str) -> dict:
    row = db.query_one(f"SELECT {ORG_COLUMNS} FROM orgs o WHERE o.org_id = :id", {"id": org_id, "d": day})
    return {k: row[k] for k in ("org_id", "kind", "code", "ons_code", "name", "start", "end")}


def _parent(org_id: str, kind: str, day: str) -> dict | None:
    """The STP of a CCG or the ICB of a sub-ICB location on `day` (context for a step)."""
    want = {"ccg": "stp", "sub_icb": "icb"}.get(kind)
    row = queries.ancestor(org_id, want, day) if want else None
    return {k: row[k] for k in ("org_id", "kind", "code", "name")} if row else None


def _steps(org_id: str, direction: str) -> list[dict]:
    col, other = ("successor_id", "predecessor_id") if direction == "up" else ("predecessor_id", "successor_id")
    return db.query(
        f"""SELECT predecessor_id AS "from", successor_id AS "to", date, type, share, note, source
            FROM successions WHERE {col} = ? ORDER BY date, share DESC, {other}""",
        (org_id,),
    )


def _moves(org_id: str) -> list[dict]:
    """A sub-ICB location's change of ICB (same organisation, new parent)."""
    rows = db.query(
        """SELECT m.parent_id, m.start, m.end, m.source FROM memberships m JOIN orgs o ON o.org_id = m.parent_id
           WHERE m.child_id = ? AND m.relation = 'part_of' AND o.kind = 'icb' ORDER BY m.start""",
        (org_id,),
    )
    return [
        {
            "from": org_id,
            "to": org_id,
            "date": b["start"],
            "type": "moved",
            "share": None,
            "note": f"from {a['parent_id']} to {b['parent_id']}",
            "source": b["source"],
            "from_icb": a["parent_id"],
            "to_icb": b["parent_id"],
        }
        for a, b in zip(rows, rows[1:])
        if a["parent_id"] != b["parent_id"]
    ]


def _named(edge: dict) -> dict:
    """Each side of a step under the code and name it had then: the predecessor on its last day,
    the successor on the day of the step (later renames do not rewrite history)."""
    before, on = queries.org_on(edge["from"], day_before(edge["date"])), queries.org_on(edge["to"], edge["date"])
    edge.update(from_code=before["code"], from_name=before["name"], to_code=on["code"], to_name=on["name"])
    return edge


def _founding_members(icb_id: str) -> list[str]:
    """The sub-ICB locations an ICB had on its first day."""
    rows = db.query(
        """SELECT m.child_id FROM memberships m JOIN orgs o ON o.org_id = m.child_id JOIN orgs i ON i.org_id = m.parent_id
           WHERE m.parent_id = ? AND m.relation = 'part_of' AND o.kind = 'sub_icb' AND m.start = i.start ORDER BY m.child_id""",
        (icb_id,),
    )
    return [r["child_id"] for r in rows]


def lineage(org_id: str, direction: str = "both", depth: int | None = None, day: str | None = None) -> dict:
    """Nodes and edges reachable from `org_id` through successions, up and/or down.

    Looking back from a predecessor, its other steps of the same day are included too (a CCG that
    became a sub-ICB location and also gave part of its area to another), without following them.
    An ICB also brings the sub-ICB locations it started with and where they came from (`members`).
    `day` (--as-of) names the root as it was on that day."""
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    seen_edges = set()
    blocks: dict[tuple[str, str], dict[int, int]] = {}
    root_blocks: set[int] | None = None  # the root's blocks on its first and last day (and `day`)

    def area(oid: str, on: str) -> dict[int, int]:
        if (oid, on) not in blocks:
            blocks[oid, on] = small_areas.area_blocks(oid, on)
        return blocks[oid, on]

    def root_share(step: dict, base: str) -> float | None:
        """The share of the root's area on `base` (Census 2021 residents) that took `step`: in
        its predecessor the day before and in its successor on the day. None where an area is not
        known (trusts, practices, PCNs)."""
        own, before, after = area(org_id, base), area(step["from"], day_before(step["date"])), area(step["to"], step["date"])
        if not (own and before and after):
            return None
        return round(sum(p for b, p in own.items() if b in before and b in after) / sum(own.values()), 4)

    def reaches_root(step: dict) -> bool:
        """Going up: whether any of the predecessor's area (the day before the step) lies in the
        root's, on its first or last day (or the day asked). A predecessor of a body the root came
        from in part (East Berkshire, 15D, into Frimley's D4U1Y) gave none of it to the root (Surrey
        and Sussex ICB) unless the blocks say so. True where an area is not known."""
        nonlocal root_blocks
        if root_blocks is None:  # the same for every step: gathered once
            first, last = nodes[org_id]["start"] or OPEN, nodes[org_id]["end"] or OPEN
            root_blocks = {b for d in {first, last, day or last} for b in area(org_id, d)}
        before = area(step["from"], day_before(step["date"]))
        return not (root_blocks and before) or bool(root_blocks & before.keys())

    def add_node(oid: str) -> None:
        if oid not in nodes:
            o = db.query_one("SELECT start, end FROM orgs WHERE org_id = ?", (oid,))
            # Describe each organisation as it was at the end of its life (or now).
            nodes[oid] = _node(oid, o["end"] or OPEN)

    def add_edge(step: dict) -> bool:
        key = (step["from"], step["to"], step["date"], step["type"])
        if key in seen_edges:
            return False
        seen_edges.add(key)
        edges.append(step)
        add_node(step["from"])
        add_node(step["to"])
        return True

    def walk(oid: str, way: str, level: int, since: str | None = None, base: str | None = None) -> None:
        """Follow steps from `oid`, forwards in time going down (only steps on or after the day
        it was reached), backwards going up (only steps on or before it). Going down, each step
        carries the share of the root's own area (on `base`, the day before its first step) that
        took it (`root_share`): a step of a body the root merged into that took none of the
        root's area is not the root's lineage (Dudley's part of D2P2L stayed in the Black Country
        when West Birmingham moved), and is left out."""
        if depth is not None and level >= depth:
            return
        for step in _steps(oid, way):
            if since and (step["date"] < since if way == "down" else step["date"] > since):
                continue
            if way == "up" and oid != org_id and not reaches_root(step):
                continue
            if way == "down":
                base = base if oid != org_id else day_before(step["date"])
                step["root_share"] = step["share"] if oid == org_id else root_share(step, base)
                if step["root_share"] == 0:
                    continue
            if not add_edge(step):
                continue
            nxt = step["from"] if way == "up" else step["to"]
            if way == "up":
                # The predecessor's other steps that day: where the rest of its area went.
                for other in _steps(nxt, "down"):
                    if other["date"] == step["date"] and other["to"] != oid:
                        add_edge(other)
            walk(nxt, way, level + 1, step["date"], base if way == "down" else None)

    add_node(org_id)
    if day and nodes[org_id]["kind"]:
        nodes[org_id] = _node(org_id, day)
    for way in ("up", "down") if direction == "both" else (direction,):
        walk(org_id, way, 0)
    members: list[str] = []
    if nodes[org_id]["kind"] == "icb" and direction != "down":
        members = _founding_members(org_id)
        for member in members:
            add_node(member)
            # A sub-ICB location created with the ICB (July 2022) brings its CCG ancestry; one that
            # moved in from an older ICB (April 2026) brings its move and what it took in that day
            # (92A: part of Frimley), not its older history.
            # Only steps while it was in this ICB: 92A's share of Frimley (April 2026) is not how
            # Surrey Heartlands ICB (ended 2026-03-31) was formed.
            if nodes[member]["start"] == nodes[org_id]["start"]:
                walk(member, "up", 0, nodes[org_id]["end"])
            else:
                for step in _steps(member, "up"):
                    if step["date"] == nodes[org_id]["start"] and add_edge(step):
                        walk(step["from"], "up", 1, step["date"])
    # A move to a new ICB is a step forward in time: looking only back (--up), it is not shown,
    # except for the sub-ICB locations an ICB started with (how it was formed).
    for oid in list(nodes):
        if nodes[oid]["kind"] == "sub_icb" and (direction != "up" or oid in members):
            for m in _moves(oid):
                if direction == "up" and m["to_icb"] != org_id:
                    continue
                edges.append(m)
                add_node(m["from_icb"])
                add_node(m["to_icb"])
    for e in edges:
        _named(e)
        e["from_parent"] = _parent(e["from"], nodes[e["from"]]["kind"], day_before(e["date"]))
        e["to_parent"] = _parent(e["to"], nodes[e["to"]]["kind"], e["date"])
    edges.sort(key=lambda e: (e["date"], e["from"], e["to"], e["type"]))
    return {"root": org_id, "members": members, "nodes": sorted(nodes.values(), key=lambda n: n["org_id"]), "edges": edges}


def edge_rows(data: dict) -> list[dict]:
    """One flat row per step, for csv/tsv/table output; names and codes as they were at the step."""
    nodes = {n["org_id"]: n for n in data["nodes"]}
    root = nodes[data["root"]]
    rows = []
    for e in data["edges"]:
        rows.append(
            {
                "date": e["date"],
                "type": e["type"],
                "from": e["from"],
                "from_code": e["from_code"],
                "from_name": e["from_name"],
                "to": e["to"],
                "to_code": e["to_code"],
                "to_name": e["to_name"],
                "share": e["share"],
                "root_share": e.get("root_share"),
                "from_parent": (e["from_parent"] or {}).get("code") if e["type"] != "moved" else nodes[e["from_icb"]]["code"],
                "to_parent": (e["to_parent"] or {}).get("code") if e["type"] != "moved" else nodes[e["to_icb"]]["code"],
                "note": e["note"],
                "source": e["source"],
                "root": root["org_id"],
                "root_name": root["name"],
            }
        )
    return rows
