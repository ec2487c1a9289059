"""Every sentence the tool says about an answer, built from plain data.

Feature modules (profile, listing, population, search, the resolver) gather the facts from the
queries and call these functions for the words: titles, the hints for empty results, notes about
gaps or other matches, and the messages for an organisation that did not exist on the day asked.
Nothing here queries the database. Kind labels, step words and date spans come from
:mod:`ics_cli.vocab`. Text the user typed is echoed through :mod:`ics_cli.safetext` (``quoted``,
``shell_word``, ``path``): control characters escaped, cut to about 80 characters.
"""

from __future__ import annotations

from ics_cli.safetext import path, quoted, shell_word
from ics_cli.vocab import CLOSING_KINDS, SHORT_LABEL, label, span


def named(org: dict) -> str:
    """'NHS Frimley Integrated Care Board (QNQ)'."""
    return f"{org['name']} ({org['code']})"


def share(value: float | None) -> str:
    """A share of a population: '57.1%', or '' when not known."""
    return "" if value is None else f"{value:.1%}"


# --- an organisation that had ended, or had not begun ------------------------------------------------


def went(kind: str, day: str, now: dict, own: bool) -> str:
    """ " Its area went to: ..." for an organisation of `kind` that had ended by `day`; `now` is
    queries.where_now's answer, `own` whether those are its own successors (not ones further down
    the line). Empty when nothing is known."""
    parts = "; ".join(named(a) + (f" {share(a['share'])}" if a["share"] is not None else "") for a in now["after"])
    if now["after"] and not now["after"][0]["certain"]:
        parts += " (after it merged, how its own part divided is not recorded)"
    if now["via"]:
        via = named(now["via"])
        if not parts:
            return f" It was last in {via}, which still exists." if now["org_id"] else f" It was last in {via}."
        return f" It was last in {via}, whose area is now in: {parts}."
    if not parts:
        return ""
    if own:
        return f" It was succeeded by: {parts}." if kind in CLOSING_KINDS else f" Its area went to: {parts}."
    return f" On {day} its area is in: {parts}."


def not_yet(first: dict, day: str, start: str) -> str:
    """`first`: the organisation under the name and code it started with."""
    return f"{named(first)} did not exist on {day}: it was established on {start}."


def ended(org: dict, day: str, went_to: str) -> str:
    how = "closed" if org["kind"] in CLOSING_KINDS else "abolished"
    return f"{named(org)} did not exist on {day}: it was {how} on {org['end']}.{went_to}"


def use_earlier(end: str) -> str:
    return f"Use --as-of {end} (or earlier) to see it."


def shown_on_first_day(org: dict) -> str:
    return f"{org['name']} starts on {org['start']}; shown as on that day."


def shown_on_last_day(org: dict, went_to: str) -> str:
    return f"{org['name']} ceased to exist after {org['end']}; shown as on that day.{went_to}"


# --- how an identifier was read ---------------------------------------------------------------------------


def candidate(c: dict) -> str:
    """One line of a list of candidates or suggestions (with a postcode's share of LSOAs)."""
    line = f"{c['org_id']:<22} {SHORT_LABEL[c['kind']]:<9} {c['code']:<10} {c['name']} ({span(c['start'], c['end'])})"
    if c.get("share") is not None:
        line += f": {c['lsoas']} of its LSOAs ({c['share']:.0%})"
    elif c.get("lsoas") == 0:
        line += ": none of its LSOAs, but some of its postcodes in the NHS ODS postcode file"
    return line


def candidates(cands: list[dict], limit: int = 20) -> str:
    lines = "\n".join("  " + candidate(c) for c in cands[:limit])
    more = f"\n  ... and {len(cands) - limit} more" if len(cands) > limit else ""
    return lines + more


def ambiguous(
    text: str,
    n: int,
    via: str | None = None,
    kind: str | None = None,
    day: str | None = None,
    example: str | None = None,
    by_code: bool = False,
) -> str:
    """Several organisations of one kind fit `text` equally on `day`; `example` is the org id of
    the first, `by_code` whether the text was read as a code (then giving a code cannot help)."""
    if via and kind and day:
        return f"{quoted(text)} is {via}, which lay in {n} {label(kind, plural=True)} on {day}; give one of them."
    instead = "an org id" if by_code else "a code or an org id"
    on = f" on {day}" if day else ""
    return f"{quoted(text)} matches {n} organisations{on}; give {instead}" + (f" (e.g. {example})." if example else ".")


def not_found(text: str) -> str:
    return f"No organisation matches {quoted(text)}."


def try_search(text: str) -> str:
    """The search to try, as a shell command to copy (``$'...'`` quoting for control characters)."""
    return "Try: ics search " + shell_word(text)


def _others(close: list[dict]) -> str:
    return ", ".join(f"{c['name']} ({c['org_id']})" for c in close[:3]) + (" ..." if len(close) > 3 else "")


def also_matches(text: str, close: list[dict]) -> str:
    return f"Note: {quoted(text)} also matches {_others(close)}; give an org id to choose."


def resolved_to(text: str, org: dict, day: str, went: str, close: list[dict], former: bool = False) -> str:
    """The one line that says what a name named: `org` under its name on the day it is described
    on (`former`: the text is a name it had given up by then), whether it had ended (and `went`:
    where its area went, fate.went) or not yet begun by `day`, and the other organisations the
    name also matches."""
    line = f"Note: {quoted(text)} is {'a former name of ' if former else ''}{org['name']} ({org['org_id']})"
    if org["end"] and org["end"] < day:
        line += f", which ended on {org['end']}"
    elif org["start"] and org["start"] > day:
        line += f", which began on {org['start']}"
    line += "." + went
    if close:
        line += f" It also matches {_others(close)}; give an org id to choose."
    return line


def lsoa_via(found: dict) -> str:
    """How an LSOA code was read (small_areas.lsoa_parents): its name, and whether its area that
    day is inferred or bridged from the other census (data/README.md, "Small areas")."""
    said = [found["name"]]
    if found["inferred"]:
        said.append(f"its area inferred: no source gives it ({found['source']})")
    if found["bridged"]:
        said.append(
            "a code the lookups of the day do not list (re-coded between the censuses): parents bridged from its "
            f"{'MSOA' if found['bridge'] == 'msoa' else 'district'}'s re-coded LSOAs"
            + (", most of them (a guess)" if found["bridge"] == "majority" else "")
        )
    return f"LSOA {found['lsoa']} ({'; '.join(said)})"


def read_as(via: str) -> str:
    """The note of a profile reached by a postcode (or any identifier read other than as a name or code)."""
    return f"Reached through {via}."


def reached_through(text: str, via: str, org: dict) -> str:
    return f"Note: {quoted(text)} was read as {via}: {named(org)}."


# --- titles and empty results -------------------------------------------------------------------------------


def list_title(kind: str, day: str, parent: dict | None, footprint: bool = False) -> str:
    """`footprint`: the list is of the ICSs of the day (`ics list ics`), which are of `kind`."""
    what = f"Integrated care systems ({label(kind, plural=True)})" if footprint else label(kind, plural=True, title=True)
    return f"{what} on {day}" + (f" in {parent['name']}" if parent else "")


def list_empty(kind: str, day: str, parent: dict | None, reason: str | None) -> str:
    where = f" in {parent['name']}" if parent else ""
    text = f"No {label(kind, plural=True)}{where} on {day}."
    return f"{text} {reason}" if reason else text


def figures_listed(
    field: str, measure_label: str, dates: list[str], sources: dict[str, int], day: str, of_area: bool = True
) -> str:
    """What a population column of `ics list` holds: the day it counts and its sources (rows each)."""
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    cited = ", ".join(f"{s} ({n:,} rows)" for s, n in sources.items()) if len(sources) > 1 else next(iter(sources))
    whose = f"for the area each had on {day}" if of_area else "for each organisation itself"
    return f"Note: {field} is the {measure_label} figure of {when} {whose}; source{'s' if len(sources) > 1 else ''}: {cited}."


def no_figure_listed(field: str, measure_label: str, missing: int, total: int, day: str) -> str:
    return (
        f"Note: {missing:,} of {total:,} have no {measure_label} figure ({field}) for the area they had on {day}; "
        "ics population ID gives the figures held for their other areas."
    )


def kind_existed(first: str, last: str) -> str:
    return f"They existed {span(first, last, since=True)}."


def population_title(org: dict, day: str) -> str:
    return f"Population of {named(org)} on {day}"


def population_empty(org: dict, measure_label: str | None = None, known: list[str] | None = None) -> str:
    if measure_label:
        return f"No {measure_label} figures for {org['name']}; it has: {', '.join(known or []) or 'none'}."
    return f"No population figures for {org['name']}."


def population_areas(org: dict, day: str, changed: list[str], spans: list[tuple[str, str, str]], of_day: bool) -> str | None:
    """The one note on which areas `ics population`'s figures are for: `changed`, the days the
    area of `org` changed; `spans`, (measure label, start, end) of the figures shown for another
    area than the one it had on `day` (no figure of that measure held for the day's area);
    `of_day`, whether any figure shown is for the day's area."""
    if not (of_day or spans):  # no figure at all: the empty answer says so
        return None
    parts = []
    if changed:
        parts.append(f"the area of {org['name']} changed on {', '.join(changed)}")
    if of_day and (changed or spans):
        whose = "it" if changed else org["name"]
        parts.append(f"the figures are for the area {whose} had on {day}" + (", except:" if spans else ""))
    elif spans:
        parts.append(f"no figure is held for the area of {org['name']} on {day}; these are for its area of other days:")
    if not parts:
        return None
    text = "Note: " + "; ".join(parts)
    if spans:
        return text + " " + "; ".join(f"{measure} for its area of {span(start, end)}" for measure, start, end in spans) + "."
    return text + " (start and end give the days it had that area)."


def described_on(org: dict, day: str) -> str:
    """An organisation that had ended (or not begun) by the default day, described on `day`, its
    last (or first) day."""
    which = "last" if org["end"] == day else "first"
    return f"Note: {named(org)} is shown as on {day}, its {which} day (it did not exist on the data's latest day)."


def not_held(kinds: list) -> str | None:
    """What a text names that the data does not hold (vocab.NOT_HELD entries), or None."""
    if not kinds:
        return None
    return "Note: " + " ".join(f"The data does not hold {k.plural}; {k.instead}." for k in kinds)


def search_title(text: str, day: str) -> str:
    return f"Matches for {quoted(text)} (ICB: the one covering it on {day})"


def search_empty(text: str, unsearchable: bool, too_short: bool) -> str:
    empty = f"Nothing matches {quoted(text)}."
    if unsearchable:
        return empty + " NHS, the, and, and words under three letters are not searched: give part of a name or a code."
    if too_short:
        return empty + " One or two letters match only a whole code or name: give three letters or more."
    return empty


def timeline_title(org: dict | None) -> str:
    return f"Timeline of {named(org)}" if org else "National timeline"


def diff_title(d1: str, d2: str, within: dict | None) -> str:
    return f"Changes from {d1} to {d2}" + (f" in {named(within)}" if within else "")


def diff_empty(d1: str, d2: str, within: dict | None, absent: list[str]) -> str:
    """No difference; or, for the kinds asked for that nothing inside `within` had, say so."""
    where = f" in {named(within)}" if within else ""
    if absent:
        return f"No {' or '.join(label(k, plural=True) for k in absent)} are recorded{where} on {d1} or {d2}."
    return f"No differences between {d1} and {d2}{where}."


def diff_after_data(d1: str, d2: str, last: str) -> str:
    return f"No differences between {d1} and {d2} are known: the data runs to {last}, so both are answered as of it."


def diff_unrecorded(relation: str, cls: str, day: str) -> str:
    """`ics diff`'s note on a relation the data does not record on `day` (`cls`: the parents'
    class, ccg for CCGs and sub-ICB locations, stp for STPs and ICBs)."""
    if relation == "overlaps":
        what = f"councils' overlaps with {SHORT_LABEL[cls]}s" + (" and sub-ICB locations" if cls == "ccg" else " and ICBs")
    elif relation == "partner":
        what = "ICB partners"
    elif relation == "hq_in":
        what = "trusts' headquarters areas"
    else:
        later = " and sub-ICB locations" if cls == "ccg" else " and ICBs" if cls == "stp" else ""
        what = f"memberships of {label(cls, plural=True)}{later}"
    return f"Note: no {what} are recorded on {day}, so changes to them are not listed."


def not_on_either(org: dict, d1: str, d2: str) -> str:
    return f"{named(org)} did not exist on {d1} or on {d2}."


def existed_then(org: dict) -> str:
    return f"It existed {span(org['start'], org['end'])}."


def wrote(file: str, areas: int) -> str:
    return f"Wrote {path(file)} ({areas} areas)."


def wrote_rows(file: str, rows: int) -> str:
    return f"Wrote {rows:,} rows to {path(file)}."


NO_EVENTS = "No events match."
NO_STEPS = "No recorded predecessors or successors."
