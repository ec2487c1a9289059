"""What became of an organisation that had ended (or had not begun) by the day asked: the facts
from queries.where_now, worded by :mod:`ics_cli.wording`, for the note of a profile shown on its
last day and for the error when a command is asked about a day it did not exist."""

from __future__ import annotations

from ics_cli import queries, wording
from ics_cli.dates import AsOf, existed
from ics_cli.errors import IcsError


def went(org: dict, day: str) -> str:
    """ " Its area went to: ..." for an organisation that had ended by `day` ('' if not known)."""
    now = queries.where_now(org["org_id"], day)
    own = bool(now["after"]) and not now["via"] and {a["org_id"] for a in now["after"]} <= queries.kin(org["org_id"])
    return wording.went(org["kind"], day, now, own)


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
    if existed(org, when.day):
        return when.day
    if when.explicit:
        raise gone(org, when.day)
    return org["start"] if org["start"] and when.day < org["start"] else org["end"]


def require_existing(org: dict, day: str) -> None:
    """Raise :func:`gone` if the organisation did not exist on `day`."""
    if not existed(org, day):
        raise gone(org, day)
