"""Checks of the boundaries table (scripts/importers/boundaries.py): every shape readable by the
CLI's decoder, one shape per organisation and day, and full coverage of the kinds that have
boundaries. The decoder is the CLI's own (ics_cli/maps/shapes.py), so that a shape the build
accepts is one `ics map` can draw."""

from __future__ import annotations

from collections import defaultdict

from ics_cli.maps.shapes import decode, signed_area
from importers.common import end_or_open as end
from importers.common import uncovered

# Areas that must have a boundary on every day from a date: the ONS editions and the unions of them
# (districts and unitary authorities, by org id prefix: December 2022, and unions for April 2023).
BOUNDARY_RANGES = [("sub_icb", "2022-07-01"), ("icb", "2022-07-01"), ("ccg", "2020-04-01"), ("stp", "2020-04-01")]
BOUNDARY_RANGES += [(f"la:E0{n}", "2021-04-01") for n in (6, 7, 8, 9)]


def check_boundaries(t: dict[str, list[dict]]) -> list[str]:
    """Boundaries: one shape per organisation and day at most, each readable by the CLI's decoder
    (closed rings, exteriors anticlockwise) and inside its bounding box; every sub-ICB location,
    ICB, CCG, STP and district has one on every day from its kind's first edition."""
    problems = []
    by_org = defaultdict(list)
    for r in t["boundaries"]:
        by_org[r["org_id"]].append(r)
        box = [float(r[c]) for c in ("minx", "miny", "maxx", "maxy")]
        polys = decode(r["shape"])
        points = [p for poly in polys for ring in poly for p in ring]
        if not polys or any(len(ring) < 4 for poly in polys for ring in poly):
            problems.append(f"boundaries: {r['org_id']} from {r['start']}: a ring with fewer than three points")
        elif any(signed_area(poly[0]) <= 0 for poly in polys):
            problems.append(f"boundaries: {r['org_id']} from {r['start']}: an exterior ring is not anticlockwise")
        elif not all(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in points):
            problems.append(f"boundaries: {r['org_id']} from {r['start']}: points outside its bounding box")
    for oid, rows in by_org.items():
        rows.sort(key=lambda r: r["start"])
        for a, b in zip(rows, rows[1:]):
            if end(a["end"]) >= b["start"]:
                problems.append(f"boundaries: {oid} has two shapes on {b['start']}")
    orgs = {r["org_id"]: r for r in t["orgs"]}
    for kind, first in BOUNDARY_RANGES:
        for oid, o in orgs.items():
            if not (o["kind"] == kind or oid.startswith(kind)) or end(o["end"]) < first:
                continue
            covered = [(r["start"], r["end"]) for r in by_org.get(oid, [])]
            gaps = uncovered(max(first, o["start"] or ""), o["end"] or "", covered)
            if gaps:
                problems.append(f"boundaries: {oid} has no shape on {gaps[0][0]}")
    return problems
