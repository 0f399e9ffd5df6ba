#!/usr/bin/env python3
"""The organizer's console at a million signatures: search latency and the XLSX export.

    .venv/bin/python bench/console.py [--database-url URL --wipe] [--rows 1000000]

Fresh database (migrations, demo campaign), `flask bench seed` for --rows signatures, the
site under gunicorn (bench/app.py), an organizer logged in over HTTP; then each search is
requested through the console route (/organize/c/<slug>/signatures?q=...) --repeat times
and its median and 95th percentile are printed, with the load average beside them (the
machine may be shared). Last, `flask bench export --format xlsx` writes the whole campaign
as a workbook and reports time and peak memory. Prints a Markdown section for
bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import SLUG, Site, log, machine

TARGET_MS = 100


def searches(rows: int) -> list[tuple[str, str]]:
    middle = rows // 2 + 17
    return [
        ("one name (a number's word)", f"Signer {middle}"),
        ("one e-mail address", f"{middle}@bench"),
        ("common word, 1M matches", "signer"),
        ("no match", "zzqx"),
        ("two letters, no match", "zq"),
        ("two words", f"seeded {rows - 5}"),
    ]


class Browser:
    """An organizer's session over HTTP, cookies kept as a browser keeps them."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read()

    def login(self, email: str, password: str) -> None:
        _status, page = self.get("/organize/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        data = urllib.parse.urlencode({"email": email, "password": password,
                                       "csrf_token": token}).encode()
        with self.opener.open(self.base + "/organize/login", data=data, timeout=30):
            pass
        status, page = self.get(f"/organize/c/{SLUG}/signatures")
        if status != 200 or b"Signatures" not in page:
            sys.exit("the organizer could not open the signatures page")


def time_search(browser: Browser, q: str, repeat: int) -> dict:
    path = f"/organize/c/{SLUG}/signatures?" + urllib.parse.urlencode({"q": q})
    status, body = browser.get(path)  # warm-up (and the count of rows shown)
    shown = body.count(b'<tr id="signature-')
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        status, _body = browser.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert status == 200
    timings.sort()
    return {"median": statistics.median(timings),
            "p95": timings[max(0, round(0.95 * len(timings)) - 1)], "shown": shown}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--wipe", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-export", action="store_true", help="searches only")
    args = parser.parse_args()
    args.workers, args.threads = 2, 2
    site = Site(args)
    info = machine()
    log(f"preparing a {site.kind} database")
    site.prepare_database()
    log(f"seeding {args.rows:,} signatures")
    seeded = site.flask_json("bench", "seed", "--signatures", str(args.rows))
    account = site.flask_json("bench", "organizer")
    site.start()
    lines = []
    try:
        browser = Browser(site.base)
        browser.login(account["email"], account["password"])
        load = os.getloadavg()
        for label, q in searches(args.rows):
            result = time_search(browser, q, args.repeat)
            met = "yes" if result["p95"] < TARGET_MS else "no"
            lines.append(f"| {label} | `{q}` | {result['shown']} | {result['median']:.1f} | "
                         f"{result['p95']:.1f} | {met} |")
            log(lines[-1])
        load_after_search = os.getloadavg()
    finally:
        site.stop()
    export = None
    if not args.no_export:
        log("XLSX export")
        export = site.flask_json("bench", "export", "--format", "xlsx")
    print(f"\n### {site.kind}, {args.rows:,} signatures\n")
    print(f"Machine: {info['nproc']} cores, Python {info['python']}; load average (1/5/15 "
          f"min) before searching {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}, after "
          f"{load_after_search[0]:.2f}/{load_after_search[1]:.2f}/{load_after_search[2]:.2f}; "
          f"after the export {os.getloadavg()[0]:.2f}. Seeded in {seeded['seconds']} s. "
          f"Each search: {args.repeat} requests over HTTP to gunicorn (2 workers x 2 threads) "
          f"with an organizer's session, after one warm-up.\n")
    print("| search | q | rows shown | median ms | p95 ms | < 100 ms |")
    print("|---|---|---:|---:|---:|---|")
    print("\n".join(lines))
    if export:
        print(f"\nXLSX export of every column: {export['rows']:,} rows, {export['mb']} MB, "
              f"{export['seconds']} s ({export['rows_per_s']:,} rows/s), first byte after "
              f"{export.get('first_byte_s')} s, {export.get('cpu_s')} CPU s, peak RSS "
              f"{export['peak_rss_mb']} MB (limit 300 MB).")


if __name__ == "__main__":
    main()
