"""The stored shape format (written by scripts/importers/boundaries.py) and the page projection.

A shape is text: polygons separated by ";", the rings of a polygon by " " (the exterior
anticlockwise first, then holes clockwise), each ring the Google encoded-polyline text of its
(longitude, latitude) pairs at 1e-4 degrees, without repeating the first point.
"""

from __future__ import annotations

import math

SCALE = 1e-4  # degrees per stored unit

Ring = list[tuple[float, float]]
Polygon = list[Ring]  # exterior, then holes


def decode_ring(text: str) -> Ring:
    """(longitude, latitude) points of one encoded ring, closed (the first point repeated last)."""
    values: list[int] = []
    shift = result = 0
    for ch in text:
        b = ord(ch) - 63
        result |= (b & 0x1F) << shift
        if b >= 0x20:
            shift += 5
            continue
        values.append(~(result >> 1) if result & 1 else result >> 1)
        shift = result = 0
    points: Ring = []
    x = y = 0
    for i in range(0, len(values) - 1, 2):
        x += values[i]
        y += values[i + 1]
        points.append((round(x * SCALE, 4), round(y * SCALE, 4)))
    if points:
        points.append(points[0])
    return points


def decode(shape: str) -> list[Polygon]:
    """The polygons of a stored shape."""
    return [[decode_ring(ring) for ring in poly.split(" ") if ring] for poly in shape.split(";") if poly]


def signed_area(ring: Ring) -> float:
    """Positive for an anticlockwise ring (x to the east, y to the north)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


class Page:
    """Longitude and latitude onto a flat page: equirectangular, scaled by the cosine of the
    middle latitude (true shape at this scale), y downwards, fitted into `width` x `height` units
    with the box's aspect kept."""

    def __init__(self, box: tuple[float, float, float, float], width: float, height: float):
        minx, miny, maxx, maxy = box
        self.k = math.cos(math.radians((miny + maxy) / 2))
        w = max((maxx - minx) * self.k, 1e-9)
        h = max(maxy - miny, 1e-9)
        self.scale = min(width / w, height / h)
        self.minx, self.maxy = minx, maxy
        self.width, self.height = w * self.scale, h * self.scale

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.minx) * self.k * self.scale, (self.maxy - y) * self.scale


def aspect(box: tuple[float, float, float, float]) -> float:
    """Height over width of a box on the page."""
    minx, miny, maxx, maxy = box
    k = math.cos(math.radians((miny + maxy) / 2))
    return max(maxy - miny, 1e-9) / max((maxx - minx) * k, 1e-9)


def pad(box: tuple[float, float, float, float], fraction: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = box
    dx, dy = (maxx - minx) * fraction, (maxy - miny) * fraction
    return minx - dx, miny - dy, maxx + dx, maxy + dy
