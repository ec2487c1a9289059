"""The CCGs of April 2013 to March 2015 at LSOA level, for which no ONS lookup survives: the July
2015 lookup carried back through the April 2015 mergers (source derived_lsoa_2013).

The Code History Database (E38) records, between April 2013 and July 2015, one merger (NHS
Newcastle Gateshead CCG, 13T, from 00F Gateshead, 00G Newcastle North and East and 00H Newcastle
West on 2015-04-01) and one boundary change (09G Coastal West Sussex and 09N Guildford and Waverley
re-coded on 2015-07-03, with no change that the July 2015 lookup shows). So every LSOA keeps its
July 2015 CCG, except 13T's:
- Gateshead's LSOAs (the whole district) were 00F's;
- Newcastle upon Tyne's were 00G's or 00H's, and no source splits the city by LSOA. They are
  inferred from the GP practices of the two CCGs (ODS membership history, on 2014-04-01): each
  practice's postcode sector votes for that sector's LSOAs; an LSOA with no vote, or a tie, takes
  the CCG of the nearest LSOA that has one (LSOA points of the sector lookup). These rows are
  marked inferred (block_parents.inferred), as are 09G's and 09N's before 2015-07-03.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .common import read_csv

MERGED_2015 = "13T"
GATESHEAD = ("E08000037", "00F")  # the district and the CCG that was exactly it
NEWCASTLE = ("E08000021", ("00G", "00H"))  # the district and the CCGs that shared it
PRACTICES_ON = "20140401"  # a day in the middle of the two CCGs' lives (ODS dates)
SECTOR_FILE = "geography/theimpactlab_postcode_sector_to_lsoa11_imd.csv"


def sector_key(postcode_or_sector: str) -> str:
    """'NE4 6SY' or 'NE4 6' -> 'NE4 6'; the sector file's 'NE4  6' -> 'NE4 6'."""
    text = postcode_or_sector.strip().upper()
    if " " not in text and len(text) == 5:  # the file's fixed-width form: outward code in 4 characters
        return f"{text[:4].strip()} {text[4]}"
    outward, inward = text.split(maxsplit=1) if " " in text else (text[:-3], text[-3:])
    return f"{outward} {inward.strip()[0]}"


def read_sectors(shared: Path) -> tuple[dict[str, set[str]], dict[str, tuple[float, float]]]:
    """Postcode sector -> its LSOAs 2011, and each LSOA's point (latitude, longitude)."""
    sectors: dict[str, set[str]] = defaultdict(set)
    points: dict[str, tuple[float, float]] = {}
    for r in read_csv(shared / SECTOR_FILE):
        sectors[sector_key(r["Postcode Sector"])].add(r["LSOA11CD"])
        points.setdefault(r["LSOA11CD"], (float(r["Latitude"]), float(r["Longitude"])))
    return dict(sectors), points


def newcastle_2013(shared: Path, lsoas: list[str], sectors: dict[str, set[str]], points: dict) -> dict[str, str]:
    """The inferred CCG (00G or 00H) of each Newcastle upon Tyne LSOA before April 2015."""
    p = shared / "practices"
    ccgs = NEWCASTLE[1]
    members = {}
    for row in read_csv(p / "ods_epcmem_gp_ccg_membership_2019-08.csv", header=False):
        practice, parent, _, joined, left = row[:5]
        if parent in ccgs and joined <= PRACTICES_ON and (not left or left >= PRACTICES_ON):
            members[practice] = parent
    postcodes = {
        row[0]: row[9] for row in read_csv(p / "ods_epraccur_gp_practices_2019-11.csv", encoding="latin-1", header=False)
    }
    wanted = set(lsoas)
    votes: dict[str, Counter] = defaultdict(Counter)
    for practice, ccg in sorted(members.items()):
        for lsoa in sectors.get(sector_key(postcodes[practice]), ()):
            if lsoa in wanted:
                votes[lsoa][ccg] += 1
    decided = {}
    for lsoa, counter in votes.items():
        (top, n), *rest = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        if not rest or rest[0][1] < n:
            decided[lsoa] = top
    if not decided or set(decided.values()) != set(ccgs):
        raise ValueError(f"Newcastle 2013: the practices of {ccgs} decide too few LSOAs ({len(decided)})")
    out = dict(decided)
    for lsoa in sorted(wanted - set(decided)):
        lat, lon = points[lsoa]
        nearest = min(decided, key=lambda other: ((points[other][0] - lat) ** 2 + ((points[other][1] - lon) * 0.57) ** 2, other))
        out[lsoa] = decided[nearest]
    return out


def ccg_2013(shared: Path, july_2015: dict[str, tuple[str, str]], sectors, points) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """{LSOA: (CCG, LAD)} for April 2013 to March 2015, and the LSOAs whose CCG is inferred."""
    merged = sorted(code for code, (ccg, _) in july_2015.items() if ccg == MERGED_2015)
    newcastle = [code for code in merged if july_2015[code][1] == NEWCASTLE[0]]
    others = {july_2015[code][1] for code in merged} - {GATESHEAD[0], NEWCASTLE[0]}
    if others:
        raise ValueError(f"13T's LSOAs lie in districts other than Gateshead and Newcastle: {sorted(others)}")
    inferred = newcastle_2013(shared, newcastle, sectors, points)
    out = {}
    for code, (ccg, lad) in july_2015.items():
        if ccg == MERGED_2015:
            ccg = inferred.get(code, GATESHEAD[1])
        out[code] = (ccg, lad)
    return out, set(inferred)
