"""Optional JSON logs (LOG_FORMAT=json): one line per log record, one per request, one per job.

Nothing in them identifies a supporter: no client address, no link token, no e-mail. Request
lines name the route pattern (`/confirm/<token>`), never the path; every message is also
scrubbed of e-mail addresses, IP addresses and the tokens of e-mailed links, because other
modules' messages (the file transport prints confirmation links) were written for humans.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
from typing import Any

import click
from flask import Flask, Response, g, request

request_log = logging.getLogger("campaign.request")
job_log = logging.getLogger("campaign.job")

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_IPV4 = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")
_IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*")
_LINK_TOKEN = re.compile(r"/(confirm|unsubscribe|forget|privacy/data|letters/confirm|"
                         r"donations/manage|organize/invite|organize/reset)/[^/\s\"'?]+")
# Fields a job or request line may carry besides the message.
EXTRA_FIELDS = ("method", "route", "endpoint", "status", "duration_ms", "job", "outcome")


def scrub(text: str) -> str:
    text = _LINK_TOKEN.sub(r"/\1/…", text)
    text = _EMAIL.sub("[email]", text)
    text = _IPV6_CANDIDATE.sub(_ipv6_or_same, text)
    return _IPV4.sub("[ip]", text)


def _ipv6_or_same(match: re.Match[str]) -> str:
    try:
        ipaddress.IPv6Address(match.group(0))
    except ValueError:
        return match.group(0)
    return "[ip]"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
                "level": record.levelname, "logger": record.name,
                "message": scrub(record.getMessage())}
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                value = getattr(record, field)
                # Routes are URL rules (`/confirm/<token>`), never a request's own path.
                line[field] = scrub(value) if isinstance(value, str) and field != "route" \
                    else value
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, ensure_ascii=False)


def use_json_logs() -> None:
    """Put the JSON formatter on the root logger's handlers (one line per record)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())


def _wrap_job(command: click.Command, name: str) -> None:
    callback = command.callback
    if callback is None or getattr(callback, "_job_logged", False):
        return

    def logged(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = callback(*args, **kwargs)
            outcome = "ok"
            return result
        finally:
            job_log.info("job %s %s", name, outcome, extra={
                "job": name, "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)})

    logged._job_logged = True  # type: ignore[attr-defined]
    command.callback = logged


def _wrap_jobs(group: click.Group, prefix: str = "") -> None:
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            _wrap_jobs(command, full + " ")
        else:
            _wrap_job(command, full)


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") != "json":
        return
    use_json_logs()
    # Every `flask ...` command (timers, workers) ends with one line saying how it went.
    _wrap_jobs(app.cli)

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("metrics_started")
        request_log.info("request", extra={
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else "(no route)",
            "endpoint": request.endpoint, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1)
            if started is not None else None})
        return response
