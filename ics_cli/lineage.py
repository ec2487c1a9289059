"""`ics lineage`: where an organisation came from and where it went, through every era.

Steps are the successions in the data (merger, split, boundary transfer, recode, became a
sub-ICB location, succeeded) plus, for sub-ICB locations, a `moved` step when the ICB they belong
to changed (April 2026). Returns nodes and edges as plain dicts."""

from __future__ import annotations

from ics_cli import db
from ics_cli.dates import OPEN, day_before
from ics_cli.queries import ORG_COLUMNS, alive

STEP_WORDS = {"became_sub_icb": "became a sub-ICB location", "boundary_transfer": "boundary transfer", "moved": "moved"}


def _node(org_id: str, day: str) -> dict:
    row = db.query_one(f"SELECT {ORG_COLUMNS} FROM orgs o WHERE o.org_id = :id", {"id": org_id, "d": day})
    return {k: row[k] for k in ("org_id", "kind", "code", "ons_code", "name", "start", "end")}


def _parent(org_id: str, kind: str, day: str) -> dict | None:
    """The STP of a CCG or the ICB of a sub-ICB location on `day` (context for a step)."""
    want = {"ccg": "stp", "sub_icb": "icb"}.get(kind)
    if not want:
        return None
    row = db.query_one(
        f"""SELECT {ORG_COLUMNS} FROM memberships m JOIN orgs o ON o.org_id = m.parent_id
            WHERE m.child_id = :id AND m.relation = 'part_of' AND o.kind = :want AND {alive('m')}""",
        {"id": org_id, "want": want, "d": day},
    )
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
    return [{"from": org_id, "to": org_id, "date": b["start"], "type": "moved", "share": None,
             "note": f"from {a['parent_id']} to {b['parent_id']}", "source": b["source"],
             "from_icb": a["parent_id"], "to_icb": b["parent_id"]}
            for a, b in zip(rows, rows[1:]) if a["parent_id"] != b["parent_id"]]


def lineage(org_id: str, direction: str = "both", depth: int | None = None) -> dict:
    """Nodes and edges reachable from `org_id` through successions, up and/or down."""
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    seen_edges = set()

    def add_node(oid: str) -> None:
        if oid not in nodes:
            o = db.query_one("SELECT start, end FROM orgs WHERE org_id = ?", (oid,))
            # Describe each organisation as it was at the end of its life (or now).
            nodes[oid] = _node(oid, o["end"] or OPEN)

    def walk(oid: str, way: str, level: int) -> None:
        if depth is not None and level >= depth:
            return
        for step in _steps(oid, way):
            key = (step["from"], step["to"], step["date"], step["type"])
            if key in seen_edges:
                continue
            seen_edges.add(key)
            edges.append(step)
            nxt = step["from"] if way == "up" else step["to"]
            add_node(nxt)
            walk(nxt, way, level + 1)

    add_node(org_id)
    for way in (("up", "down") if direction == "both" else (direction,)):
        walk(org_id, way, 0)
    # A move to a new ICB is a step forward in time: looking only back (--up), it is not shown.
    for oid in list(nodes) if direction != "up" else ():
        if nodes[oid]["kind"] == "sub_icb":
            for m in _moves(oid):
                edges.append(m)
                add_node(m["from_icb"])
                add_node(m["to_icb"])
    for e in edges:
        e["from_parent"] = _parent(e["from"], nodes[e["from"]]["kind"], day_before(e["date"]))
        e["to_parent"] = _parent(e["to"], nodes[e["to"]]["kind"], e["date"])
    edges.sort(key=lambda e: (e["date"], e["from"], e["to"], e["type"]))
    return {"root": org_id, "nodes": sorted(nodes.values(), key=lambda n: n["org_id"]), "edges": edges}


def tree(data: dict) -> dict:
    """The lineage as nested nodes for a tree view: what it came from, then what it became."""
    nodes = {n["org_id"]: n for n in data["nodes"]}
    root = data["root"]

    def describe(n: dict) -> str:
        span = f"{n['start'] or '…'} to {n['end'] or 'now'}"
        return f"{n['name']} ({n['code']}) [{n['kind']}, {span}]"

    def step_label(e: dict, oid: str) -> str:
        share = f", {e['share']:.1%}" if e["share"] is not None and e["share"] < 0.9995 else ""
        # Where each side sat: a CCG's STP the day before, a sub-ICB location's ICB on the day.
        ctx = []
        if e["from_parent"]:
            ctx.append(f"from {e['from_parent']['name']} ({e['from_parent']['code']}, {e['from_parent']['kind']})")
        if e["to_parent"]:
            ctx.append(f"into {e['to_parent']['name']} ({e['to_parent']['code']}, {e['to_parent']['kind']})")
        where = f" [{'; '.join(ctx)}]" if ctx else ""
        return f"{e['date']} {STEP_WORDS.get(e['type'], e['type'])}{share}: {describe(nodes[oid])}{where}"

    def down(oid: str, seen: frozenset) -> list[dict]:
        out = []
        for e in data["edges"]:
            if e["from"] == oid and e["type"] != "moved" and e["to"] not in seen:
                out.append({"label": step_label(e, e["to"]), "children": down(e["to"], seen | {e["to"]})})
            elif e["from"] == oid and e["type"] == "moved":
                out.append({"label": f"{e['date']} moved to {nodes[e['to_icb']]['name']} ({nodes[e['to_icb']]['code']})", "children": []})
        return out

    def up(oid: str, seen: frozenset) -> list[dict]:
        out = []
        for e in data["edges"]:
            if e["to"] == oid and e["type"] != "moved" and e["from"] not in seen:
                out.append({"label": step_label(e, e["from"]), "children": up(e["from"], seen | {e["from"]})})
        return out

    children = []
    came = up(root, frozenset({root}))
    went = down(root, frozenset({root}))
    if came:
        children.append({"label": "came from", "children": came})
    if went:
        children.append({"label": "went to", "children": went})
    return {"label": describe(nodes[root]), "children": children}


def edge_rows(data: dict) -> list[dict]:
    """One flat row per step, for csv/tsv/table output."""
    nodes = {n["org_id"]: n for n in data["nodes"]}
    rows = []
    for e in data["edges"]:
        f, t = nodes[e["from"]], nodes[e["to"]]
        rows.append({
            "date": e["date"], "type": e["type"], "from": e["from"], "from_code": f["code"], "from_name": f["name"],
            "to": e["to"], "to_code": t["code"], "to_name": t["name"], "share": e["share"],
            "from_parent": (e["from_parent"] or {}).get("code") if e["type"] != "moved" else nodes[e["from_icb"]]["code"],
            "to_parent": (e["to_parent"] or {}).get("code") if e["type"] != "moved" else nodes[e["to_icb"]]["code"],
            "note": e["note"], "source": e["source"],
        })
    return rows
