"""Bench support: seeding for the load and scale benchmarks in bench/ (not used by the site)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """`flask bench`: seeding and timing for the benchmarks."""
    from .cli import bench_cli

    app.cli.add_command(bench_cli)
