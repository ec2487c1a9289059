"""The installed ``ics`` console script, run as a user runs it: in a subprocess, from outside the
source tree, with a clean environment (NO_COLOR=1, no ICS_FORCE_TTY, no ICS_DB)."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import subprocess
import sys

import pytest
from conftest import ICS_BIN, clean_env, crash_text

pytestmark = pytest.mark.slow  # subprocesses: the installed command, as a user runs it

LATEST = "2026-08-01"


def shell(command: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    """Run a bash pipeline; `ics` is the installed script. Exits with the status of the first command."""
    script = f"set +e\nICS={shlex.quote(str(ICS_BIN))}\n{command}\nexit ${{PIPESTATUS[0]}}\n"
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=clean_env(env), cwd=cwd, timeout=120)


def test_show_json(ics, tmp_path):
    done = ics("show", "QHM", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    record = json.loads(done.stdout)
    assert record["code"] == "QHM"
    assert record["name"] == "NHS North East and North Cumbria Integrated Care Board"
    assert record["org_id"] == "icb:QHM"
    assert record["ons_code"] == "E54000050"


def test_default_output_is_tsv_when_piped(ics, tmp_path):
    done = ics("list", "regions", "--fields", "code,name", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "code\tname"
    assert "Y56\tLondon" in done.stdout.splitlines()
    assert "\x1b" not in done.stdout


def test_head_ends_quietly(tmp_path):
    done = shell('"$ICS" list practices | head -1', cwd=tmp_path)
    assert (
        done.stdout
        == "code\tons_code\tname\tshort_name\tkind\tstart\tend\tparent_code\tparent_name\tparent_kind\torg_id\tsource\tas_of\n"
    )
    assert done.stderr == ""
    assert done.returncode == 141


@pytest.mark.parametrize("args", ["--version", "-h", "show -h"])
def test_closed_pipe_while_printing_help_or_version_is_a_broken_pipe(tmp_path, args):
    done = shell(f'"$ICS" {args} | true', cwd=tmp_path)
    assert (done.returncode, done.stderr) == (141, "")


def test_closed_stdout_is_one_error_line(tmp_path):
    done = shell('"$ICS" info >&-', cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, "Error: Cannot write the output: standard output is closed.\n")


def test_head_on_json_ends_quietly(tmp_path):
    done = shell('"$ICS" list practices --format json | head -2', cwd=tmp_path)
    assert done.stdout.startswith("[\n  {")
    assert done.stderr == ""
    assert done.returncode == 141


def test_head_on_terminal_output_is_quiet(tmp_path):
    done = shell('ICS_FORCE_TTY=1 "$ICS" list pcns | head -1', cwd=tmp_path)
    assert done.stdout == "Primary care networks on 2026-08-01\n"
    assert done.stderr == ""
    assert crash_text(done.stdout, done.stderr) is None


def test_head_on_terminal_output_exits_141(tmp_path):
    done = shell('ICS_FORCE_TTY=1 "$ICS" list pcns | head -1', cwd=tmp_path)
    assert done.returncode == 141


def test_no_color_with_forced_terminal(ics, tmp_path):
    plain = ics("list", "regions", env={"ICS_FORCE_TTY": "1"}, cwd=tmp_path)
    assert plain.returncode == 0
    assert "NHS England regions on 2026-08-01" in plain.stdout
    assert "─" in plain.stdout  # a Rich table, not TSV
    assert "\x1b" not in plain.stdout
    coloured = ics("list", "regions", env={"ICS_FORCE_TTY": "1", "NO_COLOR": None}, cwd=tmp_path)
    assert "\x1b[" in coloured.stdout
    show = ics("show", "QHM", env={"ICS_FORCE_TTY": "100"}, cwd=tmp_path)
    assert show.stdout.splitlines()[0] == "NHS North East and North Cumbria Integrated Care Board (QHM)"
    assert any("ONS code" in line and "E54000050" in line for line in show.stdout.splitlines())
    assert "\x1b" not in show.stdout


def test_exit_codes(ics, tmp_path):
    missing = ics("show", "nrthumberland", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr.startswith("Error: No organisation matches 'nrthumberland'.")
    assert "Did you mean:" in missing.stderr
    usage = ics("list", "hospitals", cwd=tmp_path)
    assert usage.returncode == 2
    assert usage.stderr.startswith("Error: Unknown kind 'hospitals'.")
    option = ics("show", "QHM", "--nope", cwd=tmp_path)
    assert option.returncode == 2
    date = ics("show", "QHM", "--as-of", "2013-03-31", cwd=tmp_path)
    assert date.returncode == 2
    gone = ics("show", "QNQ", "--as-of", "2026-06-01", cwd=tmp_path)
    assert gone.returncode == 1
    assert "S0E4D" in gone.stderr
    for done in (missing, usage, option, date, gone):
        assert crash_text(done.stdout, done.stderr) is None


def test_missing_database(ics, tmp_path):
    done = ics("show", "QHM", env={"ICS_DB": str(tmp_path / "nope.sqlite")}, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: Database not found: {tmp_path / 'nope.sqlite'} (from ICS_DB).")
    assert crash_text(done.stdout, done.stderr) is None


def test_resolve_with_nothing_piped_on_a_terminal(tmp_path):
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [str(ICS_BIN), "resolve"], stdin=follower, capture_output=True, text=True, env=clean_env(), cwd=tmp_path, timeout=60
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert "nothing was piped in" in done.stderr
    assert done.stdout == ""


@pytest.fixture(scope="module")
def practice_codes(conn):
    # Open practices that sit in a sub-ICB location on the day (see test_data for one that does not).
    rows = conn.execute(
        """SELECT o.code FROM orgs o WHERE o.kind = 'practice' AND COALESCE(o.start, '') <= :d AND o."end" IS NULL
           AND EXISTS (SELECT 1 FROM memberships m JOIN orgs p ON p.org_id = m.parent_id
                       WHERE m.child_id = o.org_id AND m.relation = 'part_of' AND p.kind = 'sub_icb'
                       AND m.start <= :d AND COALESCE(m."end", '9999-12-31') >= :d)
           ORDER BY o.org_id""",
        {"d": LATEST},
    ).fetchall()
    return [r["code"] for r in rows]


@pytest.fixture(scope="module")
def ccg_codes_2013(conn):
    rows = conn.execute("""SELECT code FROM orgs WHERE kind = 'ccg' AND start = '2013-04-01' ORDER BY org_id""").fetchall()
    return [r["code"] for r in rows]


def test_resolve_10000_lines_in_order(tmp_path, practice_codes, ccg_codes_2013):
    assert len(practice_codes) > 5000 and len(ccg_codes_2013) == 211
    lines, expected = [], []
    for i in range(10_000):
        slot = i % 6
        if slot == 0:
            lines.append(practice_codes[(i * 7) % len(practice_codes)])
            expected.append("ok")
        elif slot == 1:
            lines.append(f"no such code {i}")
            expected.append("not_found")
        elif slot == 2:
            lines.append("")
            expected.append("empty")
        elif slot == 3:
            code = ccg_codes_2013[i % len(ccg_codes_2013)]
            lines.append(code)
            # Merged into Frimley (D4U1Y, 2018-2021), which was split three ways in 2026: which
            # part of Frimley each had been is not recorded, so their ICB is ambiguous.
            expected.append("ambiguous" if code in ("10C", "10G", "10T", "11C", "99M") else "ok")
        elif slot == 4:
            lines.append(" qop " if i % 4 else "Greater Manchester")
            expected.append("ok")
        else:
            lines.append("Village Surgery")
            expected.append("ambiguous")
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [str(ICS_BIN), "resolve", "--to", "icb", "--format", "csv"],
        stdin=source.open("rb"),
        capture_output=True,
        env=clean_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))))
    assert len(rows) == 10_000
    assert [r["input"] for r in rows] == lines
    assert [r["status"] for r in rows] == expected
    for line, row in zip(lines, rows):
        if row["status"] == "ok":
            assert row["icb_code"] and row["icb_name"], (line, row)
        else:
            assert row["icb_code"] == "", (line, row)
    assert {r["icb_code"] for r in rows if r["input"] in (" qop ", "Greater Manchester")} == {"QOP"}
    summary = done.stderr.decode("utf-8")
    assert summary.startswith("Resolved ")
    assert "of 10,000 input rows" in summary
    assert summary.rstrip().endswith(f"as of {LATEST}.")


def test_resolve_a_pipeline_of_codes(tmp_path):
    done = shell(
        "printf '02Q\\nA81001\\n00F\\nE54000034\\nnot a code\\n' | \"$ICS\" resolve --to icb --fields input,status,icb_code",
        cwd=tmp_path,
    )
    # The first command of this pipeline is printf; the status to check is of the whole pipeline's output.
    assert done.stdout == (
        "input\tstatus\ticb_code\n02Q\tok\tQT1\nA81001\tok\tQHM\n00F\tok\tQHM\nE54000034\tok\tS0E4D\nnot a code\tnot_found\t\n"
    )
    assert done.stderr == f"Resolved 4 of 5 input rows (1 not found) as of {LATEST}.\n"


def test_python_m_ics_cli(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ics_cli", "show", "QOP", "--format", "json", "--fields", "code,name"],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"code": "QOP", "name": "NHS Greater Manchester Integrated Care Board"}
    version = subprocess.run(
        [sys.executable, "-m", "ics_cli", "--version"], capture_output=True, text=True, env=clean_env(), cwd=tmp_path, timeout=60
    )
    assert version.returncode == 0
    assert version.stdout.startswith("ics ")


def test_shell_completion(tmp_path):
    env = {"_ICS_COMPLETE": "complete_bash", "COMP_WORDS": "ics show Greater", "COMP_CWORD": "2"}
    done = subprocess.run([str(ICS_BIN)], capture_output=True, text=True, env=clean_env(env), cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    offered = done.stdout.splitlines()
    assert "Greater Manchester" in offered
    assert all(o.startswith("Greater") for o in offered)
