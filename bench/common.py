"""What every part of the benchmark shares: the repository's paths, the report stream (``say``), the
clean environment children run in, finding the interpreter and the ``ics`` command, running and
timing whole processes (wall time, the child's own CPU time and peak RSS), input files, and the
settings of one run (``Run``)."""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[1]
DB = ROOT / "data" / "ics.sqlite"
BUILD_SCRIPT = ROOT / "scripts" / "build_db.py"

# Variables that change how Python or the tool behaves; removed from every child's environment.
# PYTHONDONTWRITEBYTECODE in particular (set in this workplace) would make every run recompile
# the project's modules.
SCRUB = (
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUNBUFFERED",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONTRACEMALLOC",
    "PYTHONDEVMODE",
    "PYTHONMALLOC",
    "PYTHONVERBOSE",
    "PYTHONINSPECT",
    "PYTHONWARNINGS",
    "PYTHONSTARTUP",
    "PYTHONASYNCIODEBUG",
    "PYTHONBREAKPOINT",
    "NO_COLOR",
    "FORCE_COLOR",
    "CLICOLOR_FORCE",
    "ICS_FORCE_TTY",
    "ICS_DB",
    "COLUMNS",
    "LINES",
    "_ICS_COMPLETE",
    "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION",
)

_out: TextIO = sys.stdout  # the human-readable report (stderr under --json)


def report_to(stream: TextIO) -> None:
    """Send the human-readable report to `stream` (stderr under --json, so stdout holds only JSON)."""
    global _out
    _out = stream


def say(text: str = "") -> None:
    _out.write(text + "\n")
    _out.flush()


@dataclass
class Run:
    """One benchmark run's settings, passed to every section."""

    py: str  # the interpreter the tool is installed for
    ics: list[str]  # the command that runs the tool
    cwd: str  # a neutral scratch directory the children run in
    tmp: Path  # the same directory, for input files
    quick: bool
    runs: int  # pairs a start-up figure
    warmup: int
    build_runs: int
    no_build: bool


# --- environment and commands ---------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update(extra)
    return env


def find_python(requested: str | None) -> tuple[str, list[str]]:
    """The interpreter to benchmark with and notes on how it was chosen."""
    notes = []
    candidates = [requested] if requested else [sys.executable, str(ROOT / ".venv" / "bin" / "python")]
    for py in candidates:
        if not py or not os.path.exists(py):
            continue
        ok = (
            subprocess.run(
                [py, "-c", "import ics_cli, typer"],
                env=clean_env(),
                cwd=tempfile.gettempdir(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ).returncode
            == 0
        )
        if ok:
            if py != sys.executable:
                notes.append(f"{sys.executable} cannot import ics_cli; using {py}")
            return py, notes
        if requested:
            raise SystemExit(
                f"Error: {py} cannot import ics_cli and typer; install the project into it (pip install -e '.[dev]')."
            )
    raise SystemExit(
        "Error: no interpreter here can import ics_cli and typer; run with the project's venv: "
        ".venv/bin/python bench/bench.py (or pass --python)."
    )


def find_ics(py: str) -> list[str]:
    """The installed ``ics`` console script next to the interpreter, else ``python -m ics_cli``."""
    bindir = Path(py).parent
    for name in ("ics", "ics.exe"):
        script = bindir / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
    return [py, "-m", "ics_cli"]


def child_info(py: str) -> dict:
    code = (
        "import json, sys, platform\n"
        "from importlib import metadata as m\n"
        "v = {}\n"
        "for p in ('typer', 'click', 'rich', 'rapidfuzz', 'ics'):\n"
        "    try: v[p] = m.version(p)\n"
        "    except Exception: v[p] = None\n"
        "print(json.dumps({'python': platform.python_version(), 'implementation': platform.python_implementation(),"
        " 'versions': v}))\n"
    )
    out = subprocess.run([py, "-c", code], env=clean_env(), capture_output=True, text=True)
    try:
        return json.loads(out.stdout)
    except ValueError:
        return {}


def git_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit or None, "dirty": bool(dirty)}


def precompile(py: str) -> None:
    """Write the project's .pyc files now, so no timed run pays for compiling them."""
    subprocess.run(
        [py, "-m", "compileall", "-q", str(ROOT / "ics_cli")],
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def connect_ro(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(db_path.as_uri() + "?mode=ro", uri=True)


# --- running and timing ---------------------------------------------------------------------------


class CommandFailed(Exception):
    pass


def run_once(cmd: list[str], env: dict[str, str], cwd: str, check_output: bool = True) -> float:
    """Wall seconds of `cmd` with stdout to a pipe (the start-up figures); it must print something."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or (check_output and not proc.stdout):
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise CommandFailed(
            f"`{' '.join(cmd)}` exited {proc.returncode}" + (f": {' | '.join(tail)}" if tail else " with no output")
        )
    return elapsed


def run_usage(cmd: list[str], env: dict[str, str], cwd: str) -> dict:
    """Run `cmd` (stdout to /dev/null): wall and CPU seconds (user + system, its own, os.wait4),
    peak RSS in MB, stderr. On a shared, loaded machine wall time also counts the wait for a core;
    CPU time is what the command costs. Without os.wait4, CPU and RSS are None."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        cpu = rss_mb = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            rss_mb = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024) / 1e6
        else:
            proc.wait()
            wall = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise CommandFailed(f"`{' '.join(cmd)}` exited {proc.returncode}: {stderr.strip()[-300:]}")
    return {"wall": wall, "cpu": cpu, "rss_mb": rss_mb, "stderr": stderr}


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def write_input(path: Path, pool: list[str], lines: int, distinct: bool = False) -> None:
    """`lines` lines cycling through `pool`; with `distinct`, each pass adds one more trailing space, so
    (nearly) every line is a different string that still resolves like the original."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        n = len(pool)
        if distinct:
            fh.writelines(pool[i % n] + " " * (i // n) + "\n" for i in range(lines))
        else:
            fh.writelines(pool[i % n] + "\n" for i in range(lines))
