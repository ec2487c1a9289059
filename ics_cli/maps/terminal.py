"""A map in the terminal: with colour, areas filled with half blocks (two pixels a cell, each its
own colour); without colour (NO_COLOR, or piped), their borders drawn in braille dots (eight
pixels a cell). Letters label the areas in both, and a legend names them.

Pixels are filled by scanlines: every edge adds its crossings to the rows it spans, and each row
is filled between pairs of crossings (even-odd, so holes stay empty). Areas paint in order:
neighbours, then the subject, then its members on top.
"""

from __future__ import annotations

from ics_cli.maps.areas import Area, Plan
from ics_cli.maps.shapes import Page, aspect, decode

# Distinct fills for the subject's members (and the subject when it has none); greys for neighbours.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
    "#bcbd22",
    "#8c564b",
    "#aec7e8",
    "#ffbb78",
)
GREYS = ("#5f5f5f", "#767676", "#4e4e4e", "#8a8a8a")
SUBJECT = "#e15759"
MAX_ROWS = 30
BRAILLE_BASE = 0x2800
# Braille dot bits by (x, y) inside a cell of 2 x 4 dots.
BRAILLE_BITS = {(0, 0): 0x01, (0, 1): 0x02, (0, 2): 0x04, (1, 0): 0x08, (1, 1): 0x10, (1, 2): 0x20, (0, 3): 0x40, (1, 3): 0x80}


def labels(plan: Plan) -> list[str]:
    """A letter for each area: capitals for the subject (unless its members are shown) and its
    members, lower case for neighbours."""
    out, upper, lower = [], 0, 0
    has_members = any(a.role == "member" for a in plan.areas)
    for a in plan.areas:
        if a.role == "subject" and has_members:
            out.append("")
        elif a.role == "neighbour":
            out.append(chr(ord("a") + lower) if lower < 26 else "")
            lower += 1
        else:
            out.append(chr(ord("A") + upper) if upper < 26 else "")
            upper += 1
    return out


def colours(plan: Plan) -> list[str]:
    has_members = any(a.role == "member" for a in plan.areas)
    out, i, g = [], 0, 0
    for a in plan.areas:
        if a.role == "neighbour":
            out.append(GREYS[g % len(GREYS)])
            g += 1
        elif a.role == "subject" and has_members:
            out.append("#bab0ac")
        elif a.role == "subject":
            out.append(SUBJECT)
        else:
            out.append(PALETTE[i % len(PALETTE)])
            i += 1
    return out


def size(plan: Plan, width: int) -> tuple[int, int]:
    """Columns and rows of the map for a terminal `width` columns wide (cells twice as tall as wide)."""
    cols = max(20, min(width, 100))
    rows = round(cols * aspect(plan.box) / 2)
    if rows > MAX_ROWS:
        cols, rows = max(20, round(MAX_ROWS * 2 / aspect(plan.box))), MAX_ROWS
    return cols, max(rows, 6)


def raster(plan: Plan, px_w: int, px_h: int) -> list[list[int]]:
    """The view as px_h rows of px_w pixels, each the index of the area drawn there, or -1."""
    page = Page(plan.box, px_w, px_h)
    grid = [[-1] * px_w for _ in range(px_h)]
    order = sorted(range(len(plan.areas)), key=lambda i: ("neighbour", "subject", "member").index(plan.areas[i].role))
    for index in order:
        _fill(grid, plan.areas[index], page, index)
    return grid


def _fill(grid: list[list[int]], area: Area, page: Page, index: int) -> None:
    h, w = len(grid), len(grid[0])
    for polygon in decode(area.shape):
        rows: dict[int, list[float]] = {}
        for ring in polygon:
            pts = [page(x, y) for x, y in ring]
            for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
                if y1 == y2:
                    continue
                lo, hi = (y1, y2) if y1 < y2 else (y2, y1)
                # Pixel row j is sampled at its centre, j + 0.5: the rows whose centres the edge spans.
                first, last = max(0, int(lo - 0.5) + (1 if lo - 0.5 > int(lo - 0.5) else 0)), min(h - 1, int(hi - 0.5))
                if lo - 0.5 < 0:
                    first = 0
                for j in range(first, last + 1):
                    yc = j + 0.5
                    if lo <= yc < hi:
                        rows.setdefault(j, []).append(x1 + (yc - y1) * (x2 - x1) / (y2 - y1))
        for j, xs in rows.items():
            xs.sort()
            row = grid[j]
            for a, b in zip(xs[::2], xs[1::2]):
                # Pixel i is sampled at i + 0.5: filled when a <= i + 0.5 < b.
                start, stop = max(0, int(a + 0.5)), min(w, int(b + 0.5))
                for i in range(start, stop):
                    row[i] = index


def label_cells(plan: Plan, grid: list[list[int]], cols: int, rows: int, names: list[str]) -> dict[tuple[int, int], int]:
    """The cell of each area's letter: its label point when that is in view and in the area, else
    the cell of its visible part nearest that part's centre; a free cell next to it if taken."""
    sx, sy = len(grid[0]) // cols, len(grid) // rows
    page = Page(plan.box, len(grid[0]), len(grid))
    owner = [[grid[r * sy + sy // 2][c * sx + sx // 2] for c in range(cols)] for r in range(rows)]
    seen: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            if owner[r][c] >= 0:
                seen.setdefault(owner[r][c], []).append((c, r))
    taken: dict[tuple[int, int], int] = {}
    order = sorted(range(len(plan.areas)), key=lambda i: ("member", "subject", "neighbour").index(plan.areas[i].role))
    for i in order:
        cells = seen.get(i)
        if not names[i] or not cells:
            continue
        x, y = page(*plan.areas[i].label)
        c0, r0 = int(x / sx), int(y / sy)
        if not (0 <= c0 < cols and 0 <= r0 < rows and owner[r0][c0] == i):
            mc, mr = sum(c for c, _ in cells) / len(cells), sum(r for _, r in cells) / len(cells)
            c0, r0 = min(cells, key=lambda cr: ((cr[0] - mc) / 2) ** 2 + (cr[1] - mr) ** 2)
        for dc, dr in [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (2, 0), (-2, 0), (1, 1), (-1, -1), (1, -1), (-1, 1)]:
            c, r = c0 + dc, r0 + dr
            if 0 <= c < cols and 0 <= r < rows and (c, r) not in taken and owner[r][c] == i:
                taken[(c, r)] = i
                break
    return taken


def draw(plan: Plan, width: int, color: bool):
    """The map as a Rich Text: filled half blocks with colour, braille borders without."""
    from rich.text import Text

    cols, rows = size(plan, width)
    names, fills = labels(plan), colours(plan)
    text = Text()
    if color:
        grid = raster(plan, cols, rows * 2)
        cells = label_cells(plan, grid, cols, rows, names)
        for r in range(rows):
            top, bottom = grid[2 * r], grid[2 * r + 1]
            for c in range(cols):
                if (c, r) in cells:
                    i = cells[(c, r)]
                    text.append(names[i], style=f"bold black on {fills[i]}")
                    continue
                t, b = top[c], bottom[c]
                if t < 0 and b < 0:
                    text.append(" ")
                elif t == b:
                    text.append("█", style=fills[t])
                elif b < 0:
                    text.append("▀", style=fills[t])
                elif t < 0:
                    text.append("▄", style=fills[b])
                else:
                    text.append("▀", style=f"{fills[t]} on {fills[b]}")
            text.append("\n")
        return text
    grid = raster(plan, cols * 2, rows * 4)

    def border(x: int, y: int) -> bool:
        # Between two pixels of different areas (or an area and nothing); not at the frame's edge.
        here = grid[y][x]
        right = grid[y][x + 1] if x + 1 < cols * 2 else here
        below = grid[y + 1][x] if y + 1 < rows * 4 else here
        return here != right or here != below

    cells = label_cells(plan, grid, cols, rows, names)
    lines = []
    for r in range(rows):
        line = []
        for c in range(cols):
            if (c, r) in cells:
                line.append(names[cells[(c, r)]])
                continue
            bits = 0
            for (dx, dy), bit in BRAILLE_BITS.items():
                if border(c * 2 + dx, r * 4 + dy):
                    bits |= bit
            line.append(chr(BRAILLE_BASE + bits) if bits else " ")
        lines.append("".join(line).rstrip())
    text.append("\n".join(lines) + "\n")
    return text


def legend(plan: Plan, width: int, color: bool):
    """Letter, colour and name of every area, packed into lines of `width`."""
    from rich.text import Text

    names, fills = labels(plan), colours(plan)
    text = Text()
    for role, heading in (("subject", None), ("member", "Inside it"), ("neighbour", "Around it")):
        entries = [(names[i], fills[i], a) for i, a in enumerate(plan.areas) if a.role == role]
        if not entries or (role == "subject" and any(a.role == "member" for a in plan.areas)):
            continue
        if heading:
            text.append(f"{heading}:\n", style="bold")
        cells = [_entry(letter, a) for letter, _, a in entries]
        swatch = 3 if color else 0
        cell_w = max(len(c) for c in cells) + 2
        per_line = max(1, min(len(cells), (width - 2) // (cell_w + swatch)))
        for k, (entry, (_letter, fill, _a)) in enumerate(zip(cells, entries)):
            if k % per_line == 0:
                text.append("  ")
            if color:
                text.append("██", style=fill)
                text.append(" ")
            text.append(entry.ljust(cell_w) if (k + 1) % per_line and k + 1 < len(cells) else entry)
            if (k + 1) % per_line == 0 or k + 1 == len(cells):
                text.append("\n")
    return text


def entry_name(a: Area) -> str:
    """How the legend names an area: a sub-ICB location or ICB by its place name, with the code."""
    from ics_cli.safetext import safe

    name = a.short_name if a.short_name and a.kind in ("sub_icb", "icb") else a.name
    return safe(f"{name} ({a.code})")


def _entry(letter: str, a: Area) -> str:
    return f"{letter or '-'}  {entry_name(a)}"
