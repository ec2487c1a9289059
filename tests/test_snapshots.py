"""The exact bytes each command prints, on a terminal and piped, in the style of gh's command tests.

Every case runs twice through CliRunner (in-process, against the real database): as a 100-column
terminal without colour (``ICS_FORCE_TTY=100``, ``NO_COLOR=1``) and piped (no terminal
settings). Its stdout and stderr must equal, byte for byte, the files

    tests/snapshots/<case>.<tty|piped>.stdout
    tests/snapshots/<case>.<tty|piped>.stderr   (empty when nothing goes to stderr)

and its exit code the one in ``CASES``. When output changes on purpose (new data, new wording),
regenerate the files and review the difference before committing it:

    ICS_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
    git diff tests/snapshots/
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("ICS_UPDATE_SNAPSHOTS", "") not in ("", "0")
MODES = {"tty": {"ICS_FORCE_TTY": "100", "NO_COLOR": "1"}, "piped": {}}

# name: (arguments, standard input, exit code)
CASES: dict[str, tuple[tuple[str, ...], str | None, int]] = {
    "list-icbs-2023": (("list", "icbs", "--as-of", "2023-01-01"), None, 0),
    "list-sub-icbs-in-qt1": (("list", "sub-icbs", "--in", "QT1"), None, 0),
    "list-empty-kind": (("list", "ccgs"), None, 0),
    "list-empty-with-reason": (("list", "trusts", "--in", "Y56", "--as-of", "2018-01-01"), None, 0),
    "show-icb": (("show", "Greater Manchester"), None, 0),
    "show-ended": (("show", "QNQ"), None, 0),
    "show-trust": (("show", "RA2"), None, 0),
    "show-postcode-district": (("show", "DN22"), None, 0),
    "show-not-on-that-day": (("show", "QNQ", "--as-of", "2026-06-01"), None, 1),
    "show-not-found": (("show", "nrthumberland"), None, 1),
    "show-ambiguous": (("show", "GU15", "--as-of", "2025-01-01"), None, 1),
    "lineage-icb": (("lineage", "QNQ"), None, 0),
    "lineage-down": (("lineage", "00F", "--down"), None, 0),
    "timeline-national": (("timeline", "--from", "2026-01-01"), None, 0),
    "timeline-org": (("timeline", "QNQ", "--kind", "split,abolished"), None, 0),
    "search-partial": (("search", "west herts", "--limit", "4"), None, 0),
    "search-postcode": (("search", "DN22 7XF"), None, 0),
    "search-nothing": (("search", "nhs"), None, 0),
    "resolve-to-icb": (
        ("resolve", "--to", "icb"),
        "02Q\nA81001\n00F\nE54000034\nstp:QNQ\nDN22\nVillage Surgery\nnot a code\n\n",
        0,
    ),
    "resolve-sicbl-2019": (("resolve", "--to", "sicbl", "--as-of", "2019-06-01"), "00L\nA81001\nQOP\n", 0),
    "population-totals": (("population", "Norfolk and Suffolk"), None, 0),
    "population-by-sex": (("population", "QOP", "--by", "sex", "--measure", "ons_mid_year_estimate"), None, 0),
    "info": (("info",), None, 0),
    "diff-in": (("diff", "2026-03-31", "2026-04-01", "--in", "QNQ", "--kind", "sub-icbs"), None, 0),
    "map": (("map", "QOP", "--no-neighbours"), None, 0),
}


def snapshot_files() -> set[str]:
    return {f"{case}.{mode}.{stream}" for case in CASES for mode in MODES for stream in ("stdout", "stderr")}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("case", list(CASES))
def test_snapshot(cli, case, mode):
    args, stdin, code = CASES[case]
    result = cli(*args, input=stdin, env=MODES[mode])
    for stream, actual in (("stdout", result.stdout), ("stderr", result.stderr)):
        path = SNAPSHOTS / f"{case}.{mode}.{stream}"
        if UPDATE:
            SNAPSHOTS.mkdir(exist_ok=True)
            path.write_bytes(actual.encode("utf-8"))
            continue
        assert path.exists(), f"no snapshot {path.name}: ICS_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py"
        expected = path.read_bytes().decode("utf-8")
        assert actual == expected, f"ics {' '.join(args)} ({mode} {stream}) differs from {path.name}; if on purpose, regenerate"
    assert result.exit_code == code, result


def test_no_stale_snapshots():
    present = {p.name for p in SNAPSHOTS.iterdir()} if SNAPSHOTS.exists() else set()
    stale = present - snapshot_files()
    if UPDATE:
        for name in stale:
            (SNAPSHOTS / name).unlink()
        return
    assert stale == set(), "snapshots of cases that no longer exist: delete them (ICS_UPDATE_SNAPSHOTS=1 does)"
