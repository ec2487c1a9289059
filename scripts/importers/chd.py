"""The ONS Code History Database (July 2024: E38 CCGs and sub-ICB locations, E39 area teams and
local offices, E40 regions, E54 STPs and ICBs, as reshaped by Open Innovations) and the pairing of
its GSS codes with ODS codes, for the history importer: the periods of a code, an organisation
built from them (``emit_org``), and GSS-to-ODS pairs from the ONS lookups and the ODS eccg extracts.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from .common import Tables, clean_name, clip, merge_intervals, org_id, read_csv, runs

# Region names as ONS spells them, with one capitalisation fix ("North Of England").
NAME_FIXES = {"North Of England": "North of England"}


def read_chd(shared: Path) -> dict[str, dict]:
    """entity (E38, E39, E40, E54) -> GSS code -> its CHD entries."""
    h = shared / "history"
    return {
        e: json.loads((h / f"ons_chd_2024-07_{e}_openinnovations.json").read_text())["areas"]
        for e in ("E38", "E39", "E40", "E54")
    }


def periods(chd_entries: list[dict], upto: str = "") -> list[dict]:
    """CHD periods of one GSS code as dicts with start/end/name/parent, sorted, optionally cut at `upto`."""
    out = []
    for p in chd_entries:
        start, end = p["date"]["s"], p["date"].get("e", "")
        if upto:
            cut = clip(start, end, "0000-01-01", upto)
            if not cut:
                continue
            start, end = cut
        out.append({"start": start, "end": end, "name": NAME_FIXES.get(p["nm"], p["nm"]), "parent": p.get("parent")})
    return sorted(out, key=lambda p: p["start"])


def at_date(chd_entries: list[dict], date: str) -> dict | None:
    for p in periods(chd_entries):
        if p["start"] <= date <= (p["end"] or "9999-12-31"):
            return p
    return None


def pair_by_majority(pairs: Counter) -> dict[str, str]:
    """From counts of (gss, ods) co-occurrences, the ODS code that most often goes with each GSS code."""
    best: dict[str, tuple[int, str]] = {}
    for (gss, ods), n in sorted(pairs.items()):
        if gss and ods and (gss not in best or n > best[gss][0]):
            best[gss] = (n, ods)
    return {gss: ods for gss, (n, ods) in best.items()}


def read_eccg(path: Path) -> list[list[str]]:
    return read_csv(path, encoding="latin-1", header=False)


def eccg_votes(h: Path, chd: dict, e38_ods: dict, column: int, levels: int) -> Counter:
    """Counts of (GSS parent, eccg column value) over the open CCGs of the 2016 and 2018 ODS extracts.

    The parent is the CCG's E39 (levels=1) or that E39's E40 (levels=2) in the CHD on the extract's
    date, so the counts pair GSS codes of area teams or regions with the ODS codes in `column`."""
    votes: Counter = Counter()
    ods_to_e38 = defaultdict(list)
    for gss, ods in e38_ods.items():
        ods_to_e38[ods].append(gss)
    for file, date in (("ods_eccg_2016-02.csv", "2016-02-01"), ("ods_eccg_2018-11.csv", "2018-11-01")):
        for row in read_eccg(h / file):
            if row[13] != "C" or row[11]:
                continue
            for gss in ods_to_e38[row[0]]:
                parent = gss
                for entity in ("E38", "E39")[:levels]:
                    p = at_date(chd[entity][parent], date)
                    parent = p["parent"] if p else None
                    if not parent:
                        break
                if parent:
                    votes[(parent, row[column])] += 1
    return votes


def emit_org(
    t: Tables, kind: str, key: str, items: list[tuple[str, list[dict]]], ods: tuple[str, str] | None, name_fix=clean_name
) -> tuple[str, list[dict]]:
    """Write an organisation built from the CHD periods of its GSS codes (items: (gss, periods)):
    the org over their union (which must be one interval), its ODS code over the whole of it if
    `ods` gives one (code, source), each GSS code over its own periods, and its names. Returns the
    org id and all its periods, oldest first."""
    oid = org_id(kind, key)
    all_pers = sorted((p for _, pers in items for p in pers), key=lambda p: p["start"])
    life = merge_intervals((p["start"], p["end"]) for p in all_pers)
    assert len(life) == 1, (oid, life)
    start, end = life[0]
    t.org(oid, kind, start, end, "ons_chd_2024_07")
    if ods:
        t.code(oid, "ods", ods[0], start, end, ods[1])
    for gss, pers in items:
        for s, e in merge_intervals((p["start"], p["end"]) for p in pers):
            t.code(oid, "ons", gss, s, e, "ons_chd_2024_07")
    for s, e, name, _ in runs((p["start"], p["end"], name_fix(p["name"]), None) for p in all_pers):
        t.name(oid, name, s, e, "ons_chd_2024_07")
    return oid, all_pers


# --- GSS to ODS -----------------------------------------------------------------------------


def e38_to_ods(shared: Path, chd38: dict) -> dict[str, str]:
    """Every E38 GSS code paired with the ODS code of the CCG / sub-ICB location it identified."""
    h, g = shared / "history", shared / "geography"
    pairs: dict[str, str] = {}
    for row in read_csv(h / "ons_ccg_names_codes_2013-04.csv", encoding="cp1252"):
        pairs[row["CCG13CD"]] = row["CCG13CDH"]
    for row in read_csv(h / "nhspd_ccg_names_codes_uk_as_at_04_18.csv"):
        if row["CCG18CD"].startswith("E38"):
            pairs[row["CCG18CD"]] = row["CCG18CDH"]
    for path, cd, cdh in (
        ("ons_ccg19_stp19_lookup_2019-04.csv", "CCG19CD", "CCG19CDH"),
        ("ons_ccg20_names_codes_2020-04.csv", "CCG20CD", "CCG20CDH"),
        ("ons_ccg21_stp21_nhser21_lookup_2021-04.csv", "CCG21CD", "CCG21CDH"),
        ("ons_sicbl23_icb23_nhser23_lookup_2023-04.csv", "SICBL23CD", "SICBL23CDH"),
    ):
        for row in read_csv(h / path):
            pairs[row[cd]] = row[cdh]
    for row in read_csv(g / "ons_sicbl22_icb22_nhser22_2022-07.csv"):
        pairs[row["SICBL22CD"]] = row["SICBL22CDH"]
    # Codes in no lookup (E38000216, NHS Morecambe Bay CCG for 2017-18) are paired through a later
    # code of the same name in the CHD: same name, same organisation.
    by_name = defaultdict(set)
    for gss, entries in chd38.items():
        if gss in pairs:
            for p in entries:
                by_name[p["nm"]].add(pairs[gss])
    for gss, entries in sorted(chd38.items()):
        if gss not in pairs:
            found = {ods for p in entries for ods in by_name.get(p["nm"], ())}
            if len(found) != 1:
                raise ValueError(f"cannot pair {gss} ({entries[0]['nm']}) with an ODS code: {found}")
            pairs[gss] = found.pop()
    return pairs
