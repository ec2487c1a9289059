"""Identifier resolution: one routine reads every identifier, for every command.

Whatever the user has in hand (an ODS or ONS code, an official, short or former name, an old CCG
code, an org id like ``icb:QOP``, a kind and a code like ``stp:QNQ``, a postcode) becomes one
organisation, judged on the --as-of date: the same input gives the same organisation in ``show``,
``search``, ``lineage``, ``timeline``, ``population``, ``list --in`` and ``resolve``. The
commands read one identifier at a time over SQL (:class:`SqlSource`); ``ics resolve`` reads a
stream of them over maps held in memory (:class:`MemorySource`, built once); both go through
:func:`read` and :func:`pick`, so they decide alike.

Reading (``READERS``, in order; the first that recognises the text decides):

1. an org id as stored (``icb:QOP``, ``ICB: qop``);
2. a kind word and a code or name (``stp:QNQ``, ``ccg:Bassetlaw``, ``sicbl:02Q``; any word of
   :mod:`ics_cli.vocab`): the rest of the text read by these readers, among that kind only;
3. a name or code: the text normalised (:mod:`ics_cli.normalise`) and looked up in ``lookup``
   (every ODS and ONS code, official, short and former name, each with its dates);
4. an LSOA code of the 2011 or 2021 census (``E01011959``): the CCG or sub-ICB location its
   block lay in on the day (:mod:`ics_cli.small_areas`); ``via`` names it ("LSOA E01011959
   (Hartlepool 014A)") and says when that answer is inferred or bridged from the other census;
5. a full postcode or a postcode sector (``SW1A 1AA``, ``SW1A 1``): the CCGs or sub-ICB
   locations its sector's LSOAs lay in on the day, each with its share of them; a postcode
   district (``DN22``) through all its sectors; a district the sector lookup lacks through the
   NHS ODS postcode file (``queries.postcode_areas``). Read only when no name or code matched.

Deciding (:func:`rank`, :func:`pick`):

- A key valid on the date for an organisation alive on the date (tier 0) beats a former name or
  code of a living organisation (1), which beats an organisation that had ended (2, the most
  recent first), which beats one still to come (3, the soonest first).
- Kinds the text names ("NHS Bassetlaw CCG": ``vocab.kind_hints``) come first; a tie between
  kinds is settled by ``vocab.PRIORITY`` (an ICB before its sub-ICB location, NHS bodies before
  the council of the same name), the others are reported as ``also``.
- A tie within one kind is ambiguous: a command exits 1 listing the candidates (for a postcode
  that straddles a boundary, its sub-ICB locations with their shares of its LSOAs); ``resolve``
  says ``ambiguous``. One candidate holding every LSOA of a postcode is the answer.
  Nothing found: exit 1 with "did you mean" suggestions from rapidfuzz (imported only then).

Adding an identifier type: write a reader
``read_x(raw, day, source)`` that recognises its text cheaply (a regular expression) and returns
a :class:`Reading` of the organisations it reaches on the day, with ``via`` naming the route
("LSOA E01011959 (Hartlepool 014A)") and ``by`` and ``place`` what it read (a reading that
depends on the day, unlike a name's, must set ``by``), or None to pass; add the look-up it needs to both sources (a query in
:class:`SqlSource`, a map or cache in :class:`MemorySource`); insert it in ``READERS`` where its
precedence lies (after names and codes, so that a code that looks like a postcode stays a code).
Every command, ``search`` and ``resolve`` then read it, and report one organisation as ``ok``
with ``via`` in a note, several as ambiguous with each candidate.
"""

from __future__ import annotations

from collections import namedtuple

from ics_cli import db, wording
from ics_cli.dates import OPEN, existed
from ics_cli.errors import IcsError
from ics_cli.normalise import normalise, org_id_form
from ics_cli.vocab import PRIORITY, kind_hints, kind_of_word

MAX_INPUT = 200  # longer text cannot be a name or code in the data
PLACES_KEPT = 20_000  # postcode sectors and districts on a day that MemorySource remembers


class Resolved:
    """The organisation a text named on a day, and the other organisations it also named."""

    __slots__ = ("org", "alive", "tier", "also", "via", "notes")

    def __init__(self, org: dict, alive: bool, tier: int = 0, also: list[dict] | None = None, via: str | None = None):
        self.org = org  # the orgs row
        self.alive = alive  # the organisation existed on the date
        self.tier = tier  # 0: named so on the date; 1: by a former name or code; 2: it had ended; 3: not yet founded
        self.also = also or []  # other organisations the text also named (ranked, with tier)
        self.via = via  # how the text was read when not as a name, code or org id ("postcode district DN22")
        self.notes: list[str] = []  # what a command says on stderr about the reading (identify)


# What a text names on a day: candidates best first (orgs rows with `tier` and `last_day`; a
# postcode's also with `share` and `lsoas`), how it was read when not as a name, code or org id
# (`via`, or None), and then what it was read as (`by`: "lsoa", "sector" or "district") and which
# (`place`: "E01011959", "SW1A 1", "DN22"). A reading with `by` depends on the day.
Reading = namedtuple("Reading", "candidates via by place", defaults=(None, None, None))


# --- where the readers look ----------------------------------------------------------------------------


class SqlSource:
    """One identifier at a time: an indexed query per look-up."""

    def org(self, org_id: str) -> dict | None:
        return db.query_one("SELECT * FROM orgs WHERE org_id = ?", (org_id,))

    def keyed(self, key: str) -> list[dict]:
        """Lookup rows for a normalised key: the key's dates (k_start, k_end) and its organisation."""
        return db.query(
            "SELECT l.start AS k_start, l.end AS k_end, o.* FROM lookup l JOIN orgs o USING (org_id) WHERE l.key = ?", (key,)
        )

    def postcode_areas(self, district: str, day: str) -> tuple[list[str], str]:
        from ics_cli import queries

        return queries.postcode_areas(district, day)

    def lsoa(self, code: str, day: str) -> dict | None:
        from ics_cli import small_areas

        return small_areas.lsoa_parents(code, day)

    def sector_areas(self, sector: str, day: str) -> list[dict]:
        from ics_cli import small_areas

        return small_areas.sector_areas(sector, day)

    def district_areas(self, district: str, day: str) -> list[dict]:
        from ics_cli import small_areas

        return small_areas.district_areas(district, day)


class MemorySource(SqlSource):
    """Every key and organisation read into memory once (a few hundred milliseconds), for a stream
    of identifiers; LSOAs, postcode sectors and their blocks are read whole when first met, and a
    postcode's areas on a day are remembered (for the last few thousand)."""

    def __init__(self) -> None:
        from collections import defaultdict

        self.keys: dict[str, list[tuple]] = defaultdict(list)
        for key, org_id, start, end in db.rows("SELECT key, org_id, start, end FROM lookup"):
            self.keys[key].append((org_id, start, end))
        self.orgs = {r["org_id"]: r for r in db.iter_query("SELECT * FROM orgs")}
        self.districts: dict[tuple, object] = {}  # a postcode's areas on a day, by (what, which, day)

    def org(self, org_id: str) -> dict | None:
        return self.orgs.get(org_id)

    def keyed(self, key: str) -> list[dict]:
        return [{**self.orgs[oid], "k_start": start, "k_end": end} for oid, start, end in self.keys.get(key, ())]

    def postcode_areas(self, district: str, day: str) -> tuple[list[str], str]:
        return self._kept(("ods", district, day), lambda: super(MemorySource, self).postcode_areas(district, day))

    def lsoa(self, code: str, day: str) -> dict | None:
        from ics_cli import small_areas

        return small_areas.lsoa_parents_in_memory(code, day)

    def sector_areas(self, sector: str, day: str) -> list[dict]:
        from ics_cli import small_areas

        return self._kept(("sector", sector, day), lambda: small_areas.candidates(small_areas.sector_counts(sector), day))

    def district_areas(self, district: str, day: str) -> list[dict]:
        from ics_cli import small_areas

        return self._kept(("district", district, day), lambda: small_areas.candidates(small_areas.district_counts(district), day))

    def _kept(self, key: tuple, compute):
        found = self.districts.get(key)
        if found is None:
            if len(self.districts) >= PLACES_KEPT:  # memory stays flat over many postcodes and days
                self.districts.clear()
            found = self.districts[key] = compute()
        return found


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
    kind = kind_of_word(prefix) if colon else None
    if kind is None:
        return None
    return read(rest, day, source, (kind,))


def read_name(raw: str, day: str, source: SqlSource) -> Reading | None:
    key = normalise(raw)
    rows = source.keyed(key) if key else []
    return Reading(rank(rows, day, kind_hints(raw))) if rows else None


def postcode_district(text: str) -> str | None:
    """The outward code of a postcode, sector or district ("DN22 7XF", "DN22 7", "DN22" -> "DN22")."""
    from ics_cli import small_areas

    return small_areas.district_of(text)


def read_lsoa(raw: str, day: str, source: SqlSource) -> Reading | None:
    """ "E01011959": the CCG or sub-ICB location the LSOA's block lay in on the day."""
    if not (len(raw) == 9 and raw[1:3] == "01" and raw[0] in "EeWw"):
        return None
    from ics_cli import small_areas

    code = small_areas.lsoa_code(raw)
    found = source.lsoa(code, day) if code else None
    if code is None or found is None or found["area"] is None:  # an LSOA the data lacks, or before April 2013
        return Reading([], by="lsoa", place=code) if code else None
    return Reading([_as_candidate(source.org(found["area"]), day)], wording.lsoa_via(found), "lsoa", code)


def read_postcode(raw: str, day: str, source: SqlSource) -> Reading | None:
    """A full postcode or a sector: the areas its sector's LSOAs lay in on the day; a district (or
    a postcode whose sector the lookup lacks): all its sectors'; a district the lookup lacks: the
    NHS ODS postcode file's sub-ICB locations (no shares)."""
    from ics_cli import small_areas

    district = small_areas.district_of(raw)
    if district is None:
        return None
    sector = small_areas.sector_of(raw)
    if sector:
        found = source.sector_areas(sector, day)
        if found:
            return Reading(_shared(found, day, source), f"postcode sector {sector} (its LSOAs)", "sector", sector)
    found = source.district_areas(district, day)
    if found:
        via = f"postcode district {district} (its postcode sectors' LSOAs" + (
            f"; sector {sector} is not in the lookup)" if sector else ")"
        )
        cands = _shared(found, day, source)
        from ics_cli.queries import POSTCODES_FROM

        if day >= POSTCODES_FROM:
            # The NHS ODS postcode file (official) may place some of the district's postcodes in an
            # area none of its sectors' LSOAs lie in (GU15 in 92A as well as D4U1Y): then it is
            # ambiguous, never the one area the LSOAs give.
            held = {c["org_id"] for c in cands}
            more = [oid for oid in source.postcode_areas(district, day)[0] if oid not in held]
            cands += [{**_as_candidate(source.org(oid), day), "share": None, "lsoas": 0} for oid in more]
        return Reading(cands, via, "district", district)
    ids, via = source.postcode_areas(district, day)
    return Reading([_as_candidate(source.org(oid), day) for oid in ids], via, "district", district)


def _shared(found: list[dict], day: str, source: SqlSource) -> list[dict]:
    """A postcode's areas as candidates, each with its share of the LSOAs (largest first)."""
    return [{**_as_candidate(source.org(c["org_id"]), day), "share": c["share"], "lsoas": c["lsoas"]} for c in found]


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
    """Lookup rows (key interval k_start/k_end joined with the org) ranked best first, one per org.

    Kinds the text itself names (`hints`, e.g. "CCG") come before every other kind."""
    best: dict[str, dict] = {}
    for r in rows:
        key_alive = existed(r, day, "k_start", "k_end")
        org_alive = existed(r, day)
        # 3: not yet founded on the day; an organisation that had existed beats one still to come.
        tier = 0 if key_alive and org_alive else 1 if org_alive else 3 if (r["start"] or "") > day else 2
        cand = {k: v for k, v in r.items() if k not in ("k_start", "k_end")}
        cand["tier"] = tier
        cand["last_day"] = min(r["k_end"] or OPEN, r["end"] or OPEN)
        prev = best.get(cand["org_id"])
        if prev is None or (cand["tier"], _neg(cand["last_day"])) < (prev["tier"], _neg(prev["last_day"])):
            best[cand["org_id"]] = cand
    # Among organisations that had ended, the most recent first; among those still to come, the
    # soonest; otherwise by kind.
    return sorted(
        best.values(),
        key=lambda c: (
            bool(hints) and c["kind"] not in hints,
            c["tier"],
            _neg(c["last_day"]) if c["tier"] == 2 else c["start"] or "" if c["tier"] == 3 else "",
            PRIORITY.index(c["kind"]),
            c["org_id"],
        ),
    )


def pick(found: list[dict]) -> tuple[dict | None, list[dict]]:
    """The winner among ranked candidates, or (None, the tied candidates) when it is ambiguous."""
    top = found[0]
    same_rank = [
        c
        for c in found
        if c["tier"] == top["tier"]
        and (top["tier"] < 2 or (c["last_day"] == top["last_day"] if top["tier"] == 2 else c["start"] == top["start"]))
    ]
    same_kind = [c for c in same_rank if c["kind"] == top["kind"]]
    if len(same_kind) > 1:
        return None, same_kind
    return top, [c for c in found if c["org_id"] != top["org_id"]]


def _neg(day: str) -> str:
    """Sort key that puts later days first."""
    return "".join(chr(ord("9") - ord(ch) + ord("0")) if ch.isdigit() else ch for ch in day)


def resolve(text: str, day: str, kinds: tuple[str, ...] | None = None) -> Resolved:
    """The one organisation `text` names on `day` (among `kinds`), or IcsError (exit 1) with
    candidates or suggestions."""
    reading = read(text, day, kinds=kinds)
    if not reading.candidates:
        raise not_found(text, kinds)
    top, others = pick(reading.candidates)
    if top is None:
        raise ambiguous(text, others, reading.via, day)
    org = {k: v for k, v in top.items() if k not in ("tier", "last_day")}
    return Resolved(org=org, alive=existed(org, day), tier=top["tier"], also=others, via=reading.via)


def identify(text: str, day: str, kinds: tuple[str, ...] | None = None, *, via_note: bool = True) -> Resolved:
    """:func:`resolve` for a command's ID argument: an empty one is a usage error (exit 2), and
    ``notes`` mention the alternatives as good as the winner (a council of the same name or, when
    nothing of that name existed on the day, the other organisations that had it) and, with
    ``via_note``, how the text was read when not as a name or code (a postcode district)."""
    from ics_cli.errors import UsageError

    if not text.strip():
        raise UsageError("The identifier is empty: give a code, a name or an org id (see ics search).")
    found = resolve(text, day, kinds)
    # A former name of a living organisation is also checked against organisations that had that
    # name and ended ("Surrey Heartlands": the sub-ICB location, and the ICB abolished in 2026).
    close = [c for c in found.also if c["tier"] == found.tier or (found.tier == 1 and c["tier"] == 2)]
    if close and found.tier >= 1:  # not the winner's own predecessor or successor (an STP and its ICB)
        from ics_cli import queries

        kin = queries.kin(found.org["org_id"])
        close = [c for c in close if c["org_id"] not in kin]
    if close:
        found.notes.append(wording.also_matches(text, close))
    if found.via and via_note:
        found.notes.append(wording.reached_through(text, found.via, found.org))
    return found


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
    message = wording.ambiguous(text, len(cands), via, kinds.pop() if via and len(kinds) == 1 else None, day)
    return IcsError(message, hint="Candidates:\n" + wording.candidates(cands))


def not_found(text: str, kinds: tuple[str, ...] | None = None) -> IcsError:
    near = suggestions(text, kinds) if len(text) <= MAX_INPUT else []
    hint = "Did you mean:\n" + wording.candidates(near) if near else wording.try_search(text)
    return IcsError(wording.not_found(text), hint=hint)


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
