"""A map as SVG for a report: one path per area (the subject, each member, each neighbour), the
same letters and colours as the terminal map, a legend, the boundaries' editions and the
attribution the ONS licence asks for. Deterministic: the same map gives the same bytes."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ics_cli.maps import terminal
from ics_cli.maps.areas import Plan
from ics_cli.maps.shapes import Page, aspect, decode

WIDTH = 800
MARGIN = 16
LINE = 18  # legend line height
NEIGHBOUR_FILLS = ("#e6e6e6", "#d9d9d9", "#ececec", "#d0d0d0")


def render(plan: Plan, title: str, attribution: str) -> str:
    map_w = WIDTH - 2 * MARGIN
    map_h = round(map_w * min(aspect(plan.box), 1.4))
    page = Page(plan.box, map_w, map_h)
    names = terminal.labels(plan)
    fills = _fills(plan)
    legend = _legend_rows(plan, names)
    height = MARGIN + 28 + map_h + 12 + LINE * (len(legend) + 1 + len(_wrap(attribution, 110))) + MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="16" font-weight="bold">{escape(title)}</text>',
        f'<clipPath id="view"><rect x="0" y="0" width="{map_w}" height="{map_h}"/></clipPath>',
        f'<g transform="translate({MARGIN},{MARGIN + 28})"><g clip-path="url(#view)">',
    ]
    order = sorted(range(len(plan.areas)), key=lambda i: ("neighbour", "member", "subject").index(plan.areas[i].role))
    has_members = any(a.role == "member" for a in plan.areas)
    for i in order:
        a = plan.areas[i]
        outline = a.role == "subject" and has_members
        style = (
            'fill="none" stroke="#222222" stroke-width="2"'
            if outline
            else f'fill="{fills[i]}" stroke="#ffffff" stroke-width="{1 if a.role == "neighbour" else 1.2}"'
        )
        d = " ".join(_ring_path(ring, page) for polygon in decode(a.shape) for ring in polygon)
        label = f"{a.name} ({a.code})"
        out.append(
            f'<path id={quoteattr(a.org_id)} class="{a.role}" fill-rule="evenodd" {style} d="{d}">'
            f"<title>{escape(label)}: {a.role}, boundary {escape(a.edition)}</title></path>"
        )
    out.append("</g>")
    for (x, y), i in _label_points(plan, map_w, map_h).items():
        colour = "#555555" if plan.areas[i].role == "neighbour" else "#111111"
        out.append(
            f'<text x="{x}" y="{y}" text-anchor="middle" dominant-baseline="central" font-weight="bold" '
            f'fill="{colour}">{escape(names[i])}</text>'
        )
    out.append("</g>")
    y = MARGIN + 28 + map_h + 12
    for letter, fill, text, heading in legend:
        y += LINE
        if heading:
            out.append(f'<text x="{MARGIN}" y="{y}" font-weight="bold">{escape(text)}</text>')
            continue
        out.append(f'<rect x="{MARGIN}" y="{y - 11}" width="14" height="14" fill="{fill}" stroke="#999999" stroke-width="0.5"/>')
        out.append(f'<text x="{MARGIN + 20}" y="{y}" font-weight="bold">{escape(letter)}</text>')
        out.append(f'<text x="{MARGIN + 38}" y="{y}">{escape(text)}</text>')
    for line in (f"Boundaries: {', '.join(plan.editions)} (as on {plan.drawn}).", *_wrap(attribution, 110)):
        y += LINE
        out.append(f'<text x="{MARGIN}" y="{y}" font-size="11" fill="#555555">{escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _fills(plan: Plan) -> list[str]:
    fills = terminal.colours(plan)
    n = 0
    for i, a in enumerate(plan.areas):
        if a.role == "neighbour":
            fills[i] = NEIGHBOUR_FILLS[n % len(NEIGHBOUR_FILLS)]
            n += 1
    return fills


def _ring_path(ring, page: Page) -> str:
    pts = [page(x, y) for x, y in ring[:-1]]
    return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + " Z"


def _label_points(plan: Plan, map_w: int, map_h: int) -> dict[tuple[float, float], int]:
    """Where each letter goes: the terminal's choice of cell, on a grid of 8-pixel cells."""
    cols, rows = max(1, map_w // 8), max(1, map_h // 8)
    grid = terminal.raster(plan, cols, rows)
    cells = terminal.label_cells(plan, grid, cols, rows, terminal.labels(plan))
    sx, sy = map_w / cols, map_h / rows
    return {(round((c + 0.5) * sx, 1), round((r + 0.5) * sy, 1)): i for (c, r), i in sorted(cells.items())}


def _legend_rows(plan: Plan, names: list[str]) -> list[tuple[str, str, str, bool]]:
    fills = _fills(plan)
    rows = []
    has_members = any(a.role == "member" for a in plan.areas)
    for role, heading in (("subject", None), ("member", "Inside it"), ("neighbour", "Around it")):
        entries = [(names[i], fills[i], a) for i, a in enumerate(plan.areas) if a.role == role]
        if not entries or (role == "subject" and has_members):
            continue
        if heading:
            rows.append(("", "", heading, True))
        rows += [(letter, fill, terminal.entry_name(a), False) for letter, fill, a in entries]
    return rows


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])
