#!/usr/bin/env python3
"""The organizer's CSV export as a browser downloads it: the console route over HTTP.

    .venv/bin/python bench/export.py [--database-url URL --wipe] [--rows 1000000]
    .venv/bin/python bench/export.py --base http://127.0.0.1:PORT --email E --password P
        [--worker-pids PID,PID]     # a server already running (A/B of two checkouts)

Fresh database (migrations, demo campaign), `flask bench seed` for --rows signatures, the
site under gunicorn (bench/app.py, campaign/gunicorn_conf.py), an organizer logged in
through the login form (and its 2FA step when the account has one); then
`GET /organize/c/<slug>/signatures.csv?status=confirmed` with the headers a browser sends
(Chrome's Accept, Accept-Encoding `gzip, deflate, br, zstd`, Accept-Language), read as it
streams and decoded as the browser would (Content-Encoding). Reports rows/s from the
request to the last byte, time to the first byte, bytes on the wire and decoded, the
serving gunicorn workers' CPU seconds and peak RSS (VmHWM), and the load average before.
`--accept-encoding identity` measures the uncompressed download.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import SLUG, Site, log, machine

# What Chrome 131 sends for a link the user clicks (the download starts as a navigation).
BROWSER_HEADERS = {
    "User-Agent": ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Safari/537.36"),
    "Accept": ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
               "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"),
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "en-US,en;q=0.9",
}


class Browser:
    """An organizer's session over HTTP, cookies kept as a browser keeps them."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, bytes]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.url, response.read()

    def post(self, path: str, fields: dict[str, str]) -> tuple[str, bytes]:
        with self.opener.open(self.base + path, data=urllib.parse.urlencode(fields).encode(),
                              timeout=60) as response:
            return response.url, response.read()

    def login(self, email: str, password: str, totp_secret: str | None = None) -> None:
        _status, _url, page = self.get("/organize/login")
        url, page = self.post("/organize/login", {"email": email, "password": password,
                                                   "csrf_token": _csrf(page)})
        if url.endswith("/organize/login/2fa"):  # the console's second factor
            import pyotp
            if not totp_secret:
                sys.exit("the organizer's login asks for a 2FA code and no secret was given")
            url, page = self.post("/organize/login/2fa", {
                "code": pyotp.TOTP(totp_secret).now(), "csrf_token": _csrf(page)})
        status, _url, page = self.get(f"/organize/c/{SLUG}/signatures")
        if status != 200 or b"Signatures" not in page:
            sys.exit("the organizer could not open the signatures page")


def _csrf(page: bytes) -> str:
    found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not found:
        sys.exit("no CSRF token on the page")
    return found.group(1).decode()


def _decoder(encoding: str):
    """A streaming decoder for a Content-Encoding, as the browser runs it."""
    if encoding in ("", "identity"):
        return lambda data: data
    if encoding == "gzip":
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress
    if encoding == "deflate":
        return zlib.decompressobj().decompress
    if encoding == "zstd":
        try:
            from compression import zstd  # type: ignore[import-not-found]
        except ImportError:
            from backports import zstd
        return zstd.ZstdDecompressor().decompress
    if encoding == "br":
        import brotli
        return brotli.Decompressor().process
    sys.exit(f"unknown Content-Encoding {encoding!r}")


def worker_stats(pids: list[int]) -> dict[int, tuple[float, int]]:
    """{pid: (CPU seconds, peak RSS in kB)} of gunicorn's workers."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
        stats[pid] = ((int(fields[11]) + int(fields[12])) / tick, hwm)
    return stats


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def download(browser: Browser, worker_pids: list[int], accept_encoding: str,
             query: str = "status=confirmed") -> dict:
    """The export through the console route, decoded as it streams; the figures."""
    headers = dict(BROWSER_HEADERS, **{"Accept-Encoding": accept_encoding})
    request = urllib.request.Request(
        f"{browser.base}/organize/c/{SLUG}/signatures.csv?{query}", headers=headers)
    before = worker_stats(worker_pids)
    load = os.getloadavg()
    started = time.perf_counter()
    wire = decoded = lines = 0
    first_byte = None
    tail = b""
    with browser.opener.open(request, timeout=600) as response:
        if response.status != 200:
            sys.exit(f"the export answered {response.status}")
        encoding = response.headers.get("Content-Encoding", "")
        decode = _decoder(encoding)
        while chunk := response.read1(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            wire += len(chunk)
            text = decode(chunk)
            decoded += len(text)
            lines += text.count(b"\n")
            tail = (tail + text)[-2:]
    seconds = time.perf_counter() - started
    after = worker_stats(worker_pids)
    cpu = sum(after[pid][0] - before.get(pid, (after[pid][0], 0))[0] for pid in after)
    rows = lines - 1  # the header line
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
            "first_byte_s": round(first_byte or seconds, 3), "content_encoding": encoding or
            "identity", "wire_mb": round(wire / 2**20, 1), "csv_mb": round(decoded / 2**20, 1),
            "ends_with_line_end": tail.endswith(b"\r\n"),
            "worker_cpu_s": round(cpu, 2),
            "peak_rss_mb": round(max((hwm for _cpu, hwm in after.values()), default=0) / 1024),
            "load_before": [round(x, 2) for x in load]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--wipe", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="downloads (each reported)")
    parser.add_argument("--accept-encoding", action="append",
                        help="instead of the browser's (repeat for several downloads each); "
                        "e.g. identity, gzip")
    parser.add_argument("--base", help="a running site instead of a fresh one")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--worker-pids", default="", help="with --base: its gunicorn workers")
    args = parser.parse_args()
    encodings = args.accept_encoding or [BROWSER_HEADERS["Accept-Encoding"]]
    site = None
    if args.base:
        base, email, password = args.base, args.email, args.password
        pids = [int(p) for p in args.worker_pids.split(",") if p]
    else:
        # gunicorn as campaign/gunicorn_conf.py runs it: cores + 1 processes x 2 threads.
        args.workers, args.threads, args.production = (os.cpu_count() or 1) + 1, 2, False
        site = Site(args)
        log(f"preparing a {site.kind} database")
        site.prepare_database()
        log(f"seeding {args.rows:,} signatures")
        seeded = site.flask_json("bench", "seed", "--signatures", str(args.rows))
        log(f"seeded in {seeded['seconds']} s")
        account = site.flask_json("bench", "organizer")
        email, password = account["email"], account["password"]
        site.start()
        base = site.base
    try:
        if site is not None:
            assert site.server is not None
            pids = children(site.server.pid)
        browser = Browser(base)
        browser.login(email, password)
        info = machine()
        for _ in range(args.repeat):
            for accept in encodings:
                result = download(browser, pids, accept)
                result["accept_encoding"] = accept
                result["database"] = site.kind if site else "given"
                log(json.dumps(result))
                print(json.dumps(result), flush=True)
    finally:
        if site is not None:
            site.stop()
    log(f"{info['nproc']} cores ({info['cpu']}), Python {info['python']}")


if __name__ == "__main__":
    main()
