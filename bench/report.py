"""How figures read: the verdict, the value, goal and detail columns of the final table, the table
itself and the report lines that several sections share (an error, a paired ratio, a median of
seconds, a rate per CPU second). A figure is a plain dict (see the sections' modules); this module
only reads it."""

from __future__ import annotations

from common import say


def verdict(fig: dict) -> str:
    if fig.get("error"):
        return "ERROR"
    if fig.get("passed") is None:
        return "info"
    return "PASS" if fig["passed"] else "FAIL"


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
    if fig["name"].startswith(("diff-national", "map-", "crosswalk-")):
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


# --- report lines shared by the sections ----------------------------------------------------------


def said_error(fig: dict) -> bool:
    """Report a figure's error on its own line; True if it had one (and nothing more is to be said)."""
    if fig.get("error"):
        say(f"  {fig['label']}: ERROR {fig['error']}")
        return True
    return False


def show_ratio(fig: dict, a_label: str, b_label: str) -> None:
    """A paired figure: the median ratio, then each side's median, min and max."""
    if said_error(fig):
        return
    r, a, b = fig["ratio"], fig["a_ms"], fig["b_ms"]
    say(f"  {fig['label']}")
    say(
        f"    ratio {fig['value']:.3f}x (pairs: min {r['min']:.3f}, max {r['max']:.3f}; n={fig['runs']})"
        f"   goal <= {fig['goal']:g}x   {verdict(fig)}"
    )
    say(f"    A {a_label:<44} median {a['median']:7.1f} ms  (min {a['min']:.1f}, max {a['max']:.1f})")
    say(f"    B {b_label:<44} median {b['median']:7.1f} ms  (min {b['min']:.1f}, max {b['max']:.1f})")


def show_seconds(fig: dict) -> None:
    """A median of seconds on one line, with the child's CPU seconds where they were measured."""
    s = fig["seconds"]
    cpu = f"; CPU {fig['cpu']['median']:.2f} s" if "cpu" in fig else ""
    goal = f"goal {fmt_goal(fig)}   " if fig.get("goal") else ""
    say(
        f"  {fig['label']}: median {s['median']:.2f} s (min {s['min']:.2f}, max {s['max']:.2f}{cpu}; n={fig['runs']})"
        f"   {goal}{verdict(fig)}"
    )


def show_rate(fig: dict, goal: str | None = None) -> None:
    """A rate on the line under its label, with its detail; `goal` words the goal where the figure
    does not (the default is the final table's goal column, or "(info)" without a goal)."""
    say(f"  {fig['label']}")
    goal = goal or (f"goal {fmt_goal(fig)}   {verdict(fig)}" if fig.get("goal") else "(info)")
    say(f"    {fmt_value(fig)}   {goal}   ({fig['detail']})")
