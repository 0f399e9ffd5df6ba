"""Bench support: bulk seeding for the load and scale benchmarks in bench/ (not used by the site)."""
