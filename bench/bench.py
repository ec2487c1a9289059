#!/usr/bin/env python3
"""Benchmark the ``ics`` CLI against the speed goals of issues 4, 6 and 7.

    python bench/bench.py [--runs N] [--quick] [--json] [--strict] [--no-build] [--python PATH]

Run it from the repository root with the interpreter the tool is installed for (the dev venv:
``.venv/bin/python bench/bench.py``). Standard library only.

Every start-up figure is a *paired* measurement: the two commands run alternately (A B A B ...),
each timed as a whole process (``time.perf_counter`` around ``subprocess.run``, stdout to a
pipe), after warm-up runs. Each pair gives one ratio A/B; the figure is the median of those
ratios, shown with the median, min and max of each side. Pairing cancels most of the drift in a
busy machine's speed, which unpaired medians do not.

Figures and goals:
  show-json/typer   ``ics show QHM --format json`` / ``python -c "import typer"``       <= 1.2
  show-json/pass    ``ics show QHM --format json`` / ``python -c pass``                 <= 7
  show-table/rich   ``ICS_FORCE_TTY=1 ics show QHM`` / ``python -c "import typer, rich.table"`` <= 1.2
  search/show       ``ics search "north cumbria" --format json`` / the show-json command <= 1.2
  search-fuzzy/show ``ics search manchestr --format json`` (misspelt: fuzzy fallback) / show <= 1.2
  diff-lookup/show  ``ics diff 2022-06-30 2022-07-01 --in 02Q --format json`` / show       <= 1.5
  diff-national-*   ``ics diff DATE1 DATE2 --format json``, all kinds, median seconds      <= 1
  map-svg           ``ics map QOP --format svg``, median seconds                          (info)
  resolve           identifiers per second, whole process, 200,000 mixed lines      >= 50,000
  resolve memory    peak RSS at 400k lines / at 50k lines (same distinct values)    <= 1.10
  practice-ccg-YYYY ``ics resolve --to ccg --as-of YYYY-03-31`` of every practice open that day:
                    share with status ok, each year 2015-2019                       >= 99.5%
  resolve-practices ids/s (per CPU second) of ``resolve --to ccg --as-of 2017-03-31``, 200,000 practice lines >= 100,000
  resolve-dated-3-levels rows per CPU second of ``resolve --date-column month --to icb,sub-icb,region``,
                    200,000 random practice-month rows                              >= 50,000
  resolve-dated-monthly  the same over a monthly extract of every practice          (info)
  resolve-memory-dated   peak RSS at 2,000,000 such rows / at 200,000               <= 1.2
  ... distinct      peak RSS at 100k (nearly) all-distinct lines / at 50k lines     <= 1.10
  build             ``python scripts/build_db.py --out TMP``, median seconds         <= 15
  rebuild identical the rebuilt file is byte-identical to data/ics.sqlite
  db size           data/ics.sqlite in MB (10^6 bytes)                               <= 10

Results are informational: the exit code is 0 unless ``--strict`` is given and a figure fails
(or a command errors). With ``--json`` the figures go to stdout as JSON and the human-readable
report to stderr, so ``python bench/bench.py --json > figures.json`` keeps both.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

OUT = sys.stdout  # the human-readable report (stderr under --json)


def say(text: str = "") -> None:
    OUT.write(text + "\n")
    OUT.flush()


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


# --- timing ---------------------------------------------------------------------------------------


class CommandFailed(Exception):
    pass


def run_once(cmd: list[str], env: dict[str, str], cwd: str, check_output: bool = True) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 or (check_output and not proc.stdout):
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise CommandFailed(
            f"`{' '.join(cmd)}` exited {proc.returncode}" + (f": {' | '.join(tail)}" if tail else " with no output")
        )
    return elapsed


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def paired(
    name: str, label: str, a: tuple[list[str], dict], b: tuple[list[str], dict], goal: float, runs: int, warmup: int, cwd: str
) -> dict:
    """Time A and B alternately `runs` times (after `warmup` runs of each); ratios A/B per pair."""
    fig = {"name": name, "label": label, "kind": "ratio", "goal": goal, "op": "<=", "unit": "x", "runs": runs}
    try:
        for _ in range(warmup):
            run_once(a[0], a[1], cwd)
            run_once(b[0], b[1], cwd, check_output=False)
        ta, tb = [], []
        for _ in range(runs):
            ta.append(run_once(a[0], a[1], cwd))
            tb.append(run_once(b[0], b[1], cwd, check_output=False))
    except CommandFailed as e:
        fig.update(value=None, passed=False, error=str(e))
        return fig
    ratios = [x / y for x, y in zip(ta, tb)]
    fig.update(
        value=statistics.median(ratios),
        passed=statistics.median(ratios) <= goal,
        ratio=stats(ratios),
        a_ms={k: v * 1000 for k, v in stats(ta).items()},
        b_ms={k: v * 1000 for k, v in stats(tb).items()},
    )
    return fig


def show_ratio(fig: dict, a_label: str, b_label: str) -> None:
    if fig.get("error"):
        say(f"  {fig['label']}: ERROR {fig['error']}")
        return
    r, a, b = fig["ratio"], fig["a_ms"], fig["b_ms"]
    say(f"  {fig['label']}")
    say(
        f"    ratio {fig['value']:.3f}x (pairs: min {r['min']:.3f}, max {r['max']:.3f}; n={fig['runs']})"
        f"   goal <= {fig['goal']:g}x   {verdict(fig)}"
    )
    say(f"    A {a_label:<44} median {a['median']:7.1f} ms  (min {a['min']:.1f}, max {a['max']:.1f})")
    say(f"    B {b_label:<44} median {b['median']:7.1f} ms  (min {b['min']:.1f}, max {b['max']:.1f})")


def verdict(fig: dict) -> str:
    if fig.get("error"):
        return "ERROR"
    if fig.get("passed") is None:
        return "info"
    return "PASS" if fig["passed"] else "FAIL"


# --- diff and map ---------------------------------------------------------------------------------

# Any two days nationally, all kinds, must take under a second (issue 15): the widest span, the two
# reorganisations and an ordinary year. The map figure is informational.
DIFFS = [("2013-04-01", "2026-08-01"), ("2022-06-30", "2022-07-01"), ("2026-03-31", "2026-04-01"), ("2023-01-01", "2024-01-01")]


def diff_map_figures(ics: list[str], env: dict[str, str], cwd: str, runs: int) -> list[dict]:
    figs = []
    cases = [(f"diff {a} {b}", [*ics, "diff", a, b, "--format", "json"], 1.0) for a, b in DIFFS]
    cases.append(("map QOP --format svg", [*ics, "map", "QOP", "--format", "svg"], None))
    for label, cmd, goal in cases:
        name = "diff-national-" + label.split()[1][:4] + "-" + label.split()[2][:4] if goal else "map-svg"
        fig = {"name": name, "label": f"ics {label}", "kind": "seconds", "goal": goal, "op": "<=", "unit": "s", "runs": runs}
        try:
            run_once(cmd, env, cwd)  # warm-up
            timed = [_run_cpu(cmd, env, cwd) for _ in range(runs)]
        except CommandFailed as e:
            fig.update(value=None, passed=False, error=str(e))
            figs.append(fig)
            continue
        times, cpu = [t for t, _ in timed], [c for _, c in timed]
        value = statistics.median(times)
        fig.update(value=value, seconds=stats(times), cpu=stats(cpu), passed=None if goal is None else value <= goal)
        figs.append(fig)
    return figs


def _run_cpu(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall seconds and the child's CPU seconds (user + system): on a shared, busy machine the CPU
    time says what the command costs when wall time also counts the wait for a core."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code != 0:
        raise CommandFailed(f"`{' '.join(cmd)}` exited {code}: {err.strip()[-200:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


# --- resolve --------------------------------------------------------------------------------------

GARBAGE_FIXED = [
    "",
    " ",
    "N/A",
    "n/a",
    "#REF!",
    "#N/A",
    "TBC",
    "unknown",
    "-",
    "0",
    "00000",
    "?",
    "none",
    "NULL",
    "'; DROP TABLE orgs; --",
    "Robert'); DROP TABLE Students;--",
    "%",
    "_",
    "*",
    '"QHM"',
    "QHM,QOP",
    "Zürich Klinik",
    "Ŝŧřâñğé ñåmé",
    "日本語",
    "🙂",
    "E99999999",
    "ZZZ",
    "X1X1X1",
    "practice",
    "NHS",
    "Integrated Care Board",
    "CCG",
    "ICB",
    "The Surgery",
    "Health Centre",
    "Medical Centre",
]


def resolve_pool(db_path: Path, seed: int = 20261123) -> list[str]:
    """Distinct realistic identifiers: every ODS and ONS code in the database (current and former,
    every kind), the official and short names of the bodies people name (not practices/PCNs), some
    odd-cased or padded variants, and garbage. Shuffled with a fixed seed."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path.as_uri() + "?mode=ro", uri=True)
    try:
        codes = [r[0] for r in conn.execute("SELECT DISTINCT code FROM codes ORDER BY code")]
        names = [
            r[0]
            for r in conn.execute(
                """SELECT DISTINCT n.name FROM names n JOIN orgs o USING (org_id)
               WHERE n.type IN ('official', 'short') AND o.kind NOT IN ('practice', 'pcn') ORDER BY n.name"""
            )
        ]
        some_practice_names = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT n.name FROM names n JOIN orgs o USING (org_id) WHERE o.kind = 'practice' AND n.type = 'official' ORDER BY n.name"
            )
        ]
    finally:
        conn.close()
    pool = list(codes) + list(names)
    pool += rng.sample(some_practice_names, min(500, len(some_practice_names)))  # often ambiguous, as in real sheets
    pool += [c.lower() for c in rng.sample(codes, len(codes) // 10)]
    pool += [f" {c} " for c in rng.sample(codes, len(codes) // 20)]
    pool += [n.upper() for n in rng.sample(names, len(names) // 10)]
    pool += GARBAGE_FIXED
    alphabet = string.ascii_uppercase + string.digits
    pool += ["".join(rng.choice(alphabet) for _ in range(rng.randint(3, 9))) for _ in range(max(200, len(pool) // 50))]
    pool = list(dict.fromkeys(pool))  # distinct, first occurrence kept
    rng.shuffle(pool)
    return pool


def write_input(path: Path, pool: list[str], lines: int, distinct: bool = False) -> None:
    """`lines` lines cycling through `pool`; with `distinct`, each pass adds one more trailing space, so
    (nearly) every line is a different string that still resolves like the original."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        n = len(pool)
        if distinct:
            fh.writelines(pool[i % n] + " " * (i // n) + "\n" for i in range(lines))
        else:
            fh.writelines(pool[i % n] + "\n" for i in range(lines))


def run_measured(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, int | None, str]:
    """Run `cmd` (stdout to /dev/null); seconds, its own peak RSS in bytes (os.wait4), stderr."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        rss = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        else:
            proc.wait()
            elapsed = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise CommandFailed(f"`{' '.join(cmd)}` exited {proc.returncode}: {stderr.strip()[-300:]}")
    return elapsed, rss, stderr


def run_timed(cmd: list[str], env: dict[str, str], cwd: str) -> dict:
    """Run `cmd` (stdout to /dev/null): wall and CPU seconds (user + system, its own, os.wait4),
    peak RSS in MB, stderr. On a shared, loaded machine wall time also counts the wait for a core;
    CPU time is what the command costs."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if code != 0:
        raise CommandFailed(f"`{' '.join(cmd)}` exited {code}: {stderr.strip()[-300:]}")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": rss / 1e6, "stderr": stderr}


def resolve_figures(ics: list[str], pool: list[str], tmp: Path, cwd: str, quick: bool) -> list[dict]:
    """Throughput at n_main lines; peak RSS at a small and a large input of the same distinct values
    (the small run doubles as the warm-up); peak RSS with (nearly) all lines distinct."""
    env = clean_env()
    # The same 200k lines either way: whole-process ids/s depends on the input size (start-up and
    # loading are a fixed cost), so --quick only makes fewer runs and a smaller large size.
    n_main, runs = (200_000, 2) if quick else (200_000, 5)
    small, large = (25_000, 200_000) if quick else (50_000, 400_000)
    n_dist = None if quick else 100_000  # at the speed of unmemoised inputs this costs ~20 s: full runs only
    figs: list[dict] = []

    def cmd(path: Path) -> list[str]:
        return [*ics, "resolve", "--to", "icb", "--format", "tsv", str(path)]

    def measure(n: int, distinct: bool = False, repeat: int = 1) -> list[tuple[float, int | None, str]]:
        path = tmp / f"resolve_{n}{'_distinct' if distinct else ''}.txt"
        write_input(path, pool, n, distinct=distinct)
        try:
            return [run_measured(cmd(path), env, cwd) for _ in range(repeat)]
        finally:
            path.unlink()

    fig = {
        "name": "resolve-throughput",
        "label": f"ics resolve --to icb --format tsv FILE ({n_main:,} lines, {len(pool):,} distinct)",
        "kind": "rate",
        "goal": 50_000,
        "op": ">=",
        "unit": "ids/s",
        "runs": runs,
        "lines": n_main,
        "distinct": len(pool),
    }
    mem = {
        "name": "resolve-memory",
        "label": f"resolve peak RSS, {large:,} lines / {small:,} lines (same distinct values)",
        "kind": "ratio",
        "goal": 1.10,
        "op": "<=",
        "unit": "x",
        "sizes": {},
    }
    dist = {
        "name": "resolve-memory-distinct",
        "label": f"resolve peak RSS, {n_dist or 0:,} (nearly) distinct lines / {small:,} repeating lines",
        "kind": "ratio",
        "goal": 1.10,
        "op": "<=",
        "unit": "x",
        "lines": n_dist,
    }
    try:
        per: dict[int, dict] = {}
        ((t, rss, _),) = measure(small)  # also the warm-up
        per[small] = {"seconds": t, "peak_rss_mb": rss / 1e6 if rss else None}
        main_runs = measure(n_main, repeat=runs)
        times = [r[0] for r in main_runs]
        rsss = [r[1] for r in main_runs if r[1]]
        summary = main_runs[-1][2]
        med = statistics.median(times)
        fig.update(
            value=n_main / med,
            passed=n_main / med >= 50_000,
            seconds=stats(times),
            peak_rss_mb=max(rsss) / 1e6 if rsss else None,
            summary=summary.strip().splitlines()[-1:] or None,
        )
        if f"of {n_main:,} input rows" not in summary:
            fig.update(passed=False, error=f"summary does not count {n_main:,} rows: {summary.strip()[-200:]}")
        if large == n_main:
            per[large] = {"seconds": med, "peak_rss_mb": max(rsss) / 1e6 if rsss else None}
        else:
            ((t, rss, _),) = measure(large)
            per[large] = {"seconds": t, "peak_rss_mb": rss / 1e6 if rss else None}
        mem["sizes"] = {str(k): v for k, v in per.items()}
        if per[small]["peak_rss_mb"] and per[large]["peak_rss_mb"]:
            ratio = per[large]["peak_rss_mb"] / per[small]["peak_rss_mb"]
            mem.update(value=ratio, passed=ratio <= 1.10)
        else:
            mem.update(value=None, passed=None, error="peak RSS not available here (no os.wait4)")
        # The rate per extra line (informational): start-up, loading and the first sight of each
        # distinct value are in the small run already, so the difference is the repeat cost.
        dt = per[large]["seconds"] - per[small]["seconds"]
        mem["marginal_ids_per_s"] = (large - small) / dt if dt > 0 else None
        mem["fixed_cost_s"] = per[small]["seconds"] - small / mem["marginal_ids_per_s"] if mem["marginal_ids_per_s"] else None
    except CommandFailed as e:
        for f in (fig, mem):
            if "value" not in f:
                f.update(value=None, passed=False, error=str(e))
    figs += [fig, mem]

    # Distinct strings: a memo keyed by the input line grows with them, which the figure above
    # cannot see (its inputs repeat). Compared with the small run of repeating values.
    if n_dist is None:
        return figs
    try:
        ((t, rss, _),) = measure(n_dist, distinct=True)
        base = (mem.get("sizes") or {}).get(str(small), {}).get("peak_rss_mb")
        dist.update(seconds=t, ids_per_s=n_dist / t, peak_rss_mb=rss / 1e6 if rss else None)
        if rss and base:
            dist.update(value=(rss / 1e6) / base, passed=(rss / 1e6) / base <= 1.10, base_rss_mb=base)
        else:
            dist.update(value=None, passed=None, error="peak RSS not available")
    except CommandFailed as e:
        dist.update(value=None, passed=False, error=str(e))
    figs.append(dist)
    return figs


# --- practices in the CCG era ----------------------------------------------------------------------

COVERAGE_YEARS = range(2015, 2020)
COVERAGE_GOAL = 99.5  # percent of the practices open on 31 March that resolve to a CCG (issue 11)
PRACTICE_RATE_GOAL = 100_000


def practices_open(db_path: Path, day: str) -> list[str]:
    conn = sqlite3.connect(db_path.as_uri() + "?mode=ro", uri=True)
    try:
        return [
            r[0]
            for r in conn.execute(
                """SELECT code FROM orgs WHERE kind = 'practice' AND COALESCE(start, '') <= ? AND COALESCE("end", '9999-12-31') >= ?
                   ORDER BY code""",
                (day, day),
            )
        ]
    finally:
        conn.close()


def practice_figures(ics: list[str], db_path: Path, tmp: Path, cwd: str, quick: bool) -> list[dict]:
    """For each year, the share of the practices open on 31 March that `resolve --to ccg` gives a
    CCG (status ok); then the throughput of that historical resolve on 200,000 practice lines."""
    env = clean_env()
    figs = []
    for year in COVERAGE_YEARS:
        day = f"{year}-03-31"
        codes = practices_open(db_path, day)
        path = tmp / f"practices_{year}.txt"
        path.write_text("".join(c + "\n" for c in codes), encoding="utf-8")
        fig = {
            "name": f"practice-ccg-{year}",
            "label": f"resolve --to ccg --as-of {day}: practices open that day with status ok",
            "kind": "percent",
            "goal": COVERAGE_GOAL,
            "op": ">=",
            "unit": "%",
            "practices": len(codes),
        }
        done = subprocess.run(
            [*ics, "resolve", "--to", "ccg", "--as-of", day, "--format", "tsv", "--fields", "status", str(path)],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            fig.update(value=None, passed=False, error=f"exit {done.returncode}: {done.stderr.strip()[-200:]}")
        else:
            statuses = done.stdout.splitlines()[1:]
            ok = sum(1 for s in statuses if s == "ok")
            pct = 100.0 * ok / len(codes) if codes else 0.0
            fig.update(value=pct, passed=pct >= COVERAGE_GOAL and len(statuses) == len(codes), ok=ok)
            fig["detail"] = f"{ok:,} of {len(codes):,} practices"
        figs.append(fig)
        if year != 2017:
            path.unlink()
    n, runs = 200_000, (2 if quick else 3)
    pool = (tmp / "practices_2017.txt").read_text(encoding="utf-8").splitlines()
    path = tmp / "practices_200k.txt"
    write_input(path, pool, n)
    fig = {
        "name": "resolve-practices",
        "label": f"ics resolve --to ccg --as-of 2017-03-31 --format tsv FILE ({n:,} lines, {len(pool):,} practices; per CPU second)",
        "kind": "rate",
        "goal": PRACTICE_RATE_GOAL,
        "op": ">=",
        "unit": "ids/s",
        "lines": n,
        "runs": runs,
    }
    try:
        cmd = [*ics, "resolve", "--to", "ccg", "--as-of", "2017-03-31", "--format", "tsv", str(path)]
        run_timed(cmd, env, cwd)  # warm-up
        done = [run_timed(cmd, env, cwd) for _ in range(runs)]
        cpu, wall = statistics.median(d["cpu"] for d in done), statistics.median(d["wall"] for d in done)
        fig.update(value=n / cpu, passed=n / cpu >= PRACTICE_RATE_GOAL, cpu=stats([d["cpu"] for d in done]))
        fig.update(seconds=stats([d["wall"] for d in done]), wall_rate=n / wall)
        fig["detail"] = f"{n:,} lines: CPU {cpu:.2f} s, wall {wall:.2f} s ({n / wall:,.0f} ids/s of wall time)"
    except CommandFailed as e:
        fig.update(value=None, passed=False, error=str(e))
    finally:
        path.unlink(missing_ok=True)
        (tmp / "practices_2017.txt").unlink(missing_ok=True)
    figs.append(fig)
    return figs


# --- the join engine (issue 12) ----------------------------------------------------------------------

JOIN_LEVELS = "icb,sub-icb,region"
JOIN_RATE_GOAL = 50_000
JOIN_MEMORY_GOAL = 1.2


def practice_months(db_path: Path, path: Path, rows: int, monthly: bool, seed: int = 20261202) -> None:
    """A CSV of GP practice codes and months (practice,month,items). `monthly`: every practice open
    in each month, month after month from January 2020 (a monthly extract); otherwise random
    practices on random months of their lives, April 2013 to the data's last month."""
    conn = sqlite3.connect(db_path.as_uri() + "?mode=ro", uri=True)
    try:
        practices = conn.execute(
            """SELECT code, COALESCE(start, ''), COALESCE("end", '9999-12-31') FROM orgs WHERE kind = 'practice' ORDER BY code"""
        ).fetchall()
        last = conn.execute("SELECT value FROM meta WHERE key = 'data_end'").fetchone()[0]
    finally:
        conn.close()
    months = [f"{y}-{m:02d}" for y in range(2013, 2100) for m in range(1, 13) if "2013-04" <= f"{y}-{m:02d}" <= last[:7]]
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("practice,month,items\n")
        n = 0
        if monthly:
            for month in (m for m in months if m >= "2020-01"):
                for code, start, end in practices:
                    if n < rows and start[:7] <= month <= end[:7]:
                        fh.write(f"{code},{month},{n % 997}\n")
                        n += 1
            months = []
        while n < rows:
            code, start, end = rng.choice(practices)
            month = rng.choice(months or ["2020-01"])
            if start[:7] <= month <= end[:7]:
                fh.write(f"{code},{month},{n % 997}\n")
                n += 1


def join_figures(ics: list[str], db_path: Path, tmp: Path, cwd: str, quick: bool) -> list[dict]:
    """``ics resolve --column practice --date-column month --to icb,sub-icb,region`` over 200,000
    practice-month rows (random months: every practice in up to ~160 states; and a monthly
    extract, informational), rows per CPU second; peak RSS at 2,000,000 rows / 200,000 rows."""
    env = clean_env()
    runs = 2 if quick else 3
    small, large = (100_000, 1_000_000) if quick else (200_000, 2_000_000)
    figs = []

    def cmd(path: Path) -> list[str]:
        return [*ics, "resolve", str(path), "--column", "practice", "--date-column", "month", "--to", JOIN_LEVELS, "-f", "csv"]

    for name, monthly, goal in (("resolve-dated-3-levels", False, JOIN_RATE_GOAL), ("resolve-dated-monthly", True, None)):
        n = 200_000
        path = tmp / f"{name}.csv"
        practice_months(db_path, path, n, monthly)
        shape = "a monthly extract from 2020-01" if monthly else "random practices and months, 2013-2026"
        fig = {
            "name": name,
            "label": f"resolve --date-column month --to {JOIN_LEVELS} ({n:,} practice-month rows, {shape}; per CPU second)",
            "kind": "rate" if goal else "info",
            "goal": goal,
            "op": ">=",
            "unit": "rows/s",
            "runs": runs,
        }
        try:
            run_timed(cmd(path), env, cwd)  # warm-up
            done = [run_timed(cmd(path), env, cwd) for _ in range(runs)]
            cpu, wall = statistics.median(d["cpu"] for d in done), statistics.median(d["wall"] for d in done)
            fig.update(value=n / cpu, passed=(n / cpu >= goal) if goal else None, cpu=stats([d["cpu"] for d in done]))
            fig.update(seconds=stats([d["wall"] for d in done]), wall_rate=n / wall, peak_rss_mb=max(d["rss_mb"] for d in done))
            fig["detail"] = (
                f"CPU {cpu:.2f} s, wall {wall:.2f} s ({n / wall:,.0f} rows/s of wall time), peak {fig['peak_rss_mb']:.0f} MB"
            )
            fig["summary"] = done[-1]["stderr"].strip().splitlines()[-1:]
            if f"of {n:,} input rows" not in done[-1]["stderr"]:
                fig.update(passed=False, error="summary does not count every row: " + done[-1]["stderr"].strip()[-200:])
        except CommandFailed as e:
            fig.update(value=None, passed=False, error=str(e))
        finally:
            path.unlink(missing_ok=True)
        figs.append(fig)
    mem = {
        "name": "resolve-memory-dated",
        "label": f"resolve --date-column --to {JOIN_LEVELS}: peak RSS at {large:,} rows / {small:,} rows (random months)",
        "kind": "ratio",
        "goal": JOIN_MEMORY_GOAL,
        "op": "<=",
        "unit": "x",
    }
    try:
        sizes = {}
        for n in (small, large):
            path = tmp / f"join_{n}.csv"
            practice_months(db_path, path, n, monthly=False)
            try:
                sizes[n] = run_timed(cmd(path), env, cwd)
            finally:
                path.unlink(missing_ok=True)
        ratio = sizes[large]["rss_mb"] / sizes[small]["rss_mb"]
        mem.update(value=ratio, passed=ratio <= JOIN_MEMORY_GOAL)
        mem["sizes"] = {str(k): {"peak_rss_mb": v["rss_mb"], "cpu": v["cpu"], "seconds": v["wall"]} for k, v in sizes.items()}
        mem["detail"] = (
            f"{sizes[small]['rss_mb']:.1f} -> {sizes[large]['rss_mb']:.1f} MB; {large:,} rows: CPU {sizes[large]['cpu']:.1f} s, "
            f"wall {sizes[large]['wall']:.1f} s"
        )
    except CommandFailed as e:
        mem.update(value=None, passed=False, error=str(e))
    figs.append(mem)
    return figs


# --- build and size -------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build_figures(py: str, tmp: Path, runs: int) -> list[dict]:
    fig = {
        "name": "build-time",
        "label": "python scripts/build_db.py --out TMP",
        "kind": "seconds",
        "goal": 15.0,
        "op": "<=",
        "unit": "s",
        "runs": runs,
    }
    same = {
        "name": "rebuild-identical",
        "label": "rebuilt DB byte-identical to data/ics.sqlite",
        "kind": "check",
        "goal": True,
        "op": "==",
        "unit": "",
    }
    if not BUILD_SCRIPT.exists():
        fig.update(value=None, passed=None, error="scripts/build_db.py not found")
        return [fig]
    probe = subprocess.run(
        [py, "-c", "import sqlite_utils"], env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if probe.returncode != 0:
        fig.update(value=None, passed=None, error="skipped: sqlite-utils is not installed (pip install -e '.[dev]')")
        return [fig]
    times, digests = [], []
    for i in range(runs):
        out = tmp / "build" / f"ics_{i}.sqlite"
        out.parent.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [py, str(BUILD_SCRIPT), "--out", str(out)],
            env=clean_env(),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0 or not out.exists():
            fig.update(
                value=None, passed=False, error=f"build exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-300:]}"
            )
            return [fig]
        digests.append(sha256(out))
        out.unlink()
    shutil.rmtree(tmp / "build", ignore_errors=True)
    med = statistics.median(times)
    fig.update(value=med, passed=med <= 15.0, seconds=stats(times))
    committed = sha256(DB) if DB.exists() else None
    identical = committed is not None and all(d == committed for d in digests)
    same.update(
        value=identical,
        passed=identical,
        detail="identical"
        if identical
        else (
            "builds differ from each other"
            if len(set(digests)) > 1
            else "differs from data/ics.sqlite (stale DB or non-deterministic build)"
        ),
    )
    return [fig, same]


def size_figure() -> dict:
    fig = {
        "name": "db-size",
        "label": "data/ics.sqlite size (MB = 10^6 bytes)",
        "kind": "size",
        "goal": 10.0,
        "op": "<=",
        "unit": "MB",
    }
    if not DB.exists():
        fig.update(value=None, passed=False, error=f"{DB} not found")
        return fig
    mb = DB.stat().st_size / 1e6
    fig.update(value=mb, passed=mb <= 10.0, bytes=DB.stat().st_size)
    try:  # where the bytes go (informational): the largest tables and indexes, if SQLite has dbstat
        conn = sqlite3.connect(DB.as_uri() + "?mode=ro", uri=True)
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        conn.close()
        fig["largest"] = {name: round(size / 1e6, 2) for name, size in rows[:6]}
        fig["boundaries_mb"] = next((round(size / 1e6, 2) for name, size in rows if name == "boundaries"), None)
    except sqlite3.Error:
        pass
    return fig


# The database before practices, PCNs, small areas and boundaries were added (issues 11 and 15):
# 17.1 MB, as the benchmark printed it at the stop of 2026-12-01 that landed before them.
DB_BASELINE_MB = 17.1
DB_GROWTH_GOAL_MB = 4.0  # issue 11: the database grows by no more than 4 MB
DB_CAP_MB = 25.0  # issue 15: with the boundaries, the database stays under 25 MB


def growth_figures(size: dict) -> list[dict]:
    """The database's growth since the baseline, and its size against the cap with boundaries."""
    if size.get("value") is None:
        return []
    grown = size["value"] - DB_BASELINE_MB
    growth = {
        "name": "db-growth",
        "label": f"growth since the {DB_BASELINE_MB} MB baseline (issue 11)",
        "kind": "size",
        "goal": DB_GROWTH_GOAL_MB,
        "op": "<=",
        "unit": "MB",
        "value": grown,
        "passed": grown <= DB_GROWTH_GOAL_MB,
        "detail": f"{DB_BASELINE_MB} -> {size['value']:.1f} MB",
    }
    cap = {
        "name": "db-cap",
        "label": "size with boundaries (issue 15)",
        "kind": "size",
        "goal": DB_CAP_MB,
        "op": "<",
        "unit": "MB",
        "value": size["value"],
        "passed": size["value"] < DB_CAP_MB,
        "detail": f"the boundaries table {size['boundaries_mb']} MB" if size.get("boundaries_mb") else "",
    }
    return [growth, cap]


# --- report ---------------------------------------------------------------------------------------


def fmt_value(fig: dict) -> str:
    v = fig.get("value")
    if v is None:
        return "-"
    if fig["kind"] == "ratio":
        return f"{v:.3f}x"
    if fig["kind"] in ("rate", "info"):
        return f"{v:,.0f} {fig['unit']}"
    if fig["kind"] == "seconds":
        return f"{v:.2f} s"
    if fig["kind"] == "size":
        return f"{v:.1f} MB"
    if fig["kind"] == "percent":
        return f"{v:.2f}%"
    if fig["kind"] == "check":
        return "yes" if v else "no"
    return str(v)


def fmt_goal(fig: dict) -> str:
    g = fig.get("goal")
    if g is None:
        return "-"
    if fig["kind"] == "ratio":
        return f"{fig['op']} {g:g}x"
    if fig["kind"] == "rate":
        return f"{fig['op']} {g:,.0f} {fig['unit']}"
    if fig["kind"] == "check":
        return "yes"
    if fig["kind"] == "percent":
        return f"{fig['op']} {g:g}%"
    return f"{fig['op']} {g:g} {fig['unit']}"


def fmt_detail(fig: dict) -> str:
    if fig.get("error"):
        return fig["error"][:70]
    if "a_ms" in fig:
        return f"A {fig['a_ms']['median']:.1f} ms / B {fig['b_ms']['median']:.1f} ms"
    if fig["name"] == "resolve-throughput":
        return f"{fig['lines']:,} lines in {fig['seconds']['median']:.2f} s, peak RSS {fig['peak_rss_mb'] or 0:.0f} MB"
    if fig["name"] == "resolve-memory":
        mb = [v["peak_rss_mb"] for v in fig["sizes"].values()]
        return " -> ".join(f"{m:.1f}" for m in mb if m is not None) + " MB"
    if fig["name"] == "resolve-memory-distinct":
        return f"{fig['base_rss_mb']:.1f} -> {fig['peak_rss_mb']:.1f} MB; {fig['ids_per_s']:,.0f} ids/s"
    if fig["name"].startswith(("diff-national", "map-")):
        return f"min {fig['seconds']['min']:.2f} s, max {fig['seconds']['max']:.2f} s, CPU {fig['cpu']['median']:.2f} s"
    if fig["name"] == "build-time":
        return f"min {fig['seconds']['min']:.2f} s, max {fig['seconds']['max']:.2f} s"
    if fig["name"] == "db-size":
        return f"{fig['bytes']:,} bytes"
    return fig.get("detail", "")


def final_table(figs: list[dict]) -> None:
    rows = [("figure", "value", "goal", "result", "detail")]
    rows += [(f["name"], fmt_value(f), fmt_goal(f), verdict(f), fmt_detail(f)) for f in figs]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    say("")
    for i, r in enumerate(rows):
        say("  ".join(c.ljust(w) if j in (0, 3, 4) else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            say("  ".join("-" * w for w in widths))


def main() -> int:
    global OUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=None, help="Pairs per start-up figure (default 21; 7 with --quick).")
    ap.add_argument("--quick", action="store_true", help="CI-friendly: fewer runs and smaller inputs (under ~40 s).")
    ap.add_argument("--json", action="store_true", help="Print the figures as JSON on stdout (the report goes to stderr).")
    ap.add_argument("--strict", action="store_true", help="Exit 1 if any figure fails its goal or a command errors.")
    ap.add_argument("--no-build", action="store_true", help="Skip the build-time figures.")
    ap.add_argument("--python", metavar="PATH", help="The interpreter the tool is installed for (default: this one).")
    args = ap.parse_args()
    runs = args.runs or (7 if args.quick else 21)
    warmup = 2 if args.quick else 3
    build_runs = 1 if args.quick else 3
    if runs < 1:
        ap.error("--runs must be at least 1")
    if args.json:
        OUT = sys.stderr

    started = time.perf_counter()
    py, notes = find_python(args.python)
    ics = find_ics(py)
    info = child_info(py)
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python_path": py,
        "python_version": info.get("python"),
        "implementation": info.get("implementation"),
        "versions": info.get("versions", {}),
        "ics": ics,
        "runs": runs,
        "warmup": warmup,
        "quick": args.quick,
        "git": git_state(),
    }
    say(
        f"ics benchmark  {meta['date']}  {meta['cpus']} CPUs, load {', '.join(f'{x:.2f}' for x in meta['loadavg_at_start'] or [])}"
    )
    say(f"  python {info.get('python')} at {py}; " + ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items()))
    say(f"  ics command: {' '.join(ics)}   git {meta['git']['commit']}{' (uncommitted changes)' if meta['git']['dirty'] else ''}")
    load = meta["loadavg_at_start"]
    if load and meta["cpus"] and load[0] > 0.5 * meta["cpus"]:
        notes.append(
            f"the machine is busy (load {load[0]:.2f} on {meta['cpus']} CPUs): expect noisier figures; paired ratios suffer least"
        )
    for n in notes:
        say(f"  note: {n}")
    say(
        f"  start-up figures: {runs} alternating pairs (A B A B ...) after {warmup} warm-up runs of each; "
        "ratio = median of per-pair A/B"
    )
    precompile(py)

    figs: list[dict] = []
    neutral = tempfile.mkdtemp(prefix="ics-bench-")
    tmp = Path(neutral)
    try:
        env = clean_env()
        tty = clean_env(ICS_FORCE_TTY="1")
        show_json = [*ics, "show", "QHM", "--format", "json"]
        p_typer = [py, "-c", "import typer"]
        p_pass = [py, "-c", "pass"]
        p_rich = [py, "-c", "import typer, rich.table"]
        show_table = [*ics, "show", "QHM"]
        search = [*ics, "search", "north cumbria", "--format", "json"]
        diff_lookup = [*ics, "diff", "2022-06-30", "2022-07-01", "--in", "02Q", "--format", "json"]
        fuzzy = [*ics, "search", "manchestr", "--format", "json"]

        say("\nStart-up (whole processes, stdout to a pipe)")
        specs = [
            (
                "show-json/typer",
                'ics show QHM --format json  vs  python -c "import typer"',
                (show_json, env),
                (p_typer, env),
                1.2,
                "ics show QHM --format json",
                'python -c "import typer"',
            ),
            (
                "show-json/pass",
                "ics show QHM --format json  vs  python -c pass",
                (show_json, env),
                (p_pass, env),
                7.0,
                "ics show QHM --format json",
                "python -c pass",
            ),
            (
                "show-table/rich",
                'ICS_FORCE_TTY=1 ics show QHM (Rich table)  vs  python -c "import typer, rich.table"',
                (show_table, tty),
                (p_rich, tty),
                1.2,
                "ICS_FORCE_TTY=1 ics show QHM",
                'python -c "import typer, rich.table"',
            ),
            (
                "search/show",
                'ics search "north cumbria" --format json  vs  ics show QHM --format json',
                (search, env),
                (show_json, env),
                1.2,
                'ics search "north cumbria" --format json',
                "ics show QHM --format json",
            ),
            (
                "search-fuzzy/show",
                "ics search manchestr --format json (misspelt)  vs  ics show QHM --format json",
                (fuzzy, env),
                (show_json, env),
                1.2,
                "ics search manchestr --format json",
                "ics show QHM --format json",
            ),
            (
                "diff-lookup/show",
                "ics diff 2022-06-30 2022-07-01 --in 02Q --format json  vs  ics show QHM --format json",
                (diff_lookup, env),
                (show_json, env),
                1.5,
                "ics diff ... --in 02Q --format json",
                "ics show QHM --format json",
            ),
        ]
        for cmd, e in {tuple(c): e for _, _, a, b, *_ in specs for c, e in (a, b)}.items():
            subprocess.run(
                list(cmd), env=e, cwd=neutral, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )  # settle: page cache, .pyc files
        for name, label, a, b, goal, a_label, b_label in specs:
            fig = paired(name, label, a, b, goal, runs, warmup, neutral)
            figs.append(fig)
            show_ratio(fig, a_label, b_label)

        say("\nDiff and map (whole processes, national, all kinds)")
        for fig in diff_map_figures(ics, env, neutral, 3 if args.quick else 7):
            figs.append(fig)
            if fig.get("error"):
                say(f"  {fig['label']}: ERROR {fig['error']}")
                continue
            goal = f"goal <= {fig['goal']:g} s   " if fig.get("goal") else ""
            say(
                f"  {fig['label']}: median {fig['value']:.2f} s (min {fig['seconds']['min']:.2f}, max {fig['seconds']['max']:.2f}; "
                f"CPU {fig['cpu']['median']:.2f} s; n={fig['runs']})   {goal}{verdict(fig)}"
            )

        say("\nResolve (whole process, stdout to /dev/null)")
        if DB.exists():
            pool = resolve_pool(DB)
            for fig in resolve_figures(ics, pool, tmp, neutral, args.quick):
                figs.append(fig)
                if fig.get("error"):
                    say(f"  {fig['label']}: ERROR {fig['error']}")
                    continue
                if fig["name"] == "resolve-throughput":
                    s = fig["seconds"]
                    say(f"  {fig['label']}")
                    say(
                        f"    {fig['value']:,.0f} ids/s   goal >= 50,000   {verdict(fig)}   "
                        f"(median {s['median']:.2f} s, min {s['min']:.2f}, max {s['max']:.2f}; n={fig['runs']}; "
                        f"peak RSS {fig['peak_rss_mb'] or 0:.0f} MB)"
                    )
                    if fig.get("summary"):
                        say(f"    stderr: {fig['summary'][0]}")
                elif fig["name"] == "resolve-memory":
                    say(f"  {fig['label']}")
                    parts = [
                        f"{int(k):,} lines: {v['peak_rss_mb']:.1f} MB in {v['seconds']:.2f} s"
                        for k, v in fig["sizes"].items()
                        if v["peak_rss_mb"] is not None
                    ]
                    say(f"    {'; '.join(parts)}")
                    say(f"    ratio {fig['value']:.3f}x   goal <= 1.10x   {verdict(fig)}")
                    if fig.get("marginal_ids_per_s"):
                        say(
                            f"    marginal rate {fig['marginal_ids_per_s']:,.0f} ids/s after a fixed cost of "
                            f"{fig['fixed_cost_s']:.2f} s (start-up, loading, first sight of each distinct value), from the two sizes"
                        )
                else:
                    say(f"  {fig['label']}")
                    say(
                        f"    {fig['base_rss_mb']:.1f} MB -> {fig['peak_rss_mb']:.1f} MB: ratio {fig['value']:.3f}x   goal <= 1.10x   "
                        f"{verdict(fig)}   ({fig['ids_per_s']:,.0f} ids/s, {fig['seconds']:.2f} s)"
                    )
        else:
            figs.append(
                {
                    "name": "resolve-throughput",
                    "label": "resolve",
                    "kind": "rate",
                    "goal": 50_000,
                    "op": ">=",
                    "unit": "ids/s",
                    "value": None,
                    "passed": False,
                    "error": f"{DB} not found",
                }
            )
            say(f"  ERROR {DB} not found")

        say("\nGP practices in the CCG era (whole processes)")
        if DB.exists():
            for fig in practice_figures(ics, DB, tmp, neutral, args.quick):
                figs.append(fig)
                if fig.get("error"):
                    say(f"  {fig['label']}: ERROR {fig['error']}")
                elif fig["kind"] == "percent":
                    say(f"  {fig['label']}: {fig['value']:.2f}% ({fig['detail']})   goal >= {COVERAGE_GOAL}%   {verdict(fig)}")
                else:
                    say(f"  {fig['label']}")
                    say(f"    {fig['value']:,.0f} ids/s   goal >= {PRACTICE_RATE_GOAL:,}   {verdict(fig)}   ({fig['detail']})")

        say("\nThe join engine: a date per row, three levels (whole processes, rows per CPU second)")
        if DB.exists():
            for fig in join_figures(ics, DB, tmp, neutral, args.quick):
                figs.append(fig)
                if fig.get("error"):
                    say(f"  {fig['label']}: ERROR {fig['error']}")
                    continue
                say(f"  {fig['label']}")
                goal = f"goal {fmt_goal(fig)}   {verdict(fig)}" if fig.get("goal") else "(info)"
                say(f"    {fmt_value(fig)}   {goal}   ({fig['detail']})")

        say("\nBuild and size")
        if not args.no_build:
            for fig in build_figures(py, tmp, build_runs):
                figs.append(fig)
                if fig.get("error"):
                    say(f"  {fig['label']}: {fig['error']}")
                elif fig["name"] == "build-time":
                    s = fig["seconds"]
                    say(
                        f"  {fig['label']}: median {s['median']:.2f} s (min {s['min']:.2f}, max {s['max']:.2f}; n={fig['runs']})"
                        f"   goal <= 15 s   {verdict(fig)}"
                    )
                else:
                    say(f"  {fig['label']}: {fig['detail']}   {verdict(fig)}")
        fig = size_figure()
        figs.append(fig)
        if fig.get("error"):
            say(f"  {fig['label']}: ERROR {fig['error']}")
        else:
            say(f"  {fig['label']}: {fig['value']:.1f} MB   goal <= 10 MB   {verdict(fig)}")
            if fig.get("largest"):
                say("    largest: " + ", ".join(f"{k} {v:.1f}" for k, v in fig["largest"].items()))
            for extra in growth_figures(fig):
                figs.append(extra)
                say(f"  {extra['label']}: {extra['value']:.1f} MB   goal {extra['op']} {extra['goal']:g} MB   {verdict(extra)}")
    finally:
        shutil.rmtree(neutral, ignore_errors=True)

    final_table(figs)
    meta["elapsed_s"] = round(time.perf_counter() - started, 1)
    meta["loadavg_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    failed = [f["name"] for f in figs if f.get("passed") is False]
    say(
        f"\n{len(failed)} of {sum(1 for f in figs if f.get('passed') is not None)} goals not met"
        + (f" ({', '.join(failed)})" if failed else "")
        + f"; {meta['elapsed_s']} s in all."
        + ("" if args.strict else " Informational: exit 0 (use --strict to fail).")
    )
    if args.json:
        json.dump({"meta": meta, "figures": figs}, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
