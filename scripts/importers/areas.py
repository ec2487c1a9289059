"""Importer step for everything the small areas give (after the history and geography steps,
whose organisations and memberships it reads): the tables of small areas (lsoas, blocks,
block_parents, sector_blocks; importers/small_areas.py), the areas' populations
(importers/area_populations.py), the districts' overlaps and the successions' population shares
(importers/area_links.py).

It also fills, in place, the blank shares of the successions the earlier steps recorded.
"""

from __future__ import annotations

from pathlib import Path

from . import area_links, area_populations
from .area_geography import AreaGeography
from .common import Tables, empty_tables
from .small_areas import SmallAreas


def run(shared: Path, small: SmallAreas, tables: Tables) -> Tables:
    t = empty_tables()
    for line in small.check_editions():
        print(f"    {line}")
    print(f"    {small.summary()}")
    small.emit(t)
    geo = AreaGeography(small, tables["orgs"], tables["memberships"])
    area_links.check_stps(geo)
    area_populations.run(t, geo, shared)
    area_links.overlaps(t, geo)
    area_links.transitions(t, geo, tables)
    for note in area_links.earlier_shares(t, geo, tables):
        print(f"    note: {note}")
    return t
