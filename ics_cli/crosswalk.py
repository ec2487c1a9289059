"""``ics export crosswalk FROM TO``: the dated interval table behind ``ics resolve --to TO``, for
joins too big to stream through Python (DuckDB, Spark, a warehouse).

One row per organisation (or LSOA) of kind FROM, interval and part: ``<from>_code``
(``from_<from>_code`` when TO is the same kind),
``valid_from`` and ``valid_to`` (inclusive, ISO days), ``status`` (as ``ics resolve`` gives it),
``<to>_code``, ``<to>_ons_code``, ``<to>_name``, ``share`` and ``part``, and ``note``. Part 1 is
the answer ``ics resolve`` gives on those days; an organisation that had been split (an ICB in
April 2026) has a row for each part it went to, with its share of the residents, largest first
(``share`` is empty when the whole of it is in the one target). The intervals cover every day
of the data, first to last, as ``ics resolve`` answers them: before the organisation existed
(``no_target``), while it did, and, after it ended, where it went (old codes mapped forward).

The answers are those of the one engine (``bulk.Engine``), worked out on the first day of each
epoch of the organisation (``bulk_maps.Epochs``: the days on which any answer about it can
change), and consecutive epochs with the same answer are merged; so the table agrees with ``ics
resolve --date-column`` row for row (tests/test_crosswalk.py checks it with DuckDB).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from ics_cli import queries
from ics_cli.dates import coverage, day_before
from ics_cli.errors import UsageError
from ics_cli.safetext import quoted
from ics_cli.vocab import KINDS, kind_of_word

FROM_KINDS = ("practice", "pcn", "trust", "ccg", "sub_icb", "stp", "icb", "area_team", "region", "la", "lsoa")


def parse(what: str, frm: str, to: str, fmt: str | None) -> tuple[str, str, str]:
    """``ics export WHAT FROM TO --format``: the FROM kind, the TO level and the format (csv by
    default; a machine format); exit 2 otherwise."""
    from ics_cli.terminal import check_format
    from ics_cli.vocab import parse_level

    if what.strip().lower() != "crosswalk":
        raise UsageError(f"Unknown export {quoted(what)}: the one export is 'crosswalk' (ics export crosswalk FROM TO).")
    fmt = check_format(fmt) if fmt else "csv"
    if fmt in ("table", "md"):
        raise UsageError(f"--format {fmt} does not suit a crosswalk: use csv, tsv, jsonl or json.")
    return parse_from(frm), parse_level(to, what="crosswalk TO"), fmt


@contextmanager
def output_file(path: str) -> Iterator[TextIO]:
    """FILE (``-o``) open for writing the crosswalk, closed after; exit 1 when it cannot be
    opened, written or closed (a directory, a missing folder, a full disk: ``-o /dev/full``)."""
    from ics_cli.errors import cannot_write

    try:
        out = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as e:
        raise cannot_write(path, e) from None
    try:
        with out:
            yield out
    except OSError as e:
        raise cannot_write(path, e) from None


def parse_from(word: str) -> str:
    """The kind a crosswalk starts from (any kind word, or lsoa); exit 2 otherwise."""
    kind = "lsoa" if word.strip().lower() in ("lsoa", "lsoas") else kind_of_word(word)
    if kind not in FROM_KINDS:
        words = ", ".join("lsoa" if k == "lsoa" else KINDS[k].one for k in FROM_KINDS)
        raise UsageError(f"Unknown crosswalk FROM {quoted(word)}. Use one of: {words}.")
    return kind


def columns(frm: str, to: str) -> list[str]:
    """The crosswalk's columns (``from_<kind>_code`` first when FROM and TO are the same kind)."""
    return [
        f"{frm}_code" if frm != to else f"from_{frm}_code",
        "valid_from",
        "valid_to",
        "status",
        f"{to}_code",
        f"{to}_ons_code",
        f"{to}_name",
        "share",
        "part",
        "note",
    ]


def rows(frm: str, to: str) -> Iterator[tuple]:
    """The crosswalk's rows, in the order of :func:`columns`, by code and day."""
    from ics_cli.bulk import Engine

    engine = Engine((to,))
    engine.by_epochs()
    first, last = coverage()
    if frm == "lsoa":
        yield from _lsoa_rows(engine, first, last)
        return
    by_code: dict[str, list[str]] = {}
    for org in sorted((o for o in engine.orgs.values() if o["kind"] == frm), key=lambda o: (o["code"], o["org_id"])):
        by_code.setdefault(org["code"], []).append(org["org_id"])
    for code, oids in by_code.items():
        if len(oids) == 1:
            yield from _intervals(engine, oids[0], oids[0], engine.epochs.of(oids[0]), first, last)
        else:  # a code two organisations held in turn (QHM, two STPs): one row per day, as resolve reads it
            days = sorted(set().union(*(engine.epochs.of(oid) for oid in oids)))
            yield from _intervals(engine, oids[0], f"{frm}:{code}", days, first, last)


def _intervals(engine, oid: str, text: str, days: list[str], start: str, last: str) -> Iterator[tuple]:
    """The merged intervals of `text` (read as `oid`) from `start` to `last`."""
    bounds = [start, *days[bisect_right(days, start) : bisect_right(days, last)]]
    held = None  # (the answer's rows without days, the first day it held)
    for day in bounds:
        answer = _parts(engine, oid, text, day)
        if held is None or answer != held[0]:
            if held is not None:
                yield from _emit(held[0], held[1], day_before(day))
            held = (answer, day)
    if held is not None:
        yield from _emit(held[0], held[1], last)


def _emit(parts: tuple, valid_from: str, valid_to: str) -> Iterator[tuple]:
    for code, status, target, share, part, note in parts:
        yield (code, valid_from, valid_to, status, *target, share, part, note)


def _parts(engine, oid: str | None, text: str, day: str) -> tuple:
    """The crosswalk's rows for `text` on `day` (without the days): part 1 the engine's answer;
    for an organisation split by the day, one more part for each other organisation it went to."""
    answer = dict(zip(engine.keys, engine.values(text, day)))
    level = engine.levels[0]
    code = answer["code"] if oid else text
    target = (answer[f"{level}_code"], answer[f"{level}_ons_code"], answer[f"{level}_name"])
    oid = oid and (answer["org_id"] or oid)  # the organisation the code names that day
    org = engine.orgs[oid] if oid else None
    shares = _split(engine, oid, level, day) if org and org["end"] and org["end"] < day and answer["status"] == "ok" else []
    if len(shares) < 2:
        return ((code, answer["status"], target, None, "1", answer["note"]),)
    out = []
    for part, (tid, share) in enumerate(shares, 1):
        named = engine.named.on(tid, day)
        out.append((code, answer["status"], (named[0], named[1], named[2]), f"{share:.4f}", str(part), answer["note"]))
    return tuple(out)


def _split(engine, oid: str, level: str, day: str) -> list[tuple[str, float]]:
    """Where an organisation that had ended went, at `level`, with shares (largest first, the
    engine's own answer first): [] unless it was split with recorded shares."""
    now = queries.where_now(oid, day)
    if now["uncertain"] or len(now["after"]) < 2 or any(a["share"] is None for a in now["after"]):
        return []
    if abs(sum(a["share"] for a in now["after"]) - 1) > 0.02:  # parts given away earlier, not a split of the whole
        return []
    sums: dict[str, float] = {}
    for a in now["after"]:
        tid = engine._outcome(a["org_id"], level, day)[1]
        if tid is None:
            return []
        sums[tid] = sums.get(tid, 0.0) + a["share"]
    best = engine._outcome(now["org_id"], level, day)[1]
    return sorted(sums.items(), key=lambda kv: (kv[0] != best, -kv[1], kv[0]))


def _lsoa_rows(engine, first: str, last: str) -> Iterator[tuple]:
    """LSOAs, block by block: every LSOA of a block lies in the same areas on every day, so the
    block's first LSOA is worked out on the days its parents or their answers change
    (bulk_maps.Epochs.of_blocks), and each LSOA of the block gets those rows."""
    from ics_cli import small_areas

    blocks: dict[int, list[str]] = {}
    for code, block in sorted(small_areas.lsoa_blocks().items()):
        blocks.setdefault(block, []).append(code)
    for block in sorted(blocks):
        days = engine.epochs.of_blocks((block,))
        first_code = blocks[block][0]
        rows = list(_intervals(engine, None, first_code, days, first, last))
        for code in blocks[block]:
            for row in rows:
                yield from _own_note(engine, code, first_code, row)


def _own_note(engine, code: str, first_code: str, row: tuple) -> Iterator[tuple]:
    """A block's row for LSOA `code`: its note begins with how the block's first LSOA was read,
    this one's instead, which changes where the LSOA lookups change census (April 2023). Both
    are read as the engine reads an LSOA (its source's lsoa, over tables held in memory)."""
    from ics_cli import small_areas, wording

    note, start, end = row[-1], row[1], row[2]
    switch = small_areas.LOOKUPS_2021_FROM
    pieces = [(start, end)]
    if start < switch <= end:
        pieces = [(start, day_before(switch)), (switch, end)]
    held: tuple | None = None
    for a, b in pieces:
        said = note
        if note:
            theirs = wording.lsoa_via(engine.source.lsoa(first_code, a))
            own = wording.lsoa_via(engine.source.lsoa(code, a))
            said = own + note[len(theirs) :] if note.startswith(theirs) else note
        if held is not None and said == held[-1]:  # the same on both sides: one row
            held = (*held[:2], b, *held[3:])
            continue
        if held is not None:
            yield held
        held = (code, a, b, *row[3:-1], said)
    if held is not None:
        yield held
