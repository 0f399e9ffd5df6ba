"""Production gunicorn settings: `gunicorn -c campaign/gunicorn_conf.py wsgi:app`.

Measured on 2 cores (bench/RESULTS.md): cores + 1 processes with 2 threads each did best of
2x1, 4x1, 2x4 and 3x2: a request waiting on the database or a client does not idle its core,
and few threads per process keep GIL convoys short; keep-alive connections (gthread workers
keep them, sync workers close every connection).
Override with WEB_CONCURRENCY (processes), GUNICORN_THREADS and GUNICORN_BIND.
"""
import multiprocessing
import os

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
accesslog = None  # the reverse proxy logs requests; no IP addresses in our logs
