"""The kinds of organisation, the words users type for them, and how each is labelled."""

from __future__ import annotations

from ics_cli.errors import UsageError

# Internal kind -> (singular label, plural label, CLI word).
KINDS = {
    "region": ("NHS England region", "NHS England regions", "regions"),
    "icb": ("integrated care board", "integrated care boards", "icbs"),
    "sub_icb": ("sub-ICB location", "sub-ICB locations", "sub-icbs"),
    "stp": ("sustainability and transformation partnership", "STPs", "stps"),
    "ccg": ("clinical commissioning group", "CCGs", "ccgs"),
    "area_team": ("NHS area team / local office", "NHS area teams and local offices", "area-teams"),
    "trust": ("NHS trust", "NHS trusts", "trusts"),
    "practice": ("GP practice", "GP practices", "practices"),
    "pcn": ("primary care network", "primary care networks", "pcns"),
    "la": ("local authority", "local authorities", "las"),
}
SHORT_LABEL = {
    "region": "region",
    "icb": "ICB",
    "sub_icb": "sub-ICB",
    "stp": "STP",
    "ccg": "CCG",
    "area_team": "area team",
    "trust": "trust",
    "practice": "practice",
    "pcn": "PCN",
    "la": "LA",
}

_ALIASES = {
    "regions": "region",
    "region": "region",
    "nhser": "region",
    "icbs": "icb",
    "icb": "icb",
    "ics": "icb",
    "icss": "icb",
    "sub-icbs": "sub_icb",
    "sub-icb": "sub_icb",
    "sub_icbs": "sub_icb",
    "sub_icb": "sub_icb",
    "subicbs": "sub_icb",
    "subicb": "sub_icb",
    "sicbl": "sub_icb",
    "sicbls": "sub_icb",
    "sub-icb-locations": "sub_icb",
    "sub-icb-location": "sub_icb",
    "stps": "stp",
    "stp": "stp",
    "ccgs": "ccg",
    "ccg": "ccg",
    "area-teams": "area_team",
    "area-team": "area_team",
    "area_teams": "area_team",
    "area_team": "area_team",
    "areateams": "area_team",
    "local-offices": "area_team",
    "local-office": "area_team",
    "trusts": "trust",
    "trust": "trust",
    "practices": "practice",
    "practice": "practice",
    "gp-practices": "practice",
    "gps": "practice",
    "gp": "practice",
    "pcns": "pcn",
    "pcn": "pcn",
    "las": "la",
    "la": "la",
    "local-authorities": "la",
    "local-authority": "la",
    "councils": "la",
    "council": "la",
    "lads": "la",
    "lad": "la",
}
CLI_WORDS = tuple(v[2] for v in KINDS.values())


def parse_kind(word: str) -> str:
    """The internal kind for what the user typed ('icbs', 'sub-icb', 'CCG'); exit 2 if unknown."""
    kind = _ALIASES.get((word or "").strip().lower().replace(" ", "-"))
    if kind is None:
        raise UsageError(f"Unknown kind {word!r}. Use one of: {', '.join(CLI_WORDS)} (singular forms work too).")
    return kind


def label(kind: str, plural: bool = False, title: bool = False) -> str:
    text = KINDS[kind][1 if plural else 0]
    return text[:1].upper() + text[1:] if title else text
