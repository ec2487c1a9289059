"""Shared fixtures for the tests that run against the real, built database.

- ``db_path``: ``data/ics.sqlite`` of this checkout (the built database the package ships).
- ``conn``: a read-only sqlite3 connection to it (rows as ``sqlite3.Row``).
- ``cli``: runs the Typer app in-process with ``typer.testing.CliRunner``, piped (no
  ``ICS_FORCE_TTY``, no colour settings) and with ``ICS_DB`` pointing at the real database.
  By default it runs the app that the console script runs (``entry.app_for(argv)``: the
  single-command app when the command line names a command); ``cli(..., single=False)`` runs the
  whole app (every command registered, as ``--help`` sees it). It fails the test if the command
  raised anything but ``SystemExit`` (CliRunner would otherwise swallow the traceback).
- ``ics``: runs the installed console script (``ics`` next to ``sys.executable``, so CI's own
  venv works) in a subprocess with a clean environment: ``NO_COLOR=1``, no ``ICS_FORCE_TTY``,
  no ``ICS_DB`` unless given.

The existing test modules (test_db, test_render, test_import_organisations) use their own
fixtures; nothing here is autouse.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Optional

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DB_PATH = ROOT / "data" / "ics.sqlite"
BIN_DIR = Path(sys.executable).parent
ICS_BIN = BIN_DIR / ("ics.exe" if os.name == "nt" else "ics")

# Environment variables that change how ics prints; removed unless a test sets them.
STYLE_VARS = ("ICS_FORCE_TTY", "NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "COLUMNS", "LINES", "TERM", "FORCE_COLOR")


@pytest.fixture(scope="session")
def db_path() -> Path:
    """The real built database of this checkout."""
    assert DB_PATH.is_file(), f"{DB_PATH} is missing: build it with python scripts/build_db.py"
    return DB_PATH


@pytest.fixture(scope="module")
def real_db(db_path: Path):
    """Point ics_cli.db at the real database for a module that queries it directly, whatever the
    caller's ICS_DB (use with ``pytestmark = pytest.mark.usefixtures("real_db")``)."""
    from ics_cli import db

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ICS_DB", str(db_path))
        db.close()
        yield
    db.close()


@pytest.fixture(scope="session")
def conn(db_path: Path):
    """A read-only connection to the real database (``sqlite3.Row`` rows)."""
    c = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


# What the app prints when a command hits a bug (IcsGroup turns any exception into one line).
CRASH_MARKERS = ("Traceback", "internal error", "This is a bug in ics")


def crash_text(stdout: str, stderr: str) -> str | None:
    """The crash report in a run's output, if there is one."""
    for marker in CRASH_MARKERS:
        if marker in stdout or marker in stderr:
            return (stderr or stdout)[-800:]
    return None


def assert_no_crash(result) -> None:
    """A crash must not pass for a documented exit 1: CliRunner keeps an unexpected exception in
    ``result.exception`` (exit code 1, no traceback in the output), and the app may turn one into
    an "internal error" message."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
        pytest.fail(f"ics {' '.join(map(str, result.args))} raised:\n{tb}")
    report = crash_text(result.stdout, result.stderr)
    if report:
        pytest.fail(f"ics {' '.join(map(str, result.args))} crashed:\n{report}")


class CliResult:
    """What a CliRunner run gave: ``exit_code``, ``stdout``, ``stderr``, ``output`` and ``args``."""

    def __init__(self, result, args):
        self.raw = result
        self.args = args
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        try:
            self.stderr = result.stderr
        except ValueError:  # older click without separate stderr
            self.stderr = ""
        self.output = result.output
        self.exception = result.exception
        self.exc_info = result.exc_info

    def __repr__(self) -> str:
        return f"<CliResult {self.args!r} exit={self.exit_code} stdout={self.stdout[:200]!r} stderr={self.stderr[:300]!r}>"


def make_cli(db: Path) -> Callable[..., CliResult]:
    from ics_cli.cli import app
    from ics_cli.entry import app_for

    runner = CliRunner()

    def invoke(
        *args: str,
        input: Optional[str] = None,
        env: Optional[Mapping[str, Optional[str]]] = None,
        single: bool = True,
        check_crash: bool = True,
    ) -> CliResult:
        argv = [str(a) for a in args]
        full_env: dict[str, Optional[str]] = {name: None for name in STYLE_VARS}
        full_env["ICS_DB"] = str(db)
        full_env.update(env or {})
        target = app_for(argv) if single else app
        result = CliResult(runner.invoke(target, argv, input=input, env=full_env), argv)
        if check_crash:
            assert_no_crash(result)
        return result

    return invoke


@pytest.fixture(scope="session")
def cli(db_path: Path) -> Callable[..., CliResult]:
    """``cli("show", "QHM", "-f", "json")`` -> CliResult, run in-process against the real DB."""
    return make_cli(db_path)


def clean_env(extra: Optional[Mapping[str, Optional[str]]] = None) -> dict[str, str]:
    """The environment for a subprocess: the caller's, without ICS_*, colour and Python I/O
    settings, with NO_COLOR=1; ``extra`` adds (or, with None, removes) variables."""
    drop = set(STYLE_VARS) | {"PYTHONPATH", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONWARNINGS"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("ICS_")}
    env["NO_COLOR"] = "1"
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_ics(
    *args: str,
    input: Optional[str | bytes] = None,
    env: Optional[Mapping[str, Optional[str]]] = None,
    timeout: float = 120,
    cwd: Optional[Path] = None,
) -> subprocess.CompletedProcess:
    """Run the installed ``ics`` console script; stdout and stderr as text (UTF-8, bad bytes replaced)."""
    kwargs: dict = dict(capture_output=True, env=clean_env(env), timeout=timeout, cwd=cwd)
    if isinstance(input, bytes):
        done = subprocess.run([str(ICS_BIN), *args], input=input, **kwargs)
        done.stdout = done.stdout.decode("utf-8", "replace")
        done.stderr = done.stderr.decode("utf-8", "replace")
        return done
    return subprocess.run([str(ICS_BIN), *args], input=input, text=True, encoding="utf-8", errors="replace", **kwargs)


@pytest.fixture(scope="session")
def ics() -> Callable[..., subprocess.CompletedProcess]:
    """``ics("show", "QHM", "--format", "json")`` -> CompletedProcess of the installed command."""
    assert ICS_BIN.exists(), f"the console script {ICS_BIN} is not installed (pip install -e '.[dev]')"
    return run_ics
