"""What became of an organisation that had ended (or had not begun) by the day asked: the facts
from queries.where_now, worded by :mod:`ics_cli.wording`, for the note of a profile shown on its
last day and for the error when a command is asked about a day it did not exist."""

from __future__ import annotations

from ics_cli import queries, wording
from ics_cli.dates import AsOf, existed, nearest_day
from ics_cli.errors import IcsError


def went(org: dict, day: str) -> str:
    """ " Its area went to: ..." for an organisation that had ended by `day` ('' if not known),
    with the share of its own area (on its last day) in each organisation of `day`."""
    now = queries.where_now(org["org_id"], day)
    if now["after"] and not now["via"] and org["end"] and org["end"] < day:
        now = {**now, "after": own_shares(org, day, now["after"])}
    own = bool(now["after"]) and not now["via"] and {a["org_id"] for a in now["after"]} <= queries.kin(org["org_id"])
    return wording.went(org["kind"], day, now, own)


def own_shares(org: dict, day: str, after: list[dict]) -> list[dict]:
    """`after` (queries.successors_on: where an ended organisation's successions lead on `day`)
    with each share replaced by that of the organisation's own area on its last day that lies in
    it on `day` (small_areas.area_flow: Census 2021 residents), dropping those that hold none of
    it, largest first. Chained step shares mislead once the area has merged with others: Surrey
    Heartlands gave 0.63% to Sussex in 2023 and the rest to Surrey and Sussex in 2026, which
    Sussex also joined, so the chain counts that part twice. Unchanged where the area is not
    known (a trust, a practice)."""
    from ics_cli import small_areas

    flows: dict[str, dict | None] = {}
    out = []
    for a in after:
        kind = a["kind"]
        if kind not in small_areas.LEVEL_OF_KIND:
            return after
        if kind not in flows:
            flows[kind] = small_areas.area_flow(org["org_id"], org["end"], day, kind)
        if flows[kind] is None:
            return after
        share = sum(f["share"] for f in flows[kind]["flows"] if f["org_id"] == a["org_id"])
        if share > 0:
            out.append({**a, "share": round(share, 4), "certain": True})
    return sorted(out, key=lambda a: (-a["share"], a["org_id"])) if out else after


def gone(org: dict, day: str) -> IcsError:
    """The error for an organisation that did not exist on `day`, an explicit --as-of day."""
    if org["start"] and day < org["start"]:
        first = queries.org_on(org["org_id"], org["start"])  # its name then, not a later one
        return IcsError(wording.not_yet(first, day, org["start"]))
    return IcsError(wording.ended(org, day, went(org, day)), hint=wording.use_earlier(org["end"]))


def day_described(org: dict, when: AsOf) -> str:
    """The day a command describes an organisation on: the --as-of day if it existed then (an
    explicit --as-of on which it did not is an error, :func:`gone`), else its first day (not yet
    begun) or its last (ended)."""
    if when.explicit and not existed(org, when.day):
        raise gone(org, when.day)
    return nearest_day(org, when.day)


def require_existing(org: dict, day: str) -> None:
    """Raise :func:`gone` if the organisation did not exist on `day`."""
    if not existed(org, day):
        raise gone(org, day)
