"""The machine formats (json, jsonl, csv, tsv, md) and how a value becomes text.

Writers take an iterator of records and the selected :class:`~ics_cli.render.Column` list, write
as they go (at most ``_Buffer.size`` lines held), and return how many records they wrote. They
never import Rich. Value rules (see :mod:`ics_cli.render` for the full contract):

- ``None`` is empty in csv, tsv and md and ``null`` in JSON; ``True``/``False`` are
  ``true``/``false`` in flat formats; lists and dicts stay nested in JSON and become JSON text in
  csv and tsv (a list of plain values is joined with ``", "`` in table and md).
- TSV escapes a backslash, tab, newline and carriage return inside a value as ``\\\\``, ``\\t``,
  ``\\n`` and ``\\r`` (PostgreSQL's text format), so every record stays on one line. Other
  control characters (ESC, BEL, C1 controls) pass unchanged, as in CSV: piped formats are exact,
  for programs. To look at such output on a terminal use ``--format table`` or ``md``, which show
  them escaped (:func:`ics_cli.safetext.safe`).
- CSV: RFC 4180 quoting with ``\\n`` line ends.
- JSON escapes control characters itself (``\\u001b``); DEL, C1 controls and other characters
  pass as UTF-8, or as ``\\u`` escapes when stdout's encoding is not UTF
  (``PYTHONIOENCODING=ascii``), so JSON stays exact whatever the encoding.
- md: a backslash and the characters Markdown reads as markup (``|`` ``` ` ``` ``*`` ``[``
  ``]`` ``<`` ``>``, and ``_`` at either end of a word) are escaped with a backslash and line breaks become ``<br>``, so a
  value is shown as it is, never as a table cell's end, emphasis, a link or HTML; then
  :func:`ics_cli.safetext.safe`, as for table output.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ics_cli.safetext import safe
from ics_cli.streams import is_utf

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import TextIO


def flat(value: Any) -> str:
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


def human(value: Any) -> str:
    """A value as text for table and md: lists of plain values joined with ", "."""
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple, dict)) for v in value):
        return ", ".join(flat(v) for v in value)
    return flat(value)


def tsv_text(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


# Characters that would make Markdown read a value as markup: a backslash (which would undo the
# escape of a following |), the table's |, and the starts of code, emphasis, links and HTML. An
# underscore inside a word (org_id) is never emphasis, so it stays as it is. Compiled on the first
# md value (as safetext compiles its pattern), so json, csv and tsv output never pays for it.
_MD_MARKUP = r"[\\`*\[\]<>|]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])"
_MD_BREAK = r"\r\n|\r|\n"
_md_patterns: tuple[re.Pattern[str], re.Pattern[str]] | None = None


def md_text(text: str) -> str:
    global _md_patterns
    if _md_patterns is None:
        _md_patterns = re.compile(_MD_MARKUP), re.compile(_MD_BREAK)
    markup, breaks = _md_patterns
    if markup.search(text):
        text = markup.sub(r"\\\g<0>", text)
    if "\n" in text or "\r" in text:
        text = breaks.sub("<br>", text)
    return safe(text)


def json_encoder(indent: int | None = None, out: TextIO | None = None):
    """The JSON encoder for ``out``: UTF-8 text as it is, or ``\\u`` escapes for every non-ASCII
    character when ``out``'s encoding is not UTF."""
    import json

    ascii_only = out is not None and not is_utf(getattr(out, "encoding", None) or "utf-8")
    return json.JSONEncoder(ensure_ascii=ascii_only, default=str, indent=indent).encode


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


class _CsvLines(_Buffer):
    """A buffer for a :func:`_csv_writer`, whose rows end ``\\r\\n``, writing them with ``\\n``,
    ics's line end."""

    __slots__ = ()

    def write(self, text: str) -> None:
        self.add(text[:-2] + "\n")


def _csv_writer(out):
    """A csv.writer that quotes a value with a line break or a lone carriage return: before
    Python 3.12 the writer quotes only the characters of its line end, so it is ``\\r\\n``
    (a :class:`_CsvLines` `out` turns it into ``\\n``; :func:`_csv_text` cuts it off)."""
    import csv

    return csv.writer(out, lineterminator="\r\n")


# --- lists of records -------------------------------------------------------------------------------


_SCALARS = (str, int, float, bool, type(None))


def write_json(it, cols, out, *, as_is=False, **_) -> int:
    encode = json_encoder(2, out)
    # A flat record (every value a scalar) is laid out here with the C encoder for each value: the
    # same bytes as encode(obj), which with an indent runs Python's slower encoder over everything.
    scalar = json_encoder(None, out)
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


def _write_lines(it, out, header: list[str], line) -> int:
    """The header lines, then ``line(record)`` for each record; returns how many records."""
    buf = _Buffer(out)
    for text in header:
        buf.add(text)
    n = 0
    for rec in it:
        buf.add(line(rec))
        n += 1
    buf.flush()
    return n


def write_jsonl(it, cols, out, *, as_is=False, **_) -> int:
    encode = json_encoder(None, out)
    keys = [c.key for c in cols]
    if as_is:
        return _write_lines(it, out, [], lambda rec: encode(dict(rec)) + "\n")
    return _write_lines(it, out, [], lambda rec: encode({k: rec.get(k) for k in keys}) + "\n")


def _getter(positions: list[int]):
    """The values at `positions` of a tuple record, as a tuple (fast, in C)."""
    from operator import itemgetter

    get = itemgetter(*positions)
    return get if len(positions) > 1 else (lambda rec: (get(rec),))


def _csv_text(values, writer_for: list) -> str:
    """Values as one CSV line's text (RFC 4180 quoting, no line end)."""
    joined = ",".join([v or "" for v in values])
    if '"' in joined or "\n" in joined or "\r" in joined or joined.count(",") != len(values) - 1:
        if not writer_for:
            import io

            buf = io.StringIO()
            writer_for += [buf, _csv_writer(buf)]
        buf, writer = writer_for
        buf.seek(0)
        buf.truncate()
        writer.writerow(values)
        joined = buf.getvalue()[:-2]
    return joined


def _tsv_values(values) -> str:
    values = [v or "" for v in values]
    joined = "\t".join(values)
    if "\\" in joined or "\n" in joined or "\r" in joined or joined.count("\t") != len(values) - 1:
        joined = "\t".join([tsv_text(v) for v in values])
    return joined


def write_segments(it, cols, out, *, fmt: str, header: bool = True) -> int:
    """Records made of three parts, (values, shared values, last value), all text or None, with
    every column in order (render's ``segments``): csv or tsv, the shared part encoded once for
    each distinct tuple (``ics resolve``: the same answer on many rows)."""
    csv_out = fmt == "csv"
    sep = "," if csv_out else "\t"
    spare: list = []

    def encode(values) -> str:
        return _csv_text(values, spare) if csv_out else _tsv_values(values)

    keys = [c.key for c in cols]
    lines: list[str] = []  # written 512 at a time
    if header and keys:
        lines.append(encode(keys) + "\n")
    encoded: dict[int, tuple] = {}  # id of a shared part -> (the part, its text): kept alive, so ids stay unique
    special = '"' if csv_out else "\\"  # with a newline or a carriage return, what needs quoting or escaping
    n = 0
    for own, shared, last in it:
        done = encoded.get(id(shared))
        if done is None or done[0] is not shared:
            if len(encoded) >= 50_000:
                encoded.clear()
            done = encoded[id(shared)] = (shared, encode(shared))
        mine = sep.join(own) + sep + (last or "")  # the row's own values: the shared part is encoded
        if mine.count(sep) != len(own) or special in mine or "\n" in mine or "\r" in mine:
            lines.append(encode(own) + sep + done[1] + sep + encode((last,)) + "\n")  # a value needs quoting or escaping
        else:
            lines.append(sep.join(own) + sep + done[1] + sep + (last or "") + "\n")
        n += 1
        if len(lines) >= 512:
            out.write("".join(lines))
            lines.clear()
    if lines:
        out.write("".join(lines))
    return n


def write_tsv(it, cols, out, *, positions=None, **_) -> int:
    keys = [c.key for c in cols]
    header = ["\t".join([tsv_text(k) for k in keys]) + "\n"] if keys else []
    if positions:  # tuple records of text or None (render's `text`)
        get = _getter(positions)
        return _write_lines(it, out, header, lambda rec: _tsv_values(get(rec)) + "\n")
    return _write_lines(it, out, header, lambda rec: "\t".join([tsv_text(flat(rec.get(k))) for k in keys]) + "\n")


def write_csv(it, cols, out, *, positions=None, **_) -> int:
    keys = [c.key for c in cols]
    buf = _CsvLines(out)
    writer = _csv_writer(buf)
    if keys:
        writer.writerow(keys)
    n = 0
    if positions:  # tuple records of text or None (render's `text`), which csv writes empty
        get = _getter(positions)
        for rec in it:
            writer.writerow(get(rec))
            n += 1
    else:
        for rec in it:
            writer.writerow([flat(rec.get(k)) for k in keys])
            n += 1
    buf.flush()
    return n


_MD_ALIGN = {"left": "---", "right": "---:", "center": ":---:"}


def write_md(it, cols, out, **_) -> int:
    keys = [c.key for c in cols]
    header = []
    if keys:
        header.append("| " + " | ".join([md_text(c.header) for c in cols]) + " |\n")
        header.append("| " + " | ".join([_MD_ALIGN.get(c.justify, "---") for c in cols]) + " |\n")
    return _write_lines(it, out, header, lambda rec: "| " + " | ".join([md_text(human(rec.get(k))) for k in keys]) + " |\n")


WRITERS = {"json": write_json, "jsonl": write_jsonl, "csv": write_csv, "tsv": write_tsv, "md": write_md}


# --- one record ---------------------------------------------------------------------------------------


def flat_items(record: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(key, text) pairs; nested dicts become dotted keys, lists JSON text."""
    for key, value in record.items():
        if isinstance(value, dict) and value:
            yield from flat_items(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", flat(value)


def write_record(record: Mapping[str, Any], fmt: str, out: TextIO) -> None:
    """One record in a machine format: json one object (nested values kept); jsonl the same on one
    line; tsv ``key<TAB>value`` lines without a header; csv a ``key,value`` header and rows; md a
    two-column table. In the flat formats nested dicts become dotted keys and lists JSON text."""
    if fmt == "json":
        out.write(json_encoder(2, out)(dict(record)) + "\n")
    elif fmt == "jsonl":
        out.write(json_encoder(None, out)(dict(record)) + "\n")
    elif fmt == "tsv":
        for key, text in flat_items(record):
            out.write(f"{tsv_text(key)}\t{tsv_text(text)}\n")
    elif fmt == "csv":
        buf = _CsvLines(out)
        writer = _csv_writer(buf)
        writer.writerow(["key", "value"])
        writer.writerows(flat_items(record))
        buf.flush()
    elif fmt == "md":
        out.write("| key | value |\n| --- | --- |\n")
        for key, text in flat_items(record):
            out.write(f"| {md_text(key)} | {md_text(text)} |\n")
    else:  # pragma: no cover - render_record sends table output elsewhere
        raise ValueError(fmt)


def write_sheet_md(title: str, blocks: Sequence[Mapping[str, Any]], out: TextIO) -> None:
    """A sheet (the blocks ``ics show`` draws on a terminal) as a Markdown document to paste into
    a report: the title as a heading; each block under its own heading as a paragraph (one
    column), a list of **label**: value (a block of labelled facts), or a table whose header row
    is empty (GitHub-flavoured Markdown needs one; a sheet's columns have no names)."""
    out.write(f"# {md_text(title)}\n")
    for block in blocks:
        rows = [[md_text(human(cell)) for cell in row] for row in block.get("rows") or ()]
        if not rows:
            continue
        out.write(f"\n## {md_text(block['title'])}\n\n")
        ncols = max(len(r) for r in rows)
        if ncols == 1:
            out.write("\n\n".join(r[0] for r in rows) + "\n")
        elif ncols == 2 and list(block.get("styles") or ())[:1] == ["bold"]:
            out.writelines(f"- **{label}**: {value}\n" for label, value in rows)
        else:
            out.write("|" + "  |" * ncols + "\n|" + " --- |" * ncols + "\n")
            out.writelines("| " + " | ".join(r + [""] * (ncols - len(r))) + " |\n" for r in rows)
