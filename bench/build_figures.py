"""The build and the shipped file: ``build-time`` (median seconds of ``scripts/build_db.py``),
``rebuild-identical`` (every rebuild is byte-identical to ``data/ics.sqlite``), ``db-size`` (with
its largest tables), ``db-growth`` (issue 11) and ``db-cap`` (issue 15)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path

from common import BUILD_SCRIPT, DB, ROOT, Run, clean_env, connect_ro, say, stats
from report import fmt_goal, fmt_value, said_error, show_seconds, verdict

BUILD_GOAL_S = 15.0
SIZE_GOAL_MB = 10.0
# The database before practices, PCNs, small areas and boundaries were added (issues 11 and 15):
# 17.1 MB, as the benchmark printed it at the stop of 2026-12-01 that landed before them.
DB_BASELINE_MB = 17.1
DB_GROWTH_GOAL_MB = 4.0  # issue 11: the database grows by no more than 4 MB
DB_CAP_MB = 25.0  # issue 15: with the boundaries, the database stays under 25 MB


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
        "goal": BUILD_GOAL_S,
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
    fig.update(value=med, passed=med <= BUILD_GOAL_S, seconds=stats(times))
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
        "goal": SIZE_GOAL_MB,
        "op": "<=",
        "unit": "MB",
    }
    if not DB.exists():
        fig.update(value=None, passed=False, error=f"{DB} not found")
        return fig
    mb = DB.stat().st_size / 1e6
    fig.update(value=mb, passed=mb <= SIZE_GOAL_MB, bytes=DB.stat().st_size)
    try:  # where the bytes go (informational): the largest tables and indexes, if SQLite has dbstat
        conn = connect_ro(DB)
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        conn.close()
        fig["largest"] = {name: round(size / 1e6, 2) for name, size in rows[:6]}
        fig["boundaries_mb"] = next((round(size / 1e6, 2) for name, size in rows if name == "boundaries"), None)
    except sqlite3.Error:
        pass
    return fig


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


def build_section(run: Run) -> list[dict]:
    """Measure and report the build (unless --no-build), then the database's size figures."""
    figs = [] if run.no_build else build_figures(run.py, run.tmp, run.build_runs)
    for fig in figs:
        if fig.get("error"):  # "skipped: ..." is an error too, so no ERROR prefix
            say(f"  {fig['label']}: {fig['error']}")
        elif fig["name"] == "build-time":
            show_seconds(fig)
        else:
            say(f"  {fig['label']}: {fig['detail']}   {verdict(fig)}")
    size = size_figure()
    figs.append(size)
    if said_error(size):
        return figs
    say(f"  {size['label']}: {fmt_value(size)}   goal {fmt_goal(size)}   {verdict(size)}")
    if size.get("largest"):
        say("    largest: " + ", ".join(f"{k} {v:.1f}" for k, v in size["largest"].items()))
    for extra in growth_figures(size):
        figs.append(extra)
        say(f"  {extra['label']}: {fmt_value(extra)}   goal {fmt_goal(extra)}   {verdict(extra)}")
    return figs
