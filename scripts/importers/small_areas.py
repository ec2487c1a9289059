"""Small areas by day: every LSOA (2011 and 2021) in a block, and every block's CCG or sub-ICB
location and local authority district on every day from 2013-04-01 (tables lsoas, blocks,
block_parents and sector_blocks; data/README.md, "Small areas").

A block is a set of LSOAs that were always in the same CCG or sub-ICB location and the same
district: the common refinement of every edition's boundaries (importers/lsoa.py), about 430
blocks for 34,789 LSOA codes. Eras: April 2013 (importers/carry_back.py), then each edition.

The two censuses' LSOAs: 31,810 codes are in both (ONS kept the code of an unchanged LSOA), 1,034
only in 2011 and 1,945 only in 2021. The lookups before April 2023 list LSOAs 2011, those after
LSOAs 2021, and no source here pairs a changed LSOA 2011 with the LSOAs 2021 it became. So an
LSOA of one census only takes the other census's parents from the changed LSOAs of the other
census around it (`bridge`): of the same MSOA (same name but the letter: "Slough 001"), else of
its district; of those, the ones in the same sub-ICB location across April 2023 where any are;
`msoa` or `district` when they all agree, `majority` (the most common answer) when they do not:
the sources cannot place such an LSOA, and its parents on the other census's days are a guess.

Census 2021 residents are counted for LSOAs 2021; a block's population is the sum of its LSOAs
2021, which tile England once (56,490,091).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .carry_back import NEWCASTLE, ccg_2013, read_sectors
from .common import DATA_START, Tables, day_before, runs
from .lsoa import CHANGE_2023, ICB_START, MERGERS_2026, SOURCE_2026, Lookups

BOUNDARY_2015 = "2015-07-03"  # CHD: 09G and 09N re-coded after a boundary change no lookup shows
UNSEEN_2015 = ("09G", "09N")
SOURCE = "derived_small_areas"  # block parents read from the editions
INFERRED_SOURCE = "derived_lsoa_2013"  # block parents the sources do not give (carry_back.py)
# The rows of lsoas, blocks and sector_blocks have no source column (34,789 and 12,000 rows: the
# database stays small); every one comes from the files of these sources, said in data/README.md.


def area_org(code: str, day: str) -> str:
    """The org id of a CCG (before July 2022) or sub-ICB location (after) ODS code."""
    return f"{'sub_icb' if day >= ICB_START else 'ccg'}:{code}"


class SmallAreas:
    """Blocks of LSOAs and their dated parents. `eras` are (first day, {code: (area, lad)}) for
    every LSOA code of either census (bridged where the era's lookup does not list it)."""

    def __init__(self, shared: Path, lookups: Lookups):
        self.lookups = lk = lookups
        self.sectors, points = read_sectors(shared)
        first = lk.editions[0]
        rows13, self.inferred_2013 = ccg_2013(shared, first.rows, self.sectors, points)
        dated = [(DATA_START, 2011, rows13)] + [(ed.date, ed.census, ed.rows) for ed in lk.editions]
        self.days = [d for d, _, _ in dated]
        self.in11 = set(first.rows)
        self.in21 = set(lk.names21)
        self.bridge: dict[str, str] = {}
        sig = self._signatures(dated)
        by_sig = defaultdict(list)
        for code, s in sig.items():
            by_sig[s].append(code)
        groups = sorted((sorted(codes) for codes in by_sig.values()), key=lambda codes: codes[0])
        self.members = {i: codes for i, codes in enumerate(groups, start=1)}
        self.block_of = {code: b for b, codes in self.members.items() for code in codes}
        self.signature = {b: sig[codes[0]] for b, codes in self.members.items()}
        self.population = {b: sum(lk.census.get(c, 0) for c in codes if c in self.in21) for b, codes in self.members.items()}
        self.rows = self._parent_rows()

    # --- signatures and the bridge between the censuses -----------------------------------------

    def _signatures(self, dated: list) -> dict[str, tuple]:
        """Each code's (area, lad) in every era, bridged across the census it is not in."""
        lk = self.lookups
        own11 = {c: tuple(rows[c] for _, census, rows in dated if census == 2011) for c in self.in11}
        own21 = {c: tuple(rows[c] for _, census, rows in dated if census == 2021) for c in self.in21}
        changed11, changed21 = sorted(self.in11 - self.in21), sorted(self.in21 - self.in11)
        last11 = len(own11[changed11[0]]) - 1  # the July 2022 era: the last one of LSOAs 2011
        lad22_11 = {c: own11[c][last11][1] for c in self.in11}
        lad22_21 = {c: lk.district22_of_lsoa21(c) for c in self.in21}
        pools11 = self._pools(changed11, lambda c: lk.names11[c], lad22_11)
        pools21 = self._pools(changed21, lambda c: lk.names21[c], lad22_21)
        all11 = self._pools(sorted(self.in11), lambda c: lk.names11[c], lad22_11)
        all21 = self._pools(sorted(self.in21), lambda c: lk.names21[c], lad22_21)
        out = {}
        for c in sorted(self.in11 | self.in21):
            if c in self.in11 and c in self.in21:
                out[c] = own11[c] + own21[c]
            elif c in self.in11:  # its parents from April 2023 come from LSOAs 2021
                msoa, district = lk.names11[c][:-1], lad22_11[c]
                pools = (pools21[0].get(msoa, []), pools21[1].get(district, []), all21[1].get(district, []))
                found, how = self._bridge(pools, own21, lambda o, area=own11[c][last11][0]: o[0][0] == area)
                out[c] = own11[c] + found
                self.bridge[c] = how
            else:  # its parents before April 2023 come from LSOAs 2011
                msoa, district = lk.names21[c][:-1], lad22_21[c]
                pools = (pools11[0].get(msoa, []), pools11[1].get(district, []), all11[1].get(district, []))
                found, how = self._bridge(pools, own11, lambda o, area=own21[c][0][0]: o[last11][0] == area)
                out[c] = found + own21[c]
                self.bridge[c] = how
        return out

    @staticmethod
    def _pools(codes: list[str], name, lad22: dict) -> tuple[dict, dict]:
        by_msoa, by_district = defaultdict(list), defaultdict(list)
        for c in codes:
            by_msoa[name(c)[:-1]].append(c)
            by_district[lad22[c]].append(c)
        return by_msoa, by_district

    @staticmethod
    def _bridge(pools: tuple, own: dict, same_area) -> tuple[tuple, str]:
        """The other census's parents: from the first non-empty pool (changed LSOAs of the MSOA,
        changed LSOAs of the district, any LSOA of the district), those in the same sub-ICB
        location across April 2023 where any are; unanimous, or else the most common answer."""
        for pool, how in zip(pools, ("msoa", "district", "district")):
            if not pool:
                continue
            candidates = [own[c] for c in pool if same_area(own[c])] or [own[c] for c in pool]
            counts = Counter(candidates)
            best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            return best, how if len(counts) == 1 else "majority"
        raise ValueError("an LSOA with no LSOA of the other census in its district")

    # --- dated parents --------------------------------------------------------------------------

    def _parent_rows(self) -> list[tuple]:
        """(block, parent org id, start, end, inferred, source) runs for every block: its area
        (CCG or sub-ICB location) and its district."""
        out = []
        newcastle = NEWCASTLE[0]
        for b, sig in self.signature.items():
            area_obs, la_obs = [], []
            for i, (day, (area, lad)) in enumerate(zip(self.days, sig)):
                end = day_before(self.days[i + 1]) if i + 1 < len(self.days) else ""
                unseen = area in UNSEEN_2015 and day < BOUNDARY_2015
                inferred = (i == 0 and lad == newcastle) or unseen
                if unseen and end >= BOUNDARY_2015:  # the 2015 era: inferred until the boundary change
                    area_obs.append((day, day_before(BOUNDARY_2015), (area_org(area, day), True), INFERRED_SOURCE))
                    area_obs.append((BOUNDARY_2015, end, (area_org(area, day), False), SOURCE))
                else:
                    area_obs.append((day, end, (area_org(area, day), inferred), INFERRED_SOURCE if inferred else SOURCE))
                la_obs.append((day, end, f"la:{lad}", SOURCE))
            # A parent that starts with the April 2026 changes cites the 2026 files (derived_icb_2026).
            for s, e, (org, inferred), source in runs(area_obs):
                out.append((b, org, s, e, inferred, SOURCE_2026 if s == MERGERS_2026 else source))
            for s, e, org, source in runs(la_obs):
                out.append((b, org, s, e, False, SOURCE_2026 if s == MERGERS_2026 else source))
        return sorted(out)

    def parents_on(self, day: str) -> dict[int, list[str]]:
        """Block -> its parents (area, district) on `day`."""
        out = defaultdict(list)
        for b, org, s, e, _, _ in self.rows:
            if s <= day and (not e or day <= e):
                out[b].append(org)
        return out

    def weights(self, day: str) -> Counter:
        """(area org id, district org id) -> Census 2021 residents on `day` (pairs with none left out)."""
        out = Counter()
        for b, parents in self.parents_on(day).items():
            area = next(p for p in parents if not p.startswith("la:"))
            la = next(p for p in parents if p.startswith("la:"))
            if self.population[b]:
                out[(area, la)] += self.population[b]
        return out

    def change_days(self) -> list[str]:
        return sorted({r[2] for r in self.rows})

    # --- checks and rows ------------------------------------------------------------------------

    def check_editions(self) -> list[str]:
        """Each edition reproduced exactly on its day: every LSOA it lists is in a block whose
        parents that day are the edition's. Returns one line per edition for the import log."""
        lines = []
        for ed in self.lookups.editions:
            day = max(ed.date, BOUNDARY_2015)
            parents = self.parents_on(day)
            bad = [
                c
                for c, (area, lad) in sorted(ed.rows.items())
                if sorted(parents[self.block_of[c]]) != sorted([area_org(area, day), f"la:{lad}"])
            ]
            if bad:
                raise ValueError(f"the blocks do not reproduce the LSOA lookup of {ed.date} ({ed.source}) for {bad[:10]}")
            lines.append(f"{ed.source} ({ed.date}): {len(ed.rows):,} of {len(ed.rows):,} LSOAs reproduced")
        return lines

    def emit(self, t: Tables) -> None:
        """Rows of lsoas, blocks, block_parents and sector_blocks."""
        lk = self.lookups
        for code, b in sorted(self.block_of.items()):
            both = code in self.in11 and code in self.in21
            name = lk.names21.get(code) or lk.names11[code]
            old = lk.names11.get(code, "") if both and lk.names11.get(code) != name else ""
            t["lsoas"].append(
                {
                    "lsoa": code,
                    "name": name,
                    "name_2011": old,
                    "in_2011": int(code in self.in11),
                    "in_2021": int(code in self.in21),
                    "block": b,
                    "bridge": self.bridge.get(code, ""),
                    "population": lk.census.get(code, ""),
                }
            )
        for b in sorted(self.members):
            t["blocks"].append({"block": b, "population": self.population[b]})
        for b, org, s, e, inferred, source in self.rows:
            row = {"block": b, "parent_id": org, "start": s, "end": e, "inferred": int(inferred), "source": source}
            t["block_parents"].append(row)
        counts = Counter()
        for sector, codes in self.sectors.items():
            for code in codes:
                counts[(sector, self.block_of[code])] += 1
        for (sector, b), n in sorted(counts.items()):
            t["sector_blocks"].append({"sector": sector, "block": b, "lsoas": n})

    def summary(self) -> str:
        bridges = Counter(self.bridge.values())
        return (
            f"{len(self.members):,} blocks for {len(self.block_of):,} LSOA codes "
            f"({len(self.in11 & self.in21):,} in both censuses, {len(self.in11 - self.in21):,} in 2011 only, "
            f"{len(self.in21 - self.in11):,} in 2021 only; bridged: "
            + ", ".join(f"{n:,} {how}" for how, n in sorted(bridges.items()))
            + f"); {len(self.inferred_2013)} Newcastle LSOAs inferred for 2013-15"
        )


def build(shared: Path, la_changes: list[dict]) -> SmallAreas:
    """The blocks, from the raw lookups (la_changes: data/curated/la_changes.csv)."""
    la_reorg = {r["code"]: r["successor_code"] for r in la_changes if r["successor_code"]}
    return SmallAreas(shared, Lookups(shared, la_reorg))


__all__ = ["CHANGE_2023", "SmallAreas", "area_org", "build"]
