"""How answers read on a terminal, and the columns each command prints.

- :func:`show_sheet`: the `ics show` record (plain data, from profile.py, or area_profile.py for
  an LSOA) as a title and headed blocks of rows (:func:`profile_blocks`,
  :func:`small_area_blocks`) for render.render_sheet. Machine formats print the record itself.
- :func:`info_tables`: `ics info`'s counts and sources reshaped for panels.
- :func:`lineage_tree`: `ics lineage` (lineage.lineage's nodes and edges) as a tree of labels.
- :func:`diff_blocks`: `ics diff`'s records as a summary and sentences, for render.render_sheet.
- The column specs of the list commands (render.Column: key, header, and whether a terminal
  table shows it), one per command, so that the commands stay thin.

Words come from :mod:`ics_cli.vocab` (labels, step words, spans) and :mod:`ics_cli.wording`.
"""

from __future__ import annotations

from ics_cli.render import Column
from ics_cli.vocab import LEVEL_FIELDS, MEASURES, MEMBER_SECTIONS, POPULATION_FIELDS, SHORT_LABEL, label, span, step_word
from ics_cli.wording import named, share


def show_sheet(p: dict) -> tuple[str, list[dict]]:
    """`ics show`'s sheet: its title and blocks, of an organisation's profile or of an LSOA's
    (a record of kind ``lsoa``, from area_profile.small_area)."""
    if p.get("kind") == "lsoa":
        return f"{p['name']} ({p['lsoa']})", small_area_blocks(p)
    return named(p), profile_blocks(p)


def profile_blocks(p: dict) -> list[dict]:
    blocks: list[dict] = []
    if p.get("note"):
        blocks.append({"title": "Note", "rows": [[p["note"]]]})
    facts = [
        ("Kind", p["kind_label"]),
        ("ODS code", p["code"] if p["code"] != p["ons_code"] else None),
        ("ONS code", p["ons_code"]),
        ("Short name", p["short_name"]),
        ("Existed", span(p["start"], p["end"])),
        ("As of", p["as_of"]),
        ("Website", p["website"]),
    ]
    facts += [(k.replace("_", " ").capitalize(), v) for k, v in sorted(p.get("attributes", {}).items())]
    facts += [("Former name", f"{n['name']} ({span(n['start'], n['end'])})") for n in p["former_names"]]
    facts += [
        ("Other code", f"{c['code']} ({span(c['start'], c['end'])})")
        for c in p["codes"]
        if c["code"] not in (p["code"], p["ons_code"])
    ]
    blocks.append({"title": "Organisation", "rows": [[k, v] for k, v in facts if v], "styles": ["bold"]})
    if p["parents"]:
        rows = []
        for x in p["parents"]:
            how = "" if x["relation"] == "part_of" else f" ({x['relation'].replace('_', ' ')})"
            rows.append(
                [
                    SHORT_LABEL[x["kind"]] + how,
                    x["code"],
                    x["name"] + (f"  {share(x.get('share'))}" if x.get("share") is not None else ""),
                ]
            )
        blocks.append({"title": "Part of", "rows": rows, "styles": ["bold", "cyan"]})
    titles = {m.key: m.title for m in MEMBER_SECTIONS}
    order = list(titles)
    for key, members in sorted(p["members"].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        rows = []
        for m in members:
            extra = m.get("short_name") or ""
            if m.get("share") is not None:
                extra = share(m["share"])
            rows.append([m["code"], m["name"], extra] if extra else [m["code"], m["name"]])
        title = f"{titles.get(key, key)} ({len(members)})"
        if key == "local_authorities":
            title += ", with the share of each district's residents living here"
        blocks.append({"title": title, "rows": rows, "styles": ["cyan"]})
    if p["member_counts"]:
        rows = [[label(k, plural=True, title=True), f"{n:,}"] for k, n in sorted(p["member_counts"].items())]
        blocks.append({"title": "Inside it", "rows": rows, "styles": ["bold"]})
    if p["populations"]:
        rows = [
            [MEASURES.get(x["measure"], x["measure"]), f"{x['value']:,}", x["date"], x["source"]]
            + ([] if x.get("area_of_day", True) else [f"for its area of {span(x['area_start'], x['area_end'])}"])
            for x in p["populations"]
        ]
        blocks.append({"title": "Population", "rows": rows, "styles": ["bold"]})
    history = []
    for side, arrow in (("predecessors", "from"), ("successors", "to")):
        for s in p[side]:
            history.append(
                [
                    s["date"],
                    step_word(s["type"]),
                    arrow,
                    f"{s['name']} ({s['code']})" + (f"  {share(s['share'])}" if s["share"] is not None else ""),
                ]
            )
    if history:
        blocks.append({"title": "History", "rows": sorted(history, key=lambda r: r[0])})
    if p["sources"]:
        rows = [[k, f"{v['title']} ({v['publisher']}, {v['edition']}; {v['licence']})"] for k, v in sorted(p["sources"].items())]
        blocks.append({"title": "Sources", "rows": rows, "styles": ["dim"]})
    return blocks


def lineage_tree(data: dict) -> dict:
    """The lineage as nested nodes for a tree view: what it came from, then what it became (and for
    an ICB, the sub-ICB locations it started with and what they came from)."""
    nodes = {n["org_id"]: n for n in data["nodes"]}
    root = data["root"]

    def describe(n: dict, name: str | None = None, code: str | None = None) -> str:
        return f"{name or n['name']} ({code or n['code']}) [{n['kind']}, {span(n['start'], n['end'])}]"

    def step_label(e: dict, side: str) -> str:
        # Going down, the share of the root's own area that took the step; else the predecessor's.
        own = e.get("root_share") if side == "to" and "root_share" in e else e["share"]
        part = f", {share(own)}" if own is not None and own < 0.9995 else ""
        # Where each side sat: a CCG's STP the day before, a sub-ICB location's ICB on the day.
        ctx = []
        same = e["from_parent"] and e["to_parent"] and e["from_parent"]["org_id"] == e["to_parent"]["org_id"]
        if same:
            ctx.append(f"in {e['from_parent']['name']} ({e['from_parent']['code']}, {e['from_parent']['kind']})")
        if e["from_parent"] and not same:
            ctx.append(f"from {e['from_parent']['name']} ({e['from_parent']['code']}, {e['from_parent']['kind']})")
        if e["to_parent"] and not same:
            ctx.append(f"into {e['to_parent']['name']} ({e['to_parent']['code']}, {e['to_parent']['kind']})")
        where = f" [{'; '.join(ctx)}]" if ctx else ""
        who = describe(nodes[e[side]], e[f"{side}_name"], e[f"{side}_code"])
        return f"{e['date']} {step_word(e['type'])}{part}: {who}{where}"

    def moved_label(e: dict, way: str) -> str:
        icb = nodes[e["to_icb"] if way == "to" else e["from_icb"]]
        return f"{e['date']} moved {way} {icb['name']} ({icb['code']})"

    def down(oid: str, seen: frozenset) -> list[dict]:
        out = []
        for e in data["edges"]:
            if e["from"] == oid and e["type"] != "moved" and e["to"] not in seen:
                out.append({"label": step_label(e, "to"), "children": down(e["to"], seen | {e["to"]})})
            elif e["from"] == oid and e["type"] == "moved":
                out.append({"label": moved_label(e, "to"), "children": []})
        return out

    def up(oid: str, seen: frozenset) -> list[dict]:
        out = []
        for e in data["edges"]:
            if e["to"] == oid and e["type"] != "moved" and e["from"] not in seen:
                # What else the predecessor's area did that day (the rest of a split or transfer).
                also = [
                    {"label": "also " + step_label(o, "to"), "children": []}
                    for o in data["edges"]
                    if o["from"] == e["from"] and o["date"] == e["date"] and o["to"] != oid and o["type"] != "moved"
                ]
                out.append({"label": step_label(e, "from"), "children": also + up(e["from"], seen | {e["from"]})})
            elif e["to"] == oid and e["type"] == "moved" and e["to_icb"] == root:
                out.append({"label": moved_label(e, "from"), "children": []})
        return out

    children = []
    came = up(root, frozenset({root}))
    went = down(root, frozenset({root}))
    if came:
        children.append({"label": "came from", "children": came})
    if data.get("members"):
        start = nodes[root]["start"]
        children.append(
            {
                "label": f"its sub-ICB locations on {start}, and where they came from",
                "children": [{"label": describe(nodes[m]), "children": up(m, frozenset({m, root}))} for m in data["members"]],
            }
        )
    if went:
        children.append({"label": "went to", "children": went})
    return {"label": describe(nodes[root]), "children": children}


def diff_blocks(records: list[dict]) -> list[dict]:
    """`ics diff`'s records as a terminal shows them (blocks for render.render_sheet): a summary by
    kind and change type, then one block of sentences per kind and change type."""
    from ics_cli.diff import CHANGES

    groups: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["kind"], r["change"]), []).append(r)
    width = len(f"{max((len(g) for g in groups.values()), default=0):,}")
    rows = [[f"{len(g):,}".rjust(width), label(k, plural=True), CHANGES[c]] for (k, c), g in groups.items()]
    blocks = [{"title": "Summary", "rows": rows, "styles": ["bold"]}]
    for (kind, change), group in groups.items():
        title = f"{label(kind, plural=True, title=True)}: {CHANGES[change]} ({len(group):,})"
        rows = [[r["code"], r["date"] or "", _diff_sentence(r)] for r in group]
        blocks.append({"title": title, "rows": rows, "styles": ["cyan", "dim"]})
    return blocks


def _diff_sentence(r: dict) -> str:
    name = r["name_after"] or r["name_before"]
    detail = f" ({', '.join(step_word(t) for t in r['detail'].split(', '))})" if r["detail"] else ""
    change = r["change"]
    if change == "began":
        return name + (f", from {r['before']}" if r["before"] else "") + detail
    if change == "ended":
        return name + (f", to {r['after']}" if r["after"] else "") + detail
    if change == "renamed":
        return f"{r['before']} → {r['after']}"
    if change == "area_transfer":
        return f"{r['before']} → {r['after']}{detail}"
    return f"{name}: {r['before'] or '(none)'} → {r['after'] or '(none)'}{detail}"


def info_tables(record: dict) -> dict:
    """`ics info` on a terminal: counts with labels and thousands separators, sources in brief."""
    record = dict(record)
    record["organisations"] = [
        {"kind": label(k, plural=True, title=True), "in the data": f"{v['total']:,}", "existing": f"{v['current']:,}"}
        for k, v in record["organisations"].items()
    ]
    record["sources"] = [
        {"source": s["source"], "title": s["title"], "edition": s["edition"], "licence": s["licence"]}
        for s in record.get("sources", [])
    ]
    return record


# --- the columns of each command's records ------------------------------------------------------------------


def list_columns(kind: str, within: bool) -> list[Column]:
    """`ics list KIND [--in ID]`. Every record names the day it describes (as_of), so piped
    output keeps its date."""
    columns = [
        Column("code", "Code", no_wrap=True),
        Column("ons_code", "ONS code", no_wrap=True),
        Column("name", "Name"),
        Column("short_name", "Place", table=kind == "sub_icb"),
        Column("kind", table=False),
        Column("start", "From", no_wrap=True),
        Column("end", "To", no_wrap=True),
        Column("parent_code", "In", no_wrap=True),
        Column("parent_name", "In (name)", table=False),
        Column("parent_kind", table=False),
    ]
    if within:
        columns += [
            Column("relation", "Relation", table=kind in ("trust", "la")),
            Column("share", "Share", justify="right", no_wrap=True, table=kind == "la"),
        ]
    columns += [Column("org_id", table=False), Column("source", table=False), Column("as_of", table=False)]
    if within:  # the organisation that answered --in, under its name of the day
        columns += [Column("in_id", table=False), Column("in_code", table=False), Column("in_name", table=False)]
    # Exports (listing.py): each level above, each population measure, only when --fields names them.
    columns += [Column(f, no_wrap=f.endswith(("_code", "_id")), on_request=True) for f in LEVEL_FIELDS]
    return columns + [Column(f, justify="right", no_wrap=True, on_request=True) for f in POPULATION_FIELDS]


POPULATION_COLUMNS = [
    Column("code", "Code", table=False),
    Column("name", "Name", table=False),
    Column("measure", "Measure code", table=False),
    Column("measure_label", "Measure"),
    Column("sex", "Sex", no_wrap=True),
    Column("age", "Age", no_wrap=True),
    Column("value", "People", justify="right", no_wrap=True),
    Column("date", "Reference date", no_wrap=True),
    Column("start", "Area from", table=False),  # the figure is for the area the organisation had from start
    Column("end", "Area to", table=False),  # ... to end (empty: it still has it)
    Column("area_of_day", "Area of the day", table=False),  # whether that is the area it had on as_of
    Column("other_area", "For another area"),  # on a terminal: the days of that other area
    Column("source", "Source", no_wrap=True),
    Column("source_title", "Source title", table=False),
    Column("org_id", "Org id", table=False),
    Column("as_of", "As of", table=False),
]

LINEAGE_COLUMNS = [
    "date",
    "type",
    "from",
    "from_code",
    "from_name",
    "to",
    "to_code",
    "to_name",
    "share",
    "root_share",
    "from_parent",
    "to_parent",
    "note",
    "source",
    "root",  # the organisation asked about (lineage's root), and its name as described
    "root_name",
]


def timeline_columns(of_org: bool) -> list[Column]:
    columns = [
        Column("date", "Date", no_wrap=True),
        Column("kind", "Kind", no_wrap=True),
        Column("title", "Event"),
        Column("detail", "Detail", table=False),
        Column("scope", table=False),
        Column("org_ids", table=False),
        Column("source", table=False),
    ]
    if of_org:  # which events are its own, and the organisation that answered
        columns.insert(3, Column("about", table=False))
        columns += [Column("subject_id", table=False), Column("subject_name", table=False)]
    return columns


SEARCH_COLUMNS = [
    Column("kind", "Kind", no_wrap=True),
    Column("code", "Code", no_wrap=True),
    Column("ons_code", "ONS code", table=False),
    Column("name", "Name"),
    Column("short_name", "Place", table=False),
    Column("matched_name", "Matched"),
    Column("status", "Status", no_wrap=True),
    Column("start", "From", no_wrap=True),
    Column("end", "To", no_wrap=True),
    Column("icb_code", "ICB", no_wrap=True),
    Column("icb_name", "ICB name", table=False),
    Column("match", table=False),
    Column("org_id", table=False),
    Column("as_of", table=False),
]


def small_area_blocks(p: dict) -> list[dict]:
    """``ics show`` of an LSOA on a terminal: a note, what it is, where it lay on the day, its history."""
    from ics_cli.area_profile import history_rows

    blocks: list[dict] = []
    if p["note"]:
        blocks.append({"title": "Note", "rows": [[p["note"]]]})
    facts = [
        ("Kind", "LSOA (lower layer super output area)"),
        ("Code", p["lsoa"]),
        ("2011 name", p["name_2011"]),
        ("Censuses", " and ".join(p["censuses"])),
        ("Residents", f"{p['population']:,} (Census 2021)" if p["population"] is not None else None),
        ("As of", p["as_of"]),
    ]
    blocks.append({"title": "Small area", "rows": [[k, v] for k, v in facts if v], "styles": ["bold"]})
    rows = [[SHORT_LABEL[x["kind"]], x["code"], x["name"]] for x in p["parents"]]
    blocks.append({"title": f"In, on {p['as_of']}", "rows": rows, "styles": ["bold", "cyan"]})
    blocks.append({"title": "History", "rows": history_rows(p), "styles": [None, None, "bold", "cyan"]})
    return blocks
