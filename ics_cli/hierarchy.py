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

Record = TypeVar("Record", bound=Mapping[str, Any])


def walk_up(org_id: str, parents_of: Callable[[str], Iterable[Record]], want: str | None = None) -> dict[str, Record]:
    """The nearest parent of each kind above `org_id`, as {kind: record}, nearest first.

    `parents_of(org_id)` gives an organisation's direct parents on the day (records with at least
    ``org_id`` and ``kind``). With `want`, the walk stops as soon as a parent of that kind is found.
    """
    found: dict[str, Record] = {}
    seen = {org_id}
    frontier = [org_id]
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
