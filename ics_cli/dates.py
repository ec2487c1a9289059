"""Days: the `--as-of` date (parsing, the range the data covers, and the default: the data's last
day), `ics diff`'s two days (:func:`read_span`), `ics resolve`'s day of each row
(:func:`row_day`), and the day before and after a day."""

from __future__ import annotations

from typing import NamedTuple

from ics_cli import db
from ics_cli.errors import UsageError
from ics_cli.safetext import quoted
from ics_cli.vocab import span

OPEN = "9999-12-31"  # the end of an interval that has not ended


def existed(row: dict, day: str, start: str = "start", end: str = "end") -> bool:
    """Whether a row with start/end dates (empty start: before the data's coverage; empty end:
    still open) covers `day`."""
    return (row[start] or "") <= day <= (row[end] or OPEN)


def nearest_day(row: dict, day: str) -> str:
    """`day` if the row covers it, else the nearest day it does: its first (not yet begun on
    `day`) or its last (ended by then)."""
    if existed(row, day):
        return day
    return row["start"] if row["start"] and day < row["start"] else row["end"]


class AsOf(NamedTuple):
    day: str  # ISO date
    explicit: bool  # the user gave --as-of (rather than the default)
    note: str | None = None  # what to say on stderr about the day (a day after the data's last)


def coverage() -> tuple[str, str]:
    meta = db.meta()
    return meta.get("data_start", "2013-04-01"), meta.get("data_end", "2026-08-01")


def today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


def read_day(text: str, option: str = "--as-of") -> tuple[str, str | None]:
    """An ISO date (YYYY-MM-DD, or ``today``) from the data's first day to today, and a note: a
    day after the data's last day (and not in the future) is read as that last day, and the note
    says so. UsageError (exit 2) for anything else: malformed, not a real day, before the data or
    in the future."""
    import datetime as dt  # only when the user gave a date: start-up is the product

    first, last = coverage()
    value = (text or "").strip()
    now = today()
    accepted = f"a date as YYYY-MM-DD from {first} to today"
    if value.lower() == "today":
        value = now
    if not (len(value) == 10 and value[4] == value[7] == "-" and (value[:4] + value[5:7] + value[8:]).isdigit()):
        raise UsageError(f"{option} {quoted(text)} is not a date: use {accepted}.")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {quoted(text)} is not a real day: use {accepted}.") from None
    if value < first:
        raise UsageError(f"{option} {value} is before the data ({span(first, last)}): use {accepted}.")
    if value > max(now, last):
        raise UsageError(f"{option} {value} is in the future (today is {now}): use {accepted}.")
    if value > last:
        return last, f"Note: the data runs to {last}; {option} {value} is answered as of {last}."
    return value, None


def parse_date(text: str, option: str = "--as-of") -> str:
    """:func:`read_day` without its note (the caller says nothing about a day after the data's last)."""
    return read_day(text, option)[0]


def as_of(text: str | None) -> AsOf:
    """The --as-of option: the given day (a day after the data's last: that last day, with a
    note), or the data's last day when none was given."""
    if text is None:
        return AsOf(coverage()[1], explicit=False)
    day, note = read_day(text)
    return AsOf(day, explicit=True, note=note)


def read_span(first: str, second: str) -> tuple[tuple[str, str], tuple[str, str], list[str]]:
    """Two days for ``ics diff``: as typed (``today`` read as today) and as answered (read_day),
    with read_day's notes. UsageError (exit 2) when DATE1 is not before DATE2 as typed: two days
    after the data's last day are both answered for it, and the caller says nothing differs."""
    (d1, note1), (d2, note2) = read_day(first, "DATE1"), read_day(second, "DATE2")
    asked = tuple(today() if t.strip().lower() == "today" else t.strip() for t in (first, second))
    if asked[0] >= asked[1]:
        raise UsageError(f"DATE1 ({asked[0]}) must be before DATE2 ({asked[1]}).")
    return asked, (d1, d2), [n for n in (note1, note2) if n]


def day_before(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def day_after(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()


ROW_DATE_FORMS = "YYYY-MM-DD, YYYY-MM (the first of the month) or DD/MM/YYYY"


def row_day(text: str, first: str, last: str) -> tuple[str | None, str | None]:
    """A row's date (``ics resolve --date-column``) as an ISO day, or None and why not.

    Accepted: 2019-06-01 (a time after it, as databases write timestamps, is ignored), 2019-06
    (the first of the month) and 01/06/2019 (day first, as in the UK; 1/6/2019 too). The day must
    lie in the data's coverage, `first` to `last`; a day after `last` up to today is answered as of
    `last` (as ``--as-of`` is), returned as `last` with the reason "after the data"."""
    import datetime as dt

    value = text.strip()
    iso = None
    if len(value) >= 10 and value[4] == value[7] == "-" and (len(value) == 10 or value[10] in "T "):
        iso = value[:10]
    elif len(value) == 7 and value[4] == "-":
        iso = value + "-01"
    elif value.count("/") == 2:
        d, m, y = value.split("/")
        if len(y) == 4 and 1 <= len(d) <= 2 and 1 <= len(m) <= 2:
            iso = f"{y}-{m.zfill(2)}-{d.zfill(2)}"
    if iso is None or not (iso[:4] + iso[5:7] + iso[8:]).isdigit() or not iso.isascii():
        return None, f"{quoted(value, 40)} is not a date: use {ROW_DATE_FORMS}"
    try:
        dt.date.fromisoformat(iso)
    except ValueError:
        return None, f"{quoted(value, 40)} is not a real day"
    if last < iso <= today():
        return last, AFTER_THE_DATA
    if iso > last:
        return None, f"{iso} is in the future (today is {today()})"
    if not first <= iso <= last:
        return None, f"{iso} is outside the data ({span(first, last)})"
    return iso, None


AFTER_THE_DATA = "after the data"  # row_day's reason for a day after the data's last, up to today
