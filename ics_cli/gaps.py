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
# (Councils' overlaps with CCGs, STPs, sub-ICB locations and ICBs are recorded on every day from
# April 2013, from the LSOA lookups: data/README.md, "Small areas".)
# Trusts are tied to ICBs (headquarters and constitution partners) only, from July 2022.
TRUST_LINKS_FROM = "2022-07-01"
TRUST_GAP = "Trusts are linked to ICBs only (headquarters and constitution partners), from July 2022."


def existed_span(first: str, last: str) -> str:
    """When a kind of organisation existed: "from 2022-07-01", "2013-04-01 to 2022-06-30"."""
    return f"from {first}" if last == "9999-12-31" else f"{first} to {last}"


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
    return None


def profile_note(kind: str, day: str, parents: list[dict]) -> str | None:
    """What a profile of an organisation of `kind` on `day` cannot show."""
    if kind in ("ccg", "stp", "area_team", "region") and practice_ccg_unknown(day):
        return f"GP practice counts are incomplete: {PRACTICE_GAP}."
    if kind == "practice" and practice_ccg_unknown(day) and not any(p["kind"] in ("ccg", "sub_icb") for p in parents):
        return f"Its CCG on {day} is not recorded: {PRACTICE_GAP}."
    return None
