"""Find and open the ics database, read-only, and run queries that return dicts.

Where the database is, in order:

1. ``$ICS_DB`` if set (and non-empty): that file and no other;
2. ``ics_cli/data/ics.sqlite`` next to this module: the copy inside an installed wheel;
3. ``<repo>/data/ics.sqlite``: a source checkout or an editable install.

The file is opened once per process with ``file:...?mode=ro``, so no command can change it.
``immutable=1`` is not used: it would also skip SQLite's locking and change detection, which is
unsafe while ``scripts/build_db.py`` rewrites a checkout's database, and it saved nothing
measurable (one ``stat`` and one shared lock per query).

A missing, empty or corrupt file raises :class:`~ics_cli.errors.IcsError` naming the path and
how to rebuild it. Queries return plain dicts; :func:`iter_query` yields them one at a time for
output that streams, and :func:`rows` gives tuples for tables read whole into memory.
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
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise IcsError(f"Database not found: {path}{origin}.", hint=REBUILD_HINT) from None
    except OSError as e:
        raise IcsError(f"Cannot read the database {path}{origin}: {e.strerror}.") from None
    if os.path.isdir(path):
        raise IcsError(f"The database path {path}{origin} is a directory, not a file.")
    if size == 0:
        raise IcsError(f"The database {path}{origin} is empty.", hint=REBUILD_HINT)
    from pathlib import Path

    uri = Path(path).as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone()
    except sqlite3.DatabaseError as e:
        raise IcsError(f"{path}{origin} is not a usable SQLite database ({e}).", hint=REBUILD_HINT) from None
    if row is None:
        conn.close()
        raise IcsError(f"The database {path}{origin} has no tables.", hint=REBUILD_HINT)
    conn.row_factory = _dict_factory
    return conn


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


def _query_error(e: sqlite3.Error) -> IcsError:
    return IcsError(
        f"The database {db_path()} cannot answer this query ({e}); it may be out of date.",
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
    """The ``meta(key, value)`` table as a dict ({} if the database has no such table)."""
    path = db_path()
    if path not in _metas:
        _metas[path] = {r["key"]: r["value"] for r in iter_query("SELECT key, value FROM meta")} if has_table("meta") else {}
    return dict(_metas[path])
