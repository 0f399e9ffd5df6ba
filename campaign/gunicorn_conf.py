"""Production gunicorn settings: `gunicorn -c campaign/gunicorn_conf.py wsgi:app`.

Measured on 2 cores (bench/RESULTS.md): one process per core, each with a few threads so a
request waiting on the database or a client does not idle its core; keep-alive connections
(gthread workers keep them, sync workers close every connection).
Override with WEB_CONCURRENCY (processes), GUNICORN_THREADS and GUNICORN_BIND.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
keepalive = 5
# A worker that hangs (stuck database) is replaced; requests are short.
timeout = 30
graceful_timeout = 20
# Recycle workers now and then, jittered so they do not all restart at once.
max_requests = 200_000
max_requests_jitter = 20_000
accesslog = None  # the reverse proxy logs requests; no IP addresses in our logs
