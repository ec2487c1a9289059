"""Identifier resolution, shared by every command: whatever the user has in hand (an ODS or ONS
code, an official, short or former name, an old CCG code, an org id like `icb:QOP`) becomes one
organisation, judged on the --as-of date.

Rules, in order:
1. `kind:key` org ids are taken as they are.
2. The text is normalised (ics_cli.normalise) and looked up in the `lookup` table.
3. Among the matches, a key valid on the date for an organisation alive on the date beats a
   former name or code of a living organisation, which beats an organisation that had ended.
   Among ended ones the most recent wins.
4. A tie between kinds is settled by kind: an ICB before its sub-ICB location, NHS bodies
   before the council of the same name. The others are reported as `also`.
5. A tie within one kind is ambiguous (exit 1, candidates listed). Nothing found: exit 1 with
   "did you mean" suggestions from rapidfuzz (imported only then).
"""

from __future__ import annotations

from ics_cli import db
from ics_cli.dates import OPEN, existed
from ics_cli.errors import IcsError
from ics_cli.normalise import normalise, org_id_form
from ics_cli.vocab import PRIORITY, SHORT_LABEL, kind_hints, span

MAX_INPUT = 200  # longer text cannot be a name or code in the data


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


def candidates(text: str, day: str) -> list[dict]:
    """Matching organisations, best first, each with `tier` (0 best) and `last_day`."""
    raw = (text or "").strip()
    if not raw or len(raw) > MAX_INPUT:
        return []
    rows: list[dict] = []
    if ":" in raw:
        org = db.query_one("SELECT * FROM orgs WHERE org_id = ?", (org_id_form(raw),))
        org = org or db.query_one("SELECT * FROM orgs WHERE org_id = ?", (raw,))
        if org:
            tier = 0 if existed(org, day) else 3 if (org["start"] or "") > day else 2
            return [{**org, "tier": tier, "last_day": org["end"] or OPEN}]
    key = normalise(raw)
    if not key:
        return []
    rows = db.query(
        "SELECT l.start AS k_start, l.end AS k_end, l.via, o.* FROM lookup l JOIN orgs o USING (org_id) WHERE l.key = ?",
        (key,),
    )
    return rank(rows, day, kind_hints(raw))


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
    """The one organisation `text` names on `day`, or IcsError (exit 1) with candidates or suggestions."""
    found = candidates(text, day)
    if not found and ":" in text:
        # "stp:QNQ": an org id's kind with a code or name that is not its key (STPs are keyed by
        # their ONS code): the code or name, among organisations of that kind.
        kind, _, rest = org_id_form(text).partition(":")
        if kind in PRIORITY and rest:
            found = [c for c in candidates(text.split(":", 1)[1], day) if c["kind"] == kind]
    if kinds:
        found = [c for c in found if c["kind"] in kinds]
    if not found:
        raise not_found(text, kinds)
    top, others = pick(found)
    if top is None:
        raise ambiguous(text, others)
    org = {k: v for k, v in top.items() if k not in ("tier", "last_day", "via")}
    return Resolved(org=org, alive=existed(org, day), tier=top["tier"], also=others)


def identify(text: str, day: str, kinds: tuple[str, ...] | None = None, *, via_note: bool = True) -> Resolved:
    """:func:`resolve` for a command's ID argument: an empty one is a usage error (exit 2), and
    ``notes`` mention the alternatives as good as the winner (a council of the same name or, when
    nothing of that name existed on the day, the other organisations that had it) and, with
    ``via_note``, how the text was read when not as a name or code (a postcode district)."""
    from ics_cli import wording
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


def describe(c: dict) -> str:
    return f"{c['org_id']:<22} {SHORT_LABEL[c['kind']]:<9} {c['code']:<10} {c['name']} ({span(c['start'], c['end'])})"


def ambiguous(text: str, cands: list[dict]) -> IcsError:
    lines = "\n".join("  " + describe(c) for c in cands[:20])
    more = f"\n  ... and {len(cands) - 20} more" if len(cands) > 20 else ""
    return IcsError(
        f"{text!r} matches {len(cands)} organisations; give a code or an org id instead.", hint=f"Candidates:\n{lines}{more}"
    )


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


def not_found(text: str, kinds: tuple[str, ...] | None = None) -> IcsError:
    shown = text if len(text) <= 60 else text[:57] + "..."
    near = suggestions(text, kinds) if len(text) <= MAX_INPUT else []
    hint = None
    if near:
        hint = "Did you mean:\n" + "\n".join("  " + describe(c) for c in near)
    else:
        import shlex

        hint = "Try: ics search " + shlex.quote(shown)
    return IcsError(f"No organisation matches {shown!r}.", hint=hint)
