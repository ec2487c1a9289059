"""A map as GeoJSON (RFC 7946): a FeatureCollection in WGS84 longitude and latitude, one feature
per area (the subject, its members, its neighbours), exteriors anticlockwise and holes clockwise.
Each feature's properties say what it is and where its boundary comes from; the collection's
foreign member `ics` says what was asked, what was drawn and why."""

from __future__ import annotations

from ics_cli.maps import terminal
from ics_cli.maps.areas import Area, Plan
from ics_cli.maps.shapes import decode, signed_area

PROPERTIES = (
    "org_id",
    "kind",
    "code",
    "ons_code",
    "name",
    "short_name",
    "role",
    "label",
    "as_of",
    "boundary_as_of",
    "edition",
    "boundary_start",
    "boundary_end",
    "source",
)


def collection(plan: Plan, attribution: str) -> dict:
    names = terminal.labels(plan)
    features = [_feature(a, names[i], plan) for i, a in enumerate(plan.areas)]
    boxes = [f["bbox"] for f in features]
    return {
        "type": "FeatureCollection",
        "bbox": [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)],
        "ics": {
            "subject": plan.subject["org_id"],
            "shown": plan.shown["org_id"],
            "as_of": plan.day,
            "boundary_as_of": plan.drawn,
            "editions": plan.editions,
            "notes": plan.notes,
            "attribution": attribution,
        },
        "features": features,
    }


def _feature(a: Area, label: str, plan: Plan) -> dict:
    polygons = []
    for polygon in decode(a.shape):
        rings = []
        for k, ring in enumerate(polygon):
            # RFC 7946 3.1.6: exteriors anticlockwise, holes clockwise (the stored shapes are; checked anyway).
            clockwise = signed_area(ring) < 0
            rings.append([list(p) for p in (ring[::-1] if clockwise == (k == 0) else ring)])
        polygons.append(rings)
    geometry = (
        {"type": "Polygon", "coordinates": polygons[0]}
        if len(polygons) == 1
        else {"type": "MultiPolygon", "coordinates": polygons}
    )
    values = {
        "org_id": a.org_id,
        "kind": a.kind,
        "code": a.code,
        "ons_code": a.ons_code,
        "name": a.name,
        "short_name": a.short_name,
        "role": a.role,
        "label": label or None,
        "as_of": plan.day,
        "boundary_as_of": plan.drawn,
        "edition": a.edition,
        "boundary_start": a.start,
        "boundary_end": a.end,
        "source": a.source,
    }
    return {
        "type": "Feature",
        "id": a.org_id,
        "bbox": list(a.box),
        "geometry": geometry,
        "properties": {k: values[k] for k in PROPERTIES},
    }
