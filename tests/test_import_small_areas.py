"""Tests for scripts/importers/small_areas.py and carry_back.py, run on the real raw files in
../shared/sources: the blocks reproduce every ONS LSOA lookup edition, the April 2013 geography is
the July 2015 one carried back through the April 2015 merger, and the bridge between the two
censuses' LSOAs is the documented rule."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from importers import curated, small_areas
from importers.carry_back import sector_key
from importers.common import empty_tables

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "sources"
if not SHARED.exists():
    SHARED = Path("/work/shared/sources")

# Slow: the importers read the raw files of ../shared/sources.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SHARED.exists(), reason="raw sources not available")]


@pytest.fixture(scope="module")
def small():
    return small_areas.build(SHARED, curated.la_changes())


def test_every_edition_is_reproduced_exactly(small):
    lines = small.check_editions()
    assert len(lines) == 10  # July 2015, April 2016-2021, July 2022, April 2024 (LSOAs 2021), April 2026
    assert all(" of " in line and line.split(": ")[1].split(" of ")[0] == line.split(" of ")[1].split(" ")[0] for line in lines)


def test_blocks_tile_the_lsoas_of_both_censuses(small):
    assert len(small.block_of) == 34_789 and len(small.in11) == 32_844 and len(small.in21) == 33_755
    assert len(small.in11 & small.in21) == 31_810
    assert sum(small.population.values()) == 56_490_091
    assert sorted(small.members) == list(range(1, len(small.members) + 1))
    # Blocks are numbered by their first LSOA code.
    firsts = [codes[0] for _, codes in sorted(small.members.items())]
    assert firsts == sorted(firsts)
    assert Counter(small.bridge.values()) == {"msoa": 2_391, "district": 454, "majority": 134}
    assert set(small.bridge) == (small.in11 ^ small.in21)


def test_april_2013_is_july_2015_carried_back_through_the_newcastle_gateshead_merger(small):
    areas_2013 = {p for parents in small.parents_on("2013-04-01").values() for p in parents if p.startswith("ccg:")}
    assert len(areas_2013) == 211 and {"ccg:00F", "ccg:00G", "ccg:00H"} <= areas_2013 and "ccg:13T" not in areas_2013
    assert len(small.inferred_2013) == 175  # Newcastle upon Tyne's LSOAs
    newcastle = {small.parents_on("2014-01-01")[small.block_of[c]][0] for c in small.inferred_2013}
    assert newcastle == {"ccg:00G", "ccg:00H"}
    # Gateshead is 00F, not inferred; the rows of Newcastle are.
    inferred = {(org, s, e) for _, org, s, e, flag, _ in small.rows if flag}
    assert {org for org, _, _ in inferred} == {"ccg:00G", "ccg:00H", "ccg:09G", "ccg:09N"}
    assert {(s, e) for org, s, e in inferred if org in ("ccg:09G", "ccg:09N")} == {("2013-04-01", "2015-07-02")}


def test_the_import_is_deterministic(small):
    again = small_areas.build(SHARED, curated.la_changes())
    a, b = empty_tables(), empty_tables()
    small.emit(a)
    again.emit(b)
    assert a == b


@pytest.mark.parametrize(
    "text, key", [("EC1A4", "EC1A 4"), ("E1  7", "E1 7"), ("NW118", "NW11 8"), ("NE4 6SY", "NE4 6"), ("ne46sy", "NE4 6")]
)
def test_sector_keys(text, key):
    assert sector_key(text) == key
