"""What a map of an organisation on a day shows: the area drawn for it, the areas inside it, and
its neighbours in view, each with the edition its boundary comes from.

Boundaries exist for sub-ICB locations and ICBs (from July 2022), CCGs, STPs and NHS England
regions (from April 2020) and local authority districts (December 2022). Where none exists for
the day asked, the nearest one is drawn (the same organisation's earliest or latest, or else the
organisation its area became part of) and a note says so. Bodies without an area of their own
(practices, PCNs, trusts) are shown by the area they sit in.
"""

from __future__ import annotations

from typing import NamedTuple

from ics_cli import db, queries
from ics_cli.dates import existed, nearest_day
from ics_cli.errors import IcsError
from ics_cli.vocab import AREA_MEMBERS, SHORT_LABEL, label

AREA_KINDS = ("region", "icb", "stp", "sub_icb", "ccg", "la")
VIEW_PAD = 0.06  # the view reaches this fraction of the subject's size beyond it on each side


class Area(NamedTuple):
    org_id: str
    kind: str
    code: str
    ons_code: str | None
    name: str
    short_name: str | None
    role: str  # subject, member or neighbour
    edition: str
    source: str
    start: str
    end: str | None
    box: tuple[float, float, float, float]
    label: tuple[float, float]
    shape: str


class Plan(NamedTuple):
    subject: dict  # the organisation asked for (orgs row, names as on the day asked)
    shown: dict  # the organisation whose area is drawn (itself, or the area it sits in or became part of)
    day: str  # the day asked
    drawn: str  # the day whose boundaries are drawn
    areas: list[Area]  # subject first, then members, then neighbours
    notes: list[str]
    box: tuple[float, float, float, float]  # the view

    @property
    def editions(self) -> list[str]:
        """The editions drawn, oldest first (a union's edition names those of its parts: "July 2022 and April 2026")."""
        return sorted({e for a in self.areas for e in a.edition.split(" and ")}, key=lambda e: (e[-4:], e))

    @property
    def sources(self) -> list[str]:
        return sorted({a.source for a in self.areas})


def plan(org: dict, day: str, neighbours: bool = True) -> Plan:
    """The map of `org` (an orgs row) on `day`."""
    notes: list[str] = []
    # The resolver's row carries the latest names: name it as on the day (92A was "NHS Surrey
    # Heartlands ICB - 92A" until 2026-03-31).
    org = queries.org_on(org["org_id"], day) or org
    shown = _area_of(org, day, notes)
    row, drawn = _row_near(shown["org_id"], day)
    if row is None:
        shown, row, drawn = _successor_row(shown, notes)
    elif drawn != day:
        when = "before" if day < drawn else "after"
        notes.append(
            f"Note: no boundary of {shown['name']} ({shown['code']}) is held for {day}: the nearest, as on {drawn} "
            f"({row['edition']} edition), is drawn; {_coverage_words(shown['kind'])}"
            + (" Its area may have changed in between." if when == "before" else "")
        )
    subject = _area(row, queries.org_on(shown["org_id"], drawn), "subject")
    members = _members(shown, drawn)
    box = _view(subject.box)
    areas = [subject, *members]
    if neighbours:
        taken = {a.org_id for a in areas}
        areas += [a for a in _in_view(shown["kind"], drawn, box) if a.org_id not in taken]
    return Plan(org, shown, day, drawn, areas, notes, box)


def _coverage_words(kind: str) -> str:
    if kind in ("ccg", "stp"):
        return f"{label(kind, plural=True)} have boundaries here from April 2020 (the earliest ONS edition in the sources)."
    if kind == "region":
        return "regions have boundaries here from April 2020."
    if kind == "la":
        return "districts have the December 2022 boundaries, from April 2021."
    return f"{label(kind, plural=True)} have boundaries from July 2022."


def _area_of(org: dict, day: str, notes: list[str]) -> dict:
    """The organisation whose area stands for `org`: itself, or for a body without an area of its
    own, the one it sits in on the day (or on its last day)."""
    if org["kind"] in AREA_KINDS:
        if org["kind"] == "la" and not org["org_id"].startswith(("la:E06", "la:E07", "la:E08", "la:E09")):
            raise IcsError(
                f"No boundary is held for {org['name']} ({org['code']}): boundaries are held for districts and unitary authorities, not counties."
            )
        return org
    when = nearest_day(org, day)
    wanted = {"practice": ("sub_icb", "ccg"), "pcn": ("sub_icb", "ccg"), "trust": ("icb",), "area_team": ("region",)}
    kinds = wanted.get(org["kind"], ())
    parent = next((p for p in queries.parents(org["org_id"], when) if p["kind"] in kinds), None)
    if parent is None:
        raise IcsError(
            f"{org['name']} ({org['code']}) has no area of its own, and the area it sits in on {when} is not recorded.",
            hint="Maps are drawn for regions, ICBs, sub-ICB locations, STPs, CCGs and districts.",
        )
    notes.append(
        f"Note: {label(org['kind'], plural=True)} have no boundaries of their own: {org['name']} ({org['code']}) is shown by "
        f"the {SHORT_LABEL[parent['kind']]} it {'was' if when != day else 'is'} in, {parent['name']} ({parent['code']})."
    )
    return parent


def _rows(org_id: str) -> list[dict]:
    return db.query(
        "SELECT org_id, start, end, edition, minx, miny, maxx, maxy, label_x, label_y, shape, source FROM boundaries"
        " WHERE org_id = ? ORDER BY start",
        (org_id,),
    )


def _row_near(org_id: str, day: str) -> tuple[dict | None, str]:
    """The boundary of `org_id` on `day`, else its nearest in time (with the day it is as of)."""
    rows = _rows(org_id)
    for r in rows:
        if existed(r, day):
            return r, day
    if not rows:
        return None, day
    before = [r for r in rows if r["end"] and r["end"] < day]
    if before:
        return before[-1], before[-1]["end"]
    return rows[0], rows[0]["start"]


def _successor_row(org: dict, notes: list[str]) -> tuple[dict, dict, str]:
    """For a body that ended before its kind's first edition: the area it became part of, on the
    first day that area has a boundary."""
    frontier, seen = [org["org_id"]], {org["org_id"]}
    while frontier:
        steps = [s for oid in frontier for s in queries.successions_of(oid)["successors"] if s["org_id"] not in seen]
        seen |= {s["org_id"] for s in steps}
        # The successor that took the largest share of it (and, among equals, the first) is drawn.
        found = sorted(((s, _rows(s["org_id"])) for s in steps), key=lambda t: (-(t[0]["share"] or 0), t[0]["org_id"]))
        found = [(s, rows) for s, rows in found if rows]
        if found:
            s, rows = found[0]
            drawn = rows[0]["start"]
            heir = queries.org_on(s["org_id"], drawn)
            others = [f"{o['name']} ({o['code']})" for o, _ in found[1:]]
            notes.append(
                f"Note: no boundary of {org['name']} ({org['code']}) is held: {_coverage_words(org['kind'])} "
                f"Drawn instead: {heir['name']} ({heir['code']}), which its area became part of, as on {drawn} "
                f"({rows[0]['edition']} edition)" + (f"; parts of it also went to {', '.join(others)}." if others else ".")
            )
            return heir, rows[0], drawn
        frontier = [s["org_id"] for s in steps]
    raise IcsError(f"No boundary is held for {org['name']} ({org['code']}) or for any body its area became part of.")


def _area(row: dict, org: dict, role: str) -> Area:
    return Area(
        org["org_id"],
        org["kind"],
        org["code"],
        org["ons_code"],
        org["name"],
        org["short_name"],
        role,
        row["edition"],
        row["source"],
        row["start"],
        row["end"],
        (row["minx"], row["miny"], row["maxx"], row["maxy"]),
        (row["label_x"], row["label_y"]),
        row["shape"],
    )


_ROW = (
    "b.org_id, b.start, b.end, b.edition, b.minx, b.miny, b.maxx, b.maxy, b.label_x, b.label_y, b.shape, b.source, "
    "o.kind, o.code AS o_code, o.name AS o_name"
)


def _with_names(rows: list[dict], day: str, role: str) -> list[Area]:
    out = []
    for r in rows:
        org = queries.org_on(r["org_id"], day)
        out.append(_area(r, org, role))
    return sorted(out, key=lambda a: (a.name, a.org_id))


def _members(org: dict, day: str) -> list[Area]:
    kinds = AREA_MEMBERS.get(org["kind"])
    if not kinds:
        return []
    rows = db.query(
        f"""SELECT {_ROW} FROM memberships m JOIN boundaries b ON b.org_id = m.child_id JOIN orgs o ON o.org_id = m.child_id
            WHERE m.parent_id = :id AND m.relation = 'part_of' AND {queries.alive("m")} AND {queries.alive("b")}
              AND o.kind IN ({",".join(f"'{k}'" for k in kinds)})""",
        {"id": org["org_id"], "d": day},
    )
    return _with_names(rows, day, "member")


def _in_view(kind: str, day: str, box: tuple[float, float, float, float]) -> list[Area]:
    """The areas of `kind` with a boundary on `day` that reach into the view."""
    rows = db.query(
        f"""SELECT {_ROW} FROM boundaries b JOIN orgs o ON o.org_id = b.org_id
            WHERE b.org_id >= :lo AND b.org_id < :hi AND {queries.alive("b")}
              AND b.maxx >= :minx AND b.minx <= :maxx AND b.maxy >= :miny AND b.miny <= :maxy""",
        {"lo": f"{kind}:", "hi": f"{kind};", "d": day, "minx": box[0], "miny": box[1], "maxx": box[2], "maxy": box[3]},
    )
    return _with_names(rows, day, "neighbour")


def _view(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    from ics_cli.maps.shapes import pad

    return pad(box, VIEW_PAD)
