"""NHS trusts (ODS etr 2025 and July 2026): organisations, names, postcodes, trust type, the ICB of
their headquarters (hq_in), and trust-to-trust successions (ODS successors, September 2023)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .common import clean_name, clip, edition_runs, ods_date, read_csv, succession_type
from .org_common import (
    ERA36_START,
    ERA42_END,
    ERA_START,
    FT_FIRST,
    S_ETR25,
    S_ETR26,
    S_SUCC,
    Geo,
    Out,
    readable,
    write_history,
)

# When a trust's name differs between the 2025 and 2026-07 etr editions the new name starts on
# 2026-04-01 (the 2026 edition's boundary) unless the rename came with a dated takeover:
TRUST_RENAMED_ON = {
    "RA7": "2026-07-01",  # University Hospitals Bristol and Weston took over North Bristol (RVJ closed 2026-06-30)
    "RWW": "2026-04-01",  # Warrington and Halton took over Bridgewater (RY2 closed 2026-03-31)
    "RY3": "2026-04-01",  # Norfolk Community Health and Care took over Cambs Community Services (RYV closed 2026-03-31)
}


@dataclass
class Trust:
    code: str
    start: str
    end: str


def trust_type(name: str) -> str:
    return "foundation trust" if "FOUNDATION TRUST" in name.upper() else "NHS trust"


def import_trusts(shared: Path, geo: Geo, out: Out) -> dict[str, Trust]:
    org = shared / "organisations"
    ed25 = {r[0]: r for r in read_csv(org / "ods_etr_nhs_trusts_2025.csv", header=False)}
    ed26 = {r[0]: r for r in read_csv(org / "ods_etr_nhs_trusts_2026-07.csv", header=False)}
    trusts: dict[str, Trust] = {}
    for code in sorted(set(ed25) | set(ed26)):
        old, new = ed25.get(code), ed26.get(code)
        latest = new or old
        if not latest[2].startswith("Y"):
            continue  # Welsh trusts (Velindre, Welsh Ambulance, Public Health Wales): no geography
        oid = f"trust:{code}"
        start, end = ods_date(latest[10]), ods_date(latest[11])  # the latest edition knows closures
        life = (start, end)
        # The 2026 edition is the source of a trust only it lists, or whose closure only it records.
        src = S_ETR26 if new and (not old or (end and not old[11])) else S_ETR25
        trusts[code] = Trust(code, start, end)
        out.t.org(oid, "trust", start, end, src)
        out.t.code(oid, "ods", code, start, end, src)

        # Names, postcode and type per edition; the 2026 edition's values start at the rename date.
        switch = TRUST_RENAMED_ON.get(code, ERA36_START)
        editions = [(start, old, S_ETR25), (switch, new, S_ETR26)] if old and new else [(start, latest, src)]
        write_history(out, oid, "name", [(f, readable(r[1]), s) for f, r, s in editions], life)
        write_history(out, oid, "postcode", [(f, clean_name(r[9]), s) for f, r, s in editions], life)
        for s, e, value, source in edition_runs([(f, trust_type(r[1]), s) for f, r, s in editions], *life):
            span = clip(s, e, FT_FIRST) if value == "foundation trust" else (s, e)
            if span:
                out.t.attr(oid, "trust_type", value, span[0], span[1], source)

        # hq_in: column 4 is the ICB of the trust's HQ; 42 ICBs from the 2025 edition, 36 from 2026.
        if old and old[3] in geo.icb42:
            out.link(oid, f"icb:{old[3]}", "hq_in", (ERA_START, ERA42_END), S_ETR25, life)
        if new and new[3] in geo.icb36:
            out.link(oid, f"icb:{new[3]}", "hq_in", (ERA36_START, ""), S_ETR26, life)
    return trusts


def import_trust_successions(shared: Path, trusts: dict[str, Trust], out: Out) -> None:
    """Trust-to-trust steps of the ODS successor file (TRUD, September 2023), classified by their
    shape on each date: several into one is a merger, one into several a split. A step is kept
    only if the dates agree with the trusts' own (the predecessor existed before the date and the
    successor on it); the later mergers of 2024-26 are curated (data/curated/successions.csv)."""
    by_date = defaultdict(set)
    for r in read_csv(shared / "history" / "ods_successors_trud_20230925_tomjemmett.csv"):
        a, b = trusts.get(r["from"]), trusts.get(r["to"])
        if (
            a
            and b
            and a.code != b.code
            and (a.start or "") < r["legal_start"]
            and (b.start or "") <= r["legal_start"] <= (b.end or "9999-12-31")
        ):
            by_date[r["legal_start"]].add((a.code, b.code))
    for day, edges in sorted(by_date.items()):
        for pred, succ in sorted(edges):
            carries_on = not (trusts[pred].end and trusts[pred].end < day)
            kind = succession_type(pred, succ, edges, carries_on)
            out.t.succession(f"trust:{pred}", f"trust:{succ}", day, kind, S_SUCC)
