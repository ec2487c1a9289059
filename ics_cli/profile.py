"""`ics show`: the profile of one organisation on a date, as one plain dict.

:func:`show` builds the whole record the command prints: it chooses the day to describe (the day
asked, or for an organisation that had ended or not yet begun its last or first day), and writes
the note (that day, where its area went, how the identifier was read, what the sources do not
record). :func:`profile` is the organisation on a given day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ics_cli import fate, gaps, queries, wording
from ics_cli.dates import existed
from ics_cli.vocab import MEMBER_SECTIONS, label

if TYPE_CHECKING:
    from ics_cli.dates import AsOf
    from ics_cli.resolve import Resolved

SECTION_OF = {(m.relation, m.kind): m.key for m in MEMBER_SECTIONS}  # relation, member kind -> key

# Long member lists are counted, not listed, in a profile.
LISTED_LIMIT = 60


def brief(row: dict, **extra) -> dict:
    out = {
        "org_id": row["org_id"],
        "kind": row["kind"],
        "code": row["code"],
        "ons_code": row.get("ons_code"),
        "name": row["name"],
    }
    if row.get("short_name"):
        out["short_name"] = row["short_name"]
    out.update({k: v for k, v in extra.items()})
    return out


def show(found: Resolved, when: AsOf) -> dict:
    """The `ics show` record for an organisation the resolver found, on the --as-of day: on that
    day if it existed then (an explicit --as-of on which it did not exist is an error), else on
    its first day (not yet begun) or its last (ended), with a note saying so."""
    org = found.org
    day = fate.day_described(org, when)
    notes = [wording.read_as(found.via) if found.via else None]
    if day < when.day:
        notes.append(wording.shown_on_last_day(org, fate.went(org, when.day)))
    elif day > when.day:
        notes.append(wording.shown_on_first_day(org))
    record = profile(org["org_id"], day)
    # existed_on_date is about as_of, the day described; on requested_as_of it did not exist when they differ.
    record["requested_as_of"] = when.day
    notes.append(gaps.profile_note(org["kind"], day, record["parents"], org["org_id"]))
    record["note"] = " ".join(n for n in notes if n) or None
    return record


def profile(org_id: str, day: str) -> dict:
    """Everything `ics show` prints about `org_id` as it was on `day`."""
    org = queries.org_on(org_id, day)
    alive = existed(org, day)
    names = queries.names_of(org_id)
    codes = queries.codes_of(org_id)
    current = [n for n in names if n["type"] == "official" and existed(n, day)]
    short = [n["name"] for n in names if n["type"] == "short" and existed(n, day)]
    # Former: names it had given up by `day` (not the ones it took later, nor its last name).
    former = [
        n
        for n in names
        if n["type"] == "official" and n["end"] and n["end"] < day and n not in current and n["name"] != org["name"]
    ]
    out: dict = {
        "org_id": org_id,
        "kind": org["kind"],
        "kind_label": label(org["kind"]),
        "code": org["code"],
        "ons_code": org["ons_code"],
        "name": org["name"],
        "short_name": short[0] if short else None,
        "start": org["start"],
        "end": org["end"],
        "as_of": day,
        "existed_on_date": alive,
        "former_names": [{"name": n["name"], "start": n["start"], "end": n["end"]} for n in former],
        "codes": [
            {"scheme": c["scheme"], "code": c["code"], "start": c["start"], "end": c["end"], "source": c["source"]} for c in codes
        ],
        "website": None,
        "parents": [],
        "members": {},
        "member_counts": {},
        "populations": [],
        "predecessors": [],
        "successors": [],
        "sources": {},
    }
    attrs = queries.attributes_of(org_id, day)
    if "website" in attrs:
        out["website"] = attrs["website"]["value"]
    out["attributes"] = {k: v["value"] for k, v in attrs.items() if k != "website"}
    parents = queries.parents(org_id, day)
    related = list(parents)  # every membership row shown, for the sources
    out["parents"] = [brief(p, relation=p["relation"], share=p.get("share")) for p in parents]
    if org["kind"] in ("la", "trust"):
        # A council's ICBs (overlap, partner) and a trust's partner ICBs sit beside its parents.
        extra = [
            p
            for p in queries.memberships_of(org_id, day)
            if p["relation"] in (("overlaps", "partner") if org["kind"] == "la" else ("partner",))
        ]
        related += extra
        out["parents"] += [
            brief(p, relation=p["relation"], share=p["share"]) if org["kind"] == "la" else brief(p, relation=p["relation"])
            for p in extra
        ]
    members: dict[str, list[dict]] = {}
    for m in queries.direct_members(org_id, day):
        related.append(m)
        section = SECTION_OF.get((m["relation"], m["kind"]))
        if section:
            members.setdefault(section, []).append(brief(m, share=m["share"]) if m["share"] is not None else brief(m))
    counts = queries.member_counts(org_id, day)
    out["member_counts"] = counts
    out["members"] = {k: v for k, v in members.items() if len(v) <= LISTED_LIMIT}
    pops, _ = queries.on_the_area_of(queries.populations_of(org_id), day)  # the area it had on the day
    out["populations"] = [
        {
            "measure": p["measure"],
            "sex": p["sex"],
            "value": p["value"],
            "date": p["date"],
            "area_start": p["start"],
            "area_end": p["end"],
            # False: no figure of this measure is held for its area of the day; this one is for
            # the area it had from area_start to area_end.
            "area_of_day": existed(p, day),
            "source": p["source"],
        }
        for p in pops
        if p["sex"] == "all"
    ]
    steps = queries.successions_of(org_id)
    for side in ("predecessors", "successors"):
        out[side] = [
            {"date": s["date"], "type": s["type"], "share": s["share"], "note": s["note"], "source": s["source"], **brief(s)}
            for s in steps[side]
        ]
    # Every source behind what the profile says: codes, names, attributes, relations, figures, steps.
    used = {c["source"] for c in out["codes"]} | {p["source"] for p in out["populations"]}
    used |= {n["source"] for n in names if n in current or n in former or n["name"] in short}
    used |= {a["source"] for a in attrs.values()} | {r["via_source"] for r in related}
    used |= {s["source"] for side in ("predecessors", "successors") for s in out[side]}
    out["sources"] = {
        k: {"title": v["title"], "publisher": v["publisher"], "edition": v["edition"], "licence": v["licence"]}
        for k, v in queries.source_titles(used).items()
    }
    return out
