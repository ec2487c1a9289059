"""The area of every organisation on every day, as a set of blocks (importers/small_areas.py):
CCGs and sub-ICB locations and districts from the blocks' own parents, STPs and ICBs, area teams
and regions up the part_of memberships the other importers wrote.

A region's area: through its area teams (local offices) while a CCG had one (to March 2020), else
through STPs (2016-2022) or ICBs (from July 2022), as NHS England ran them.

``AreaGeography.runs()`` gives, for each organisation, the runs of days with one area: the unit
of the areas' populations, overlaps and population shares (importers/area_populations.py and
importers/area_links.py).
"""

from __future__ import annotations

from collections import defaultdict

from ics_cli.vocab import BLOCK_LEVEL_OF_KIND as LEVEL_OF_KIND
from ics_cli.vocab import FOOTPRINT_KINDS as SYSTEM_KINDS

from .common import DATA_START, OPEN, day_after, day_before
from .small_areas import SmallAreas


def kind_of(org_id: str) -> str:
    return org_id.split(":", 1)[0]


class AreaGeography:
    """Blocks of every area organisation on any day from 2013-04-01."""

    def __init__(self, small: SmallAreas, orgs: list[dict], memberships: list[dict]):
        self.small = small
        self.life = {r["org_id"]: (r["start"] or "", r["end"] or OPEN) for r in orgs}
        self.up = defaultdict(list)  # child -> [(start, end, parent)] of the kinds above areas
        wanted_children = ("ccg", "sub_icb", "stp", "icb", "area_team")
        wanted_parents = ("stp", "icb", "area_team", "region")
        days = set(small.change_days())
        for r in memberships:
            if r["relation"] != "part_of":
                continue
            c, p = r["child_id"], r["parent_id"]
            if kind_of(c) in wanted_children and kind_of(p) in wanted_parents:
                self.up[c].append((r["start"] or "", r["end"] or OPEN, p))
                days.add(r["start"] or DATA_START)
                if r["end"]:
                    days.add(day_after(r["end"]))
        for oid, (s, e) in self.life.items():
            if kind_of(oid) in LEVEL_OF_KIND:
                days.add(s or DATA_START)
                if e != OPEN:
                    days.add(day_after(e))
        self.days = sorted(d for d in days if d >= DATA_START)
        self._cache: dict[str, dict[int, dict[str, str]]] = {}

    def parent(self, child: str, day: str, kinds: tuple[str, ...]) -> str | None:
        for s, e, p in self.up.get(child, ()):
            if s <= day <= e and kind_of(p) in kinds:
                return p
        return None

    def levels_on(self, day: str) -> dict[int, dict[str, str]]:
        """Block -> {level: org id} on `day` (a level missing where the block has no such parent)."""
        if day in self._cache:
            return self._cache[day]
        out = {}
        for b, parents in self.small.parents_on(day).items():
            lv = {}
            for p in parents:
                lv["la" if p.startswith("la:") else "area"] = p
            area = lv["area"]
            system = self.parent(area, day, SYSTEM_KINDS)
            team = self.parent(area, day, ("area_team",))
            if system:
                lv["system"] = system
            if team:
                lv["area_team"] = team
            region = self.parent(team, day, ("region",)) if team else None
            region = region or (self.parent(system, day, ("region",)) if system else None)
            if region:
                lv["region"] = region
            out[b] = lv
        self._cache[day] = out
        return out

    def blocks_on(self, day: str, level: str) -> dict[str, frozenset[int]]:
        """Org id -> its blocks on `day`, for the organisations of one level."""
        groups = defaultdict(set)
        for b, lv in self.levels_on(day).items():
            if level in lv:
                groups[lv[level]].add(b)
        return {oid: frozenset(bs) for oid, bs in groups.items()}

    def runs(self, level: str) -> dict[str, list[tuple[str, str, frozenset[int]]]]:
        """Org id -> [(start, end, blocks)]: the runs of days on which it had one area (end ''
        while it still has it), within its lifetime."""
        out = defaultdict(list)
        for i, day in enumerate(self.days):
            nxt = self.days[i + 1] if i + 1 < len(self.days) else None
            for oid, blocks in self.blocks_on(day, level).items():
                end = day_before(nxt) if nxt else ""
                life_end = self.life[oid][1]
                if life_end != OPEN and (not end or end > life_end):
                    end = life_end
                prev = out[oid][-1] if out[oid] else None
                if prev and prev[2] == blocks and day_after(prev[1]) == day:
                    out[oid][-1] = (prev[0], end, blocks)
                else:
                    out[oid].append((day, end, blocks))
        return dict(out)

    def population(self, blocks) -> int:
        return sum(self.small.population[b] for b in blocks)

    def flows(self, day: str, level: str) -> dict[tuple[str, str], int]:
        """(org on the day before, org on `day`) -> Census 2021 residents of the blocks that went
        from one to the other (an org to itself where they stayed)."""
        before, after = self.levels_on(day_before(day)), self.levels_on(day)
        out = defaultdict(int)
        for b, lv in after.items():
            old = before.get(b, {}).get(level)
            if old and level in lv:
                out[(old, lv[level])] += self.small.population[b]
        return dict(out)
