"""`ics diff DATE1 DATE2`: every difference between two days, one record per change.

The two days are compared as snapshots: the organisations alive on each, their official names,
codes and parents on each. Between the snapshots, the successions dated after DATE1 and up to
DATE2 say which organisation on the second day carries on an area of the first (a CCG that
became a sub-ICB location, an STP succeeded by its ICB), so a body that merely carried on is not
reported as moving, and a member that went elsewhere is.

Record fields (stable; the same in every format):

=============  ===================================================================================
from_date      DATE1
to_date        DATE2
kind           the organisation's kind (on DATE2 if it existed then, else on DATE1)
org_id         its org id
code           its ODS code (ONS code for councils) on DATE2, or DATE1 if it had ended
name_before    its official name on DATE1 (empty if it did not exist then)
name_after     its official name on DATE2 (empty if it had ended)
change         one of CHANGES (below)
date           the first day of the new state, where one day says it (empty when several do)
before         the value on DATE1, as text ("NHS Tees Valley CCG (16C)", a name, a code, shares)
after          the value on DATE2, as text
before_ids     the org ids named in ``before``, space-separated
after_ids      the org ids named in ``after``, space-separated
detail         what the change is about: the kind of parent, the code scheme, the succession type
in_id          with ``--in``: the org id of that organisation (``FIELDS_IN``)
in_code        with ``--in``: its code, on DATE2 if it existed then, else on DATE1
in_name        with ``--in``: its official name on that day
=============  ===================================================================================

For a member that carried on as another organisation (ccg:02Q became sub_icb:02Q), the record is
about the organisation of DATE2 and ``name_before`` is the name of the one of DATE1.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from ics_cli import db, wording
from ics_cli.dates import day_after, day_before, existed
from ics_cli.render import Answer
from ics_cli.snapshots import (
    CARRIED,
    CONTINUATIONS,
    PARENT_CLASS,
    REPLACED,
    TRANSFERRED,
    WHOLE,
    Snapshots,
    parents_on,
    start_on,
    steps_between,
)
from ics_cli.vocab import KINDS, SHORT_LABEL

# Change types, in the order they are listed, with the words a terminal shows for them.
CHANGES = {
    "began": "began",
    "ended": "ended",
    "renamed": "renamed",
    "recoded": "recoded",
    "moved": "moved",
    "parent_replaced": "parent replaced",
    "joined": "joined",
    "left": "left",
    "area_transfer": "area transfer",
    "shares": "shares changed",
    "partners": "partners changed",
}
FIELDS = (
    "from_date",
    "to_date",
    "kind",
    "org_id",
    "code",
    "name_before",
    "name_after",
    "change",
    "date",
    "before",
    "after",
    "before_ids",
    "after_ids",
    "detail",
)
# With --in, every record also names the organisation that answered, under its name of the later
# day it existed on (or of the earlier one).
FIELDS_IN = (*FIELDS, "in_id", "in_code", "in_name")

# Relations in which a child has several parents at once (a council in several ICBs): compared as sets.
MULTI = {"overlaps": "shares", "partner": "partners"}


class Diff(NamedTuple):
    records: list[dict]
    notes: list[str]  # what could not be compared, and why (for stderr)
    kinds_inside: set[str] | None  # with --in: the kinds of organisation inside it on either day


def _pct(share: float | None) -> str:
    return "" if share is None else f" {share:.1%}"


def _part(share: float | None) -> float | None:
    """A share that is less than the whole area, else None (nothing to say)."""
    return share if share is not None and share < WHOLE else None


# --- the changes -------------------------------------------------------------------------------


def _uncovered(keys: set[tuple[str, str]], d1: str, d2: str) -> dict[tuple[str, str], str]:
    """The (relation, parent class) pairs the data records on one day but not on the other,
    although such parents existed on both: the sources stop (ICB partners after March 2026) or
    start (councils' overlaps in April 2021), and a difference would be an artefact. Value: the
    day without records."""
    from ics_cli.queries import alive, kind_span

    out = {}
    for relation, cls in sorted(keys):
        kinds = [cls] + [k for k, c in PARENT_CLASS.items() if c == cls]
        spans = [kind_span(k) for k in kinds]
        if not all(any(first <= d <= last for first, last in spans) for d in (d1, d2)):
            continue  # such parents did not exist on one day: joining or leaving them is real
        held = {}
        for d in (d1, d2):
            held[d] = any(
                db.query_one(
                    f"""SELECT 1 AS x FROM memberships m WHERE m.parent_id >= :lo AND m.parent_id < :hi
                        AND m.relation = :rel AND {alive("m")} LIMIT 1""",
                    {"lo": f"{k}:", "hi": f"{k};", "rel": relation, "d": d},
                )
                for k in kinds
            )
        if held[d1] != held[d2]:
            out[(relation, cls)] = d1 if not held[d1] else d2
    return out


def _members(root: str, day: str) -> set[str]:
    """Everything inside `root` on `day`, as `ics list --in` counts it (queries.list_orgs)."""
    from ics_cli.queries import alive

    rows = db.query(
        f"""WITH RECURSIVE inside(org_id, relation) AS (
                SELECT m.child_id, m.relation FROM memberships m WHERE m.parent_id = :root AND {alive("m")}
                UNION
                SELECT m.child_id, m.relation FROM memberships m JOIN inside i ON m.parent_id = i.org_id
                WHERE i.relation = 'part_of' AND i.org_id NOT LIKE 'pcn:%' AND {alive("m")})
            SELECT DISTINCT org_id FROM inside""",
        {"root": root, "d": day},
    )
    return {r["org_id"] for r in rows}


def scope_of(root: dict, d1: str, d2: str, steps: list[dict]) -> set[str]:
    """The organisations a diff --in `root` is about: `root` and what was inside it on either
    day, with the bodies that carried any of them on (or that they carried on) across the two
    days: a CCG and its sub-ICB location, an STP and its ICB."""
    ahead = defaultdict(set)
    for s in steps:
        if s["type"] in CONTINUATIONS:
            ahead[s["predecessor_id"]].add(s["successor_id"])
            ahead[s["successor_id"]].add(s["predecessor_id"])
    roots = {root["org_id"]} | ahead[root["org_id"]]
    scope = set(roots)
    for r in roots:
        for d in (d1, d2):
            scope |= _members(r, d)
    return scope | {other for oid in list(scope) for other in ahead[oid]}


def diff(d1: str, d2: str, kinds: tuple[str, ...] | None = None, within: dict | None = None) -> Diff:
    """Every difference between `d1` and `d2` (d1 < d2), for organisations of `kinds` (all when
    None) inside `within` (an orgs row; everywhere when None). Records in FIELDS order, sorted by
    kind, change and code."""
    from ics_cli import gaps

    steps = steps_between(d1, d2)
    scope = scope_of(within, d1, d2, steps) if within else None
    w = Snapshots(d1, d2, steps, scope)
    entities = scope if scope is not None else set(w.orgs)
    alive1 = {o for o in entities if o in w.orgs and existed(w.orgs[o], d1)}
    alive2 = {o for o in entities if o in w.orgs and existed(w.orgs[o], d2)}
    records: list[dict] = []
    notes: list[str] = []

    def add(org_id: str, change: str, before="", after="", before_ids=(), after_ids=(), detail="", date=None, was=None):
        was = was or org_id
        records.append(
            {
                "from_date": d1,
                "to_date": d2,
                "kind": w.kind(org_id),
                "org_id": org_id,
                "code": w.shown_code(org_id, d2 if w.alive(org_id, d2) else d1),
                "name_before": w.name(was, d1) if w.alive(was, d1) else "",
                "name_after": w.name(org_id, d2) if w.alive(org_id, d2) else "",
                "change": change,
                "date": date or "",
                "before": before,
                "after": after,
                "before_ids": " ".join(before_ids),
                "after_ids": " ".join(after_ids),
                "detail": detail,
                "_kinds": {w.kind(org_id), w.kind(was)},
            }
        )

    def types(rows: list[dict]) -> str:
        return ", ".join(sorted({s["type"] for s in rows}))

    for oid in sorted(alive1 - alive2):
        went = sorted(w.targets(oid).items(), key=lambda t: (-(t[1][1] or 0), t[0]))
        shares = [(t, _part(share)) for t, (_, share) in went]
        add(
            oid,
            "ended",
            after="; ".join(w.label(t, d2) + _pct(s) for t, s in shares),
            after_ids=[t for t, _ in shares],
            detail=types(w.steps_from.get(oid, [])),
            date=day_after(w.orgs[oid]["end"]),
        )
    for oid in sorted(alive2 - alive1):
        came = [(o, _part(w.targets(o).get(oid, (0, None))[1])) for o in w.origins(oid)]
        came.sort(key=lambda t: (-(t[1] or 1), t[0]))  # the whole areas first, then the largest parts
        add(
            oid,
            "began",
            before="; ".join(("part of " if s else "") + w.label(o, d1) + _pct(s) for o, s in came),
            before_ids=[o for o, _ in came],
            detail=types(w.steps_to.get(oid, [])),
            date=w.orgs[oid]["start"],
        )
    for oid in sorted(alive1 & alive2):
        # One name (or code) row in all is the same on both days: only organisations with several can differ.
        if len(w.names.get(oid, ())) > 1 and (n1 := w.name(oid, d1)) != (n2 := w.name(oid, d2)):
            add(oid, "renamed", before=n1, after=n2, date=start_on(w.names.get(oid, []), d2), detail="official name")
        for scheme in ("ods", "ons"):
            if len(w.codes.get((oid, scheme), ())) < 2:
                continue
            c1, c2 = w.code(oid, d1, scheme), w.code(oid, d2, scheme)
            if c1 != c2 and c2 is not None:
                add(
                    oid,
                    "recoded",
                    before=c1 or "",
                    after=c2,
                    date=start_on(w.codes.get((oid, scheme), []), d2),
                    detail=scheme.upper(),
                )
    for s in w.steps:
        if s["type"] == "boundary_transfer" and (scope is None or s["predecessor_id"] in scope or s["successor_id"] in scope):
            giver, taker = s["predecessor_id"], s["successor_id"]
            add(
                taker,
                "area_transfer",
                before=w.label(giver, day_before(s["date"])),
                after=w.label(taker, s["date"]),
                before_ids=[giver],
                after_ids=[taker],
                detail=f"{s['share']:.1%} of the population of {w.shown_code(giver, day_before(s['date']))}"
                if s["share"] is not None
                else "",
                date=s["date"],
                was=w.carried_from(taker),
            )
    unknown = _memberships(w, alive1, add, notes, kinds)
    if kinds is None or "practice" in kinds:
        if unknown:
            notes.append(
                f"Note: {unknown:,} GP practices have no CCG recorded on one of the days, so whether they moved is not"
                f" known: {gaps.PRACTICE_GAP}."
            )
        else:
            notes += sorted(
                {
                    n
                    for d in (d1, d2)
                    for n in [gaps.list_note("practice", d, within and within["kind"], within and within["org_id"])]
                    if n
                }
            )
    if kinds:
        records = [r for r in records if r["_kinds"] & set(kinds)]
    if undated := sum(
        r["kind"] in ("practice", "pcn") and r["date"] == gaps.MAP_2026_DAY and r["change"] != "parent_replaced" for r in records
    ):
        notes.append(gaps.map_2026_note(undated))
    if renamed := sum(r["kind"] == "pcn" and r["change"] == "renamed" and r["date"] in gaps.PCN_RENAME_DAYS for r in records):
        notes.append(gaps.pcn_renames_note(renamed))
    order = {k: i for i, k in enumerate(KINDS)}
    changes = {c: i for i, c in enumerate(CHANGES)}
    records.sort(key=lambda r: (order.get(r["kind"], 99), changes[r["change"]], r["code"], r["org_id"], r["before"], r["after"]))
    for r in records:
        del r["_kinds"]
    inside = {w.kind(o) for o in scope} if scope is not None else None
    return Diff(records, notes, inside)


def _memberships(w: Snapshots, alive1: set[str], add, notes: list[str], kinds: tuple[str, ...] | None) -> int:
    """Parents gained, lost or changed by the organisations alive on the first day (or by the one
    that carried each on), and councils' changed shares. Returns how many GP practices lack a CCG
    on one of the days, where the sources do not record it (data/README.md)."""
    from ics_cli import gaps

    d1, d2 = w.d1, w.d2
    before, after, keys1, keys2 = parents_on(w)
    pairs = [(c, w.carried_on_as(c)) for c in sorted(alive1)]
    pairs = [(c, c2) for c, c2 in pairs if c2 is not None]
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)  # (relation, parent class) -> kinds of children
    none: set = set()
    for c, c2 in pairs:
        for k in keys1.get(c, none) | keys2.get(c2, none):
            keys[k].add(w.kind(c2))
    skipped = _uncovered(set(keys), d1, d2)
    for (relation, cls), day in sorted(skipped.items()):
        if kinds is None or keys[(relation, cls)] & set(kinds):
            notes.append(wording.diff_unrecorded(relation, cls, day))
    unknown = 0
    empty: dict = {}
    left_out = set(skipped)
    for c, c2 in pairs:
        for key in sorted((keys1.get(c, none) | keys2.get(c2, none)) - left_out):
            relation, cls = key
            m1, m2 = before.get((c, *key), empty), after.get((c2, *key), empty)
            if c == c2 and m1 == m2:
                continue
            if relation in MULTI:
                # A county council succeeded by a unitary (North Yorkshire, Somerset, 2023) has no
                # shares recorded (councils' shares are districts' and unitaries'): not a change.
                if not (relation == "overlaps" and c != c2 and not m1):
                    _compare_shares(w, c, c2, relation, m1, m2, add)
                continue
            a = _main(m1)
            b = _main(m2)
            if a == b:
                continue
            gap = w.kind(c2) == "practice" and cls == "ccg"
            if (a is None and gap and gaps.practice_ccg_unknown(d1)) or (b is None and gap and gaps.practice_ccg_unknown(d2)):
                unknown += 1
                continue
            if a is not None and b is not None and w.targets(a).get(b, (TRANSFERRED,))[0] == CARRIED:
                continue
            what = _parent_words(w, relation, a, b)
            since = w.link_change(c2, b, d2) if b else w.link_change(c, a, d1)
            if a is None:
                add(c2, "joined", after=w.label(b, d2), after_ids=[b], detail=what, date=since, was=c)
            elif b is None:
                add(c2, "left", before=w.label(a, d1), before_ids=[a], detail=what, date=since, was=c)
            else:
                rank = w.targets(a).get(b, (TRANSFERRED,))[0]
                change = "parent_replaced" if rank == REPLACED else "moved"
                add(
                    c2,
                    change,
                    before=w.label(a, d1),
                    after=w.label(b, d2),
                    before_ids=[a],
                    after_ids=[b],
                    detail=what,
                    date=since,
                    was=c,
                )
    return unknown


def _main(parents: dict) -> str | None:
    """The parent of a kind (the largest share, should the data ever hold two on a day)."""
    if len(parents) < 2:
        return next(iter(parents), None)
    return max(parents, key=lambda p: (parents[p] or 0, p))


def _parent_words(w: Snapshots, relation: str, a: str | None, b: str | None) -> str:
    kinds = [SHORT_LABEL[w.kind(p)] for p in (a, b) if p]
    words = kinds[0] if len(set(kinds)) == 1 else " → ".join(kinds)
    return f"headquarters {words}" if relation == "hq_in" else words


def _compare_shares(w: Snapshots, c: str, c2: str, relation: str, m1: dict, m2: dict, add) -> None:
    """A council's shares in NHS areas (or a body's partner ICBs) on the two days, compared after
    following each first-day area to the one that carried it on."""
    carried = {(w.carried_on_as(p) or p): s for p, s in m1.items()}
    same = carried.keys() == m2.keys() and all(
        (carried[p] is None) == (m2[p] is None) and abs((carried[p] or 0) - (m2[p] or 0)) < 0.0005 for p in m2
    )
    if same:
        return

    def text(m: dict, day: str) -> str:
        return "; ".join(w.label(p, day) + _pct(s) for p, s in sorted(m.items(), key=lambda t: (-(t[1] or 0), t[0])))

    kinds = [" and ".join(sorted({SHORT_LABEL[w.kind(p)] for p in m})) for m in (m1, m2) if m]
    add(
        c2,
        MULTI[relation],
        before=text(m1, w.d1),
        after=text(m2, w.d2),
        before_ids=sorted(m1),
        after_ids=sorted(m2),
        detail=("overlaps with " if relation == "overlaps" else "partner of ") + " → ".join(dict.fromkeys(kinds)),
        date=max((d for p in m2 for d in [w.link_change(c2, p, w.d2)] if d and d > w.d1), default=None),
        was=c,
    )


def answer(d1: str, d2: str, kinds: tuple[str, ...] | None = None, within: dict | None = None) -> Answer:
    """`ics diff`: the records of :func:`diff` with a title for a terminal, the hint for no
    difference (naming the kinds asked for that are not recorded inside `within` on either day)
    and the notes on what could not be compared."""
    result = diff(d1, d2, kinds, within)
    absent = [k for k in kinds or () if result.kinds_inside is not None and k not in result.kinds_inside]
    records = result.records
    if within is not None:
        from ics_cli import queries

        named = queries.org_on(within["org_id"], d2 if existed(within, d2) else d1)
        inside = {"in_id": named["org_id"], "in_code": named["code"], "in_name": named["name"]}
        records = [{**r, **inside} for r in records]
    return Answer(
        records,
        title=wording.diff_title(d1, d2, within),
        empty=wording.diff_empty(d1, d2, within, absent),
        notes=result.notes,
    )


def after_the_data(first: str, second: str, last: str) -> Answer:
    """`ics diff` between two days that are both after the data's last day: no change is known."""
    return Answer([], title=wording.diff_title(first, second, None), empty=wording.diff_after_data(first, second, last))
