"""Whole-command timings: the paired start-up figures (``show-json/typer``, ``show-json/pass``,
``show-table/rich``, ``search/show``, ``search-fuzzy/show``, ``diff-lookup/show``) and the median
seconds of the national diffs, the SVG map and the crosswalk exports (``diff-national-*``,
``map-svg``, ``crosswalk-*``).

A paired figure runs A and B alternately (A B A B ...) after warm-up runs, each timed as a whole
process with stdout to a pipe; each pair gives one ratio A/B and the figure is the median ratio.
Pairing cancels most of the drift in a busy machine's speed, which unpaired medians do not."""

from __future__ import annotations

import statistics
import subprocess

from common import CommandFailed, Run, clean_env, run_once, run_usage, stats
from report import said_error, show_ratio, show_seconds

# Any two days nationally, all kinds, must take under a second (issue 15): the widest span, the two
# reorganisations and an ordinary year. The map figure is informational.
DIFFS = [("2013-04-01", "2026-08-01"), ("2022-06-30", "2022-07-01"), ("2026-03-31", "2026-04-01"), ("2023-01-01", "2024-01-01")]
# export crosswalk FROM TO timed whole (informational): the largest tables, and an area to districts.
CROSSWALKS = [("practice", "icb"), ("lsoa", "sub-icb"), ("ccg", "la")]


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


def startup_specs(run: Run) -> list[tuple]:
    """(name, label, A, B, goal, A's label, B's label) of each paired figure; A and B are (command, env)."""
    ics, py = run.ics, run.py
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
    return [
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


def startup_section(run: Run) -> list[dict]:
    """Measure and report the paired start-up figures."""
    specs = startup_specs(run)
    for cmd, e in {tuple(c): e for _, _, a, b, *_ in specs for c, e in (a, b)}.items():
        subprocess.run(
            list(cmd), env=e, cwd=run.cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )  # settle: page cache, .pyc files
    figs = []
    for name, label, a, b, goal, a_label, b_label in specs:
        fig = paired(name, label, a, b, goal, run.runs, run.warmup, run.cwd)
        figs.append(fig)
        show_ratio(fig, a_label, b_label)
    return figs


def diff_map_figures(ics: list[str], env: dict[str, str], cwd: str, runs: int) -> list[dict]:
    figs = []
    cases = [(f"diff-national-{a[:4]}-{b[:4]}", f"diff {a} {b}", [*ics, "diff", a, b, "--format", "json"], 1.0) for a, b in DIFFS]
    cases.append(("map-svg", "map QOP --format svg", [*ics, "map", "QOP", "--format", "svg"], None))
    # The dated interval tables (issue 12): the whole table, written to a pipe (informational).
    for frm, to in CROSSWALKS:
        cases.append((f"crosswalk-{frm}-{to}", f"export crosswalk {frm} {to}", [*ics, "export", "crosswalk", frm, to], None))
    for name, label, cmd, goal in cases:
        fig = {"name": name, "label": f"ics {label}", "kind": "seconds", "goal": goal, "op": "<=", "unit": "s", "runs": runs}
        n = min(runs, 3) if name.startswith("crosswalk") else runs
        try:
            run_once(cmd, env, cwd)  # warm-up
            timed = [run_usage(cmd, env, cwd) for _ in range(n)]
        except CommandFailed as e:
            fig.update(value=None, passed=False, error=str(e))
            figs.append(fig)
            continue
        times, cpu = [t["wall"] for t in timed], [t["cpu"] for t in timed]
        value = statistics.median(times)
        fig.update(value=value, seconds=stats(times), cpu=stats(cpu), passed=None if goal is None else value <= goal)
        figs.append(fig)
    return figs


def diff_map_section(run: Run) -> list[dict]:
    """Measure and report the national diffs and the map (whole processes, median seconds)."""
    figs = diff_map_figures(run.ics, clean_env(), run.cwd, 3 if run.quick else 7)
    for fig in figs:
        if not said_error(fig):
            show_seconds(fig)
    return figs
