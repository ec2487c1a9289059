"""Where the one resolver (:mod:`ics_cli.resolve`) looks things up: :class:`SqlSource`, an
indexed query per look-up (one identifier, as ``show`` or ``lineage`` reads it), and
:class:`MemorySource`, the same look-ups over maps read once (a stream, as ``resolve`` reads it).
Both answer the same questions the same way, so a text gives the same organisation everywhere."""

from __future__ import annotations

from ics_cli import db

PLACES_KEPT = 20_000  # postcode sectors and districts on a day that MemorySource remembers


class SqlSource:
    """One identifier at a time: an indexed query per look-up."""

    def org(self, org_id: str) -> dict | None:
        return db.query_one("SELECT * FROM orgs WHERE org_id = ?", (org_id,))

    def keyed(self, key: str) -> list[dict]:
        """Lookup rows for a normalised key: the key's dates (k_start, k_end), what it is (k_via:
        ``code``, ``official``, ``short`` or ``alias``) and its organisation."""
        return db.query(
            "SELECT l.start AS k_start, l.end AS k_end, l.via AS k_via, o.* FROM lookup l JOIN orgs o USING (org_id) WHERE l.key = ?",
            (key,),
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


_MEMORY_TABLES: dict[str, tuple] = {}  # per database path: (keys, orgs), read once per process


def _memory_tables() -> tuple[dict[str, list[tuple]], dict[str, dict]]:
    """Every lookup key -> [(org_id, start, end, via)] and every orgs row by org id, read once per
    process and database (never changed after: a second stream in the same process reuses them)."""
    path = db.db_path()
    if path not in _MEMORY_TABLES:
        from collections import defaultdict

        keys: dict[str, list[tuple]] = defaultdict(list)
        for key, org_id, start, end, via in db.rows("SELECT key, org_id, start, end, via FROM lookup"):
            keys[key].append((org_id, start, end, via))
        _MEMORY_TABLES[path] = (dict(keys), {r["org_id"]: r for r in db.iter_query("SELECT * FROM orgs")})
    return _MEMORY_TABLES[path]


class MemorySource(SqlSource):
    """Every key and organisation read into memory once (a few hundred milliseconds), for a stream
    of identifiers; LSOAs, postcode sectors and their blocks are read whole when first met, and a
    postcode's areas on a day are remembered (for the last few thousand)."""

    def __init__(self) -> None:
        self.keys, self.orgs = _memory_tables()
        self.districts: dict[tuple, object] = {}  # a postcode's areas on a day, by (what, which, day)
        self.small: tuple | None = None  # small_areas.lsoa_tables, when an LSOA is first met

    def org(self, org_id: str) -> dict | None:
        return self.orgs.get(org_id)

    def keyed(self, key: str) -> list[dict]:
        return [
            {**self.orgs[oid], "k_start": start, "k_end": end, "k_via": via} for oid, start, end, via in self.keys.get(key, ())
        ]

    def postcode_areas(self, district: str, day: str) -> tuple[list[str], str]:
        return self._kept(("ods", district, day), lambda: super(MemorySource, self).postcode_areas(district, day))

    def lsoa(self, code: str, day: str) -> dict | None:
        from ics_cli import small_areas

        if self.small is None:
            self.small = small_areas.lsoa_tables()
        return small_areas.lsoa_parents_from(self.small, code, day)

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
