"""What the data does not link, said rather than hidden: the notes that go with an answer whose
emptiness or missing parent comes from the sources, not from the map (data/README.md, "Coverage
and known gaps")."""

from __future__ import annotations

# ODS gives only each GP practice's latest commissioner, so before the last CCG mergers (April
# 2021) many practices have no recorded CCG.
PRACTICE_PARENTS_COMPLETE_FROM = "2021-04-01"
PRACTICE_GAP = (
    "practices' CCGs before April 2021 are only partly recorded (ODS gives each practice's "
    "latest commissioner; see data/README.md)"
)
# Councils' overlaps come from the LSOA lookups of April 2021 (CCGs, STPs) and July 2022 onwards.
OVERLAPS_FROM = "2021-04-01"
OVERLAPS_GAP = "Councils' overlaps with NHS areas are recorded from April 2021."
# Trusts are tied to ICBs (headquarters and constitution partners) only, from July 2022.
TRUST_LINKS_FROM = "2022-07-01"
TRUST_GAP = "Trusts are linked to ICBs only (headquarters and constitution partners), from July 2022."


def practice_ccg_unknown(day: str) -> bool:
    """Whether a practice without a CCG on `day` may simply be unrecorded."""
    return day < PRACTICE_PARENTS_COMPLETE_FROM


def list_note(kind: str, day: str, within_kind: str | None) -> str | None:
    """A note for any list of `kind` on `day` (inside an organisation of `within_kind`)."""
    if kind == "practice" and practice_ccg_unknown(day) and within_kind not in ("pcn", "la", "trust"):
        return f"Note: {PRACTICE_GAP}."
    return None


def empty_list_reason(kind: str, day: str, within_kind: str) -> str | None:
    """Why a list of `kind` inside an organisation of `within_kind` can be empty on `day`."""
    if kind == "trust" and (within_kind not in ("icb", "region") or day < TRUST_LINKS_FROM):
        return TRUST_GAP
    if kind == "la" and day < OVERLAPS_FROM:
        return OVERLAPS_GAP
    return None


def profile_note(kind: str, day: str, parents: list[dict]) -> str | None:
    """What a profile of an organisation of `kind` on `day` cannot show."""
    if kind in ("ccg", "stp", "area_team", "region") and practice_ccg_unknown(day):
        return f"GP practice counts are incomplete: {PRACTICE_GAP}."
    if kind == "practice" and practice_ccg_unknown(day) and not any(p["kind"] in ("ccg", "sub_icb") for p in parents):
        return f"Its CCG on {day} is not recorded: {PRACTICE_GAP}."
    if kind == "la" and day < OVERLAPS_FROM:
        return OVERLAPS_GAP
    return None
