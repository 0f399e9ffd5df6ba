"""The app as bench/run.py serves it: production code, with rate limits off, because every
benchmark request comes from one loopback address (limits are per address and would turn the
surge into 429s). Nothing else differs from wsgi.py."""
from campaign import create_app

app = create_app({"RATELIMIT_ENABLED": False})
