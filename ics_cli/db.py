"""Find and open the ics database, read-only, and run queries that return dicts.

Where the database is, in order:

1. ``$ICS_DB`` if set (and non-empty): that file and no other;
2. ``ics_cli/data/ics.sqlite`` next to this module: the copy inside an installed wheel;
3. ``<repo>/data/ics.sqlite``: a source checkout or an editable install.

The file is opened once per process with ``file:...?mode=ro&immutable=1``: read-only, so no
command can change it, and immutable, so SQLite neither locks it nor creates a ``-wal``, ``-shm``
or journal file beside it (an ``ICS_DB`` in WAL mode would otherwise get both, in someone else's
directory). Why immutable is safe here:

- ``scripts/build_db.py`` never rewrites a database in place: it writes a new file and renames it
  over the old one (``os.replace``), so a running ``ics`` keeps reading the old file whole and the
  next one opens the new file; git's checkouts replace files the same way. What immutable gives
  up, noticing another process's writes to the same file while it is open, cannot happen then.
- A database with a ``-wal`` file beside it that is not empty holds committed transactions that
  only the log has (a writer is at work, or did not checkpoint): reading it immutable would
  miss them, so that one case opens with ``mode=ro`` alone and SQLite reads the log (its
  ``-shm`` exists already, or is created).
- Someone who edits an ``ICS_DB`` in place while a long ``ics`` command reads it may get an
  inconsistent answer or "database disk image is malformed" (exit 1): editing a database under
  a running reader is unsupported; copy it, edit, and rename.

Before any query the file is checked to be an ics database of the version this code reads: a
``meta`` table whose ``schema_version`` is :data:`SCHEMA_VERSION` (the build's
``scripts/schema.py`` VERSION), and every table in :data:`TABLES`. Anything else (a missing,
empty, corrupt or foreign file, another schema version) raises
:class:`~ics_cli.errors.IcsError` naming the path and saying what to do (exit 1), for every
command, ``ics info`` and ``ics --version`` included. Queries return plain dicts;
:func:`iter_query` yields them one at a time for output that streams, and :func:`rows` gives
tuples for tables read whole into memory.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ics_cli.errors import IcsError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    Params = Sequence[Any] | Mapping[str, Any]

ENV_VAR = "ICS_DB"
REBUILD_HINT = "Rebuild it from a source checkout with: python scripts/build_db.py\nor point ICS_DB at an ics.sqlite file."

# The schema version this code reads: scripts/schema.py's VERSION (tests/test_db.py checks they
# agree). Raise both together when a table the CLI reads changes.
SCHEMA_VERSION = "2"
# The tables (and the full-text index) the commands read; a database without one of them is
# refused before any query rather than failing half-way through an answer.
TABLES = (
    "meta",
    "orgs",
    "names",
    "codes",
    "lookup",
    "attributes",
    "memberships",
    "successions",
    "events",
    "event_orgs",
    "populations",
    "sources",
    "org_search",
    "org_search_fts",
    "lsoas",
    "blocks",
    "block_parents",
    "sector_blocks",
    "postcode_districts",
    "boundaries",
)

_HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DB = os.path.join(_HERE, "data", "ics.sqlite")
REPO_DB = os.path.join(os.path.dirname(_HERE), "data", "ics.sqlite")

_connections: dict[str, sqlite3.Connection] = {}
_metas: dict[str, dict[str, str]] = {}  # meta table per database, read once (every --as-of needs it)


def db_path() -> str:
    """The path of the database this process uses (which may not exist)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return os.path.abspath(os.path.expanduser(env))
    if os.path.exists(PACKAGE_DB):
        return PACKAGE_DB
    return REPO_DB


def _dict_factory(cursor: sqlite3.Cursor, row: tuple) -> dict[str, Any]:
    return dict(zip([d[0] for d in cursor.description], row))


def _open(path: str) -> sqlite3.Connection:
    origin = f" (from {ENV_VAR})" if os.environ.get(ENV_VAR) else ""
    shown = _shown(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise IcsError(f"Database not found: {shown}{origin}.", hint=REBUILD_HINT) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        raise IcsError(f"Cannot read the database {shown}{origin}: {getattr(e, 'strerror', None) or e}.") from None
    if os.path.isdir(path):
        raise IcsError(f"The database path {shown}{origin} is a directory, not a file.")
    if size == 0:
        raise IcsError(f"The database {shown}{origin} is empty.", hint=REBUILD_HINT)
    from pathlib import Path

    uri = Path(path).as_uri() + ("?mode=ro" if _has_log(path) else "?mode=ro&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True)
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except sqlite3.DatabaseError as e:
        raise IcsError(f"{shown}{origin} is not a usable SQLite database ({e}).", hint=REBUILD_HINT) from None
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else None
    except sqlite3.DatabaseError:  # a meta table of another shape: not ours
        meta = None
    try:
        _check(shown + origin, tables, meta)
    except IcsError:
        conn.close()
        raise
    _metas[path] = {str(k): str(v) for k, v in meta.items()}
    conn.row_factory = _dict_factory
    return conn


def _has_log(path: str) -> bool:
    """Whether a write-ahead log with content lies beside the database (see the module docstring)."""
    try:
        return os.path.getsize(path + "-wal") > 0
    except OSError:
        return False


def _check(where: str, tables: set[str], meta: dict | None) -> None:
    """IcsError unless the tables and meta read from a database make it an ics database of
    :data:`SCHEMA_VERSION` with every table in :data:`TABLES`."""
    if not tables:
        raise IcsError(f"The database {where} has no tables.", hint=REBUILD_HINT)
    if meta is None or "schema_version" not in meta:
        raise IcsError(f"{where} is not an ics database: it has no meta table with a schema_version.", hint=REBUILD_HINT)
    version = str(meta["schema_version"])
    if version != SCHEMA_VERSION:
        from ics_cli.safetext import cut

        raise IcsError(
            f"The database {where} has schema version {cut(version, 20)}; this version of ics reads version {SCHEMA_VERSION}.",
            hint="Install the ics release that matches the database, or " + REBUILD_HINT[0].lower() + REBUILD_HINT[1:],
        )
    missing = [t for t in TABLES if t not in tables]
    if missing:
        raise IcsError(
            f"The database {where} is not a complete ics database: it has no {', '.join(missing[:5])}"
            + (f" or {len(missing) - 5} more" if len(missing) > 5 else "")
            + " table.",
            hint=REBUILD_HINT,
        )


def connect() -> sqlite3.Connection:
    """The read-only connection to the database, opened on first use and cached.

    Its ``row_factory`` returns dicts. Raises IcsError if the file is missing or not a database.
    """
    path = db_path()
    conn = _connections.get(path)
    if conn is None:
        conn = _connections[path] = _open(path)
    return conn


def close() -> None:
    """Close every cached connection (tests; a process normally never needs this)."""
    for conn in _connections.values():
        conn.close()
    _connections.clear()
    _metas.clear()


def _shown(path: str) -> str:
    from ics_cli.safetext import PATH_LIMIT
    from ics_cli.safetext import path as shown_path

    return shown_path(path, PATH_LIMIT)


def _query_error(e: sqlite3.Error) -> IcsError:
    return IcsError(
        f"The database {_shown(db_path())} cannot answer this query ({e}); it may be out of date.",
        hint=REBUILD_HINT,
    )


def iter_query(sql: str, params: Params = ()) -> Iterator[dict[str, Any]]:
    """Yield the rows of ``sql`` as dicts, one at a time (for output that streams)."""
    conn = connect()
    try:
        cur = conn.cursor()
        cur.row_factory = None  # faster: build the dicts here with the column names read once
        cur.execute(sql, params)
        names = [d[0] for d in cur.description or ()]
        for row in cur:
            yield dict(zip(names, row))
    except sqlite3.ProgrammingError:
        raise
    except sqlite3.DatabaseError as e:
        raise _query_error(e) from None


def rows(sql: str, params: Params = ()) -> list[tuple]:
    """All rows of ``sql`` as plain tuples: for tables read whole into memory (``ics resolve``),
    where building a dict per row would cost more than the query."""
    conn = connect()
    try:
        cur = conn.cursor()
        cur.row_factory = None
        return cur.execute(sql, params).fetchall()
    except sqlite3.ProgrammingError:
        raise
    except sqlite3.DatabaseError as e:
        raise _query_error(e) from None


def query(sql: str, params: Params = ()) -> list[dict[str, Any]]:
    """All rows of ``sql`` as a list of dicts."""
    return list(iter_query(sql, params))


def query_one(sql: str, params: Params = ()) -> dict[str, Any] | None:
    """The first row of ``sql`` as a dict, or None."""
    conn = connect()
    try:
        cur = conn.cursor()
        cur.row_factory = None
        cur.execute(sql, params)
        row = cur.fetchone()
    except sqlite3.ProgrammingError:
        raise
    except sqlite3.DatabaseError as e:
        raise _query_error(e) from None
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def has_table(name: str) -> bool:
    """Whether the database has a table or view called ``name``."""
    return (
        query_one(
            "SELECT 1 AS x FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
            (name,),
        )
        is not None
    )


def meta() -> dict[str, str]:
    """The ``meta(key, value)`` table as a dict (read when the database is opened)."""
    connect()
    return dict(_metas[db_path()])
