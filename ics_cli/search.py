"""`ics search`: ranked matches for half a name, a misspelling, a code or a place, across every
kind of organisation and every name it has had.

First, what the text names as an identifier, read by the one resolver (resolve.read: codes, whole
names, org ids, kind:code forms, postcodes), in the resolver's order, so the organisation `ics
show` would pick leads. Then SQLite FTS5 with the trigram tokenizer (built by scripts/build_db.py
as org_search_fts) finds partial words ("cumb", "west herts"); every word of three or more
letters must appear. When that finds little, rapidfuzz (imported only then) adds near matches
for misspellings."""

from __future__ import annotations

import re

from ics_cli import db, queries, resolve, wording
from ics_cli.dates import existed
from ics_cli.normalise import normalise
from ics_cli.render import Answer
from ics_cli.vocab import PRIORITY, not_held

_WORD_RE = re.compile(r"[0-9A-Za-z]+")
FUZZY_WHEN_FEWER_THAN = 3


# Abbreviations people write for counties and common words in NHS names.
ABBREVIATIONS = {
    "herts": "hertfordshire",
    "beds": "bedfordshire",
    "bucks": "buckinghamshire",
    "notts": "nottinghamshire",
    "lancs": "lancashire",
    "yorks": "yorkshire",
    "glos": "gloucestershire",
    "gloucs": "gloucestershire",
    "hants": "hampshire",
    "oxon": "oxfordshire",
    "wilts": "wiltshire",
    "cambs": "cambridgeshire",
    "northants": "northamptonshire",
    "leics": "leicestershire",
    "lincs": "lincolnshire",
    "staffs": "staffordshire",
    "worcs": "worcestershire",
    "warks": "warwickshire",
    "derbys": "derbyshire",
    "berks": "berkshire",
    "shrops": "shropshire",
    "cumb": "cumbria",
    "univ": "university",
    "hosp": "hospital",
    "hosps": "hospitals",
    "ft": "foundation",
    "gm": "greater manchester",
    "iow": "isle of wight",
    "ldn": "london",
}


def _term(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _fts_query(text: str) -> str | None:
    """Every word of three letters or more must appear (as a substring); known abbreviations may
    appear in full instead."""
    terms = []
    for w in _WORD_RE.findall(text):
        low = w.lower()
        full = ABBREVIATIONS.get(low)
        if full:
            terms.append(f"({_term(low)} OR {_term(full)})" if len(low) >= 3 else _term(full))
        elif len(w) >= 3 and low not in ("nhs", "the", "and"):
            terms.append(_term(low))
    return " AND ".join(terms) if terms else None


def fts_terms(text: str) -> bool:
    """Whether the text has a word the full-text index can look for (three letters or more)."""
    return _fts_query(text) is not None


def searchable(text: str) -> bool:
    """Whether the text has anything to search for: a word of three letters or more that is not
    ignored, a whole name or code, or a postcode."""
    return bool(_fts_query(text) or normalise(text) or resolve.postcode_district(text))


def search(text: str, day: str, kinds: tuple[str, ...] | None, current_only: bool, limit: int) -> list[dict]:
    """Matches best first. `day` decides which organisations count as current."""
    # Apostrophes join words, as in the index (which holds "Kings" beside "King's"): "king's" and
    # "kings" search alike.
    text = re.sub(r"['\u2019`]", "", (text or "").strip()[: resolve.MAX_INPUT])
    key = normalise(text)
    hits: dict[str, dict] = {}
    fts = _fts_query(text)
    if fts:
        sql = """SELECT s.org_id, s.kind, bm25(org_search_fts) AS score FROM org_search_fts
                 JOIN org_search s ON s.rowid = org_search_fts.rowid WHERE org_search_fts MATCH ?"""
        params: list = [fts]
        if kinds:
            sql += f" AND s.kind IN ({','.join('?' * len(kinds))})"
            params += list(kinds)
        for r in db.query(sql + " ORDER BY score LIMIT 500", params):
            hits[r["org_id"]] = {"org_id": r["org_id"], "how": "text", "score": r["score"]}
    # What the text names as an identifier, read as every command reads it (the one resolver): whole
    # names and codes, short ones too ("QOP", "GM") that the trigram index skips, org ids, kind:code
    # forms, and postcodes (the sub-ICB locations, before July 2022 the CCGs, its district lay in).
    # They come first, in the resolver's order, so the organisation `ics show` would pick leads.
    reading = resolve.read(text, day, kinds=kinds)
    for i, c in enumerate(reading.candidates):
        hits[c["org_id"]] = {"org_id": c["org_id"], "how": "postcode" if reading.via else "exact", "score": -1e9, "rank": i}
    if len(hits) < FUZZY_WHEN_FEWER_THAN and len(key) >= 3:
        # Near matches for misspellings; stricter when the text search already found something.
        cutoff = 75 if not hits else 88
        for r in resolve.suggestions(text, kinds, limit=limit, cutoff=cutoff):
            hits.setdefault(r["org_id"], {"org_id": r["org_id"], "how": "fuzzy", "score": 100 - r["score"]})
    words = [w.lower() for w in _WORD_RE.findall(text) if len(w) >= 3]
    phrases = _phrases(text)
    rows = []
    ids = list(hits)
    orgs = (
        {
            r["org_id"]: r
            for r in db.query(
                f"SELECT o.*, s.text FROM orgs o JOIN org_search s USING (org_id) WHERE org_id IN ({','.join('?' * len(ids))})",
                ids,
            )
        }
        if ids
        else {}
    )
    for h in hits.values():
        org = orgs[h["org_id"]]
        if h["how"] == "text":
            h["matched_name"] = _matched_name(org["text"], words)
            # The words in the order typed, side by side, in one name: a phrase match ranks first.
            names = [" ".join(_WORD_RE.findall(n.lower())) for n in org["text"].split(" | ")]
            if any(f" {p} " in f" {n} " or n.startswith(p + " ") or n == p for p in phrases for n in names):
                h["how"] = "phrase"
        else:
            h["matched_name"] = None
        current = existed(org, day)
        if current_only and not current:
            continue
        rows.append({**h, "org": org, "current": current})
    how_rank = {"postcode": 0, "exact": 0, "phrase": 1, "text": 2, "fuzzy": 3}

    def order(r: dict) -> tuple:
        if "rank" in r:  # an identifier's reading: in the resolver's order
            return (0, r["rank"])
        # Among text matches, NHS bodies before practices (PRIORITY), then the text score; near
        # matches for a misspelling by how near first.
        fuzzy = r["score"] if r["how"] == "fuzzy" else 0
        return (how_rank[r["how"]], not r["current"], fuzzy, PRIORITY.index(r["org"]["kind"]), r["score"], r["org_id"])

    rows.sort(key=order)
    from ics_cli.dates import coverage

    latest = coverage()[1]
    return [_result(r, day, latest) for r in rows[:limit]]


def _phrases(text: str) -> list[str]:
    """The text as lower-case words, with and without abbreviations spelt out."""
    words = [w.lower() for w in _WORD_RE.findall(text)]
    out = [" ".join(words)]
    full = " ".join(ABBREVIATIONS.get(w, w) for w in words)
    if full != out[0]:
        out.append(full)
    return [p for p in out if p]


def _matched_name(text: str, words: list[str]) -> str | None:
    """The first of an organisation's names (or codes) that holds every searched word."""
    for name in text.split(" | "):
        low = name.lower()
        if all(w in low or ABBREVIATIONS.get(w, "\0") in low for w in words):
            return name
    return None


def current_icb(org_id: str, kind: str, current: bool, day: str) -> dict | None:
    """The ICB that covers an organisation on `day`: its own, the one its successors sit in if it
    has gone, or for a council the ICB holding most of its residents. Regions have none."""
    if kind == "region":
        return None
    target = org_id
    if not current:
        target = queries.where_now(org_id, day)["org_id"]
        if target is None:
            return None
        kind = target.split(":", 1)[0]
    if kind == "la":
        overlaps = [m for m in queries.memberships_of(target, day) if m["relation"] == "overlaps" and m["kind"] == "icb"]
        return overlaps[0] if overlaps else None
    return queries.ancestor(target, "icb", day, named_on_day=False)


def _result(hit: dict, day: str, latest: str) -> dict:
    # The orgs row holds the latest code and name: today's for a current organisation, those of its
    # last day for a former one.
    now = org = hit["org"]
    if hit["current"] and day < latest:  # an earlier day: its code and name then
        now = queries.org_on(org["org_id"], day)
    icb = current_icb(org["org_id"], org["kind"], hit["current"], day)
    matched = hit.get("matched_name")
    return {
        "kind": org["kind"],
        "code": now["code"],
        "ons_code": now["ons_code"],
        "name": now["name"],
        "short_name": now.get("short_name"),
        "matched_name": matched if matched and matched not in (now["name"], now["code"]) else None,
        # On an earlier --as-of day, an organisation founded later is "future", not "former".
        "status": "current" if hit["current"] else "future" if (org["start"] or "") > day else "former",
        "start": org["start"],
        "end": org["end"],
        "icb_code": icb["code"] if icb else None,
        "icb_name": icb["name"] if icb else None,
        "match": hit["how"],
        "org_id": org["org_id"],
    }


def answer(text: str, day: str, kinds: tuple[str, ...] | None, current_only: bool, limit: int) -> Answer:
    """`ics search`: the matches, each naming the day it was judged on, and why none matched."""
    rows = search(text, day, kinds, current_only, limit)
    for r in rows:
        r["as_of"] = day
    empty = wording.search_empty(text, unsearchable=not searchable(text), too_short=not fts_terms(text))
    # A kind of body the data does not hold, said first (stderr, before the matches).
    notes = [wording.not_held(not_held(text))]
    return Answer(rows, title=wording.search_title(text, day), empty=empty, notes=notes)
