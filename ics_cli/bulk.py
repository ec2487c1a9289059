"""`ics resolve`: map a column of identifiers (codes or names of any era) to organisations and to
a target level (ICB, sub-ICB location, region, STP, PCN) on a date.

Each identifier is read as every command reads it (the one resolver: resolve.read and
resolve.pick), over resolve.MemorySource, and followed up to the target by the one walk up the
parent tree (hierarchy.nearest). Built for speed and streaming: the lookup keys, organisations and
the day's memberships are read into memory once (about a tenth of a second), then every input
row costs dictionary look-ups; results are memoised per distinct input. One output row per input
row, in order; failures get a status, never a dropped row. `open_input` and `read_inputs` read
FILE or standard input, plain lines or a CSV (or ics's own TSV) column."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

from ics_cli import db, gaps, queries
from ics_cli.dates import existed
from ics_cli.hierarchy import RELATIONS, nearest
from ics_cli.resolve import MAX_INPUT, MemorySource, pick, read
from ics_cli.vocab import span, word

MEMO_LIMIT = 20_000  # distinct inputs remembered at once
COLUMNS = ("input", "status", "kind", "code", "name", "to_kind", "to_code", "to_ons_code", "to_name", "note", "org_id", "as_of")


class BulkResolver:
    """Resolves a stream of identifiers on one day, each to an organisation (the one resolver,
    resolve.read and resolve.pick, over resolve.MemorySource) and, with a target, to the
    organisation of that kind it was in (hierarchy.nearest over the day's memberships in memory)."""

    def __init__(self, day: str, target: str | None):
        self.day = day
        self.target = target
        self.source = MemorySource()
        self.orgs = self.source.orgs
        # The day's parents that a walk up follows (part_of, and a trust's HQ ICB), by org id.
        self.parents: dict[str, list[str]] = defaultdict(list)
        relations = ", ".join(f"'{r}'" for r in RELATIONS)
        for child_id, parent_id in db.rows(
            f"""SELECT child_id, parent_id FROM memberships WHERE relation IN ({relations}) AND {queries.alive()}
                ORDER BY child_id, parent_id""",
            {"d": day},
        ):
            self.parents[child_id].append(parent_id)
        self.memo: dict[str, dict] = {}
        self.targets: dict[str, dict] = {}  # org id -> its codes and name on the day (targets; inputs on an earlier day)
        self.forward: dict[str, tuple] = {}  # ended org id -> where it went
        self.counts: Counter = Counter()
        self.target_span: tuple[str, str] | None = None  # first and last day of the target level, read when needed
        from ics_cli.dates import coverage

        self.latest = coverage()[1]

    def _alive(self, oid: str) -> bool:
        return existed(self.orgs[oid], self.day)

    def _parents_of(self, oid: str) -> list[dict]:
        return [self.orgs[p] for p in self.parents.get(oid, ())]

    def _up(self, oid: str, kind: str) -> str | None:
        """The organisation of `kind` that `oid` is in on the day (hierarchy.nearest: itself, or
        the nearest parent of that kind)."""
        found = nearest(self.orgs[oid], kind, self._parents_of)
        return found["org_id"] if found else None

    def _resolve(self, text: str) -> dict:
        raw = text.strip()
        if not raw:
            return {"status": "empty"}
        if len(raw) > MAX_INPUT:
            return {"status": "not_found", "note": "input too long"}
        reading = read(raw, self.day, self.source)
        if not reading.candidates:
            return {"status": "not_found"}
        top, others = pick(reading.candidates)
        if top is None:
            ids = " ".join(c["org_id"] for c in others[:8])
            return {"status": "ambiguous", "note": f"{reading.via} spans {ids}" if reading.via else f"candidates: {ids}"}
        result = self._map(top["org_id"])
        if reading.via:  # how the text was read (a postcode district), before what followed
            result["note"] = f"{reading.via}; {result['note']}" if result.get("note") else reading.via
        return result

    def _map(self, oid: str) -> dict:
        """The row for organisation `oid`: its code and name on the day and, with a target, the
        organisation of that kind it (or, once it had ended, its successor) was in."""
        org = self.orgs[oid]
        named = self._as_on_day(oid)
        out = {"status": "ok", "kind": org["kind"], "code": named["code"], "name": named["name"], "org_id": oid}
        if not self.target:
            if not self._alive(oid):
                out["note"] = f"ended {org['end']}" if org["end"] and org["end"] < self.day else f"started {org['start']}"
            return out
        here = oid
        notes = []
        if not self._alive(oid):
            if not (org["end"] and org["end"] < self.day):
                return {**out, "status": "no_target", "note": f"did not exist until {org['start']}"}
            if oid not in self.forward:
                self.forward[oid] = self._forward(oid)
            here, notes, candidates = self.forward[oid]
            notes = list(notes)
            if candidates:  # went to one or more of these, not recorded which: fine if they share the target
                tids = {self._up(c, self.target) for c in candidates}
                if len(tids) > 1:
                    codes = ", ".join(sorted(self.orgs[t]["code"] if t else "none" for t in tids))
                    return {
                        **out,
                        "status": "ambiguous",
                        "note": "; ".join(notes + [f"{word(self.target)}: one of {codes}"]),
                    }
                here = candidates[0]
            if here is None:
                return {**out, "status": "no_target", "note": f"ended {org['end']} with no recorded successor"}
        tid = self._up(here, self.target)
        if tid is None and self.orgs[here]["kind"] == "la":
            tid, spread = self._overlap(here)
            if spread:
                notes.append(spread)
        if (
            tid is None
            and self.orgs[here]["kind"] == "practice"
            and gaps.practice_ccg_unknown(self.day)
            and self.target not in ("pcn", "icb", "sub_icb")
            and self._up(here, "ccg") is None
            and self._outside().startswith("not inside")
        ):
            # Not "outside every CCG": the sources do not say which CCG it was in that day.
            return {
                **out,
                "status": "unknown",
                "note": "; ".join(notes + [f"its {self.target} on {self.day} is not recorded: {gaps.PRACTICE_GAP}"]),
            }
        if tid is None:
            return {**out, "status": "no_target", "note": "; ".join(notes + [self._outside()])}
        t = self.targets.get(tid)
        if t is None:
            t = self.targets[tid] = queries.org_on(tid, self.day)
        out.update(to_kind=self.target, to_code=t["code"], to_ons_code=t["ons_code"], to_name=t["name"])
        if self.day <= gaps.CCG_ERA_END and self.orgs[here]["kind"] in ("practice", "pcn"):
            undated = gaps.undated_move(self.day, here)  # a move the sources place only between two editions
            if undated:
                notes.append(gaps.undated_note(undated))
        if notes:
            out["note"] = "; ".join(notes)
        return out

    def _outside(self) -> str:
        """Why an organisation has no target on the day: outside every one, or none existed then."""
        if self.target_span is None:
            self.target_span = queries.kind_span(self.target)
        first, last = self.target_span
        if first <= self.day <= last:
            return f"not inside any {word(self.target)} on {self.day}"
        return f"there were no {word(self.target, plural=True)} on {self.day} (they existed {span(first, last, since=True)})"

    def _as_on_day(self, oid: str) -> dict:
        """An organisation's code and name on the day: the orgs row holds the latest ones (the
        day's for the default day, or its last day's if it had ended), else they are looked up."""
        org = self.orgs[oid]
        if self.day >= self.latest or not self._alive(oid):
            return org
        t = self.targets.get(oid)
        if t is None:
            t = self.targets[oid] = queries.org_on(oid, self.day)
        return t

    def _forward(self, oid: str) -> tuple[str | None, list[str], list[str]]:
        """Where an organisation that had ended by the day went (queries.where_now), with notes;
        when it went to one or more of several with no record of which, those candidates."""
        now = queries.where_now(oid, self.day)
        notes = [f"ended {self.orgs[oid]['end']}"]
        if now["via"]:
            notes.append(f"mapped through its last {word(now['via']['kind'])} {now['via']['code']}")
        here, after = now["org_id"], now["after"]
        codes = ", ".join(
            f"{self.orgs[a['org_id']]['code']} {a['share']:.0%}" if a["share"] is not None else self.orgs[a["org_id"]]["code"]
            for a in after
        )
        if now["uncertain"]:
            notes.append(
                f"its area merged, then the merged body was split: it went to one or more of {codes} (not recorded which)"
            )
            return None, notes, [a["org_id"] for a in after]
        if here is None or not after:
            return here, notes, []
        notes.append(f"now {self.orgs[here]['code']}")
        if len(after) > 1:
            shares = "" if after[0]["certain"] else " (its own part's shares not recorded)"
            notes.append(f"split: {codes}{shares}")
        return here, notes, []

    def _overlap(self, la: str) -> tuple[str | None, str]:
        """A council's ICB of the target kind: the one holding most of its residents (shares noted)."""
        overlaps = [m for m in queries.memberships_of(la, self.day) if m["relation"] == "overlaps"]
        rows = [m for m in overlaps if m["kind"] == self.target]
        if not rows:
            # A level councils are not overlaid with (a region): the one above the ICB holding most residents.
            icbs = [m for m in overlaps if m["kind"] == "icb"]
            up = self._up(icbs[0]["org_id"], self.target) if icbs else None
            return up, "" if up is None or len(icbs) == 1 else "by its largest ICB, " + icbs[0]["code"]
        spread = "" if len(rows) == 1 else "residents in " + ", ".join(f"{r['code']} {r['share']:.0%}" for r in rows)
        return rows[0]["org_id"], spread

    def resolve(self, text: str) -> dict:
        key = text.strip()
        result = self.memo.get(key)
        if result is None:
            if len(self.memo) >= MEMO_LIMIT:  # memory stays flat however many distinct inputs come
                self.memo.clear()
            result = self.memo[key] = self._resolve(key)
        self.counts[result["status"]] += 1
        return result

    def rows(self, inputs: Iterable[str]) -> Iterator[dict]:
        for text in inputs:
            r = self.resolve(text)
            yield {
                "input": text,
                "status": r["status"],
                "kind": r.get("kind"),
                "code": r.get("code"),
                "name": r.get("name"),
                "to_kind": r.get("to_kind"),
                "to_code": r.get("to_code"),
                "to_ons_code": r.get("to_ons_code"),
                "to_name": r.get("to_name"),
                "note": r.get("note"),
                "org_id": r.get("org_id"),
                "as_of": self.day,
            }

    def summary(self) -> str:
        total = sum(self.counts.values())
        ok = self.counts.get("ok", 0)
        rest = ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in sorted(self.counts.items()) if s != "ok")
        return f"Resolved {ok:,} of {total:,} input rows" + (f" ({rest})" if rest else "") + f" as of {self.day}."


@contextmanager
def open_input(file: str | None, column: str | None) -> Iterator[TextIO]:
    """The text stream to read identifiers from: FILE, or standard input for None and "-".

    Bytes that are not UTF-8 become U+FFFD (and that row "not_found"), never an error; a CSV is
    read with newline="" so that quoted newlines stay inside their field."""
    from ics_cli.errors import UsageError

    newline = "" if column else None
    if file in (None, "-"):
        if sys.stdin is None:  # started with `<&-`
            raise UsageError("ics resolve reads identifiers from standard input or FILE; standard input is closed.")
        if sys.stdin.isatty():
            raise UsageError("ics resolve reads identifiers from standard input or FILE; nothing was piped in.")
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            yield sys.stdin
        else:
            import io

            yield io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline=newline)
        return
    try:
        stream = open(file, encoding="utf-8-sig", newline=newline, errors="replace")
    except OSError as e:
        from ics_cli.safetext import path

        raise UsageError(f"Cannot read {path(file)}: {e.strerror}.") from None
    with stream:
        yield stream


def read_inputs(stream, column: str | None) -> Iterator[str]:
    """Identifiers from a text stream: one per line, or the named column of a CSV (or, when its
    header has tabs, TSV: ics's own piped output) with a header."""
    if column is None:
        for line in stream:
            yield line.rstrip("\r\n")
        return
    import csv

    from ics_cli.errors import UsageError
    from ics_cli.safetext import cut, quoted

    first = stream.readline()
    if not first:
        raise UsageError(f"The input is empty: no header row with a column {quoted(column)}.")
    tsv = "\t" in first
    header = next(csv.reader([first], delimiter="\t" if tsv else ","))
    # ics's TSV escapes tabs and newlines with backslashes and never quotes.
    reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.reader(stream)
    header = [h.strip().lstrip("\ufeff") for h in header]
    if column not in header:
        names = ", ".join(cut(h) for h in header[:20]) + (f" and {len(header) - 20} more" if len(header) > 20 else "")
        raise UsageError(f"No column {quoted(column)} in the input; its columns are: {names}.")
    index = header.index(column)
    for row in reader:
        yield row[index] if index < len(row) else ""
