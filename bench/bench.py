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
  crosswalk-*       ``ics export crosswalk FROM TO`` (practice icb, lsoa sub-icb, ccg la), seconds (info)
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

This module parses the command line and runs the sections in order; the figures are measured and
reported by the modules beside it (startup, resolve_figures, practice_figures, build_figures; shared
helpers in common and report), listed in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from build_figures import build_section
from common import Run, child_info, find_ics, find_python, git_state, precompile, report_to, say
from practice_figures import join_section, practice_section
from report import final_table
from resolve_figures import resolve_section
from startup import diff_map_section, startup_section

# The sections in the order they run, each under its heading; each measures, reports and returns its figures.
SECTIONS = [
    ("Start-up (whole processes, stdout to a pipe)", startup_section),
    ("Diff and map (whole processes, national, all kinds)", diff_map_section),
    ("Resolve (whole process, stdout to /dev/null)", resolve_section),
    ("GP practices in the CCG era (whole processes)", practice_section),
    ("The join engine: a date per row, three levels (whole processes, rows per CPU second)", join_section),
    ("Build and size", build_section),
]


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=None, help="Pairs per start-up figure (default 21; 7 with --quick).")
    ap.add_argument("--quick", action="store_true", help="CI-friendly: fewer runs and smaller inputs (under ~40 s).")
    ap.add_argument("--json", action="store_true", help="Print the figures as JSON on stdout (the report goes to stderr).")
    ap.add_argument("--strict", action="store_true", help="Exit 1 if any figure fails its goal or a command errors.")
    ap.add_argument("--no-build", action="store_true", help="Skip the build-time figures.")
    ap.add_argument("--python", metavar="PATH", help="The interpreter the tool is installed for (default: this one).")
    args = ap.parse_args()
    args.runs = args.runs or (7 if args.quick else 21)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


def loadavg() -> list[float] | None:
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def header(meta: dict, info: dict, notes: list[str]) -> None:
    """The report's opening lines: when, where, with what, and notes on how far to trust the figures."""
    say(
        f"ics benchmark  {meta['date']}  {meta['cpus']} CPUs, load {', '.join(f'{x:.2f}' for x in meta['loadavg_at_start'] or [])}"
    )
    say(
        f"  python {info.get('python')} at {meta['python_path']}; "
        + ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items())
    )
    say(
        f"  ics command: {' '.join(meta['ics'])}   git {meta['git']['commit']}{' (uncommitted changes)' if meta['git']['dirty'] else ''}"
    )
    load = meta["loadavg_at_start"]
    if load and meta["cpus"] and load[0] > 0.5 * meta["cpus"]:
        notes.append(
            f"the machine is busy (load {load[0]:.2f} on {meta['cpus']} CPUs): expect noisier figures; paired ratios suffer least"
        )
    for n in notes:
        say(f"  note: {n}")
    say(
        f"  start-up figures: {meta['runs']} alternating pairs (A B A B ...) after {meta['warmup']} warm-up runs of each; "
        "ratio = median of per-pair A/B"
    )


def main() -> int:
    args = parse_args()
    runs = args.runs
    warmup = 2 if args.quick else 3
    if args.json:
        report_to(sys.stderr)

    started = time.perf_counter()
    py, notes = find_python(args.python)
    ics = find_ics(py)
    info = child_info(py)
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": loadavg(),
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
    header(meta, info, notes)
    precompile(py)

    figs: list[dict] = []
    neutral = tempfile.mkdtemp(prefix="ics-bench-")
    run = Run(
        py=py,
        ics=ics,
        cwd=neutral,
        tmp=Path(neutral),
        quick=args.quick,
        runs=runs,
        warmup=warmup,
        build_runs=1 if args.quick else 3,
        no_build=args.no_build,
    )
    try:
        for heading, section in SECTIONS:
            say("\n" + heading)
            figs += section(run)
    finally:
        shutil.rmtree(neutral, ignore_errors=True)

    final_table(figs)
    meta["elapsed_s"] = round(time.perf_counter() - started, 1)
    meta["loadavg_at_end"] = loadavg()
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
