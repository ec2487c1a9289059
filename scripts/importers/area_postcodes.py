"""Postcode districts through their sectors' LSOAs (the NSPL-derived sector lookup; see
../shared/sources/geography/MANIFEST.md, file 18: unweighted, incomplete for terminated and
non-geographic districts): where the Frimley part of each postcode district that touched D4U1Y
went when D4U1Y was split in April 2026 (derived_frimley_postcode_districts_2026).

(A district's CCGs before July 2022 are not stored: the CLI reads them from its sectors' blocks,
ics_cli/small_areas.district_areas.)
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .common import day_before
from .lsoa import MERGERS_2026
from .small_areas import SmallAreas


def district_of(sector: str) -> str:
    return sector.rsplit(" ", 1)[0]


def frimley_districts_2026(small: SmallAreas, districts: list[str]) -> dict[str, set[str]]:
    """Where the Frimley (D4U1Y) part of each postcode district went on 2026-04-01: for every
    postcode sector of the district, its LSOAs 2011 that were in D4U1Y in July 2022 vote for the
    sub-ICB location their block went to (U2G6B, D9Y0V or 92A); the sector goes with the most
    votes (a tie keeps each), as for the Frimley practices missing from the August 2026 map. A
    district with no sector in the lookup (terminated or non-geographic, such as GU95 or SL60)
    gets no 2026 row."""
    before, after = small.parents_on(day_before(MERGERS_2026)), small.parents_on(MERGERS_2026)
    area = lambda parents: next(p for p in parents if not p.startswith("la:"))  # noqa: E731
    wanted = set(districts)
    votes: dict[str, Counter] = defaultdict(Counter)
    for sector, codes in sorted(small.sectors.items()):
        if district_of(sector) not in wanted:
            continue
        for code in codes:
            b = small.block_of[code]
            if area(before[b]) == "sub_icb:D4U1Y":
                votes[sector][area(after[b]).split(":")[1]] += 1
    out: dict[str, set[str]] = defaultdict(set)
    for sector, counter in votes.items():
        top = max(counter.values())
        out[district_of(sector)].update(code for code, n in counter.items() if n == top)
    return dict(out)
