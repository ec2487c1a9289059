"""`ics resolve`'s input: FILE or standard input, read in bounded chunks, as plain lines or as a
CSV or TSV table with a header whose columns go back out with the answers appended.

Kinds of input (:attr:`Input.kind`):

- ``lines``: one identifier per line, no header;
- ``csv``: comma-separated with a header row, RFC 4180 quoting (a quoted field may hold commas,
  quotes as ``""`` and newlines);
- ``tsv``: tab-separated with a header row, no quoting; ``\\t``, ``\\n``, ``\\r`` and ``\\\\``
  in a field are read as ics writes them (PostgreSQL's text format), any other backslash as it is.

Which kind (unless ``--input-format`` says): a table when ``--column`` or ``--date-column`` is
given or FILE ends in ``.csv`` or ``.tsv``; else a first line with a tab is TSV, a first line
that splits into several CSV fields and does not read whole as an identifier (the caller's
``reads``: names such as "NHS Bath and North East Somerset, Swindon and Wiltshire ICB" hold a
comma) is CSV, and anything else is plain lines. A table with several columns needs
``--column`` (a usage error lists them); a table of one column needs none.

Limits, so that memory stays flat whatever arrives (``ics resolve /dev/zero``, a 200 KB field):

- Only ``\\n`` and ``\\r\\n`` end a row; a lone ``\\r`` is part of the text.
- Bytes are read in chunks of :data:`CHUNK`; a line (or a CSV row, quoted newlines included)
  longer than :data:`MAX_LINE` characters (plain lines) or :data:`MAX_ROW` (tables) is cut
  there, the rest of it skipped unread, and the row is marked ``cut``; an identifier field
  longer than :data:`MAX_LINE` is cut the same way. The caller gives such rows the status
  ``too_long``.
- Encoding: UTF-8, bytes that are not UTF-8 becoming U+FFFD; a byte-order mark selects UTF-8,
  UTF-16 or UTF-32 (LE or BE). NUL bytes in the first 64 KiB without a mark are refused with a
  usage error (UTF-16 without a mark, or not text at all).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from itertools import chain

from ics_cli.errors import IcsError, UsageError

CHUNK = 1 << 16  # bytes read at a time
MAX_LINE = 4096  # characters of an identifier (a line, or the identifier field of a table row)
MAX_ROW = 1 << 20  # characters of a CSV or TSV row, every field together
INPUT_FORMATS = ("lines", "csv", "tsv")
_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class Input:
    """What `ics resolve` reads: its kind, the header (None for plain lines), the index of the
    identifier column and of the date column (or None), and :meth:`rows`."""

    def __init__(self, kind: str, header: list[str] | None, column: int, date: int | None, records: Iterator[tuple[str, bool]]):
        self.kind = kind
        self.header = header
        self.column = column
        self.date = date
        self._records = records
        self.renamed: list[str] = []  # header names made up or made unique (column_3, practice_2)

    def rows(self) -> Iterator[tuple[list[str], bool]]:
        """Each row's fields (one, the line, for plain lines; as many as the header for a table,
        missing ones empty, extra ones dropped) and whether anything was cut."""
        if self.kind == "lines":
            for text, cut in self._records:
                yield [text], cut
            return
        split = _split_csv if self.kind == "csv" else _split_tsv
        sep, quote = (",", '"') if self.kind == "csv" else ("\t", "\\")  # without it, a plain split
        width = len(self.header or ())
        column = self.column
        for text, cut in self._records:
            fields = text.split(sep) if quote not in text else split(text)
            if len(fields) != width:
                fields = (fields + [""] * width)[:width]
            if len(fields[column]) > MAX_LINE:
                fields[column] = fields[column][:MAX_LINE]
                cut = True
            yield fields, cut


def open_input(
    file: str | None,
    column: str | None,
    date_column: str | None,
    input_format: str | None,
    reads: Callable[[str], bool],
) -> Input:
    """The input of `ics resolve` (FILE, or standard input for None and "-"), its kind decided
    and its header checked: a UsageError (exit 2) for a missing column, several columns and no
    ``--column``, input that is not text, or nothing to read."""
    return read_input(_open(file), file, column, date_column, input_format, reads)


def read_input(
    stream,
    file: str | None,
    column: str | None = None,
    date_column: str | None = None,
    input_format: str | None = None,
    reads: Callable[[str], bool] = lambda text: False,
) -> Input:
    """:func:`open_input` over a binary stream (`file` names it, for messages and the suffix)."""
    fmt = _input_format(input_format)
    first, chunks = _peek(_decoded(stream, file))
    if first is None:
        if column or date_column or fmt in ("csv", "tsv"):
            raise UsageError(f"The input is empty: no header row{_naming(column)}.")
        return Input("lines", None, 0, None, iter(()))
    if fmt is None:
        fmt = _detect(file, first, column or date_column, reads)
    if fmt == "lines":
        if column or date_column:
            option = "--column" if column else "--date-column"
            raise UsageError(f"{option} needs a CSV or TSV input with a header row (--input-format lines was given).")
        return Input("lines", None, 0, None, _records(chunks, MAX_LINE, False))
    records = _records(chunks, MAX_ROW, fmt == "csv")
    text = next(records)[0]
    given = _split_csv(text) if fmt == "csv" else _split_tsv(text)
    header = _header(given)
    index = _column_index(header, column, "--column")
    if index is None:
        if len(header) > 1:
            raise UsageError(
                f"The input has {len(header)} columns ({_listed(header)}): give --column NAME for the one to resolve "
                "(or --input-format lines to read each line whole)."
            )
        index = 0
    date = _column_index(header, date_column, "--date-column") if date_column else None
    read = Input(fmt, header, index, date, records)
    read.renamed = [h for g, h in zip(given, header) if g.strip()[:MAX_LINE] != h]
    return read


def _input_format(value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip().lower()
    if name not in INPUT_FORMATS:
        from ics_cli.safetext import quoted

        raise UsageError(f"Unknown --input-format {quoted(value)}. Use one of: {', '.join(INPUT_FORMATS)}.")
    return name


def _naming(column: str | None) -> str:
    from ics_cli.safetext import quoted

    return f" with a column {quoted(column)}" if column else ""


def _detect(file: str | None, first: str, table: str | None, reads: Callable[[str], bool]) -> str:
    suffix = (file or "").lower().rsplit(".", 1)[-1] if file and "." in file else ""
    if "\t" in first or suffix == "tsv":
        return "tsv"
    if table or suffix == "csv":
        return "csv"
    if "," in first and len(_split_csv(first)) > 1 and not reads(first):
        return "csv"
    return "lines"


def _listed(header: list[str], limit: int = 12) -> str:
    from ics_cli.safetext import quoted

    shown = ", ".join(quoted(h, 40) for h in header[:limit])
    return shown + (f" and {len(header) - limit} more" if len(header) > limit else "")


def _header(names: list[str]) -> list[str]:
    """Column names as given (spaces trimmed), made unique: an empty one becomes column_N, a
    repeated one gets _2, _3, ..."""
    out: list[str] = []
    for i, name in enumerate(names, 1):
        name = name.strip()[:MAX_LINE] or f"column_{i}"
        base, n = name, 1
        while name in out:
            n += 1
            name = f"{base}_{n}"
        out.append(name)
    return out


def _column_index(header: list[str], name: str | None, option: str) -> int | None:
    if name is None:
        return None
    if name in header:
        return header.index(name)
    folded = [h.casefold() for h in header]
    if name.strip().casefold() in folded:
        return folded.index(name.strip().casefold())
    from ics_cli.safetext import quoted

    raise UsageError(f"No column {quoted(name)} in the input ({option}); its columns are: {_listed(header, 40)}.")


# --- bytes to text ---------------------------------------------------------------------------------


def _open(file: str | None):
    """The binary stream to read: FILE, or standard input."""
    if file in (None, "-"):
        stdin = sys.stdin
        if stdin is None:
            raise UsageError("ics resolve reads identifiers from standard input or FILE; standard input is closed.")
        try:
            tty = stdin.isatty()
        except (ValueError, OSError):
            raise UsageError("ics resolve reads identifiers from standard input or FILE; standard input is closed.") from None
        if tty:
            raise UsageError("ics resolve reads identifiers from standard input or FILE; nothing was piped in.")
        return getattr(stdin, "buffer", None) or _Encoded(stdin)
    try:
        return open(file, "rb")  # noqa: SIM115 - read to the end by the generator, closed at exit
    except OSError as e:
        from ics_cli.safetext import path

        raise UsageError(f"Cannot read {path(file)}: {e.strerror or e}.") from None


class _Encoded:
    """A text stream read as UTF-8 bytes (CliRunner's standard input has no buffer)."""

    def __init__(self, stream):
        self.stream = stream

    def read(self, n: int) -> bytes:
        return self.stream.read(n).encode("utf-8", "surrogateescape")


def _read(stream, n: int) -> bytes:
    try:
        read1 = getattr(stream, "read1", None)  # what has arrived: a slow pipe still streams
        return read1(n) if read1 else stream.read(n)
    except OSError as e:
        raise IcsError(f"Cannot read the input: {e.strerror or e}.") from None


def _decoded(stream, file: str | None) -> Iterator[str]:
    """Text chunks of the stream, decoded as its byte-order mark says (UTF-8 by default)."""
    import codecs

    head = b""
    while len(head) < 4:
        more = _read(stream, CHUNK)
        if not more:
            break
        head += more
    encoding = "utf-8"
    for mark, name in _BOMS:
        if head.startswith(mark):
            encoding, head = name, head[len(mark) :]
            break
    else:
        if b"\x00" in head[:CHUNK]:
            from ics_cli.safetext import path

            where = "standard input" if file in (None, "-") else path(file)
            raise UsageError(
                f"{where} is not UTF-8 text: it holds NUL bytes (UTF-16 without a byte-order mark, or not text at all). "
                "Save it as UTF-8 (or UTF-16 with a byte-order mark)."
            )
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    if head:
        yield decoder.decode(head)
    checked = len(head)
    while True:
        data = _read(stream, CHUNK)
        if not data:
            break
        if checked < CHUNK and encoding == "utf-8" and b"\x00" in data:
            raise UsageError("The input holds NUL bytes: it is not UTF-8 text. Save it as UTF-8.")
        checked += len(data)
        yield decoder.decode(data)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def _peek(chunks: Iterator[str]) -> tuple[str | None, Iterator[str]]:
    """The first line (at most MAX_LINE characters; None for empty input) and the chunks again,
    from the start: enough to tell plain lines from a table before reading either."""
    held: list[str] = []
    size = 0
    for chunk in chunks:
        held.append(chunk)
        size += len(chunk)
        if "\n" in chunk or size > MAX_LINE:
            break
    text = "".join(held)
    if not text:
        return None, chunks
    first = text.split("\n", 1)[0][:MAX_LINE]
    return first[:-1] if first.endswith("\r") else first, chain((text,), chunks)


# --- text to rows ----------------------------------------------------------------------------------


def _records(chunks: Iterator[str], limit: int, quoted: bool) -> Iterator[tuple[str, bool]]:
    """Rows of text and whether each was cut (see the module's limits)."""
    return _quoted_rows(chunks, limit) if quoted else _lines(chunks, limit)


def _ended(text: str) -> str:
    return text[:-1] if text.endswith("\r") else text


def _lines(chunks: Iterator[str], limit: int) -> Iterator[tuple[str, bool]]:
    """Lines split at "\n" ("\r\n" too), each at most `limit` characters."""
    head = ""  # the start of a line whose end has not arrived (at most `limit` characters)
    cut = False  # that line passed `limit`: the rest of it is dropped as it comes
    for chunk in chunks:
        parts = chunk.split("\n")
        tail = parts.pop()
        if parts:
            start = 0
            if cut:
                yield head, True
                start = 1
            elif head:
                parts[0] = head + parts[0]
            head, cut = "", False
            for i in range(start, len(parts)):
                line = parts[i]
                if len(line) > limit:
                    yield line[:limit], True
                elif line.endswith("\r"):
                    yield line[:-1], False
                else:
                    yield line, False
        if tail and not cut:
            head += tail
            if len(head) > limit:
                head, cut = head[:limit], True
    if cut:
        yield head, True
    elif head:
        yield _ended(head), False


def _quoted_rows(chunks: Iterator[str], limit: int) -> Iterator[tuple[str, bool]]:
    """CSV rows: split at "\n" outside quoted fields (an even number of quotes so far in the
    row), each at most `limit` characters."""
    kept: list[str] = []  # the row so far (at most `limit` characters)
    size = 0
    cut = False
    inside = False  # inside a quoted field
    for chunk in chunks:
        parts = chunk.split("\n")
        last = len(parts) - 1
        if not (kept or cut or inside) and '"' not in chunk:  # no quotes: lines, as _lines reads them
            for i in range(last):
                line = parts[i]
                if len(line) > limit:
                    yield line[:limit], True
                else:
                    yield (line[:-1] if line.endswith("\r") else line), False
            parts, last = parts[last:], 0
        for i, part in enumerate(parts):
            if '"' in part and part.count('"') % 2:
                inside = not inside
            if not cut and part:
                if size + len(part) > limit:
                    kept.append(part[: limit - size])
                    size, cut = limit, True
                else:
                    kept.append(part)
                    size += len(part)
            if i == last:  # the row goes on in the next chunk
                break
            if inside:  # a newline inside a quoted field
                if not cut:
                    if size >= limit:
                        cut = True
                    else:
                        kept.append("\n")
                        size += 1
                continue
            text = kept[0] if len(kept) == 1 else "".join(kept)
            kept, size = [], 0
            if cut:
                cut = False
                yield text, True
            else:
                yield _ended(text), False
    if kept or cut:
        text = "".join(kept)
        yield (text, True) if cut else (_ended(text), False)


def _split_csv(text: str) -> list[str]:
    """A CSV row's fields (RFC 4180; a stray quote or carriage return is kept as text)."""
    if '"' not in text:
        return text.split(",")
    import csv

    try:
        return next(csv.reader((text,), strict=True))
    except (csv.Error, StopIteration):
        return _lenient_csv(text)


def _lenient_csv(text: str) -> list[str]:
    """Fields of a row the csv module refuses (a carriage return outside quotes, a quote inside
    an unquoted field): quoted where a field starts with a quote, as it is elsewhere."""
    fields: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            value, i = [], i + 1
            while i < n:
                j = text.find('"', i)
                if j < 0:
                    value.append(text[i:])
                    i = n
                    break
                value.append(text[i:j])
                if text.startswith('""', j):
                    value.append('"')
                    i = j + 2
                else:
                    i = j + 1
                    break
            comma = text.find(",", i)
            end = n if comma < 0 else comma
            fields.append("".join(value) + text[i:end])
        else:
            comma = text.find(",", i)
            end = n if comma < 0 else comma
            fields.append(text[i:end])
        if end >= n:
            return fields
        i = end + 1


_TSV_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _split_tsv(text: str) -> list[str]:
    """A TSV row's fields, with ics's escapes (\\t, \\n, \\r, \\\\) read back."""
    fields = text.split("\t")
    if "\\" in text:
        import re

        fields = [re.sub(r"\\([tnr\\])", lambda m: _TSV_ESCAPES[m.group(1)], f) if "\\" in f else f for f in fields]
    return fields
