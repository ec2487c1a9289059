"""Text made safe to show on a terminal: the one rule for everything ics prints for people to read.

:func:`safe` replaces every character that could drive a terminal or disguise what it shows with a
visible escape, and leaves everything else as it is:

- C0 controls, DEL and C1 controls (U+0000-U+001F, U+007F-U+009F): ``\\x1b``, ``\\x07``, ``\\x9b``;
  tab, newline and carriage return as ``\\t``, ``\\n`` and ``\\r``;
- the line and paragraph separators U+2028 and U+2029, and the bidirectional controls (U+061C,
  U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which reorder what a reader sees: ``\\u202e``;
- lone surrogates (bytes of a non-UTF-8 argument, which Python keeps as U+DC80-U+DCFF and would
  write back raw): ``\\udc9b``.

Backslashes are not doubled: the result is for reading, not for parsing back (piped formats are
exact). Letters of every script, accents, emoji and zero-width joiners pass unchanged.

Where it is used (one rule for text typed by the user and for values read from the database):

- every echo of user input in an error, a hint or a note (:func:`quoted`, :func:`cut`,
  :func:`path`, :func:`shell_word`), cut to about 80 characters with ``...``; and, as a last guard, every line
  of every error and note (:func:`line`: :mod:`ics_cli.errors`, :func:`ics_cli.render.note`);
- every value, header and title of ``table`` output (tables, panels, trees, sheets, maps) and of
  ``md`` output.

Piped machine formats stay exact: JSON escapes control characters itself, TSV escapes backslash,
tab, newline and carriage return, CSV quotes; other control characters pass through TSV and CSV
unchanged (see :mod:`ics_cli.render_flat`).

Imported on every run that prints an error or a table: ``re`` only, compiled on first need.
"""

from __future__ import annotations

import re

LIMIT = 80  # the longest echo of user text, in characters, before it is cut
PATH_LIMIT = 200  # a file path gets more room: it is cut in the middle, and all of it is what one acts on
LINE_LIMIT = 1_000  # the longest line of an error or a note: a guard for echoes that were not cut
_ELLIPSIS = "..."

_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_pattern: re.Pattern[str] | None = None


def _unsafe() -> re.Pattern[str]:
    global _pattern
    if _pattern is None:
        _pattern = re.compile(f"[{_UNSAFE}]")
    return _pattern


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """``text`` with its control characters, bidirectional controls, line separators and lone
    surrogates shown as escapes (``\\x1b``, ``\\n``, ``\\u202e``); everything else unchanged."""
    if text.isprintable():  # the common case, checked in C: nothing to escape
        return text
    return _unsafe().sub(_escape, text)


def is_safe(text: str) -> bool:
    """Whether :func:`safe` leaves ``text`` as it is."""
    return text.isprintable() or _unsafe().search(text) is None


def _fit(text: str, limit: int, show) -> str:
    """``show(text)`` if it is at most ``limit`` characters long, else ``show`` of the longest start
    of ``text`` that fits with ``...`` after it (never half an escape)."""
    if len(text) <= limit:
        shown = show(text)
        if len(shown) <= limit:
            return shown
    raw = text[: limit - len(_ELLIPSIS)]
    shown = show(raw)
    while len(shown) > limit - len(_ELLIPSIS) and raw:
        raw = raw[: -max(1, (len(shown) - limit) // 4)]
        shown = show(raw)
    return shown + _ELLIPSIS


def cut(text: str, limit: int = LIMIT) -> str:
    """:func:`safe` text of at most ``limit`` characters: a longer one keeps its start and ends
    with ``...``. For echoing what the user typed."""
    return _fit(text, limit, safe)


def path(text: str, limit: int = LIMIT) -> str:
    """A file path echoed in a message: :func:`safe`, and cut in the middle when longer than
    ``limit`` characters, so that its start and its file name both show."""
    if len(text) <= limit:
        shown = safe(text)
        if len(shown) <= limit:
            return shown
    half = (limit - len(_ELLIPSIS)) // 2
    head = _fit(text, half + len(_ELLIPSIS), safe)[: -len(_ELLIPSIS)]
    raw = text[-half:]
    tail = safe(raw)
    while len(tail) > half and raw:
        raw = raw[1:]
        tail = safe(raw)
    return head + _ELLIPSIS + tail


def quoted(text: str, limit: int = LIMIT) -> str:
    """``text`` quoted for a sentence as Python's ``repr`` writes a string (``'North'``,
    ``"St Mary's"``, ``'\\x1b[2J'``), at most about ``limit`` characters between the quotes.

    ``repr`` escapes every character :func:`safe` escapes (Python counts them all unprintable), and
    backslashes and invisible spaces too, so the echo is safe and says exactly what was typed."""

    if not isinstance(text, str):
        text = str(text)
    shown = _fit(text, limit + 2, repr)
    if shown.endswith(_ELLIPSIS):  # 'abc'... -> 'abc...'
        shown = shown[: -len(_ELLIPSIS) - 1] + _ELLIPSIS + shown[-len(_ELLIPSIS) - 1]
    return shown


def shell_word(text: str, limit: int = LIMIT) -> str:
    """``text`` as one word of a shell command to copy (``Try: ics search ...``): quoted with
    ``shlex.quote``, or, when it holds characters :func:`safe` escapes, in the ``$'...'`` quoting
    of bash, zsh and ksh, whose escapes are the same. A long text is cut to about ``limit``
    characters, ``...`` inside the quotes."""
    if is_safe(text):
        import shlex

        quote = shlex.quote
    else:

        def quote(raw: str) -> str:
            return "$'" + safe(raw.replace("\\", "\\\\").replace("'", "\\'")) + "'"

    word = quote(text) if len(text) <= limit else ""
    if word and len(word) <= limit + 3:
        return word
    raw = text[: limit - len(_ELLIPSIS)]
    word = quote(raw + _ELLIPSIS)
    while len(word) > limit + 3 and raw:
        raw = raw[: -max(1, (len(word) - limit) // 4)]
        word = quote(raw + _ELLIPSIS)
    return word


def line(text: str, limit: int = LINE_LIMIT) -> str:
    """One line of an error or a note, made safe and cut to ``limit`` characters: the guard
    behind every echo, so that no message can grow without bound or reach the terminal raw."""
    text = safe(text)
    return text if len(text) <= limit else text[: limit - len(_ELLIPSIS)] + _ELLIPSIS


def lines(text: str, limit: int = LINE_LIMIT) -> str:
    """Every line of ``text`` through :func:`line` (newlines kept)."""
    if text.isprintable() and len(text) <= limit:
        return text
    return "\n".join(line(part, limit) for part in text.split("\n"))


_LONG_WORD = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+"""  # compiled (and cached) by re on first use


def shorten_words(text: str, limit: int = LIMIT) -> str:
    """``text`` with every quoted string or unbroken word longer than ``limit`` cut (for messages
    written by Click, which echo the value given without cutting it)."""
    if len(text) <= limit:
        return text

    def short(match: re.Match[str]) -> str:
        word = match.group()
        if len(word) <= limit:
            return word
        if word[0] in "'\"" and word[-1] == word[0]:
            return word[: limit - len(_ELLIPSIS) - 1] + _ELLIPSIS + word[0]
        return word[: limit - len(_ELLIPSIS)] + _ELLIPSIS

    return re.sub(_LONG_WORD, short, text)
