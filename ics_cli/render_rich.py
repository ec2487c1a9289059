"""The ``table`` format: everything drawn with Rich. Imported only when a command prints a table,
so piped and machine output never load Rich.

- :func:`write_table`: a list of records as an aligned table (a title above it).
- :func:`write_record_panels`: one record as titled panels of key/value grids and tables.
- :func:`write_tree`: nested ``{"label": ..., "children": [...]}`` nodes as a tree.
- :func:`write_sheet`: a profile as headed blocks of aligned text (``ics show``).

On a terminal they use its width and wrap; piped (``--format table``) they never wrap or truncate.
Every value, key, header and title goes through :func:`ics_cli.safetext.safe` first: what reaches
the terminal has its control characters shown as escapes (``\\x1b``, ``\\t``, ``\\n``), whether
typed by the user (``ics resolve``'s input column) or read from the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ics_cli.render_flat import flat, human
from ics_cli.safetext import safe
from ics_cli.terminal import is_tty, make_console

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO

    from rich.console import RenderableType


def _count(value: int) -> str:
    """A count in a right-aligned table column, for reading: 1,790,661."""
    return f"{value:,}"


NAME_KEYS = ("name", "to_name", "title", "parent_name")  # the columns a reader cannot do without
NAME_MIN_WIDTH = 14


def write_table(it, cols, out, *, title=None, chosen=False, **_) -> int:
    """Records as an aligned table. On a terminal, columns empty in every record are left out
    (unless ``--fields`` chose them: `chosen`); columns marked ``no_wrap`` (codes, dates, counts)
    are never broken and the others wrap between words. When the terminal is too narrow for that,
    each record is printed as a card of ``header  value`` lines instead (:func:`write_cards`), so a
    code or a date is never split across lines."""
    tty = is_tty(out)
    # Cells safe for a terminal: tabs, newlines and other control characters show as escapes, so
    # a record is one line piped and no value can move the cursor.
    rows = [
        [safe(_count(v) if c.justify == "right" and type(v) is int else human(v)) for c in cols for v in (rec.get(c.key),)]
        for rec in it
    ]
    if not rows:
        return 0
    if tty and not chosen:
        keep = [i for i in range(len(cols)) if any(r[i] for r in rows)] or list(range(len(cols)))
        cols, rows = [cols[i] for i in keep], [[r[i] for i in keep] for r in rows]
    from rich import box
    from rich.table import Table

    console = make_console(out)
    if tty and _narrowest(cols, rows) > console.width:
        write_cards(cols, rows, console, title)
        return len(rows)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold", highlight=False)
    for c in cols:
        table.add_column(
            safe(c.header),
            justify=c.justify,
            style=c.style,
            no_wrap=c.no_wrap or not tty,
            min_width=NAME_MIN_WIDTH if tty and c.key in NAME_KEYS else None,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*row)
    if title:
        from rich.text import Text

        console.print(Text(safe(title), style="bold"))
    console.print(table)
    return len(rows)


def _narrowest(cols, rows: list[list[str]]) -> int:
    """The narrowest the table can be drawn without breaking a word: ``no_wrap`` columns (and
    their headers) whole, the others as wide as their longest word (a name at least
    NAME_MIN_WIDTH), three characters between columns."""
    widths = []
    for i, c in enumerate(cols):
        cells = [c.header] + [r[i] for r in rows]
        if c.no_wrap:
            widths.append(max(len(line) for cell in cells for line in cell.splitlines() or [""]))
        else:
            longest = max((len(w) for cell in cells for w in cell.split()), default=0)
            widths.append(max(longest, NAME_MIN_WIDTH if c.key in NAME_KEYS else 0))
    return sum(widths) + 3 * (len(widths) - 1)


def write_cards(cols, rows: list[list[str]], console, title: str | None) -> None:
    """Records one under another, each a card of ``header  value`` lines (empty values left out)
    with a blank line between cards: for a terminal too narrow for the table. A value wraps under
    itself between words."""
    from rich.text import Text

    headers = [safe(" ".join(c.header.split()) or c.key) for c in cols]
    width = max(len(h) for h in headers)
    text = Text()
    if title:
        text.append("\n".join(_wrap(safe(title), console.width)) + "\n", style="bold")
    for n, row in enumerate(rows):
        if n or title:
            text.append("\n")
        for header, c, value in zip(headers, cols, row):
            if not value:
                continue
            text.append(header.ljust(width), style="bold")
            lines = _wrap(" ".join(value.split()), max(20, console.width - width - 2))
            text.append("  " + lines[0] + "\n", style=c.style)
            for more in lines[1:]:
                text.append(" " * (width + 2) + more + "\n", style=c.style)
    console.print(text, end="", soft_wrap=True)


# --- one record as panels -----------------------------------------------------------------------------


def _is_rows(value: Any) -> bool:
    """Whether ``value`` is a list of dicts: shown as a table with a column per key."""
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, dict) for v in value)


def _rich_value(value: Any, tty: bool) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    if isinstance(value, dict):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=not tty)
        for k, v in value.items():
            grid.add_row(Text(safe(str(k)), style="bold"), _rich_value(v, tty))
        return grid
    if _is_rows(value):
        from rich import box

        keys: list[str] = []
        for row in value:
            keys.extend(k for k in row if k not in keys)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for k in keys:
            table.add_column(safe(str(k)), no_wrap=not tty)
        for row in value:
            table.add_row(*[safe(human(row.get(k))) for k in keys])
        return table
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, dict)) for v in value):
        return Text("\n".join(safe(flat(v)) for v in value))
    return Text(safe(flat(value)))


def write_record_panels(record: Mapping[str, Any], sections, title: str | None, out: TextIO) -> None:
    """``sections`` are tuples ``(title, key, key, ...)``; keys no section names come after them,
    keys missing from the record are skipped. A section holding a single key whose value is a dict
    or a list of dicts shows that value (a key/value grid or a table) as its whole body."""
    from rich import box
    from rich.panel import Panel
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
        console.print(Text(safe(title), style="bold"))
    for section_title, keys in layout:
        single = record[keys[0]] if len(keys) == 1 and section_title else None
        # A titled section of one grid or table shows it as its body; else a grid of its keys.
        shown = single if isinstance(single, dict) or _is_rows(single) else {k: record[k] for k in keys}
        body = _rich_value(shown, tty)
        console.print(
            Panel(
                body,
                title=Text(safe(section_title), style="bold") if section_title else None,
                title_align="left",
                box=box.ROUNDED,
                expand=tty,
            )
        )


# --- trees ----------------------------------------------------------------------------------------------


def write_tree(root: Mapping[str, Any], out: TextIO) -> None:
    from rich.text import Text
    from rich.tree import Tree

    def add(parent: Tree, node: Mapping[str, Any]) -> None:
        branch = parent.add(Text(safe(flat(node.get("label")))))
        for child in node.get("children") or ():
            add(branch, child)

    tree = Tree(Text(safe(flat(root.get("label")))), guide_style="dim")
    for child in root.get("children") or ():
        add(tree, child)
    make_console(out).print(tree)


# --- sheets: a profile as aligned text ---------------------------------------------------------------------


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


def write_sheet(title: str, blocks: Sequence[Mapping[str, Any]], out: TextIO) -> None:
    """Each block is ``{"title": str, "rows": [[cell, ...], ...]}`` with an optional ``"styles"``
    (a Rich style per column). Columns are padded to their widest cell; the last column wraps under
    itself to fit the terminal."""
    from rich.text import Text

    console = make_console(out)
    width = console.width
    text = Text()
    text.append("\n".join(_wrap(safe(title), width)), style="bold")
    text.append("\n")
    for block in blocks:
        rows = [[safe(human(c)) for c in row] for row in block.get("rows") or ()]
        if not rows:
            continue
        text.append("\n")
        text.append(safe(block["title"]), style="bold underline")
        text.append("\n")
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        widths = [max(len(r[i]) for r in rows) for i in range(ncols)]
        styles = list(block.get("styles") or ()) + [None] * ncols
        indent = 2
        for row in rows:
            # Trailing empty cells are left off (no trailing spaces); the last cell left wraps
            # under itself to fit the terminal.
            n = max((i + 1 for i, cell in enumerate(row) if cell), default=1)
            lead = indent + sum(w + 2 for w in widths[: n - 1])
            text.append(" " * indent)
            for i, cell in enumerate(row[: n - 1]):
                text.append(cell.ljust(widths[i]), style=styles[i])
                text.append("  ")
            last = _wrap(row[n - 1], max(20, width - lead)) if row[n - 1] else [""]
            text.append(last[0], style=styles[n - 1])
            for more in last[1:]:
                text.append("\n" + " " * lead)
                text.append(more, style=styles[n - 1])
            text.append("\n")
    console.print(text, end="", soft_wrap=True)
