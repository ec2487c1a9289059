"""Identifier resolution: one routine reads every identifier, for every command.

Whatever the user has in hand (an ODS or ONS code, an official, short or former name, an old CCG
code, an org id like ``icb:QOP``, a kind and a code like ``stp:QNQ``, a postcode) becomes one
organisation, judged on the --as-of date: the same input gives the same organisation in ``show``,
``search``, ``lineage``, ``timeline``, ``population``, ``list --in`` and ``resolve``. The
commands read one identifier at a time over SQL (:class:`ics_cli.lookup_sources.SqlSource`);
``ics resolve`` reads a stream of them over maps held in memory
(:class:`ics_cli.lookup_sources.MemorySource`, built once); both go through :func:`read` and
:func:`pick`, so they decide alike.

Reading (``READERS``, in order; the first that recognises the text decides):

1. an org id as stored (``icb:QOP``, ``ICB: qop``);
2. a kind word and a code or name (``stp:QNQ``, ``ccg:Bassetlaw``, ``sicbl:02Q``; any word of
   :mod:`ics_cli.vocab`): the rest of the text read by these readers, among that kind only;
3. a name or code: the text normalised (:mod:`ics_cli.normalise`) and looked up in ``lookup``
   (every ODS and ONS code, official, short and former name, each with its dates);
4. an LSOA code of the 2011 or 2021 census (``E01011959``; this reader and the next are in
   :mod:`ics_cli.read_places`): the CCG or sub-ICB location its block lay in on the day
   (:mod:`ics_cli.small_areas`); ``via`` names it ("LSOA E01011959
   (Hartlepool 014A)") and says when that answer is inferred or bridged from the other census;
5. a full postcode or a postcode sector (``SW1A 1AA``, ``SW1A 1``): the CCGs or sub-ICB
   locations its sector's LSOAs lay in on the day, each with its share of them; a postcode
   district (``DN22``) through all its sectors; a district the sector lookup lacks through the
   NHS ODS postcode file (``queries.postcode_areas``). Read only when no name or code matched.

Deciding (:func:`rank`, :func:`pick`): the rule for names.

- Kinds the text names ("NHS Bassetlaw CCG": ``vocab.kind_hints``) come first, and ``--kind`` or
  a kind prefix (``sub-icb:Surrey Heartlands``) reads among that kind only.
- A name that is the official or short name of an ICB or STP (an ICS's body; its name on the
  day, or on its last day if it had ended: ``vocab.FOOTPRINT_KINDS``) names that body, also after
  it ended, ahead of a sub-ICB location or GP practice that carries the name only as a place
  (short) or former name (``vocab.PLACE_NAME_KINDS``): "Surrey Heartlands" is the ICB QXU, which
  ended in 2026, not the sub-ICB location 92A that kept the name until then; "Norfolk and
  Waveney" is the ICB QMM, not the sub-ICB location 26A whose place name it still is.
- Then: a key valid on the date for an organisation alive on the date (tier 0) beats a former
  name or code of a living organisation (1), which beats an organisation that had ended (2, the
  most recent first), which beats one still to come (3, the soonest first).
- A tie between kinds is settled by ``vocab.PRIORITY`` (an ICB before its sub-ICB location, an
  STP before a CCG, NHS bodies before the council of the same name); the others are reported as
  ``also``.
- Two or more of one kind that fit equally are ambiguous: a command exits 1 listing the
  candidates (asking for an org id, e.g. ``area_team:Q61``, when the text was a code; for a
  postcode that straddles a boundary, its sub-ICB locations with their shares of its LSOAs);
  ``resolve`` says ``ambiguous``. One candidate holding every LSOA of a postcode is the answer. Nothing found: exit 1 with "did you mean" suggestions from rapidfuzz (imported
  only then), after naming any kind of body the data does not hold that the text names
  (``vocab.NOT_HELD``).
- :func:`identify` (a command's ID) says on stderr, in one line, what a name resolved to (org id,
  name on the day, whether and when it ended and where its area went) and what else it matches;
  for a code, only what else it matches.

Adding an identifier type: write a reader
``read_x(raw, day, source)`` that recognises its text cheaply (a regular expression) and returns
a :class:`Reading` of the organisations it reaches on the day, with ``via`` naming the route
("LSOA E01011959 (Hartlepool 014A)") and ``by`` and ``place`` what it read (a reading that
depends on the day, unlike a name's, must set ``by``), or None to pass; add the look-up it needs
to both sources in :mod:`ics_cli.lookup_sources` (a query in ``SqlSource``, a map or cache in
``MemorySource``); insert it in ``READERS`` where its
precedence lies (after names and codes, so that a code that looks like a postcode stays a code).
Every command, ``search`` and ``resolve`` then read it, and report one organisation as ``ok``
with ``via`` in a note, several as ambiguous with each candidate.
"""

from __future__ import annotations

from collections import namedtuple

from ics_cli import db, wording
from ics_cli.dates import OPEN, existed
from ics_cli.errors import IcsError
from ics_cli.lookup_sources import SqlSource
from ics_cli.normalise import normalise, org_id_form
from ics_cli.read_places import postcode_district as postcode_district  # where it always was, for search
from ics_cli.read_places import read_lsoa, read_postcode
from ics_cli.vocab import FOOTPRINT_KINDS, PLACE_NAME_KINDS, PRIORITY, kind_hints, kind_of_word

MAX_INPUT = 200  # longer text cannot be a name or code in the data


class Resolved:
    """The organisation a text named on a day, and the other organisations it also named."""

    __slots__ = ("org", "alive", "tier", "also", "via", "notes", "by_name")

    def __init__(self, org: dict, alive: bool, tier: int = 0, also: list[dict] | None = None, via: str | None = None):
        self.org = org  # the orgs row
        self.alive = alive  # the organisation existed on the date
        self.tier = tier  # 0: named so on the date; 1: by a former name or code; 2: it had ended; 3: not yet founded
        self.also = also or []  # other organisations the text also named (ranked, with tier)
        self.via = via  # how the text was read when not as a name, code or org id ("postcode district DN22")
        self.notes: list[str] = []  # what a command says on stderr about the reading (identify)
        self.by_name = False  # the text was read as a name (not a code, an org id or a postcode)


# What a text names on a day: candidates best first (orgs rows with `tier` and `last_day`; a
# postcode's also with `share` and `lsoas`), how it was read when not as a name, code or org id
# (`via`, or None), and then what it was read as (`by`: "lsoa", "sector" or "district") and which
# (`place`: "E01011959", "SW1A 1", "DN22"). A reading with `by` depends on the day.
Reading = namedtuple("Reading", "candidates via by place", defaults=(None, None, None))


# --- readers --------------------------------------------------------------------------------------------------


def _as_candidate(org: dict, day: str) -> dict:
    tier = 0 if existed(org, day) else 3 if (org["start"] or "") > day else 2
    return {**org, "tier": tier, "last_day": org["end"] or OPEN}


def read_org_id(raw: str, day: str, source: SqlSource) -> Reading | None:
    if ":" not in raw:
        return None
    org = source.org(org_id_form(raw)) or source.org(raw)
    return Reading([_as_candidate(org, day)]) if org else None


def read_kind_prefixed(raw: str, day: str, source: SqlSource) -> Reading | None:
    """ "stp:QNQ": a kind and a code or name that is not its org id key (STPs are keyed by their
    ONS code), among organisations of that kind."""
    prefix, colon, rest = raw.partition(":")
    kind = kind_of_word(prefix, day) if colon else None  # "ics:" is the footprint of the day
    if kind is None:
        return None
    return read(rest, day, source, (kind,))


def read_name(raw: str, day: str, source: SqlSource) -> Reading | None:
    key = normalise(raw)
    rows = source.keyed(key) if key else []
    return Reading(rank(rows, day, kind_hints(raw))) if rows else None


READERS = (read_org_id, read_kind_prefixed, read_name, read_lsoa, read_postcode)


def read(text: str, day: str, source: SqlSource | None = None, kinds: tuple[str, ...] | None = None) -> Reading:
    """How `text` reads on `day` (every candidate, best first), among `kinds` when given. The first
    reader that recognises the text decides; nothing recognised is an empty reading."""
    raw = (text or "").strip()
    if not raw or len(raw) > MAX_INPUT:
        return Reading([])
    source = source or SqlSource()
    for reader in READERS:
        reading = reader(raw, day, source)
        if reading is not None:
            if kinds:
                reading = reading._replace(candidates=[c for c in reading.candidates if c["kind"] in kinds])
            return reading
    return Reading([])


# --- deciding ------------------------------------------------------------------------------------------------


def rank(rows: list[dict], day: str, hints: tuple[str, ...] = ()) -> list[dict]:
    """Lookup rows (key interval k_start/k_end and type k_via joined with the org) ranked best
    first, one per org, each with its ``tier``, ``last_day``, what matched (``by``: ``code`` or
    ``name``) and whether the rule for names set it back (``demoted``).

    Kinds the text itself names (`hints`, e.g. "CCG") come before every other kind. When the text
    is the official or short name of an ICB or STP (its name on the day, or on its last day if it
    had ended: :data:`vocab.FOOTPRINT_KINDS`), a sub-ICB location or GP practice that carries the
    name only as a place (short) or former name comes after every other candidate
    (:data:`vocab.PLACE_NAME_KINDS`): "Surrey Heartlands" is the ICB even after it ended, not
    the sub-ICB location that kept its name until 2026."""
    best: dict[str, dict] = {}
    for r in rows:
        key_alive = existed(r, day, "k_start", "k_end")
        org_alive = existed(r, day)
        # 3: not yet founded on the day; an organisation that had existed beats one still to come.
        tier = 0 if key_alive and org_alive else 1 if org_alive else 3 if (r["start"] or "") > day else 2
        # The day the organisation is described on: the day asked, else its last (or first) day.
        on = day if org_alive else r["end"] if tier == 2 else r["start"]
        via = r.get("k_via")
        named = via in ("official", "short") and existed(r, on, "k_start", "k_end")
        cand = {k: v for k, v in r.items() if k not in ("k_start", "k_end", "k_via")}
        cand["tier"] = tier
        cand["last_day"] = min(r["k_end"] or OPEN, r["end"] or OPEN)
        cand["by"] = "code" if via == "code" else "name"
        cand["own_name"] = named  # its official or short name on the day it is described on
        cand["official"] = named and via == "official"
        prev = best.get(cand["org_id"])
        if prev is not None:  # the same organisation through another key: keep what any key says
            cand["by"] = "code" if "code" in (cand["by"], prev["by"]) else "name"
            cand["own_name"] = cand["own_name"] or prev["own_name"]
            cand["official"] = cand["official"] or prev["official"]
            if (prev["tier"], _neg(prev["last_day"])) <= (cand["tier"], _neg(cand["last_day"])):
                cand.update(tier=prev["tier"], last_day=prev["last_day"])
        best[cand["org_id"]] = cand
    footprint_named = any(c["kind"] in FOOTPRINT_KINDS and c["own_name"] and c["tier"] <= 2 for c in best.values())
    for c in best.values():
        c["hinted"] = not hints or c["kind"] in hints
        c["demoted"] = footprint_named and c["kind"] in PLACE_NAME_KINDS and not c["official"]
    # Among organisations that had ended, the most recent first; among those still to come, the
    # soonest; otherwise by kind.
    return sorted(best.values(), key=lambda c: (*_standing(c), PRIORITY.index(c["kind"]), c["org_id"]))


def _standing(c: dict) -> tuple:
    """How well a candidate fits, kind aside: equal standings of one kind are ambiguous."""
    when = _neg(c["last_day"]) if c["tier"] == 2 else c["start"] or "" if c["tier"] == 3 else ""
    return (not c.get("hinted", True), c.get("demoted", False), c["tier"], when)


def pick(found: list[dict]) -> tuple[dict | None, list[dict]]:
    """The winner among ranked candidates, or (None, the tied candidates) when it is ambiguous:
    two or more of the winner's kind that fit as well as it does (between kinds, the order of
    :data:`vocab.PRIORITY` decides)."""
    top = found[0]
    same_kind = [c for c in found if c["kind"] == top["kind"] and _standing(c) == _standing(top)]
    if len(same_kind) > 1:
        return None, same_kind
    return top, [c for c in found if c["org_id"] != top["org_id"]]


def _neg(day: str) -> str:
    """Sort key that puts later days first."""
    return "".join(chr(ord("9") - ord(ch) + ord("0")) if ch.isdigit() else ch for ch in day)


RANKING_KEYS = ("tier", "last_day", "by", "own_name", "official", "hinted", "demoted")  # rank's, not the org's


def resolve(text: str, day: str, kinds: tuple[str, ...] | None = None) -> Resolved:
    """The one organisation `text` names on `day` (among `kinds`), or IcsError (exit 1) with
    candidates or suggestions."""
    reading = read(text, day, kinds=kinds)
    if not reading.candidates:
        raise not_found(text, kinds)
    top, others = pick(reading.candidates)
    if top is None:
        raise ambiguous(text, others, reading.via, day)
    org = {k: v for k, v in top.items() if k not in RANKING_KEYS}
    found = Resolved(org=org, alive=existed(org, day), tier=top["tier"], also=others, via=reading.via)
    found.by_name = top.get("by") == "name" and reading.via is None
    return found


def identify(
    text: str, day: str, kinds: tuple[str, ...] | None = None, *, via_note: bool = True, fate_note: bool = True
) -> Resolved:
    """:func:`resolve` for a command's ID argument: an empty one is a usage error (exit 2), and
    ``notes`` (one line each, for stderr) say what it resolved to.

    - A name (not a code or an org id): what it named (its org id and name on the day; with
      ``fate_note``, when it had ended, where its area went), and the other organisations the
      name also fits: those as good as the winner (a council of the same name or, when nothing of
      that name existed on the day, the others that had it) and a sub-ICB location or practice
      set back by the rule for names (:func:`rank`).
    - A code: the alternatives as good as the winner.
    - With ``via_note``, how the text was read when not as a name or code (a postcode district)."""
    from ics_cli.errors import UsageError

    if not text.strip():
        raise UsageError("The identifier is empty: give a code, a name or an org id (see ics search).")
    found = resolve(text, day, kinds)
    # A former name of a living organisation is also checked against organisations that had that
    # name and ended ("Cumbria": the county council, and the CCG renamed North Cumbria).
    close = [c for c in found.also if c["tier"] == found.tier or (found.tier == 1 and c["tier"] == 2)]
    if close and found.tier >= 1:  # not the winner's own predecessor or successor (an STP and its ICB)
        from ics_cli import queries

        kin = queries.kin(found.org["org_id"])
        close = [c for c in close if c["org_id"] not in kin]
    # Those the rule for names passed over ("Norfolk and Waveney": the sub-ICB location 26A).
    passed = [c for c in found.also if c.get("demoted") and c["tier"] < found.tier]
    close = passed + [c for c in close if c not in passed]
    if close:  # each under its name on the day (92A on 2023-01-01: "NHS Surrey Heartlands ICB - 92A")
        from ics_cli import queries

        close = [{**c, "name": queries.org_on(c["org_id"], day)["name"]} for c in close]
    if found.by_name:
        found.notes.append(_resolved_note(text, found, day, close, fate_note))
    elif close:
        found.notes.append(wording.also_matches(text, close))
    if found.via and via_note:
        found.notes.append(wording.reached_through(text, found.via, found.org))
    return found


def _resolved_note(text: str, found: Resolved, day: str, close: list[dict], fate_note: bool) -> str:
    """The one line that says what a name resolved to on `day` (and, with `fate_note`, where an
    ended organisation's area went)."""
    from ics_cli import fate, queries

    org = found.org
    ended = bool(org["end"]) and org["end"] < day
    on = day if found.alive else org["end"] if ended else org["start"]
    went = fate.went(org, day) if ended and fate_note else ""
    return wording.resolved_to(text, queries.org_on(org["org_id"], on), day, went, close, former=found.tier == 1)


def identify_either(text: str, d1: str, d2: str) -> Resolved:
    """:func:`identify` for a command about two days (``ics diff --in``): the organisation `text`
    names on the later day, or else on the earlier one; IcsError if it existed on neither."""
    found = identify(text, d2)
    if existed(found.org, d2) or existed(found.org, d1):
        return found
    earlier = identify(text, d1)
    if existed(earlier.org, d1):
        return earlier
    raise IcsError(wording.not_on_either(found.org, d1, d2), hint=wording.existed_then(found.org))


def ambiguous(text: str, cands: list[dict], via: str | None = None, day: str | None = None) -> IcsError:
    kinds = {c["kind"] for c in cands}
    by_code = any(c.get("by") == "code" for c in cands)
    kind = kinds.pop() if via and len(kinds) == 1 else None
    message = wording.ambiguous(text, len(cands), via, kind, day, cands[0]["org_id"], by_code)
    return IcsError(message, hint="Candidates:\n" + wording.candidates(cands))


def not_found(text: str, kinds: tuple[str, ...] | None = None) -> IcsError:
    from ics_cli.vocab import not_held

    near = suggestions(text, kinds) if len(text) <= MAX_INPUT else []
    hint = "Did you mean:\n" + wording.candidates(near) if near else wording.try_search(text)
    unheld = wording.not_held(not_held(text)) if len(text) <= MAX_INPUT else None
    return IcsError(wording.not_found(text), hint=f"{unheld}\n{hint}" if unheld else hint)


# --- near matches ------------------------------------------------------------------------------------------


CANDIDATES = 200  # organisations sharing the most letter triples with the text, scored by rapidfuzz


def suggestions(text: str, kinds: tuple[str, ...] | None = None, limit: int = 5, cutoff: int = 70) -> list[dict]:
    """Near matches for a name or code nobody has.

    The trigram full-text index proposes the organisations whose names share the rarest letter
    triples with the text (bm25), so a misspelling costs one indexed query rather than a scan;
    rapidfuzz then scores each candidate's names and codes against the text."""
    key = normalise(text)[:MAX_INPUT]
    grams = sorted({g for word in key.split() for g in (word[i : i + 3] for i in range(len(word) - 2))})
    if not grams:
        return []
    from rapidfuzz import fuzz

    sql = """SELECT s.org_id, s.text, o.kind, o.code, o.name, o.start, o.end FROM org_search_fts
             JOIN org_search s ON s.rowid = org_search_fts.rowid JOIN orgs o ON o.org_id = s.org_id
             WHERE org_search_fts MATCH ?"""
    params: list = [" OR ".join(f'"{g}"' for g in grams)]
    if kinds:
        sql += f" AND o.kind IN ({','.join('?' * len(kinds))})"
        params += list(kinds)
    rows = db.query(sql + f" ORDER BY bm25(org_search_fts) LIMIT {CANDIDATES}", params)
    fragment = len(key.split()) <= 2

    def score(name: str) -> float:
        # A word or two may be part of a longer name ("surey" in "royal surrey"): WRatio, which
        # scores partial matches. A longer text is a whole name, misspelt: matching only part of it
        # proves nothing ("hospital foundation trust" ends many names), so whole-string ratios.
        if len(key) <= 3:
            return fuzz.ratio(key, name)
        if fragment and len(name) >= len(key):
            # One word may also be one word of a long name ("guys" in "guys and st thomas
            # foundation trust"), which WRatio discounts for the difference in length; a little
            # below a match of the whole name, so that "manchster" still finds Manchester first.
            words = 0.0
            if " " not in key and len(name) >= 2 * len(key):
                words = 0.95 * max((fuzz.ratio(key, w) for w in name.split() if len(w) >= 4), default=0)
            return max(fuzz.WRatio(key, name), words)
        if len(name) >= len(key):  # the text's words may all be in a longer name ("guys and st thomas")
            return max(fuzz.ratio(key, name), fuzz.token_sort_ratio(key, name), fuzz.token_set_ratio(key, name))
        return max(fuzz.ratio(key, name), fuzz.token_sort_ratio(key, name))

    scored = []
    for r in rows:
        # Codes and other short names match any longer text partially: compare like with like.
        names = [normalise(n) for n in r.pop("text").split(" | ")]
        best = max((score(n) for n in names if n and len(n) >= min(5, len(key))), default=0)
        if best >= cutoff:
            scored.append({**r, "score": round(best)})
    scored.sort(key=lambda r: (-r["score"], PRIORITY.index(r["kind"]), r["org_id"]))
    return scored[:limit]
