"""`ics list`: the organisations of one kind that existed on a day, optionally inside another,
with the notes that say what the sources do not link, and the fields an export asks for.

Fields on request (named in ``--fields``, never printed otherwise; ``vocab.LEVEL_FIELDS`` and
``vocab.POPULATION_FIELDS``):

- ``<level>_code``, ``<level>_name`` (and ``<level>_id``, the org id) for each level above:
  ``pcn``, ``sub_icb``, ``ccg``, ``icb``, ``stp``, ``area_team``, ``region``, and ``ics`` (the
  footprint of the day: the STP to 2022-06-30, the ICB after): the organisation of that kind the
  record was in on the day (the one walk up, :mod:`ics_cli.hierarchy`; itself for its own kind),
  under its code and name of the day.
- ``population_gp``, ``population_ons``, ``population_census``, ``population_qof``: the figure
  of that measure (all ages, both sexes) for the area the organisation had on the day; empty when
  none is held for that area, and a note says how many are empty (``ics population`` gives the
  figures held for its other areas).

They are computed once for the whole list (the day's memberships and figures read in two queries),
so an export of every practice costs a second, not a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from ics_cli import db, fate, gaps, queries, wording
from ics_cli.hierarchy import RELATIONS_SQL, walk_up
from ics_cli.render import Answer
from ics_cli.vocab import LEVELS, MEASURES, POPULATION_FIELDS, footprint_kind


def listing(
    kind: str,
    day: str,
    parent: dict | None = None,
    fields: Iterable[str] = (),
    *,
    asked: str | None = None,
    footprint: bool = False,
) -> Answer:
    """Organisations of `kind` alive on `day` (inside `parent`, an orgs row, when given), each
    record naming the day it describes (`as_of`) and, inside a parent, the parent (``in_id``,
    ``in_code``, ``in_name``: the organisation that answered, under its name of the day). A parent
    that did not exist on `day` is an error that says where it went (fate.gone). `fields`: the
    fields asked for, to compute those on request. `asked`: the day the user asked about, when
    `day` is another (a parent's last day). `footprint`: the user asked for the ICSs of the day
    (`ics list ics`), which `kind` is (vocab.footprint_kind)."""
    if parent is not None:
        fate.require_existing(parent, day)
    named = queries.org_on(parent["org_id"], day) if parent is not None else None
    rows: Iterator[dict] = ({**r, "as_of": day} for r in queries.list_orgs(kind, day, parent["org_id"] if parent else None))
    if named is not None:
        inside = {"in_id": named["org_id"], "in_code": named["code"], "in_name": named["name"]}
        rows = ({**r, **inside} for r in rows)
    wanted = set(fields)
    notes = [wording.described_on(named, day) if named is not None and asked and asked != day else None]
    levels = [lv for lv in LEVELS if wanted & {f"{lv}_code", f"{lv}_name", f"{lv}_id"}]
    measures = {f: m for f, m in POPULATION_FIELDS.items() if f in wanted}
    if levels or measures:
        rows = list(rows)
        if levels:
            _add_levels(rows, day, levels)
        if measures:
            notes += _add_populations(rows, day, measures)
    # Why such a list can be empty: what the data does not link, or a kind that did not exist then.
    reason = None
    if parent is not None:
        reason = gaps.empty_list_reason(kind, day, parent["kind"])
    else:
        first, last = queries.kind_span(kind)
        if not first <= day <= last:
            reason = wording.kind_existed(first, last)
    notes.append(gaps.list_note(kind, day, parent["kind"] if parent else None, parent["org_id"] if parent else None))
    return Answer(
        rows,
        title=wording.list_title(kind, day, named, footprint),
        empty=wording.list_empty(kind, day, named, reason),
        notes=notes,
    )


def _add_levels(rows: list[dict], day: str, levels: list[str]) -> None:
    """Each row's organisation of each level on `day` (hierarchy.walk_up over the day's memberships,
    read once), under its code and name of the day."""
    up: dict[str, list[dict]] = defaultdict(list)
    for child, parent, kind in db.rows(
        f"""SELECT m.child_id, m.parent_id, o.kind FROM memberships m JOIN orgs o ON o.org_id = m.parent_id
            WHERE m.relation IN ({RELATIONS_SQL}) AND {queries.alive("m")} ORDER BY m.child_id, m.parent_id""",
        {"d": day},
    ):
        up[child].append({"org_id": parent, "kind": kind})
    kind_of = {lv: footprint_kind(day) if lv == "ics" else lv for lv in levels}  # "ics": the footprint of the day
    kinds = set(kind_of.values())
    found = {r["org_id"]: {**walk_up(r["org_id"], lambda oid: up.get(oid, ())), r["kind"]: r} for r in rows}
    ids = {p["org_id"] for f in found.values() for k, p in f.items() if k in kinds}
    named = {}
    for kind in sorted(kinds):  # their codes and names of the day, one query per level
        for r in db.iter_query(f"SELECT {queries.ORG_COLUMNS} FROM orgs o WHERE o.kind = :kind", {"kind": kind, "d": day}):
            if r["org_id"] in ids:
                named[r["org_id"]] = r
    for r in rows:
        for lv in levels:
            hit = found[r["org_id"]].get(kind_of[lv])
            org = named.get(hit["org_id"]) if hit else None
            r[f"{lv}_id"] = org["org_id"] if org else None
            r[f"{lv}_code"] = org["code"] if org else None
            r[f"{lv}_name"] = org["name"] if org else None


def _add_populations(rows: list[dict], day: str, measures: dict[str, str]) -> list[str]:
    """Each row's figure of each measure for its area of `day` (all ages, both sexes); the notes
    that say what the figures are (the day each counts and their sources, which the columns do
    not say) and which are not held for that area."""
    figures: dict[tuple[str, str], tuple[int, str, str]] = {}
    marks = ", ".join("?" * len(measures))
    for org_id, measure, value, date, source in db.rows(
        f"""SELECT org_id, measure, value, date, source FROM populations WHERE sex = 'all' AND age = 'all'
            AND measure IN ({marks}) AND COALESCE(start, '') <= ? AND COALESCE(end, '9999-12-31') >= ?""",
        (*measures.values(), day, day),
    ):
        figures[org_id, measure] = (value, date, source)
    notes = []
    for field, measure in measures.items():
        missing = 0
        used: dict[str, int] = defaultdict(int)
        dates = set()
        for r in rows:
            value, date, source = figures.get((r["org_id"], measure), (None, None, None))
            r[field] = value
            missing += value is None
            if value is not None:
                used[source] += 1
                dates.add(date)
        if used:
            # A practice's or PCN's figure is for the organisation itself, not an area (data/README.md).
            of_area = not {r["kind"] for r in rows} & {"practice", "pcn"}
            notes.append(
                wording.figures_listed(field, MEASURES[measure], sorted(dates), dict(sorted(used.items())), day, of_area)
            )
        if missing:
            notes.append(wording.no_figure_listed(field, MEASURES[measure], missing, len(rows), day))
    return notes
