"""The `--as-of` date: parsing, the range the data covers, and the default (the data's last day)."""

from __future__ import annotations

from typing import NamedTuple

from ics_cli import db
from ics_cli.errors import UsageError
from ics_cli.safetext import quoted

OPEN = "9999-12-31"  # the end of an interval that has not ended


def existed(row: dict, day: str, start: str = "start", end: str = "end") -> bool:
    """Whether a row with start/end dates (empty start: before the data's coverage; empty end:
    still open) covers `day`."""
    return (row[start] or "") <= day <= (row[end] or OPEN)


class AsOf(NamedTuple):
    day: str  # ISO date
    explicit: bool  # the user gave --as-of (rather than the default)


def coverage() -> tuple[str, str]:
    meta = db.meta()
    return meta.get("data_start", "2013-04-01"), meta.get("data_end", "2026-08-01")


def parse_date(text: str, option: str = "--as-of") -> str:
    """An ISO date (YYYY-MM-DD) inside the data's coverage; UsageError (exit 2) otherwise."""
    import datetime as dt  # only when the user gave a date: start-up is the product

    first, last = coverage()
    value = (text or "").strip()
    accepted = f"a date as YYYY-MM-DD from {first} to {last}"
    if value.lower() == "today":
        value = dt.date.today().isoformat()
    if not (len(value) == 10 and value[4] == value[7] == "-" and (value[:4] + value[5:7] + value[8:]).isdigit()):
        raise UsageError(f"{option} {quoted(text)} is not a date: use {accepted}.")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {quoted(text)} is not a real day: use {accepted}.") from None
    if not first <= value <= last:
        raise UsageError(f"{option} {value} is outside the data ({first} to {last}): use {accepted}.")
    return value


def as_of(text: str | None) -> AsOf:
    """The --as-of option: the given day, or the data's last day when none was given."""
    if text is None:
        return AsOf(coverage()[1], explicit=False)
    return AsOf(parse_date(text), explicit=True)


def day_before(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def day_after(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()
