"""The options and arguments several commands share, declared once as ``Annotated`` aliases.

Declare them as defaults of a command's parameters (``fmt: FormatOpt = None``) and pass the
values on: ``--format`` and ``--fields`` to :mod:`ics_cli.render`, ``--as-of`` to
:func:`ics_cli.dates.as_of`, an ``ID`` to :func:`ics_cli.resolve.resolve`. Completion callbacks
run on every TAB, so they import only what they need when called.

Imported on every run: ``typer`` and :mod:`ics_cli.vocab` only.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ics_cli.vocab import EVENT_KINDS, MEASURES, MEMBERSHIP_EVENT_KINDS


def _format_callback(value: Optional[str]) -> Optional[str]:
    from ics_cli.terminal import check_format

    return None if value is None else check_format(value)


def complete_format(incomplete: str) -> list[tuple[str, str]]:
    from ics_cli.terminal import FORMAT_HELP

    return [(f, text) for f, text in FORMAT_HELP.items() if f.startswith(incomplete.lower())]


def complete_org(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for organisation names and codes: one indexed query, no heavy imports."""
    from ics_cli import completion

    return completion.complete(incomplete)


FormatOpt = Annotated[
    Optional[str],
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="Output format: table, json, jsonl, csv, tsv or md. Default: table on a terminal, tsv when piped.",
        callback=_format_callback,
        autocompletion=complete_format,
    ),
]
"""``--format/-f``: declare as ``fmt: FormatOpt = None`` and pass ``fmt`` to a render function."""

FieldsOpt = Annotated[
    Optional[str],
    typer.Option("--fields", metavar="FIELDS", help="Comma-separated fields to show, in this order (e.g. code,name)."),
]
"""``--fields``: declare as ``fields: FieldsOpt = None`` and pass ``fields`` on."""

AsOfOpt = Annotated[
    Optional[str],
    typer.Option(
        "--as-of", metavar="DATE", help="Answer as of this day (YYYY-MM-DD, 2013-04-01 onwards). Default: the data's latest day."
    ),
]
"""``--as-of``: declare as ``as_of: AsOfOpt = None`` and read it with ``dates.as_of(as_of)``."""

IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="A code (ODS or ONS), a name (official, short or former), a postcode district or an org id like icb:QOP.",
        autocompletion=complete_org,
    ),
]
"""An organisation's identifier, as every command reads it (:mod:`ics_cli.resolve`)."""

OptionalIdArg = Annotated[
    Optional[str],
    typer.Argument(metavar="[ID]", help="An organisation; without it, the national story.", autocompletion=complete_org),
]

InOpt = Annotated[
    Optional[str],
    typer.Option("--in", metavar="ID", help="Only those inside this organisation (e.g. --in QOP).", autocompletion=complete_org),
]

IdKindOpt = Annotated[
    Optional[str],
    typer.Option(
        "--kind",
        metavar="KIND",
        help="Read ID among organisations of this kind only (icbs, sub-icbs, ccgs, ...; ics: the STP or ICB of the day), "
        "when a name fits several kinds.",
    ),
]
"""``--kind`` for a command that reads one ID: declare as ``kind: IdKindOpt = None`` and pass it to ``_org``."""

MeasureOpt = Annotated[
    Optional[str],
    typer.Option("--measure", metavar="MEASURE", help=f"Only this measure: {', '.join(MEASURES)}."),
]

EventKindsOpt = Annotated[
    Optional[str],
    typer.Option(
        "--kind",
        metavar="KINDS",
        help=f"Comma-separated: {', '.join(k for k in EVENT_KINDS if k not in MEMBERSHIP_EVENT_KINDS)}; for a practice or PCN "
        f"also {', '.join(MEMBERSHIP_EVENT_KINDS)} (its changes of CCG, sub-ICB location or PCN).",
    ),
]
