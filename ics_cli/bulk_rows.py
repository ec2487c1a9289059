"""The rows ``ics resolve`` writes: each input row's own columns (a table's, or ``input`` for plain
lines), then the answer's (:func:`ics_cli.bulk.result_columns`), one output row per input row, in
order, streamed.

Statuses, besides the engine's (``ok``, ``ambiguous``, ``unknown``, ``no_target``,
``not_found``, ``empty``): ``too_long`` (the identifier was cut at
:data:`ics_cli.bulk_input.MAX_LINE` characters and not read) and ``bad_date`` (the row's date,
``--date-column``, is not a date or lies outside the data). An answer column whose name the input
already uses is written as ``ics_<name>`` (a note says so).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ics_cli.bulk import Engine, result_columns
from ics_cli.bulk_input import MAX_LINE, Input
from ics_cli.dates import AFTER_THE_DATA, coverage, row_day
from ics_cli.render import Column
from ics_cli.safetext import quoted
from ics_cli.vocab import span

STATUS_ORDER = ("ok", "ambiguous", "unknown", "no_target", "not_found", "empty", "bad_date", "too_long")
TOO_LONG = {"status": "too_long", "note": f"longer than {MAX_LINE:,} characters: cut, not read"}
HIDDEN = ("org_id", "as_of")  # left out of a terminal table unless --fields names them
DAYS_KEPT = 10_000  # distinct date texts remembered


def start(
    file: str | None, column: str | None, date_column: str | None, input_format: str | None, to: str | None, day: str
) -> Run:
    """An ``ics resolve`` run: the levels of ``--to`` (``ics``, the footprint of one day, is refused
    with a date per row), the input opened and its kind decided (a first line with commas read
    whole as an identifier stays a line), and the engine."""
    from ics_cli import vocab
    from ics_cli.bulk_input import open_input
    from ics_cli.errors import UsageError

    if date_column is not None and to is not None and any(vocab.is_ics_word(w) for w in to.split(",")):
        raise UsageError("--to ics names the STP or the ICB of one day: with --date-column, ask for stp,icb.")
    levels = vocab.parse_levels(to, day) if to is not None else ()
    engine: list[Engine] = []

    def get_engine() -> Engine:
        if not engine:
            engine.append(Engine(levels))
        return engine[0]

    def reads(text: str) -> bool:
        return get_engine().values(text, day)[0] not in ("not_found", "empty")

    source = open_input(file, column, date_column, input_format, reads)
    return Run(get_engine(), source, day)


class Run:
    """One ``ics resolve``: `engine` over `source`'s rows, on `day` or each row's own date."""

    def __init__(self, engine: Engine, source: Input, day: str):
        self.engine = engine
        self.source = source
        self.day = day
        self.counts: Counter = Counter()
        self.first, self.last = coverage()
        self.days: dict[str, tuple[str | None, str | None]] = {}
        self.span: list[str] = []  # the first and last day a row was resolved on
        self.late = 0  # rows dated after the data's last day (up to today), answered as of it
        inputs = source.header if source.header is not None else ["input"]
        answers = result_columns(engine.levels)
        self.renamed = {}
        for name in answers:
            new = name
            while new in inputs:
                new = "ics_" + new
            if new != name:
                self.renamed[name] = new
        self.input_keys = inputs
        self.answer_keys = [self.renamed.get(n, n) for n in answers]

    def columns(self) -> list[Column]:
        """The output's columns; on a terminal, codes kept whole and ONS codes, short names, org
        ids and days left out (unless --fields names them)."""
        shown = [Column(k) for k in self.input_keys]
        for key, name in zip(self.answer_keys, result_columns(self.engine.levels)):
            hidden = name in HIDDEN or name.endswith(("_ons_code", "_short_name"))
            short = name in ("status", "kind", "code") or name.endswith("_code")
            shown.append(Column(key, no_wrap=short, table=not hidden))
        return shown

    def notes(self) -> list[str]:
        notes = []
        if self.source.renamed:  # an empty or repeated header name (--column takes the first of a name)
            made = ", ".join(quoted(h, 40) for h in self.source.renamed)
            notes.append(f"Note: the input's header has empty or repeated column names, read and written as {made}.")
        if self.renamed:
            pairs = ", ".join(f"{a} as {b}" for a, b in self.renamed.items())
            notes.append(f"Note: the input already has columns named like the answer's, which are written {pairs}.")
        return notes

    def rows(self) -> Iterator[tuple]:
        """Each row as (the input's fields, the answer, the day), whose values in a row are in the
        order of :meth:`columns` (render's ``segments`` records): the answer is the one
        remembered, the same tuple for every row it serves."""
        values = self.engine.values
        counts = self.counts
        column, dated = self.source.column, self.source.date
        if dated is not None:
            self.engine.by_epochs()
        day = self.day
        too_long = self.engine.as_values(TOO_LONG)
        days = self.days
        low = high = None
        try:
            for fields, cut in self.source.rows():
                if dated is not None:
                    found = days.get(fields[dated])
                    day, problem = found if found is not None else self._day(fields[dated])
                    if problem is AFTER_THE_DATA:
                        self.late += 1
                    if day is not None and (low is None or day < low or day > high):
                        low, high = min(low or day, day), max(high or day, day)
                if cut:
                    answer = too_long
                elif day is None:
                    answer = self.engine.as_values({"status": "bad_date", "note": problem})
                else:
                    answer = values(fields[column], day)
                counts[answer[0]] += 1
                yield fields, answer, day
        finally:
            self.span = [low, high] if low else []

    def records(self) -> Iterator[dict]:
        """:meth:`rows` as dicts, keyed by the columns' names."""
        keys = [c.key for c in self.columns()]
        for own, answer, day in self.rows():
            yield dict(zip(keys, (*own, *answer, day)))

    def _day(self, text: str) -> tuple[str | None, str | None]:
        found = self.days.get(text)
        if found is None:
            if len(self.days) >= DAYS_KEPT:
                self.days.clear()
            found = self.days[text] = row_day(text, self.first, self.last)
        return found

    def output_format(self, fmt: str | None) -> str | None:
        """The output follows the input: csv in, csv out when piped and no ``--format`` was given."""
        from ics_cli.terminal import is_tty

        return "csv" if fmt is None and self.source.kind == "csv" and not is_tty() else fmt

    def summary(self) -> str:
        """One line for stderr: how many rows had each status, and on which day or days."""
        total = sum(self.counts.values())
        ok = self.counts.get("ok", 0)
        order = {s: i for i, s in enumerate(STATUS_ORDER)}
        rest = ", ".join(
            f"{n:,} {s.replace('_', ' ')}" for s, n in sorted(self.counts.items(), key=lambda i: order.get(i[0], 99)) if s != "ok"
        )
        if self.source.date is None:
            when = f"as of {self.day}"
        else:
            name = self.source.header[self.source.date]
            when = f"as of each row's {quoted(name)}" + (f" ({span(*self.span)})" if self.span else "")
        n = self.late
        late = f" {n:,} {'row' if n == 1 else 'rows'} dated after {self.last} (up to today) {'was' if n == 1 else 'were'}"
        late = f"{late} answered as of {self.last}, the data's last day." if n else ""
        return f"Resolved {ok:,} of {total:,} input rows" + (f" ({rest})" if rest else "") + f" {when}." + late
