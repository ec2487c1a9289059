"""Boundaries: the ONS boundary files in ons_lookups, made into one compact shape per organisation
and period (data/sources/boundaries.csv) for `ics map`.

Editions read (all ONS, OGL v3; see ../shared/sources/ons_lookups/MANIFEST.md):
- sub-ICB locations, July 2022 (BUC, British National Grid: reprojected to WGS84);
- CCGs, April 2020 (BUC) and April 2021 (BSC, more detailed: simplified to about the same level);
- local authority districts, December 2022 (BUC; England only).

Their sources (ons_sicbl22_buc, ons_ccg20_buc, ons_ccg21_bsc, ons_lad22_buc) and the rule below
(derived_boundaries) are described in data/curated/importer_sources.csv.

Derived here (source `derived_boundaries`):
- the sub-ICB locations of April 2026: Frimley's D4U1Y cut by the December 2022 districts
  (lsoa.FRIMLEY_2026), its pieces joined to 92A and D9Y0V or forming U2G6B;
- ICBs, STPs and NHS England regions as unions of their members' shapes on each day (sub-ICB
  locations, CCGs, and ICBs or STPs), wherever every member has a shape;
- the unitary councils of April 2023 as unions of the districts that merged into them.

Geometry work happens here only: each edition is simplified as a coverage (shared borders stay
shared, so neighbours neither overlap nor gap), unions dissolve shared borders exactly, and every
coordinate is rounded to 1e-4 degrees (about 10 m). The CLI reads the result with no geometry
library. Needs shapely (>= 2.1, GEOS >= 3.12 for coverage simplification) and pyproj: the
`build` extra.

Shape format (column `shape`): polygons separated by ";", the rings of a polygon by " " (the
exterior first, anticlockwise, then holes, clockwise: RFC 7946), each ring the Google
encoded-polyline text of its longitude, latitude pairs at 1e-4 degrees, not repeating the first
point at the end. ``ics_cli.maps.shapes`` decodes it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ics_cli.vocab import AREA_MEMBERS

from .common import Tables, day_after, day_before, empty_tables, end_or_open
from .lsoa import FRIMLEY_2026

PRECISION = 4  # decimal places of degrees kept
# Coverage simplification tolerance in degrees: BUC editions are generalised to 500 m already and
# barely change at 0.0012 (80-130 m); the April 2021 CCGs (BSC, 200 m, 163,000 points) come down
# to about the BUC editions' 10,000 to 20,000 points at 0.005.
SIMPLIFY = 0.0012
SIMPLIFY_BSC = 0.005
ICB_START = "2022-07-01"
ICB_2026 = "2026-04-01"
CCG20, CCG21 = "2020-04-01", "2021-04-01"
LAD_FROM = "2021-04-01"  # the December 2022 districts are those of April 2021 (no change in between)

FILES = {
    "sicbl22": "ons_sicbl22_boundaries_buc_2022-07.geojson",
    "ccg20": "ons_ccg20_boundaries_buc_2020-04.geojson",
    "ccg21": "ons_ccg21_boundaries_bsc_2021-04.geojson",
    "lad22": "ons_lad22_boundaries_buc_2022-12.geojson",
}
_HELMERT_BNG_TO_WGS84 = (
    # EPSG:1314 (OSGB36 to WGS 84 (6)), spelt out so that no grid file a machine may have changes the result.
    "+proj=pipeline +step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy "
    "+step +proj=push +v_3 +step +proj=cart +ellps=airy "
    "+step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 +s=-20.489 "
    "+convention=position_vector +step +inv +proj=cart +ellps=WGS84 +step +proj=pop +v_3 "
    "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
)


def run(shared: Path, tables: Tables) -> Tables:
    """`tables`: what the other importers found (orgs, codes, memberships), to name the areas."""
    try:
        import shapely  # noqa: F401
    except ImportError:
        raise SystemExit("Error: the boundaries need shapely and pyproj: pip install -e '.[build]'") from None
    folder = shared / "ons_lookups"
    t = empty_tables()
    orgs = {r["org_id"]: r for r in tables["orgs"]}
    by_ons = _ons_codes(tables["codes"])
    shapes: dict[str, list[dict]] = defaultdict(list)  # org_id -> [{start, end, geom, edition, source}]

    sicbl = _coverage(folder / FILES["sicbl22"], "SICBL22CD", reproject=True)
    for code, geom in sicbl.items():
        oid = _org(by_ons, code, "sub_icb", ICB_START)
        shapes[oid].append(_row(orgs[oid], ICB_START, "", geom, "July 2022", "ons_sicbl22_buc"))
    for day, key, file, edition, source, tolerance in (
        (CCG20, "ccg20cd", FILES["ccg20"], "April 2020", "ons_ccg20_buc", SIMPLIFY),
        (CCG21, "CCG21CD", FILES["ccg21"], "April 2021", "ons_ccg21_bsc", SIMPLIFY_BSC),
    ):
        for code, geom in _coverage(folder / file, key, tolerance=tolerance).items():
            oid = _org(by_ons, code, "ccg", day)
            end = day_before(CCG21) if day == CCG20 else ""
            shapes[oid].append(_row(orgs[oid], day, end, geom, edition, source))
    lads = _coverage(folder / FILES["lad22"], "LAD22CD", only=lambda code: code.startswith("E"))
    lad_names = _names(folder / FILES["lad22"], "LAD22CD", "LAD22NM")
    for code, geom in lads.items():
        oid = _org(by_ons, code, "la", "2022-12-01")
        shapes[oid].append(_row(orgs[oid], LAD_FROM, "", geom, "December 2022", "ons_lad22_buc"))
    _frimley_2026(shapes, orgs, lads, lad_names)
    _merged_districts(shapes, orgs, tables["successions"])
    members = _members(tables["memberships"])
    for kind, child_kinds in AREA_MEMBERS.items():  # regions last: they are unions of ICBs' and STPs' areas
        for oid in sorted(o for o, r in orgs.items() if r["kind"] == kind):
            shapes[oid] += _unions(orgs[oid], members.get(oid, []), child_kinds, shapes)
    for oid in sorted(shapes):
        for r in _merge(shapes[oid]):
            t["boundaries"].append(_output(oid, r))
    return t


# --- reading ------------------------------------------------------------------------------------


def _ons_codes(codes: list[dict]) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for r in codes:
        if r["scheme"] == "ons":
            out[r["code"]].append(r)
    return out


def _org(by_ons: dict, code: str, kind: str, day: str) -> str:
    """The organisation of `kind` that had ONS code `code` on `day` (or, for districts, ever: a
    district keeps its latest code throughout, data/README.md)."""
    found = [r["org_id"] for r in by_ons.get(code, []) if r["org_id"].startswith(kind + ":")]
    on_day = [o for o in found for r in by_ons[code] if r["org_id"] == o and (r["start"] or "") <= day <= end_or_open(r["end"])]
    chosen = sorted(set(on_day or (found if kind == "la" else [])))
    if len(chosen) != 1:
        raise ValueError(f"boundaries: {code} names {len(chosen)} organisations of kind {kind} on {day}: {chosen}")
    return chosen[0]


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _names(path: Path, key: str, name: str) -> dict[str, str]:
    return {f["properties"][key]: f["properties"][name] for f in _features(path)}


def _coverage(path: Path, key: str, reproject: bool = False, only=lambda code: True, tolerance: float = SIMPLIFY) -> dict:
    """code -> geometry (WGS84), the edition simplified as a coverage and valid."""
    import shapely
    from shapely.geometry import shape

    feats = sorted((f for f in _features(path) if only(f["properties"][key])), key=lambda f: f["properties"][key])
    geoms = [shapely.make_valid(shape(f["geometry"])) for f in feats]
    if reproject:
        from pyproj import Transformer

        to_wgs84 = Transformer.from_pipeline(_HELMERT_BNG_TO_WGS84)
        geoms = [shapely.transform(g, lambda xy: _stack(*to_wgs84.transform(xy[:, 0], xy[:, 1]))) for g in geoms]
    simplified = shapely.coverage_simplify(geoms, tolerance)
    return {f["properties"][key]: _polygonal(g) for f, g in zip(feats, simplified)}


def _stack(x, y):
    import numpy as np

    return np.column_stack([x, y])


def _polygonal(geom):
    """The polygons of a geometry (dropping the lines and points that validity repairs can leave)."""
    import shapely
    from shapely.geometry import MultiPolygon

    geom = shapely.make_valid(geom)
    parts = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in getattr(p, "geoms", [p])]
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


def _members(memberships: list[dict]) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for r in memberships:
        if r["relation"] == "part_of":
            out[r["parent_id"]].append(r)
    return out


def _row(org: dict, start: str, end: str, geom, edition: str, source: str) -> dict:
    """A shape clipped to the organisation's own life."""
    s = max(start, org["start"] or "")
    e = min(end_or_open(end), end_or_open(org["end"]))
    return {"start": s, "end": "" if e == "9999-12-31" else e, "geom": geom, "edition": edition, "source": source}


# --- derived shapes -------------------------------------------------------------------------------


def _frimley_2026(shapes: dict, orgs: dict, lads: dict, lad_names: dict) -> None:
    """Frimley's D4U1Y divided on 2026-04-01 by district (lsoa.FRIMLEY_2026)."""
    import shapely

    frimley = next(r["geom"] for r in shapes["sub_icb:D4U1Y"])
    by_name = {lad_names[c]: g for c, g in lads.items()}
    groups: dict[str, list] = defaultdict(list)
    for district, code in sorted(FRIMLEY_2026.items()):
        groups[code].append(by_name[district])
    pieces = {code: _polygonal(shapely.intersection(frimley, shapely.union_all(gs))) for code, gs in sorted(groups.items())}
    # The two editions are generalised differently: what of D4U1Y no district group covers goes to
    # the piece it shares the longest border with.
    rest = _polygonal(shapely.difference(frimley, shapely.union_all(list(pieces.values()))))
    for part in getattr(rest, "geoms", [rest]):
        if part.is_empty:
            continue
        best = max(sorted(pieces), key=lambda c: shapely.intersection(part.boundary, pieces[c].boundary.buffer(1e-7)).length)
        pieces[best] = _polygonal(shapely.union(pieces[best], part))
    for code, piece in pieces.items():
        oid = f"sub_icb:{code}"
        before = [r for r in shapes.get(oid, []) if r["start"] < ICB_2026 <= end_or_open(r["end"])]
        geom = piece
        if before:
            before[0]["end"] = day_before(ICB_2026)
            geom = shapely.union(before[0]["geom"], piece)
        shapes[oid].append(_row(orgs[oid], ICB_2026, "", _polygonal(geom), "April 2026", "derived_boundaries"))


def _merged_districts(shapes: dict, orgs: dict, successions: list[dict]) -> None:
    """The unitary councils of April 2023 (Cumberland, Westmorland and Furness, North Yorkshire,
    Somerset): the union of the December 2022 districts that merged into each."""
    import shapely

    parts = defaultdict(list)
    for s in successions:
        if s["type"] == "merger" and s["predecessor_id"] in shapes and s["predecessor_id"].startswith("la:"):
            parts[(s["successor_id"], s["date"])].append(s["predecessor_id"])
    for (oid, day), preds in sorted(parts.items()):
        if oid in shapes or not oid.startswith("la:"):
            continue
        geom = _polygonal(shapely.union_all([shapes[p][0]["geom"] for p in sorted(preds)]))
        shapes[oid].append(_row(orgs[oid], day, "", geom, "December 2022", "derived_boundaries"))


def _unions(org: dict, links: list[dict], child_kinds: tuple[str, ...], shapes: dict) -> list[dict]:
    """The shapes of a body made of its members: one per period in which the members and their
    shapes stay the same, where every member has a shape."""
    import shapely

    links = [m for m in links if m["child_id"].split(":")[0] in child_kinds]
    days = {org["start"] or ""} | {m["start"] for m in links} | {day_after(m["end"]) for m in links if m["end"]}
    for m in links:
        for r in shapes.get(m["child_id"], []):
            days |= {r["start"]} | ({day_after(r["end"])} if r["end"] else set())
    days = sorted(d for d in days if d and (org["start"] or "") <= d <= end_or_open(org["end"]))
    out: list[dict] = []
    cache: dict[tuple, object] = {}
    for i, day in enumerate(days):
        parts = [m["child_id"] for m in links if m["start"] <= day <= end_or_open(m["end"])]
        rows = [next((r for r in shapes.get(c, []) if r["start"] <= day <= end_or_open(r["end"])), None) for c in sorted(parts)]
        if not parts or any(r is None for r in rows):
            continue
        key = tuple((c, r["start"]) for c, r in zip(sorted(parts), rows))
        if key not in cache:
            cache[key] = _polygonal(shapely.union_all([r["geom"] for r in rows]))
        end = day_before(days[i + 1]) if i + 1 < len(days) else (org["end"] or "")
        editions = {e for r in rows for e in r["edition"].split(" and ")}
        edition = " and ".join(sorted(editions, key=lambda e: (e[-4:], e)))
        out.append({"start": day, "end": end, "geom": cache[key], "edition": edition, "source": "derived_boundaries", "key": key})
    return out


def _merge(rows: list[dict]) -> list[dict]:
    """Consecutive periods with the same shape (the same members' shapes) become one."""
    rows = sorted(rows, key=lambda r: r["start"])
    out: list[dict] = []
    for r in rows:
        prev = out[-1] if out else None
        if prev and prev.get("key") is not None and prev.get("key") == r.get("key") and day_after(prev["end"]) == r["start"]:
            prev["end"] = r["end"]
        else:
            out.append(dict(r))
    return out


# --- output -------------------------------------------------------------------------------------


def _output(org_id: str, r: dict) -> dict:
    import shapely
    from shapely.ops import polylabel

    geom = shapely.set_precision(r["geom"], 10**-PRECISION)
    geom = shapely.orient_polygons(_polygonal(geom), exterior_cw=False)
    polys = list(getattr(geom, "geoms", [geom]))
    largest = max(polys, key=lambda p: p.area)
    label = polylabel(largest, tolerance=0.001)
    minx, miny, maxx, maxy = geom.bounds
    return {
        "org_id": org_id,
        "start": r["start"],
        "end": r["end"],
        "edition": r["edition"],
        "minx": _fmt(minx),
        "miny": _fmt(miny),
        "maxx": _fmt(maxx),
        "maxy": _fmt(maxy),
        "label_x": _fmt(label.x),
        "label_y": _fmt(label.y),
        "shape": ";".join(" ".join(encode_ring(ring) for ring in (p.exterior, *p.interiors)) for p in polys),
        "source": r["source"],
    }


def _fmt(value: float) -> str:
    return f"{value:.{PRECISION}f}"


def encode_ring(ring) -> str:
    """A ring as Google encoded-polyline text of (longitude, latitude) at 1e-4 degrees, without
    the closing point."""
    coords = list(ring.coords)[:-1]
    out: list[str] = []
    px = py = 0
    for x, y in coords:
        ix, iy = round(x * 10**PRECISION), round(y * 10**PRECISION)
        for delta in (ix - px, iy - py):
            out.append(_encode_number(delta))
        px, py = ix, iy
    return "".join(out)


def _encode_number(value: int) -> str:
    value = ~(value << 1) if value < 0 else value << 1
    chunks = []
    while value >= 0x20:
        chunks.append(chr((0x20 | (value & 0x1F)) + 63))
        value >>= 5
    chunks.append(chr(value + 63))
    return "".join(chunks)
