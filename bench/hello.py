"""The ceiling row of bench/run.py: a bare Flask "hello" under the same gunicorn settings
(campaign/gunicorn_conf.py) as the site, so runs on different machines can be compared and
the cost of the site's own per-request hooks (CSRF, session, locale, headers, compression)
shows as the gap between this and /healthz."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
