"""Faults around the installed ``ics`` command (issue 16), each reproduced as a user meets it:
Ctrl-C at any moment, closed or full standard streams, a reader that goes away, an output
encoding without é, a database that is not ics's or is in WAL mode.

Each case asserts the documented exit code (ics_cli/errors.py, the README, ``ics --help``) and
the one line on stderr (none when stderr is closed). Subprocesses: slow tier.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import ICS_BIN, clean_env

pytestmark = pytest.mark.slow

FORMATS = ("table", "json", "jsonl", "csv", "tsv", "md")
NO_SPACE = "Error: Cannot write the output: No space left on device.\n"
CLOSED_STDOUT = "Error: Cannot write the output: standard output is closed.\n"
CLOSED_STDIN = "Error: ics resolve reads identifiers from standard input or FILE; standard input is closed.\n"
LINUX = sys.platform.startswith("linux")


def run(args, *, env=None, close=(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, cwd=None, timeout=120, **kw):
    """The installed ics with `args`; the descriptors in `close` closed in the child (`<&-`, `>&-`, `2>&-`)."""

    def closing():
        for fd in close:
            os.close(fd)

    return subprocess.run(
        [str(ICS_BIN), *args],
        stdin=None if 0 in close else stdin,
        stdout=None if 1 in close else stdout,
        stderr=None if 2 in close else subprocess.PIPE,
        env=clean_env(env),
        cwd=cwd,
        timeout=timeout,
        preexec_fn=closing if close else None,
        **kw,
    )


def shell(command: str, env=None, cwd=None) -> subprocess.CompletedProcess:
    """A bash pipeline (`$ICS` is the installed command), exiting with its first command's status."""
    script = f"set +e\nICS={shlex.quote(str(ICS_BIN))}\n{command}\nexit ${{PIPESTATUS[0]}}\n"
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=clean_env(env), cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """200,000 identifiers (practice codes, some unknown): `ics resolve` takes a few seconds."""
    path = tmp_path_factory.mktemp("faults") / "ids.txt"
    path.write_text("".join(f"A8{n % 2000:04d}\n" for n in range(200_000)), encoding="utf-8")
    return path


# --- Ctrl-C ----------------------------------------------------------------------------------------


def startup_only(stderr: str) -> bool:
    """Whether a traceback lies wholly in Python's own start-up (the interpreter, site, the
    console script's `import re`), before the first line of ics_cli ran: out of the program's reach."""
    frames = [line.strip() for line in stderr.splitlines() if line.strip().startswith("File ")]
    ours = ("/ics_cli/", "/typer/", "/click/", "/rich/", "sqlite3")
    return all(not any(o in f for o in ours) or "/ics_cli/__init__.py" in f for f in frames)


def default_sigint() -> None:
    """In the child before exec: SIGINT as a terminal's foreground job has it, even when these tests
    run as a background job (which starts with SIGINT ignored, and ics, rightly, keeps it so)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(args, delay: float, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("preexec_fn", default_sigint)
    proc = subprocess.Popen([str(ICS_BIN), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(), **kw)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err.decode("utf-8", "replace"))


def test_ctrl_c_at_20ms_is_quiet():
    # Once: a KeyboardInterrupt traceback in about half the runs interrupted in the first 80 ms.
    startup = 0
    for _ in range(8):
        done = interrupt(["list", "icbs"], 0.020)
        if done.stderr:
            assert startup_only(done.stderr), done.stderr
            startup += 1
        else:
            assert done.returncode == -signal.SIGINT, done  # killed by SIGINT: a shell says 130
    print(f"{startup} of 8 interrupted in Python's own start-up, before ics_cli ran")


@pytest.mark.parametrize("delay", [0.04, 0.07, 0.1, 0.15, 0.25, 0.4, 0.7, 1.0])
def test_ctrl_c_at_any_moment_is_quiet(big_input, delay):
    # start-up, imports, loading the resolver's tables, resolving, writing
    done = interrupt(["resolve", "--to", "icb", str(big_input)], delay)
    assert done.returncode == -signal.SIGINT, done
    assert done.stderr == "" or startup_only(done.stderr) and delay < 0.1, done.stderr


def test_ctrl_c_is_130_to_a_shell(big_input):
    if not LINUX:
        pytest.skip("finds the child through /proc")
    script = f'{shlex.quote(str(ICS_BIN))} resolve {shlex.quote(str(big_input))} > /dev/null; echo "status $?"'
    proc = subprocess.Popen(
        ["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(), preexec_fn=default_sigint
    )
    children = f"/proc/{proc.pid}/task/{proc.pid}/children"
    deadline = time.monotonic() + 30
    kids: list[str] = []
    while not kids and time.monotonic() < deadline:
        time.sleep(0.02)
        with open(children) as fh:
            kids = fh.read().split()
    time.sleep(0.3)  # resolving by now
    os.kill(int(kids[0]), signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert out == b"status 130\n" and err == b""


def test_ctrl_c_ignored_by_the_parent_stays_ignored():
    # A script's background job starts with SIGINT ignored; so does ics, as Python would.
    done = interrupt(["list", "icbs", "-f", "json"], 0.3, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert done.returncode == 0 and json.loads(done.stdout)


# --- standard streams --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_stdout(fmt, tmp_path):
    # Once: "internal error (OSError: [Errno 28] No space left on device) ... This is a bug", exit 1.
    for env in ({}, {"ICS_FORCE_TTY": "1"}):
        with open("/dev/full", "w") as full:
            done = run(["list", "icbs", "-f", fmt], stdout=full, env=env, cwd=tmp_path)
        assert (done.returncode, done.stderr.decode()) == (1, NO_SPACE), (fmt, env)


@pytest.mark.parametrize("args", [["show", "QOP"], ["resolve", "--to", "icb"], ["--help"], ["--version"], ["info"]])
def test_full_stdout_every_command(args, tmp_path):
    with open("/dev/full", "w") as full:
        done = run(args, stdout=full, stdin=None, input=b"QOP\n", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.decode().endswith(NO_SPACE), (args, done.stderr)


def test_closed_stdout(tmp_path):
    done = run(["list", "icbs"], close=(1,), cwd=tmp_path)
    assert (done.returncode, done.stderr.decode()) == (1, CLOSED_STDOUT)
    # a command that writes nothing to stdout does not need it
    done = run(["map", "QOP", "-f", "svg", "-o", str(tmp_path / "qop.svg")], close=(1,), cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "qop.svg").stat().st_size > 1000, done.stderr


def test_closed_stdin(tmp_path):
    # Once: "internal error (AttributeError: 'NoneType' object has no attribute 'isatty')".
    for args in (["resolve"], ["resolve", "-"], ["resolve", "--column", "id", "--to", "icb"]):
        done = run(args, close=(0,), cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr.decode()) == (2, b"", CLOSED_STDIN), args
    done = run(["show", "QOP", "-f", "json"], close=(0,), cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["code"] == "QOP"


@pytest.mark.parametrize(
    "args, code",
    [
        (["list", "nope"], 2),
        (["list", "--bogus"], 2),  # Click's usage text once went to stdout, and the exit was 1
        (["show", "Narnia"], 1),
        (["show", "QOP", "--as-of", "yesterday"], 2),
        (["nosuchcommand"], 2),
        (["list", "icbs", "-f", "json"], 0),
    ],
)
def test_closed_stderr(args, code, tmp_path):
    done = run(args, close=(2,), cwd=tmp_path)
    assert done.returncode == code, args
    assert (done.stdout == b"") == (code != 0), done.stdout[:300]


def test_full_stderr_keeps_the_exit_codes(tmp_path):
    # Messages that cannot be written are dropped; once a note on a full stderr made resolve exit 1.
    for args, code in ((["resolve", "--to", "icb"], 0), (["show", "Narnia"], 1), (["list", "nope"], 2)):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [str(ICS_BIN), *args], input=b"QOP\n", stdout=subprocess.PIPE, stderr=full, env=clean_env(), cwd=tmp_path
            )
        assert done.returncode == code, args
    assert done.stdout == b""


def test_closed_stderr_and_full_stdout(tmp_path):
    with open("/dev/full", "w") as full:
        done = run(["list", "icbs"], stdout=full, close=(2,), cwd=tmp_path)
    assert done.returncode == 1


@pytest.mark.parametrize("unbuffered", ["", "1"])
@pytest.mark.parametrize("tty", ["", "1"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_head_exits_141_in_every_format(fmt, tty, unbuffered, tmp_path):
    env = {"ICS_FORCE_TTY": tty or None, "PYTHONUNBUFFERED": unbuffered or None}
    done = shell(f'"$ICS" list practices -f {fmt} | head -1', env=env, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (141, ""), (fmt, env, done.stderr)
    assert done.stdout.count("\n") == 1


def test_head_on_one_long_write_exits_141(big_input, tmp_path):
    # Once: ICS_FORCE_TTY=1 with an unbuffered stdout (PYTHONUNBUFFERED=1), a table written in one
    # 16 MB write that the reader abandoned part-way was cut short silently and the exit was 0.
    for unbuffered in ("1", None):
        env = {"ICS_FORCE_TTY": "1", "NO_COLOR": "1", "PYTHONUNBUFFERED": unbuffered}
        done = shell(f'"$ICS" resolve --to icb {shlex.quote(str(big_input))} | head -1', env=env, cwd=tmp_path)
        assert done.returncode == 141, (unbuffered, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr


# --- encodings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_encoding_without_the_characters(encoding, tmp_path):
    # Once: printf 'Café\n' | PYTHONIOENCODING=ascii ics resolve: "internal error (UnicodeEncodeError ...)".
    stdin = "Café\nQOP\nYnys Môn ─ ✓\n".encode()
    for fmt in FORMATS:
        for tty in (None, "1"):
            env = {"PYTHONIOENCODING": encoding, "ICS_FORCE_TTY": tty}
            done = run(["resolve", "-f", fmt, "--fields", "input,status,name"], env=env, stdin=None, input=stdin, cwd=tmp_path)
            assert done.returncode == 0, (fmt, tty, done.stderr)
            assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr
            text = done.stdout.decode(encoding)
            if fmt == "json":
                assert [r["input"] for r in json.loads(text)] == ["Café", "QOP", "Ynys Môn ─ ✓"]  # exact
            elif fmt == "tsv":
                first = "Café" if encoding == "latin-1" else "Caf\\xe9"
                assert text.splitlines()[1].startswith(first + "\t")
                assert "\\u2500 \\u2713" in text
    for args in (["show", "Café"], ["search", "café", "-f", "table"], ["show", "QOP"], ["list", "icbs"], ["info"]):
        done = run(args, env={"PYTHONIOENCODING": encoding, "ICS_FORCE_TTY": "1"}, cwd=tmp_path)
        assert done.returncode in (0, 1), (args, done.stderr)
        assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr, (args, done.stderr)


def test_non_utf8_argument_echoed_back_safely(tmp_path):
    # An argument's invalid byte 0x9b (a C1 CSI on some terminals) is shown escaped, never raw.
    done = subprocess.run([os.fsencode(str(ICS_BIN)), b"show", b"x\x9b2J"], capture_output=True, env=clean_env(), cwd=tmp_path)
    assert done.returncode == 1
    assert b"\x9b" not in done.stderr and b"\\udc9b2J" in done.stderr


# --- limits -------------------------------------------------------------------------------------------------


def test_huge_forced_width_writes_little(tmp_path):
    # Once: ICS_FORCE_TTY=10000000 ics info wrote 1 GB.
    for env in ({"ICS_FORCE_TTY": "10000000"}, {"ICS_FORCE_TTY": "1", "COLUMNS": "10000000"}):
        done = run(["info"], env=env, cwd=tmp_path, timeout=60)
        assert done.returncode == 0
        assert len(done.stdout) < 1_000_000 and max(len(line) for line in done.stdout.decode().splitlines()) <= 1_000


def test_long_option_value_is_not_echoed_back(tmp_path):
    value = "x" * 100_000
    for args in (["show", value], ["list", value], ["search", "north", "--kind", value], ["show", "QOP", "--as-of", value]):
        done = run(args, cwd=tmp_path)
        assert done.returncode in (1, 2) and len(done.stderr) < 1_000, (args[:1], len(done.stderr))


# --- databases ------------------------------------------------------------------------------------------------


def test_info_and_version_on_a_database_that_is_not_ics(tmp_path):
    # Once: `ics info` exited 0 with almost nothing.
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    for args in (["info"], ["--version"], ["list", "icbs"]):
        done = run(args, env={"ICS_DB": str(other)}, cwd=tmp_path)
        assert done.returncode == 1, args
        assert done.stderr.decode() == (
            f"Error: {other} (from ICS_DB) is not an ics database: it has no meta table with a schema_version.\n"
            "Rebuild it from a source checkout with: python scripts/build_db.py\nor point ICS_DB at an ics.sqlite file.\n"
        )
        assert b"data vintage" not in done.stdout


@pytest.fixture
def wal_db(db_path, tmp_path):
    folder = tmp_path / "wal"
    folder.mkdir()
    path = folder / "ics.sqlite"
    shutil.copyfile(db_path, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode = wal").fetchone() == ("wal",)
    conn.close()
    assert sorted(p.name for p in folder.iterdir()) == ["ics.sqlite"]
    return path


def test_wal_database_gets_no_side_files(wal_db, tmp_path):
    # Once: a WAL-mode ICS_DB got -wal and -shm files beside it.
    env = {"ICS_DB": str(wal_db)}
    for args in (
        ["show", "QOP"],
        ["list", "icbs"],
        ["info"],
        ["--version"],
        ["search", "north"],
        ["diff", "2022-06-30", "2022-07-01"],
    ):
        done = run(args, env=env, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr)
    done = run(["resolve", "--to", "icb"], env=env, stdin=None, input=b"QOP\nA81001\n", cwd=tmp_path)
    assert done.returncode == 0
    assert sorted(p.name for p in wal_db.parent.iterdir()) == ["ics.sqlite"]


def test_wal_database_with_a_live_log_is_read_whole(wal_db, tmp_path):
    # Committed changes that only the -wal file holds are read (immutable would miss them).
    writer = sqlite3.connect(wal_db)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE orgs SET name = 'Renamed in the log' WHERE org_id = 'icb:QOP'")
    writer.commit()
    try:
        assert (wal_db.parent / "ics.sqlite-wal").stat().st_size > 0
        done = run(["list", "icbs", "-f", "json", "--fields", "code,name"], env={"ICS_DB": str(wal_db)}, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        code = subprocess.run(
            [
                sys.executable,
                "-c",
                "from ics_cli import db; print(db.query_one(\"SELECT name FROM orgs WHERE org_id = 'icb:QOP'\")['name'])",
            ],
            capture_output=True,
            text=True,
            env=clean_env({"ICS_DB": str(wal_db)}),
        )
        assert code.stdout == "Renamed in the log\n", code.stderr
    finally:
        writer.close()
