"""The dated maps ``ics resolve`` holds in memory, each organisation's read on first need (one
indexed query) and kept, so that a row on any day costs dictionary look-ups (:mod:`ics_cli.bulk`);
at most the whole of the tables, however long the input:

- :class:`Parents`: every ``part_of`` and ``hq_in`` membership with its dates, by child, for the
  one walk up the parent tree (:mod:`ics_cli.hierarchy`) on any day;
- :class:`Named`: every organisation's ODS and ONS codes and official and short names with their
  dates: its code, ONS code, name and short name on a day, by the rule of
  ``queries.ORG_COLUMNS`` (the one valid that day that started last, else the latest);
- :class:`Postcodes`: GP practices' and trusts' postcodes with their dates;
- :class:`Memo`: answers remembered up to a number of bytes, not of entries.
"""

from __future__ import annotations

from collections import defaultdict

from ics_cli import db
from ics_cli.dates import OPEN
from ics_cli.hierarchy import RELATIONS_SQL

LAZY = 300  # organisations read one query each before a map reads its whole table at once
AREA_KINDS = ("ccg", "sub_icb", "stp", "icb", "area_team", "region")


class ByOrg:
    """Rows by organisation, read with one indexed query each (`one(org_id)` -> rows) until LAZY
    organisations were read, then the whole table at once (`every()` -> (org id, row) pairs), so
    a short input costs a few queries and a long one a single scan."""

    def __init__(self, one, every):
        self.one, self.every = one, every
        self.rows: dict[str, list] = {}
        self.whole = False

    def get(self, oid: str) -> list:
        found = self.rows.get(oid)
        if found is None:
            if self.whole:
                return []
            if len(self.rows) >= LAZY:
                self.whole = True
                rows: dict[str, list] = defaultdict(list)
                for key, row in self.every():
                    rows[key].append(row)
                self.rows = dict(rows)
                return self.rows.get(oid, [])
            found = self.rows[oid] = self.one(oid)
        return found


class Parents:
    """An organisation's direct parents on a day (in org id order, as the SQL walk has them)."""

    COLUMNS = f"parent_id, start, end FROM memberships WHERE relation IN ({RELATIONS_SQL})"

    def __init__(self, orgs: dict[str, dict]):
        self.orgs = orgs
        self.days: dict[str, object] = {}
        cols = self.COLUMNS
        # ever(org_id): every parent an organisation had, (parent id, start, end).
        self.ever = ByOrg(
            lambda oid: [
                (p, s or "", e or OPEN)
                for p, s, e in db.rows(f"SELECT {cols} AND child_id = ? ORDER BY parent_id, start", (oid,))
            ],
            lambda: (
                (child, (p, s or "", e or OPEN))
                for child, p, s, e in db.rows(f"SELECT child_id, {cols} ORDER BY child_id, parent_id, start")
            ),
        ).get

    def on(self, day: str):
        """``parents_of(org_id)`` on `day`, for hierarchy.walk_up and nearest."""
        found = self.days.get(day)
        if found is None:
            ever, orgs = self.ever, self.orgs

            def found(oid: str) -> list[dict]:
                return [orgs[p] for p, start, end in ever(oid) if start <= day <= end]

            if len(self.days) >= 10_000:
                self.days.clear()
            self.days[day] = found
        return found


class Named:
    """Codes and names on a day: ``on(org_id, day)`` -> (code, ons_code, name, short_name)."""

    SQL = """SELECT org_id, CASE scheme WHEN 'ods' THEN 0 ELSE 1 END, start, end, code FROM codes {codes}
             UNION ALL SELECT org_id, CASE type WHEN 'official' THEN 2 ELSE 3 END, start, end, name FROM names
             WHERE type IN ('official', 'short') {names} ORDER BY 1, 2, 5"""

    def __init__(self, orgs: dict[str, dict]):
        self.orgs = orgs
        one = self.SQL.format(codes="WHERE org_id = :id", names="AND org_id = :id")
        # rows(org_id): its codes and names, (field, start, end, value), end OPEN when open; field
        # 0 ODS code, 1 ONS code, 2 name, 3 short name.
        self.rows = ByOrg(
            lambda oid: [(f, s or "", e or OPEN, v) for _, f, s, e, v in db.rows(one, {"id": oid})],
            lambda: ((o, (f, s or "", e or OPEN, v)) for o, f, s, e, v in db.rows(self.SQL.format(codes="", names=""))),
        ).get
        self.fixed: dict[str, tuple] = {}  # organisations whose codes and names never changed
        self.kept: dict[tuple[str, str], tuple] = {}

    def on(self, oid: str, day: str) -> tuple:
        found = self.fixed.get(oid)
        if found is not None:
            return found
        key = (oid, day)
        found = self.kept.get(key)
        if found is None:
            if len(self.kept) >= 50_000:
                self.kept.clear()
            found = self.kept[key] = self._on(oid, day)
        return found

    def _on(self, oid: str, day: str) -> tuple:
        org = self.orgs[oid]
        dated = self.rows(oid)
        best: list = [None, None, None, None]
        starts = ["", "", "", ""]
        for field, start, end, value in dated:
            if start <= day <= end and (best[field] is None or start > starts[field]):
                best[field], starts[field] = value, start
        # A council's code is its ONS code (queries.ORG_COLUMNS); the rest fall back to the latest.
        code = best[1] if org["kind"] == "la" else best[0]
        found = (code or org["code"], best[1] or org["ons_code"], best[2] or org["name"], best[3])
        # One value of each, the one the orgs row holds (and no short name, which has no fallback): the same every day.
        fields = [f for f, *_ in dated]
        latest = {0: org["code"], 1: org["ons_code"], 2: org["name"]}
        if len(fields) == len(set(fields)) and 3 not in fields and all(v == latest.get(f) for f, _, _, v in dated):
            if org["kind"] != "la" or 0 not in fields:
                self.fixed[oid] = found
        return found


class Postcodes:
    """GP practices' and trusts' postcodes (attributes), read when first needed."""

    def __init__(self) -> None:
        self.dated: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for oid, value, start, end in db.rows(
            "SELECT org_id, value, start, end FROM attributes WHERE key = 'postcode' ORDER BY org_id, start"
        ):
            self.dated[oid].append((start or "", end or OPEN, value))

    def on(self, oid: str, day: str) -> str | None:
        """Its postcode on `day`, else its latest."""
        rows = self.dated.get(oid)
        if not rows:
            return None
        return next((v for start, end, v in rows if start <= day <= end), rows[-1][2])


class Memo:
    """Answers remembered until they would take about `limit` bytes, then forgotten all at once:
    memory stays flat however many distinct inputs and days arrive."""

    ENTRY = 300  # bytes of an entry besides its text: the key and answer tuples, the table slot

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.kept: dict = {}
        self.get = self.kept.get

    def put(self, key, value, text: int = 0):
        if self.size >= self.limit:
            self.kept.clear()
            self.size = 0
        self.kept[key] = value
        self.size += self.ENTRY + text
        return value


class Epochs:
    """The days on which an answer about an organisation can change, so that one answer serves
    every day between two of them (an epoch): for ``ics resolve --date-column`` over many days,
    and for ``ics export crosswalk``'s intervals.

    An answer about an organisation on a day (``bulk.Engine``) reads: its own dates, codes and
    names; its parents on the day and, up the walk, theirs; where it went once ended (its
    successions, their successors' parents); the days each kind of organisation existed; the
    end of the CCG era; the moves the sources date only between two editions. So its days are
    the starts and day-after-ends of all those rows, for it and for every organisation it was
    ever under or succeeded by. A council's or a district's answer (``--to la``) reads areas
    below it too: every day of the data counts for those (``everything``)."""

    def __init__(self, levels: tuple[str, ...], orgs: dict[str, dict], parents: Parents, named: Named) -> None:
        from ics_cli import gaps
        from ics_cli.dates import day_after

        # Each organisation's own rows come from the engine's maps (read once, whole tables for a
        # long input), turned into days when it is first asked about (:meth:`_own`).
        self.orgs, self.parents, self.named = orgs, parents, named
        self.after: dict[str, str] = {}  # a last day -> the day after it (worked out once each)
        self.day_after = day_after
        self.succeeded: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for before, after, day in db.rows("SELECT predecessor_id, successor_id, date FROM successions"):
            self.succeeded[before].append((after, day))
        self.postcodes: dict[str, set[str]] = defaultdict(set)
        self.districts = "la" in levels  # a practice's or trust's district: by its postcode's blocks
        if self.districts:
            for oid, start, after in db.rows("SELECT org_id, start, date(end, '+1 day') FROM attributes WHERE key = 'postcode'"):
                self.postcodes[oid].update(d for d in (start, after) if d)
        common = {day_after(gaps.CCG_ERA_END), gaps.PCN_DES_FROM}
        marks = ", ".join("?" * len(levels))
        for first, last in db.rows(
            f"""SELECT min(COALESCE(start, '')), date(max(COALESCE(end, '9999-12-30')), '+1 day') FROM orgs
                WHERE kind IN ({marks}) GROUP BY kind""",
            levels,
        ):  # the days each level asked for existed ("there were no ICBs that day")
            common.update(d for d in (first, last) if d)
        for w in gaps.moves_between_editions():
            common.update((day_after(w["first"]), day_after(w["later"])))
        self._block_parent_days: set[str] | None = None
        if self.districts:
            common |= self.block_parent_days()
        self.common = common
        self.days: dict[str, list[str]] = {}
        self._everything: list[str] | None = None
        self._areas_days: set[str] | None = None
        self._blocks: dict[int, set[str]] | None = None  # a block's days, with its areas' (of_blocks)
        self._of_blocks: dict[tuple, list[str]] = {}  # blocks -> their days, one list shared by their areas

    def block_parent_days(self) -> set[str]:
        """Every day a small area's block takes or changes its area or district (block_parents'
        starts and day-after-ends), read once."""
        if self._block_parent_days is None:
            self._block_parent_days = {
                r[0]
                for r in db.rows("SELECT start FROM block_parents UNION SELECT date(end, '+1 day') FROM block_parents")
                if r[0]
            }
        return self._block_parent_days

    def _last(self, end: str) -> str | None:
        if end == OPEN or not end:
            return None
        found = self.after.get(end)
        if found is None:
            found = self.after[end] = self.day_after(end)
        return found

    def _own(self, oid: str) -> tuple[set[str], set[str]]:
        """An organisation's own days (its dates, its parents' and its codes' and names' rows, its
        successions) and the organisations its answers read on (parents ever, successors)."""
        days: set[str] = set()
        org = self.orgs.get(oid)
        if org:
            days.add(org["start"] or "")
            days.add(self._last(org["end"] or OPEN) or "")
        links = set()
        for parent, start, end in self.parents.ever(oid):
            links.add(parent)
            days.add(start)
            days.add(self._last(end) or "")
        for _, start, end, _ in self.named.rows(oid):
            days.add(start)
            days.add(self._last(end) or "")
        for after, day in self.succeeded.get(oid, ()):
            links.add(after)
            days.add(day)
        days |= self.postcodes.get(oid, set())
        days.discard("")
        return days, links

    def of_blocks(self, blocks) -> list[str]:
        """The days an answer about a small area made of `blocks` (an LSOA, a postcode sector or
        district) can change: its blocks' parents' days and those of every area they ever had,
        and the day the LSOA lookups changed census."""
        from ics_cli.small_areas import LOOKUPS_2021_FROM

        if self._blocks is None:
            self._blocks = defaultdict(set)
            for block, parent, start, after in db.rows("SELECT block, parent_id, start, date(end, '+1 day') FROM block_parents"):
                self._blocks[block].update(d for d in (start, after) if d)
                if not parent.startswith("la:"):
                    self._blocks[block].update(self.of(parent))
        key = tuple(sorted(blocks))
        done = self._of_blocks.get(key)
        if done is None:
            found = set(self.common) | {LOOKUPS_2021_FROM}
            for block in key:
                found |= self._blocks.get(block, set())
            if len(self._of_blocks) >= 20_000:
                self._of_blocks.clear()
            done = self._of_blocks[key] = sorted(found)
        return done

    def everything(self) -> list[str]:
        """Every day any row of the data starts or ends (the day after)."""
        if self._everything is None:
            found = set(self.common)
            for oid in self.orgs:
                found |= self._own(oid)[0]
            found |= self.block_parent_days()
            found.update(r[0] for r in db.rows("SELECT start FROM attributes UNION SELECT date(end, '+1 day') FROM attributes"))
            self._everything = sorted(d for d in found if d)
        return self._everything

    def areas_and_districts(self) -> set[str]:
        """Every day an area's blocks or their districts can change: the small areas' parents'
        days, and the own days (dates, names, codes, parents) of every area organisation and
        council (which ones an ICB or STP holds, a district's name). Practices, PCNs and trusts,
        the bulk of everything(), are not read by an area's district."""
        if self._areas_days is None:
            found = set(self.common)
            for oid, org in self.orgs.items():
                if org["kind"] in AREA_KINDS or org["kind"] == "la":
                    found |= self._own(oid)[0]
            found |= self.block_parent_days()
            self._areas_days = {d for d in found if d}
        return self._areas_days

    def of(self, oid: str) -> list[str]:
        """The days an answer about `oid` can change, in order. A council's answers read its
        overlaps: every day counts. An area's district (``--to la``) reads the blocks below it
        and their districts: its own days and areas_and_districts()."""
        found = self.days.get(oid)
        if found is None:
            kind = oid.split(":", 1)[0]
            if kind == "la":
                found = self.days[oid] = self.everything()
            elif self.districts and kind in AREA_KINDS:
                found = self.days[oid] = sorted(self._gather(oid, set())[0] | self.areas_and_districts())
            else:
                found = sorted(self._gather(oid, set())[0])
        return found

    def _gather(self, oid: str, visiting: set[str]) -> tuple[set[str], bool]:
        """`oid`'s days and whether they are complete (not cut short by a cycle: then they are
        not kept, and worked out again from the organisation asked about)."""
        done = self.days.get(oid)
        if done is not None:
            return set(done), True
        visiting.add(oid)
        own, links = self._own(oid)
        found = own | self.common
        whole = True
        for other in links:
            if other in visiting:
                whole = False
                continue
            days, complete = self._gather(other, visiting)
            found |= days
            whole = whole and complete
        visiting.discard(oid)
        if whole or not visiting:
            self.days[oid] = sorted(found)
        return found, whole
