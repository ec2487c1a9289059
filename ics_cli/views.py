"""How a profile reads on a terminal: the `ics show` record (plain data, from profile.py) turned
into headed blocks of rows for render.render_sheet. Machine formats print the record itself."""

from __future__ import annotations

from ics_cli.vocab import MEASURES, MEMBER_SECTIONS, SHORT_LABEL, label, span, step_word


def share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


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
        rows = [[MEASURES.get(x["measure"], x["measure"]), f"{x['value']:,}", x["date"], x["source"]] for x in p["populations"]]
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
