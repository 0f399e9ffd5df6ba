"""The app as bench/run.py serves it: production code, with two abuse controls off because a
load generator trips them by design:
- rate limits: every benchmark request comes from one loopback address (limits are per
  network and would turn the surge into 429s);
- the minimum fill time: wrk posts a form the moment it has fetched it, which is what a bot
  does (the bot would get the usual answer and nothing stored, and the counts would not add
  up).
Nothing else differs from wsgi.py."""
from campaign import create_app

app = create_app({"RATELIMIT_ENABLED": False, "ABUSE_MIN_FILL_SECONDS": 0})
