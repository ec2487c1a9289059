"""The ``table`` format for a stream of records too long to hold (``ics resolve`` on a terminal):
plain aligned text written as it comes, so memory stays flat however many rows arrive.

The first :data:`SAMPLE` records set the column widths (their longest value, or the header's);
on a terminal, wrappable columns (names, notes) then give up width, down to their longest word
and then to :data:`NARROWEST`, until the table fits. A later value longer than its column wraps onto more lines (codes too:
nothing is cut). A table that cannot fit even so falls back to one block of ``column  value``
lines per record. Looks like :mod:`ics_cli.render_rich`'s tables: a bold header (with colour), a
rule under it, three spaces between columns. Standard library only.
"""

from __future__ import annotations

from itertools import chain, islice
from typing import TYPE_CHECKING

from ics_cli.render_flat import _Buffer, human
from ics_cli.safetext import safe
from ics_cli.terminal import PIPE_WIDTH, clamp_width, forced_width, is_tty, use_color

if TYPE_CHECKING:
    from typing import TextIO

SAMPLE = 200  # records read before the widths are set
NARROWEST = 10  # the narrowest a wrappable column becomes
WORD_WIDTH = 20  # words longer than this may break before a table falls back to blocks
GAP = "   "


def _text(value) -> str:
    """A cell: its text made safe for a terminal (safetext: tabs, newlines and every other control
    character shown as escapes), so that a record keeps to its lines and no value moves the cursor."""
    return safe(human(value))


def _terminal_width(out: TextIO) -> int:
    if not is_tty(out):
        return PIPE_WIDTH
    forced = forced_width()
    if forced:
        return forced
    import shutil

    return clamp_width(shutil.get_terminal_size((100, 24)).columns)


def _widths(cols, sample: list[list[str]], width: int) -> list[int] | None:
    """Column widths that fit `width`, or None if even the narrowest layout does not. Wrappable
    columns give up width widest first: first down to their longest word (so that words stay
    whole), then to NARROWEST."""
    natural = [max([len(safe(c.header))] + [len(r[i]) for r in sample]) for i, c in enumerate(cols)]
    over = sum(natural) + len(GAP) * (len(cols) - 1) - width
    widths = list(natural)
    for floor in (_longest_words(cols, sample), [NARROWEST] * len(cols)):
        flexible = [i for i, c in enumerate(cols) if not c.no_wrap and widths[i] > floor[i]]
        while over > 0 and flexible:
            widest = max(flexible, key=lambda i: widths[i])
            step = min(over, widths[widest] - floor[widest], max(1, (widths[widest] - floor[widest]) // 4))
            widths[widest] -= step
            over -= step
            if widths[widest] <= floor[widest]:
                flexible.remove(widest)
    return widths if over <= 0 else None


def _longest_words(cols, sample: list[list[str]]) -> list[int]:
    return [
        max(NARROWEST, min(WORD_WIDTH, max([len(w) for r in sample for w in r[i].split()] + [len(c.header)])))
        for i, c in enumerate(cols)
    ]


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    import textwrap

    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def write_table(it, cols, out, *, title=None, **_) -> int:
    """Records `it` as an aligned table on `out`; returns how many."""
    it = iter(it)
    head = list(islice(it, SAMPLE))
    if not head:
        return 0
    keys = [c.key for c in cols]
    headers = [safe(c.header) for c in cols]
    sample = [[_text(rec.get(k)) for k in keys] for rec in head]
    bold, plain = ("\x1b[1m", "\x1b[0m") if use_color(out) else ("", "")
    buf = _Buffer(out)
    if title:
        buf.add(f"{bold}{safe(title)}{plain}\n")
    widths = _widths(cols, sample, _terminal_width(out))
    n = 0
    if widths is None:  # too wide for the terminal: one block per record
        label = max(len(h) for h in headers)
        for rec in chain(head, it):
            buf.add("\n" if n else "")
            for c, h in zip(cols, headers):
                buf.add(f"{bold}{h:<{label}}{plain}  {_text(rec.get(c.key))}".rstrip() + "\n")
            n += 1
        buf.flush()
        return n
    right = [c.justify == "right" for c in cols]
    last = len(cols) - 1

    def line(cells: list[str]) -> str:
        parts = [cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(cells, widths, right)]
        parts[last] = parts[last].rstrip() if not right[last] else parts[last]
        return GAP.join(parts).rstrip() + "\n"

    buf.add(bold + line(headers).rstrip("\n") + plain + "\n")
    buf.add("─" * min(sum(widths) + len(GAP) * last, PIPE_WIDTH) + "\n")
    for cells in chain(sample, ([_text(rec.get(k)) for k in keys] for rec in it)):
        if all(len(cell) <= w for cell, w in zip(cells, widths)):
            buf.add(line(cells))
        else:
            wrapped = [_wrap(cell, w) for cell, w in zip(cells, widths)]
            for i in range(max(len(w) for w in wrapped)):
                buf.add(line([w[i] if i < len(w) else "" for w in wrapped]))
        n += 1
    buf.flush()
    return n
