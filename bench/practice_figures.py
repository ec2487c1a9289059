"""GP practices, past days and a date per row: ``practice-ccg-YYYY`` (the share of the practices open
on 31 March that ``resolve --to ccg --as-of`` gives a CCG, issue 11), ``resolve-practices`` (that
historical resolve, ids per CPU second) and the join engine of issue 12: ``resolve-dated-3-levels``,
``resolve-dated-monthly`` (rows per CPU second of ``--date-column month --to icb,sub-icb,region``)
and ``resolve-memory-dated`` (peak RSS at a large input / a small one)."""

from __future__ import annotations

import random
import statistics
import subprocess
from pathlib import Path

from common import DB, CommandFailed, Run, clean_env, connect_ro, run_usage, say, stats, write_input
from report import fmt_goal, fmt_value, said_error, show_rate, verdict

COVERAGE_YEARS = range(2015, 2020)
COVERAGE_GOAL = 99.5  # percent of the practices open on 31 March that resolve to a CCG (issue 11)
PRACTICE_RATE_GOAL = 100_000

JOIN_LEVELS = "icb,sub-icb,region"
JOIN_RATE_GOAL = 50_000
JOIN_MEMORY_GOAL = 1.2


def rate_per_cpu(fig: dict, cmd: list[str], rows: int, runs: int, env: dict[str, str], cwd: str) -> list[dict]:
    """Run `cmd` once to warm up, then `runs` times; set the figure's value to rows per median CPU
    second (judged against its goal, if it has one), with the wall-time rate beside it."""
    run_usage(cmd, env, cwd)  # warm-up
    done = [run_usage(cmd, env, cwd) for _ in range(runs)]
    cpu, wall = statistics.median(d["cpu"] for d in done), statistics.median(d["wall"] for d in done)
    goal = fig["goal"]
    fig.update(value=rows / cpu, passed=(rows / cpu >= goal) if goal else None, cpu=stats([d["cpu"] for d in done]))
    fig.update(seconds=stats([d["wall"] for d in done]), wall_rate=rows / wall)
    return done


# --- practices in the CCG era ----------------------------------------------------------------------


def practices_open(db_path: Path, day: str) -> list[str]:
    conn = connect_ro(db_path)
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
        rate_per_cpu(fig, cmd, n, runs, env, cwd)
        cpu, wall = fig["cpu"]["median"], fig["seconds"]["median"]
        fig["detail"] = f"{n:,} lines: CPU {cpu:.2f} s, wall {wall:.2f} s ({n / wall:,.0f} ids/s of wall time)"
    except CommandFailed as e:
        fig.update(value=None, passed=False, error=str(e))
    finally:
        path.unlink(missing_ok=True)
        (tmp / "practices_2017.txt").unlink(missing_ok=True)
    figs.append(fig)
    return figs


# --- the join engine (issue 12) ----------------------------------------------------------------------


def practice_months(db_path: Path, path: Path, rows: int, monthly: bool, seed: int = 20261202) -> None:
    """A CSV of GP practice codes and months (practice,month,items). `monthly`: every practice open
    in each month, month after month from January 2020 (a monthly extract); otherwise random
    practices on random months of their lives, April 2013 to the data's last month."""
    conn = connect_ro(db_path)
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
            done = rate_per_cpu(fig, cmd(path), n, runs, env, cwd)
            cpu, wall = fig["cpu"]["median"], fig["seconds"]["median"]
            fig["peak_rss_mb"] = max(d["rss_mb"] for d in done)
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
                sizes[n] = run_usage(cmd(path), env, cwd)
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


# --- the sections -----------------------------------------------------------------------------------


def practice_section(run: Run) -> list[dict]:
    """Measure and report the CCG-era practice figures (nothing without the database)."""
    if not DB.exists():
        return []
    figs = practice_figures(run.ics, DB, run.tmp, run.cwd, run.quick)
    for fig in figs:
        if said_error(fig):
            continue
        if fig["kind"] == "percent":
            say(f"  {fig['label']}: {fmt_value(fig)} ({fig['detail']})   goal {fmt_goal(fig)}   {verdict(fig)}")
        else:  # this goal has always been worded without its unit
            show_rate(fig, goal=f"goal >= {PRACTICE_RATE_GOAL:,}   {verdict(fig)}")
    return figs


def join_section(run: Run) -> list[dict]:
    """Measure and report the join engine's figures (nothing without the database)."""
    if not DB.exists():
        return []
    figs = join_figures(run.ics, DB, run.tmp, run.cwd, run.quick)
    for fig in figs:
        if not said_error(fig):
            show_rate(fig)
    return figs
