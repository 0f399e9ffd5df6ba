#!/usr/bin/env python3
"""An SMTP sink for the mail benchmark, in its own process (so it does not share a GIL with
the benchmark), optionally several processes on one port (SO_REUSEPORT) so the sink is not
what limits two outbox workers.

    python bench/smtp_sink.py --port 2525 --out /tmp/sink-1.json [--watch new@x.org]

Accepts everything. On SIGTERM writes JSON: count, first and last arrival (time.time()),
every Message-ID, and the arrival time of each watched recipient (also written at once to
`<out>.watch` when it arrives).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.smtp import SMTP


def _mark_arrival(path: str, when: float) -> None:
    """The benchmark polls for this file (a few bytes: blocking the loop briefly is fine)."""
    Path(path).write_text(f"{when}\n")


class Recorder:
    def __init__(self, watch: set[str], out: str):
        self.watch, self.out = watch, out
        self.ids: list[str] = []
        self.first = self.last = None
        self.watched: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        self.ids.append(headers.get("Message-ID", ""))
        self.first = self.first or now
        self.last = now
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.watch and rcpt not in self.watched:
                self.watched[rcpt] = now
                _mark_arrival(f"{self.out}.watch", now)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--watch", action="append", default=[])
    args = parser.parse_args()
    recorder = Recorder(set(args.watch), args.out)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(recorder, hostname="sink.local"), "127.0.0.1", args.port,
        reuse_port=True))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    print("ready", flush=True)
    loop.run_forever()
    server.close()
    with open(args.out, "w") as out:
        json.dump({"count": len(recorder.ids), "first": recorder.first, "last": recorder.last,
                   "ids": recorder.ids, "watched": recorder.watched}, out)


if __name__ == "__main__":
    main()
