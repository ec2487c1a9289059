"""`ics map`: the terminal map, SVG and GeoJSON against the real database, and the boundaries
the build stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from ics_cli.maps import shapes

TTY80 = {"ICS_FORCE_TTY": "80", "NO_COLOR": "1"}
SVG = "{http://www.w3.org/2000/svg}"
DAY = "2026-08-01"


def members(cli, ident: str, day: str) -> dict[str, str]:
    r = cli("list", "sub-icbs", "--in", ident, "--as-of", day, "-f", "json")
    return {x["org_id"]: x["name"] for x in json.loads(r.stdout)}


def test_terminal_map_of_greater_manchester_in_80_columns(cli):
    r = cli("map", "QOP", env=TTY80)
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    assert lines[0] == f"NHS Greater Manchester Integrated Care Board (QOP) on {DAY}"
    assert max(len(line) for line in lines) <= 80
    legend = lines[lines.index("Inside it:") + 1 : lines.index("Around it:")]
    places = ["Bolton", "Bury", "Oldham", "Heywood, Middleton and Rochdale", "Salford", "Stockport", "Tameside", "Trafford"]
    places += ["Wigan Borough", "Manchester"]
    assert [line.split("  ")[2].rsplit(" (", 1)[0] for line in legend] == places
    codes = {line.rsplit("(", 1)[1].rstrip(")") for line in legend}
    assert {f"sub_icb:{c}" for c in codes} == set(members(cli, "QOP", DAY))
    body = "\n".join(lines[1 : lines.index("Inside it:")])
    assert all(letter in body for letter in "ABCDEFGHIJ")  # every sub-ICB location is labelled on the map
    assert any("\u2800" < ch <= "\u28ff" for ch in body)  # braille borders without colour
    assert "Boundaries: July 2022" in r.stdout


def test_terminal_map_in_colour_uses_half_blocks(cli):
    r = cli("map", "QOP", env={"ICS_FORCE_TTY": "80", "CLICOLOR_FORCE": "1"})
    assert r.exit_code == 0
    assert "\x1b[" in r.stdout and ("▀" in r.stdout or "▄" in r.stdout) and "█" in r.stdout


def test_piped_map_is_plain_text(cli):
    r = cli("map", "QOP")
    assert r.exit_code == 0 and "\x1b[" not in r.stdout and r.stdout.startswith("NHS Greater Manchester")


def _check_rfc7946_geometry(geometry: dict) -> None:
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        for k, ring in enumerate(polygon):
            assert len(ring) >= 4 and ring[0] == ring[-1]  # closed linear rings
            for lon, lat in ring:  # WGS84 longitude, latitude: England
                assert -6.5 < lon < 2 and 49.8 < lat < 55.9
            # The right-hand rule: exteriors anticlockwise, holes clockwise.
            assert (shapes.signed_area([tuple(p) for p in ring]) > 0) == (k == 0)


@pytest.mark.parametrize("day", ["2023-01-01", DAY])
def test_geojson_is_rfc7946_and_matches_the_sub_icb_locations(cli, day):
    r = cli("map", "QOP", "--as-of", day, "-f", "geojson")
    assert r.exit_code == 0, r
    data = json.loads(r.stdout)
    assert data["type"] == "FeatureCollection" and "crs" not in data  # RFC 7946: WGS84 only, no crs member
    features = data["features"]
    for f in features:
        assert f["type"] == "Feature" and set(f) == {"type", "id", "bbox", "geometry", "properties"}
        _check_rfc7946_geometry(f["geometry"])
        assert f["properties"]["as_of"] == day
    inside = {f["properties"]["org_id"]: f["properties"] for f in features if f["properties"]["role"] == "member"}
    expected = members(cli, "QOP", day)
    assert len(inside) == len(expected) == 10
    assert {k: v["name"] for k, v in inside.items()} == expected
    assert all(
        p["kind"] == "sub_icb" and p["edition"] == "July 2022" and p["source"] == "ons_sicbl22_buc" for p in inside.values()
    )
    (subject,) = [f for f in features if f["properties"]["role"] == "subject"]
    assert subject["id"] == "icb:QOP"
    lo = [min(f["bbox"][i] for f in features) for i in (0, 1)]
    hi = [max(f["bbox"][i] for f in features) for i in (2, 3)]
    assert data["bbox"] == lo + hi
    # Without neighbours: the ICB and its ten sub-ICB locations.
    r = cli("map", "QOP", "--as-of", day, "-f", "geojson", "--no-neighbours")
    assert len(json.loads(r.stdout)["features"]) == 11


def test_geojson_shapes_are_valid_and_icbs_are_their_sub_icb_locations(cli):
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    for ident in ("QOP", "S9B9J", "S0E4D", "QRL"):
        data = json.loads(cli("map", ident, "-f", "geojson", "--no-neighbours").stdout)
        geoms = {f["properties"]["role"] + ":" + f["id"]: shape(f["geometry"]) for f in data["features"]}
        assert all(g.is_valid for g in geoms.values()), ident
        icb = next(g for k, g in geoms.items() if k.startswith("subject:"))
        union = shapely.union_all([g for k, g in geoms.items() if k.startswith("member:")])
        assert abs(union.area - icb.area) / icb.area < 0.002, ident
        assert shapely.symmetric_difference(union, icb).area / icb.area < 0.002, ident


def test_frimley_cut_in_april_2026(cli):
    """D4U1Y's three pieces: in Thames Valley (U2G6B), Hampshire (D9Y0V) and Surrey (92A)."""
    pytest.importorskip("shapely")
    from shapely.geometry import shape

    def area(ident: str, day: str):
        data = json.loads(cli("map", ident, "--as-of", day, "-f", "geojson", "--no-neighbours").stdout)
        return shape(data["features"][0]["geometry"])

    frimley = area("sub_icb:D4U1Y", "2026-03-31")
    gained = {c: area(f"sub_icb:{c}", "2026-04-01").difference(area(f"sub_icb:{c}", "2026-03-31")) for c in ("D9Y0V", "92A")}
    pieces = [area("sub_icb:U2G6B", "2026-04-01"), *gained.values()]
    assert abs(sum(p.area for p in pieces) - frimley.area) / frimley.area < 0.01
    assert all(p.area > 0.02 * frimley.area for p in pieces)
    # Slough is in U2G6B, Farnborough (Rushmoor) in D9Y0V, Camberley (Surrey Heath) in 92A.
    from shapely.geometry import Point

    assert pieces[0].contains(Point(-0.595, 51.51))
    assert gained["D9Y0V"].buffer(0.001).contains(Point(-0.755, 51.29))
    assert gained["92A"].buffer(0.001).contains(Point(-0.745, 51.34))


def test_svg_has_one_path_per_area(cli, tmp_path):
    out = tmp_path / "qop.svg"
    r = cli("map", "QOP", "-f", "svg", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == "" and f"Wrote {out}" in r.stderr
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    paths = root.findall(f".//{SVG}path")
    data = json.loads(cli("map", "QOP", "-f", "geojson").stdout)
    assert [p.get("id") for p in paths if p.get("class") != "neighbour"][-1] == "icb:QOP"  # the outline, drawn last
    assert sorted(p.get("id") for p in paths) == sorted(f["id"] for f in data["features"])
    assert all(p.find(f"{SVG}title") is not None and p.get("d").startswith("M") for p in paths)
    assert "Contains OS data" in out.read_text(encoding="utf-8")
    # Deterministic: the same map, the same bytes.
    assert cli("map", "QOP", "-f", "svg").stdout == out.read_text(encoding="utf-8")


def test_the_readme_svg_is_current(cli):
    committed = (ROOT / "docs" / "map-QOP.svg").read_text(encoding="utf-8")
    assert cli("map", "QOP", "--as-of", "2026-04-01", "-f", "svg").stdout == committed, (
        "docs/map-QOP.svg is stale: ics map QOP --as-of 2026-04-01 -f svg -o docs/map-QOP.svg"
    )


def test_nearest_edition_is_said(cli):
    r = cli("map", "00K", "--as-of", "2019-01-01", env=TTY80)
    assert r.exit_code == 0
    assert "no boundary of NHS Hartlepool and Stockton-on-Tees CCG (00K) is held" in r.stderr
    assert r.stdout.startswith("NHS Tees Valley CCG (16C) on 2020-04-01")
    r = cli("map", "QOP", "--as-of", "2017-06-01", "-f", "geojson")
    data = json.loads(r.stdout)
    assert data["ics"]["boundary_as_of"] == "2020-04-01" and data["ics"]["as_of"] == "2017-06-01" and data["ics"]["notes"]
    assert "no boundary of" in r.stderr


def test_the_title_names_the_area_as_on_the_day(cli, tmp_path):
    # 92A was "NHS Surrey Heartlands ICB - 92A" until 2026-03-31; the STP QNQ was "Frimley Health"
    # until 2020-03-31.
    r = cli("map", "92A", "--as-of", "2025-01-01", env=TTY80)
    assert r.stdout.startswith("NHS Surrey Heartlands ICB - 92A (92A) on 2025-01-01\n")
    out = tmp_path / "92A.svg"
    assert cli("map", "92A", "--as-of", "2025-01-01", "-f", "svg", "-o", str(out)).exit_code == 0
    assert "<title>NHS Surrey Heartlands ICB - 92A (92A) on 2025-01-01</title>" in out.read_text()
    r = cli("map", "stp:QNQ", "--as-of", "2019-01-01", env=TTY80)
    assert "no boundary of Frimley Health (QNQ) is held for 2019-01-01" in r.stderr
    assert r.stdout.startswith("Frimley Health and Care ICS (QNQ) on 2020-04-01\n")


def test_the_attribution_names_the_year_of_the_boundaries_drawn(cli):
    # OS's database right is of the ONS file drawn: April 2020 CCGs say 2020, not 2022.
    r = cli("map", "00T", "--as-of", "2020-06-01", env=TTY80)
    assert "Crown copyright and database right 2020." in " ".join(r.stdout.split())
    data = json.loads(cli("map", "00T", "--as-of", "2021-06-01", "-f", "geojson").stdout)
    assert "database right 2021." in json.dumps(data)
    # The April 2026 sub-ICB locations are cut from the 2022 files.
    r = cli("map", "S0E4D", env=TTY80)
    assert "database right 2022." in " ".join(r.stdout.split())


def test_bodies_without_an_area_are_shown_by_theirs(cli):
    r = cli("map", "A81001", env=TTY80)
    assert r.exit_code == 0 and "shown by the sub-ICB it is in" in r.stderr
    r = cli("map", "RTD", "-f", "geojson", "--no-neighbours")
    data = json.loads(r.stdout)
    assert data["ics"]["subject"] == "trust:RTD" and data["ics"]["shown"] == "icb:QHM"


def test_district_map(cli):
    r = cli("map", "la:E08000025", "-f", "geojson")
    data = json.loads(r.stdout)
    subject = data["features"][0]["properties"]
    assert subject["name"] == "Birmingham" and subject["edition"] == "December 2022"
    assert {"Solihull", "Sandwell"} <= {f["properties"]["name"] for f in data["features"]}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("QOP", "-f", "png"), 2, "Unknown map format"),
        (("QOP", "--as-of", "2013-13-01"), 2, "not a real day"),
        (("QOP", "--as-of", "2014-01-01", "-f", "svg"), 1, "did not exist on 2014-01-01"),
        (("la:805",), 1, "not counties"),
        (("zzzqqqx",), 1, "No organisation matches"),
        (("QOP", "-f", "svg", "-o", "/nonexistent/dir/x.svg"), 1, "Cannot write"),
    ],
)
def test_bad_input(cli, args, code, message):
    r = cli("map", *args)
    assert r.exit_code == code, r
    assert message in r.stderr


def test_boundaries_cover_every_area(conn):
    """Every sub-ICB location and ICB has a boundary on every day from July 2022, every CCG and
    STP from April 2020, every district from April 2021 (the build checks the first two too)."""
    for kind, first in (("sub_icb", "2022-07-01"), ("icb", "2022-07-01"), ("ccg", "2020-04-01"), ("stp", "2020-04-01")):
        for day in (first, "2021-06-01", "2024-01-01", "2026-03-31", "2026-04-01", DAY):
            missing = conn.execute(
                """SELECT o.org_id FROM orgs o WHERE o.kind = ? AND COALESCE(o.start, '') <= ? AND COALESCE(o.end, '9999') >= ?
                   AND NOT EXISTS (SELECT 1 FROM boundaries b WHERE b.org_id = o.org_id
                                   AND b.start <= ? AND COALESCE(b.end, '9999') >= ?)""",
                (kind, day, day, day, day),
            ).fetchall()
            assert day < first or not missing, (kind, day, [m[0] for m in missing][:5])
    n = conn.execute(
        """SELECT count(*) FROM orgs o WHERE o.org_id GLOB 'la:E0[6789]*' AND COALESCE(o.end, '9999') >= '2021-04-01'
           AND NOT EXISTS (SELECT 1 FROM boundaries b WHERE b.org_id = o.org_id)"""
    ).fetchone()[0]
    assert n == 0


def test_map_and_diff_are_not_imported_by_other_commands():
    code = "import ics_cli.cli\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout.split())
    assert not {m for m in loaded if m.startswith(("ics_cli.maps", "ics_cli.diff", "ics_cli.snapshots", "shapely", "pyproj"))}
