"""Prometheus metrics at /metrics (prometheus-client), for operators only.

Off unless METRICS_TOKEN is set; then /metrics answers only a request carrying
`Authorization: Bearer <token>` (404 without a token setting, 403 with a wrong one), and the
load balancer also refuses the path from outside (deploy/haproxy.cfg).

Gunicorn runs several processes, so counters live in prometheus-client's multiprocess mode:
each process writes its own files to PROMETHEUS_MULTIPROC_DIR (default `instance/prometheus`)
and a scrape sums them. Gunicorn's master removes files of dead processes when it starts
(campaign/gunicorn_conf.py); an outbox worker on the same machine writes there too, so its
delivery failures are scraped with the app's counters.

Queue depth, the oldest queued message and letters held by caps are read from the database
at scrape time (they are facts of the shared database, not of one process).

Features report with one-line calls: `metrics.count("signatures_created")`.
"""
from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, abort, current_app, g, has_app_context, request
from flask.typing import ResponseReturnValue

from ..extensions import limiter

if TYPE_CHECKING:
    from prometheus_client.core import GaugeMetricFamily

# name -> (kind, help, labels). Created on first use, after the multiprocess folder is chosen.
DEFINITIONS = {
    "signatures_created": ("counter", "Signatures recorded (pending confirmation).", ()),
    "signatures_confirmed": ("counter", "Signatures confirmed by their e-mail link.", ()),
    "outbox_delivery_failures": ("counter", "Outbox delivery attempts that failed.", ()),
    "webhook_events": ("counter", "Stripe webhook requests by result.", ("result",)),
    "rate_limit_refusals": ("counter", "Requests refused by a rate limit (429).",
                            ("endpoint",)),
    "http_responses": ("counter", "HTTP responses by status class.", ("status",)),
    "sign_seconds": ("histogram", "Time to answer a signature POST.", ()),
    "confirm_seconds": ("histogram", "Time to answer a confirmation link.", ()),
}
# Endpoints whose answer time is measured, and the histogram each feeds.
TIMED_ENDPOINTS = {"petitions.sign": "sign_seconds", "widget.sign": "sign_seconds",
                   "petitions.confirm": "confirm_seconds"}
WEBHOOK_ENDPOINT = "donations.webhook"
_metrics: dict[str, Any] = {}  # a prometheus_client Counter or Histogram, by DEFINITIONS
# A new gunicorn process takes its first requests on several threads at once: two making the
# same metric would register it twice, and the second request would fail (a 500).
_metrics_lock = threading.Lock()


def enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("METRICS_TOKEN"))


def _metric(name: str) -> Any:
    metric = _metrics.get(name)
    if metric is None:
        with _metrics_lock:
            if name not in _metrics:
                from prometheus_client import Counter, Histogram
                kind, help_text, labels = DEFINITIONS[name]
                cls = Counter if kind == "counter" else Histogram
                _metrics[name] = cls(f"campaign_{name}", help_text, labels)
            metric = _metrics[name]
    return metric


def count(name: str, amount: float = 1, **labels: str) -> None:
    """Add to a counter; does nothing while metrics are off."""
    if amount and enabled():
        metric = _metric(name)
        (metric.labels(**labels) if labels else metric).inc(amount)


def observe(name: str, seconds: float) -> None:
    if enabled():
        _metric(name).observe(seconds)


# --- the multiprocess folder ---------------------------------------------------------------

def multiproc_dir(instance_path: str) -> Path:
    return Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or Path(instance_path) / "prometheus")


def prepare_multiproc_dir(instance_path: str) -> Path:
    """Choose (and export) the folder before prometheus_client is imported in this process."""
    folder = multiproc_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_multiproc_dir(folder: Path) -> int:
    """Remove the files of processes that are gone (a previous run); keeps live ones (a worker
    running beside the app). Called once by gunicorn's master on start."""
    removed = 0
    for path in folder.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --- scrape-time facts from the database ---------------------------------------------------

def register_gauge(app: Flask, name: str, help_text: str, read: Callable[[], float]) -> None:
    """A feature's fact read from the database at scrape time (outbox queue, letters held by
    caps), registered by that feature's init_app so ops imports no feature."""
    app.extensions.setdefault("metrics_gauges", []).append((name, help_text, read))


class DatabaseCollector:
    """Every registered gauge (outbox queue, held letters), read when Prometheus scrapes."""

    def __init__(self, gauges: Iterable[tuple[str, str, Callable[[], float]]] = ()) -> None:
        self.gauges = list(gauges)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from prometheus_client.core import GaugeMetricFamily

        from ..extensions import db

        readings = [(name, help_text, read()) for name, help_text, read in self.gauges]
        db.session.rollback()
        for name, help_text, value in readings:
            gauge = GaugeMetricFamily(name, help_text)
            gauge.add_metric([], value or 0)
            yield gauge


def exposition() -> tuple[bytes, str]:
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # its __init__ has no hints
    else:
        registry = CollectorRegistry()
        for metric in _metrics.values():
            registry.register(metric)
    registry.register(DatabaseCollector(current_app.extensions.get("metrics_gauges", ())))
    return generate_latest(registry), CONTENT_TYPE_LATEST


# --- the app's part ------------------------------------------------------------------------

def _authorized(token: str) -> bool:
    given = request.headers.get("Authorization", "")
    return given.startswith("Bearer ") and hmac.compare_digest(
        given[len("Bearer "):].encode(), token.encode())


def init_app(app: Flask) -> None:
    if app.config.get("METRICS_TOKEN"):
        prepare_multiproc_dir(app.instance_path)

    @app.get("/metrics")
    @limiter.exempt
    def metrics_view() -> ResponseReturnValue:
        token = current_app.config.get("METRICS_TOKEN")
        if not token:
            abort(404)
        if not _authorized(token):
            abort(403)
        body, content_type = exposition()
        return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}

    @app.before_request
    def _start_clock() -> None:
        g.metrics_started = time.perf_counter()  # also the request log's duration_ms

    @app.after_request
    def _record_response(response: Response) -> Response:
        if not app.config.get("METRICS_TOKEN"):  # enabled(), for the app serving this request
            return response
        endpoint = request.endpoint or "none"
        started = g.get("metrics_started")
        if endpoint in TIMED_ENDPOINTS and started is not None:
            observe(TIMED_ENDPOINTS[endpoint], time.perf_counter() - started)
        if response.status_code == 429:
            count("rate_limit_refusals", endpoint=endpoint)
        if endpoint == WEBHOOK_ENDPOINT:
            count("webhook_events", result=_webhook_result(response))
        count("http_responses", status=f"{response.status_code // 100}xx")
        return response


def _webhook_result(response: Response) -> str:
    """The outcome the webhook view answered (applied, duplicate, ignored...), else the code."""
    if response.status_code == 200:
        body = response.get_json(silent=True) or {}
        outcome = str(body.get("outcome") or "ok")
        return outcome if outcome.replace("_", "").isalnum() and len(outcome) < 40 else "ok"
    return {400: "refused", 503: "retry_later"}.get(response.status_code,
                                                    str(response.status_code))
