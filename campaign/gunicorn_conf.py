"""Gunicorn settings for production: `gunicorn -c python:campaign.gunicorn_conf wsgi:app`.

The access log never holds the client's address (%(h)s) nor the query string, which can
carry tokens: method, path, status, size and duration are enough to run the site.
"""
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Links in e-mails carry tokens in their path (/confirm/<token>): log the route, not the token.
_TOKEN_PATH = re.compile(r"^/(confirm|unsubscribe|forget|privacy/data)/[^/]+")


class PrivateAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _TOKEN_PATH.sub(r"/\1/…", atoms.get("U", ""))
        atoms["h"] = "-"
        return atoms


logger_class = PrivateAccessLogger
