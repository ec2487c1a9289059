"""`ics resolve`: map a column of identifiers (codes or names of any era) to organisations and to
a target level (ICB, sub-ICB location, region, STP, PCN) on a date.

Built for speed and streaming: the lookup keys, organisations and the day's memberships are read
into memory once (a few hundred milliseconds), then every input row costs dictionary look-ups;
results are memoised per distinct input. One output row per input row, in order; failures get a
status, never a dropped row."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from ics_cli import db, gaps, queries
from ics_cli.dates import existed
from ics_cli.normalise import normalise, org_id_form
from ics_cli.resolve import MAX_INPUT, kind_hints, pick, rank

TARGETS = {
    "icb": "icb",
    "sub-icb": "sub_icb",
    "sub_icb": "sub_icb",
    "region": "region",
    "stp": "stp",
    "pcn": "pcn",
    "ccg": "ccg",
    "icbs": "icb",
    "regions": "region",
    "sub-icbs": "sub_icb",
    "stps": "stp",
    "pcns": "pcn",
}
MEMO_LIMIT = 20_000  # distinct inputs remembered at once
COLUMNS = ("input", "status", "kind", "code", "name", "to_kind", "to_code", "to_ons_code", "to_name", "note", "org_id", "as_of")


class BulkResolver:
    def __init__(self, day: str, target: str | None):
        self.day = day
        self.target = target
        self.keys: dict[str, list[tuple]] = defaultdict(list)
        for r in db.iter_query("SELECT key, org_id, start, end FROM lookup"):
            self.keys[r["key"]].append((r["org_id"], r["start"], r["end"]))
        self.orgs = {r["org_id"]: r for r in db.iter_query("SELECT org_id, kind, code, ons_code, name, start, end FROM orgs")}
        # The day's parents: part_of, and a trust's HQ ICB.
        self.parents: dict[str, list[str]] = defaultdict(list)
        for r in db.iter_query(
            f"""SELECT child_id, parent_id FROM memberships WHERE relation IN ('part_of', 'hq_in') AND {queries.alive()}
                ORDER BY child_id, parent_id""",
            {"d": day},
        ):
            self.parents[r["child_id"]].append(r["parent_id"])
        self.memo: dict[str, dict] = {}
        self.districts: dict[str, tuple[list[str], str]] | None = None  # postcode district -> areas on the day, note
        self.targets: dict[str, dict] = {}  # org id -> its codes and name on the day (targets; inputs on an earlier day)
        self.forward: dict[str, tuple] = {}  # ended org id -> where it went
        self.counts: Counter = Counter()
        self.target_span: tuple[str, str] | None = None  # first and last day of the target level, read when needed
        from ics_cli.dates import coverage

        self.latest = coverage()[1]

    def _postcode(self, raw: str) -> dict:
        """A postcode or district: its sub-ICB location when the district lies in just one (the
        NHS ODS postcode files of July 2022); several make it ambiguous."""
        from ics_cli.search import postcode_district

        district = postcode_district(raw)
        if district is None:
            return {"status": "not_found"}
        if self.districts is None:
            self.districts = {}
        if district not in self.districts:
            self.districts[district] = queries.postcode_areas(district, self.day)
        found, note = self.districts[district]
        if not found:
            return {"status": "not_found"}
        if len(found) > 1:
            return {"status": "ambiguous", "note": f"{note} spans " + " ".join(found[:8])}
        result = self._resolve(found[0])
        return {**result, "note": f"{note}; {result['note']}" if result.get("note") else note}

    def _alive(self, oid: str) -> bool:
        return existed(self.orgs[oid], self.day)

    def _up(self, oid: str, kind: str) -> str | None:
        """The organisation of `kind` above `oid` on the day (breadth first through parents)."""
        frontier, seen = [oid], {oid}
        while frontier:
            nxt = []
            for o in frontier:
                if self.orgs[o]["kind"] == kind:
                    return o
                for p in self.parents.get(o, ()):
                    if p not in seen:
                        seen.add(p)
                        nxt.append(p)
            frontier = nxt
        return None

    def _resolve(self, text: str) -> dict:
        raw = text.strip()
        if not raw:
            return {"status": "empty"}
        if len(raw) > MAX_INPUT:
            return {"status": "not_found", "note": "input too long"}
        oid = None
        if ":" in raw:
            cand = org_id_form(raw)
            oid = cand if cand in self.orgs else raw if raw in self.orgs else None
        if oid is None:
            rows = []
            for org_id, start, end in self.keys.get(normalise(raw), ()):
                o = self.orgs[org_id]
                rows.append({**o, "k_start": start, "k_end": end})
            if not rows:
                return self._postcode(raw)
            top, others = pick(rank(rows, self.day, kind_hints(raw)))
            if top is None:
                return {"status": "ambiguous", "note": "candidates: " + " ".join(c["org_id"] for c in others[:8])}
            oid = top["org_id"]
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
                        "note": "; ".join(notes + [f"{self.target.replace('_', '-')}: one of {codes}"]),
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
            return f"not inside any {self.target.replace('_', '-')} on {self.day}"
        return f"there were no {self.target.replace('_', '-')}s on {self.day} (they existed {gaps.existed_span(first, last)})"

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
            notes.append(f"mapped through its last {now['via']['kind'].replace('_', '-')} {now['via']['code']}")
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


def read_inputs(stream, column: str | None) -> Iterator[str]:
    """Identifiers from a text stream: one per line, or the named column of a CSV (or, when its
    header has tabs, TSV: ics's own piped output) with a header."""
    if column is None:
        for line in stream:
            yield line.rstrip("\r\n")
        return
    import csv

    from ics_cli.errors import UsageError

    first = stream.readline()
    if not first:
        raise UsageError(f"The input is empty: no header row with a column {column!r}.")
    tsv = "\t" in first
    header = next(csv.reader([first], delimiter="\t" if tsv else ","))
    # ics's TSV escapes tabs and newlines with backslashes and never quotes.
    reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.reader(stream)
    header = [h.strip().lstrip("\ufeff") for h in header]
    if column not in header:
        raise UsageError(f"No column {column!r} in the input; its columns are: {', '.join(header)}.")
    index = header.index(column)
    for row in reader:
        yield row[index] if index < len(row) else ""
