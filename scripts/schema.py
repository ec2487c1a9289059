"""The one schema of the dataset: every table of data/sources/*.csv and of data/ics.sqlite.

Read by the import (the tidy CSVs' columns, in order: scripts/importers/common.write_tables),
the build (the database's tables, keys, indexes and how a CSV value is stored:
scripts/build_db.py) and the validation (keys filled in and unique, references, vocabularies,
dates: scripts/dbbuild/validate.py).

A table is a tidy CSV (``csv=True``: the importers write data/sources/<name>.csv and the build
loads it) or derived by the build (``csv=False``: scripts/dbbuild/derive.py fills it). A CSV table
may carry columns the build adds (``Column.derived``: ``orgs`` holds each organisation's current
code and names).

Adding a table is one ``Table`` entry in TABLES plus the code that fills it:
- a tidy CSV (``csv=True``; columns in CSV order, with ``key``, ``references`` and ``values``
  where they apply): an importer returns its rows under the table's name (a ``Tables`` builder
  in importers/common.py if several importers make such rows); import_sources.py writes
  data/sources/<name>.csv, the build loads it and validation checks it with no more code
  (required columns, unique key, references, vocabularies; dates of ``start``/``end``/``date``
  columns; intervals inside the lifetime of each organisation they reference);
- derived (``csv=False``): its rows in build_db.derived_rows.
A CSV with ``in_database=False`` (``editions``) is read and checked by the build but not shipped.
Then rebuild (the database changes; raise VERSION if the CLI must notice), and teach the CLI's
queries to read it. tests/test_build.py checks that the files and the database match TABLES.

Storage: a table with a natural ``key`` is stored WITHOUT ROWID, clustered on that key (its
columns NOT NULL, and together unique, which validation checks before the build writes); a table
without one is a rowid table, with a single-column ``pk`` or none. Every table is STRICT and
declares its foreign keys (``Column.references``). ``org_search`` also gets a trigram FTS5 index,
``org_search_fts``, made by the build.
"""

from __future__ import annotations

from dataclasses import dataclass

# The database's schema_version (the meta table): raise it when a table of the database changes.
VERSION = "2"

# Vocabularies: a value outside them refuses the build (validate.check_vocabularies).
KINDS = ("region", "area_team", "stp", "icb", "ccg", "sub_icb", "la", "trust", "practice", "pcn")
RELATIONS = ("part_of", "hq_in", "partner", "overlaps")
SUCCESSION_TYPES = (
    "merger",  # several predecessors, one successor (each predecessor ends)
    "split",  # one predecessor, several successors (the predecessor ends)
    "boundary_transfer",  # part of an area moves; both sides may carry on
    "became_sub_icb",  # a CCG carried on as a sub-ICB location on 2022-07-01
    "succeeded",  # official successor with no more detail (e.g. STP to ICB)
)
# (A rename or a new code keeps the organisation: a new names or codes row, and a `rename` or
# `recode` event in the database, never a succession.)
CODE_SCHEMES = ("ods", "ons")
NAME_TYPES = ("official", "short", "alias")
MEASURES = ("ons_mid_year_estimate", "gp_registered_patients", "qof_list_size", "census_2021")
SEXES = ("all", "female", "male")
PRECISIONS = ("day", "month", "year")
BRIDGES = ("msoa", "district", "majority")  # how an LSOA of one census got the other census's parents


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "TEXT"  # the STRICT column type: TEXT, INTEGER or REAL
    not_null: bool = False  # NOT NULL (key columns are NOT NULL anyway); never blank in the CSV
    blank_is_null: bool = False  # a blank CSV value is stored as NULL (else as '')
    derived: bool = False  # added by the build: not a column of the CSV
    values: tuple[str, ...] = ()  # the vocabulary, if the column has one
    references: str = ""  # foreign key, "table.column"


@dataclass(frozen=True)
class Table:
    name: str
    grain: str  # one row per ...
    columns: tuple[Column, ...]
    csv: bool  # a tidy CSV in data/sources (True) or derived by the build (False)
    key: tuple[str, ...] = ()  # the natural key: PRIMARY KEY, clustered (WITHOUT ROWID)
    pk: str = ""  # a rowid table's one-column PRIMARY KEY (tables without a natural key)
    indexes: tuple[tuple[str, ...], ...] = ()  # secondary indexes, in creation order
    in_database: bool = True  # False: a CSV the build reads and checks but does not ship

    @property
    def csv_columns(self) -> list[str]:
        """The CSV's columns, in order (the database's, less those the build adds)."""
        return [c.name for c in self.columns if not c.derived]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Columns never empty (NOT NULL in the database): the key's, the pk and the not_null ones."""
        return [c.name for c in self.columns if c.name in self.key or c.name == self.pk or c.not_null]

    def foreign_keys(self) -> list[tuple[str, str, str]]:
        """(column, other table, other column), in column order."""
        return [(c.name, *c.references.split(".")) for c in self.columns if c.references]


def _interval(*columns: Column) -> tuple[Column, ...]:
    """An organisation's fact over an interval: its columns, then start, end (a blank start is
    before the data's coverage, a blank end still current; both NULL in the database) and source."""
    return (*columns, Column("start", blank_is_null=True), Column("end", blank_is_null=True), SOURCE)


ORG = Column("org_id", references="orgs.org_id")
SOURCE = Column("source", references="sources.source")

# In the order the build creates them (which the database's bytes depend on).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "meta",
            "fact about the database (vintage, schema version, coverage dates)",
            (Column("key"), Column("value")),
            csv=False,
            pk="key",
        ),
        Table(
            "sources",
            "source file, derivation rule or curated fact set",
            tuple(Column(c) for c in ("source", "title", "publisher", "edition", "licence", "url", "file", "note")),
            csv=True,
            pk="source",
        ),
        Table(
            "orgs",
            "organisation",
            (
                Column("org_id"),
                Column("kind", not_null=True, values=KINDS),
                Column("code", not_null=True, derived=True),  # the latest ODS code (ONS for councils)
                Column("ons_code", derived=True),
                Column("name", not_null=True, derived=True),  # the latest official name
                Column("short_name", derived=True),
                Column("start", blank_is_null=True),
                Column("end", blank_is_null=True),
                SOURCE,
            ),
            csv=True,
            key=("org_id",),
            # Lists by kind read start and end from the table anyway: the index holds the kind alone.
            indexes=(("kind",),),
        ),
        # Codes, names and attributes are read by organisation (and scheme or type): clustered on it.
        Table(
            "codes",
            "code held by an organisation over an interval",
            _interval(ORG, Column("scheme", values=CODE_SCHEMES), Column("code")),
            csv=True,
            key=("org_id", "scheme", "code"),
        ),
        Table(
            "names",
            "name held over an interval",
            _interval(ORG, Column("name"), Column("type", values=NAME_TYPES)),
            csv=True,
            key=("org_id", "type", "name"),
        ),
        Table(
            "attributes",
            "other fact held over an interval",
            _interval(ORG, Column("key"), Column("value")),
            csv=True,
            key=("org_id", "key", "value"),
        ),
        Table(
            "memberships",
            "child-in-parent relation over an interval",
            (
                Column("child_id", references="orgs.org_id"),
                Column("parent_id", references="orgs.org_id"),
                Column("relation", values=RELATIONS),
                Column("start", blank_is_null=True),
                Column("end", blank_is_null=True),
                Column("share", "REAL", blank_is_null=True),
                SOURCE,
            ),
            csv=True,
            key=("child_id", "relation", "parent_id", "start"),
            # A covering index down the hierarchy (member lists and counts read only the index).
            indexes=(("parent_id", "relation", "child_id", "start", "end"),),
        ),
        Table(
            "successions",
            "predecessor-to-successor step",
            (
                Column("predecessor_id", references="orgs.org_id"),
                Column("successor_id", references="orgs.org_id"),
                Column("date"),
                Column("type", values=SUCCESSION_TYPES),
                Column("share", "REAL", blank_is_null=True),
                Column("note", blank_is_null=True),
                SOURCE,
            ),
            csv=True,
            indexes=(("predecessor_id",), ("successor_id",)),
        ),
        Table(
            "populations",
            "figure for an organisation as it was from start to end (the area it then had)",
            (
                ORG,
                Column("measure", values=MEASURES),
                Column("sex", values=SEXES),
                Column("age"),
                Column("value", "INTEGER"),
                Column("date"),  # the figure's reference date (Census day, mid-year, extract)
                Column("start"),  # the first day the organisation had the area it counts
                Column("end", blank_is_null=True),  # the last day (blank: it still has it)
                SOURCE,
            ),
            csv=True,
            key=("org_id", "measure", "date", "start", "sex", "age"),
        ),
        Table(
            "events",
            "dated event (organisation events, national summaries, policy events)",
            (
                Column("event_id", "INTEGER"),
                Column("date"),
                Column("kind"),
                Column("scope"),
                Column("title"),
                Column("detail"),
                SOURCE,
            ),
            csv=False,
            pk="event_id",
            indexes=(("scope", "date"),),
        ),
        Table(
            "event_orgs",
            "organisation an event names",
            (Column("event_id", "INTEGER", references="events.event_id"), ORG),
            csv=False,
            indexes=(("org_id",), ("event_id",)),
        ),
        Table(
            "policy_events",
            "national policy milestone (curated)",
            (
                Column("date"),
                Column("precision", values=PRECISIONS),
                Column("kind"),
                Column("title"),
                Column("detail"),
                Column("org_ids"),  # space-separated org ids
                SOURCE,
            ),
            csv=True,
        ),
        Table(
            "postcode_districts",
            "postcode district touching a sub-ICB location over an interval",
            _interval(Column("district"), ORG),
            csv=True,
            key=("district", "org_id", "start"),
        ),
        # Small areas (scripts/importers/small_areas.py): LSOAs in blocks, blocks' dated parents.
        Table(
            "blocks",
            "block: a set of LSOAs that were always in the same CCG or sub-ICB location and district",
            (Column("block", "INTEGER"), Column("population", "INTEGER", not_null=True)),  # Census 2021 residents
            csv=True,
            pk="block",
        ),
        Table(
            "lsoas",
            "LSOA code (2011 or 2021 census geography)",
            (
                Column("lsoa"),
                Column("name", not_null=True),  # the 2021 name, or the 2011 one for a code of 2011 only
                Column("name_2011", blank_is_null=True),  # the 2011 name where it differs
                Column("in_2011", "INTEGER", not_null=True),  # 1: an LSOA of the 2011 census geography
                Column("in_2021", "INTEGER", not_null=True),  # 1: an LSOA of the 2021 census geography
                Column("block", "INTEGER", not_null=True, references="blocks.block"),
                Column("bridge", blank_is_null=True, values=BRIDGES),  # blank: its own lookups throughout
                Column("population", "INTEGER", blank_is_null=True),  # Census 2021 residents (LSOAs 2021)
            ),
            csv=True,
            key=("lsoa",),
        ),
        Table(
            "block_parents",
            "block's CCG or sub-ICB location, or district, over an interval",
            (
                Column("block", "INTEGER", references="blocks.block"),
                Column("parent_id", references="orgs.org_id"),
                Column("start"),
                Column("end", blank_is_null=True),
                Column("inferred", "INTEGER", not_null=True),  # 1: no source gives it (the source names the rule)
                SOURCE,
            ),
            csv=True,
            key=("block", "parent_id", "start"),
            # Every block of an area on a day (area populations, flows, lists by area).
            indexes=(("parent_id", "start", "end", "block"),),
        ),
        Table(
            "sector_blocks",
            "postcode sector and a block some of its LSOAs 2011 lie in",
            (
                Column("sector"),  # "SW1A 1": outward code, a space, the sector digit
                Column("block", "INTEGER", references="blocks.block"),
                Column("lsoas", "INTEGER", not_null=True),  # how many of the sector's LSOAs 2011
            ),
            csv=True,
            key=("sector", "block"),
        ),
        # Shapes for `ics map` (scripts/importers/boundaries.py), read by organisation and day, and
        # by kind (an org_id prefix) for the neighbours in view: clustered on (org_id, start). The
        # bounding box and label point are numbers; the shape is compact text (ics_cli/maps/shapes.py).
        Table(
            "boundaries",
            "boundary of an area over an interval",
            (
                ORG,
                Column("start"),
                Column("end", blank_is_null=True),
                Column("edition", not_null=True),
                *(Column(c, "REAL", not_null=True) for c in ("minx", "miny", "maxx", "maxy", "label_x", "label_y")),
                Column("shape", not_null=True),
                SOURCE,
            ),
            csv=True,
            key=("org_id", "start"),
        ),
        # Build input only: not written to the database (dbbuild/practice_checks.py checks the
        # practices' and PCNs' CCG history against each edition on its day).
        Table(
            "editions",
            "organisation listed in a point-in-time edition, with the parent it gives on the edition's day",
            (Column("source", references="sources.source"), Column("date"), ORG, Column("parent_id", references="orgs.org_id")),
            csv=True,
            key=("source", "org_id"),
            in_database=False,
        ),
        Table(
            "lookup",
            "normalised name or code key of an organisation over an interval",
            (Column("key"), ORG, Column("start"), Column("end"), Column("via")),
            csv=False,
            indexes=(("key",),),
        ),
        Table(
            "org_search",
            "search document of an organisation (every name it has had, and every code)",
            (Column("org_id", references="orgs.org_id"), Column("kind"), Column("name"), Column("text")),
            csv=False,
            pk="org_id",
        ),
    )
}

# The tidy CSVs, in the order the build reads them (and fingerprints them in meta.sources_sha256).
CSV_TABLES: dict[str, Table] = {name: t for name, t in TABLES.items() if t.csv}
