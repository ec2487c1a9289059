"""Provenance: every source row has a public https url and a publisher a user can follow, and no
`file` that exists only outside the repository (the build refuses one: dbbuild/validate.py,
check_provenance); the rows of the April 2026 changes cite the 2026 files."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest

import build_db
from dbbuild import validate

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"


@pytest.fixture(scope="module")
def tables():
    return build_db.read_sources(SOURCES)


def source_rows() -> list[dict]:
    with open(SOURCES / "sources.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the committed sources ---------------------------------------------------------------------


def test_every_source_row_has_an_https_url_and_a_publisher():
    rows = source_rows()
    assert len(rows) > 50
    assert [r["source"] for r in rows if not r["url"].startswith("https://")] == []
    assert [r["source"] for r in rows if not r["publisher"].strip()] == []
    assert validate.check_provenance({"sources": rows}) == []


def test_no_source_file_points_outside_the_repository():
    for row in source_rows():
        for part in filter(None, (p.strip() for p in row["file"].split(";"))):
            assert not part.startswith(("/", "..", "shared/")), row["source"]
            # A path is in this repository; a bare name is the file as published at the url.
            assert "/" not in part or (ROOT / part).is_file(), (row["source"], part)


def test_raw_files_are_cited_at_a_fixed_commit():
    """A raw file copied from GitHub is cited by a blob or folder address at a 40-hex commit."""
    for row in source_rows():
        url = row["url"]
        if url.startswith("https://github.com/") and not row["source"].startswith(("curated_", "derived_")):
            parts = url.split("/")
            assert parts[5] in ("blob", "tree") and len(parts[6]) == 40, (row["source"], url)


def test_derived_sources_cite_the_script_that_applies_the_rule():
    for row in source_rows():
        if row["source"].startswith("derived_"):
            scripts = [p.strip() for p in row["file"].split(";") if p.strip()]
            assert scripts and all(p.startswith("scripts/") and (ROOT / p).is_file() for p in scripts), row["source"]


def test_derived_lsoa_census_names_the_modules_that_hold_its_rules():
    [row] = [r for r in source_rows() if r["source"] == "derived_lsoa_census"]
    for module in ("lsoa.py", "small_areas.py", "area_populations.py", "area_links.py"):
        assert f"scripts/importers/{module}" in row["file"]
        assert module in row["note"]
    assert "geography.py" not in row["note"] + row["file"]


def test_the_database_sources_table_is_the_committed_one(conn):
    committed = {r["source"]: (r["url"], r["publisher"], r["file"]) for r in source_rows()}
    stored = {r["source"]: (r["url"], r["publisher"], r["file"]) for r in conn.execute("SELECT * FROM sources")}
    assert {k: v for k, v in stored.items() if k != "derived_events"} == committed


def test_every_source_row_in_the_database_has_an_https_url_and_a_publisher(conn):
    # The build's own derived_events row too: a user can follow every source the tool names.
    rows = list(conn.execute("SELECT source, url, publisher FROM sources"))
    assert len(rows) > 50
    assert [r["source"] for r in rows if not (r["url"] or "").startswith("https://") or not r["publisher"]] == []


# --- the build refuses a source a user cannot follow -------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("url", "", "url '' is not an https address"),
        ("url", "http://example.org/x.csv", "is not an https address"),
        ("url", "scripts/importers/organisations.py", "is not an https address"),
        ("url", "https://example.org/a file.csv", "is not an https address"),
        ("publisher", " ", "no publisher"),
        ("file", "/work/shared/sources/history/x.csv", "is an absolute path"),
        ("file", "C:\\data\\x.csv", "is an absolute path"),
        ("file", "../shared/sources/history/x.csv", "points outside the repository"),
        ("file", "data/../../x.csv", "points outside the repository"),
        ("file", "shared/sources/history/MANIFEST.md (section 2.5)", "names the raw files folder"),
        ("file", "history/ods_eccg_2016-02.csv", "does not exist in the repository"),
        ("file", "eccg.csv; geography/nhsd-exeter_pcodey*_district_to_sicbl_*.csv", "does not exist in the repository"),
        ("file", "scripts/importers/geography_rules.py", "does not exist in the repository"),
    ],
)
def test_a_source_without_a_followable_url_publisher_or_file_is_refused(field, value, problem):
    rows = copy.deepcopy(source_rows())
    next(r for r in rows if r["source"] == "ons_ccg13")[field] = value
    problems = validate.check_provenance({"sources": rows})
    assert len(problems) == 1, problems
    assert problems[0].startswith("source ons_ccg13: ") and problem in problems[0]
    assert ("provenance", validate.check_provenance) in validate.all_checks("2026-08-01")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "eccg.csv",
        "CCG names and codes UK as at 04_18.csv",
        "data/curated/successions.csv",
        "scripts/importers/area_teams.py; eccg.csv",
    ],
)
def test_a_published_name_or_a_path_in_the_repository_is_accepted(value):
    assert (
        validate.check_provenance({"sources": [{"source": "x", "url": "https://x.org/", "publisher": "P", "file": value}]}) == []
    )


@pytest.mark.slow  # builds the whole database (seconds)
def test_build_refuses_a_source_row_without_a_url(tmp_path, tables, capsys):
    t = copy.deepcopy(tables)
    next(r for r in t["sources"] if r["source"] == "ons_ccg13")["url"] = ""
    folder = tmp_path / "sources"
    folder.mkdir()
    for name, rows in t.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    out = tmp_path / "ics.sqlite"
    assert build_db.main(["--sources", str(folder), "--out", str(out)]) == 1
    assert not out.exists()
    assert "[provenance] source ons_ccg13: url '' is not an https address" in capsys.readouterr().err


# --- the April 2026 changes cite the 2026 files ------------------------------------------------

SOURCES_2026 = {"derived_icb_2026", "nhse_gp_reg_map_2026_08", "ods_etr_2026_07"}
BEFORE_2026 = {
    "ons_sicbl22_icb22_nhser22",
    "ons_sicbl23_icb23_nhser23",
    "ons_lsoa11_sicbl22",
    "derived_lsoa_census",
    "ods_etr_2025",
}


def test_the_icb_successions_of_april_2026_cite_the_2026_files(conn):
    rows = conn.execute(
        """SELECT s.predecessor_id, s.source FROM successions s JOIN orgs o ON o.org_id = s.predecessor_id
           WHERE s.date = '2026-04-01' AND o.kind IN ('icb', 'sub_icb')"""
    ).fetchall()
    assert len(rows) == 19  # 16 ICB steps (ODS) and Frimley's D4U1Y split three ways
    assert {r["source"] for r in rows} == {"derived_icb_2026"}
    url = conn.execute("SELECT url FROM sources WHERE source = 'derived_icb_2026'").fetchone()[0]
    assert url.endswith("gp-reg-pat-prac-map.zip")  # NHS England's August 2026 GP registration mapping


def test_organisations_abolished_in_april_2026_cite_the_2026_files(conn):
    rows = conn.execute(
        "SELECT org_id, kind, source FROM orgs WHERE \"end\" = '2026-03-31' AND kind IN ('icb', 'sub_icb')"
    ).fetchall()
    assert len(rows) == 13  # 12 ICBs and Frimley's sub-ICB location D4U1Y
    assert {r["source"] for r in rows} == {"nhse_gp_reg_map_2026_08"}
    trusts = conn.execute("SELECT org_id, source FROM orgs WHERE kind = 'trust' AND \"end\" >= '2026-01-01'").fetchall()
    assert trusts and {r["source"] for r in trusts} == {"ods_etr_2026_07"}


def test_no_row_that_starts_with_the_2026_changes_cites_an_earlier_file(conn):
    for table in ("orgs", "codes", "names", "attributes", "memberships", "postcode_districts"):
        cited = {r[0] for r in conn.execute(f"SELECT DISTINCT source FROM {table} WHERE start = '2026-04-01'")}
        assert cited and not cited & BEFORE_2026, (table, cited & BEFORE_2026)
    overlaps = {
        r[0] for r in conn.execute("SELECT DISTINCT source FROM memberships WHERE relation = 'overlaps' AND start = '2026-04-01'")
    }
    assert overlaps == {"derived_icb_2026"}
    parents = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT m.source FROM memberships m JOIN orgs o ON o.org_id = m.child_id "
            "WHERE m.start = '2026-04-01' AND o.kind IN ('icb', 'sub_icb') AND m.relation = 'part_of'"
        )
    }
    assert parents <= SOURCES_2026
