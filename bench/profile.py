#!/usr/bin/env python3
"""Where the time goes in one workload: py-spy samples the gunicorn workers while wrk drives
the workload, then prints the functions with the largest share of samples (inclusive).

    .venv/bin/python bench/profile.py sign|confirm|page [--duration 10]

Needs py-spy (requirements-dev.txt) and the right to ptrace (root, or
kernel.yama.ptrace_scope=0). The raw collapsed stacks are kept beside the report.
"""
from __future__ import annotations

import argparse
import collections
import secrets
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import SLUG, Site, wrk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["sign", "confirm", "page"])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--wipe", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-profile.txt"))  # noqa: S108 - the operator's own report file
    args = parser.parse_args()
    args.connections, args.wrk_threads, args.workers, args.threads = 32, 2, 3, 2
    site = Site(args)
    site.prepare_database()
    site.start()
    try:
        page = f"/en/c/{SLUG}"
        if args.workload == "sign":
            tokens = [site.session_token(page) for _ in range(2)]
            lua = ["sign", f"{page}/sign", "prof-" + secrets.token_hex(3), *tokens]
        elif args.workload == "confirm":
            token_file = site.instance / "tokens.txt"
            site.flask("bench", "seed", "--signatures", str(args.duration * 3000), "--pending",
                       "--tokens-out", str(token_file))
            lua = ["confirm", str(token_file), "2"]
        else:
            lua = ["get", page, "gzip, br"]
        spy = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(site.server.pid),
             "--subprocesses",
             "--duration", str(args.duration), "--rate", "200", "--format", "raw",
             "--output", str(args.out), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        result = wrk(site, args, *lua, duration=args.duration)
        spy.wait()
    finally:
        site.stop()
    print(f"{args.workload}: {result['rps']:,.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
          f"p99 {result['p99_ms']:.1f} ms")
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in args.out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        frames = {frame.split(" (")[0] + " (" + frame.split(" (")[-1].split("/")[-1]
                  for frame in stack.split(";")}
        for frame in frames:
            inclusive[frame] += int(count)
    print(f"{total} samples; share of samples in which each function is on the stack:")
    for frame, count in inclusive.most_common(45):
        print(f"{count / total:6.1%}  {frame}")


if __name__ == "__main__":
    main()
