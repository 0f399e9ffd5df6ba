"""Server-side SVG: bars by category and the world map of signatures by country.

No chart script and nothing from another site: the SVG is in the page, with a <title> for
screen readers, and every figure is also in a table beside it. The map's shapes come from
data/world.json, built by data/build_world_map.py from world-atlas (Natural Earth 1:110m,
public domain).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from markupsafe import Markup, escape

# A sequential blue scale (ColorBrewer "Blues", 5 classes), light to dark; text on the two
# darkest is white. No data: a neutral grey.
SCALE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#e5e5e5"


@lru_cache(maxsize=1)
def world() -> dict[str, Any]:
    return cast("dict[str, Any]",
                json.loads((Path(__file__).parent / "data" / "world.json").read_text()))


def classes(counts: dict[str, int]) -> list[tuple[int, int]]:
    """Up to five (low, high) count ranges on a log scale from 1 to the biggest count, so
    one big country does not leave all the others the palest colour."""
    top = max(counts.values(), default=0)
    if top <= 0:
        return []
    steps = min(len(SCALE), top)
    edges = sorted({max(1, round(math.exp(math.log(top) * i / steps))) for i in
                    range(steps + 1)})
    ranges, low = [], 1
    for edge in edges[1:]:
        ranges.append((low, edge))
        low = edge + 1
    return ranges or [(1, top)]


def colour_for(count: int, ranges: list[tuple[int, int]]) -> str:
    if count <= 0 or not ranges:
        return NO_DATA
    for index, (_low, high) in enumerate(ranges):
        if count <= high:
            return SCALE[index + len(SCALE) - len(ranges)]
    return SCALE[-1]


def legend(counts: dict[str, int]) -> list[tuple[str, str]]:
    """(colour, range) pairs of the map's colour scale, lightest first; the page adds "none"
    (NO_DATA). Drawn in HTML beside the map, so it reads at any size."""
    ranges = classes(counts)
    return [(SCALE[index + len(SCALE) - len(ranges)], f"{low}" if low == high
             else f"{low}–{high}") for index, (low, high) in enumerate(ranges)]


def world_map_svg(counts: dict[str, int], *, title: str, names: dict[str, str]) -> Markup:
    """The map with each country coloured by its count (a tooltip names it). `names` are
    the countries' names in the reader's language."""
    data = world()
    ranges = classes(counts)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {data["width"]:g} '
              f'{data["height"]:g}" role="img" aria-label="{escape(title)}" '
              'class="world-map">'), f"<title>{escape(title)}</title>",
             '<g stroke="#ffffff" stroke-width="0.5">']
    for code, d in sorted(data["shapes"].items()):
        count = counts.get(code, 0)
        label = f"{names.get(code, code)}: {count}" if count else names.get(code, code)
        parts.append(f'<path d="{d}" fill="{colour_for(count, ranges)}" '
                     f'data-country="{code}"><title>{escape(label)}</title></path>')
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escape()d above


def hbar_chart_svg(rows: list[tuple[str, int]], *, title: str, width: int = 560) -> Markup:
    """Horizontal bars, one per (label, count), labels on the left; a <title> per bar."""
    bar_h, gap, label_w = 18, 6, 180
    height = max(len(rows), 1) * (bar_h + gap)
    top = max((n for _, n in rows), default=0) or 1
    plot_w = width - label_w - 60
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
              f'role="img" aria-label="{escape(title)}" class="chart">'),
             f"<title>{escape(title)}</title>"]
    for i, (label, count) in enumerate(rows):
        y = i * (bar_h + gap)
        w = plot_w * count / top
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end">'
            f'{escape(short)}</text><rect x="{label_w}" y="{y}" width="{max(w, 1):.1f}" '
            f'height="{bar_h}" fill="#0b5cad"><title>{escape(label)}: {count}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="12">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escape()d above
