"""The ``ics`` commands: each parses its options, calls one feature function and renders.

Adding a command
================

Keep this module thin: a command parses its options (shared ones are in :mod:`ics_cli.options`,
kind words and other vocabulary are parsed by :mod:`ics_cli.vocab`), reads an ``ID`` with
:func:`_org` (the one resolver, :mod:`ics_cli.resolve`), calls one function of a feature module
that returns plain data (often a :class:`ics_cli.render.Answer`: rows, title, empty hint,
notes), and hands it to :mod:`ics_cli.render` with the columns from :mod:`ics_cli.views`. Import
anything heavier than ``typer`` inside the function, so that ``ics --help`` and every other
command do not pay for it::

    @app.command("list")
    def list_(kind: Annotated[str, typer.Argument(help="regions, icbs, ...")], as_of: AsOfOpt = None,
              fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
        \"\"\"List organisations of one kind on a date.\"\"\"   # first line = the help summary
        from ics_cli import dates, listing, render, views, vocab

        k, when = vocab.parse_kind(kind), dates.as_of(as_of)
        render.render_answer(listing.listing(k, when.day), views.list_columns(k, False), fmt, fields)

- Sentences the tool says (titles, hints, notes, messages) live in :mod:`ics_cli.wording`; never
  ``print``: records go through render, notes through ``render.note`` (stderr).
- A problem the user can fix: ``raise IcsError("No organisation matches 'x'.", hint=...)``
  (exit 1) or ``raise UsageError(...)`` (exit 2) from anywhere; the app prints
  ``Error: <message>`` on stderr and exits with the code (see :mod:`ics_cli.errors`). Never
  ``sys.exit`` or print errors yourself; ``typer.Exit(code)`` is fine after a clean stop.
- Writing to a closed pipe (``ics list practices | head -1``), IcsError and any bug are handled
  for every command by the entry point, :mod:`ics_cli.entry`; nothing to do in the command.
- Tests: ``CliRunner().invoke(app, [...], env={"ICS_DB": path})`` and compare whole outputs
  (tests/test_cli.py), and a snapshot of each command's output (tests/test_snapshots.py).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ics_cli import DISTRIBUTION, __version__
from ics_cli.entry import APP_SETTINGS
from ics_cli.entry import main as main  # console scripts installed before entry.py (ics_cli.cli:main) keep working
from ics_cli.options import (
    AsOfOpt,
    EventKindsOpt,
    FieldsOpt,
    FormatOpt,
    IdArg,
    IdKindOpt,
    InOpt,
    MeasureOpt,
    OptionalIdArg,
    complete_org,
)

if TYPE_CHECKING:
    from ics_cli.dates import AsOf
    from ics_cli.resolve import Resolved

app = typer.Typer(**APP_SETTINGS)


def _when(as_of: str | None) -> AsOf:
    """The --as-of day (dates.as_of), its note (a day after the data's last) written to stderr."""
    from ics_cli import dates, render

    when = dates.as_of(as_of)
    render.note(when.note)
    return when


def _org(text: str, day: str, *, kind: str | None = None, profile: bool = False) -> Resolved:
    """The organisation an ID names on `day` (the one resolver; among organisations of `kind`, a
    kind word, when given), its notes written to stderr. For a `profile`, which says itself how
    the text was read and where an ended organisation went, the notes say only what it named."""
    from ics_cli import resolve, vocab

    kinds = (vocab.parse_kind(kind, day),) if kind is not None else None
    return _said(resolve.identify(text, day, kinds, via_note=not profile, fate_note=not profile))


def _said(found: Resolved) -> Resolved:
    """`found`, once its notes (other matches, how the text was read) are on stderr."""
    from ics_cli import render

    for note in found.notes:
        render.note(note)
    return found


def _version_callback(value: bool) -> None:
    if not value:
        return
    from ics_cli.info import data_vintage

    sys.stdout.write(f"ics {__version__} ({DISTRIBUTION})\n")
    sys.stdout.write(f"data vintage {data_vintage()}\n")
    raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool],
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the tool's version and the data vintage, then exit.",
        ),
    ] = None,
) -> None:
    """Answer questions about NHS England's Integrated Care Systems and the organisations
    before them (CCGs, STPs, area teams), from April 2013 to today."""


@app.command()
def info(fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
    """Show the tool version, the data's coverage, its sources and how many organisations of each kind."""
    from ics_cli import info as info_mod
    from ics_cli import render

    record, sections = info_mod.info()
    if render.wants_layout(fmt, fields) and "organisations" in record:
        from ics_cli import views

        record = views.info_tables(record)
    render.render_record(record, sections, fmt, fields, title="ics")


@app.command("list")
def list_(
    kind: Annotated[
        str,
        typer.Argument(
            help="regions, icbs, sub-icbs, ccgs, stps, area-teams, trusts, practices, pcns or las; "
            "ics: the integrated care systems of the day (STPs to 2022-06-30, ICBs after)."
        ),
    ],
    as_of: AsOfOpt = None,
    within: InOpt = None,
    fmt: FormatOpt = None,
    fields: Annotated[
        Optional[str],
        typer.Option(
            "--fields",
            metavar="FIELDS",
            help="Comma-separated fields to show, in this order (e.g. code,name). Also, on request: "
            "<level>_code, <level>_name and <level>_id for region, icb, sub_icb, stp, ccg, area_team, pcn and ics; "
            "population_gp, population_ons, population_census, population_qof.",
        ),
    ] = None,
) -> None:
    """List the organisations of one kind that existed on a date (an export with --fields)."""
    from ics_cli import fate, listing, render, views, vocab

    when = _when(as_of)
    k = vocab.parse_kind(kind, when.day)
    parent = _org(within, when.day).org if within is not None else None
    # Inside an organisation that had ended by the default day: as on its last day (as show does).
    day = fate.day_described(parent, when) if parent is not None else when.day
    columns = views.list_columns(k, parent is not None)
    render.check_fields(columns, fmt, fields)
    answer = listing.listing(k, day, parent, render.parse_fields(fields) or (), asked=when.day, footprint=vocab.is_ics_word(kind))
    render.render_answer(answer, columns, fmt, fields)


@app.command()
def show(ident: IdArg, kind: IdKindOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
    """Show one organisation (names, codes, dates, parents, members, population, history), or a small area (an LSOA code)."""
    from ics_cli import area_profile, profile, render

    when = _when(as_of)
    if kind is None and area_profile.is_small_area(ident):  # an LSOA: the area itself, not the CCG it lay in
        record = area_profile.small_area(ident, when.day)
    else:
        record = profile.show(_org(ident, when.day, kind=kind, profile=True), when)
    sheet = render.sheet_format(fmt, fields)
    if sheet:  # a terminal's sheet, or the same as a Markdown document
        from ics_cli import views

        render.render_sheet(*views.show_sheet(record), fmt=sheet)
    else:
        render.render_record(record, None, fmt, fields)


@app.command()
def population(
    ident: IdArg,
    kind: IdKindOpt = None,
    measure: MeasureOpt = None,
    by: Annotated[
        str, typer.Option("--by", metavar="BY", help="total (default), sex, or age (five-year bands by sex).")
    ] = "total",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """How many people an organisation serves: every population figure held, with its date and source."""
    from ics_cli import population as pop
    from ics_cli import render, views, vocab

    by = pop.parse_by(by)
    measure = vocab.parse_measure(measure)
    when = _when(as_of)
    org = _org(ident, when.day, kind=kind).org
    render.render_answer(pop.figures(org, when, measure, by), views.POPULATION_COLUMNS, fmt, fields)


@app.command()
def lineage(
    ident: IdArg,
    kind: IdKindOpt = None,
    up: Annotated[bool, typer.Option("--up", help="Only where it came from.")] = False,
    down: Annotated[bool, typer.Option("--down", help="Only where it went.")] = False,
    depth: Annotated[Optional[int], typer.Option("--depth", min=1, max=50, help="At most this many steps each way.")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Trace an organisation's ancestry and descent: mergers, splits, transfers, renames, recodes."""
    from ics_cli import lineage as lin
    from ics_cli import render, views, wording
    from ics_cli.errors import UsageError

    if up and down:
        raise UsageError("--up and --down exclude each other; give neither for both directions.")
    when = _when(as_of)
    org = _org(ident, when.day, kind=kind).org
    data = lin.lineage(org["org_id"], "up" if up else "down" if down else "both", depth, when.day if when.explicit else None)
    if render.resolve_format(fmt) == "json":
        render.render_record(data, None, "json", fields)
    elif render.wants_layout(fmt, fields):
        render.render_tree(views.lineage_tree(data))
    else:
        render.render(lin.edge_rows(data), views.LINEAGE_COLUMNS, fmt, fields, empty=wording.NO_STEPS)


@app.command()
def timeline(
    ident: OptionalIdArg = None,
    first: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="Events on or after this day.")] = None,
    last: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Events on or before this day.")] = None,
    kind: EventKindsOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """A dated list of events: national policy and changes, or one organisation's story."""
    from ics_cli import render, views, vocab
    from ics_cli import timeline as tl

    first, last = tl.window(first, last)
    kinds = vocab.parse_event_kinds(kind)
    when = _when(as_of)
    day = tl.reading_day(when.day, when.explicit, last)
    org = _org(ident, day).org if ident is not None else None
    render.render_answer(tl.answer(org, first, last, kinds, day), views.timeline_columns(org is not None), fmt, fields)


@app.command("diff")
def diff_(
    first: Annotated[str, typer.Argument(metavar="DATE1", help="The earlier day (YYYY-MM-DD).")],
    second: Annotated[str, typer.Argument(metavar="DATE2", help="The later day (YYYY-MM-DD).")],
    kind: Annotated[
        Optional[str], typer.Option("--kind", metavar="KINDS", help="Only these kinds, comma-separated (icbs, practices, ...).")
    ] = None,
    within: Annotated[
        Optional[str],
        typer.Option(
            "--in", metavar="ID", help="Only what was inside this organisation on either day.", autocompletion=complete_org
        ),
    ] = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Every difference between two days: bodies begun, ended, renamed, recoded or moved; members and shares."""
    from ics_cli import dates, diff, render, resolve, vocab

    asked, (d1, d2), notes = dates.read_span(first, second)
    kinds = vocab.parse_kinds(kind)
    columns = diff.FIELDS if within is None else diff.FIELDS_IN
    render.check_fields(columns, fmt, fields)
    for note in notes:
        render.note(note)
    if d1 == d2:  # both days after the data's last: nothing it holds can differ
        render.render_answer(diff.after_the_data(asked[0], asked[1], d2), columns, fmt, fields)
        return
    org = _said(resolve.identify_either(within, d1, d2)).org if within is not None else None
    answer = diff.answer(d1, d2, kinds, org)
    if render.wants_layout(fmt, fields):
        from ics_cli import views

        render.render_sheet_answer(answer, views.diff_blocks)
    else:
        render.render_answer(answer, columns, fmt, fields)


@app.command("map")
def map_(
    ident: IdArg,
    kind: IdKindOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", metavar="FORMAT", help="table (the map as text; default), svg or geojson (RFC 7946)."),
    ] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write the map to FILE.")] = None,
    neighbours: Annotated[bool, typer.Option("--neighbours/--no-neighbours", help="Draw the areas around it too.")] = True,
) -> None:
    """Draw an organisation's area on a day, with the areas inside and around it (terminal, SVG or GeoJSON)."""
    from ics_cli import fate
    from ics_cli.maps import output as maps

    chosen = maps.check_format(fmt) or "table"
    when = _when(as_of)
    org = _org(ident, when.day, kind=kind).org
    maps.deliver(org, fate.day_described(org, when), chosen, output, neighbours)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Part of a name, a misspelt name, a code or a place.")],
    kind: Annotated[
        Optional[str], typer.Option("--kind", metavar="KIND", help="Only this kind (icbs, trusts, practices, ...).")
    ] = None,
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="At most this many results.")] = 20,
    current: Annotated[
        bool,
        typer.Option("--current", help="Only organisations that existed on the --as-of day (default: former ones too, marked)."),
    ] = False,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Find organisations by part of a name, a misspelling or a code, current and former."""
    from ics_cli import render, views, vocab
    from ics_cli import search as srch
    from ics_cli.errors import UsageError

    if not text.strip():
        raise UsageError("The search text is empty: give part of a name or a code.")
    when = _when(as_of)
    kinds = (vocab.parse_kind(kind, when.day),) if kind is not None else None  # --kind '' is unknown, as in `ics list ''`
    render.render_answer(srch.answer(text, when.day, kinds, current, limit), views.SEARCH_COLUMNS, fmt, fields)


RESOLVE_COLUMNS = (
    "Columns: the input's own (a table's, or 'input' for plain lines), then status, kind, code, name "
    "(what the identifier names on the day), for each --to level LEVEL_code, LEVEL_ons_code, LEVEL_name and "
    "LEVEL_short_name (LEVEL: icb, sub_icb, region, stp, ccg, pcn, area_team, la), then note, org_id and "
    "as_of (the day used). Status: ok, ambiguous, unknown (the sources do not say), no_target, not_found, "
    "empty, bad_date or too_long. Output follows the input (csv in, csv out) unless --format says otherwise."
)


@app.command("resolve", epilog=RESOLVE_COLUMNS)
def resolve_(
    file: Annotated[
        Optional[str],
        typer.Argument(metavar="[FILE]", help="Read identifiers from FILE (default: standard input; - also means stdin)."),
    ] = None,
    column: Annotated[
        Optional[str],
        typer.Option("--column", metavar="NAME", help="The identifier column of a CSV or TSV input with a header."),
    ] = None,
    to: Annotated[
        Optional[str],
        typer.Option(
            "--to",
            metavar="LEVELS",
            help="Also map each to these levels on the day, comma-separated: icb, sub-icb, region, stp, ccg, pcn, area-team, la.",
        ),
    ] = None,
    date_column: Annotated[
        Optional[str],
        typer.Option(
            "--date-column",
            metavar="NAME",
            help="Resolve each row as of its own date in this column (2019-06-01, 2019-06 or 01/06/2019).",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    input_format: Annotated[
        Optional[str],
        typer.Option(
            "--input-format", metavar="FORMAT", help="lines, csv or tsv (default: told from FILE's name or the first line)."
        ),
    ] = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Map identifiers (codes or names of any era, LSOAs, postcodes) to organisations and levels, row by row.

    Reads one identifier per line, or a CSV or TSV with a header (every column kept, the answer's appended).
    """
    from ics_cli import bulk_rows, render

    when = _when(as_of)
    render.resolve_format(fmt)
    run = bulk_rows.start(file, column, date_column, input_format, to, when.day)
    render.check_fields(run.columns(), fmt, fields)
    for text in run.notes():
        render.note(text)
    render.render(run.rows(), run.columns(), run.output_format(fmt), fields, empty=None, stream=True, text=True, segments=True)
    render.note(run.summary())


@app.command("export")
def export(
    what: Annotated[str, typer.Argument(metavar="WHAT", help="crosswalk (the only export so far).")],
    frm: Annotated[
        str,
        typer.Argument(metavar="FROM", help="practice, pcn, trust, ccg, sub-icb, stp, icb, area-team, region, la or lsoa."),
    ],
    to: Annotated[str, typer.Argument(metavar="TO", help="icb, sub-icb, region, stp, ccg, pcn, area-team or la.")],
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", metavar="FORMAT", help="csv (default), tsv, jsonl or json."),
    ] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")] = None,
) -> None:
    """Write the dated interval table FROM -> TO (what ics resolve --to TO answers on each day), for joins in DuckDB, Spark or a warehouse.

    Columns: FROM_code (from_FROM_code when FROM and TO are the same kind; sub-icb as sub_icb), valid_from, valid_to
    (inclusive), status, TO_code, TO_ons_code, TO_name, share, part (1: the answer ics resolve gives; a split has a row per part), note.
    """
    from ics_cli import crosswalk, render, wording

    frm_kind, level, fmt = crosswalk.parse(what, frm, to, fmt)
    columns, rows = crosswalk.columns(frm_kind, level), crosswalk.rows(frm_kind, level)
    if output is None or output == "-":
        render.render(rows, columns, fmt, None, empty=None, text=True)
        return
    with crosswalk.output_file(output) as out:
        n = render.render(rows, columns, fmt, None, empty=None, text=True, out=out)
    render.note(wording.wrote_rows(output, n))
