"""The tool's vocabulary: every word of the domain the CLI reads or writes, defined once.

- ``KINDS``: for each kind of organisation (the internal kind, as in ``orgs.kind`` and org ids),
  a :class:`Kind`: its label, plural, short label, the CLI word (``ics list sub-icbs``), the
  singular word (``ics resolve --to sub-icb``), other words users type for it, and the phrases in
  a name that say the user means that kind ("NHS Bassetlaw CCG" is the CCG, not the council).
  The order of ``KINDS`` is the order kinds are offered to users.
- ``PRIORITY``: which kind wins when one text names organisations of several kinds on a day
  (an ICB before its sub-ICB location, NHS bodies before the council of the same name);
  ``FOOTPRINT_KINDS`` and ``PLACE_NAME_KINDS``: the rule for names (:mod:`ics_cli.resolve`).
- ``ics`` is not a kind but a word for the integrated care systems of a day (``ICS_WORDS``,
  :func:`footprint_kind`: the STPs to 2022-06-30, the ICBs after): ``ics list ics``, ``--kind ics``.
- ``LEVELS``, ``LEVEL_FIELDS``, ``POPULATION_FIELDS``: the fields an export asks ``ics list`` for.
- ``NOT_HELD``: kinds of body the data does not hold, said first when a text names one.
- ``PARENT_ORDER``: the order a profile lists an organisation's parents, nearest first.
- ``MEMBER_SECTIONS``: the groups of members a profile shows, in order.
- ``BLOCK_LEVEL_OF_KIND``: the level at which a small area's parent of each kind is stored.
- ``RESOLVE_LEVELS``: the kinds ``ics resolve --to`` maps to; ``CLOSING_KINDS``: the kinds that
  close rather than being abolished.
- ``STEPS``: the words for each type of step in an organisation's history.
- ``MEASURES``: population measures and their labels; ``EVENT_KINDS``: the timeline's events
  (``MEMBERSHIP_EVENT_KINDS``: a practice's or a PCN's own changes of CCG, sub-ICB location or PCN).
- :func:`span`: the one way a date range is written.

Every parser of kind words (``ics list KIND``, ``search --kind``, ``resolve --to``, and org ids
such as ``stp:QNQ`` in :mod:`ics_cli.resolve`) goes through :func:`kind_of_word`, so a word that
works in one place works in all. The parsers raise UsageError (exit 2) for an unknown word.

Imported on every run: only the standard library and :mod:`ics_cli.errors`.
"""

from __future__ import annotations

from collections import namedtuple

from ics_cli.errors import UsageError
from ics_cli.safetext import quoted

# A kind of organisation: label "sub-ICB location"; plural "sub-ICB locations"; short "sub-ICB"
# (beside a code in a profile or a list of candidates); word "sub-icbs" (what `ics list` takes
# and usage messages offer); one "sub-icb" (the singular word, `ics resolve --to`); aliases (other
# words users type for it); hints (phrases in a name that say it names this kind). A plain
# namedtuple: typing.NamedTuple would compile its annotations on every start-up.
Kind = namedtuple("Kind", "label plural short word one aliases hints", defaults=((), ()))


# "ics": an integrated care system, the footprint of the day rather than one kind of body: its
# STP until 2022-06-30, its ICB from 2022-07-01 (footprint_kind; `ics list ics`). Without a day
# (a kind word read on its own) it is the ICB.
ICS_WORDS = ("ics", "icss", "integrated-care-system", "integrated-care-systems")
ICB_START = "2022-07-01"  # the first day of the statutory ICSs (ICBs): STPs before it
FOOTPRINT_KINDS = ("icb", "stp")  # the kinds that were an ICS's body on some day
# The kinds that carry an ICB's or STP's name as a place (short) or former name: "Surrey
# Heartlands" names the ICB, not the sub-ICB location that kept the name (resolve.rank).
PLACE_NAME_KINDS = ("sub_icb", "practice")


def footprint_kind(day: str) -> str:
    """The kind that was an ICS's body on `day`: ``stp`` until 2022-06-30, ``icb`` after."""
    return "icb" if day >= ICB_START else "stp"


KINDS: dict[str, Kind] = {
    "region": Kind("NHS England region", "NHS England regions", "region", "regions", "region", ("nhser",)),
    "icb": Kind(
        "integrated care board",
        "integrated care boards",
        "ICB",
        "icbs",
        "icb",
        ICS_WORDS,
        ("integrated care board", "icb"),
    ),
    "sub_icb": Kind(
        "sub-ICB location",
        "sub-ICB locations",
        "sub-ICB",
        "sub-icbs",
        "sub-icb",
        ("sicbl", "sicbls", "sub-icb-location", "sub-icb-locations"),
        # "NHS X ICB - 01Y" names a sub-ICB location; "NHS X ICB" an ICB.
        ("icb -", "sub-icb location", "sub icb location"),
    ),
    "stp": Kind("sustainability and transformation partnership", "STPs", "STP", "stps", "stp"),
    "ccg": Kind("clinical commissioning group", "CCGs", "CCG", "ccgs", "ccg", (), ("clinical commissioning group", "ccg")),
    "area_team": Kind(
        "NHS area team / local office",
        "NHS area teams and local offices",
        "area team",
        "area-teams",
        "area-team",
        ("local-office", "local-offices"),
        ("area team", "local office"),
    ),
    "trust": Kind("NHS trust", "NHS trusts", "trust", "trusts", "trust", (), ("nhs trust", "foundation trust")),
    "practice": Kind("GP practice", "GP practices", "practice", "practices", "practice", ("gp", "gps", "gp-practices")),
    "pcn": Kind("primary care network", "primary care networks", "PCN", "pcns", "pcn", (), ("primary care network", "pcn")),
    "la": Kind(
        "local authority",
        "local authorities",
        "LA",
        "las",
        "la",
        ("local-authority", "local-authorities", "council", "councils", "lad", "lads"),
        ("council",),
    ),
}
SHORT_LABEL = {k: v.short for k, v in KINDS.items()}
CLI_WORDS = tuple(v.word for v in KINDS.values())

PRIORITY = ("icb", "sub_icb", "region", "trust", "pcn", "practice", "stp", "ccg", "area_team", "la")
PARENT_ORDER = ("pcn", "sub_icb", "ccg", "icb", "stp", "area_team", "region")
RESOLVE_LEVELS = ("icb", "sub_icb", "region", "stp", "ccg", "pcn", "area_team", "la")
# Kinds that close (and are succeeded) rather than being abolished (with their area going elsewhere).
CLOSING_KINDS = ("practice", "trust", "pcn")
# A small area's (block's) parents are stored by level (block_parents.level), one per level a
# day: both area kinds at "area", both system kinds at "system". The build writes these levels
# and the CLI reads them, so they are defined here once.
BLOCK_LEVEL_OF_KIND = {
    "ccg": "area",
    "sub_icb": "area",
    "stp": "system",
    "icb": "system",
    "area_team": "area_team",
    "region": "region",
    "la": "la",
}


# The kinds whose areas make up an organisation's area (its members): the build draws the
# boundary from theirs, the map draws them inside it.
AREA_MEMBERS = {"icb": ("sub_icb",), "stp": ("ccg",), "region": ("icb", "stp")}

# A group of members in a profile: the membership's relation to the organisation shown, the
# members' kind, the key in the profile record, the heading on a terminal.
MemberSection = namedtuple("MemberSection", "relation kind key title")


MEMBER_SECTIONS = (
    MemberSection("part_of", "sub_icb", "sub_icb_locations", "Sub-ICB locations"),
    MemberSection("part_of", "icb", "icbs", "ICBs"),
    MemberSection("part_of", "stp", "stps", "STPs"),
    MemberSection("part_of", "ccg", "ccgs", "CCGs"),
    MemberSection("part_of", "area_team", "area_teams", "Area teams"),
    MemberSection("part_of", "pcn", "pcns", "PCNs"),
    MemberSection("part_of", "practice", "practices", "GP practices"),
    MemberSection("hq_in", "trust", "trusts_hq", "Trusts with headquarters here"),
    MemberSection("partner", "trust", "partner_trusts", "Partner trusts"),
    MemberSection("partner", "la", "partner_councils", "Partner councils"),
    MemberSection("overlaps", "la", "local_authorities", "Local authority districts"),
)

# A step in an organisation's history (successions.type, and lineage's `moved`) as a phrase.
STEPS = {
    "merger": "merger",
    "split": "split",
    "boundary_transfer": "boundary transfer",
    "became_sub_icb": "became a sub-ICB location",
    "succeeded": "succeeded",
    "moved": "moved",
}

MEASURES = {
    "gp_registered_patients": "GP-registered patients",
    "ons_mid_year_estimate": "ONS mid-year estimate",
    "census_2021": "Census 2021 residents",
    "qof_list_size": "QOF list size",
}

# The fields of an export (`ics list KIND --fields ...`, listing.py): the organisation of each level
# a record is in on the day ("ics": the footprint of the day), and each measure's figure for its area.
LEVELS = (*PARENT_ORDER, "ics")
LEVEL_FIELDS = tuple(f"{level}_{part}" for level in LEVELS for part in ("code", "name", "id"))
POPULATION_FIELDS = {
    "population_gp": "gp_registered_patients",
    "population_ons": "ons_mid_year_estimate",
    "population_census": "census_2021",
    "population_qof": "qof_list_size",
}

# A GP practice's or a PCN's own changes of CCG, sub-ICB location or PCN (from memberships).
MEMBERSHIP_EVENT_KINDS = ("joined", "moved", "left")
EVENT_KINDS = (
    "policy",
    "established",
    "abolished",
    "merger",
    "split",
    "boundary_transfer",
    "became_sub_icb",
    "succeeded",
    "rename",
    "recode",
    *MEMBERSHIP_EVENT_KINDS,
)


# Kinds of body the data does not hold, the phrases that name them, and what the data holds
# instead: a search or an ID that names one says so first (search.answer, resolve.not_found).
NotHeld = namedtuple("NotHeld", "plural phrases instead")
NOT_HELD = (
    NotHeld(
        "integrated care partnerships (ICPs)",
        ("integrated care partnership", "integrated care partnerships", "icp", "icps"),
        "each ICS's ICP is the joint committee of its ICB and councils, with the ICB's area: see the ICB (ics list icbs)",
    ),
    NotHeld(
        "provider collaboratives",
        ("provider collaborative", "provider collaboratives"),
        "their member trusts are held (ics list trusts --in ICB)",
    ),
    NotHeld(
        "place partnerships",
        ("place partnership", "place partnerships", "place based partnership", "place based partnerships"),
        "the nearest held are sub-ICB locations (ics list sub-icbs) and councils (ics list las)",
    ),
    NotHeld("cancer alliances", ("cancer alliance", "cancer alliances"), "no area of theirs is held"),
    NotHeld(
        "primary care trusts (PCTs, abolished in March 2013)",
        ("primary care trust", "primary care trusts", "pct", "pcts"),
        "the data starts on 2013-04-01, with the CCGs that followed them (ics list ccgs --as-of 2013-04-01)",
    ),
    NotHeld(
        "commissioning support units (CSUs)",
        ("commissioning support unit", "commissioning support units", "csu", "csus"),
        "none of theirs is held",
    ),
)


def not_held(text: str) -> list[NotHeld]:
    """The kinds of body the data does not hold that `text` names ("North East provider
    collaborative": provider collaboratives), as whole words, case and punctuation aside."""
    words = " " + " ".join("".join(ch if ch.isalnum() else " " for ch in (text or "").lower()).split()) + " "
    return [n for n in NOT_HELD if any(f" {p} " in words for p in n.phrases)]


def _spellings(word: str) -> set[str]:
    """A word as users may type it: with hyphens, underscores or neither ("area-teams", "area_teams", "areateams")."""
    return {word, word.replace("-", "_"), word.replace("_", "-"), word.replace("-", "").replace("_", "")}


_WORDS = {spelt: kind for kind, k in KINDS.items() for w in (kind, k.word, k.one, *k.aliases) for spelt in _spellings(w)}


_ICS_SPELLINGS = {spelt for w in ICS_WORDS for spelt in _spellings(w)}


def kind_of_word(word: str | None, day: str | None = None) -> str | None:
    """The internal kind a word names ('icbs', 'Sub-ICB', 'sicbl', 'council'), or None; 'ics' on
    `day` is the footprint of that day (:func:`footprint_kind`), without a day the ICB."""
    typed = (word or "").strip().lower().replace(" ", "-")
    if day is not None and typed in _ICS_SPELLINGS:
        return footprint_kind(day)
    return _WORDS.get(typed)


def is_ics_word(word: str | None) -> bool:
    """Whether a kind word is "ics" (the footprint of the day) rather than a kind of body."""
    return (word or "").strip().lower().replace(" ", "-") in _ICS_SPELLINGS


def parse_kind(word: str, day: str | None = None) -> str:
    """The internal kind for what the user typed (`ics list KIND`, `--kind`), read on `day` (see
    :func:`kind_of_word`); exit 2 if unknown."""
    kind = kind_of_word(word, day)
    if kind is None:
        raise UsageError(f"Unknown kind {quoted(word)}. Use one of: {', '.join(CLI_WORDS)}, ics (singular forms work too).")
    return kind


def parse_kinds(text: str | None) -> tuple[str, ...] | None:
    """Comma-separated kind words (`diff --kind icbs,practices`), each once, or None for all (no
    option given); an empty word is unknown, as in `ics list ''`."""
    if text is None:
        return None
    return tuple(dict.fromkeys(parse_kind(k) for k in text.split(",")))


def parse_level(word: str, day: str | None = None, what: str = "--to level") -> str:
    """The kind `ics resolve --to LEVEL` maps to (``ics``: the footprint of `day`); exit 2 if the
    word is not one of RESOLVE_LEVELS (`what` names the word in the message)."""
    kind = kind_of_word(word, day)
    if kind not in RESOLVE_LEVELS:
        raise UsageError(f"Unknown {what} {quoted(word)}. Use one of: {', '.join(KINDS[k].one for k in RESOLVE_LEVELS)}.")
    return kind


def parse_levels(text: str, day: str | None = None) -> tuple[str, ...]:
    """Comma-separated levels (`ics resolve --to icb,sub-icb,region`), each once, in the order
    given (``ics``: the footprint of `day`); exit 2 for an unknown one or none."""
    levels = tuple(dict.fromkeys(parse_level(w, day) for w in text.split(",") if w.strip()))
    if not levels:
        raise UsageError(f"--to needs at least one level: {', '.join(KINDS[k].one for k in RESOLVE_LEVELS)}.")
    return levels


def parse_measure(word: str | None) -> str | None:
    """A population measure (`--measure`), or None for all of them; exit 2 if unknown."""
    if word is not None and word not in MEASURES:
        raise UsageError(f"--measure {quoted(word)}: use one of {', '.join(MEASURES)}.")
    return word


def parse_event_kinds(text: str | None) -> tuple[str, ...] | None:
    """Comma-separated event kinds (`timeline --kind`), or None for all; exit 2 if one is unknown."""
    if text is None:
        return None
    kinds = tuple(k.strip().lower().replace("-", "_") for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in EVENT_KINDS]
    if bad or not kinds:
        shown = ", ".join(quoted(k) for k in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise UsageError(f"Unknown event kind {shown or quoted(text)}. Kinds: {', '.join(EVENT_KINDS)}.")
    return kinds


_HINT_PHRASES = tuple((f" {p} ", kind) for kind, k in KINDS.items() for p in k.hints)


def kind_hints(text: str) -> tuple[str, ...]:
    """The kinds a name's own words point to ("NHS Cumbria CCG": the CCG), in KINDS order."""
    words = " " + " ".join(text.lower().replace("-", " - ").split()) + " "
    found: list[str] = []
    for phrase, kind in _HINT_PHRASES:  # called for every distinct line `ics resolve` reads
        if phrase in words and kind not in found:
            found.append(kind)
    return tuple(found)


def label(kind: str, plural: bool = False, title: bool = False) -> str:
    """'integrated care board', 'integrated care boards', 'Integrated care boards'."""
    text = KINDS[kind].plural if plural else KINDS[kind].label
    return text[:1].upper() + text[1:] if title else text


def word(kind: str, plural: bool = False) -> str:
    """The CLI word for a kind, as notes for machines write it: 'sub-icb', 'sub-icbs'."""
    return KINDS[kind].word if plural else KINDS[kind].one


def step_word(step_type: str) -> str:
    """A step's type as a phrase: 'became_sub_icb' -> 'became a sub-ICB location'."""
    return STEPS.get(step_type, step_type.replace("_", " "))


def span(start: str | None, end: str | None, *, since: bool = False) -> str:
    """How a date range is written: '2016-04-01 to 2022-06-30'; without an end (it carries on)
    '2022-07-01 to now', or with ``since`` 'from 2022-07-01'; without a start (before the data's
    coverage) 'before 2013'."""
    first = start or "before 2013"
    if not end or end == "9999-12-31":
        return f"from {first}" if since else f"{first} to now"
    return f"{first} to {end}"
