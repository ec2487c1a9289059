"""The one output layer: every command hands its records here and never prints rows itself.

Formats (``--format/-f``): ``table`` (Rich), ``json`` (a pretty array of objects), ``jsonl`` (one
object a line), ``csv``, ``tsv`` and ``md`` (a GitHub markdown table). Without ``--format``:
``table`` when stdout is a terminal, ``tsv`` with a header row when it is not (see
:mod:`ics_cli.terminal` for the terminal and colour rules).

Entry points, all taking plain dicts:

- :func:`render` for a list of records (``ics list``, ``ics search``): streams in every format but
  ``table``, so an iterator of 100,000 records is never held in memory; with ``stream=True``
  (``ics resolve``) the table streams too (:mod:`ics_cli.render_stream`).
- :func:`render_record` for one record (``ics show`` in machine formats, ``ics info``): Rich
  panels on a terminal, one JSON object, or ``key<TAB>value`` lines.
- :func:`render_tree` for nested ``{"label": ..., "children": [...]}`` nodes (``ics lineage``
  on a terminal): a Rich tree.
- :func:`render_sheet` for a profile laid out as headed blocks of aligned text (``ics show`` on a
  terminal), or the same blocks as a Markdown document (``ics show -f md``:
  :func:`ics_cli.render_flat.write_sheet_md`); :func:`render_sheet_answer` for an
  :class:`Answer` laid out so (``ics diff`` on a terminal).
- :func:`render_answer` for a feature's :class:`Answer` (records, title, empty hint, notes).
- :func:`note` for a remark about the answer (another match, a gap in the data): stderr.

Usage in a command (see also :mod:`ics_cli.cli`)::

    from ics_cli.options import FieldsOpt, FormatOpt
    from ics_cli.render import Column, render

    COLUMNS = [Column("code"), Column("name"), Column("ons_code", "ONS code", table=False)]

    @app.command("list")
    def list_(kind: str, fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
        render(db.iter_query(SQL, (kind,)), COLUMNS, fmt, fields, empty="No organisations.")

Rules:

- Piped output has no colour, truncation or wrapping, and keeps the column order of the spec (or
  of ``--fields``).
- ``--fields a,b,c`` picks and orders columns; an unknown name is a usage error (exit 2) listing
  the valid ones, raised before anything is written. Columns declared ``table=False`` are left out
  of the ``table`` format unless named in ``--fields``; every other format shows all columns but
  those declared ``on_request``, which only ``--fields`` shows.
- On a terminal, a table never splits a ``no_wrap`` value (a code, a date, a count) across lines
  and leaves out columns that are empty in every record (unless ``--fields`` named them); when it
  cannot fit the width so, each record is printed as a card of ``header  value`` lines.
- Values: see :mod:`ics_cli.render_flat`. JSON and CSV/TSV headers use field names (the keys);
  ``table`` and ``md`` show column headers.
- Safety: every value, header and title of ``table`` and ``md`` output goes through
  :func:`ics_cli.safetext.safe` (control characters shown as ``\\x1b``, ``\\n``...), whether the
  user typed it or it came from the database; json, jsonl, csv and tsv stay exact.
- Empty results, one rule for every command: an empty result is a success (``[]`` in JSON, the
  header row alone in csv, tsv and md, nothing in jsonl and table) and the command's hint
  (``empty``) goes to stderr, on a terminal or not, so a script's log says why nothing came.

Start-up cost matters (a lookup should cost little more than ``import typer``): this module and
:mod:`ics_cli.terminal` import only ``os`` and ``sys``; ``json`` and ``csv`` are imported by the
writers that use them (:mod:`ics_cli.render_flat`), and Rich only for ``table`` output
(:mod:`ics_cli.render_rich`).
"""

from __future__ import annotations

import sys
from collections import namedtuple
from typing import TYPE_CHECKING, Any

from ics_cli.errors import UsageError
from ics_cli.terminal import FORMATS, check_format, is_tty, make_console, resolve_format, use_color

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import TextIO

__all__ = [
    "FORMATS",
    "Answer",
    "Column",
    "check_fields",
    "check_format",
    "is_tty",
    "make_console",
    "note",
    "parse_fields",
    "render",
    "render_answer",
    "render_record",
    "render_sheet",
    "render_sheet_answer",
    "render_tree",
    "resolve_format",
    "use_color",
    "wants_layout",
]


class Column:
    """One column of a list: ``key`` in the records, ``header`` shown by table and md.

    ``justify`` (left, right, center) and ``style`` (a Rich style, e.g. ``"cyan"``) apply on a
    terminal; ``no_wrap`` keeps codes, dates and counts whole there (never split across lines);
    ``table=False`` leaves the column out of the table format unless ``--fields`` names it;
    ``on_request=True`` leaves it out of every format unless ``--fields`` names it (a field that
    costs work to fill: ``ics list``'s parents and figures).
    """

    __slots__ = ("key", "header", "justify", "style", "no_wrap", "table", "on_request")

    def __init__(
        self,
        key: str,
        header: str | None = None,
        *,
        justify: str = "left",
        style: str | None = None,
        no_wrap: bool = False,
        table: bool = True,
        on_request: bool = False,
    ) -> None:
        self.key = key
        self.header = key if header is None else header
        self.justify = justify
        self.style = style
        self.no_wrap = no_wrap
        self.table = table
        self.on_request = on_request

    def __repr__(self) -> str:
        return f"Column({self.key!r})"


def parse_fields(fields: str | Sequence[str] | None) -> list[str] | None:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; None stays None (no selection)."""
    if fields is None:
        return None
    parts = fields.split(",") if isinstance(fields, str) else list(fields)
    names: list[str] = []
    for part in parts:
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names


def _columns(spec: Sequence[str | Column]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in spec]


def _unknown_fields(unknown: list[str], valid: Sequence[str]) -> UsageError:
    from ics_cli.safetext import quoted

    names = ", ".join(quoted(n) for n in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    return UsageError(f"Unknown field{'s' if len(unknown) > 1 else ''} {names}. Valid fields: {', '.join(valid)}.")


def _select(cols: list[Column], fields: str | Sequence[str] | None, fmt: str) -> list[Column]:
    names = parse_fields(fields)
    if names is None:
        return [c for c in cols if (c.table or fmt != "table") and not c.on_request]
    by_key = {c.key: c for c in cols}
    if not names:
        raise UsageError(f"--fields needs at least one field. Valid fields: {', '.join(by_key)}.")
    unknown = [n for n in names if n not in by_key]
    if unknown:
        raise _unknown_fields(unknown, list(by_key))
    return [by_key[n] for n in names]


# What a feature hands a list command to print: the records (an iterable of dicts), a title for a
# terminal, the hint for an empty result and notes about the answer (each on stderr, before the
# records; None is skipped). A plain namedtuple: typing.NamedTuple compiles its annotations on
# every start-up.
Answer = namedtuple("Answer", "rows title empty notes", defaults=(None, None, ()))


def check_fields(columns: Sequence[str | Column], fmt: str | None, fields: str | Sequence[str] | None) -> None:
    """Raise the UsageError :func:`render` would raise for ``fields``, before a command spends time
    computing records it could not print (``ics diff`` over the whole country)."""
    _select(_columns(columns), fields, resolve_format(fmt))


def note(text: str | None) -> None:
    """A remark about the answer (another match, a gap in the data, why it is empty): on stderr,
    so that it never mixes with piped output but a script's log still keeps it. Every line is
    made safe for a terminal and cut to 1,000 characters (:func:`ics_cli.safetext.lines`)."""
    if text:
        from ics_cli.safetext import lines

        sys.stderr.write(lines(text.rstrip("\n")) + "\n")


def wants_layout(fmt: str | None, fields: str | Sequence[str] | None) -> bool:
    """Whether a command should draw its own terminal layout (a sheet, a tree, reworded tables):
    the table format, on a terminal or asked for, without --fields."""
    return fields is None and resolve_format(fmt) == "table"


def render(
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[str | Column] | None = None,
    fmt: str | None = None,
    fields: str | Sequence[str] | None = None,
    *,
    title: str | None = None,
    empty: str | None = "No results.",
    out: TextIO | None = None,
    stream: bool = False,
    text: bool = False,
    segments: bool = False,
) -> int:
    """Write ``records`` (dicts) to ``out`` (default stdout) in ``fmt``; return how many.

    ``columns`` lists the fields (names or :class:`Column`) in their default order; values are
    read with ``record.get(key)``, other keys are ignored. Without ``columns`` the keys of the
    first record are used (and JSON keeps each record as it is). ``fmt`` None means the default
    for ``out``; ``fields`` is the ``--fields`` value. ``title`` is shown above a terminal table.
    ``empty`` goes to stderr when nothing was written (None: say nothing). ``stream``: records
    too many to hold (``ics resolve``), so the ``table`` format streams too, as plain aligned
    text (:mod:`ics_cli.render_stream`) rather than a Rich table. ``text``: the records are
    tuples, one value per column of ``columns`` in its order, each a string or None (csv and tsv
    then write them faster; ``ics resolve``). ``segments`` (with ``text``): each record is three
    parts, (values, shared values, last value), whose concatenation is such a tuple; csv and tsv
    encode each distinct shared part once (``ics resolve``'s remembered answers).
    Raises UsageError for an unknown format or field before anything is written.
    """
    out = out or sys.stdout
    fmt = resolve_format(fmt, out)
    it: Iterator[Mapping[str, Any]] = iter(records)
    as_is = False
    if columns is None:
        first = next(it, None)
        if first is None:
            cols = [Column(k) for k in parse_fields(fields) or []]
        else:
            from itertools import chain

            cols = [Column(k) for k in first]
            it = chain((first,), it)
            as_is = fields is None
    else:
        cols = _columns(columns)
    declared = [c.key for c in cols]
    cols = _select(cols, fields, fmt)
    positions = None
    if segments:
        if fmt in ("csv", "tsv") and [c.key for c in cols] == declared:
            from ics_cli.render_flat import write_segments

            n = write_segments(it, cols, out, fmt=fmt)
            if n == 0:
                note(empty)
            return n
        it = ((*own, *shared, last) for own, shared, last in it)
    if text:  # tuples: csv and tsv take the values by position, the rest as dicts
        if fmt in ("csv", "tsv"):
            positions = [declared.index(c.key) for c in cols]
        else:
            it = (dict(zip(declared, values)) for values in it)
    if fmt == "table" and stream:
        from ics_cli.render_stream import write_table as writer
    elif fmt == "table":
        from ics_cli.render_rich import write_table as writer
    else:
        from ics_cli.render_flat import WRITERS

        writer = WRITERS[fmt]
    n = writer(it, cols, out, title=title, as_is=as_is, positions=positions, chosen=fields is not None)
    if n == 0:
        note(empty)
    return n


def render_answer(
    answer: Answer, columns: Sequence[str | Column] | None, fmt: str | None, fields: str | Sequence[str] | None
) -> int:
    """Write an :class:`Answer`: its notes to stderr, then its records as :func:`render` does."""
    resolve_format(fmt)  # a bad --format is reported before any note
    for text in answer.notes:
        note(text)
    return render(answer.rows, columns, fmt, fields, title=answer.title, empty=answer.empty)


def render_sheet_answer(answer: Answer, blocks: Callable[[list], Sequence[Mapping[str, Any]]]) -> None:
    """An :class:`Answer` laid out as a sheet on a terminal (``ics diff``): its notes, then
    ``blocks(rows)`` under its title, or its empty hint on stderr."""
    for text in answer.notes:
        note(text)
    rows = list(answer.rows)
    if rows:
        render_sheet(answer.title, blocks(rows))
    else:
        note(answer.empty)


def render_record(
    record: Mapping[str, Any],
    sections: Sequence[tuple[str, ...]] | None = None,
    fmt: str | None = None,
    fields: str | Sequence[str] | None = None,
    *,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Write one record as a profile.

    ``sections`` are tuples ``(title, key, key, ...)`` grouping the record's keys in panels on a
    terminal (see :func:`ics_cli.render_rich.write_record_panels`); ``title`` is printed above
    them. Machine formats: see :func:`ics_cli.render_flat.write_record`. ``fields`` picks and
    orders top-level keys (and drops the sections).
    """
    out = out or sys.stdout
    fmt = resolve_format(fmt, out)
    if fields is not None:  # the record's keys are its fields, checked as a list's columns are
        record = {c.key: record[c.key] for c in _select(_columns(record), fields, fmt)}
        sections = None
    if fmt == "table":
        from ics_cli.render_rich import write_record_panels

        write_record_panels(record, sections, title, out)
    else:
        from ics_cli.render_flat import write_record

        write_record(record, fmt, out)


def render_tree(root: Mapping[str, Any], *, out: TextIO | None = None) -> None:
    """Write a tree of ``{"label": str, "children": [...]}`` nodes as a Rich tree: on a terminal it
    wraps to the width, piped (``--format table``) it does not."""
    from ics_cli.render_rich import write_tree

    write_tree(root, out or sys.stdout)


def sheet_format(fmt: str | None, fields: str | Sequence[str] | None) -> str | None:
    """The format of a one-record command's sheet (``ics show``): ``table`` on a terminal or
    asked for, ``md`` (a document to paste into a report), or None for a record (every other
    format, and any format with --fields)."""
    chosen = resolve_format(fmt)
    return chosen if fields is None and chosen in ("table", "md") else None


def render_sheet(title: str, blocks: Sequence[Mapping[str, Any]], *, out: TextIO | None = None, fmt: str = "table") -> None:
    """Write a profile as headed blocks of aligned columns: light to draw, easy to read; with
    ``fmt="md"`` the same blocks as a Markdown document (render_flat.write_sheet_md).

    Each block is ``{"title": str, "rows": [[cell, ...], ...]}`` with an optional ``"styles"``
    (a Rich style per column). Machine formats go through :func:`render_record`.
    """
    if fmt == "md":
        from ics_cli.render_flat import write_sheet_md

        write_sheet_md(title, blocks, out or sys.stdout)
        return
    from ics_cli.render_rich import write_sheet

    write_sheet(title, blocks, out or sys.stdout)
