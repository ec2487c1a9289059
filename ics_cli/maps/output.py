"""`ics map` from an organisation and a day to text: the terminal map, SVG or GeoJSON
(:func:`make`), delivered to FILE or standard output with its notes (:func:`deliver`)."""

from __future__ import annotations

from typing import NamedTuple

from ics_cli.errors import UsageError

FORMATS = ("table", "svg", "geojson")
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right {years}."
)


# The year of OS's database right in each edition's ONS file; the April 2026 sub-ICB locations are
# cut from the July 2022 sub-ICB and December 2022 district files (no 2026 file).
OS_YEAR = {"April 2026": "2022"}


def attribution(editions: list[str]) -> str:
    """The ONS attribution for the editions drawn: OS's database right is of the year of each file
    drawn (April 2020 boundaries: 2020), as the ONS files state it."""
    years = sorted({OS_YEAR.get(e, e[-4:]) for e in editions})
    return ATTRIBUTION.format(years=", ".join(years))


class MapOutput(NamedTuple):
    text: object  # str, or a Rich Text for the terminal
    notes: list[str]
    areas: int


def check_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    name = fmt.strip().lower()
    name = {"json": "geojson", "text": "table"}.get(name, name)
    if name not in FORMATS:
        from ics_cli.safetext import quoted

        raise UsageError(f"Unknown map format {quoted(fmt)}. Accepted formats: {', '.join(FORMATS)}.")
    return name


def make(org: dict, day: str, fmt: str, width: int, color: bool, neighbours: bool = True) -> MapOutput:
    """The map of `org` on `day` in `fmt` (table: a Rich Text `width` columns wide)."""
    from ics_cli.maps import areas

    plan = areas.plan(org, day, neighbours)
    drawn = plan.areas[0]  # the area drawn, named as on the day drawn
    title = f"{drawn.name} ({drawn.code}) on {plan.drawn}"
    credit = attribution(plan.editions)
    if fmt == "geojson":
        import json
        import sys

        from ics_cli.maps import geojson
        from ics_cli.streams import is_utf

        ascii_only = not is_utf(getattr(sys.stdout, "encoding", None) or "utf-8")  # exact JSON on any stdout
        text = json.dumps(geojson.collection(plan, credit), ensure_ascii=ascii_only, separators=(",", ":")) + "\n"
        return MapOutput(text, plan.notes, len(plan.areas))
    if fmt == "svg":
        from ics_cli.maps import svg

        return MapOutput(svg.render(plan, title, credit), plan.notes, len(plan.areas))
    from rich.text import Text

    from ics_cli.maps import terminal
    from ics_cli.safetext import safe

    text = Text()
    text.append(safe(title) + "\n", style="bold")
    text.append_text(terminal.draw(plan, width, color))
    text.append_text(terminal.legend(plan, width, color))
    footer = f"Boundaries: {', '.join(plan.editions)}. {credit}"
    text.append(safe(footer) + "\n", style="dim")
    return MapOutput(text, plan.notes, len(plan.areas))


def write(made: MapOutput, path: str) -> None:
    """Write a map to a file (a terminal map as plain text)."""
    from ics_cli.errors import cannot_write

    text = made.text if isinstance(made.text, str) else made.text.plain
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as e:
        raise cannot_write(path, e) from None


def deliver(org: dict, day: str, fmt: str, output: str | None, neighbours: bool) -> None:
    """Draw `org` on `day` and send it where asked: to FILE (-o, with a note naming it) or to
    standard output (a Rich map on a terminal, 80 columns of plain text when piped); notes on stderr."""
    import sys

    from ics_cli import render, wording

    to_file = output is not None and output != "-"
    console = None if to_file else render.make_console()
    width = console.width if console and render.is_tty() else 80
    made = make(org, day, fmt, width, bool(console and render.use_color()), neighbours)
    for note in made.notes:
        render.note(note)
    if to_file:
        write(made, output)
        render.note(wording.wrote(output, made.areas))
    elif isinstance(made.text, str):
        sys.stdout.write(made.text)
    else:
        console.print(made.text, end="", soft_wrap=not render.is_tty())
