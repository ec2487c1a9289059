"""`ics population`: every population figure held for an organisation's area on the day, with its
date and source, as totals, by sex, or in five-year age bands, and the notes a reader needs
(figures only held for its area on other days, an area that changed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ics_cli import fate, queries, wording
from ics_cli.dates import existed
from ics_cli.render import Answer
from ics_cli.vocab import MEASURES, span

if TYPE_CHECKING:
    from ics_cli.dates import AsOf

BY = ("total", "sex", "age")


def parse_by(text: str) -> str:
    if text not in BY:
        from ics_cli.errors import UsageError
        from ics_cli.safetext import quoted

        raise UsageError(f"--by {quoted(text)}: use total, sex or age.")
    return text


def _age_key(age: str) -> int:
    """'0-4' -> 0, '90+' -> 90: age bands in order."""
    return int(age.rstrip("+").split("-")[0])


def figures(org: dict, when: AsOf, measure: str | None = None, by: str = "total") -> Answer:
    """The figures for `org` (an orgs row): all measures or one, `by` total, sex or age, for the
    area it had on the day (fate.day_described: the --as-of day, or for an organisation that had
    ended by the default day its last day). A measure with no figure for that area gives its
    figures for other areas, each marked (``area_of_day`` false) and named in a note."""
    day = fate.day_described(org, when)
    named = queries.org_on(org["org_id"], day)  # its code and name on that day
    # Each figure is for an area the organisation had (start to end): those of the day's area.
    rows, other = queries.on_the_area_of(queries.populations_of(org["org_id"], measure, totals_only=by != "age"), day)
    notes = []
    if day != when.day:
        notes.append(wording.described_on(named, day))
    spans = sorted({(MEASURES.get(r["measure"], r["measure"]), r["start"], r["end"] or "") for r in other})
    notes.append(wording.population_areas(named, day, queries.boundary_changes(org["org_id"]), spans, len(other) < len(rows)))
    if measure and not rows:  # a known measure with no figure for this organisation: an empty answer, not an error
        known = sorted({r["measure"] for r in queries.populations_of(org["org_id"])})
        empty = wording.population_empty(named, MEASURES[measure], known)
    else:
        empty = wording.population_empty(named)
    if by == "total":
        rows = [r for r in rows if r["sex"] == "all" and r["age"] == "all"]
    elif by == "sex":
        rows = [r for r in rows if r["age"] == "all"]
    else:
        rows = [r for r in rows if r["age"] != "all"]
        rows.sort(key=lambda r: (r["date"], r["measure"], r["sex"], _age_key(r["age"])))
    for r in rows:
        r["org_id"], r["code"], r["name"], r["as_of"] = org["org_id"], named["code"], named["name"], day
        r["measure_label"] = MEASURES.get(r["measure"], r["measure"])
        r["area_of_day"] = existed(r, day)
        r["other_area"] = None if r["area_of_day"] else span(r["start"], r["end"])
    return Answer(rows, title=wording.population_title(named, day), empty=empty, notes=notes)
