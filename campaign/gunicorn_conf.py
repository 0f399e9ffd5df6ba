"""Production gunicorn settings: `gunicorn -c python:campaign.gunicorn_conf wsgi:app`.

Workers: measured on 2 cores (bench/RESULTS.md), cores + 1 processes with 2 threads each did
best of 2x1, 4x1, 2x4 and 3x2: a request waiting on the database or a client does not idle its
core, and few threads per process keep GIL convoys short (gthread workers also keep
keep-alive connections). Override with WEB_CONCURRENCY, GUNICORN_THREADS and GUNICORN_BIND.

Privacy: the access log never holds the client's address (%(h)s) nor the query string, and
the tokens in e-mailed links' paths are cut: method, route, status, size and duration are
enough to run the site.
"""
import multiprocessing
import os
import re
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 2)
keepalive = 5
# A worker that hangs (stuck database) is replaced; requests are short.
timeout = 30
graceful_timeout = 20
# Recycle workers now and then, jittered so they do not all restart at once.
max_requests = 200_000
max_requests_jitter = 20_000
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's control socket (25.1+) defaults to one path in $HOME shared by every gunicorn
# the user runs: off. GUNICORN_CONTROL_SOCKET=1 puts it in this site's instance folder.
if os.environ.get("GUNICORN_CONTROL_SOCKET") == "1":
    control_socket = os.path.join(os.environ.get("INSTANCE_PATH") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance"), "gunicorn.ctl")
    control_socket_mode = 0o600
else:
    control_socket_disable = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # e.g. "-" for stdout
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# Links in e-mails carry tokens in their path (/confirm/<token>): log the route, not the token.
_TOKEN_PATH = re.compile(r"^/(confirm|unsubscribe/all|unsubscribe|forget|privacy/data|"
                         r"letters/confirm|donations/manage|organize/invite|organize/reset)/[^/]+")


class PrivateAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
              ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _TOKEN_PATH.sub(r"/\1/…", atoms.get("U", ""))
        atoms["h"] = "-"
        return atoms


logger_class = PrivateAccessLogger


# Metrics (METRICS_TOKEN set): every worker process writes its counters to one folder that a
# scrape sums (prometheus-client multiprocess mode). The master chooses the folder before any
# worker imports prometheus_client, and removes what processes of an earlier run left there.
def on_starting(server: Any) -> None:
    if not os.environ.get("METRICS_TOKEN"):
        return
    from pathlib import Path

    from campaign.ops.metrics import clean_multiproc_dir, prepare_multiproc_dir
    root = Path(__file__).resolve().parent.parent
    folder = prepare_multiproc_dir(os.environ.get("INSTANCE_PATH") or str(root / "instance"))
    clean_multiproc_dir(folder)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]  # unannotated in prometheus_client
