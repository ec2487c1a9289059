"""The one walk up the parent tree, shared by the queries (one organisation at a time, over SQL)
and ``ics resolve`` (every row, over maps held in memory).

The rule: breadth first from the organisation through its parents on the day (``part_of``, and a
trust's ``hq_in`` ICB), keeping the *nearest parent of each kind*. A parent of a kind already
found is neither kept nor followed, so a GP practice's own sub-ICB location (or CCG) comes before
the one its PCN sits in, and the ICB and region above are those of its own sub-ICB location,
even when the PCN crosses a boundary. Within one level, parents are taken in the order
``parents_of`` gives them (by org id in both callers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

RELATIONS = ("part_of", "hq_in")  # the memberships a walk up follows
RELATIONS_SQL = ", ".join(f"'{r}'" for r in RELATIONS)  # the same, for `relation IN (...)` in SQL

Record = TypeVar("Record", bound=Mapping[str, Any])


def walk_up(org_id: str, parents_of: Callable[[str], Iterable[Record]], want: str | None = None) -> dict[str, Record]:
    """The nearest parent of each kind above `org_id`, as {kind: record}, nearest first.

    `parents_of(org_id)` gives an organisation's direct parents on the day (records with at least
    ``org_id`` and ``kind``). With `want`, the walk stops as soon as a parent of that kind is found.
    """
    return _walk({}, {org_id}, [org_id], parents_of, want)


def first_of_each_kind(parents: Iterable[Record]) -> dict[str, Record]:
    """The first step of :func:`walk_up`: of an organisation's direct parents, the first of each kind."""
    found: dict[str, Record] = {}
    for parent in parents:
        if parent["kind"] not in found:
            found[parent["kind"]] = parent
    return found


def walk_on(first: dict[str, Record], parents_of: Callable[[str], Iterable[Record]]) -> dict[str, Record]:
    """:func:`walk_up` from its first step (:func:`first_of_each_kind`): the same answer, which
    depends only on those parents, so that callers can share it among the organisations that
    have them (``ics resolve``: the GP practices of one PCN and sub-ICB location, on a day)."""
    frontier = [p["org_id"] for p in first.values()]
    return _walk(dict(first), set(frontier), frontier, parents_of, None)


def _walk(found: dict, seen: set, frontier: list, parents_of, want: str | None) -> dict:
    while frontier:
        following = []
        for oid in frontier:
            for parent in parents_of(oid):
                if parent["org_id"] in seen or parent["kind"] in found:
                    continue
                seen.add(parent["org_id"])
                found[parent["kind"]] = parent
                if parent["kind"] == want:
                    return found
                following.append(parent["org_id"])
        frontier = following
    return found


def nearest(org: Record, kind: str, parents_of: Callable[[str], Iterable[Record]]) -> Record | None:
    """The organisation of `kind` that `org` is in on the day: itself if it is one, else the
    nearest parent of that kind (see the rule above), or None."""
    if org["kind"] == kind:
        return org
    return walk_up(org["org_id"], parents_of, want=kind).get(kind)
