"""Where output goes and how it may look: a terminal or a pipe, colour or not, the format.

- Terminal or not: ``ICS_FORCE_TTY`` (any value but empty, ``0``, ``false``, ``no``, ``off``)
  makes a pipe count as a terminal, like gh's ``GH_FORCE_TTY``; a number of 20 or more also sets
  the width (``ICS_FORCE_TTY=120``). Otherwise the stream's ``isatty()`` decides.
- Width on a terminal: ``ICS_FORCE_TTY``'s number, else ``COLUMNS``, else the terminal's; always
  between ``MIN_WIDTH`` (20) and ``MAX_WIDTH`` (1,000), so that ``ICS_FORCE_TTY=10000000`` or
  ``COLUMNS=10000000`` cannot make a panel a megabyte wide. Piped table output is not wrapped.
- Colour: never if ``NO_COLOR`` is set to anything; else always if ``CLICOLOR_FORCE`` is set (not
  ``0``); else on a terminal unless ``CLICOLOR=0`` or ``TERM=dumb``. "No colour" means no escape
  sequences at all (not even bold).
- Format: ``--format`` checked against ``FORMATS`` (case-insensitive, with aliases); without it,
  ``table`` on a terminal and ``tsv`` in a pipe.

Imported on every run that prints: ``os`` and ``sys`` only; :func:`make_console` imports Rich.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from ics_cli.errors import UsageError

if TYPE_CHECKING:
    from typing import TextIO

    from rich.console import Console

FORMATS = ("table", "json", "jsonl", "csv", "tsv", "md")
FORMAT_HELP = {
    "table": "aligned table (default on a terminal)",
    "json": "JSON array of objects",
    "jsonl": "one JSON object per line",
    "csv": "comma-separated values with a header row",
    "tsv": "tab-separated values with a header row (default when piped)",
    "md": "GitHub markdown table",
}
_FORMAT_ALIASES = {"ndjson": "jsonl", "markdown": "md"}
_OFF = ("", "0", "false", "no", "off")
# Width for Rich output that is not going to a terminal: wide enough that nothing wraps (nothing
# piped is padded or expanded to the width).
PIPE_WIDTH = 1_000_000
MIN_WIDTH, MAX_WIDTH = 20, 1_000  # the widths a terminal may have


def check_format(fmt: str) -> str:
    """The canonical name of ``fmt`` (case-insensitive); UsageError if it is not a format."""
    name = fmt.strip().lower()
    name = _FORMAT_ALIASES.get(name, name)
    if name not in FORMATS:
        from ics_cli.safetext import quoted

        raise UsageError(f"Unknown format {quoted(fmt)}. Accepted formats: {', '.join(FORMATS)}.")
    return name


def _env_on(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in _OFF


def clamp_width(width: int) -> int:
    """A terminal's width (COLUMNS, or what the terminal says) kept between MIN_WIDTH and MAX_WIDTH."""
    return max(MIN_WIDTH, min(width, MAX_WIDTH))


def forced_width() -> int | None:
    """The width ``ICS_FORCE_TTY`` asks for (a number of 20 or more, at most ``MAX_WIDTH``), else None."""
    value = os.environ.get("ICS_FORCE_TTY", "").strip()
    if value.isdigit() and len(value) <= 12 and int(value) >= MIN_WIDTH:
        return min(int(value), MAX_WIDTH)
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

    On a terminal it uses the terminal's width (or ``ICS_FORCE_TTY``'s number); otherwise it never
    wraps. Markup, emoji codes and highlighting are off: data is printed as it is.
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
        width=(forced_width() if tty else PIPE_WIDTH),
        markup=False,
        emoji=False,
        highlight=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
    )
    if tty and not MIN_WIDTH <= console.width <= MAX_WIDTH:  # COLUMNS or the terminal said so
        console.width = clamp_width(console.width)
    # Rich turns a closed pipe into exit 1; let it reach the CLI, which ends quietly with 141.
    console.on_broken_pipe = _raise_broken_pipe  # type: ignore[method-assign]
    return console


def _raise_broken_pipe() -> None:
    raise BrokenPipeError
