"""Small areas: LSOAs (2011 and 2021 census geographies), postcode sectors and districts, and the
areas they made up on any day, read through the database's blocks (tables lsoas, blocks,
block_parents, sector_blocks; data/README.md, "Small areas").

A block is a set of LSOAs that were always in the same CCG or sub-ICB location (the "area") and
the same local authority district; block_parents dates a block's area and district from
2013-04-01. STPs, ICBs, area teams and regions follow from the area through `memberships`
(part_of) on the day; a region through the area team while a CCG had one (to March 2020), else
through the STP or ICB. Census 2021 residents are counted per block (blocks.population).

Every function takes plain values (codes, org ids, ISO days) and returns plain data; nothing here
prints. Standard library only. Org ids are the database's (`ccg:00K`, `sub_icb:16C`,
`la:E06000001`); kinds are those of ics_cli.vocab.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ics_cli import db
from ics_cli.vocab import BLOCK_LEVEL_OF_KIND as LEVEL_OF_KIND
from ics_cli.vocab import FOOTPRINT_KINDS

ALIVE = "(p.start <= :d AND COALESCE(p.end, '9999-12-31') >= :d)"
LOOKUPS_2021_FROM = "2023-04-01"  # the lookups of this day on list LSOAs 2021; those before, LSOAs 2011

_LSOA_RE = re.compile(r"^[EW]01\d{6}$")
_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d)[A-Z]{2}$")
_SECTOR_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s+(\d)$")
_DISTRICT_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


# --- identifiers ----------------------------------------------------------------------------------


def lsoa_code(text: str) -> str | None:
    """'e01011959 ' -> 'E01011959'; None if it is not an LSOA code's shape."""
    code = (text or "").strip().upper()
    return code if _LSOA_RE.match(code) else None


def sector_of(text: str) -> str | None:
    """The postcode sector ('SW1A 1') of a full postcode ('SW1A 1AA', 'sw1a1aa') or a sector
    ('SW1A 1'); None otherwise (a bare district is not a sector)."""
    value = " ".join((text or "").upper().split())
    m = _POSTCODE_RE.match(value) or _SECTOR_RE.match(value)
    return f"{m.group(1)} {m.group(2)}" if m else None


def district_of(text: str) -> str | None:
    """The postcode district ('SW1A') of a district, sector or full postcode; None otherwise."""
    value = " ".join((text or "").upper().split())
    if _DISTRICT_RE.match(value):
        return value
    sector = sector_of(value)
    return sector.split(" ")[0] if sector else None


# --- LSOAs ----------------------------------------------------------------------------------------


def lsoa(code: str) -> dict | None:
    """An LSOA: code, name, name_2011 (its 2011 name where that differs), in_2011, in_2021 (which
    census geographies have it), block, bridge (how it took the other census's parents: None for
    an LSOA of both; 'msoa', 'district' or 'majority') and population (Census 2021; None for an
    LSOA of 2011 only)."""
    return db.query_one(
        "SELECT lsoa, name, name_2011, in_2011, in_2021, block, bridge, population FROM lsoas WHERE lsoa = ?",
        (code,),
    )


def lsoa_parents(code: str, day: str) -> dict | None:
    """An LSOA's area (CCG or sub-ICB location) and district on `day`:
    {lsoa, name, block, area, la, inferred, bridged, bridge, source}; None for an unknown LSOA.
    `area`/`la` are org ids (None before 2013-04-01). `inferred`: no source gives the area that
    day (the source names the rule); `bridged`: that day's lookup does not list this LSOA's code
    (it was re-coded between the censuses) and its parents come from its neighbours
    (`bridge`: msoa, district or majority; lsoas.bridge)."""
    row = lsoa(code)
    if row is None:
        return None
    parents = db.rows(
        f"SELECT parent_id, start, end, inferred, source FROM block_parents p WHERE p.block = :b AND {ALIVE} ORDER BY parent_id",
        {"b": row["block"], "d": day},
    )
    return _parents_on(code, (row["name"], row["in_2011"], row["in_2021"], row["block"], row["bridge"]), parents, day)


def _parents_on(code: str, row: tuple, parents, day: str) -> dict:
    """lsoa_parents from an lsoas row (name, in_2011, in_2021, block, bridge) and its block's
    block_parents rows (parent_id, start, end, inferred, source; those of other days skipped)."""
    name, in_2011, in_2021, block, bridge = row
    own = in_2021 if day >= LOOKUPS_2021_FROM else in_2011
    out = {"lsoa": code, "name": name, "block": block, "area": None, "la": None, "inferred": False}
    out.update(bridged=not own, bridge=bridge, source=None)
    for parent_id, start, end, inferred, source in parents:
        if not (start or "") <= day <= (end or "9999-12-31"):
            continue
        if parent_id.startswith("la:"):
            out["la"] = parent_id
        else:
            out.update(area=parent_id, inferred=bool(inferred), source=source)
    return out


_INDEXES: dict[tuple[str, str], object] = {}  # (database path, name) -> an index read once


def _index(name: str, build):
    key = (db.db_path(), name)
    if key not in _INDEXES:
        _INDEXES[key] = build()
    return _INDEXES[key]


def lsoa_tables() -> tuple[dict[str, tuple], dict[int, list[tuple]]]:
    """Every LSOA (code -> name, in_2011, in_2021, block, bridge) and every block's parents (block
    -> [(parent_id, start, end, inferred, source)]), read once (about 60 ms): for ``ics resolve``
    over many LSOAs and days, with :func:`lsoa_parents_from`."""

    def lsoas() -> dict[str, tuple]:
        return {r[0]: r[1:] for r in db.rows("SELECT lsoa, name, in_2011, in_2021, block, bridge FROM lsoas")}

    def parents() -> dict[int, list[tuple]]:
        out: dict[int, list[tuple]] = defaultdict(list)
        for r in db.rows("SELECT block, parent_id, start, end, inferred, source FROM block_parents ORDER BY block, parent_id"):
            out[r[0]].append(r[1:])
        return dict(out)

    return _index("lsoas", lsoas), _index("block_parents", parents)


def lsoa_parents_from(tables: tuple, code: str, day: str) -> dict | None:
    """lsoa_parents over :func:`lsoa_tables`."""
    row = tables[0].get(code)
    if row is None:
        return None
    return _parents_on(code, row, tables[1].get(row[3], ()), day)


def lsoa_history(code: str) -> list[dict]:
    """Every parent an LSOA's block had: {parent_id, start, end, inferred, source}, by start."""
    return db.query(
        """SELECT p.parent_id, p.start, p.end, p.inferred, p.source FROM lsoas l
           JOIN block_parents p ON p.block = l.block WHERE l.lsoa = ? ORDER BY p.start, p.parent_id""",
        (code,),
    )


def lsoa_blocks() -> dict[str, int]:
    """Every LSOA code -> its block (34,789 codes; the same every day, read once per process):
    with block_map(day) or block_parent_rows(), the maps a bulk join needs."""
    return _index("lsoa_blocks", lambda: {r["lsoa"]: r["block"] for r in db.iter_query("SELECT lsoa, block FROM lsoas")})


def block_parent_rows() -> list[dict]:
    """Every block_parents row: {block, parent_id, start, end, inferred} (a block's dated parents,
    for interval joins over many days)."""
    return db.query("SELECT block, parent_id, start, end, inferred FROM block_parents ORDER BY block, start")


# --- blocks and areas on a day ----------------------------------------------------------------------


_BLOCK_MAPS: dict[tuple[str, str], dict[int, dict[str, str]]] = {}  # (database, day) -> block_map
_BLOCK_MAPS_KEPT = 64  # days kept (about 400 blocks each): bulk work over a date per row stays flat


def block_map(day: str) -> dict[int, dict[str, str]]:
    """Block -> {'area': org id, 'la': org id} on `day` (kept for the last days asked; do not
    change the dicts returned)."""
    key = (db.db_path(), day)
    if key not in _BLOCK_MAPS:
        out: dict[int, dict[str, str]] = defaultdict(dict)
        for r in db.iter_query(f"SELECT block, parent_id FROM block_parents p WHERE {ALIVE}", {"d": day}):
            out[r["block"]]["la" if r["parent_id"].startswith("la:") else "area"] = r["parent_id"]
        if len(_BLOCK_MAPS) >= _BLOCK_MAPS_KEPT:
            _BLOCK_MAPS.pop(next(iter(_BLOCK_MAPS)))
        _BLOCK_MAPS[key] = dict(out)
    return _BLOCK_MAPS[key]


def block_populations() -> dict[int, int]:
    return {r["block"]: r["population"] for r in db.iter_query("SELECT block, population FROM blocks")}


def _parents(children: set[str], day: str) -> dict[str, list[str]]:
    """part_of parents on `day` of some organisations, in one query per 500."""
    out: dict[str, list[str]] = defaultdict(list)
    ordered = sorted(children)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"""SELECT child_id, parent_id FROM memberships WHERE child_id IN ({marks}) AND relation = 'part_of'
                AND COALESCE(start, '') <= ? AND COALESCE(end, '9999-12-31') >= ? ORDER BY child_id, parent_id""",
            (*chunk, day, day),
        )
        for r in rows:
            out[r["child_id"]].append(r["parent_id"])
    return out


def _kind(org_id: str) -> str:
    return org_id.split(":", 1)[0]


def levels_on(day: str) -> dict[int, dict[str, str]]:
    """Block -> {level: org id} on `day` for the levels 'area' (CCG or sub-ICB location), 'la',
    'system' (STP or ICB), 'area_team' and 'region' (a level missing where the block had none).
    Above the area, the one walk up the parent tree (hierarchy.walk_up: the nearest of each kind;
    a CCG's region through its area team while it had one, to March 2020, else its STP)."""
    from ics_cli.hierarchy import walk_up

    blocks = {b: dict(lv) for b, lv in block_map(day).items()}
    areas = {lv["area"] for lv in blocks.values() if "area" in lv}
    up = _parents(areas, day)
    up.update(_parents({p for ps in up.values() for p in ps}, day))

    def parents_of(oid: str) -> list[dict]:
        return [{"org_id": p, "kind": _kind(p)} for p in up.get(oid, ())]

    above = {area: walk_up(area, parents_of) for area in areas}
    for lv in blocks.values():
        found = above.get(lv.get("area"), {})
        system = next((found[k] for k in FOOTPRINT_KINDS if k in found), None)
        for level, org in (("system", system), ("area_team", found.get("area_team")), ("region", found.get("region"))):
            if org:
                lv[level] = org["org_id"]
    return blocks


def area_blocks(org_id: str, day: str) -> dict[int, int]:
    """The blocks of an area organisation (CCG, sub-ICB location, STP, ICB, area team, region or
    district) on `day`, each with its Census 2021 residents; {} when it had none that day."""
    level = LEVEL_OF_KIND.get(_kind(org_id))
    if level is None:
        return {}
    pops = block_populations()
    if level in ("area", "la"):
        rows = db.query(f"SELECT block FROM block_parents p WHERE p.parent_id = :id AND {ALIVE}", {"id": org_id, "d": day})
        return {r["block"]: pops[r["block"]] for r in rows}
    return {b: pops[b] for b, lv in levels_on(day).items() if lv.get(level) == org_id}


def area_flow(org_id: str, day: str, to_day: str, to_kind: str | None = None) -> dict | None:
    """Where an organisation's area of `day` lay on `to_day`: {org_id, day, to_day, level,
    population, flows: [{org_id, population, share}]}, the share being of its Census 2021
    residents on `day`, largest first (org_id None for residents in no organisation of that
    level on `to_day`). `to_kind` picks the level on `to_day` (ccg or sub_icb: whichever existed,
    stp or icb, area_team, region, la); by default the organisation's own. None when it had no
    area on `day`.

    This is the share of its own area: Dudley (ccg:05C) on 2021-03-31 lay wholly in the Black
    Country sub-ICB location on 2022-07-01, although the CCG it merged into (D2P2L) sent 12.5%
    of its residents to Birmingham and Solihull (15E)."""
    blocks = area_blocks(org_id, day)
    if not blocks:
        return None
    level = LEVEL_OF_KIND[to_kind] if to_kind else LEVEL_OF_KIND[_kind(org_id)]
    after = levels_on(to_day)
    total = sum(blocks.values())
    sums: dict[str | None, int] = defaultdict(int)
    for b, pop in blocks.items():
        sums[after.get(b, {}).get(level)] += pop
    flows = [{"org_id": oid, "population": pop, "share": pop / total if total else 0.0} for oid, pop in sums.items()]
    flows.sort(key=lambda f: (-f["population"], f["org_id"] or "~"))
    return {"org_id": org_id, "day": day, "to_day": to_day, "level": level, "population": total, "flows": flows}


# --- postcode sectors and districts -----------------------------------------------------------------


def sector_blocks(sector: str) -> list[dict]:
    """The blocks a postcode sector's LSOAs 2011 lie in: [{block, lsoas}] ([] for a sector the
    lookup does not hold)."""
    return db.query("SELECT block, lsoas FROM sector_blocks WHERE sector = ? ORDER BY block", (sector,))


def _candidates(counts: dict[int, int], day: str, level: str) -> list[dict]:
    """The organisations at `level` holding blocks `counts` (block -> LSOAs) on `day`, by share
    of the LSOAs, largest first."""
    levels = block_map(day) if level in ("area", "la") else levels_on(day)
    sums: dict[str, int] = defaultdict(int)
    for b, n in counts.items():
        oid = levels.get(b, {}).get(level)
        if oid:
            sums[oid] += n
    total = sum(sums.values())
    out = [{"org_id": oid, "lsoas": n, "share": n / total} for oid, n in sums.items()]
    return sorted(out, key=lambda c: (-c["lsoas"], c["org_id"]))


def sector_areas(sector: str, day: str, kind: str = "ccg") -> list[dict]:
    """The organisations a postcode sector's LSOAs 2011 lay in on `day`, at the level of `kind`
    (ccg or sub_icb: whichever existed; stp, icb, region, la): [{org_id, lsoas, share}], by share
    of the sector's LSOAs, largest first. One candidate: the sector lay wholly in it; several: it
    straddled a boundary (unweighted: a count of LSOAs, not of addresses or people)."""
    return _candidates({r["block"]: r["lsoas"] for r in sector_blocks(sector)}, day, LEVEL_OF_KIND[kind])


def district_areas(district: str, day: str, kind: str = "ccg") -> list[dict]:
    """As sector_areas, over all the district's sectors (an LSOA in two sectors counts twice)."""
    counts: dict[int, int] = defaultdict(int)
    for r in db.query(
        "SELECT block, lsoas FROM sector_blocks WHERE sector >= ? AND sector <= ?", (f"{district} 0", f"{district} 9")
    ):
        counts[r["block"]] += r["lsoas"]
    return _candidates(counts, day, LEVEL_OF_KIND[kind])


def sector_counts(sector: str) -> dict[int, int]:
    """A postcode sector's blocks and how many of its LSOAs 2011 lie in each ({} for a sector the
    lookup does not hold), from the whole table read once (for ``ics resolve``)."""

    def build() -> dict[str, dict[int, int]]:
        out: dict[str, dict[int, int]] = defaultdict(dict)
        for code, block, n in db.rows("SELECT sector, block, lsoas FROM sector_blocks"):
            out[code][block] = n
        return dict(out)

    return _index("sectors", build).get(sector, {})


def district_counts(district: str) -> dict[int, int]:
    """As sector_counts, over all the district's sectors (an LSOA in two sectors counts twice)."""
    counts: dict[int, int] = defaultdict(int)
    for digit in "0123456789":
        for block, n in sector_counts(f"{district} {digit}").items():
            counts[block] += n
    return dict(counts)


def candidates(counts: dict[int, int], day: str, kind: str = "ccg") -> list[dict]:
    """The organisations at the level of `kind` (ccg or sub_icb: whichever existed; la) that
    blocks `counts` (block -> LSOAs: sector_counts, district_counts) lay in on `day`:
    [{org_id, lsoas, share}], largest share first."""
    return _candidates(counts, day, LEVEL_OF_KIND[kind])
