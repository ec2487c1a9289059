"""``ics show`` for a small area (an LSOA code, 2011 or 2021 census): what it is, the
organisations it lay in on the day, and the dated history of its block's parents with their
sources (data/README.md, "Small areas"). Plain data; the sheet is views.show_sheet (small_area_blocks).

An LSOA is not an organisation: the one resolver reads its code as the CCG or sub-ICB location
it lay in (``ics resolve``, ``--in``), and ``ics show`` alone describes the area itself."""

from __future__ import annotations

from ics_cli import queries
from ics_cli.dates import day_after, day_before
from ics_cli.errors import IcsError
from ics_cli.safetext import quoted
from ics_cli.vocab import FOOTPRINT_KINDS, label

# The levels above an LSOA's area that its profile names and its history follows.
_ABOVE = (*FOOTPRINT_KINDS, "area_team", "region")
_ORDER = ("ccg", "sub_icb", "stp", "icb", "area_team", "region", "la")  # a history's rows on one day


def is_small_area(text: str) -> bool:
    """Whether `text` has the shape of an LSOA code (E01 or W01 and six digits). Every `ics show`
    asks: only text of an LSOA code's length and prefix imports small_areas (its regular
    expressions), as the resolver's read_places.read_lsoa does, so a show of an organisation
    does not pay for it."""
    raw = (text or "").strip()
    if not (len(raw) == 9 and raw[1:3] == "01" and raw[0] in "EeWw"):
        return False
    from ics_cli import small_areas

    return small_areas.lsoa_code(raw) is not None


def small_area(text: str, day: str) -> dict:
    """The profile of LSOA `text` on `day`; IcsError (exit 1) for a code the data lacks."""
    from ics_cli import small_areas

    code = small_areas.lsoa_code(text)
    row = small_areas.lsoa(code) if code else None
    if row is None:
        welsh = (code or text).upper().startswith("W")
        raise IcsError(
            f"No LSOA {quoted(code or text)} in the data: it holds the LSOAs of England (2011 and 2021 censuses).",
            hint="Welsh LSOAs are in no CCG or sub-ICB location." if welsh else None,
        )
    found = small_areas.lsoa_parents(code, day)
    parents = []
    if found["area"]:
        parents.append(_brief(found["area"], day))
        for p in queries.parents(found["area"], day):
            if p["kind"] in _ABOVE:
                parents.append({"kind": p["kind"], "code": p["code"], "name": p["name"], "org_id": p["org_id"]})
    if found["la"]:
        parents.append(_brief(found["la"], day))
    own = small_areas.lsoa_history(code)
    history = [
        {
            **_brief(r["parent_id"], r["start"]),
            "start": r["start"],
            "end": r["end"],
            "inferred": bool(r["inferred"]),
            "source": r["source"],
        }
        for r in own
    ]
    history += _history_above([r for r in own if not r["parent_id"].startswith("la:")])
    history.sort(key=lambda h: (h["start"], _ORDER.index(h["kind"]) if h["kind"] in _ORDER else len(_ORDER)))
    censuses = [year for year, held in (("2011", row["in_2011"]), ("2021", row["in_2021"])) if held]
    notes = []
    if not found["area"]:
        notes.append(f"The data places small areas from 2013-04-01; {day} is before that.")
    if found["inferred"]:
        notes.append(f"Its area on {day} is inferred: no source gives it ({found['source']}; data/README.md, Small areas).")
    if found["bridged"]:
        notes.append(
            f"The lookups of {day} list LSOAs of the other census: its parents that day come from "
            f"re-coded LSOAs of its {'MSOA' if row['bridge'] == 'msoa' else 'district'}"
            + (" (most of them: a guess)." if row["bridge"] == "majority" else ".")
        )
    return {
        "lsoa": code,
        "kind": "lsoa",
        "name": row["name"],
        "name_2011": row["name_2011"],
        "censuses": censuses,
        "bridge": row["bridge"],
        "population": row["population"],
        "as_of": day,
        "parents": parents,
        "inferred": found["inferred"],
        "bridged": found["bridged"],
        "history": history,
        "sources": {
            k: {"title": v["title"], "publisher": v["publisher"], "edition": v["edition"], "licence": v["licence"]}
            for k, v in queries.source_titles({h["source"] for h in history}).items()
        },
        "note": " ".join(notes) or None,
    }


def _history_above(areas: list[dict]) -> list[dict]:
    """The STP or ICB, area team and region above a block's areas ({parent_id, start, end,
    inferred, source}) over time: runs of one organisation, each with the source of the membership
    that placed the area (or its system) in it. A run carries over from one area to the next when
    the organisation above is the same, so a CCG's merger does not break its region's run."""
    runs: list[dict] = []
    current: dict[str, dict] = {}  # kind -> the open run
    for area in areas:
        end = area["end"] or "9999-12-31"
        days = sorted({area["start"]} | {d for d in queries.change_days_above(area["parent_id"]) if area["start"] < d <= end})
        for i, day in enumerate(days):
            last = day_before(days[i + 1]) if i + 1 < len(days) else area["end"]
            above = {p["kind"]: p for p in queries.parents(area["parent_id"], day) if p["kind"] in _ABOVE}
            for kind in set(current) - set(above):
                runs.append(current.pop(kind))
            for kind, p in above.items():
                run = current.get(kind)
                if run and run["org_id"] == p["org_id"] and run["end"] and day_after(run["end"]) == day:
                    run["end"] = last
                    continue
                if run:
                    runs.append(current.pop(kind))
                current[kind] = {
                    "kind": kind,
                    "code": p["code"],
                    "name": p["name"],
                    "org_id": p["org_id"],
                    "start": day,
                    "end": last,
                    "inferred": bool(area["inferred"]),
                    "source": p["via_source"],
                }
    return runs + list(current.values())


def _brief(org_id: str, day: str) -> dict:
    org = queries.org_on(org_id, day)
    return {"kind": org["kind"], "code": org["code"], "name": org["name"], "org_id": org_id}


def history_rows(record: dict) -> list[list[str]]:
    """The history as sheet rows: from, to, kind, code and name, and the source (inferred marked)."""
    return [
        [
            h["start"],
            h["end"] or "now",
            label(h["kind"]),
            h["code"],
            h["name"],
            h["source"] + (" (inferred)" if h["inferred"] else ""),
        ]
        for h in record["history"]
    ]
