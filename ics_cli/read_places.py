"""The resolver's readers of places (:mod:`ics_cli.resolve`, ``READERS`` 4 and 5): an LSOA code,
a full postcode, a postcode sector or a district, read as the CCGs or sub-ICB locations their
small areas lay in on the day (:mod:`ics_cli.small_areas`), through the source's look-ups
(``lsoa``, ``sector_areas``, ``district_areas``, ``postcode_areas``), so that every command and
``ics resolve`` read them alike. A reading of a place sets ``by`` ("lsoa", "sector" or
"district") and ``place``: it depends on the day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ics_cli import wording

if TYPE_CHECKING:
    from ics_cli.lookup_sources import SqlSource
    from ics_cli.resolve import Reading


def postcode_district(text: str) -> str | None:
    """The outward code of a postcode, sector or district ("DN22 7XF", "DN22 7", "DN22" -> "DN22")."""
    from ics_cli import small_areas

    return small_areas.district_of(text)


def read_lsoa(raw: str, day: str, source: SqlSource) -> Reading | None:
    """ "E01011959": the CCG or sub-ICB location the LSOA's block lay in on the day."""
    if not (len(raw) == 9 and raw[1:3] == "01" and raw[0] in "EeWw"):
        return None
    from ics_cli import small_areas
    from ics_cli.resolve import Reading, _as_candidate

    code = small_areas.lsoa_code(raw)
    found = source.lsoa(code, day) if code else None
    if code is None or found is None or found["area"] is None:  # an LSOA the data lacks, or before April 2013
        return Reading([], by="lsoa", place=code) if code else None
    return Reading([_as_candidate(source.org(found["area"]), day)], wording.lsoa_via(found), "lsoa", code)


def read_postcode(raw: str, day: str, source: SqlSource) -> Reading | None:
    """A full postcode or a sector: the areas its sector's LSOAs lay in on the day; a district (or
    a postcode whose sector the lookup lacks): all its sectors'; a district the lookup lacks: the
    NHS ODS postcode file's sub-ICB locations (no shares)."""
    from ics_cli import small_areas
    from ics_cli.resolve import Reading, _as_candidate

    district = small_areas.district_of(raw)
    if district is None:
        return None
    sector = small_areas.sector_of(raw)
    if sector:
        found = source.sector_areas(sector, day)
        if found:
            return Reading(_shared(found, day, source), f"postcode sector {sector} (its LSOAs)", "sector", sector)
    found = source.district_areas(district, day)
    if found:
        via = f"postcode district {district} (its postcode sectors' LSOAs" + (
            f"; sector {sector} is not in the lookup)" if sector else ")"
        )
        cands = _shared(found, day, source)
        from ics_cli.queries import POSTCODES_FROM

        if day >= POSTCODES_FROM:
            # The NHS ODS postcode file (official) may place some of the district's postcodes in an
            # area none of its sectors' LSOAs lie in (GU15 in 92A as well as D4U1Y): then it is
            # ambiguous, never the one area the LSOAs give.
            held = {c["org_id"] for c in cands}
            more = [oid for oid in source.postcode_areas(district, day)[0] if oid not in held]
            cands += [{**_as_candidate(source.org(oid), day), "share": None, "lsoas": 0} for oid in more]
        return Reading(cands, via, "district", district)
    ids, via = source.postcode_areas(district, day)
    return Reading([_as_candidate(source.org(oid), day) for oid in ids], via, "district", district)


def _shared(found: list[dict], day: str, source: SqlSource) -> list[dict]:
    """A postcode's areas as candidates, each with its share of the LSOAs (largest first)."""
    from ics_cli.resolve import _as_candidate

    return [{**_as_candidate(source.org(c["org_id"]), day), "share": c["share"], "lsoas": c["lsoas"]} for c in found]
