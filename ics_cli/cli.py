"""The ``ics`` command line: the Typer app, its entry point and the commands.

Adding a command
================

Keep this module thin: a command parses its options, calls a function elsewhere that returns
plain dicts, and hands them to :mod:`ics_cli.render`. Import anything heavier than ``typer``
(rich, rapidfuzz, the query modules) inside the function, so that ``ics --help`` and every
other command do not pay for it::

    from ics_cli.render import Column, FieldsOpt, FormatOpt

    LIST_COLUMNS = [Column("code", no_wrap=True), Column("name"), Column("ons_code", table=False)]

    @app.command("list")
    def list_(
        kind: Annotated[str, typer.Argument(help="regions, icbs, sub-icbs, ...")],
        fmt: FormatOpt = None,
        fields: FieldsOpt = None,
    ) -> None:
        \"\"\"List organisations of one kind on a date.\"\"\"   # first line = the help summary
        from ics_cli import queries, render

        render.render(queries.list_orgs(kind, day), LIST_COLUMNS, fmt, fields)

- One record: ``render.render_record(record, SECTIONS, fmt, fields)``; a tree:
  ``render.render_tree(nodes, fmt)``. Never ``print`` rows yourself.
- A problem the user can fix: ``raise IcsError("No organisation matches 'x'.", hint=...)``
  (exit 1) or ``raise UsageError(...)`` (exit 2) from anywhere; the app prints
  ``Error: <message>`` on stderr and exits with the code (see :mod:`ics_cli.errors`). Never
  ``sys.exit`` or print errors yourself; ``typer.Exit(code)`` is fine after a clean stop.
- Options shared by several commands are ``Annotated`` aliases, defined once (``FormatOpt`` and
  ``FieldsOpt`` in render.py); define new ones (an ``AsOfOpt`` for ``--as-of``) the same way
  next to the code that interprets them.
- Writing to a closed pipe (``ics list practices | head -1``) and IcsError are handled for every
  command by :class:`IcsGroup`; nothing to do in the command.
- Tests: ``CliRunner().invoke(app, [...], env={"ICS_DB": path})`` and compare whole outputs.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from ics_cli import __version__, errors
from ics_cli.errors import IcsError
from ics_cli.render import FieldsOpt, FormatOpt


class IcsGroup(TyperGroup):
    """The app's click group: turns IcsError and broken pipes into quiet, documented exits.

    ``main`` is also what ``CliRunner`` calls, so tests see the same messages and exit codes.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except SystemExit as done:
            # Click ends a closed pipe met while printing --help or --version with exit 1, after
            # wrapping stdout in its PacifyFlushWrapper: report it as the broken pipe it is.
            if done.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
                raise SystemExit(errors.BROKEN_PIPE) from None
            raise
        except IcsError as err:
            errors.exit_with(err)
        except KeyboardInterrupt:
            raise SystemExit(errors.INTERRUPTED) from None
        except BrokenPipeError:  # while printing --version or --help, before any command runs
            errors.silence_stdout()
            raise SystemExit(errors.BROKEN_PIPE) from None
        except Exception as err:  # a bug: say so in one line, never a traceback (ICS_DEBUG=1 shows it)
            import os

            if os.environ.get("ICS_DEBUG"):
                raise
            errors.exit_with(
                IcsError(
                    f"internal error ({type(err).__name__}: {err}).",
                    hint="This is a bug in ics; run again with ICS_DEBUG=1 to see where it happened.",
                )
            )

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe must fail here, not at interpreter exit
            return result
        except BrokenPipeError:
            errors.silence_stdout()
            raise typer.Exit(errors.BROKEN_PIPE) from None


APP_SETTINGS: dict[str, Any] = dict(
    name="ics",
    cls=IcsGroup,
    epilog="Exit codes: 0 ok, 1 not found or ambiguous or failed, 2 usage error.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    # Plain Click help and usage errors: "Error: ..." on one line like every other error, the same
    # on a terminal and in a pipe, and no Rich import for --help.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app = typer.Typer(**APP_SETTINGS)


def _data_vintage(meta: dict[str, str]) -> str:
    """The data's vintage: the last day it covers (``data_end``, written by scripts/build_db.py)."""
    return meta.get("data_end") or "unknown"


def _version_callback(value: bool) -> None:
    if not value:
        return
    from ics_cli import db

    sys.stdout.write(f"ics {__version__}\n")
    sys.stdout.write(f"data vintage {_data_vintage(db.meta())}\n")
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
    from ics_cli import dates, db, queries, render

    meta = db.meta()
    record: dict[str, Any] = {"version": __version__}
    record.update((k, v) for k, v in meta.items() if k not in record)
    sections: list[tuple[str, ...]] = [("Tool", "version"), ("Data", *meta)]
    if db.has_table("orgs"):
        day = dates.coverage()[1]
        record["organisations"] = queries.kind_counts(day)
        sections.append((f"Organisations (in the data; existing on {day})", "organisations"))
    if db.has_table("sources"):
        record["sources"] = queries.all_sources()
        sections.append(("Sources", "sources"))
    if render.resolve_format(fmt) == "table" and fields is None and "organisations" in record:
        from ics_cli.kinds import label

        record = dict(record)
        record["organisations"] = [
            {"kind": label(k, plural=True, title=True), "in the data": f"{v['total']:,}", "existing": f"{v['current']:,}"}
            for k, v in record["organisations"].items()
        ]
        record["sources"] = [
            {"source": s["source"], "title": s["title"], "edition": s["edition"], "licence": s["licence"]}
            for s in record.get("sources", [])
        ]
    render.render_record(record, sections, fmt, fields, title="ics")


# --- shared options ---------------------------------------------------------------------------

AsOfOpt = Annotated[
    Optional[str],
    typer.Option(
        "--as-of", metavar="DATE", help="Answer as of this day (YYYY-MM-DD, 2013-04-01 onwards). Default: the data's latest day."
    ),
]


def _complete_org(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for organisation names and codes: one indexed query, no heavy imports."""
    from ics_cli import completion

    return completion.complete(incomplete)


IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="A code (ODS or ONS), a name (official, short or former) or an org id like icb:QOP.",
        autocompletion=_complete_org,
    ),
]


def _note(text: str) -> None:
    """A warning about the answer (another match, a gap in the data): on stderr, so that it never
    mixes with piped output but a script's log still keeps it."""
    sys.stderr.write(text.rstrip("\n") + "\n")


def _resolve(text: str, day: str, kinds: tuple[str, ...] | None = None):
    from ics_cli import resolve
    from ics_cli.errors import UsageError

    if not text.strip():
        raise UsageError("The identifier is empty: give a code, a name or an org id (see ics search).")
    found = resolve.resolve(text, day, kinds)
    # Mention the alternatives as good as the winner: a council of the same name, or, when
    # nothing of that name existed on the day, the other organisations that had it.
    # A former name of a living organisation is also checked against organisations that had
    # that name and ended ("Surrey Heartlands": the sub-ICB location, and the ICB abolished in 2026).
    close = [c for c in found.also if c["tier"] == found.tier or (found.tier == 1 and c["tier"] == 2)]
    if close and found.tier >= 1:  # not the winner's own predecessor or successor (an STP and its ICB)
        from ics_cli import queries

        kin = queries.kin(found.org["org_id"])
        close = [c for c in close if c["org_id"] not in kin]
    if close:
        shown = ", ".join(f"{c['name']} ({c['org_id']})" for c in close[:3])
        _note(f"Note: {text!r} also matches {shown}{' ...' if len(close) > 3 else ''}; give an org id to choose.")
    return found


def _went(org: dict, day: str) -> str:
    """ " Its area went to: ..." for an organisation that had ended by `day` (queries.where_now)."""
    from ics_cli import queries

    now = queries.where_now(org["org_id"], day)
    parts = "; ".join(
        f"{a['name']} ({a['code']})" + (f" {a['share']:.1%}" if a["share"] is not None else "") for a in now["after"]
    )
    if now["after"] and not now["after"][0]["certain"]:
        parts += " (after it merged, how its own part divided is not recorded)"
    if now["via"]:
        via = f"{now['via']['name']} ({now['via']['code']})"
        if not parts:
            return f" It was last in {via}, which still exists." if now["org_id"] else f" It was last in {via}."
        return f" It was last in {via}, whose area is now in: {parts}."
    if not parts:
        return ""
    if {a["org_id"] for a in now["after"]} <= queries.kin(org["org_id"]):  # its own successors, not ones further down the line
        return (
            f" It was succeeded by: {parts}." if org["kind"] in ("trust", "practice", "pcn") else f" Its area went to: {parts}."
        )
    return f" On {day} its area is in: {parts}."


def _gone(org: dict, day: str):
    """The error for an organisation that did not exist on an explicit --as-of day."""
    from ics_cli.errors import IcsError

    label = f"{org['name']} ({org['code']})"
    if org["start"] and day < org["start"]:
        from ics_cli import queries

        first = queries.org_on(org["org_id"], org["start"])  # its name then, not a later one
        return IcsError(f"{first['name']} ({first['code']}) did not exist on {day}: it was established on {org['start']}.")
    ended = "closed" if org["kind"] in ("practice", "trust", "pcn") else "abolished"
    return IcsError(
        f"{label} did not exist on {day}: it was {ended} on {org['end']}.{_went(org, day)}",
        hint=f"Use --as-of {org['end']} (or earlier) to see it.",
    )


# --- list ---------------------------------------------------------------------------------------

LIST_COLUMNS = [
    "code",
    "ons_code",
    "name",
    "kind",
    "start",
    "end",
    "parent_code",
    "parent_name",
    "parent_kind",
    "relation",
    "share",
    "org_id",
]


@app.command("list")
def list_(
    kind: Annotated[str, typer.Argument(help="regions, icbs, sub-icbs, ccgs, stps, area-teams, trusts, practices, pcns or las.")],
    as_of: AsOfOpt = None,
    within: Annotated[
        Optional[str],
        typer.Option(
            "--in", metavar="ID", help="Only those inside this organisation (e.g. --in QOP).", autocompletion=_complete_org
        ),
    ] = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """List the organisations of one kind that existed on a date."""
    from ics_cli import dates, gaps, kinds, queries, render

    k = kinds.parse_kind(kind)
    when = dates.as_of(as_of)
    parent = None
    if within is not None:
        parent = _resolve(within, when.day).org
        if not dates.existed(parent, when.day):
            raise _gone(parent, when.day)
    columns = [
        render.Column("code", "Code", no_wrap=True),
        render.Column("ons_code", "ONS code", no_wrap=True),
        render.Column("name", "Name"),
        render.Column("short_name", "Place", table=k == "sub_icb"),
        render.Column("kind", table=False),
        render.Column("start", "From", no_wrap=True),
        render.Column("end", "To", no_wrap=True),
        render.Column("parent_code", "In", no_wrap=True),
        render.Column("parent_name", "In (name)", table=False),
        render.Column("parent_kind", table=False),
    ]
    if parent is not None:
        columns += [
            render.Column("relation", "Relation", table=k in ("trust", "la")),
            render.Column("share", "Share", justify="right", table=k == "la"),
        ]
    # as_of: every record names the day it describes, so piped output keeps its date.
    columns += [render.Column("org_id", table=False), render.Column("source", table=False), render.Column("as_of", table=False)]
    title = f"{kinds.label(k, plural=True, title=True)} on {when.day}" + (f" in {parent['name']}" if parent else "")
    rows = ({**r, "as_of": when.day} for r in queries.list_orgs(k, when.day, parent["org_id"] if parent else None))
    note = gaps.list_note(k, when.day, parent["kind"] if parent else None, parent["org_id"] if parent else None)
    if note:
        _note(note)
    empty = f"No {kinds.label(k, plural=True)} on {when.day}."
    reason = None  # why a list inside an organisation can be empty: what the data does not link
    if parent is not None:
        empty = f"No {kinds.label(k, plural=True)} in {parent['name']} on {when.day}."
        reason = gaps.empty_list_reason(k, when.day, parent["kind"])
    if parent is None:
        first, last = queries.kind_span(k)
        if not first <= when.day <= last:
            reason = f"They existed {gaps.existed_span(first, last)}."
    n = render.render(rows, columns, fmt, fields, title=title, empty=f"{empty} {reason}" if reason else empty)
    if n == 0 and reason and not render.is_tty(sys.stdout):
        _note(f"Note: {empty} {reason}")


# --- show ---------------------------------------------------------------------------------------


@app.command()
def show(ident: IdArg, as_of: AsOfOpt = None, fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
    """Show one organisation: names, codes, dates, parents, members, population, history."""
    from ics_cli import dates, gaps, profile, render

    when = dates.as_of(as_of)
    found = _resolve(ident, when.day)
    org = found.org
    day = when.day
    note = None
    if not found.alive:
        if when.explicit:
            raise _gone(org, when.day)
        if org["start"] and when.day < org["start"]:
            day = org["start"]
            note = f"{org['name']} starts on {org['start']}; shown as on that day."
        else:
            day = org["end"]
            note = f"{org['name']} ceased to exist after {org['end']}; shown as on that day.{_went(org, when.day)}"
    record = profile.profile(org["org_id"], day)
    # existed_on_date is about as_of, the day described; on requested_as_of it did not exist when they differ.
    record["requested_as_of"] = when.day
    gap = gaps.profile_note(org["kind"], day, record["parents"], org["org_id"])
    if gap:
        note = f"{note} {gap}" if note else gap
    record["note"] = note
    if render.resolve_format(fmt) == "table" and fields is None:
        from ics_cli import views

        render.render_sheet(f"{record['name']} ({record['code']})", views.profile_blocks(record))
    else:
        render.render_record(record, None, fmt, fields)


# --- population ----------------------------------------------------------------------------------


@app.command()
def population(
    ident: IdArg,
    measure: Annotated[
        Optional[str],
        typer.Option(
            "--measure",
            metavar="MEASURE",
            help="Only this measure: gp_registered_patients, ons_mid_year_estimate, census_2021 or qof_list_size.",
        ),
    ] = None,
    by: Annotated[
        str, typer.Option("--by", metavar="BY", help="total (default), sex, or age (five-year bands by sex).")
    ] = "total",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """How many people an organisation serves: every population figure held, with its date and source."""
    from ics_cli import dates, queries, render
    from ics_cli.errors import UsageError
    from ics_cli.views import MEASURES

    if by not in ("total", "sex", "age"):
        raise UsageError(f"--by {by!r}: use total, sex or age.")
    if measure is not None and measure not in MEASURES:
        raise UsageError(f"--measure {measure!r}: use one of {', '.join(MEASURES)}.")
    when = dates.as_of(as_of)
    found = _resolve(ident, when.day)
    org = found.org
    if when.explicit and not found.alive:
        raise _gone(org, when.day)
    # Each figure is for an area the organisation had (start to end): those of the day's area.
    rows, other = queries.on_the_area_of(queries.populations_of(org["org_id"], measure, totals_only=by != "age"), when.day)
    if other:
        spans = sorted({(MEASURES.get(r["measure"], r["measure"]), r["start"], r["end"] or "") for r in other})
        _note(
            f"Note: some figures are for the area of {org['name']} on other days than {when.day}: "
            + "; ".join(f"{label} for {start} to {end or 'now'}" for label, start, end in spans)
            + "."
        )
    changed = queries.boundary_changes(org["org_id"])
    if rows and changed:
        _note(
            f"Note: the area of {org['name']} changed on {', '.join(changed)}; each figure is for the area "
            "on its source's geography (see source_title), so figures from either side of a change differ in area."
        )
    if measure and not rows:  # a known measure with no figure for this organisation: an empty answer, not an error
        known = sorted({r["measure"] for r in queries.populations_of(org["org_id"])})
        empty = f"No {MEASURES[measure]} figures for {org['name']}; it has: {', '.join(known) or 'none'}."
    else:
        empty = f"No population figures for {org['name']}."
    if by == "total":
        rows = [r for r in rows if r["sex"] == "all" and r["age"] == "all"]
    elif by == "sex":
        rows = [r for r in rows if r["age"] == "all"]
    else:
        rows = [r for r in rows if r["age"] != "all"]
        rows.sort(key=lambda r: (r["date"], r["measure"], r["sex"], int(r["age"].rstrip("+").split("-")[0])))
    for r in rows:
        r["org_id"], r["code"], r["name"] = org["org_id"], org["code"], org["name"]
        r["measure_label"] = MEASURES.get(r["measure"], r["measure"])
    columns = [
        render.Column("code", "Code", table=False),
        render.Column("name", table=False),
        render.Column("measure", table=False),
        render.Column("measure_label", "Measure"),
        render.Column("sex", "Sex"),
        render.Column("age", "Age"),
        render.Column("value", "People", justify="right"),
        render.Column("date", "Reference date"),
        render.Column("start", table=False),  # the figure is for the area the organisation had from start
        render.Column("end", table=False),  # ... to end (empty: it still has it)
        render.Column("source", "Source"),
        render.Column("source_title", table=False),
        render.Column("org_id", table=False),
    ]
    if not render.render(
        rows, columns, fmt, fields, title=f"Population of {org['name']} ({org['code']})", empty=empty
    ) and not render.is_tty(sys.stdout):
        _note(f"Note: {empty}")


# --- lineage -------------------------------------------------------------------------------------


@app.command()
def lineage(
    ident: IdArg,
    up: Annotated[bool, typer.Option("--up", help="Only where it came from.")] = False,
    down: Annotated[bool, typer.Option("--down", help="Only where it went.")] = False,
    depth: Annotated[Optional[int], typer.Option("--depth", min=1, max=50, help="At most this many steps each way.")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Trace an organisation's ancestry and descent: mergers, splits, transfers, renames, recodes."""
    from ics_cli import dates, render
    from ics_cli import lineage as lin
    from ics_cli.errors import UsageError

    if up and down:
        raise UsageError("--up and --down exclude each other; give neither for both directions.")
    when = dates.as_of(as_of)
    org = _resolve(ident, when.day).org
    data = lin.lineage(org["org_id"], "up" if up else "down" if down else "both", depth, when.day if when.explicit else None)
    out_fmt = render.resolve_format(fmt)
    if out_fmt == "json":
        render.render_record(data, None, "json", fields)
    elif out_fmt == "table" and fields is None:
        render.render_tree(lin.tree(data), fmt)
    else:
        columns = [
            "date",
            "type",
            "from",
            "from_code",
            "from_name",
            "to",
            "to_code",
            "to_name",
            "share",
            "from_parent",
            "to_parent",
            "note",
            "source",
        ]
        render.render(lin.edge_rows(data), columns, fmt, fields, empty="No recorded predecessors or successors.")


# --- timeline ------------------------------------------------------------------------------------


@app.command()
def timeline(
    ident: Annotated[
        Optional[str],
        typer.Argument(metavar="[ID]", help="An organisation; without it, the national story.", autocompletion=_complete_org),
    ] = None,
    first: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="Events on or after this day.")] = None,
    last: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Events on or before this day.")] = None,
    kind: Annotated[
        Optional[str],
        typer.Option(
            "--kind",
            metavar="KINDS",
            help="Comma-separated: policy, established, abolished, merger, split, boundary_transfer, became_sub_icb, succeeded, rename, recode; for a practice or PCN also joined, moved, left (its changes of CCG, sub-ICB location or PCN).",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """A dated list of events: national policy and changes, or one organisation's story."""
    from ics_cli import dates, render
    from ics_cli import timeline as tl
    from ics_cli.errors import UsageError

    first = dates.parse_date(first, "--from") if first else None
    last = dates.parse_date(last, "--to") if last else None
    if first and last and first > last:
        raise UsageError(f"--from {first} is after --to {last}.")
    kinds = None
    if kind is not None:
        kinds = tuple(k.strip().lower().replace("-", "_") for k in kind.split(",") if k.strip())
        bad = [k for k in kinds if k not in tl.EVENT_KINDS]
        if bad or not kinds:
            raise UsageError(f"Unknown event kind {', '.join(bad) or repr(kind)}. Kinds: {', '.join(tl.EVENT_KINDS)}.")
    when = dates.as_of(as_of)
    columns = [
        render.Column("date", "Date", no_wrap=True),
        render.Column("kind", "Kind", no_wrap=True),
        render.Column("title", "Event"),
        render.Column("detail", "Detail", table=False),
        render.Column("scope", table=False),
        render.Column("org_ids", table=False),
        render.Column("source", table=False),
    ]
    if ident is None:
        rows = tl.national(first, last, kinds)
        title = "National timeline"
    else:
        # A reused code ("01H": a CCG to 2022, a sub-ICB location after) is read on --as-of, or
        # else on the last day asked for (--to), not on today.
        org = _resolve(ident, when.day if when.explicit or not last else last).org
        rows = tl.for_org(org["org_id"], first, last, kinds)
        columns.insert(3, render.Column("about", table=False))
        title = f"Timeline of {org['name']} ({org['code']})"
    render.render(rows, columns, fmt, fields, title=title, empty="No events match.")


# --- diff ------------------------------------------------------------------------------------------


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
            "--in", metavar="ID", help="Only what was inside this organisation on either day.", autocompletion=_complete_org
        ),
    ] = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Every difference between two days: bodies begun, ended, renamed, recoded or moved; members and shares."""
    from ics_cli import dates, diff, kinds, render
    from ics_cli.errors import UsageError

    d1, d2 = dates.parse_date(first, "DATE1"), dates.parse_date(second, "DATE2")
    if d1 >= d2:
        raise UsageError(f"DATE1 ({d1}) must be before DATE2 ({d2}).")
    chosen = tuple(dict.fromkeys(kinds.parse_kind(k) for k in kind.split(","))) if kind else None
    org = _resolve_either(within, d1, d2) if within is not None else None
    result = diff.diff(d1, d2, chosen, org)
    for note in result.notes:
        _note(note)
    where = f" in {org['name']} ({org['code']})" if org else ""
    empty = f"No differences between {d1} and {d2}{where}."
    absent = [k for k in chosen or () if result.kinds_inside is not None and k not in result.kinds_inside]
    if absent:
        empty = f"No {' or '.join(kinds.label(k, plural=True) for k in absent)} are recorded{where} on {d1} or {d2}."
    if render.resolve_format(fmt) == "table" and fields is None:
        if result.records:
            render.render_sheet(f"Changes from {d1} to {d2}{where}", diff.sheet(result.records))
        else:
            _note(empty)
    else:
        render.render(result.records, diff.FIELDS, fmt, fields, empty=empty)


def _resolve_either(text: str, d1: str, d2: str) -> dict:
    """The organisation `text` names on the later day, or else on the earlier one."""
    from ics_cli import dates

    org = _resolve(text, d2).org
    if dates.existed(org, d2) or dates.existed(org, d1):
        return org
    earlier = _resolve(text, d1).org
    if dates.existed(earlier, d1):
        return earlier
    raise IcsError(
        f"{org['name']} ({org['code']}) did not exist on {d1} or on {d2}.",
        hint=f"It existed {org['start'] or '…'} to {org['end'] or 'now'}.",
    )


# --- map -------------------------------------------------------------------------------------------


@app.command("map")
def map_(
    ident: IdArg,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", metavar="FORMAT", help="table (the map as text; default), svg or geojson (RFC 7946)."),
    ] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write the map to FILE.")] = None,
    neighbours: Annotated[bool, typer.Option("--neighbours/--no-neighbours", help="Draw the areas around it too.")] = True,
) -> None:
    """Draw an organisation's area on a day, with the areas inside and around it (terminal, SVG or GeoJSON)."""
    from ics_cli import dates, render
    from ics_cli.maps import output as maps

    chosen = maps.check_format(fmt) or "table"
    when = dates.as_of(as_of)
    found = _resolve(ident, when.day)
    org, day = found.org, when.day
    if not found.alive:
        if when.explicit:
            raise _gone(org, when.day)
        day = org["end"] if org["end"] and org["end"] < day else org["start"]
    to_file = output is not None and output != "-"
    console = None if to_file else render.make_console()
    width = console.width if console and render.is_tty() else 80
    made = maps.make(org, day, chosen, width, bool(console and render.use_color()), neighbours)
    for note in made.notes:
        _note(note)
    if to_file:
        maps.write(made, output)
        _note(f"Wrote {output} ({made.areas} areas).")
    elif isinstance(made.text, str):
        sys.stdout.write(made.text)
    else:
        console.print(made.text, end="", soft_wrap=not render.is_tty())


# --- search ----------------------------------------------------------------------------------------


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
    from ics_cli import dates, render
    from ics_cli import kinds as kinds_mod
    from ics_cli import search as srch
    from ics_cli.errors import UsageError

    if not text.strip():
        raise UsageError("The search text is empty: give part of a name or a code.")
    kinds = (kinds_mod.parse_kind(kind),) if kind else None
    when = dates.as_of(as_of)
    rows = srch.search(text, when.day, kinds, current_only=current, limit=limit)
    columns = [
        render.Column("kind", "Kind", no_wrap=True),
        render.Column("code", "Code", no_wrap=True),
        render.Column("ons_code", "ONS code", table=False),
        render.Column("name", "Name"),
        render.Column("short_name", "Place", table=False),
        render.Column("matched_name", "Matched"),
        render.Column("status", "Status", no_wrap=True),
        render.Column("start", "From", no_wrap=True),
        render.Column("end", "To", no_wrap=True),
        render.Column("icb_code", "ICB", no_wrap=True),
        render.Column("icb_name", "ICB name", table=False),
        render.Column("match", table=False),
        render.Column("org_id", table=False),
        render.Column("as_of", table=False),
    ]
    for r in rows:
        r["as_of"] = when.day
    empty = f"Nothing matches {text!r}."
    if not srch.searchable(text):
        empty += " NHS, the, and, and words under three letters are not searched: give part of a name or a code."
    elif not srch.fts_terms(text):
        empty += " One or two letters match only a whole code or name: give three letters or more."
    if not render.render(
        rows, columns, fmt, fields, title=f"Matches for {text!r} (ICB: the one covering it on {when.day})", empty=empty
    ) and not render.is_tty(sys.stdout):
        _note(f"Note: {empty}")


# --- resolve ---------------------------------------------------------------------------------------


@app.command("resolve")
def resolve_(
    file: Annotated[
        Optional[str],
        typer.Argument(metavar="[FILE]", help="Read identifiers from FILE (default: standard input; - also means stdin)."),
    ] = None,
    column: Annotated[
        Optional[str],
        typer.Option("--column", metavar="NAME", help="The input is a CSV with a header; take identifiers from this column."),
    ] = None,
    to: Annotated[
        Optional[str],
        typer.Option("--to", metavar="LEVEL", help="Also map each to its icb, sub-icb, region, stp, ccg or pcn on the date."),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Map a column of codes or names (one per line, or a CSV column) to organisations, in order."""
    from ics_cli import bulk, dates, render
    from ics_cli.errors import UsageError

    target = None
    if to is not None:
        target = bulk.TARGETS.get(to.strip().lower())
        if target is None:
            raise UsageError(f"Unknown --to level {to!r}. Use one of: icb, sub-icb, region, stp, ccg, pcn.")
    when = dates.as_of(as_of)
    if file in (None, "-"):
        if sys.stdin.isatty():
            raise UsageError("ics resolve reads identifiers from standard input or FILE; nothing was piped in.")
        # Bytes that are not UTF-8 become U+FFFD (and that row "not_found"), never an error.
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is not None:
            import io

            stream = io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline="" if column else None)
        else:
            stream = sys.stdin
    else:
        try:
            stream = open(file, encoding="utf-8-sig", newline="" if column else None, errors="replace")
        except OSError as e:
            raise UsageError(f"Cannot read {file}: {e.strerror}.") from None
    resolver = bulk.BulkResolver(when.day, target)
    # On a terminal: codes kept whole, names and notes wrapped; piped, every column as it is.
    columns = [
        render.Column(
            c, no_wrap=c in ("status", "kind", "code", "to_kind", "to_code"), table=c not in ("org_id", "to_ons_code", "as_of")
        )
        for c in bulk.COLUMNS
    ]
    if target is None:
        columns = [c for c in columns if not c.key.startswith("to_")]
    try:
        render.render(resolver.rows(bulk.read_inputs(stream, column)), columns, fmt, fields, empty=None)
    finally:
        if file not in (None, "-"):
            stream.close()
    sys.stderr.write(resolver.summary() + "\n")


def _app_for(argv: list[str]) -> typer.Typer:
    """The app to run: when the command line names one command, an app holding only that command.

    Typer builds every registered command's parameters before it parses anything; doing that for
    one command instead of all of them saves a tenth of a lookup's start-up. ``--help``, ``--version``
    and unknown commands get the whole app (and its help or suggestions)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None or argv[0].startswith("-"):
        return app
    chosen = [c for c in app.registered_commands if (c.name or c.callback.__name__.replace("_", "-")) == first]
    if not chosen:
        return app
    single = typer.Typer(**{**APP_SETTINGS, "cls": app.info.cls or IcsGroup})
    single.registered_commands = chosen
    if app.registered_callback is not None:
        single.registered_callback = app.registered_callback
    else:  # a callback keeps it a group, so the command name is still parsed as one
        single.callback()(lambda: None)
    return single


def main() -> None:
    """Console-script entry point (``ics``, ``python -m ics_cli``).

    Ends with ``os._exit``: the database is read-only and nothing needs tidying, and skipping the
    interpreter's shutdown saves about a tenth of a lookup's time. Output is flushed first."""
    code: Any = 0
    if sys.stdout is None:  # started with stdout closed (`ics ... >&-`): nowhere to answer
        if sys.stderr is not None:
            sys.stderr.write("Error: standard output is closed.\n")
            sys.stderr.flush()
        import os

        os._exit(errors.FAILURE)
    try:
        try:
            _app_for(sys.argv[1:])()
        except IcsError as err:  # raised outside a command (IcsGroup handles the rest)
            errors.exit_with(err)
        except BrokenPipeError:
            errors.exit_broken_pipe()
    except SystemExit as done:
        code = done.code
    errors.fast_exit(code)
