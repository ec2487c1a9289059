"""The resolver on a realistic sheet: ``resolve-throughput`` (ids per second of a whole
``ics resolve --to icb`` process over 200,000 lines), ``resolve-memory`` (peak RSS at a large
input / a small one of the same distinct values) and ``resolve-memory-distinct`` (peak RSS with
(nearly) every line distinct, full runs only), and the input pool they draw on."""

from __future__ import annotations

import random
import statistics
import string
from pathlib import Path

from common import DB, CommandFailed, Run, clean_env, connect_ro, run_usage, say, stats, write_input
from report import said_error, verdict

RATE_GOAL = 50_000
MEMORY_GOAL = 1.10

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
    conn = connect_ro(db_path)
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

    def measure(n: int, distinct: bool = False, repeat: int = 1) -> list[dict]:
        path = tmp / f"resolve_{n}{'_distinct' if distinct else ''}.txt"
        write_input(path, pool, n, distinct=distinct)
        try:
            return [run_usage(cmd(path), env, cwd) for _ in range(repeat)]
        finally:
            path.unlink()

    fig = {
        "name": "resolve-throughput",
        "label": f"ics resolve --to icb --format tsv FILE ({n_main:,} lines, {len(pool):,} distinct)",
        "kind": "rate",
        "goal": RATE_GOAL,
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
        "goal": MEMORY_GOAL,
        "op": "<=",
        "unit": "x",
        "sizes": {},
    }
    dist = {
        "name": "resolve-memory-distinct",
        "label": f"resolve peak RSS, {n_dist or 0:,} (nearly) distinct lines / {small:,} repeating lines",
        "kind": "ratio",
        "goal": MEMORY_GOAL,
        "op": "<=",
        "unit": "x",
        "lines": n_dist,
    }
    try:
        per: dict[int, dict] = {}
        (first,) = measure(small)  # also the warm-up
        per[small] = {"seconds": first["wall"], "peak_rss_mb": first["rss_mb"]}
        main_runs = measure(n_main, repeat=runs)
        times = [r["wall"] for r in main_runs]
        rsss = [r["rss_mb"] for r in main_runs if r["rss_mb"]]
        summary = main_runs[-1]["stderr"]
        med = statistics.median(times)
        fig.update(
            value=n_main / med,
            passed=n_main / med >= RATE_GOAL,
            seconds=stats(times),
            peak_rss_mb=max(rsss) if rsss else None,
            summary=summary.strip().splitlines()[-1:] or None,
        )
        if f"of {n_main:,} input rows" not in summary:
            fig.update(passed=False, error=f"summary does not count {n_main:,} rows: {summary.strip()[-200:]}")
        if large == n_main:
            per[large] = {"seconds": med, "peak_rss_mb": max(rsss) if rsss else None}
        else:
            (last,) = measure(large)
            per[large] = {"seconds": last["wall"], "peak_rss_mb": last["rss_mb"]}
        mem["sizes"] = {str(k): v for k, v in per.items()}
        if per[small]["peak_rss_mb"] and per[large]["peak_rss_mb"]:
            ratio = per[large]["peak_rss_mb"] / per[small]["peak_rss_mb"]
            mem.update(value=ratio, passed=ratio <= MEMORY_GOAL)
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
        (done,) = measure(n_dist, distinct=True)
        t, rss_mb = done["wall"], done["rss_mb"]
        base = (mem.get("sizes") or {}).get(str(small), {}).get("peak_rss_mb")
        dist.update(seconds=t, ids_per_s=n_dist / t, peak_rss_mb=rss_mb)
        if rss_mb and base:
            dist.update(value=rss_mb / base, passed=rss_mb / base <= MEMORY_GOAL, base_rss_mb=base)
        else:
            dist.update(value=None, passed=None, error="peak RSS not available")
    except CommandFailed as e:
        dist.update(value=None, passed=False, error=str(e))
    figs.append(dist)
    return figs


def resolve_section(run: Run) -> list[dict]:
    """Measure and report the resolve figures (an error figure if the database is missing)."""
    if not DB.exists():
        say(f"  ERROR {DB} not found")
        return [
            {
                "name": "resolve-throughput",
                "label": "resolve",
                "kind": "rate",
                "goal": RATE_GOAL,
                "op": ">=",
                "unit": "ids/s",
                "value": None,
                "passed": False,
                "error": f"{DB} not found",
            }
        ]
    figs = resolve_figures(run.ics, resolve_pool(DB), run.tmp, run.cwd, run.quick)
    for fig in figs:
        if said_error(fig):
            continue
        say(f"  {fig['label']}")
        if fig["name"] == "resolve-throughput":
            s = fig["seconds"]
            say(
                f"    {fig['value']:,.0f} ids/s   goal >= {RATE_GOAL:,}   {verdict(fig)}   "
                f"(median {s['median']:.2f} s, min {s['min']:.2f}, max {s['max']:.2f}; n={fig['runs']}; "
                f"peak RSS {fig['peak_rss_mb'] or 0:.0f} MB)"
            )
            if fig.get("summary"):
                say(f"    stderr: {fig['summary'][0]}")
        elif fig["name"] == "resolve-memory":
            parts = [
                f"{int(k):,} lines: {v['peak_rss_mb']:.1f} MB in {v['seconds']:.2f} s"
                for k, v in fig["sizes"].items()
                if v["peak_rss_mb"] is not None
            ]
            say(f"    {'; '.join(parts)}")
            say(f"    ratio {fig['value']:.3f}x   goal <= {MEMORY_GOAL:.2f}x   {verdict(fig)}")
            if fig.get("marginal_ids_per_s"):
                say(
                    f"    marginal rate {fig['marginal_ids_per_s']:,.0f} ids/s after a fixed cost of "
                    f"{fig['fixed_cost_s']:.2f} s (start-up, loading, first sight of each distinct value), from the two sizes"
                )
        else:
            say(
                f"    {fig['base_rss_mb']:.1f} MB -> {fig['peak_rss_mb']:.1f} MB: ratio {fig['value']:.3f}x   "
                f"goal <= {MEMORY_GOAL:.2f}x   {verdict(fig)}   ({fig['ids_per_s']:,.0f} ids/s, {fig['seconds']:.2f} s)"
            )
    return figs
