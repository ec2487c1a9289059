"""`ics resolve`'s engine: identifiers (codes or names of any era, LSOAs, postcodes) to
organisations and to the organisations of several levels above them, each on its own day.

Each identifier is read as every command reads it (the one resolver: resolve.read and
resolve.pick over lookup_sources.MemorySource) and followed up by the one walk up the parent tree
(hierarchy.walk_up) over the dated maps of :mod:`ics_cli.bulk_maps` (each organisation's read on
first need, whole tables once a long input needs many): a row on any day then costs dictionary
look-ups. Answers are remembered up to :data:`MEMO_BYTES`: a text that names one organisation
whatever the day (a code, a name) is read once and its answer kept per organisation and day, or
with a date per row per organisation and epoch (bulk_maps.Epochs: the days on which any answer
about it can change); a small area or postcode per text and epoch of its blocks; anything else
per text and day. Most answers of a GP practice share the part above its first parents with the
practices that have the same ones (:meth:`Engine._answer`).

For each level asked (``--to``), four columns (:func:`result_columns`): ``<level>_code``,
``<level>_ons_code``, ``<level>_name``, ``<level>_short_name``, as they were on the day. A
level's answer is ``ok``, ``ambiguous`` (a postcode's LSOAs, a council's residents or a split's
parts lie in several: the note lists each with its share, largest first), ``unknown`` (the
sources do not say) or ``no_target``; the row's status is its worst level's, leaving out a level
none of which existed that day (ICBs in 2019) unless no level asked for existed. How an answer was
reached, and what it rests on, is in ``note`` (for several levels, prefixed by the level).

An organisation that had ended by the day is followed to where it went (queries.where_now); one
not yet founded has no target. An LSOA's district is its own block's, not its area's; a GP
practice's or a trust's district is that of its postcode's sector.
"""

from __future__ import annotations

from bisect import bisect_right

from ics_cli import gaps, queries
from ics_cli.bulk_maps import Epochs, Memo, Named, Parents
from ics_cli.bulk_places import Place, Places, _shares
from ics_cli.dates import existed
from ics_cli.hierarchy import first_of_each_kind, walk_on
from ics_cli.lookup_sources import MemorySource
from ics_cli.read_places import read_lsoa, read_postcode
from ics_cli.resolve import MAX_INPUT, pick, read
from ics_cli.vocab import span, word

LEVEL_FIELDS = ("code", "ons_code", "name", "short_name")
MEMO_BYTES = 24 << 20  # answers remembered, in (estimated) bytes
KEPT = 50_000  # walks, successors and councils' shares remembered per (organisation, day)
SEVERITY = ("ambiguous", "unknown", "no_target")  # a row's status: its worst level's
NOT_FOUND = {"status": "not_found"}


def result_columns(levels: tuple[str, ...]) -> list[str]:
    """The columns an answer adds, in order (documented in README.md and ``ics resolve --help``)."""
    columns = ["status", "kind", "code", "name"]
    for level in levels:
        columns += [f"{level}_{field}" for field in LEVEL_FIELDS]
    return columns + ["note", "org_id", "as_of"]


class Engine(Places):
    """Answers for identifiers on any days, to the levels asked (kinds of vocab.RESOLVE_LEVELS)."""

    def __init__(self, levels: tuple[str, ...] = ()):
        self.levels = levels
        self.source = MemorySource()
        self.orgs = self.source.orgs
        self.parents = Parents(self.orgs)
        self.named = Named(self.orgs)
        self.memo = Memo(MEMO_BYTES)
        self.kept: dict[tuple, object] = {}
        self._postcodes = None  # bulk_maps.Postcodes, read when a district of a practice is asked for
        self._spans: dict[str, tuple[str, str]] = {}
        self.keys = tuple(result_columns(levels)[:-1])  # every answer has every column but as_of
        self.not_found = self.as_values(NOT_FOUND)
        self.epochs: Epochs | None = None

    # --- one identifier on one day --------------------------------------------------------------

    def resolve(self, text: str, day: str) -> dict:
        """The answer for `text` on `day`: every column of :func:`result_columns` but as_of
        (None where empty)."""
        return dict(zip(self.keys, self.values(text, day)))

    def values(self, text: str, day: str) -> tuple:
        """The answer as a tuple in the order of :func:`result_columns` (without as_of): what is
        remembered, per organisation and epoch when the text names one organisation whatever
        the day, else per text and day."""
        raw = text.strip()
        fixed = self.memo.get(raw)  # the organisation it names whatever the day ("" for none)
        if fixed is not None:
            if not fixed:
                return self.not_found
            if fixed.__class__ is Place:  # a small area or postcode: the same between these days
                key = (raw, None, bisect_right(fixed.days, day))
                found = self.memo.get(key)
                if found is None:  # read by the reader that first read it (resolve.read's decision)
                    found = self.memo.put(key, self._answer_reading(fixed.reader(raw, day, self.source), day), len(raw))
                return found
            epochs = self.epochs
            if epochs is None:
                key = (fixed, day)
            else:
                days = epochs.days.get(fixed)
                key = (fixed, bisect_right(days if days is not None else epochs.of(fixed), day))
            found = self.memo.get(key)
            if found is None:
                found = self.memo.put(key, self._answer(fixed, day))
            return found
        found = self.memo.get((raw, day))
        if found is None:
            found = self._resolve(raw, day)
            fixed = self.memo.get(raw)
            if fixed.__class__ is Place:
                key = (raw, None, bisect_right(fixed.days, day))
            else:
                key = (fixed, self._epoch(fixed, day)) if fixed else (raw, day)
            self.memo.put(key, found, len(raw) + len(found[-2] or ""))
        return found

    def as_values(self, answer: dict) -> tuple:
        """An answer (a dict of some columns) as the tuple :meth:`values` gives."""
        get = answer.get
        return tuple([get(k) for k in self.keys])

    def _epoch(self, oid: str, day: str):
        """What an answer about `oid` on `day` is remembered by: the day, or with per-row dates
        the epoch of the day (bulk_maps.Epochs), which serves every day in it."""
        if self.epochs is None:
            return day
        days = self.epochs.days.get(oid)
        return bisect_right(days if days is not None else self.epochs.of(oid), day)

    def by_epochs(self) -> None:
        """Remember answers per epoch rather than per day (for input with a date per row)."""
        if self.epochs is None:
            self.epochs = Epochs(self.levels, self.orgs, self.parents, self.named)

    def _resolve(self, raw: str, day: str) -> tuple:
        if not raw:
            return self.as_values({"status": "empty"})
        if len(raw) > MAX_INPUT:
            return self.as_values({"status": "not_found", "note": "input too long"})
        reading = read(raw, day, self.source)
        if reading.by is None and len(reading.candidates) <= 1:  # the same on every day
            oid = reading.candidates[0]["org_id"] if reading.candidates else ""
            self.memo.put(raw, oid, len(raw))
            if oid:
                return self._answer(oid, day)
        if reading.by and self.epochs is not None:
            reader = read_lsoa if reading.by == "lsoa" else read_postcode
            self.memo.put(raw, Place(self._place_days(reading), reader), len(raw))  # the days are its blocks', shared
        return self._answer_reading(reading, day)

    def _answer_reading(self, reading, day: str) -> tuple:
        """The answer for a reading that is not one organisation whatever the day."""
        if not reading.candidates:
            if reading.by == "lsoa":
                return self.as_values(
                    {"status": "not_found", "note": f"LSOA {reading.place} is not in the data (LSOAs of England)"}
                )
            return self.not_found
        if reading.by in ("sector", "district") and len(reading.candidates) > 1:
            return self._spread(reading, day)
        top, others = pick(reading.candidates)
        if top is None:
            return self.as_values({"status": "ambiguous", "note": "candidates: " + " ".join(c["org_id"] for c in others[:8])})
        if reading.via and "la" not in self.levels:  # the area's answer (remembered), and how it was read
            area = self._org_values(top["org_id"], day)
            return (*area[:-2], f"{reading.via}; {area[-2]}" if area[-2] else reading.via, area[-1])
        base, outcomes, notes = self._map(top["org_id"], day)
        if reading.by and "la" in outcomes:  # a small area's own district, not its area's
            outcomes = {**outcomes, "la": self._place_la(reading, day)}
        return self._finish(base, outcomes, ([reading.via] if reading.via else []) + notes, day)

    def _org_values(self, oid: str, day: str) -> tuple:
        """The answer for organisation `oid` on `day`, remembered as a code naming it is."""
        key = (oid, self._epoch(oid, day))
        found = self.memo.get(key)
        if found is None:
            found = self.memo.put(key, self._answer(oid, day))
        return found

    def _answer(self, oid: str, day: str) -> tuple:
        """The answer for organisation `oid` on `day`. Most (a GP practice that day, to levels
        above it) depend only on its kind and first parents, and their part is shared by every
        organisation that has them; the rest go through :meth:`_map`."""
        org = self.orgs[oid]
        kind = org["kind"]
        if (
            not self.levels
            or "la" in self.levels
            or kind in self.levels
            or kind == "la"
            or not existed(org, day)
            or (day <= gaps.CCG_ERA_END and oid in self._undated_ids())
        ):
            return self._finish(*self._map(oid, day), day)
        key, found = self._walk(oid, day)
        shared = self.kept.get(("shared", kind, key))
        if shared is None:
            worst, levels, said = self._block({level: self._outcome(oid, level, day, found) for level in self.levels}, day)
            shared = self._keep(("shared", kind, key), (worst or "ok", levels, "; ".join(said) or None))
        code, _, name, _ = self.named.on(oid, day)
        return (shared[0], kind, code, name, *shared[1], shared[2], oid)

    def _undated_ids(self) -> set[str]:
        found = self.kept.get(("undated",))
        if found is None:
            found = self._keep(("undated",), {w["child_id"] for w in gaps.moves_between_editions()})
        return found

    def _map(self, oid: str, day: str) -> tuple[dict, dict, list[str]]:
        """Organisation `oid` on `day`: its columns, an outcome per level (status, target org id,
        note) and notes; an organisation that had ended is followed to where it went."""
        org = self.orgs[oid]
        code, _, name, _ = self.named.on(oid, day)
        base = {"status": "ok", "kind": org["kind"], "code": code, "name": name, "org_id": oid}
        alive = existed(org, day)
        if not self.levels:
            if alive:
                return base, {}, []
            ended = org["end"] and org["end"] < day
            return base, {}, [f"ended {org['end']}" if ended else f"started {org['start']}"]
        if alive:
            return base, self._outcomes(oid, day), self._undated(oid, day)
        if (org["start"] or "") > day:
            return base, dict.fromkeys(self.levels, ("no_target", None, None)), [f"did not exist until {org['start']}"]
        here, notes, candidates = self._forward(oid, day)
        if candidates:  # went to one or more of these, not recorded which: fine where they agree
            outcomes = {}
            for level in self.levels:
                each = [self._outcome(c, level, day) for c in candidates]
                targets = {o[1] for o in each}
                if len(targets) > 1:
                    codes = [(self.orgs[t]["code"] if t else "none", None) for t in targets]
                    outcomes[level] = ("ambiguous", None, _shares(codes))
                else:
                    outcomes[level] = each[0]
            return base, outcomes, notes
        if here is None:
            return base, dict.fromkeys(self.levels, ("no_target", None, None)), [*notes, "no recorded successor"]
        return base, self._outcomes(here, day), notes + self._undated(here, day)

    def _finish(self, base: dict, outcomes: dict, notes: list[str], day: str) -> tuple:
        """The answer's values (as :meth:`values` gives them) from an organisation's columns, its
        outcome per level and notes."""
        worst, levels, said = self._block(outcomes, day) if outcomes else (None, (), ())
        note = "; ".join([*notes, *said]) if notes or said else None
        get = base.get
        return (worst or get("status"), get("kind"), get("code"), get("name"), *levels, note, get("org_id"))

    def _block(self, outcomes: dict, day: str) -> tuple:
        """The levels' part of an answer: the worst status, the level columns' values in order,
        the notes (remembered: many rows have the same outcomes)."""
        key = (*outcomes.values(), day)
        found = self.kept.get(key)
        if found is not None:
            return found
        statuses = {o[0] for o in outcomes.values()}
        worst = "no_target" if statuses == {"no_level"} else next((s for s in SEVERITY if s in statuses), None)
        several = len(self.levels) > 1
        values: list[str | None] = []
        said = []
        for level in self.levels:
            _, tid, note = outcomes[level]
            values.extend(self.named.on(tid, day) if tid else (None, None, None, None))
            if note:
                said.append(f"{word(level)}: {note}" if several else note)
        return self._keep(key, (worst, tuple(values), said))

    # --- levels -------------------------------------------------------------------------------------

    def _outcomes(self, oid: str, day: str) -> dict:
        """An outcome per level for `oid`, alive on `day`. But for its district, they depend only
        on its kind and first parents: worked out once for every organisation that has them."""
        kind = self.orgs[oid]["kind"]
        ids, found = self._walk(oid, day)
        if kind in self.levels or kind == "la":
            return {level: self._outcome(oid, level, day, found) for level in self.levels}
        key = ("outcomes", kind, ids)  # the walk's key: its first parents and their epochs (or the day)
        shared = self.kept.get(key)
        if shared is None:
            shared = self._keep(key, {level: self._outcome(oid, level, day, found) for level in self.levels if level != "la"})
        if "la" not in self.levels:
            return shared
        return {level: self._la(oid, day) if level == "la" else shared[level] for level in self.levels}

    def _outcome(self, oid: str, level: str, day: str, found: dict | None = None) -> tuple[str, str | None, str | None]:
        """(status, target org id, note) for organisation `oid`, alive on `day`, at `level`
        (`found`: its walk up, hierarchy.walk_up)."""
        org = self.orgs[oid]
        if org["kind"] == level:
            return ("ok", oid, None)
        if level == "la":
            return self._la(oid, day)
        if found is None:
            found = self._walk(oid, day)[1]
        if level in found:
            return ("ok", found[level]["org_id"], None)
        if org["kind"] == "la":
            tid, spread = self._overlap(oid, level, day)
            if tid:
                return ("ok", tid, spread)
        outside = self._outside(level, day)
        if (
            org["kind"] == "practice"
            and gaps.practice_ccg_unknown(day)
            and level not in ("pcn", "icb", "sub_icb")
            and "ccg" not in found
            and outside.startswith("not inside")
        ):  # not "outside every CCG": the sources do not say which CCG it was in that day
            return ("unknown", None, f"its {word(level)} that day is not recorded: {gaps.PRACTICE_GAP}")
        if level == "pcn" and org["kind"] == "practice" and gaps.PCN_DES_FROM <= day < self._span(level)[0]:
            return ("unknown", None, f"its pcn that day is not recorded: {gaps.PCN_GAP}")
        # "there were no ICBs that day": a level of another era, which the row's status overlooks
        # when another level asked for existed (ccg,icb over 2015 to 2023).
        return ("no_target" if outside.startswith("not inside") else "no_level", None, outside)

    def _walk(self, oid: str, day: str) -> tuple[tuple, dict]:
        """hierarchy.walk_up on the day, with the ids of the organisation's first parents: the walk
        above them is shared by every organisation that has them (the practices of one PCN and CCG)."""
        parents_of = self.parents.on(day)
        first = first_of_each_kind(parents_of(oid))
        ids = tuple(p["org_id"] for p in first.values())
        # Everything above its first parents changes only on their days (bulk_maps.Epochs), or
        # with no parents, on any day.
        if self.epochs is None or not ids:
            key = (ids, day)
        else:
            days = self.kept.get(ids)  # the days any of them changes on (bulk_maps.Epochs)
            if days is None:
                days = self._keep(ids, sorted(set().union(*(self.epochs.of(i) for i in ids))))
            key = (ids, bisect_right(days, day))
        found = self.kept.get(key)
        if found is None:
            found = self._keep(key, walk_on(first, parents_of))
        return key, found

    def _keep(self, key: tuple, value):
        if len(self.kept) >= KEPT:
            self.kept.clear()
        self.kept[key] = value
        return value

    def _outside(self, level: str, day: str) -> str:
        """Why an organisation has no target on the day: outside every one, or none existed then."""
        first, last = self._span(level)
        if first <= day <= last:
            return f"not inside any {word(level)} that day"
        if level == "pcn":  # PCNs began on 2019-07-01; ODS records them from 2019-10-01 (PCN_GAP)
            first = min(first, gaps.PCN_DES_FROM)
        return f"there were no {word(level, plural=True)} that day (they existed {span(first, last, since=True)})"

    def _span(self, level: str) -> tuple[str, str]:
        """The first and last days any organisation of `level` existed."""
        if level not in self._spans:
            self._spans[level] = queries.kind_span(level)
        return self._spans[level]

    def _undated(self, oid: str, day: str) -> list[str]:
        """A move of CCG the sources place only between two editions (gaps.undated_move)."""
        if day <= gaps.CCG_ERA_END and self.orgs[oid]["kind"] in ("practice", "pcn"):
            moved = gaps.undated_move(day, oid)
            if moved:
                return [gaps.undated_note(moved)]
        return []

    def _forward(self, oid: str, day: str) -> tuple[str | None, list[str], list[str]]:
        """Where an organisation that had ended by the day went (queries.where_now), with notes;
        when it went to one or more of several with no record of which, those candidates."""
        key = ("forward", oid, day)
        if key in self.kept:
            return self.kept[key]
        now = queries.where_now(oid, day)
        notes = [f"ended {self.orgs[oid]['end']}"]
        if now["via"]:
            notes.append(f"mapped through its last {word(now['via']['kind'])} {now['via']['code']}")
        here, after = now["org_id"], now["after"]
        parts = [(self.orgs[a["org_id"]]["code"], a["share"]) for a in after]
        if now["uncertain"]:
            notes.append(f"its area merged, then the merged body was split: it went to {_shares(parts)} (not recorded which)")
            return self._keep(key, (None, notes, [a["org_id"] for a in after]))
        if here is not None and after:
            notes.append(f"now {self.orgs[here]['code']}")
            if len(after) > 1:
                shares = "" if after[0]["certain"] else " (its own part's shares not recorded)"
                notes.append(f"split: {_shares(parts)}{shares}")
        return self._keep(key, (here, notes, []))

    def _overlap(self, la: str, level: str, day: str) -> tuple[str | None, str | None]:
        """A council's organisation of `level`: the one holding most of its residents (shares noted)."""
        key = ("overlaps", la, day)
        overlaps = self.kept.get(key)
        if overlaps is None:
            overlaps = self._keep(key, [m for m in queries.memberships_of(la, day) if m["relation"] == "overlaps"])
        rows = [m for m in overlaps if m["kind"] == level]
        if not rows:
            # A level councils are not overlaid with (a region): the one above the ICB holding most residents.
            icbs = [m for m in overlaps if m["kind"] == "icb"]
            up = self._walk(icbs[0]["org_id"], day)[1].get(level) if icbs else None
            return (up["org_id"] if up else None), (
                None if up is None or len(icbs) == 1 else "by its largest ICB, " + icbs[0]["code"]
            )
        spread = None if len(rows) == 1 else "residents in " + _shares([(r["code"], r["share"]) for r in rows])
        return rows[0]["org_id"], spread
