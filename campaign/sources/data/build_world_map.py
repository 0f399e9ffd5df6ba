"""Build world.json (ISO alpha-2 -> SVG path) from world-atlas's countries-110m.json.

world-atlas 2.0.2 (npm, ISC licence, Mike Bostock) is Natural Earth 1:110m admin-0
countries (public domain) as TopoJSON. Run once when updating the map:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python campaign/sources/data/build_world_map.py package/countries-110m.json

The output is drawn in an equirectangular projection on a 1000 x 470 canvas (latitudes
from 85 N to 60 S: Antarctica left out, it has no signers), coordinates rounded to the
pixel: about 75 kB (27 kB gzipped), served inline only on the pages that show the map.
"""
from __future__ import annotations

import json
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import pycountry

WIDTH, TOP, BOTTOM = 1000.0, 85.0, -60.0
SCALE = WIDTH / 360.0
HEIGHT = (TOP - BOTTOM) * SCALE


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, TOP), BOTTOM)
    return round((lon + 180) * SCALE), round((TOP - lat) * SCALE)


def path(arcs: list[list[tuple[float, float]]], polygons: list[list[list[int]]]) -> str:
    parts = []
    for polygon in polygons:
        for indexes in polygon:
            points = [project(*p) for p in ring(arcs, indexes)]
            deduped = [points[0]] + [p for a, p in pairwise(points) if p != a]
            if len(deduped) < 3:
                continue
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in deduped) + "Z")
    return "".join(parts)


def main(source: str) -> None:
    topology = json.loads(Path(source).read_text())
    arcs = decode_arcs(topology)
    shapes: dict[str, str] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        country = pycountry.countries.get(numeric=numeric) if numeric else None
        if country is None or country.alpha_2 == "AQ":
            continue  # unrecognised areas (N. Cyprus, Somaliland, Kosovo) and Antarctica
        polygons = (geometry["arcs"] if geometry["type"] == "MultiPolygon"
                    else [geometry["arcs"]])
        d = path(arcs, polygons)
        if d:
            shapes[country.alpha_2] = shapes.get(country.alpha_2, "") + d
    out = Path(__file__).with_name("world.json")
    out.write_text(json.dumps({"width": WIDTH, "height": round(HEIGHT, 1),
                               "source": "world-atlas 2.0.2 countries-110m (Natural Earth)",
                               "shapes": shapes}, sort_keys=True, separators=(",", ":")))
    print(f"{len(shapes)} countries, {out.stat().st_size} bytes -> {out}")  # noqa: T201 - a build script


if __name__ == "__main__":
    main(sys.argv[1])
