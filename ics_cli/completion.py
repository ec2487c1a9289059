"""Shell completion for organisation names and codes (Typer calls this on every TAB, so: one
indexed query, nothing heavy imported)."""

from __future__ import annotations


def complete(incomplete: str, limit: int = 40) -> list[tuple[str, str]]:
    from ics_cli import db
    from ics_cli.errors import IcsError

    text = (incomplete or "").strip()
    if not text:
        return []
    try:
        rows = db.query(
            """SELECT code, name, kind FROM orgs WHERE code LIKE :p ESCAPE '\\'
               UNION ALL
               SELECT name, code, kind FROM orgs WHERE name LIKE :p ESCAPE '\\' OR short_name LIKE :p ESCAPE '\\'
               LIMIT :n""",
            {"p": text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", "n": limit},
        )
    except IcsError:
        return []
    return [(r["code"], f"{r['name']} ({r['kind']})") for r in rows]
