"""The one output module: every command hands its records here and never prints rows itself.

Formats (``--format/-f``): ``table`` (Rich), ``json`` (a pretty array of objects), ``jsonl`` (one
object a line), ``csv``, ``tsv`` and ``md`` (a GitHub markdown table). Without ``--format``:
``table`` when stdout is a terminal, ``tsv`` with a header row when it is not.

Three entry points, all taking plain dicts:

- :func:`render` for a list of records (``ics list``, ``ics search``): streams in every format but
  ``table``, so an iterator of 100,000 records is never held in memory.
- :func:`render_record` for one record shown as a profile (``ics show``, ``ics info``): Rich
  panels on a terminal, one JSON object, or ``key<TAB>value`` lines.
- :func:`render_tree` for nested ``{"label": ..., "children": [...]}`` nodes (``ics lineage``):
  a Rich tree on a terminal, indented text when piped.

Usage in a command (see also the docstring of :mod:`ics_cli.cli`)::

    from ics_cli.render import Column, FieldsOpt, FormatOpt, render

    COLUMNS = [Column("code"), Column("name"), Column("ons_code", "ONS code", table=False)]

    @app.command("list")
    def list_(kind: str, fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
        render(db.iter_query(SQL, (kind,)), COLUMNS, fmt, fields)

Rules:

- Terminal or not: ``ICS_FORCE_TTY`` (any value but empty, ``0``, ``false``, ``no``) makes a pipe
  count as a terminal, like gh's ``GH_FORCE_TTY``; a number of 20 or more also sets the width
  (``ICS_FORCE_TTY=120``). Otherwise stdout's ``isatty()`` decides.
- Colour: never if ``NO_COLOR`` is set to anything; else always if ``CLICOLOR_FORCE`` is set (not
  ``0``); else on a terminal unless ``CLICOLOR=0`` or ``TERM=dumb``. "No colour" means no escape
  sequences at all (not even bold).
- Piped output has no colour, truncation or wrapping, and keeps the column order of the spec (or
  of ``--fields``).
- ``--fields a,b,c`` picks and orders columns; an unknown name is a usage error (exit 2) listing
  the valid ones. Columns declared ``table=False`` are left out of the ``table`` format unless
  named in ``--fields``; every other format shows all columns.
- Values: ``None`` is empty in table, csv, tsv and md and ``null`` in JSON; ``True``/``False``
  are ``true``/``false`` in flat formats; lists and dicts stay nested in JSON and become JSON
  text in csv and tsv (a list of plain values is joined with ``", "`` in table and md).
- TSV: header row of field names, fields separated by tabs, records by ``\\n``. Inside a value a
  backslash, tab, newline and carriage return are written ``\\\\``, ``\\t``, ``\\n`` and
  ``\\r`` (the escapes of PostgreSQL's text format), so every record stays on one line and the
  original value can be recovered.
- CSV: RFC 4180 quoting with ``\\n`` line ends; the header row holds field names.
- JSON and CSV/TSV headers use field names (the keys); ``table`` and ``md`` show column headers.
- An empty result is not an error: ``[]`` in JSON, the header row alone in csv, tsv and md,
  nothing in jsonl and table; on a terminal a hint (``empty``) goes to stderr.

Start-up cost matters (a lookup should cost little more than ``import typer``): this module
imports only ``os``, ``sys`` and ``typer`` at load time. ``json``, ``csv`` and ``rich`` are
imported inside the functions that use them, and the json, jsonl, csv and tsv paths never
import rich.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ics_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from typing import TextIO

    from rich.console import Console, RenderableType

FORMATS = ("table", "json", "jsonl", "csv", "tsv", "md")
_FORMAT_ALIASES = {"ndjson": "jsonl", "markdown": "md"}
_OFF = ("", "0", "false", "no", "off")
# Width for Rich output that is not going to a terminal: wide enough that nothing wraps.
_PIPE_WIDTH = 1_000_000


# ---------------------------------------------------------------------------------------------
# Columns and options


class Column:
    """One column of a list: ``key`` in the records, ``header`` shown by table and md.

    ``justify`` (left, right, center) and ``style`` (a Rich style, e.g. ``"cyan"``) apply on a
    terminal; ``no_wrap`` keeps short codes on one line there; ``table=False`` leaves the column
    out of the table format unless ``--fields`` names it.
    """

    __slots__ = ("key", "header", "justify", "style", "no_wrap", "table")

    def __init__(
        self,
        key: str,
        header: str | None = None,
        *,
        justify: str = "left",
        style: str | None = None,
        no_wrap: bool = False,
        table: bool = True,
    ) -> None:
        self.key = key
        self.header = key if header is None else header
        self.justify = justify
        self.style = style
        self.no_wrap = no_wrap
        self.table = table

    def __repr__(self) -> str:
        return f"Column({self.key!r})"


def check_format(fmt: str) -> str:
    """The canonical name of ``fmt`` (case-insensitive); UsageError if it is not a format."""
    name = fmt.strip().lower()
    name = _FORMAT_ALIASES.get(name, name)
    if name not in FORMATS:
        raise UsageError(
            f"Unknown format {fmt!r}. Accepted formats: {', '.join(FORMATS)}.",
        )
    return name


def _format_callback(value: Optional[str]) -> Optional[str]:
    return None if value is None else check_format(value)


def _complete_format(incomplete: str) -> list[tuple[str, str]]:
    helps = {
        "table": "aligned table (default on a terminal)",
        "json": "JSON array of objects",
        "jsonl": "one JSON object per line",
        "csv": "comma-separated values with a header row",
        "tsv": "tab-separated values with a header row (default when piped)",
        "md": "GitHub markdown table",
    }
    return [(f, helps[f]) for f in FORMATS if f.startswith(incomplete.lower())]


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


_FIELDS_HELP = "Comma-separated fields to show, in this order (e.g. code,name)."

FormatOpt = Annotated[
    Optional[str],
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="Output format: table, json, jsonl, csv, tsv or md. Default: table on a terminal, tsv when piped.",
        callback=_format_callback,
        autocompletion=_complete_format,
    ),
]
"""``--format/-f``: declare as ``fmt: FormatOpt = None`` and pass ``fmt`` to a render function."""

FieldsOpt = Annotated[Optional[str], typer.Option("--fields", metavar="FIELDS", help=_FIELDS_HELP)]
"""``--fields``: declare as ``fields: FieldsOpt = None`` and pass ``fields`` on."""


# ---------------------------------------------------------------------------------------------
# Terminal detection


def _env_on(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in _OFF


def _forced_width() -> int | None:
    value = os.environ.get("ICS_FORCE_TTY", "").strip()
    if value.isdigit() and int(value) >= 20:
        return int(value)
    return None


def is_tty(out: TextIO | None = None) -> bool:
    """Whether output to ``out`` (default stdout) gets terminal treatment."""
    if _env_on("ICS_FORCE_TTY"):
        return True
    try:
        return (out or sys.stdout).isatty()
    except (AttributeError, ValueError, OSError):
        return False


def use_color(out: TextIO | None = None) -> bool:
    """Whether output to ``out`` (default stdout) may contain colour and styles."""
    if os.environ.get("NO_COLOR"):
        return False
    if _env_on("CLICOLOR_FORCE"):
        return True
    if os.environ.get("CLICOLOR") == "0" or os.environ.get("TERM") == "dumb":
        return False
    return is_tty(out)


def resolve_format(fmt: str | None, out: TextIO | None = None) -> str:
    """``fmt`` checked, or the default: ``table`` on a terminal, ``tsv`` when piped."""
    if fmt is None:
        return "table" if is_tty(out) else "tsv"
    return check_format(fmt)


def make_console(out: TextIO | None = None) -> Console:
    """A Rich console for ``out`` (default stdout) following the rules above.

    For commands that need Rich output the three render functions do not cover. On a terminal
    it uses the terminal's width (or ``ICS_FORCE_TTY``'s number); otherwise it never wraps.
    Markup, emoji codes and highlighting are off: data is printed as it is.
    """
    from rich.console import Console

    out = out or sys.stdout
    tty = is_tty(out)
    color = use_color(out)
    console = Console(
        file=out,
        force_terminal=tty or color,
        color_system="auto" if color else None,
        no_color=not color,
        width=(_forced_width() if tty else _PIPE_WIDTH),
        markup=False,
        emoji=False,
        highlight=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
    )
    # Rich turns a closed pipe into exit 1; let it reach the CLI, which ends quietly with 141.
    console.on_broken_pipe = _raise_broken_pipe  # type: ignore[method-assign]
    return console


def _raise_broken_pipe() -> None:
    raise BrokenPipeError


# ---------------------------------------------------------------------------------------------
# Values


def _flat(value: Any) -> str:
    """A value as text for csv, tsv and flat record lines."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _human(value: Any) -> str:
    """A value as text for table and md: lists of plain values joined with ", "."""
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple, dict)) for v in value):
        return ", ".join(_flat(v) for v in value)
    return _flat(value)


def _count(value: int) -> str:
    """A count in a right-aligned table column, for reading: 1,790,661."""
    return f"{value:,}"


def _tsv(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _md(text: str) -> str:
    if "|" in text or "\n" in text or "\r" in text:
        text = text.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")
        text = text.replace("\r", "<br>")
    return text


def _json_encoder(indent: int | None = None):
    import json

    return json.JSONEncoder(ensure_ascii=False, default=str, indent=indent).encode


# ---------------------------------------------------------------------------------------------
# Lists of records


def _columns(spec: Sequence[str | Column]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in spec]


def _unknown_fields(unknown: list[str], valid: Sequence[str]) -> UsageError:
    names = ", ".join(repr(n) for n in unknown)
    return UsageError(f"Unknown field{'s' if len(unknown) > 1 else ''} {names}. Valid fields: {', '.join(valid)}.")


def _select(cols: list[Column], fields: str | Sequence[str] | None, fmt: str) -> list[Column]:
    names = parse_fields(fields)
    if names is None:
        return [c for c in cols if c.table] if fmt == "table" else cols
    by_key = {c.key: c for c in cols}
    if not names:
        raise UsageError(f"--fields needs at least one field. Valid fields: {', '.join(by_key)}.")
    unknown = [n for n in names if n not in by_key]
    if unknown:
        raise _unknown_fields(unknown, list(by_key))
    return [by_key[n] for n in names]


def render(
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[str | Column] | None = None,
    fmt: str | None = None,
    fields: str | Sequence[str] | None = None,
    *,
    title: str | None = None,
    empty: str | None = "No results.",
    out: TextIO | None = None,
) -> int:
    """Write ``records`` (dicts) to ``out`` (default stdout) in ``fmt``; return how many.

    ``columns`` lists the fields (names or :class:`Column`) in their default order; values are
    read with ``record.get(key)``, other keys are ignored. Without ``columns`` the keys of the
    first record are used (and JSON keeps each record as it is). ``fmt`` None means the default
    for ``out``; ``fields`` is the ``--fields`` value. ``title`` is shown above a terminal table.
    ``empty`` goes to stderr when nothing was written to a terminal. Raises UsageError for an
    unknown format or field before anything is written.
    """
    out = out or sys.stdout
    fmt = resolve_format(fmt, out)
    it: Iterator[Mapping[str, Any]] = iter(records)
    as_is = False
    if columns is None:
        first = next(it, None)
        if first is None:
            cols = _columns(parse_fields(fields) or [])
        else:
            from itertools import chain

            cols = [Column(k) for k in first]
            it = chain((first,), it)
            as_is = fields is None
    else:
        cols = _columns(columns)
    cols = _select(cols, fields, fmt)
    n = _WRITERS[fmt](it, cols, out, title=title, as_is=as_is)
    if n == 0 and empty and is_tty(out):
        sys.stderr.write(empty + "\n")
    return n


class _Buffer:
    """Collects output lines and writes them to ``out`` in batches of ``size``.

    Streaming stays bounded (at most ``size`` lines are held), and an unbuffered stdout
    (``PYTHONUNBUFFERED``) does not cost one system call per record.
    """

    __slots__ = ("out", "lines", "size")

    def __init__(self, out: TextIO, size: int = 256) -> None:
        self.out = out
        self.lines: list[str] = []
        self.size = size

    def add(self, text: str) -> None:
        self.lines.append(text)
        if len(self.lines) >= self.size:
            self.flush()

    write = add  # so that csv.writer can write to it

    def flush(self) -> None:
        if self.lines:
            self.out.write("".join(self.lines))
            self.lines.clear()


_SCALARS = (str, int, float, bool, type(None))


def _write_json(it, cols, out, *, as_is=False, **_) -> int:
    encode = _json_encoder(indent=2)
    # A flat record (every value a scalar) is laid out here with the C encoder for each value: the
    # same bytes as encode(obj), which with an indent runs Python's slower encoder over everything.
    scalar = _json_encoder()
    keys = [c.key for c in cols]
    buf = _Buffer(out)
    n = 0
    for rec in it:
        obj = dict(rec) if as_is else {k: rec.get(k) for k in keys}
        if obj and all(isinstance(v, _SCALARS) for v in obj.values()):
            text = "{\n    " + ",\n    ".join(f"{scalar(str(k))}: {scalar(v)}" for k, v in obj.items()) + "\n  }"
        else:
            text = encode(obj).replace("\n", "\n  ")
        buf.add(("[\n  " if n == 0 else ",\n  ") + text)
        n += 1
    buf.add("\n]\n" if n else "[]\n")
    buf.flush()
    return n


def _write_jsonl(it, cols, out, *, as_is=False, **_) -> int:
    encode = _json_encoder()
    keys = [c.key for c in cols]
    buf = _Buffer(out)
    n = 0
    for rec in it:
        obj = dict(rec) if as_is else {k: rec.get(k) for k in keys}
        buf.add(encode(obj) + "\n")
        n += 1
    buf.flush()
    return n


def _write_tsv(it, cols, out, **_) -> int:
    keys = [c.key for c in cols]
    buf = _Buffer(out)
    if keys:
        buf.add("\t".join([_tsv(k) for k in keys]) + "\n")
    n = 0
    for rec in it:
        buf.add("\t".join([_tsv(_flat(rec.get(k))) for k in keys]) + "\n")
        n += 1
    buf.flush()
    return n


def _write_csv(it, cols, out, **_) -> int:
    import csv

    keys = [c.key for c in cols]
    buf = _Buffer(out)
    writer = csv.writer(buf, lineterminator="\n")
    if keys:
        writer.writerow(keys)
    n = 0
    for rec in it:
        writer.writerow([_flat(rec.get(k)) for k in keys])
        n += 1
    buf.flush()
    return n


_MD_ALIGN = {"left": "---", "right": "---:", "center": ":---:"}


def _write_md(it, cols, out, **_) -> int:
    keys = [c.key for c in cols]
    buf = _Buffer(out)
    if keys:
        buf.add("| " + " | ".join([_md(c.header) for c in cols]) + " |\n")
        buf.add("| " + " | ".join([_MD_ALIGN.get(c.justify, "---") for c in cols]) + " |\n")
    n = 0
    for rec in it:
        buf.add("| " + " | ".join([_md(_human(rec.get(k))) for k in keys]) + " |\n")
        n += 1
    buf.flush()
    return n


def _cell(text: str, tty: bool) -> str:
    """Table cell text: tabs become spaces; piped, newlines too (one line per record)."""
    if "\t" in text:
        text = text.replace("\t", " ")
    if not tty and ("\n" in text or "\r" in text):
        text = " ".join(text.splitlines())
    return text


NAME_KEYS = ("name", "to_name", "title", "parent_name")  # the columns a reader cannot do without
NAME_MIN_WIDTH = 14


def _write_table(it, cols, out, *, title=None, **_) -> int:
    tty = is_tty(out)
    rows = [
        [_cell(_count(v) if c.justify == "right" and type(v) is int else _human(v), tty) for c in cols for v in (rec.get(c.key),)]
        for rec in it
    ]
    if not rows:
        return 0
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        highlight=False,
    )
    console = make_console(out)
    # On a terminal too narrow for the unwrapped columns (codes, dates) beside a name, Rich would
    # squeeze the name to nothing: then everything may wrap, and codes and counts fold onto a
    # second line rather than lose characters to an ellipsis.
    natural = sum(max([len(c.header)] + [len(r[i]) for r in rows]) + 3 for i, c in enumerate(cols) if c.no_wrap)
    names = sum(NAME_MIN_WIDTH for c in cols if c.key in NAME_KEYS)
    narrow = tty and natural + names > console.width
    for c in cols:
        table.add_column(
            c.header,
            justify=c.justify,
            style=c.style,
            no_wrap=(c.no_wrap and not narrow) or not tty,
            min_width=NAME_MIN_WIDTH if narrow and c.key in NAME_KEYS else None,
            overflow="fold" if narrow or c.justify == "right" else "ellipsis",
        )
    for row in rows:
        table.add_row(*row)
    if title:
        from rich.text import Text

        console.print(Text(title, style="bold"))
    console.print(table)
    return len(rows)


_WRITERS = {
    "table": _write_table,
    "json": _write_json,
    "jsonl": _write_jsonl,
    "csv": _write_csv,
    "tsv": _write_tsv,
    "md": _write_md,
}


# ---------------------------------------------------------------------------------------------
# One record (a profile)


def _flat_items(record: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(key, text) pairs; nested dicts become dotted keys, lists JSON text."""
    for key, value in record.items():
        if isinstance(value, dict) and value:
            yield from _flat_items(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", _flat(value)


def render_record(
    record: Mapping[str, Any],
    sections: Sequence[tuple[str, ...]] | None = None,
    fmt: str | None = None,
    fields: str | Sequence[str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Write one record as a profile.

    ``sections`` are tuples ``(title, key, key, ...)`` grouping the record's keys on a terminal;
    keys no section names are shown after them, keys missing from the record are skipped. A
    section holding a single key whose value is a dict or a list of dicts shows that value
    (a key/value grid or a table) as its whole body. ``labels`` maps keys to the text shown on a
    terminal (default: the key); ``title`` is printed above the sections.

    json: one object (nested values kept); jsonl: the same on one line; tsv: ``key<TAB>value``
    lines without a header; csv: a ``key,value`` header and rows; md: a two-column table. In the
    flat formats nested dicts become dotted keys (``orgs.icb``) and lists JSON text.
    ``fields`` picks and orders top-level keys (and drops the sections).
    """
    out = out or sys.stdout
    fmt = resolve_format(fmt, out)
    names = parse_fields(fields)
    if names is not None:
        valid = list(record)
        if not names:
            raise UsageError(f"--fields needs at least one field. Valid fields: {', '.join(valid)}.")
        unknown = [n for n in names if n not in record]
        if unknown:
            raise _unknown_fields(unknown, valid)
        record = {n: record[n] for n in names}
        sections = None

    if fmt == "json":
        out.write(_json_encoder(indent=2)(dict(record)) + "\n")
    elif fmt == "jsonl":
        out.write(_json_encoder()(dict(record)) + "\n")
    elif fmt == "tsv":
        for key, text in _flat_items(record):
            out.write(f"{_tsv(key)}\t{_tsv(text)}\n")
    elif fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["key", "value"])
        writer.writerows(_flat_items(record))
    elif fmt == "md":
        out.write("| key | value |\n| --- | --- |\n")
        for key, text in _flat_items(record):
            out.write(f"| {_md(key)} | {_md(text)} |\n")
    else:
        _record_layout(record, sections, labels or {}, title, out)


def _rich_value(value: Any, tty: bool) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    if isinstance(value, dict):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=not tty)
        for k, v in value.items():
            grid.add_row(Text(str(k), style="bold"), _rich_value(v, tty))
        return grid
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
        from rich import box

        keys: list[str] = []
        for row in value:
            keys.extend(k for k in row if k not in keys)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for k in keys:
            table.add_column(str(k), no_wrap=not tty)
        for row in value:
            table.add_row(*[_human(row.get(k)) for k in keys])
        return table
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, dict)) for v in value):
        return Text("\n".join(_flat(v) for v in value))
    return Text(_flat(value))


def _record_layout(record, sections, labels, title, out) -> None:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    tty = is_tty(out)
    layout: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for section in sections or ():
        keys = [k for k in section[1:] if k in record and k not in seen]
        seen.update(keys)
        if keys:
            layout.append((section[0], keys))
    rest = [k for k in record if k not in seen]
    if rest:
        layout.append(("", rest))

    console = make_console(out)
    if title:
        console.print(Text(title, style="bold"))
    for section_title, keys in layout:
        single = record[keys[0]] if len(keys) == 1 and section_title else None
        if isinstance(single, dict) or (
            isinstance(single, (list, tuple)) and single and all(isinstance(v, dict) for v in single)
        ):
            body = _rich_value(single, tty)
        else:
            body = Table.grid(padding=(0, 2))
            body.add_column(no_wrap=True)
            body.add_column(no_wrap=not tty)
            for k in keys:
                body.add_row(Text(labels.get(k, k), style="bold"), _rich_value(record[k], tty))
        console.print(
            Panel(
                body,
                title=Text(section_title, style="bold") if section_title else None,
                title_align="left",
                box=box.ROUNDED,
                expand=tty,
            )
        )


# ---------------------------------------------------------------------------------------------
# Trees


def _walk(node: Mapping[str, Any], depth: int = 0) -> Iterator[tuple[int, Mapping[str, Any]]]:
    yield depth, node
    for child in node.get("children") or ():
        yield from _walk(child, depth + 1)


def _prune(node: Mapping[str, Any], keep: list[str]) -> dict[str, Any]:
    pruned = {k: node[k] for k in keep if k in node}
    if node.get("children"):
        pruned["children"] = [_prune(c, keep) for c in node["children"]]
    return pruned


def render_tree(
    nodes: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    fmt: str | None = None,
    fields: str | Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
) -> None:
    """Write a tree of ``{"label": str, "children": [...], ...}`` nodes (one root or a list).

    On a terminal (or with ``--format table``): a Rich tree of the labels. Piped without
    ``--format``: the labels as indented text, two spaces a level. json: the nodes as given
    (``fields`` keeps only those keys, plus ``children``). jsonl, csv, tsv, md: one row a node,
    with ``depth``, ``label`` and the nodes' other keys (``children`` left out).
    """
    out = out or sys.stdout
    roots = [nodes] if isinstance(nodes, dict) else list(nodes)
    flat = [(d, n) for root in roots for d, n in _walk(root)]
    keys: list[str] = ["depth", "label"]
    for _, node in flat:
        keys.extend(k for k in node if k not in keys and k != "children")

    if fmt is None and not is_tty(out):
        if fields is not None:
            _select(_columns(keys), fields, "tsv")
        for depth, node in flat:
            out.write("  " * depth + _flat(node.get("label")).replace("\n", " ") + "\n")
        return
    fmt = resolve_format(fmt, out)
    if fmt == "table":
        if fields is not None:
            _select(_columns(keys), fields, fmt)
        _rich_tree(roots, out)
    elif fmt == "json":
        if fields is not None:
            keep = [c.key for c in _select(_columns(keys[1:]), fields, fmt)]
            roots = [_prune(r, keep) for r in roots]
        data = roots[0] if isinstance(nodes, dict) else roots
        out.write(_json_encoder(indent=2)(data) + "\n")
    else:
        records = ({"depth": d, **{k: v for k, v in n.items() if k != "children"}} for d, n in flat)
        render(records, keys, fmt, fields, out=out, empty=None)


def _rich_tree(roots: list[Mapping[str, Any]], out: TextIO) -> None:
    from rich.text import Text
    from rich.tree import Tree

    def add(parent: Tree, node: Mapping[str, Any]) -> None:
        branch = parent.add(Text(_flat(node.get("label"))))
        for child in node.get("children") or ():
            add(branch, child)

    console = make_console(out)
    for root in roots:
        tree = Tree(Text(_flat(root.get("label"))), guide_style="dim")
        for child in root.get("children") or ():
            add(tree, child)
        console.print(tree)


# ---------------------------------------------------------------------------------------------
# Sheets: a profile laid out as aligned text (ics show on a terminal)


def _wrap(text: str, width: int) -> list[str]:
    """Split text into lines of at most ``width`` characters, at spaces where possible."""
    if width <= 0 or len(text) <= width:
        return [text]
    lines, line = [], ""
    for word in text.split(" "):
        while len(word) > width:  # a word longer than the column: cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


def render_sheet(title: str, blocks: Sequence[Mapping[str, Any]], *, out: TextIO | None = None) -> None:
    """Write a profile as headed blocks of aligned columns: light to draw, easy to read.

    Each block is ``{"title": str, "rows": [[cell, ...], ...]}`` with an optional ``"styles"``
    (a Rich style per column, e.g. ``["bold", "cyan", None]``). Columns are padded to their widest
    cell; the last column wraps under itself to fit the terminal. Used for ``table`` output only:
    machine formats go through :func:`render_record`.
    """
    from rich.text import Text

    out = out or sys.stdout
    console = make_console(out)
    width = console.width
    text = Text()
    text.append(title, style="bold")
    text.append("\n")
    for block in blocks:
        rows = [[_human(c) for c in row] for row in block.get("rows") or ()]
        if not rows:
            continue
        text.append("\n")
        text.append(block["title"], style="bold underline")
        text.append("\n")
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        widths = [max(len(r[i]) for r in rows) for i in range(ncols)]
        styles = list(block.get("styles") or ()) + [None] * ncols
        indent = 2
        lead = indent + sum(w + 2 for w in widths[:-1])
        for row in rows:
            text.append(" " * indent)
            for i, cell in enumerate(row[:-1]):
                text.append(cell.ljust(widths[i]), style=styles[i])
                text.append("  ")
            last = _wrap(row[-1], max(20, width - lead)) if row[-1] else [""]
            text.append(last[0], style=styles[ncols - 1])
            for more in last[1:]:
                text.append("\n" + " " * lead)
                text.append(more, style=styles[ncols - 1])
            text.append("\n")
    console.print(text, end="", soft_wrap=True)
