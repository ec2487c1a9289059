"""Consistency of the organisations over time: one parent of a kind per day (directly and through
a PCN), the parents every ICB, sub-ICB location and CCG needs, postcode districts, successions
(dates, shares, no cycles, a successor for every ended organisation of SUCCEEDED_KINDS, the
successions a practice's inferred CCG rests on) and an official name on every day."""

from __future__ import annotations

from collections import defaultdict

from importers.common import OPEN, day_after, uncovered
from importers.common import end_or_open as end

# Organisations whose kinds may have more than one parent of one kind on a day (none for
# part_of); other relations (overlaps, partner, hq_in) are many-to-many by nature.
SINGLE_PARENT_RELATIONS = {"part_of"}


def check_single_parent(t: dict[str, list[dict]]) -> list[str]:
    """No organisation sits in two parents of the same kind on the same day (part_of)."""
    problems = []
    kind = {r["org_id"]: r["kind"] for r in t["orgs"]}
    groups = defaultdict(list)
    for r in t["memberships"]:
        if r["relation"] in SINGLE_PARENT_RELATIONS:
            groups[(r["child_id"], kind.get(r["parent_id"]))].append(r)
    for (child, parent_kind), rows in groups.items():
        rows = sorted(rows, key=lambda r: r["start"] or "")
        for a, b in zip(rows, rows[1:]):
            if (b["start"] or "") <= end(a["end"]) and a["parent_id"] != b["parent_id"]:
                problems.append(
                    f"{child} is part of two {parent_kind}s at once: {a['parent_id']} ({a['start']}..{a['end']}) "
                    f"and {b['parent_id']} ({b['start']}..{b['end']})"
                )
            elif (b["start"] or "") <= end(a["end"]):
                problems.append(f"{child} has overlapping part_of rows for {a['parent_id']}: {a} / {b}")
    return problems


def check_postcode_districts(t: dict[str, list[dict]]) -> list[str]:
    """A postcode district touches a sub-ICB location through one row at a time."""
    spans = defaultdict(list)
    for r in t["postcode_districts"]:
        spans[(r["district"], r["org_id"])].append((r["start"] or "", end(r["end"])))
    problems = []
    for key, rows in sorted(spans.items()):
        rows.sort()
        for (s1, e1), (s2, e2) in zip(rows, rows[1:]):
            if s2 <= e1:
                problems.append(f"postcode_districts: {key[0]} -> {key[1]} has overlapping rows ({s1}..{e1}, {s2}..{e2})")
    return problems


def check_parents_through_pcns(t: dict[str, list[dict]]) -> list[str]:
    """A practice reaches its CCG or sub-ICB location directly and through its PCN: on any day, the
    two must agree (else the practice is in two parents of one kind on one day), except in a PCN
    that crosses a boundary, whose parent is then the own CCG or sub-ICB location of another of its
    member practices that day. A PCN's parent that none of its practices is in is always wrong."""
    kind = {r["org_id"]: r["kind"] for r in t["orgs"]}
    own = defaultdict(list)  # (practice, parent kind) -> [(start, end, parent)]
    pcn_of = defaultdict(list)  # practice -> [(start, end, pcn)]
    members = defaultdict(list)  # pcn -> [(start, end, practice)]
    pcn_parent = defaultdict(list)  # pcn -> [(start, end, parent)]
    for r in t["memberships"]:
        if r["relation"] != "part_of":
            continue
        c, p, span = r["child_id"], r["parent_id"], (r["start"] or "", end(r["end"]))
        ck, pk = kind.get(c), kind.get(p)
        if ck == "practice" and pk in ("ccg", "sub_icb"):
            own[(c, pk)].append((*span, p))
        elif ck == "practice" and pk == "pcn":
            pcn_of[c].append((*span, p))
            members[p].append((*span, c))
        elif ck == "pcn" and pk in ("ccg", "sub_icb"):
            pcn_parent[c].append((*span, p))

    def at(rows, day):
        return [x for s, e, x in rows if s <= day <= e]

    problems = []
    for practice, spans in sorted(pcn_of.items()):
        for s1, e1, pcn in spans:
            for s2, e2, parent in pcn_parent.get(pcn, []):
                pk = kind[parent]
                s, e = max(s1, s2), min(e1, e2)
                if s > e:
                    continue
                # The answer can only change where some practice's row starts or ends.
                days = {s}
                for _, _, m in members[pcn]:
                    for a, b, _ in own.get((m, pk), []) + pcn_of[m]:
                        for d in (a, day_after(b) if b != OPEN else None):
                            if d and s < d <= e:
                                days.add(d)
                for day in sorted(days):
                    mine = at(own.get((practice, pk), []), day)
                    if not mine or parent in mine:
                        continue
                    others = {x for m in at(members[pcn], day) for x in at(own.get((m, pk), []), day)}
                    if parent not in others:
                        problems.append(
                            f"{practice} is part of {mine[0]} and, through {pcn}, of {parent} on {day} "
                            f"(no practice of {pcn} is in {parent} that day)"
                        )
                        break
    return problems


def check_parents_present(t: dict[str, list[dict]], data_end: str) -> list[str]:
    """Every ICB has a region, every sub-ICB location an ICB, and every CCG an STP (from April 2016),
    on every day of its life."""
    problems = []
    kind = {r["org_id"]: r["kind"] for r in t["orgs"]}
    cover = defaultdict(list)
    for r in t["memberships"]:
        if r["relation"] == "part_of":
            cover[(r["child_id"], kind[r["parent_id"]])].append((r["start"] or "", end(r["end"])))
    for org in t["orgs"]:
        need = {"icb": "region", "sub_icb": "icb", "ccg": "stp"}.get(org["kind"])
        if not need:
            continue
        spans = sorted(cover.get((org["org_id"], need), []))
        # STPs began on 2016-04-01: a CCG needs one from then on.
        day = max(org["start"], "2016-04-01") if need == "stp" else org["start"]
        for s, e in spans:
            if s > day:
                break
            day = max(day, day_after(e) if e != OPEN else OPEN)
        if day != OPEN and day <= min(end(org["end"]), data_end):
            problems.append(f"{org['org_id']} has no {need} on {day}")
    return problems


def check_successions(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    orgs = {r["org_id"]: r for r in t["orgs"]}
    graph = defaultdict(set)
    for r in t["successions"]:
        p, s = orgs[r["predecessor_id"]], orgs[r["successor_id"]]
        graph[r["predecessor_id"]].add(r["successor_id"])
        if r["predecessor_id"] == r["successor_id"]:
            problems.append(f"successions: an organisation succeeds itself: {r}")
        if not ((s["start"] or "") <= r["date"] <= end(s["end"])):
            problems.append(f"successions: successor {s['org_id']} not alive on {r['date']}: {r}")
        if (p["start"] or "") >= r["date"]:
            problems.append(f"successions: predecessor {p['org_id']} starts on or after {r['date']}: {r}")
        if r["type"] in ("merger", "split") and end(p["end"]) >= r["date"]:
            problems.append(f"successions: {r['type']} but predecessor {p['org_id']} carries on after {r['date']}: {r}")
        if r["share"] and not (0 < float(r["share"]) <= 1):
            problems.append(f"successions: share out of range: {r}")
    # No cycles: depth-first search with colours.
    colour = {}

    def visit(node: str, path: list[str]) -> None:
        colour[node] = "grey"
        for nxt in sorted(graph[node]):
            if colour.get(nxt) == "grey":
                problems.append(f"successions: cycle {' -> '.join(path + [node, nxt])}")
            elif nxt not in colour:
                visit(nxt, path + [node])
        colour[node] = "black"

    for node in sorted(graph):
        if node not in colour:
            visit(node, [])
    return problems


# Kinds whose every organisation that ended was succeeded by another (an abolished district by the
# unitary or district it merged into, a CCG by its successor or sub-ICB location, ...). Area teams
# and local offices are not here: the last local offices were abolished in 2020 without successors.
SUCCEEDED_KINDS = ("region", "stp", "icb", "ccg", "sub_icb", "la")


def check_successors_recorded(t: dict[str, list[dict]], data_end: str) -> list[str]:
    """Every organisation of SUCCEEDED_KINDS that ended within the data has a recorded successor
    from the day after its end."""
    steps = {(r["predecessor_id"], r["date"]) for r in t["successions"]}
    problems = []
    for org in t["orgs"]:
        if org["kind"] in SUCCEEDED_KINDS and org["end"] and org["end"] < data_end:
            if (org["org_id"], day_after(org["end"])) not in steps:
                problems.append(f"{org['org_id']} ended on {org['end']} with no successor recorded from {day_after(org['end'])}")
    return problems


def check_names(t: dict[str, list[dict]]) -> list[str]:
    """Every organisation has an official name on every day of its life."""
    problems = []
    spans = defaultdict(list)
    for r in t["names"]:
        if r["type"] == "official":
            spans[r["org_id"]].append((r["start"] or "", end(r["end"])))
    for org in t["orgs"]:
        gaps = uncovered(org["start"] or "", org["end"] or "", spans.get(org["org_id"], []))
        if gaps:
            problems.append(f"{org['org_id']} has no official name on {gaps[0][0] or 'its first day'}")
    return problems
