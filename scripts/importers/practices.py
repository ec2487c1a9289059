"""GP practices (ODS epraccur 2025, England, prescribing setting 4): organisations, names and
postcodes, their CCG on every day from 2013-04-01 to 2022-06-30 (practice_ccgs.py), their sub-ICB
location from 2022-07-01 (epraccur's commissioner, QOF 2022-23 before a later move, the August 2026
GP map from 2026-04-01) and QOF 2022-23 list sizes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import practice_ccgs
from .common import clean_name, clip, day_before, ods_date, read_csv
from .org_common import (
    ERA36_START,
    ERA_START,
    S_CLOSED26,
    S_EPRACCUR,
    S_MAP26,
    S_QOFMAP,
    S_QOFPREV,
    Geo,
    Out,
    readable,
    write_history,
)


@dataclass
class Practice:
    code: str
    start: str
    end: str


def import_practices(
    shared: Path, geo: Geo, out: Out, successions: list[dict] = ()
) -> tuple[dict[str, Practice], dict[str, dict], dict[str, list]]:
    """Returns the practices, the Aug 2026 map by practice and the epraccur rows by code.
    `successions`: the CCG successions of the other importers, which carry practices through the
    CCG mergers (practice_ccgs.py)."""
    org = shared / "organisations"
    rows = read_csv(org / "ods_epraccur_gp_practices_2025-09.csv", header=False)
    gpmap = {r["PRACTICE_CODE"]: r for r in read_csv(shared / "geography" / "nhsd_gp_reg_pat_prac_map_2026-08.csv")}
    qof = {r["PRACTICE_CODE"]: r for r in read_csv(org / "nhsd_qof_MAPPING_NHS_GEOGRAPHIES_2022-23.csv")}
    practices: dict[str, Practice] = {}
    for r in rows:
        # Prescribing setting 4 = GP practice; national grouping W00 = Wales.
        if r[25] != "4" or r[2] == "W00":
            continue
        code = r[0]
        oid = f"practice:{code}"
        start, end = ods_date(r[10]), ods_date(r[11])
        closed_unseen = not end and code not in gpmap
        if closed_unseen:
            # Open (or dormant) in September 2025 but not in the August 2026 map: closed by then, on
            # a day the files do not give; like PCNs, taken to have closed at the 2026 boundary. The
            # record cites the derivation (both files), so the closure names the 2026 file.
            end = day_before(ERA36_START)
        life = (start, end)
        practices[code] = Practice(code, start, end)
        out.t.org(oid, "practice", start, end, S_CLOSED26 if closed_unseen else S_EPRACCUR)
        out.t.code(oid, "ods", code, start, end, S_EPRACCUR)
        m = gpmap.get(code)

        # Names/postcodes that differ in the Aug 2026 map are dated from 2026-04-01 (rename date unknown).
        later = [(ERA36_START, m, S_MAP26)] if m else []
        write_history(
            out,
            oid,
            "name",
            [(start, readable(r[1]), S_EPRACCUR)] + [(f, readable(x["PRACTICE_NAME"]), s) for f, x, s in later],
            life,
        )
        write_history(
            out,
            oid,
            "postcode",
            [(start, clean_name(r[9]), S_EPRACCUR)] + [(f, clean_name(x["PRACTICE_POSTCODE"]), s) for f, x, s in later],
            life,
        )

        # Commissioner (col 15) over join..left (cols 16-17): the sub-ICB location from 2022-07-01
        # (the CCGs before then: practice_ccgs.py). Practices in the 2026 map take its sub-ICB from
        # 2026-04-01 (this moves the Frimley D4U1Y practices to U2G6B, 92A or D9Y0V).
        comm, joined, left = r[14], ods_date(r[15]), ods_date(r[16])
        hi = day_before(ERA36_START) if m else ""
        out.link(oid, f"sub_icb:{comm}", "part_of", clip(joined, left, hi=hi), S_EPRACCUR, life)
        # epraccur only has the latest commissioner. QOF 2022-23 (as at 2023-03-31) fills the gap
        # before a join date after 2023-03-31 (e.g. 14 practices moved 03Q -> 42D on 2024-04-01).
        q = qof.get(code)
        if q and joined > "2023-03-31":
            qcode = q["SUB_ICB_ODS_CODE"]
            out.link(oid, f"sub_icb:{qcode}", "part_of", (ERA_START, day_before(joined)), S_QOFMAP, life)
        if m:
            mcode = m["SUB_ICB_LOCATION_CODE"]
            out.link(oid, f"sub_icb:{mcode}", "part_of", (ERA36_START, ""), S_MAP26, life)

    # CCGs, 2013-04-01 to 2022-06-30: the membership history, then the editions (practice_ccgs.py).
    history, editions = practice_ccgs.ccg_history(
        shared, geo.ccg, list(successions), {c: (p.start, p.end) for c, p in practices.items()}
    )
    for code, spans in sorted(history.items()):
        p = practices[code]
        for s, e, ccg, source in spans:
            out.link(f"practice:{code}", f"ccg:{ccg}", "part_of", (s, e), source, (p.start, p.end))
    for r in editions:
        out.t.edition(*r)

    # QOF 2022-23 list sizes (TOTAL rows), one per practice.
    prev = read_csv(org / "nhsd_qof_PREVALENCE_2022-23.csv")
    sizes: dict[str, str] = {}
    for r in prev:
        if r["PATIENT_LIST_TYPE"] == "TOTAL":
            assert sizes.setdefault(r["PRACTICE_CODE"], r["PRACTICE_LIST_SIZE"]) == r["PRACTICE_LIST_SIZE"]
    for code, size in sorted(sizes.items()):
        assert code in practices, code
        out.t.population(f"practice:{code}", "qof_list_size", int(size), "2023-03-31", S_QOFPREV)
    return practices, gpmap, {r[0]: r for r in rows}
