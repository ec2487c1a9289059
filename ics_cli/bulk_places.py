"""The engine of ``ics resolve`` (:class:`ics_cli.bulk.Engine`) for places: a district as a level
(``--to la``: a GP practice's or a trust's by its postcode's sector, an LSOA's by its block, an
area's by where its residents live), a postcode whose LSOAs lay in several areas (ambiguous
where the levels asked disagree, each candidate with its share), and the days on which a small
area's or a postcode's answer can change. A mixin: it reads the engine's maps and caches."""

from __future__ import annotations

from collections import defaultdict

from ics_cli import db, queries, small_areas
from ics_cli.bulk_maps import AREA_KINDS, Postcodes
from ics_cli.vocab import word


def _shares(items: list[tuple[str, float | None]]) -> str:
    """'36L 60%, W2U3Z 40%' (largest first), or 'one of 36L, W2U3Z' without shares."""
    if any(share is None for _, share in items):
        return "one of " + ", ".join(sorted(code for code, _ in items))
    return ", ".join(f"{code} {share:.0%}" for code, share in sorted(items, key=lambda i: (-i[1], i[0])))


class Place:
    """What the memo keeps for a text read as a small area or postcode (with a date per row): the
    days its answer can change on, and the reader that read it."""

    __slots__ = ("days", "reader")

    def __init__(self, days: list[str], reader):
        self.days = days
        self.reader = reader


class Places:
    """Districts and postcodes for :class:`ics_cli.bulk.Engine`."""

    def _place_days(self, reading) -> list[str]:
        """The days on which the answer for a small area or postcode can change (bulk_maps.Epochs):
        its blocks' and their areas', and for a district those of the NHS ODS postcode file's rows."""
        if reading.by == "lsoa":
            found = self.source.lsoa(reading.place, "2013-04-01")
            blocks = [found["block"]] if found else []
        elif reading.by == "sector":
            blocks = list(small_areas.sector_counts(reading.place))
        else:
            blocks = list(small_areas.district_counts(reading.place))
        days = self.epochs.of_blocks(blocks)
        if reading.by == "district":
            more = set(days) | {queries.POSTCODES_FROM}
            for oid, start, after in db.rows(
                "SELECT org_id, start, date(end, '+1 day') FROM postcode_districts WHERE district = ?", (reading.place,)
            ):
                more.update(d for d in (start, after) if d)
                more.update(self.epochs.of(oid))
            days = sorted(more)
        return days

    def _la(self, oid: str, day: str) -> tuple[str, str | None, str | None]:
        """The district an organisation lay in: a practice's or trust's by its postcode's sector, an
        area's by where its residents live (ambiguous when they live in several)."""
        kind = self.orgs[oid]["kind"]
        if kind in ("practice", "trust"):
            if self._postcodes is None:
                self._postcodes = Postcodes()
            postcode = self._postcodes.on(oid, day)
            sector = small_areas.sector_of(postcode) if postcode else None
            if sector is None:
                return ("unknown", None, "no postcode is held for it")
            counts = small_areas.sector_counts(sector) or small_areas.district_counts(sector.split()[0])
            return self._choose(self._candidates(("la", sector, day), counts, day), f"postcode {postcode}: ")
        if kind in AREA_KINDS:
            key = ("residents", oid, day)
            found = self.kept.get(key)
            if found is None:
                blocks = small_areas.area_blocks(oid, day)
                las = small_areas.block_map(day)
                sums: dict[str, int] = defaultdict(int)
                for block, people in blocks.items():
                    sums[las[block]["la"]] += people
                total = sum(sums.values()) or 1
                found = self._keep(key, [{"org_id": la, "share": n / total} for la, n in sums.items()])
            return self._choose(found, "residents (Census 2021) in ")
        return ("unknown", None, f"the sources place no {word(kind)} in a local authority")

    def _candidates(self, key: tuple, counts: dict[int, int], day: str) -> list[dict]:
        found = self.kept.get(key)
        return found if found is not None else self._keep(key, small_areas.candidates(counts, day, "la"))

    def _choose(self, candidates: list[dict], how: str) -> tuple[str, str | None, str | None]:
        if len(candidates) == 1:
            return ("ok", candidates[0]["org_id"], None)
        if not candidates:
            return ("no_target", None, "no district holds it")
        return ("ambiguous", None, how + _shares([(self.orgs[c["org_id"]]["code"], c["share"]) for c in candidates]))

    def _place_la(self, reading, day: str) -> tuple[str, str | None, str | None]:
        """An LSOA's district (its block's), or a postcode's (its sector's or district's LSOAs')."""
        if reading.by == "lsoa":
            found = self.source.lsoa(reading.place, day)
            return ("ok", found["la"], None) if found and found["la"] else ("no_target", None, None)
        if reading.by == "sector":
            counts = small_areas.sector_counts(reading.place)
        else:
            counts = small_areas.district_counts(reading.place)
        if not counts:
            return ("unknown", None, "the postcode lookup does not hold it")
        return self._choose(self._candidates(("la", reading.place, day), counts, day), "LSOAs in ")

    def _spread(self, reading, day: str) -> tuple:
        """A postcode whose LSOAs lay in several areas: ambiguous where the levels asked disagree."""
        cands = reading.candidates
        areas = ", ".join(
            f"{c['code']} {c['share']:.0%}"
            if c.get("share") is not None
            else f"{c['code']} (in the NHS ODS postcode file only)"
            if c.get("lsoas") == 0
            else c["code"]
            for c in cands
        )
        note = f"{reading.via}: {areas}"
        if not self.levels:
            return self.as_values({"status": "ambiguous", "note": note})
        outcomes = {}
        for level in self.levels:
            if level == "la":
                outcomes[level] = self._place_la(reading, day)
                continue
            each = [(self._outcome(c["org_id"], level, day), c.get("share")) for c in cands]
            sums: dict[str | None, float | None] = {}
            for (_, tid, _), share in each:
                sums[tid] = None if share is None or sums.get(tid, 0) is None else sums.get(tid, 0) + share
            if len(sums) == 1:
                outcomes[level] = each[0][0]
            else:
                codes = [(self.orgs[t]["code"] if t else "none", share) for t, share in sums.items()]
                outcomes[level] = ("ambiguous", None, _shares(codes))
        return self._finish({"status": "ok"}, outcomes, [note], day)
