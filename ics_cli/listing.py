"""`ics list`: the organisations of one kind that existed on a day, optionally inside another,
with the notes that say what the sources do not link."""

from __future__ import annotations

from ics_cli import fate, gaps, queries, wording
from ics_cli.render import Answer


def listing(kind: str, day: str, parent: dict | None = None) -> Answer:
    """Organisations of `kind` alive on `day` (inside `parent`, an orgs row, when given), each
    record naming the day it describes (`as_of`). A parent that did not exist on `day` is an
    error that says where it went (fate.gone)."""
    if parent is not None:
        fate.require_existing(parent, day)
    rows = ({**r, "as_of": day} for r in queries.list_orgs(kind, day, parent["org_id"] if parent else None))
    # Why such a list can be empty: what the data does not link, or a kind that did not exist then.
    reason = None
    if parent is not None:
        reason = gaps.empty_list_reason(kind, day, parent["kind"])
    else:
        first, last = queries.kind_span(kind)
        if not first <= day <= last:
            reason = wording.kind_existed(first, last)
    return Answer(
        rows,
        title=wording.list_title(kind, day, parent),
        empty=wording.list_empty(kind, day, parent, reason),
        notes=[gaps.list_note(kind, day, parent["kind"] if parent else None, parent["org_id"] if parent else None)],
    )
