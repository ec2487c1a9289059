"""Build checks on the GP practice and PCN history of the CCG era (2013-04-01 to 2022-06-30).

- Every practice that was open on a day of the era and that the sources give a CCG for (an
  edition, or the membership history) is in exactly one CCG on every day it was open.
- Each point-in-time edition (data/sources/editions.csv) agrees with the built history on its
  day for at least 99.5% of its practices (and PCNs), once that day's successions are applied
  (a 31 March snapshot of a practice that closed before a merger, or a closed practice that
  ODS lists under its CCG's successor, still agrees). `edition_figures` gives the figures the
  build prints.
- The CCGs that hold practices on a day are exactly the CCGs that exist that day.
"""

from __future__ import annotations

from collections import defaultdict

from importers.common import DATA_START, OPEN, day_after
from importers.common import end_or_open as end

CCG_END = "2022-06-30"
AGREEMENT = 0.995  # the least share of an edition's organisations that must agree


def _spans(t: dict[str, list[dict]], child_kind: str) -> dict[str, list[tuple[str, str, str]]]:
    """child -> [(start, end, CCG id)] in date order (part_of rows with a CCG parent)."""
    out = defaultdict(list)
    prefix = child_kind + ":"
    for r in t["memberships"]:
        if r["relation"] == "part_of" and r["child_id"].startswith(prefix) and r["parent_id"].startswith("ccg:"):
            out[r["child_id"]].append((r["start"] or "", end(r["end"]), r["parent_id"]))
    for rows in out.values():
        rows.sort()
    return out


def _on(rows: list[tuple[str, str, str]], day: str) -> str | None:
    for s, e, parent in rows:
        if s <= day <= e:
            return parent
    return None


def _mergers(t: dict[str, list[dict]]) -> dict[str, str]:
    """CCG id -> the CCG it merged into on the day after it ended."""
    life = {r["org_id"]: r for r in t["orgs"] if r["kind"] == "ccg"}
    nxt = {}
    for r in t["successions"]:
        pred, succ = life.get(r["predecessor_id"]), life.get(r["successor_id"])
        if pred and succ and pred["end"] and r["date"] == day_after(pred["end"]):
            nxt[pred["org_id"]] = succ["org_id"]
    return nxt


def _forward(ccg: str, day: str, nxt: dict[str, str], ends: dict[str, str]) -> str:
    while ccg in nxt and ends[ccg] < day:
        ccg = nxt[ccg]
    return ccg


def check_one_ccg_every_day(t: dict[str, list[dict]]) -> list[str]:
    """Every practice with a CCG in some source is in exactly one CCG on every day it was open
    between 2013-04-01 and 2022-06-30: its CCG rows tile that span, no gap and no overlap."""
    spans = _spans(t, "practice")
    listed = {r["org_id"] for r in t["editions"] if r["org_id"].startswith("practice:")}
    problems = []
    for org in t["orgs"]:
        oid = org["org_id"]
        if org["kind"] != "practice" or (oid not in spans and oid not in listed):
            continue
        first, last = max(org["start"] or "", DATA_START), min(end(org["end"]), CCG_END)
        if first > last:
            continue
        day = first
        for s, e, parent in spans.get(oid, []):
            if s > day:
                problems.append(f"{oid} is in no CCG from {day} to {min(last, s)} (open {first} to {last})")
                break
            if s < day:
                problems.append(f"{oid} is in two CCGs on {s} ({parent} and another)")
                break
            day = day_after(e) if e != OPEN else OPEN
        else:
            if day <= last:
                problems.append(f"{oid} is in no CCG from {day} (open to {last})")
    return problems


def edition_figures(t: dict[str, list[dict]]) -> list[dict]:
    """For each edition and kind of organisation: how many it lists in the CCG era and how many
    of them the history puts in the same CCG on its day (or in that CCG's successor by then)."""
    life = {r["org_id"]: (r["start"] or "", end(r["end"])) for r in t["orgs"]}
    ends = {r["org_id"]: end(r["end"]) for r in t["orgs"] if r["kind"] == "ccg"}
    nxt = _mergers(t)
    spans = {kind: _spans(t, kind) for kind in ("practice", "pcn")}
    figures: dict[tuple[str, str, str], dict] = {}
    for r in t["editions"]:
        kind = r["org_id"].split(":")[0]
        first, last = life[r["org_id"]]
        day = min(max(r["date"], first, DATA_START), last, CCG_END)
        key = (r["source"], r["date"], kind)
        fig = figures.setdefault(key, dict(source=r["source"], date=r["date"], kind=kind, listed=0, agree=0, differ=[]))
        if day < max(first, DATA_START):
            continue  # closed before the data begins
        fig["listed"] += 1
        held = _on(spans[kind].get(r["org_id"], []), day)
        if held and r["parent_id"] in (held, _forward(held, r["date"], nxt, ends)):
            fig["agree"] += 1
        else:
            fig["differ"].append(f"{r['org_id']} in {r['parent_id']} (history: {held or 'none'} on {day})")
    return [figures[k] for k in sorted(figures, key=lambda k: (k[2], k[1], k[0]))]


def check_editions_agree(t: dict[str, list[dict]]) -> list[str]:
    problems = []
    for f in edition_figures(t):
        if f["listed"] and f["agree"] < AGREEMENT * f["listed"]:
            problems.append(
                f"{f['source']} ({f['date']}): the history agrees for {f['agree']} of its {f['listed']} {f['kind']}s "
                f"({f['agree'] / f['listed']:.2%}), less than {AGREEMENT:.1%}; e.g. " + "; ".join(f["differ"][:5])
            )
    return problems


def check_ccgs_hold_practices(t: dict[str, list[dict]]) -> list[str]:
    """Every CCG holds a practice on every day of its life, and no practice is in a CCG on a day
    the CCG did not exist."""
    held = defaultdict(list)
    for rows in _spans(t, "practice").values():
        for s, e, parent in rows:
            held[parent].append((s, e))
    problems = []
    for org in t["orgs"]:
        if org["kind"] != "ccg":
            continue
        oid, first, last = org["org_id"], org["start"] or "", end(org["end"])
        day = first
        for s, e in sorted(held.get(oid, [])):
            if s < first or e > last:
                problems.append(f"a practice is in {oid} from {s} to {e}, outside its life ({first} to {last})")
            if s > day:
                break
            day = max(day, day_after(e) if e != OPEN else OPEN)
        if day <= last:
            problems.append(f"{oid} holds no practice on {day} (it existed from {first} to {last})")
    return problems


def report(t: dict[str, list[dict]]) -> list[str]:
    """One line per edition: the share of its organisations the history agrees with."""
    lines = []
    for f in edition_figures(t):
        if f["listed"]:
            lines.append(
                f"  {f['kind']:<8} {f['date']}  {f['source']:<28} {f['agree']:>5,} of {f['listed']:>5,} agree "
                f"({f['agree'] / f['listed']:.2%})"
            )
    return lines
