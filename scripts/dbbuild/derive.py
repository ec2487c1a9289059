"""Tables the build derives from the tidy CSVs: current names and codes on `orgs`, the `lookup`
keys for identifier resolution, the search text, and the dated `events` (their columns are in
scripts/schema.py).

Event titles and details are worded here, in the build's own words (COUNT_WORDS and the phrases
below), never with the CLI's display labels: changing how the CLI labels a kind does not change
the database. The one function shared with the CLI is the lookup key, ics_cli.normalise."""

from __future__ import annotations

import re
from collections import defaultdict

# The lookup keys are the CLI's own normalised form of what a user types: one function for both
# sides of that join (standard library only; found as the installed ics package, not by path).
from ics_cli.normalise import normalise
from importers.common import DATA_START, OPEN, day_before

COUNCIL_WORDS = re.compile(
    r"\b(?:metropolitan borough|royal borough|county borough|borough|county|city|district)?\s*council\b", re.I
)

# How event titles count organisations of each kind summarised in the national timeline ("12
# ICBs", "9 local authorities"; trusts, practices and PCNs change too often to list). The build's
# own words: the CLI's labels can change without changing the database.
COUNT_WORDS = {
    "region": "region",
    "area_team": "area team",
    "stp": "STP",
    "icb": "ICB",
    "ccg": "CCG",
    "sub_icb": "sub-ICB location",
    "la": "local authority",
}
NATIONAL_KINDS = tuple(COUNT_WORDS)
# Steps that carry only part of a predecessor's area into a successor.
PART_TYPES = ("split", "boundary_transfer")


def latest(rows: list[dict]) -> dict | None:
    return max(rows, key=lambda r: (r["end"] or OPEN, r["start"] or "")) if rows else None


def org_summaries(t: dict[str, list[dict]]) -> list[dict]:
    """orgs with their latest code, ONS code, official and short name (for listing and display)."""
    codes, names = defaultdict(list), defaultdict(list)
    for r in t["codes"]:
        codes[(r["org_id"], r["scheme"])].append(r)
    for r in t["names"]:
        names[(r["org_id"], r["type"])].append(r)
    out = []
    for o in t["orgs"]:
        oid = o["org_id"]
        ods = latest(codes[(oid, "ods")])
        ons = latest(codes[(oid, "ons")])
        out.append(
            {
                "org_id": oid,
                "kind": o["kind"],
                # Councils are known by their ONS (GSS) code; everything else by its ODS code.
                "code": ((ons or ods) if o["kind"] == "la" else (ods or ons))["code"],
                "ons_code": ons["code"] if ons else None,
                "name": latest(names[(oid, "official")])["name"],
                # The short name it still had on its last day (or has now): none if the last one lapsed.
                "short_name": (latest([r for r in names[(oid, "short")] if (r["end"] or OPEN) >= (o["end"] or OPEN)]) or {}).get(
                    "name"
                ),
                "start": o["start"] or None,
                "end": o["end"] or None,
                "source": o["source"],
            }
        )
    return sorted(out, key=lambda r: r["org_id"])


def lookup_keys(t: dict[str, list[dict]]) -> list[dict]:
    """Normalised keys (codes and names) with the interval in which each identified the org."""
    keys = set()
    for r in t["codes"]:
        keys.add((normalise(r["code"]), r["org_id"], r["start"] or None, r["end"] or None, "code"))
    for r in t["names"]:
        key = normalise(r["name"])
        if key:
            keys.add((key, r["org_id"], r["start"] or None, r["end"] or None, r["type"]))
        # Councils are named without "County Council" as often as with it ("Surrey").
        if r["org_id"].startswith("la:"):
            bare = normalise(COUNCIL_WORDS.sub("", r["name"]))
            if bare and bare != key:
                keys.add((bare, r["org_id"], r["start"] or None, r["end"] or None, "short"))
    rows = [{"key": k, "org_id": o, "start": s, "end": e, "via": v} for k, o, s, e, v in keys]
    return sorted(rows, key=lambda r: (r["key"], r["org_id"], r["start"] or "", r["end"] or "", r["via"]))


def search_rows(t: dict[str, list[dict]], summaries: list[dict]) -> list[dict]:
    """One search document per organisation: every name it has had, and every code."""
    texts = defaultdict(set)
    for r in t["names"]:
        texts[r["org_id"]].add(r["name"])
        if "'" in r["name"]:  # "Guy's" also as "Guys", the way people type it
            texts[r["org_id"]].add(r["name"].replace("'", ""))
    for r in t["codes"]:
        texts[r["org_id"]].add(r["code"])
    return [
        {"org_id": s["org_id"], "kind": s["kind"], "name": s["name"], "text": " | ".join(sorted(texts[s["org_id"]]))}
        for s in summaries
    ]


def label(s: dict) -> str:
    return f"{s['name']} ({s['code']})"


def share_text(share: str) -> str:
    return f" ({float(share):.1%})" if share else ""


def events(t: dict[str, list[dict]], summaries: list[dict]) -> tuple[list[dict], list[dict]]:
    """Dated events: organisation events (from orgs, successions, names and codes), national
    summaries per date, and the curated policy events. Returns (events, event_orgs)."""
    org = {s["org_id"]: s for s in summaries}
    names_at = defaultdict(list)
    for r in t["names"]:
        if r["type"] == "official":
            names_at[r["org_id"]].append(r)

    def name_on(oid: str, day: str) -> str:
        for r in names_at[oid]:
            if (r["start"] or "") <= day <= (r["end"] or OPEN):
                return f"{r['name']} ({org[oid]['code']})"
        return label(org[oid])

    parent_icb = defaultdict(list)
    for r in t["memberships"]:
        if r["relation"] == "part_of" and r["parent_id"].startswith("icb:"):
            parent_icb[r["child_id"]].append(r)

    evs: list[tuple[str, str, str, str, str, str, tuple[str, ...]]] = []  # date, kind, scope, title, detail, source, orgs
    succ_rows = defaultdict(list)
    for r in t["successions"]:
        succ_rows[(r["date"], r["type"])].append(r)
    has_pred = {(r["successor_id"], r["date"]) for r in t["successions"]}
    has_succ = {r["predecessor_id"] for r in t["successions"]}

    into = defaultdict(list)  # (successor, date) -> every step into it that day
    for r in t["successions"]:
        into[(r["successor_id"], r["date"])].append(r)

    for (day, kind), rows in sorted(succ_rows.items()):
        if kind == "merger":
            by_succ = defaultdict(list)
            for r in rows:
                by_succ[r["successor_id"]].append(r)
            for succ, group in sorted(by_succ.items()):
                # Every organisation that contributed: the whole predecessors (the merger steps)
                # and those that gave part of their area (the parts of a split, say).
                # (A council that carried on as the new unitary, a `succeeded` step, counts whole.)
                preds = sorted(r["predecessor_id"] for r in into[(succ, day)] if r["type"] not in PART_TYPES)
                parts = sorted(
                    (r for r in into[(succ, day)] if r["type"] in PART_TYPES),
                    key=lambda r: (-float(r["share"] or 0), r["predecessor_id"]),
                )
                whole = [name_on(p, day_before(day)) for p in preds]
                part = [name_on(r["predecessor_id"], day_before(day)) + share_text(r["share"]) for r in parts]
                part_text = ("part of " if len(part) == 1 else "parts of ") + ", ".join(part) if part else ""
                everyone = listing(whole + ([part_text] if part else []))
                if org[succ]["start"] != day:  # an organisation that carried on took the others over
                    title = f"{everyone} merged into {name_on(succ, day)}"
                elif len(whole) > 1:
                    title = f"{name_on(succ, day)} formed by the merger of {everyone}"
                else:  # one whole predecessor and part of another: not a merger of equals
                    title = f"{name_on(succ, day)} formed from {everyone}"
                notes = {r["note"] for r in into[(succ, day)] if r["note"]}
                evs.append(
                    (
                        day,
                        kind,
                        "org",
                        title,
                        "; ".join(sorted(notes)),
                        group[0]["source"],
                        (succ, *preds, *sorted(r["predecessor_id"] for r in parts)),
                    )
                )
        elif kind == "split":
            by_pred = defaultdict(list)
            for r in rows:
                by_pred[r["predecessor_id"]].append(r)
            for pred, group in sorted(by_pred.items()):
                parts = ", ".join(
                    name_on(r["successor_id"], day) + share_text(r["share"])
                    for r in sorted(group, key=lambda r: (-float(r["share"] or 0), r["successor_id"]))
                )
                title = f"{name_on(pred, day_before(day))} split between {parts}"
                evs.append(
                    (
                        day,
                        kind,
                        "org",
                        title,
                        "; ".join(sorted({r["note"] for r in group if r["note"]})),
                        group[0]["source"],
                        (pred, *sorted(r["successor_id"] for r in group)),
                    )
                )
        else:
            for r in sorted(rows, key=lambda r: (r["predecessor_id"], r["successor_id"])):
                p, s = r["predecessor_id"], r["successor_id"]
                if kind == "became_sub_icb":
                    icb = next((m["parent_id"] for m in parent_icb[s] if (m["start"] or "") <= day <= (m["end"] or OPEN)), None)
                    title = f"{name_on(p, day_before(day))} became a sub-ICB location" + (
                        f" of {name_on(icb, day)}" if icb else ""
                    )
                    if r["share"] and float(r["share"]) < 0.9999:
                        title += f" ({float(r['share']):.1%} of its population)"
                elif kind == "boundary_transfer":
                    title = f"Part of {name_on(p, day_before(day))}{share_text(r['share'])} moved to {name_on(s, day)}"
                else:
                    title = f"{name_on(p, day_before(day))} succeeded by {name_on(s, day)}{share_text(r['share']) if r['share'] and float(r['share']) < 0.9999 else ''}"
                evs.append((day, kind, "org", title, r["note"], r["source"], (p, s)))

    for s in summaries:
        oid = s["org_id"]
        if s["start"] and (oid, s["start"]) not in has_pred:
            evs.append((s["start"], "established", "org", f"{name_on(oid, s['start'])} established", "", s["source"], (oid,)))
        if s["end"]:
            after = "" if oid in has_succ else " (no recorded successor)"
            evs.append(
                (
                    s["end"],
                    "abolished",
                    "org",
                    f"{name_on(oid, s['end'])} ceased to exist at the end of the day{after}",
                    "",
                    s["source"],
                    (oid,),
                )
            )
    # Renames and new ONS codes within one organisation's life.
    for (oid, scheme), rows in sorted(group_by(t["codes"], ("org_id", "scheme")).items()):
        if scheme != "ons":
            continue
        rows = sorted(rows, key=lambda r: r["start"] or "")
        for a, b in zip(rows, rows[1:]):
            if a["code"] != b["code"] and b["start"]:
                evs.append(
                    (
                        b["start"],
                        "recode",
                        "org",
                        f"{name_on(oid, b['start'])}: ONS code {a['code']} replaced by {b['code']}",
                        "",
                        b["source"],
                        (oid,),
                    )
                )
    for (oid, typ), rows in sorted(group_by(t["names"], ("org_id", "type")).items()):
        if typ != "official":
            continue
        rows = sorted(rows, key=lambda r: r["start"] or "")
        for a, b in zip(rows, rows[1:]):
            if a["name"] != b["name"] and b["start"]:
                evs.append(
                    (
                        b["start"],
                        "rename",
                        "org",
                        f"{a['name']} renamed {b['name']} ({org[oid]['code']})",
                        "",
                        b["source"],
                        (oid,),
                    )
                )

    evs.extend(national_summaries(t, org, evs))
    for r in t["policy_events"]:
        detail = r["detail"] + ("" if r["precision"] == "day" else f" (date precise to the {r['precision']})")
        evs.append((r["date"], r["kind"], "national", r["title"], detail, r["source"], tuple(r["org_ids"].split())))

    # The timeline covers the data's period: an organisation founded in 1974 has a start date in its
    # profile, not an event.
    evs = [e for e in set(evs) if e[0] >= DATA_START]
    order = {"national": 0, "summary": 1, "org": 2}
    evs = sorted(evs, key=lambda e: (e[0], order[e[2]], e[1], e[3], e[6]))
    event_rows, link_rows = [], []
    for i, (day, kind, scope, title, detail, source, oids) in enumerate(evs, start=1):
        event_rows.append(
            {"event_id": i, "date": day, "kind": kind, "scope": scope, "title": title, "detail": detail or None, "source": source}
        )
        for oid in dict.fromkeys(oids):
            link_rows.append({"event_id": i, "org_id": oid})
    return event_rows, link_rows


def codes_on(t: dict[str, list[dict]], org: dict):
    """code(org_id, day): the code an organisation was known by on a day (ONS for councils, else
    ODS), or its latest one."""
    held = defaultdict(list)
    for r in t["codes"]:
        held[(r["org_id"], r["scheme"])].append(r)

    def code(oid: str, day: str) -> str:
        for scheme in ("ons", "ods") if org[oid]["kind"] == "la" else ("ods", "ons"):
            for r in held[(oid, scheme)]:
                if (r["start"] or "") <= day <= (r["end"] or OPEN):
                    return r["code"]
        return org[oid]["code"]

    return code


def national_summaries(t: dict[str, list[dict]], org: dict, evs: list) -> list[tuple]:
    """Per date and kind of organisation, one line counting what changed ("74 CCGs merged into 18"),
    linked to every organisation involved, with a compact detail of who went where by code
    ("15N ← 99P, 99Q; ...")."""
    out = []
    code = codes_on(t, org)
    steps = defaultdict(list)
    into = defaultdict(list)  # (successor, date) -> every step into it that day
    for r in t["successions"]:
        pk = org[r["predecessor_id"]]["kind"]
        sk = org[r["successor_id"]]["kind"]
        into[(r["successor_id"], r["date"])].append(r)
        if pk in NATIONAL_KINDS:
            steps[(r["date"], pk, r["type"], sk)].append(r)
    for (day, pk, typ, sk), rows in sorted(steps.items()):
        before = day_before(day)
        preds = sorted({r["predecessor_id"] for r in rows})
        succs = sorted({r["successor_id"] for r in rows})
        n_p, n_s = len(preds), len(succs)
        oids = tuple(succs + preds)
        if typ == "merger":
            # Each successor with its predecessors; those that gave only part of their area
            # (the part of a split) are listed as "part of".
            steps_in = [r for s in succs for r in into[(s, day)] if org[r["predecessor_id"]]["kind"] == pk]
            parts = sorted({r["predecessor_id"] for r in steps_in if r["type"] in PART_TYPES})
            lines = []
            for s in sorted(succs, key=lambda o: code(o, day)):
                whole = sorted(
                    code(r["predecessor_id"], before) for r in steps_in if r["successor_id"] == s and r["type"] not in PART_TYPES
                )
                part = sorted(
                    f"part of {code(r['predecessor_id'], before)}"
                    for r in steps_in
                    if r["successor_id"] == s and r["type"] in PART_TYPES
                )
                lines.append(f"{code(s, day)} ← " + ", ".join(whole + part))
            detail = "; ".join(lines)
            oids = tuple(dict.fromkeys(succs + preds + sorted({r["predecessor_id"] for r in steps_in})))
            if n_p > n_s or not parts:
                text = f"{n_p} {plural(pk, n_p)} merged into {n_s}"
            else:  # one whole predecessor per successor: merged with the part of another
                others = "another" if len(parts) == 1 else f"{len(parts)} others"
                text = f"{n_p} {plural(pk, n_p)} merged with {'part' if len(parts) == 1 else 'parts'} of {others} into {n_s}"
        else:
            by_pred = defaultdict(list)
            for r in rows:
                by_pred[r["predecessor_id"]].append(r)
            if typ == "became_sub_icb" and all(
                code(p, before) == code(r["successor_id"], day) for p, g in by_pred.items() for r in g
            ):
                detail = "each kept its code: " + ", ".join(sorted(code(p, before) for p in preds))
            else:
                lines = []
                for p in sorted(preds, key=lambda o: code(o, before)):
                    group = sorted(by_pred[p], key=lambda r: (-float(r["share"] or 0), code(r["successor_id"], day)))
                    shares = len(group) > 1 or typ == "boundary_transfer"
                    lines.append(
                        f"{code(p, before)} → "
                        + ", ".join(code(r["successor_id"], day) + (share_text(r["share"]) if shares else "") for r in group)
                    )
                detail = "; ".join(lines)
            text = {
                "split": f"{n_p} {plural(pk, n_p)} split into {n_s} {plural(sk)}",
                "became_sub_icb": f"{n_p} {plural(pk, n_p)} became {n_s} sub-ICB locations",
                "succeeded": f"{n_p} {plural(pk, n_p)} succeeded by {n_s} {plural(sk, n_s)}",
                "boundary_transfer": f"{n_p} {plural(pk, n_p)} transferred part of their area to {n_s} {plural(sk, n_s)}",
            }.get(typ, f"{n_p} {plural(pk, n_p)}: {typ}")
        out.append((day, typ, "summary", text, detail, "derived_events", oids))
    per_day = defaultdict(lambda: defaultdict(list))
    for day, kind, scope, _, _, _, oids in evs:
        if scope == "org" and kind in ("established", "abolished", "recode", "rename"):
            k = org[oids[0]]["kind"]
            if k in NATIONAL_KINDS:
                per_day[(day, kind)][k].append(oids[0])
    verbs = {
        "established": "established",
        "abolished": "ceased to exist at the end of the day",
        "recode": "given new ONS codes",
        "rename": "renamed",
    }
    for (day, kind), c in sorted(per_day.items()):
        for k, members in sorted(c.items()):
            n = len(members)
            members = sorted(set(members), key=lambda o: (code(o, day), o))
            detail = ", ".join(code(o, day) for o in members)
            out.append((day, kind, "summary", f"{n} {plural(k, n)} {verbs[kind]}", detail, "derived_events", tuple(members)))
    return out


def listing(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def plural(kind: str, n: int = 2) -> str:
    """How an event summary counts n organisations of a kind: "1 ICB", "12 ICBs", "9 local authorities"."""
    word = COUNT_WORDS[kind]
    if n == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def group_by(rows: list[dict], cols: tuple[str, ...]) -> dict:
    out = defaultdict(list)
    for r in rows:
        out[tuple(r[c] for c in cols)].append(r)
    return out
